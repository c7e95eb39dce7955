//! The access-control sweep (issue 9): every route the router serves — enumerated from the
//! router itself through `web::route_paths()`, its methods found by probing (a method a route
//! does not serve answers 405) — is checked against every role, on a record inside the
//! account's scope and one outside it, and without an account. Each (method, path) must have a
//! declared rule in [`RULES`]: a route without one fails the test, and so does a rule whose
//! route no longer exists.
//!
//! Writes are sent with an empty body (JSON `{}`, or a form holding only the CSRF token): the
//! aim is the access decision, which comes before the body is read or validated
//! (authenticate → role → record/region → body), so nothing is really changed except by the
//! few bodiless actions (revoke, delete, accept), which only touch the fixture. A refused
//! account that gets 400/415/422 instead of a refusal fails the test: the route read the
//! body before deciding.

use crate::common::{Browser, TestApp};
use domain::access::{Action, Principal, Scope};
use domain::region::RegionCode;
use domain::role::Role;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

const IN: &str = "53.07.01.2001";
const OUT: &str = "35.12.01.2001";
/// Stands in for a record the fixture does not create: the route must still refuse whoever
/// may not use it, and may answer 404 to whoever may.
const MISSING: &str = "999999";

/// Who may use a route.
#[derive(Clone, Copy, Debug)]
enum Rule {
    /// Anyone, without an account.
    Public,
    /// Any signed-in account.
    Login,
    /// Not access-controlled (signing in and out): only never a server error.
    Session,
    /// Partner accounts only.
    Partner,
    /// Any account with a national scope (national dashboards and reports).
    Nationwide,
    /// A person's record: `Can(action)`; a refusal must be 404 to whoever may see people
    /// but not this one (out of scope), so ids cannot be probed.
    Person(Action),
    /// `Principal::can(action, region)`, the region being the record's village (in or out of
    /// the account's scope), or none for a route without a record (lists, create forms).
    Can(Action),
    /// As `Can`, and a refusal must be 404, as if the record did not exist (personal data).
    Hidden(Action),
    /// A placement episode: `Person(ViewPerson)` and the role sees placements
    /// (`domain::privacy::field_visible`); every refusal 404.
    Placement,
    /// A restricted protection case (see `Case`); refusals to those who may not open it are 404.
    Case(Case),
}

/// Case rules, on the fixture's restricted case: referred to the partner account's
/// organisation when in scope, referred to no one when out of scope.
#[derive(Clone, Copy, Debug)]
enum Case {
    /// Open, add notes and attachments: supervisors in scope and the referred partner.
    Open,
    /// Work as staff (steps, referrals, assessment, assignment): supervisors in scope.
    Work,
    /// Accept, decline, record services on a referral: the partner organisation's users.
    Partner,
    /// Close a referral: the partner, or staff who may work the case.
    Close,
    /// Break the glass (issue 17): village heads, village officers and facilitators in scope,
    /// who may otherwise only know the restricted case exists.
    Glass,
}

use Action as A;
use Rule::*;

