//! HTTP-level tests against the started server, on SQLite or PostgreSQL
//! (see tests/common). One test binary keeps link time down on small machines.

#[path = "../common/mod.rs"]
mod common;

mod accounts;
mod audit;
mod cases;
mod cooperative;
mod episodes;
mod generate;
mod import;
mod job_orders;
mod monitoring;
mod operations;
mod outreach;
mod pages;
mod persons;
mod policy;
mod referrals;
mod regions;
mod scope;
mod portal;
mod exchange;
mod enterprise;
mod parenting;
mod monitoring_pillars;
mod sweep;
mod monitoring_coop;
