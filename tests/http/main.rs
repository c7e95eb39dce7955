//! HTTP-level tests against the started server, on SQLite or PostgreSQL
//! (see tests/common). One test binary keeps link time down on small machines.

#[path = "../common/mod.rs"]
mod common;

mod accounts;
mod audit;
mod brokers;
mod cases;
mod cli;
// track conflicts
mod conflicts;
mod coop_bank;
mod coop_deposits;
mod coop_health;
mod coop_loans;
mod cooperative;
mod dhis2;
mod doors;
mod enterprise;
mod episodes;
mod exchange;
mod generate;
mod glass;
mod hardening;
mod home;
mod htcds;
mod idempotency;
mod import;
mod job_orders;
mod messages;
mod monitoring;
mod monitoring_coop;
mod monitoring_pillars;
// track multi (issue 18)
mod multi;
// issue 18, names: the y/i rule and the re-keying
mod names;
mod national_ids;
mod openapi;
mod opensid;
// -- track offline (issue 16)
mod offline;
mod operations;
mod outreach;
mod pages;
// pages track (issue 18): paged lists
mod paging;
mod parenting;
mod persons;
mod pickers;
mod policy;
mod portal;
mod privacy;
mod referrals;
mod region_filters;
mod region_updates;
mod regions;
// track multi (issue 18)
mod replica;
mod scope;
mod screens;
// search track (issue 18)
mod search_import;
mod sweep;
mod worklist;
// track forms (issue 16)
mod offline_forms;