/// Every route: "METHOD /path/template" and its rule. Adding a route means adding one line.
const RULES: &[(&str, Rule)] = &[
    // -- infrastructure and session
    ("GET /healthz", Public),
    ("GET /metrics", Public),
    ("GET /static/{version}/{name}", Public),
    ("GET /favicon.ico", Public),
    ("GET /", Login),
    ("GET /login", Public),
    ("POST /login", Session),
    ("POST /logout", Session),
    ("GET /lang/{code}", Public),
    ("GET /api/docs", Public),
    ("GET /api/v1/openapi.json", Public),
    ("POST /api/v1/auth/token", Session),
    ("GET /account/password", Login),
    ("POST /account/password", Session),
    ("POST /api/v1/auth/password", Session),
    ("GET /api/v1/me", Login),
    // -- track offline (issue 16)
    ("POST /api/v1/offline/grant", Login),
    ("POST /api/v1/offline/contact", Public),
    ("POST /api/v1/offline/revoke", Public),
    ("GET /sw.js", Public),
    ("GET /manifest.webmanifest", Public),
    ("GET /offline", Login),
    // -- track forms (issue 16)
    ("GET /outreach/{id}/attend", Can(A::EditPerson)),
    ("GET /trainings/{id}/attendance/new", Can(A::EditEnterprise)),
    ("GET /businesses/{id}/reports/new", Can(A::EditEnterprise)),
    ("GET /cooperatives/{id}/savings/new", Can(A::ManageCooperative)),
    ("GET /persons/{id}/counselling/new", Person(A::EditPerson)),
    ("POST /api/v1/persons/{id}/counselling", Person(A::EditPerson)),
    // -- regions, programs, accounts, audit
    ("GET /regions", Login),
    ("GET /regions/search", Login),
    ("GET /pick/regions", Login),
    ("GET /pick/agencies", Login),
    ("GET /pick/job-orders", Login),
    ("GET /pick/persons", Can(A::ViewPerson)),
    ("GET /regions/{code}", Can(A::ViewVillage)),
    ("POST /regions/{code}/designation", Can(A::DesignateVillage)),
    ("POST /regions/{code}/programs", Can(A::DesignateVillage)),
    ("GET /programs", Login),
    ("POST /programs", Can(A::ManagePrograms)),
    ("GET /programs/{code}", Login),
    ("GET /admin/users", Can(A::ManageUsers)),
    ("POST /admin/users", Can(A::ManageUsers)),
    ("GET /admin/users/{id}", Can(A::ManageUsers)),
    ("POST /admin/users/{id}/role", Can(A::ManageUsers)),
    ("POST /admin/users/{id}/status", Can(A::ManageUsers)),
    ("POST /admin/users/{id}/password", Can(A::ManageUsers)),
    ("POST /admin/users/{id}/partner", Can(A::ManagePartners)),
    ("GET /admin/audit", Can(A::ViewAudit)),
    ("GET /api/v1/users", Can(A::ManageUsers)),
    ("POST /api/v1/users", Can(A::ManageUsers)),
    ("GET /api/v1/users/{id}", Can(A::ManageUsers)),
    ("PATCH /api/v1/users/{id}", Can(A::ManageUsers)),
    ("GET /api/v1/audit", Can(A::ViewAudit)),
    ("GET /api/v1/regions", Login),
    ("GET /api/v1/regions/search", Login),
    ("GET /api/v1/regions/{code}", Login),
    ("GET /api/v1/regions/{code}/children", Login),
    ("GET /api/v1/villages/{code}", Can(A::ViewVillage)),
    ("PUT /api/v1/villages/{code}/designation", Can(A::DesignateVillage)),
    ("GET /api/v1/programs", Login),
    ("POST /api/v1/programs", Can(A::ManagePrograms)),
    // -- policy
    ("GET /admin/policy", Can(A::ManagePolicy)),
    ("POST /admin/policy/settings", Can(A::ManagePolicy)),
    ("POST /admin/policy/bans", Can(A::ManagePolicy)),
    ("POST /admin/policy/bans/{id}", Can(A::ManagePolicy)),
    ("POST /admin/policy/bans/{id}/delete", Can(A::ManagePolicy)),
    ("POST /admin/policy/zero-cost/job-types", Can(A::ManagePolicy)),
    ("POST /admin/policy/zero-cost/job-types/{code}/delete", Can(A::ManagePolicy)),
    ("POST /admin/policy/zero-cost/cost-items", Can(A::ManagePolicy)),
    ("POST /admin/policy/zero-cost/cost-items/{code}/delete", Can(A::ManagePolicy)),
    ("POST /admin/policy/zero-cost/exemptions", Can(A::ManagePolicy)),
    ("POST /admin/policy/zero-cost/exemptions/{id}/delete", Can(A::ManagePolicy)),
    ("POST /admin/policy/requirements", Can(A::ManagePolicy)),
    ("POST /admin/policy/requirements/{id}/delete", Can(A::ManagePolicy)),
    ("GET /api/v1/policy", Login),
    // -- people (pillar 1)
    ("GET /persons", Can(A::ViewPerson)),
    ("POST /persons", Can(A::EditPerson)),
    ("GET /persons/new", Can(A::EditPerson)),
    ("GET /persons/import", Can(A::EditPerson)),
    ("POST /persons/import", Can(A::EditPerson)),
    ("GET /persons/import/{job}", Can(A::EditPerson)),
    ("GET /persons/bpjs-import", Can(A::EditPerson)),
    ("POST /persons/bpjs-import", Can(A::EditPerson)),
    ("GET /persons/import/{job}/rejected.csv", Can(A::EditPerson)),
    ("POST /persons/import/opensid", Can(A::EditPerson)),
    ("POST /persons/import/opensid/confirm", Can(A::EditPerson)),
    ("GET /persons/opensid", Can(A::ViewPerson)),
    ("GET /persons/opensid/export", Can(A::ViewPerson)),
    ("POST /api/v1/imports/opensid", Can(A::EditPerson)),
    ("GET /persons/{id}", Person(A::ViewPerson)),
    ("POST /persons/{id}/investigation", Person(A::EditPerson)),
    ("POST /persons/{id}/external-ids", Person(A::EditPerson)),
    ("POST /persons/{id}/dukcapil", Person(A::EditPerson)),
    ("POST /persons/{id}/relatives", Person(A::EditPerson)),
    ("POST /persons/{id}/consents", Person(A::EditPerson)),
    ("POST /persons/{id}/counselling", Person(A::EditPerson)),
    ("GET /persons/{id}/edit", Person(A::EditPerson)),
    ("POST /persons/{id}/edit", Person(A::EditPerson)),
    ("POST /persons/{id}/episodes", Person(A::EditPerson)),
    ("GET /episodes/{id}", Placement),
    ("POST /episodes/{id}/transition", Person(A::EditPerson)),
    ("POST /episodes/{id}/documents", Person(A::EditPerson)),
    ("POST /episodes/{id}/costs", Person(A::EditPerson)),
    ("POST /episodes/{id}/contact", Person(A::EditPerson)),
    ("POST /episodes/{id}/external-ids", Person(A::EditPerson)),
    ("GET /worklist", Can(A::ViewPerson)),
    ("POST /api/v1/nik/check", Login),
    ("GET /api/v1/persons", Can(A::ViewPerson)),
    ("POST /api/v1/persons", Can(A::EditPerson)),
    ("GET /api/v1/persons/{id}", Person(A::ViewPerson)),
    // track conflicts
    ("PATCH /api/v1/persons/{id}", Person(A::EditPerson)),
    ("GET /persons/conflicts", Can(A::EditPerson)),
    ("POST /persons/conflicts/{id}", Can(A::EditPerson)),
    ("GET /static/{version}/rules/{name}", Public),
    ("POST /api/v1/persons/{id}/episodes", Person(A::EditPerson)),
    ("GET /api/v1/episodes/{id}", Placement),
    ("POST /api/v1/episodes/{id}/transitions", Person(A::EditPerson)),
    ("PUT /api/v1/episodes/{id}/documents/{kind}", Person(A::EditPerson)),
    ("POST /api/v1/episodes/{id}/costs", Person(A::EditPerson)),
    ("PUT /api/v1/persons/{id}/external-ids", Person(A::EditPerson)),
    ("POST /api/v1/persons/{id}/dukcapil-check", Person(A::EditPerson)),
    ("PUT /api/v1/episodes/{id}/external-ids", Person(A::EditPerson)),
    ("POST /api/v1/imports/bpjs", Can(A::EditPerson)),
    // -- protection cases and partners
    ("GET /cases", Login),
    ("POST /cases", Can(A::EditPerson)),
    ("GET /cases/new", Can(A::EditPerson)),
    ("GET /cases/{id}", Case(Case::Open)),
    ("GET /cases/{id}/summary", Case(Case::Open)),
    ("POST /cases/{id}/transition", Case(Case::Work)),
    ("POST /cases/{id}/assign", Case(Case::Work)),
    ("POST /cases/{id}/referrals", Case(Case::Work)),
    ("POST /cases/{id}/referrals/{referral_id}/{action}", Case(Case::Partner)),
    ("POST /cases/{id}/trafficking", Case(Case::Work)),
    ("POST /cases/{id}/notes", Case(Case::Open)),
    ("POST /cases/{id}/break-glass", Case(Case::Glass)),
    ("POST /cases/{id}/attachments", Case(Case::Open)),
    ("GET /cases/{id}/attachments/{attachment_id}", Case(Case::Open)),
    ("GET /cases/{id}/htcds", Case(Case::Open)),
    ("GET /cases/htcds-import", Can(A::EditPerson)),
    ("POST /cases/htcds-import", Can(A::EditPerson)),
    ("GET /api/v1/cases", Login),
    ("POST /api/v1/cases", Can(A::EditPerson)),
    ("GET /api/v1/cases/{id}", Case(Case::Open)),
    ("PATCH /api/v1/cases/{id}", Case(Case::Work)),
    ("POST /api/v1/cases/{id}/transitions", Case(Case::Work)),
    ("POST /api/v1/cases/{id}/referrals", Case(Case::Work)),
    ("POST /api/v1/cases/{id}/notes", Case(Case::Open)),
    ("POST /api/v1/cases/{id}/break-glass", Case(Case::Glass)),
    ("POST /api/v1/cases/{id}/transfer", Case(Case::Work)),
    ("GET /api/v1/break-glass-grants", Login),
    ("PUT /api/v1/cases/{id}/trafficking", Case(Case::Work)),
    ("GET /api/v1/cases/{id}/htcds", Case(Case::Open)),
    ("GET /api/v1/htcds/public-key", Login),
    ("GET /api/v1/htcds/partner-keys", Can(A::ManagePartners)),
    ("POST /api/v1/htcds/partner-keys", Can(A::ManagePartners)),
    ("POST /api/v1/imports/htcds", Can(A::EditPerson)),
    ("POST /api/v1/cases/{id}/attachments", Case(Case::Open)),
    ("GET /api/v1/cases/{id}/attachments/{attachment_id}", Case(Case::Open)),
    ("POST /api/v1/referrals/{id}/accept", Case(Case::Partner)),
    ("POST /api/v1/referrals/{id}/decline", Case(Case::Partner)),
    ("POST /api/v1/referrals/{id}/services", Case(Case::Partner)),
    ("POST /api/v1/referrals/{id}/close", Case(Case::Close)),
    ("GET /api/v1/partner/referrals", Partner),
    ("GET /admin/partners", Can(A::ManagePartners)),
    ("POST /admin/partners", Can(A::ManagePartners)),
    ("GET /admin/partners/{id}", Can(A::ManagePartners)),
    ("POST /admin/partners/{id}", Can(A::ManagePartners)),
    ("GET /api/v1/partners", Login),
    ("POST /api/v1/partners", Can(A::ManagePartners)),
    ("GET /api/v1/partners/{id}", Login),
    ("PUT /api/v1/partners/{id}", Can(A::ManagePartners)),
    // -- outreach, agencies, job orders
    ("GET /outreach", Can(A::ViewPerson)),
    ("POST /outreach", Can(A::EditPerson)),
    ("GET /outreach/{id}", Can(A::ViewPerson)),
    ("POST /outreach/{id}/attendees", Can(A::EditPerson)),
    ("GET /api/v1/outreach", Can(A::ViewPerson)),
    ("POST /api/v1/outreach", Can(A::EditPerson)),
    ("GET /api/v1/outreach/{id}", Can(A::ViewPerson)),
    ("POST /api/v1/outreach/{id}/attendees", Can(A::EditPerson)),
    ("GET /agencies", Login),
    ("POST /agencies", Can(A::ManageAgencies)),
    ("GET /agencies/{id}", Login),
    ("POST /agencies/{id}/job-orders", Can(A::ManageAgencies)),
    ("POST /agencies/{id}/branches", Can(A::ManageAgencies)),
    ("POST /agencies/{id}/job-orders/{job_order}/verification", Can(A::ManageAgencies)),
    ("GET /api/v1/agencies", Login),
    ("POST /api/v1/agencies", Can(A::ManageAgencies)),
    ("GET /api/v1/agencies/{id}", Login),
    ("POST /api/v1/agencies/{id}/branches", Can(A::ManageAgencies)),
    ("GET /api/v1/job-orders", Login),
    ("POST /api/v1/job-orders", Can(A::ManageAgencies)),
    ("GET /api/v1/job-orders/{id}", Login),
    ("POST /api/v1/job-orders/{id}/verification", Can(A::ManageAgencies)),
    // -- productive enterprise (issue 6)
    ("GET /enterprise", Can(A::ViewEnterprise)),
    ("GET /trainings", Can(A::ViewEnterprise)),
    ("POST /trainings", Can(A::EditEnterprise)),
    ("GET /trainings/{id}", Can(A::ViewEnterprise)),
    ("POST /trainings/{id}/participants", Can(A::EditEnterprise)),
    ("POST /trainings/{id}/attendance", Can(A::EditEnterprise)),
    ("GET /mentoring", Can(A::ViewEnterprise)),
    ("POST /mentoring", Can(A::EditEnterprise)),
    ("GET /equipment", Can(A::ViewEnterprise)),
    ("POST /equipment", Can(A::EditEnterprise)),
    ("GET /equipment/{id}", Can(A::ViewEnterprise)),
    ("POST /equipment/{id}/checks", Can(A::EditEnterprise)),
    ("GET /businesses", Can(A::ViewEnterprise)),
    ("POST /businesses", Can(A::EditEnterprise)),
    ("GET /businesses/{id}", Can(A::ViewEnterprise)),
    ("POST /businesses/{id}/members", Can(A::EditEnterprise)),
    ("POST /businesses/{id}/reports", Can(A::EditEnterprise)),
    ("POST /businesses/{id}/status", Can(A::EditEnterprise)),
    ("GET /remittances", Can(A::ViewEnterprise)),
    ("POST /remittances", Can(A::EditEnterprise)),
    ("GET /api/v1/trainings", Can(A::ViewEnterprise)),
    ("POST /api/v1/trainings", Can(A::EditEnterprise)),
    ("GET /api/v1/trainings/{id}", Can(A::ViewEnterprise)),
    ("POST /api/v1/trainings/{id}/participants", Can(A::EditEnterprise)),
    ("POST /api/v1/trainings/{id}/attendance", Can(A::EditEnterprise)),
    ("POST /api/v1/trainings/{id}/completion", Can(A::EditEnterprise)),
    ("GET /api/v1/mentoring", Can(A::ViewEnterprise)),
    ("POST /api/v1/mentoring", Can(A::EditEnterprise)),
    ("GET /api/v1/equipment", Can(A::ViewEnterprise)),
    ("POST /api/v1/equipment", Can(A::EditEnterprise)),
    ("GET /api/v1/equipment/{id}", Can(A::ViewEnterprise)),
    ("POST /api/v1/equipment/{id}/checks", Can(A::EditEnterprise)),
    ("GET /api/v1/businesses", Can(A::ViewEnterprise)),
    ("POST /api/v1/businesses", Can(A::EditEnterprise)),
    ("GET /api/v1/businesses/{id}", Can(A::ViewEnterprise)),
    ("POST /api/v1/businesses/{id}/members", Can(A::EditEnterprise)),
    ("POST /api/v1/businesses/{id}/reports", Can(A::EditEnterprise)),
    ("POST /api/v1/businesses/{id}/status", Can(A::EditEnterprise)),
    ("GET /api/v1/remittances", Can(A::ViewEnterprise)),
    ("POST /api/v1/remittances", Can(A::EditEnterprise)),
    ("GET /api/v1/remittances/summary", Can(A::ViewEnterprise)),
    ("GET /api/v1/enterprise/counts", Can(A::ViewEnterprise)),
    ("POST /api/v1/loan-schedules", Login),
    // -- community parenting (issue 6)
    ("GET /parenting", Can(A::CountChildren)),
    ("POST /parenting", Can(A::ViewChild)),
    ("GET /parenting/{id}", Can(A::CountChildren)),
    ("POST /parenting/{id}/attendance", Can(A::ViewChild)),
    ("GET /children", Can(A::CountChildren)),
    ("POST /children", Can(A::ViewChild)),
    ("GET /children/{id}", Hidden(A::ViewChild)),
    ("POST /children/{id}/status", Hidden(A::ViewChild)),
    ("POST /children/{id}/concerns", Hidden(A::ViewChild)),
    ("GET /api/v1/children", Can(A::CountChildren)),
    ("POST /api/v1/children", Can(A::ViewChild)),
    ("GET /api/v1/children/{id}", Hidden(A::ViewChild)),
    ("POST /api/v1/children/{id}/status", Hidden(A::ViewChild)),
    ("POST /api/v1/children/{id}/concerns", Hidden(A::ViewChild)),
    ("GET /api/v1/parenting-activities", Can(A::CountChildren)),
    ("POST /api/v1/parenting-activities", Can(A::ViewChild)),
    ("GET /api/v1/parenting-activities/{id}", Can(A::CountChildren)),
    ("POST /api/v1/parenting-activities/{id}/attendance", Can(A::ViewChild)),
    ("GET /api/v1/parenting/counts", Can(A::CountChildren)),
    // -- monitoring (issue 7)
    ("GET /monitoring", Login),
    ("GET /monitoring/report", Nationwide),
    ("GET /monitoring/targets", Login),
    ("POST /monitoring/targets", Can(A::ManageMonitoring)),
    ("GET /monitoring/criteria", Login),
    ("POST /monitoring/criteria", Can(A::ManageMonitoring)),
    ("POST /monitoring/criteria/{id}/delete", Can(A::ManageMonitoring)),
    ("GET /monitoring/{code}", Can(A::ViewMonitoring)),
    ("GET /monitoring/{code}/report", Can(A::ViewMonitoring)),
    ("GET /monitoring/dhis2", Nationwide),
    ("GET /monitoring/{code}/dhis2", Can(A::ViewMonitoring)),
    ("GET /statistik", Public),
    ("GET /statistik.csv", Public),
    ("GET /api/v1/open/indicators", Public),
    ("GET /api/v1/indicators", Nationwide),
    // -- DHIS2 (issue 19): without `within` the export is the nation's
    ("GET /api/v1/dhis2/data-value-sets", Nationwide),
    ("GET /api/v1/dhis2/data-elements", Login),
    ("PUT /api/v1/dhis2/data-elements", Can(A::ManageMonitoring)),
    ("POST /api/v1/dhis2/org-units", Can(A::ManageMonitoring)),
    ("GET /api/v1/targets", Login),
    ("PUT /api/v1/targets", Can(A::ManageMonitoring)),
    // -- public portal, exchange, subject rights (issue 8)
    ("GET /portal", Public),
    ("GET /portal/agencies", Public),
    ("GET /portal/jobs", Public),
    ("GET /portal/safe-migration", Public),
    ("GET /portal/service-centers", Public),
    ("GET /portal/missions", Public),
    ("GET /cek", Public),
    ("GET /cek/{code}", Public),
    ("GET /cek/{code}/qr.svg", Public),
    // -- survivor-safe screens (issue 17)
    ("GET /netral", Public),
    ("POST /persons/{id}/reveal", Person(A::ViewPerson)),
    ("GET /api/v1/public/agencies", Public),
    ("GET /api/v1/public/job-orders/{code}", Public),
    ("GET /api/v1/public/missions", Public),
    // -- broker reports (issue 17)
    ("GET /portal/lapor-calo", Public),
    ("POST /portal/lapor-calo", Session),
    ("GET /portal/lapor-calo/tambah", Public),
    ("POST /portal/lapor-calo/tambah", Session),
    ("POST /api/v1/public/broker-reports", Public),
    ("GET /api/v1/public/broker-reports/{receipt}", Public),
    ("POST /api/v1/public/broker-reports/{receipt}/additions", Public),
    ("GET /broker-reports", Can(A::ReportBroker)),
    ("POST /broker-reports", Can(A::ReportBroker)),
    ("GET /broker-reports/hot-spots", Can(A::ViewBrokerHotSpots)),
    ("GET /broker-reports/{id}", Hidden(A::HandleBrokerReports)),
    ("POST /broker-reports/{id}/take", Hidden(A::HandleBrokerReports)),
    ("POST /broker-reports/{id}/notes", Hidden(A::HandleBrokerReports)),
    ("GET /brokers", Can(A::HandleBrokerReports)),
    ("GET /brokers/{id}", Hidden(A::HandleBrokerReports)),
    ("POST /brokers/{id}/episodes", Hidden(A::HandleBrokerReports)),
    ("POST /brokers/{id}/cases", Hidden(A::HandleBrokerReports)),
    ("GET /api/v1/broker-reports", Can(A::ReportBroker)),
    ("POST /api/v1/broker-reports", Can(A::ReportBroker)),
    ("GET /api/v1/broker-reports/hot-spots", Can(A::ViewBrokerHotSpots)),
    ("GET /api/v1/broker-reports/{id}", Hidden(A::HandleBrokerReports)),
    ("POST /api/v1/broker-reports/{id}/take", Hidden(A::HandleBrokerReports)),
    ("GET /api/v1/brokers", Can(A::HandleBrokerReports)),
    ("GET /api/v1/brokers/{id}", Hidden(A::HandleBrokerReports)),
    ("POST /api/v1/brokers/{id}/episodes", Hidden(A::HandleBrokerReports)),
    ("POST /api/v1/brokers/{id}/cases", Hidden(A::HandleBrokerReports)),
    ("GET /admin/api-clients", Can(A::ManageApiClients)),
    ("POST /admin/api-clients", Can(A::ManageApiClients)),
    ("POST /admin/api-clients/{id}/rotate", Can(A::ManageApiClients)),
    ("POST /admin/api-clients/{id}/revoke", Can(A::ManageApiClients)),
    ("GET /api/v1/api-clients", Can(A::ManageApiClients)),
    ("POST /api/v1/api-clients", Can(A::ManageApiClients)),
    ("POST /api/v1/api-clients/{id}/rotate", Can(A::ManageApiClients)),
    ("POST /api/v1/api-clients/{id}/revoke", Can(A::ManageApiClients)),
    ("GET /admin/missions", Can(A::ManageMissions)),
    ("POST /admin/missions", Can(A::ManageMissions)),
    ("POST /admin/missions/{id}/delete", Can(A::ManageMissions)),
    ("GET /admin/regions", Can(A::ManageRegions)),
    ("POST /admin/regions", Can(A::ManageRegions)),
    ("GET /persons/{id}/privacy", Person(A::SubjectRights)),
    ("POST /persons/{id}/purpose-consents", Person(A::SubjectRights)),
    ("POST /persons/{id}/restriction", Person(A::SubjectRights)),
    ("POST /persons/{id}/corrections", Person(A::SubjectRights)),
    ("POST /persons/{id}/corrections/{cid}", Person(A::SubjectRights)),
    ("GET /persons/{id}/subject-access/{format}", Person(A::SubjectRights)),
    ("DELETE /api/v1/persons/{id}", Person(A::SubjectRights)),
    ("GET /api/v1/persons/{id}/purpose-consents", Person(A::SubjectRights)),
    ("POST /api/v1/persons/{id}/purpose-consents", Person(A::SubjectRights)),
    ("PUT /api/v1/persons/{id}/restriction", Person(A::SubjectRights)),
    ("GET /api/v1/persons/{id}/corrections", Person(A::SubjectRights)),
    ("POST /api/v1/persons/{id}/corrections", Person(A::SubjectRights)),
    ("GET /api/v1/persons/{id}/subject-access", Person(A::SubjectRights)),
    ("GET /api/v1/exchange/persons", Can(A::ViewPerson)),
    ("GET /api/v1/exchange/persons/export", Can(A::ViewPerson)),
    ("GET /api/v1/exchange/persons/{id}", Person(A::ViewPerson)),
    ("GET /api/v1/exchange/episodes", Can(A::ViewPerson)),
    ("GET /api/v1/exchange/agencies", Login),
    ("GET /api/v1/exchange/job-orders", Login),
    // -- cooperative (pillar 4): the record's village is the cooperative's village
    ("GET /cooperatives", Can(A::ViewCooperative)),
    ("GET /regions/{code}/cooperatives", Can(A::ViewCooperative)),
    ("POST /regions/{code}/cooperatives", Can(A::ManageCooperative)),
    ("GET /cooperatives/{id}", Can(A::ViewCooperative)),
    ("POST /cooperatives/{id}/bylaws", Can(A::ManageCooperative)),
    ("GET /cooperatives/{id}/members", Can(A::ViewCooperative)),
    ("POST /cooperatives/{id}/members", Can(A::ManageCooperative)),
    ("GET /cooperatives/{id}/members/{member_id}", Can(A::ViewCooperative)),
    ("POST /cooperatives/{id}/members/{member_id}/savings", Can(A::ManageCooperative)),
    ("POST /cooperatives/{id}/members/{member_id}/loans", Can(A::ManageCooperative)),
    ("POST /cooperatives/{id}/members/{member_id}/leave", Can(A::ManageCooperative)),
    ("GET /cooperatives/{id}/members/{member_id}/statement", Can(A::ViewCooperative)),
    ("GET /cooperatives/{id}/loans", Can(A::ViewCooperative)),
    ("GET /cooperatives/{id}/loans/{loan_id}", Can(A::ViewCooperative)),
    ("POST /cooperatives/{id}/loans/{loan_id}/repay", Can(A::ManageCooperative)),
    ("POST /cooperatives/{id}/loans/{loan_id}/{step}", Can(A::ManageCooperative)),
    ("GET /cooperatives/{id}/books", Can(A::ViewCooperative)),
    ("POST /cooperatives/{id}/books/periods", Can(A::ManageCooperative)),
    ("POST /cooperatives/{id}/books/years", Can(A::ManageCooperative)),
    ("POST /cooperatives/{id}/books/other", Can(A::ManageCooperative)),
    ("GET /cooperatives/{id}/reports/{name}", Can(A::ViewCooperative)),
    ("GET /cooperatives/{id}/journal", Can(A::ViewCooperative)),
    ("POST /cooperatives/{id}/journal/{entry_id}/reverse", Can(A::ManageCooperative)),
    ("GET /cooperatives/{id}/cash-book", Can(A::ViewCooperative)),
    ("GET /cooperatives/{id}/rat", Can(A::ViewCooperative)),
    ("POST /cooperatives/{id}/rat", Can(A::ManageCooperative)),
    ("GET /cooperatives/{id}/rat/{year}/report", Can(A::ViewCooperative)),
    ("GET /cooperatives/{id}/health", Can(A::ViewCooperative)),
    ("POST /cooperatives/{id}/health/answers", Can(A::ManageCooperative)),
    ("POST /cooperatives/{id}/health/record", Can(A::ManageCooperative)),
    ("GET /api/v1/cooperatives", Can(A::ViewCooperative)),
    ("POST /api/v1/cooperatives", Can(A::ManageCooperative)),
    ("GET /api/v1/cooperatives/{id}", Can(A::ViewCooperative)),
    ("PUT /api/v1/cooperatives/{id}/bylaws/{year}", Can(A::ManageCooperative)),
    ("GET /api/v1/cooperatives/{id}/members", Can(A::ViewCooperative)),
    ("POST /api/v1/cooperatives/{id}/members", Can(A::ManageCooperative)),
    ("GET /api/v1/cooperatives/{id}/members/{member_id}", Can(A::ViewCooperative)),
    ("POST /api/v1/cooperatives/{id}/members/{member_id}/leave", Can(A::ManageCooperative)),
    ("POST /api/v1/cooperatives/{id}/savings-transactions", Can(A::ManageCooperative)),
    ("GET /api/v1/cooperatives/{id}/loans", Can(A::ViewCooperative)),
    ("POST /api/v1/cooperatives/{id}/loans", Can(A::ManageCooperative)),
    ("GET /api/v1/cooperatives/{id}/loans/{loan_id}", Can(A::ViewCooperative)),
    ("POST /api/v1/cooperatives/{id}/loans/{loan_id}/approve", Can(A::ApproveLoan)),
    ("POST /api/v1/cooperatives/{id}/loans/{loan_id}/reject", Can(A::ApproveLoan)),
    ("POST /api/v1/cooperatives/{id}/loans/{loan_id}/disburse", Can(A::ManageCooperative)),
    ("POST /api/v1/cooperatives/{id}/loans/{loan_id}/write-off", Can(A::ManageCooperative)),
    ("POST /api/v1/cooperatives/{id}/loans/{loan_id}/repayments", Can(A::ManageCooperative)),
    ("GET /api/v1/cooperatives/{id}/reports/trial-balance", Can(A::ViewCooperative)),
    ("GET /api/v1/cooperatives/{id}/reports/balance-sheet", Can(A::ViewCooperative)),
    ("GET /api/v1/cooperatives/{id}/reports/income-statement", Can(A::ViewCooperative)),
    ("POST /api/v1/cooperatives/{id}/other-entries", Can(A::ManageCooperative)),
    ("POST /api/v1/cooperatives/{id}/journal/{entry_id}/reversal", Can(A::ManageCooperative)),
    ("POST /api/v1/cooperatives/{id}/period-closes", Can(A::ManageCooperative)),
    ("POST /api/v1/cooperatives/{id}/year-closes", Can(A::ManageCooperative)),
    ("POST /api/v1/cooperatives/{id}/rat", Can(A::ManageCooperative)),
    ("GET /api/v1/cooperatives/{id}/rat/{year}", Can(A::ViewCooperative)),
    ("GET /api/v1/cooperatives/{id}/health/{year}", Can(A::ViewCooperative)),
    ("PUT /api/v1/cooperatives/{id}/health/{year}/answers", Can(A::ManageCooperative)),
    ("POST /api/v1/cooperatives/{id}/health/{year}/record", Can(A::ManageCooperative)),
    // Cash and bank (issue 20, track bank).
    ("GET /cooperatives/{id}/bank", Can(A::ViewCooperative)),
    ("POST /cooperatives/{id}/bank/accounts", Can(A::ManageCooperative)),
    ("POST /cooperatives/{id}/bank/transfers", Can(A::ManageCooperative)),
    ("GET /cooperatives/{id}/bank/{bank_id}", Can(A::ViewCooperative)),
    ("POST /cooperatives/{id}/bank/{bank_id}/entries", Can(A::ManageCooperative)),
    ("POST /cooperatives/{id}/bank/{bank_id}/statement", Can(A::ManageCooperative)),
    ("POST /cooperatives/{id}/bank/{bank_id}/suggestions", Can(A::ManageCooperative)),
    ("POST /cooperatives/{id}/bank/{bank_id}/lines/{line_id}/entry", Can(A::ManageCooperative)),
    ("POST /cooperatives/{id}/bank/{bank_id}/lines/{line_id}/unmatch", Can(A::ManageCooperative)),
    ("POST /cooperatives/{id}/bank/{bank_id}/reconciliations", Can(A::ManageCooperative)),
    ("GET /api/v1/cooperatives/{id}/bank-accounts", Can(A::ViewCooperative)),
    ("POST /api/v1/cooperatives/{id}/bank-accounts", Can(A::ManageCooperative)),
    ("POST /api/v1/cooperatives/{id}/bank-transfers", Can(A::ManageCooperative)),
    ("POST /api/v1/cooperatives/{id}/bank-accounts/{bank_id}/entries", Can(A::ManageCooperative)),
    ("GET /api/v1/cooperatives/{id}/bank-accounts/{bank_id}/book", Can(A::ViewCooperative)),
    ("POST /api/v1/cooperatives/{id}/bank-accounts/{bank_id}/statements", Can(A::ManageCooperative)),
    ("GET /api/v1/cooperatives/{id}/bank-accounts/{bank_id}/statement-lines", Can(A::ViewCooperative)),
    (
        "POST /api/v1/cooperatives/{id}/bank-accounts/{bank_id}/statement-lines/{line_id}/entry",
        Can(A::ManageCooperative),
    ),
    ("GET /api/v1/cooperatives/{id}/bank-accounts/{bank_id}/match-suggestions", Can(A::ViewCooperative)),
    ("POST /api/v1/cooperatives/{id}/bank-accounts/{bank_id}/match-suggestions/accept", Can(A::ManageCooperative)),
    ("POST /api/v1/cooperatives/{id}/bank-accounts/{bank_id}/matches", Can(A::ManageCooperative)),
    ("DELETE /api/v1/cooperatives/{id}/bank-accounts/{bank_id}/matches/{statement_line_id}", Can(A::ManageCooperative)),
    ("GET /api/v1/cooperatives/{id}/bank-accounts/{bank_id}/reconciliation", Can(A::ViewCooperative)),
    ("POST /api/v1/cooperatives/{id}/bank-accounts/{bank_id}/reconciliations", Can(A::ManageCooperative)),
    // Issue 20, loans.
    ("GET /cooperatives/{id}/loan-products", Can(A::ViewCooperative)),
    ("POST /cooperatives/{id}/loan-products", Can(A::ManageCooperative)),
    ("POST /cooperatives/{id}/loan-products/month-end", Can(A::ManageCooperative)),
    ("GET /cooperatives/{id}/loans/{loan_id}/records", Can(A::ViewCooperative)),
    ("POST /cooperatives/{id}/loans/{loan_id}/collateral", Can(A::ManageCooperative)),
    ("POST /cooperatives/{id}/loans/{loan_id}/guarantors", Can(A::ManageCooperative)),
    ("POST /cooperatives/{id}/loans/{loan_id}/reschedules", Can(A::ManageCooperative)),
    ("POST /cooperatives/{id}/loans/{loan_id}/reschedules/{proposal_id}/{decision}", Can(A::ApproveLoan)),
    ("GET /api/v1/cooperatives/{id}/loan-settings", Can(A::ViewCooperative)),
    ("PUT /api/v1/cooperatives/{id}/loan-settings/{year}", Can(A::ManageCooperative)),
    ("GET /api/v1/cooperatives/{id}/loans/{loan_id}/records", Can(A::ViewCooperative)),
    ("POST /api/v1/cooperatives/{id}/loans/{loan_id}/collateral", Can(A::ManageCooperative)),
    ("POST /api/v1/cooperatives/{id}/loans/{loan_id}/guarantors", Can(A::ManageCooperative)),
    ("POST /api/v1/cooperatives/{id}/loans/{loan_id}/reschedules", Can(A::ManageCooperative)),
    ("POST /api/v1/cooperatives/{id}/loans/{loan_id}/reschedules/{proposal_id}/approve", Can(A::ApproveLoan)),
    ("POST /api/v1/cooperatives/{id}/loans/{loan_id}/reschedules/{proposal_id}/reject", Can(A::ApproveLoan)),
    ("POST /api/v1/cooperatives/{id}/loans/{loan_id}/reschedules/{proposal_id}/cancel", Can(A::ManageCooperative)),
    ("GET /api/v1/cooperatives/{id}/provision", Can(A::ViewCooperative)),
    ("POST /api/v1/cooperatives/{id}/loan-month-end", Can(A::ManageCooperative)),
    // -- cooperative deposits track (issue 20)
    ("GET /cooperatives/{id}/deposits", Can(A::ViewCooperative)),
    ("POST /cooperatives/{id}/deposits", Can(A::ManageCooperative)),
    ("POST /cooperatives/{id}/deposits/settings", Can(A::ManageCooperative)),
    ("GET /cooperatives/{id}/deposits/{deposit_id}", Can(A::ViewCooperative)),
    ("POST /cooperatives/{id}/deposits/{deposit_id}/{step}", Can(A::ManageCooperative)),
    ("POST /cooperatives/{id}/month-end", Can(A::ManageCooperative)),
    ("GET /cooperatives/{id}/members/{member_id}/passbook", Can(A::ViewCooperative)),
    ("GET /api/v1/cooperatives/{id}/deposit-settings", Can(A::ViewCooperative)),
    ("PUT /api/v1/cooperatives/{id}/deposit-settings/{year}", Can(A::ManageCooperative)),
    ("GET /api/v1/cooperatives/{id}/time-deposits", Can(A::ViewCooperative)),
    ("POST /api/v1/cooperatives/{id}/time-deposits", Can(A::ManageCooperative)),
    ("GET /api/v1/cooperatives/{id}/time-deposits/{deposit_id}", Can(A::ViewCooperative)),
    ("POST /api/v1/cooperatives/{id}/time-deposits/{deposit_id}/maturity", Can(A::ManageCooperative)),
    ("POST /api/v1/cooperatives/{id}/time-deposits/{deposit_id}/early-withdrawal", Can(A::ManageCooperative)),
    ("POST /api/v1/cooperatives/{id}/month-end", Can(A::ManageCooperative)),
];

/// Which fixture record a path parameter names, from the segment before it and its name.
fn param_key(before: &str, param: &str) -> &'static str {
    match (before, param) {
        ("regions" | "villages" | "monitoring", "code") => "village",
        ("lang", "code") => "lang",
        ("cek" | "job-orders", "code") => "public_code",
        ("programs", "code") => "program",
        ("static", "version") => "version",
        ("reports", "name") => "coop_report",
        // track conflicts
        ("rules", "name") => "rules_asset",
        (_, "name") => "asset",
        (_, "member_id") => "member",
        (_, "job_order") => "job_order",
        (_, "referral_id") => "referral",
        (_, "action") => "referral_action",
        (_, "format") => "format",
        (_, "kind") => "document_kind",
        ("users", "id") => "user",
        ("persons", "id") => "person",
        ("episodes", "id") => "episode",
        ("cases", "id") => "case",
        ("referrals", "id") => "referral",
        ("partners", "id") => "partner",
        ("agencies", "id") => "agency",
        ("job-orders", "id") => "job_order",
        ("outreach", "id") => "outreach",
        ("trainings", "id") => "training",
        ("equipment", "id") => "equipment",
        ("businesses", "id") => "business",
        ("children", "id") => "child",
        ("parenting" | "parenting-activities", "id") => "activity",
        ("cooperatives", "id") => "cooperative",
        ("api-clients", "id") => "api_client",
        ("broker-reports", "id") => "broker_report",
        ("brokers", "id") => "broker",
        _ => "",
    }
}

/// Records an allowed bodiless request may use up (revoking a client): 404 is then fine.
const VOLATILE: &[&str] = &["api_client"];

/// The records the sweep works on, inside (53.07.01.2001) and outside (35.12.01.2001) the
/// scoped accounts' regions; records that concern no region have the same id in both.
struct Fixture {
    ids: BTreeMap<&'static str, (String, String)>,
}

impl Fixture {
    /// The value of a path parameter, from the segment before it and its name.
    fn value(&self, before: &str, param: &str, inside: bool) -> String {
        let key = param_key(before, param);
        match self.ids.get(key) {
            Some((i, o)) => {
                if inside {
                    i.clone()
                } else {
                    o.clone()
                }
            }
            None => MISSING.to_string(),
        }
    }

    /// The path with its parameters filled in, and whether every parameter named a record
    /// of the fixture (else a 404 is an acceptable answer to an allowed account).
    fn fill(&self, template: &str, inside: bool) -> (String, bool) {
        let mut out = String::new();
        let mut complete = true;
        let mut before = "";
        for seg in template.split('/').skip(1) {
            out.push('/');
            if let Some(param) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                let v = self.value(before, param, inside);
                complete &= v != MISSING && !VOLATILE.contains(&param_key(before, param));
                out.push_str(&v);
            } else {
                out.push_str(seg);
                before = seg;
            }
        }
        (out, complete)
    }

    fn regional(&self, template: &str) -> bool {
        let (i, _) = self.fill(template, true);
        let (o, _) = self.fill(template, false);
        i != o
    }
}

fn id(v: &Value) -> String {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id in {v}")).to_string()
}

async fn created(app: &TestApp, path: &str, body: Value) -> Value {
    let (s, v) = app.post_json(path, Some(&app.admin_token), &body).await;
    assert!(s == 201 || s == 200, "fixture {path}: {s} {v}");
    v
}

fn days_ago(n: i64) -> String {
    (crate::common::today() - time::Duration::days(n)).to_string()
}

/// One national admin builds the world: the same records in both villages.
async fn build_fixture(app: &TestApp) -> Fixture {
    let mut ids: BTreeMap<&'static str, (String, String)> = BTreeMap::new();
    let both = |v: &str| (v.to_string(), v.to_string());
    ids.insert("village", (IN.into(), OUT.into()));
    ids.insert("lang", both("en"));
    ids.insert("program", both("desmigratif"));
    ids.insert("version", both(web::static_files::VERSION));
    ids.insert("asset", both("app.css"));
    // track conflicts
    ids.insert("rules_asset", both("check.js"));
    ids.insert("format", both("json"));
    ids.insert("document_kind", both("passport"));
    ids.insert("referral_action", both("accept"));
    ids.insert("coop_report", both("trial-balance"));

    let agency = created(
        app,
        "/api/v1/agencies",
        json!({"name": "PT Sapu Bersih", "licence_number": "KEP.9/2024", "status": "active",
               "valid_from": "2024-01-01", "valid_until": "2099-01-01"}),
    )
    .await;
    let agency_id = agency["id"].as_i64().unwrap();
    ids.insert("agency", both(&id(&agency)));
    let jo = created(
        app,
        "/api/v1/job-orders",
        json!({"agency_id": agency_id, "reference": "DL/SWEEP/1", "destination": "tw", "employer": "Chen Family",
               "job_type": "Elderly carer", "salary_amount": 27470, "salary_currency": "twd", "quota": 10,
               "valid_from": "2025-01-01", "valid_until": "2099-12-31", "costs": []}),
    )
    .await;
    ids.insert("job_order", both(&id(&jo)));
    if let Some(code) = jo["public_code"].as_str() {
        ids.insert("public_code", both(code));
    }

    let mut pair = |key: &'static str, i: String, o: String| {
        ids.insert(key, (i, o));
    };
    let mut per_village: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for (village, nik, sex, birth) in
        [(IN, "5307015205900001", "P", "1990-05-12"), (OUT, "3512013101850002", "L", "1985-01-31")]
    {
        let mut put = |k: &'static str, v: String| per_village.entry(k).or_default().push(v);
        let p = created(
            app,
            "/api/v1/persons",
            json!({"nik": nik, "full_name": "Sapu Bersih", "sex": sex, "birth_date": birth, "village_code": village}),
        )
        .await;
        let person = p["id"].as_i64().unwrap();
        put("person", person.to_string());
        let e = created(
            app,
            &format!("/api/v1/persons/{person}/episodes"),
            json!({"category": "household_employer", "scheme": "p3mi", "destination": "HK", "job_type": "housekeeper",
                   "agency_id": agency_id}),
        )
        .await;
        put("episode", id(&e));
        let c = created(
            app,
            "/api/v1/cases",
            json!({"type": "trafficking_suspicion", "severity": "high", "description": "Sweep fixture case",
                   "village_code": village, "person_id": person}),
        )
        .await;
        put("case", id(&c));
        let u = created(
            app,
            "/api/v1/users",
            json!({"username": format!("target-{village}"), "password": "a-long-password", "full_name": "Target",
                   "role": "village_officer", "region_code": village, "must_change_password": false}),
        )
        .await;
        put("user", id(&u));
        let o = created(
            app,
            "/api/v1/outreach",
            json!({"village_code": village, "held_on": days_ago(1), "place": "Balai desa", "topic": "Migrasi aman",
                   "organiser": "Pemerintah desa", "headcount": 42}),
        )
        .await;
        put("outreach", id(&o));
        let t = created(
            app,
            "/api/v1/trainings",
            json!({"village_code": village, "topic": "financial_literacy", "title": "Literasi keuangan",
                   "organiser": "regency_office", "organiser_name": "Disnaker", "starts_on": days_ago(4),
                   "ends_on": days_ago(2), "place": "Balai desa", "trainer": "Ibu Rina"}),
        )
        .await;
        put("training", id(&t));
        let b = created(
            app,
            "/api/v1/businesses",
            json!({"village_code": village, "name": "Tenun Ikat", "sector": "crafts", "legal_form": "group",
                   "status": "running", "started_on": days_ago(90), "capital_sources": ["own_remittances"]}),
        )
        .await;
        put("business", id(&b));
        let eq = created(
            app,
            "/api/v1/equipment",
            json!({"village_code": village, "item": "Alat tenun", "value": 2_750_000, "source_program": "Desmigratif",
                   "given_on": days_ago(400), "business_id": b["id"]}),
        )
        .await;
        put("equipment", id(&eq));
        let ch = created(
            app,
            "/api/v1/children",
            json!({"full_name": "Anak Sapu", "birth_date": days_ago(3650), "sex": "P", "village_code": village,
                   "parent_person_ids": [person], "caregiver": "grandparent"}),
        )
        .await;
        put("child", id(&ch));
        let a = created(
            app,
            "/api/v1/parenting-activities",
            json!({"village_code": village, "kind": "parenting_class", "title": "Pola asuh", "held_on": days_ago(3),
                   "ends_on": days_ago(2), "place": "Posyandu", "facilitator": "Ibu Maria"}),
        )
        .await;
        put("activity", id(&a));
        let coop = created(
            app,
            "/api/v1/cooperatives",
            json!({"village_code": village, "kind": "koperasi", "name": "Koperasi Sapu Bersih",
                   "legal_number": format!("AHU-SWEEP-{village}"), "founded_on": "2025-01-02",
                   "bylaws": {"pokok": 100000, "wajib_monthly": 20000, "max_principal": 5000000, "max_months": 12,
                              "min_rate_percent": 1, "max_rate_percent": 2, "shu_reserve": 40,
                              "shu_members_by_savings": 20, "shu_members_by_transactions": 20, "shu_board": 5,
                              "shu_staff": 5, "shu_education": 5, "shu_social": 5}}),
        )
        .await;
        let coop_id = id(&coop);
        let m = created(
            app,
            &format!("/api/v1/cooperatives/{coop_id}/members"),
            json!({"full_name": "Anggota Sapu", "joined_on": "2025-01-05", "person_id": person}),
        )
        .await;
        put("cooperative", coop_id);
        put("member", id(&m));
    }
    for (k, v) in per_village {
        pair(k, v[0].clone(), v[1].clone());
    }

    // The in-scope case is assessed and referred to the partner account's organisation.
    let (s, list) = app.get_json("/api/v1/partners", Some(&app.admin_token)).await;
    assert_eq!(s, 200);
    let iom = list["items"].as_array().unwrap().iter().find(|p| p["name"] == "IOM Indonesia").expect("IOM")["id"]
        .as_i64()
        .unwrap();
    ids.insert("partner", both(&iom.to_string()));
    let case = ids["case"].0.clone();
    let (s, r) = app
        .post_json(
            &format!("/api/v1/cases/{case}/transitions"),
            Some(&app.admin_token),
            &json!({"to": "assessed", "reason": "checked"}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let c = created(
        app,
        &format!("/api/v1/cases/{case}/referrals"),
        json!({"partner_id": iom, "services": ["shelter"], "note": "Sweep"}),
    )
    .await;
    let referral = c["referrals"][0]["id"].as_i64().expect("referral").to_string();
    ids.insert("referral", both(&referral));
    let client = created(
        app,
        "/api/v1/api-clients",
        json!({"organisation": "IOM Indonesia", "purpose": "placement_protection", "scopes": ["persons:read"],
               "region_code": null, "expires_on": days_ago(-30), "rate_per_minute": 1000}),
    )
    .await;
    ids.insert("api_client", both(&id(&client)));
    let mut reports = vec![];
    for (village, phone) in [(IN, "0812 1111 0001"), (OUT, "0812 1111 0002")] {
        reports.push(
            created(
                app,
                "/api/v1/broker-reports",
                json!({"broker_name": "Calo Sapu", "broker_phone": phone, "village_code": village,
                       "description": "Sweep report"}),
            )
            .await,
        );
    }
    ids.insert("broker_report", (id(&reports[0]), id(&reports[1])));
    let broker = |r: &Value| r["broker_id"].as_i64().expect("broker").to_string();
    ids.insert("broker", (broker(&reports[0]), broker(&reports[1])));
    Fixture { ids }
}

/// A signed-in account: its role and scope, bearer token for the API and browser session
/// (with its CSRF token) for the pages. `None` role: no account at all.
struct Account {
    role: Option<Role>,
    principal: Option<Principal>,
    token: Option<String>,
    browser: Browser,
    csrf: String,
}

async fn accounts(app: &TestApp, partner_id: i64) -> Vec<Account> {
    let mut out =
        vec![Account { role: None, principal: None, token: None, browser: Browser::new(app), csrf: String::new() }];
    for role in Role::ALL {
        let scope = match role {
            Role::NationalAdmin | Role::NationalAnalyst | Role::Partner => None,
            Role::ProvinceOfficer => Some("53"),
            Role::RegencyOfficer => Some("53.07"),
            _ => Some(IN),
        };
        let username = format!("sweep-{}", role.as_str());
        let (s, u) = app
            .post_json(
                "/api/v1/users",
                Some(&app.admin_token),
                &json!({"username": username, "password": "a-long-password", "full_name": "Sweep",
                        "role": role.as_str(), "region_code": scope, "must_change_password": false,
                        "partner_id": if role == Role::Partner { Some(partner_id) } else { None }}),
            )
            .await;
        assert_eq!(s, 201, "{u}");
        let token = app.token(&username, "a-long-password").await;
        let browser = Browser::new(app);
        browser.login(&username, "a-long-password").await;
        let csrf = browser.csrf().await;
        let principal = Principal {
            user_id: u["id"].as_i64().unwrap(),
            role,
            scope: match scope {
                None => Scope::National,
                Some(c) => Scope::Region(c.parse::<RegionCode>().unwrap()),
            },
        };
        out.push(Account { role: Some(role), principal: Some(principal), token: Some(token), browser, csrf });
    }
    out
}

/// May this account use the route on the record inside (or outside) its scope; and must a
/// refusal be 404?
fn allowed(rule: Rule, p: &Principal, region: Option<&RegionCode>, inside: bool) -> (bool, bool) {
    let supervisor = matches!(p.role, Role::NationalAdmin | Role::ProvinceOfficer | Role::RegencyOfficer);
    let in_scope = region.is_none_or(|r| p.scope.covers(r));
    let partner_sees = p.role == Role::Partner && inside;
    match rule {
        Public | Login | Session => (true, false),
        Partner => (p.role == Role::Partner, false),
        Nationwide => (p.scope == Scope::National, false),
        Person(a) => (p.can(a, region), p.can(A::ViewPerson, None) && !p.can(A::ViewPerson, region)),
        Can(a) => (p.can(a, region), false),
        Hidden(a) => (p.can(a, region), true),
        Placement => (
            p.can(A::ViewPerson, region)
                && domain::privacy::field_visible(p.role, domain::privacy::FieldGroup::Placement),
            true,
        ),
        Case(c) => {
            let opens = (supervisor && in_scope) || partner_sees;
            let glass = in_scope && domain::cases::access::glass_role(p.role);
            let ok = match c {
                Case::Open => opens,
                Case::Work => supervisor && in_scope,
                Case::Partner => partner_sees,
                Case::Close => p.role == Role::Partner || (supervisor && in_scope),
                Case::Glass => glass,
            };
            // Who may not open the case is told it does not exist, except whoever may break the
            // glass: their refusal offers the form (403).
            // Breaking the glass itself answers 403 or 404 (the issue's contract) to whoever may not.
            (ok, !opens && !glass && !matches!(c, Case::Glass))
        }
    }
}

/// The methods a path serves: everything but 405 to a probe.
async fn methods(app: &TestApp, path: &str) -> Vec<&'static str> {
    let mut out = vec![];
    for m in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
        let method = reqwest::Method::from_bytes(m.as_bytes()).unwrap();
        let r = app.client.request(method, app.url(path)).send().await.expect("probe");
        if r.status().as_u16() != 405 {
            out.push(m);
        }
    }
    out
}

#[tokio::test]
async fn every_route_is_checked_against_every_role_in_and_out_of_scope() {
    let app = TestApp::spawn().await;
    let fx = build_fixture(&app).await;

    // Enumerate the router's routes and their methods; match them against the rules.
    let declared: BTreeMap<&str, Rule> = RULES.iter().copied().collect();
    assert_eq!(declared.len(), RULES.len(), "a route is declared twice in RULES");
    let mut routes: Vec<(String, String, Rule)> = vec![];
    let mut problems = vec![];
    let mut seen = BTreeSet::new();
    for template in web::route_paths() {
        let (path, _) = fx.fill(&template, true);
        for m in methods(&app, &path).await {
            let key = format!("{m} {template}");
            match declared.get(key.as_str()) {
                Some(rule) => routes.push((m.to_string(), template.clone(), *rule)),
                None => {
                    problems.push(format!("route `{key}` has no declared rule: add it to RULES in tests/http/sweep.rs"))
                }
            }
            seen.insert(key);
        }
    }
    for key in declared.keys() {
        if !seen.contains(*key) {
            problems.push(format!("RULES declares `{key}`, which the router does not serve"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Logging out ends the session: last.
    routes.sort_by_key(|(m, t, _)| (t == "/logout", t.clone(), m.clone()));

    let iom: i64 = fx.ids["partner"].0.parse().unwrap();
    let accounts = accounts(&app, iom).await;
    let in_region = IN.parse::<RegionCode>().unwrap();
    let out_region = OUT.parse::<RegionCode>().unwrap();
    let mut requests = 0;
    for acc in &accounts {
        for (method, template, rule) in &routes {
            let sides: &[bool] = if fx.regional(template) { &[true, false] } else { &[true] };
            for &inside in sides {
                let (path, complete) = fx.fill(template, inside);
                let api = path.starts_with("/api/v1/");
                let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
                let resp = if api {
                    let mut rb = app.client.request(m.clone(), app.url(&path));
                    if let Some(t) = &acc.token {
                        rb = rb.bearer_auth(t);
                    }
                    if m != reqwest::Method::GET {
                        rb = rb.json(&json!({}));
                    }
                    rb.send().await.expect("send")
                } else {
                    let mut rb = acc.browser.client.request(m.clone(), app.url(&path));
                    if m != reqwest::Method::GET {
                        rb = rb.form(&[("_csrf", acc.csrf.as_str())]);
                    }
                    rb.send().await.expect("send")
                };
                requests += 1;
                let status = resp.status().as_u16();
                let to_login = status == 303
                    && resp
                        .headers()
                        .get("location")
                        .and_then(|l| l.to_str().ok())
                        .is_some_and(|l| l.starts_with("/login"));
                let who = acc.role.map_or("anonymous", |r| r.as_str());
                let place = if inside { "in scope" } else { "out of scope" };
                let what = format!("{method} {path} ({template}) as {who}, {place}: {status}");
                if status >= 500 {
                    problems.push(format!("{what} — a server error"));
                    continue;
                }
                let refused = matches!(status, 401 | 403 | 404) || to_login;
                let (may, hidden) = match (&acc.principal, rule) {
                    (_, Session) => continue,
                    (_, Public) => (true, false),
                    (None, _) => (false, false),
                    (Some(p), _) => {
                        let region = if fx.regional(template) {
                            Some(if inside { &in_region } else { &out_region })
                        } else {
                            None
                        };
                        allowed(*rule, p, region, inside)
                    }
                };
                if may {
                    if matches!(status, 401 | 403) || to_login || (status == 404 && complete) {
                        problems.push(format!("{what} — refused, but {rule:?} allows it"));
                    }
                } else if !refused && matches!(status, 400 | 413 | 415 | 422) {
                    problems.push(format!(
                        "{what} — the body was read before the access decision: {rule:?} refuses this account, \
                         which must get 401/403/404 whatever it sends (read it with `auth::Unread` after the \
                         check; see docs/ACCESS.md)"
                    ));
                } else if !refused {
                    problems.push(format!("{what} — allowed, but {rule:?} refuses it"));
                } else if hidden && acc.principal.is_some() && status != 404 {
                    problems.push(format!("{what} — refused without hiding the record (want 404 under {rule:?})"));
                }
            }
        }
    }
    assert!(requests > 1000, "only {requests} requests");
    assert!(problems.is_empty(), "{} problems in {requests} requests:\n{}", problems.len(), problems.join("\n"));
}

/// The order of a write, whatever the body: authenticate → role → record/region → body. A
/// refused account gets its refusal even for a body that is not JSON, is malformed or is not
/// multipart; an allowed one gets exactly the body errors it got before (415, 400, 422 naming
/// the field; the form error pages; CSRF still checked).
#[tokio::test]
async fn a_refused_account_is_refused_before_its_body_is_read() {
    let app = TestApp::spawn().await;
    let person = created(
        &app,
        "/api/v1/persons",
        json!({"nik": "5307015205900001", "full_name": "Maria Goreti", "sex": "P", "birth_date": "1990-05-12",
               "village_code": IN}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let training = id(&created(
        &app,
        "/api/v1/trainings",
        json!({"village_code": IN, "topic": "financial_literacy", "title": "Literasi keuangan",
               "organiser": "regency_office", "organiser_name": "Disnaker", "starts_on": days_ago(4),
               "ends_on": days_ago(2), "place": "Balai desa", "trainer": "Ibu Rina"}),
    )
    .await);
    let case = id(&created(
        &app,
        "/api/v1/cases",
        json!({"type": "trafficking_suspicion", "severity": "high", "description": "Order of checks case",
               "village_code": IN, "person_id": person}),
    )
    .await);
    let officer = app.user_token("order-officer", "village_officer", Some(IN)).await;
    let analyst = app.user_token("order-analyst", "national_analyst", None).await;
    let elsewhere = app.user_token("order-elsewhere", "village_officer", Some("53.07.02.2001")).await;

    // Raw API calls: (content type, body).
    let send = |path: String, token: String, ct: Option<&'static str>, body: &'static str| {
        let mut rb = app.client.post(app.url(&path)).bearer_auth(token).body(body);
        if let Some(ct) = ct {
            rb = rb.header("content-type", ct);
        }
        async move {
            let r = rb.send().await.expect("send");
            let s = r.status().as_u16();
            (s, r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let json_ct = Some("application/json");
    let participants = format!("/api/v1/trainings/{training}/participants");

    // A record in scope, a role that may see but not change it: 403 whatever the body.
    for (ct, body) in [(None, "person_id=1"), (json_ct, "{"), (json_ct, "{}"), (json_ct, r#"{"person_id":"x"}"#)] {
        let (s, v) = send(participants.clone(), analyst.clone(), ct, body).await;
        assert_eq!((s, v["error"].as_str()), (403, Some("forbidden")), "analyst, {ct:?} {body}: {v}");
    }
    // A record outside the account's region: 404 whatever the body.
    for (ct, body) in [(None, "x"), (json_ct, "{")] {
        let (s, v) = send(participants.clone(), elsewhere.clone(), ct, body).await;
        assert_eq!((s, v["error"].as_str()), (404, Some("not_found")), "elsewhere, {ct:?} {body}: {v}");
    }
    // The account that may: the body errors as before.
    let (s, v) = send(participants.clone(), officer.clone(), None, "person_id=1").await;
    assert_eq!((s, v["error"].as_str()), (415, Some("unsupported_media_type")), "{v}");
    let (s, v) = send(participants.clone(), officer.clone(), json_ct, "{").await;
    assert_eq!((s, v["error"].as_str()), (400, Some("bad_request")), "{v}");
    assert!(v["message"].as_str().unwrap_or("").starts_with("malformed JSON"), "{v}");
    let (s, v) = send(participants.clone(), officer.clone(), json_ct, r#"{"person_id":"x"}"#).await;
    assert_eq!(
        (s, v["errors"][0]["field"].as_str(), v["errors"][0]["rule"].as_str()),
        (422, Some("person_id"), Some("format")),
        "{v}"
    );
    let (s, v) = app.post_json(&participants, Some(&officer), &json!({"person_id": person})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["participant_list"].as_array().map(Vec::len), Some(1), "{v}");

    // The region in the body (a new case): the role is checked before the body is read.
    for token in [&analyst, &app.user_token("order-facilitator", "facilitator", Some(IN)).await] {
        for (ct, body) in [(None, "x"), (json_ct, "{"), (json_ct, "{}")] {
            let (s, v) = send("/api/v1/cases".into(), token.clone(), ct, body).await;
            assert_eq!((s, v["error"].as_str()), (403, Some("forbidden")), "{ct:?} {body}: {v}");
        }
    }
    let (s, v) = send("/api/v1/cases".into(), officer.clone(), json_ct, "{").await;
    assert_eq!((s, v["error"].as_str()), (400, Some("bad_request")), "{v}");
    // ... and the village once it is read: outside the account's region is a field error.
    let (s, v) = app
        .post_json(
            "/api/v1/cases",
            Some(&officer),
            &json!({"type": "unpaid_wages", "severity": "low", "description": "Keluhan gaji belum dibayar",
                    "village_code": OUT}),
        )
        .await;
    assert_eq!((s, v["errors"][0]["field"].as_str()), (422, Some("village_code")), "{v}");

    // Pages. Anonymous: a page redirects to /login, a form post is told the session ended.
    let anon = Browser::new(&app);
    let r = anon.client.get(app.url(&format!("/trainings/{training}"))).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/login"));
    let r = anon.post_form(&format!("/trainings/{training}/participants"), &[("nik", "5307015205900001")]).await;
    assert_eq!(r.status().as_u16(), 401);

    let browser = |user: &'static str, role: &'static str, region: Option<&'static str>| {
        let app = &app;
        async move {
            app.create_user(user, role, region).await;
            let b = Browser::new(app);
            b.login(user, "a-long-password").await;
            let csrf = b.csrf().await;
            (b, csrf)
        }
    };
    let (analyst_b, analyst_csrf) = browser("order-analyst-page", "national_analyst", None).await;
    let (officer_b, officer_csrf) = browser("order-officer-page", "village_officer", Some(IN)).await;
    let (supervisor_b, supervisor_csrf) = browser("order-regency", "regency_officer", Some("53.07")).await;
    let (outsider_b, outsider_csrf) = browser("order-outsider", "regency_officer", Some("35.12")).await;

    // A form that is not a form: refused first, else the form error page as before.
    let not_a_form = |b: &Browser, path: &str| {
        b.client.post(app.url(path)).header("content-type", "application/json").body("{}").send()
    };
    let r = not_a_form(&analyst_b, "/remittances").await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let r = not_a_form(&officer_b, "/remittances").await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap().contains("application/x-www-form-urlencoded"));
    // CSRF is still checked, right after the access decision.
    let r =
        officer_b.post_form(&format!("/trainings/{training}/participants"), &[("_csrf", "forged"), ("nik", "")]).await;
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.text().await.unwrap().contains("Formulir kedaluwarsa"));
    let r = analyst_b
        .post_form(&format!("/trainings/{training}/participants"), &[("_csrf", &analyst_csrf), ("nik", "")])
        .await;
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.text().await.unwrap().contains("Akses ditolak"));
    let r = officer_b
        .post_form(&format!("/trainings/{training}/participants"), &[("_csrf", &officer_csrf), ("nik", "")])
        .await;
    assert_eq!(r.status().as_u16(), 422);

    // Multipart: only those who may open the case get as far as the upload.
    let attach = format!("/cases/{case}/attachments");
    let r = outsider_b.post_form(&attach, &[("_csrf", &outsider_csrf)]).await;
    assert_eq!(r.status().as_u16(), 404, "not multipart, case out of scope");
    let r = supervisor_b.post_form(&attach, &[("_csrf", &supervisor_csrf)]).await;
    assert_eq!(r.status().as_u16(), 400, "not multipart, case in scope");
    let form = reqwest::multipart::Form::new()
        .text("_csrf", "forged")
        .part("file", reqwest::multipart::Part::bytes(b"%PDF-1.4\n%%EOF\n".to_vec()).file_name("surat.pdf"));
    let r = supervisor_b.client.post(app.url(&attach)).multipart(form).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 403, "bad CSRF");
    let form = reqwest::multipart::Form::new()
        .text("_csrf", supervisor_csrf.clone())
        .part("file", reqwest::multipart::Part::bytes(b"%PDF-1.4\n%%EOF\n".to_vec()).file_name("surat.pdf"));
    let r = supervisor_b.client.post(app.url(&attach)).multipart(form).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 303, "attached");
    let (_, v) = app.get_json(&format!("/api/v1/cases/{case}"), Some(&app.admin_token)).await;
    assert_eq!(v["attachments"].as_array().map(Vec::len), Some(1), "{v}");
}
