//! Broker reports and the broker registry (issue 17, docs/BROKERS.md): one operation each for
//! the portal, the pages and the API.
//!
//! Who sees what: officers who handle broker reports (`Action::HandleBrokerReports`) see the
//! reports and brokers of their region; a partner sees only the reports its organisation sent;
//! the reporter's contact is shown only to the report's handler, and every view of a report is
//! audited. A public report stores no address and no browser details: the address only feeds
//! the rate limit, hashed, in the database's shared buckets.

use crate::App as AppState;
use crate::cases::Caller;
use crate::{Error, error::Result};
use domain::access::{Action, Principal};
use domain::brokers::{self as b, HotSpot, NewReport, Receipt, ReportInput, ReportSource, ReportedBroker};
use domain::exchange::Bucket;
use domain::{RegionCode, Role};
use std::collections::HashMap;
use store::audit::Actor;
pub use store::brokers::{Addition, Broker, Report};

/// Public reports and receipt look-ups one address may make: a burst of this many, then one
/// more every `PUBLIC_REFILL_SECS`.
pub const PUBLIC_BURST: i64 = 5;
pub const PUBLIC_REFILL_SECS: f64 = 120.0;
/// The public rate limit's state lives in the database (`store::rate_limit`, keyed by the
/// address's HMAC with the database's secret: `domain::brokers::rate_key`), shared by every
/// server; nothing is kept here any more.
#[derive(Default)]
pub struct Runtime;

/// One public call from `address`: refused with the seconds to wait when its bucket is empty.
async fn throttle(state: &AppState, address: &str) -> Result<()> {
    // The exchange's bucket refills `capacity` per minute; time is scaled so it refills one
    // token per PUBLIC_REFILL_SECS. Stored times stay in wall-clock seconds (the purge reads them).
    let scale = PUBLIC_REFILL_SECS * PUBLIC_BURST as f64 / 60.0;
    let now = store::rate_limit::now_secs();
    let key = domain::brokers::rate_key(crate::exchange::cursor_key(state).await?, address);
    let answer = store::rate_limit::take(&state.db, &key, |stored| {
        let mut bucket = stored
            .map(|b| Bucket { tokens: b.tokens, at: b.at / scale })
            .unwrap_or_else(|| domain::exchange::full_bucket(PUBLIC_BURST, now / scale));
        let answer = domain::exchange::take(&mut bucket, PUBLIC_BURST, now / scale);
        (Bucket { tokens: bucket.tokens, at: bucket.at * scale }, answer)
    })
    .await?;
    answer.map_err(|wait| Error::Throttled { retry_after_secs: (((wait as f64) * scale).ceil() as i64).max(1) })
}

/// The audit actor of a public report: no account, no address, no request id.
fn public_actor() -> Actor {
    Actor { user_id: None, username: "public".to_string(), ip: String::new(), request_id: String::new() }
}

/// A report as stored, and the receipt to give back (shown once, never stored).
#[derive(Debug, Clone)]
pub struct Created {
    pub id: i64,
    pub broker_id: i64,
    pub receipt: String,
}

async fn checked(state: &AppState, input: &ReportInput<'_>) -> Result<NewReport> {
    let report = b::validate_report(input)?;
    match store::regions::get(&state.db, &report.village).await? {
        None => Err(Error::invalid("village_code", domain::Rule::UnknownRegion, "no village with this code")),
        Some(r) if r.retired => {
            Err(Error::Invalid(domain::ValidationErrors(vec![domain::region_update::retired_refusal(
                "village_code",
                report.village.as_str(),
                r.successor_code.as_deref(),
            )])))
        }
        Some(_) => Ok(report),
    }
}

async fn store_report(state: &AppState, actor: &Actor, report: &NewReport, origin: Origin) -> Result<Created> {
    let receipt = Receipt::generate();
    let month = state.today().to_string()[..7].to_string();
    let (id, broker_id) = store::brokers::create(
        &state.db,
        actor,
        report,
        &store::brokers::Origin {
            source: origin.source,
            reporter_user_id: origin.reporter_user_id,
            partner_id: origin.partner_id,
            handler_user_id: origin.handler_user_id,
            receipt_hash: &receipt.hash(),
            month: &month,
        },
    )
    .await?;
    Ok(Created { id, broker_id, receipt: receipt.display() })
}

struct Origin {
    source: ReportSource,
    reporter_user_id: Option<i64>,
    partner_id: Option<i64>,
    handler_user_id: Option<i64>,
}

/// A report from the public portal, without an account. `address` (the client's) is used for
/// the rate limit only and never stored; the audit entry names no one.
pub async fn report_public(state: &AppState, address: &str, input: &ReportInput<'_>) -> Result<Created> {
    throttle(state, address).await?;
    let report = checked(state, input).await?;
    let origin =
        Origin { source: ReportSource::Public, reporter_user_id: None, partner_id: None, handler_user_id: None };
    store_report(state, &public_actor(), &report, origin).await
}

/// A report from an officer, village staff or a partner, for a village in scope. An officer
/// who handles reports there becomes its handler.
pub async fn report(state: &AppState, caller: Caller<'_>, actor: &Actor, input: &ReportInput<'_>) -> Result<Created> {
    let p = caller.principal;
    if !p.may_ever(Action::ReportBroker) {
        return Err(Error::Forbidden);
    }
    let report = checked(state, input).await?;
    if !p.can(Action::ReportBroker, Some(&report.village)) {
        return Err(Error::Forbidden);
    }
    let partner = p.role == Role::Partner;
    let origin = Origin {
        source: if partner { ReportSource::Partner } else { ReportSource::Officer },
        reporter_user_id: Some(p.user_id),
        partner_id: if partner { caller.partner_id } else { None },
        handler_user_id: p.can(Action::HandleBrokerReports, Some(&report.village)).then_some(p.user_id),
    };
    store_report(state, actor, &report, origin).await
}

/// What the reporter sees with the receipt: that the report arrived and is being handled.
#[derive(Debug, Clone)]
pub struct ReceiptStatus {
    pub received_on: String,
    pub handled: bool,
    pub additions: usize,
}

async fn by_receipt(state: &AppState, raw: &str) -> Result<Report> {
    let receipt = Receipt::parse(raw).ok_or(Error::NotFound)?;
    store::brokers::by_receipt(&state.db, &receipt.hash()).await?.ok_or(Error::NotFound)
}

async fn status_of(state: &AppState, r: &Report) -> Result<ReceiptStatus> {
    let additions = store::brokers::additions(&state.db, r.id).await?.len();
    let received_on = time::OffsetDateTime::from_unix_timestamp(r.created_at)
        .map(|at| domain::clock::TimeZone::Wib.date_at(at).to_string())
        .unwrap_or_default();
    Ok(ReceiptStatus { received_on, handled: r.handler_user_id.is_some(), additions })
}

/// A report's status by its receipt (rate-limited like reports, so receipts cannot be guessed
/// by trying); a receipt that matches nothing is `NotFound`.
pub async fn receipt_status(state: &AppState, address: &str, receipt: &str) -> Result<ReceiptStatus> {
    throttle(state, address).await?;
    let r = by_receipt(state, receipt).await?;
    status_of(state, &r).await
}

/// Adds information to a report by its receipt, without an account.
pub async fn add_by_receipt(state: &AppState, address: &str, receipt: &str, text: &str) -> Result<ReceiptStatus> {
    throttle(state, address).await?;
    let r = by_receipt(state, receipt).await?;
    let text = b::validate_addition(text)?;
    store::brokers::add(&state.db, &public_actor(), &r, &text).await?;
    status_of(state, &r).await
}

/// How the caller sees broker reports: an officer's region, or a partner's own reports.
enum View {
    Region(Option<RegionCode>),
    Partner(Option<i64>),
    /// Those who may report but not handle (facilitators, village staff): their own reports.
    Own,
}

fn view_of(caller: &Caller<'_>, requested: Option<RegionCode>) -> Result<View> {
    let p = caller.principal;
    if p.role == Role::Partner {
        if !p.may_ever(Action::ReportBroker) {
            return Err(Error::Forbidden);
        }
        return Ok(View::Partner(caller.partner_id));
    }
    match requested {
        Some(r) if p.can(Action::HandleBrokerReports, Some(&r)) => Ok(View::Region(Some(r))),
        Some(_) => Err(Error::Forbidden),
        None if p.may_ever(Action::HandleBrokerReports) => Ok(View::Region(p.scope.code().cloned())),
        None if p.may_ever(Action::ReportBroker) => Ok(View::Own),
        None => Err(Error::Forbidden),
    }
}

fn may_see(caller: &Caller<'_>, r: &Report) -> bool {
    let p = caller.principal;
    if p.role == Role::Partner {
        return caller.partner_id.is_some() && r.partner_id == caller.partner_id;
    }
    if r.reporter_user_id == Some(p.user_id) {
        return true;
    }
    r.village_code.parse::<RegionCode>().is_ok_and(|v| p.can(Action::HandleBrokerReports, Some(&v)))
}

/// Lists never carry the reporter's contact.
fn without_contact(mut r: Report) -> Report {
    r.reporter_contact.clear();
    r
}

/// A page of reports the caller may see, newest first (`before`: ids below it).
pub async fn list(
    state: &AppState,
    caller: Caller<'_>,
    region: Option<RegionCode>,
    broker_id: Option<i64>,
    limit: Option<i64>,
    before: Option<i64>,
) -> Result<Vec<Report>> {
    let limit = domain::paging::check(limit, 50, &[("before", before)])?;
    let filter = match view_of(&caller, region)? {
        View::Region(within) => {
            store::brokers::Filter { within: within.map(|r| r.as_str().to_string()), broker_id, ..Default::default() }
        }
        View::Own => {
            store::brokers::Filter { reporter_user_id: Some(caller.principal.user_id), broker_id, ..Default::default() }
        }
        // A partner account bound to no organisation has sent nothing it can see.
        View::Partner(None) => return Ok(vec![]),
        View::Partner(Some(id)) => store::brokers::Filter {
            within: caller.principal.scope.code().map(|r| r.as_str().to_string()),
            partner_id: Some(id),
            broker_id,
            ..Default::default()
        },
    };
    Ok(store::brokers::list(&state.db, &filter, limit, before).await?.into_iter().map(without_contact).collect())
}

/// A report as its page and the API show it.
#[derive(Debug, Clone)]
pub struct ReportFile {
    pub report: Report,
    pub additions: Vec<Addition>,
    /// The caller handles the report: the contact is shown, they may add notes and link.
    pub is_handler: bool,
    /// The caller may take the report (an officer of its region who is not its handler).
    pub can_take: bool,
}

/// One report; audited (`broker_report.view`, or `broker_report.view_contact` when the
/// reporter's contact was shown to its handler). 404 for anyone who may not see it.
pub async fn get(state: &AppState, caller: Caller<'_>, actor: &Actor, id: i64) -> Result<ReportFile> {
    let r = store::brokers::get(&state.db, id).await?.ok_or(Error::NotFound)?;
    if !may_see(&caller, &r) {
        return Err(Error::NotFound);
    }
    let p = caller.principal;
    let is_handler = r.handler_user_id == Some(p.user_id);
    let handles = r.village_code.parse::<RegionCode>().is_ok_and(|v| p.can(Action::HandleBrokerReports, Some(&v)));
    let shows_contact = is_handler && !r.reporter_contact.is_empty();
    store::brokers::audit_view(&state.db, actor, &r, shows_contact).await?;
    let additions = store::brokers::additions(&state.db, r.id).await?;
    let report = if is_handler { r } else { without_contact(r) };
    Ok(ReportFile { report, additions, is_handler, can_take: handles && !is_handler })
}

async fn handled(state: &AppState, p: &Principal, id: i64) -> Result<Report> {
    let r = store::brokers::get(&state.db, id).await?.ok_or(Error::NotFound)?;
    let village: RegionCode = r.village_code.parse().map_err(|_| Error::NotFound)?;
    if !p.can(Action::HandleBrokerReports, Some(&village)) {
        // Those who may see the report (a partner its own) are not told more than the others.
        return Err(Error::NotFound);
    }
    Ok(r)
}

/// Makes the caller the report's handler (an officer of its region).
pub async fn take(state: &AppState, principal: &Principal, actor: &Actor, id: i64) -> Result<()> {
    let r = handled(state, principal, id).await?;
    store::brokers::take(&state.db, actor, &r, principal.user_id).await?;
    Ok(())
}

/// Adds a note to a report the caller may see.
pub async fn add_note(state: &AppState, caller: Caller<'_>, actor: &Actor, id: i64, text: &str) -> Result<()> {
    let r = store::brokers::get(&state.db, id).await?.ok_or(Error::NotFound)?;
    if !may_see(&caller, &r) {
        return Err(Error::NotFound);
    }
    let text = b::validate_addition(text)?;
    store::brokers::add(&state.db, actor, &r, &text).await?;
    Ok(())
}

fn handling_area(p: &Principal, requested: Option<RegionCode>) -> Result<Option<RegionCode>> {
    match requested {
        Some(r) if p.can(Action::HandleBrokerReports, Some(&r)) => Ok(Some(r)),
        Some(_) => Err(Error::Forbidden),
        None if p.may_ever(Action::HandleBrokerReports) => Ok(p.scope.code().cloned()),
        None => Err(Error::Forbidden),
    }
}

/// A page of the brokers reported in the caller's region, newest first.
pub async fn brokers(
    state: &AppState,
    principal: &Principal,
    region: Option<RegionCode>,
    limit: Option<i64>,
    before: Option<i64>,
) -> Result<Vec<Broker>> {
    let limit = domain::paging::check(limit, 50, &[("before", before)])?;
    let within = handling_area(principal, region)?;
    Ok(store::brokers::brokers(&state.db, within.as_ref().map(|r| r.as_str()), limit, before).await?)
}

/// A broker as the registry's page shows it: the reports in the caller's region, the episodes
/// and cases linked to it that the caller may open.
#[derive(Debug, Clone)]
pub struct BrokerFile {
    pub broker: Broker,
    pub reports: Vec<Report>,
    /// `(episode id, person id)`.
    pub episodes: Vec<(i64, i64)>,
    pub cases: Vec<i64>,
}

/// A broker with a report in the caller's region, for one who handles reports; `NotFound` otherwise.
pub async fn visible_broker(state: &AppState, p: &Principal, id: i64) -> Result<Broker> {
    if !p.may_ever(Action::HandleBrokerReports) {
        return Err(Error::NotFound);
    }
    let within = p.scope.code().map(|r| r.as_str().to_string());
    store::brokers::broker(&state.db, id, within.as_deref()).await?.ok_or(Error::NotFound)
}

/// One broker, audited (`broker.view`).
pub async fn broker(state: &AppState, caller: Caller<'_>, actor: &Actor, id: i64) -> Result<BrokerFile> {
    let p = caller.principal;
    let broker = visible_broker(state, p, id).await?;
    let filter = store::brokers::Filter {
        within: p.scope.code().map(|r| r.as_str().to_string()),
        broker_id: Some(id),
        ..Default::default()
    };
    let reports = store::brokers::list(&state.db, &filter, 200, None).await?.into_iter().map(without_contact).collect();
    let in_scope = |code: &str| code.parse::<RegionCode>().is_ok_and(|v| p.can(Action::ViewPerson, Some(&v)));
    let episodes = store::brokers::linked_episodes(&state.db, id)
        .await?
        .into_iter()
        .filter(|(_, _, v)| in_scope(v))
        .map(|(e, person, _)| (e, person))
        .collect();
    let mut cases = Vec::new();
    for (case_id, _) in store::brokers::linked_cases(&state.db, id).await? {
        if crate::cases::openable(state, Caller { principal: p, partner_id: caller.partner_id }, case_id)
            .await?
            .is_some()
        {
            cases.push(case_id);
        }
    }
    let scope = p.scope.code().map(|r| r.as_str().to_string()).unwrap_or_default();
    store::audit::append_now(
        &state.db,
        actor,
        &store::audit::Event {
            action: "broker.view",
            entity: "broker",
            entity_id: &id.to_string(),
            region_code: &scope,
            details: "",
        },
    )
    .await?;
    Ok(BrokerFile { broker, reports, episodes, cases })
}

/// Ties a broker to a person's placement episode (its unregistered recruiter): the caller
/// handles reports in the episode's village and may change the episode. The episode then
/// carries the `recruiter_reported_broker` flag.
pub async fn link_episode(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    broker_id: i64,
    episode_id: i64,
) -> Result<bool> {
    visible_broker(state, principal, broker_id).await?;
    let (episode, _) = crate::episodes::editable_episode(state, principal, episode_id).await.map_err(|e| match e {
        Error::NotFound => Error::invalid("episode_id", domain::Rule::OneOf, "no episode with this id you may change"),
        e => e,
    })?;
    let village = episode.village().ok_or(Error::NotFound)?;
    if !principal.can(Action::HandleBrokerReports, Some(&village)) {
        return Err(Error::Forbidden);
    }
    let link = store::brokers::Link::Episode(episode.id);
    Ok(store::brokers::link(&state.db, actor, broker_id, link, village.as_str()).await?)
}

/// Ties a broker to a protection case the caller may open, in a region where they handle
/// broker reports.
pub async fn link_case(
    state: &AppState,
    caller: Caller<'_>,
    actor: &Actor,
    broker_id: i64,
    case_id: i64,
) -> Result<bool> {
    let p = caller.principal;
    visible_broker(state, p, broker_id).await?;
    let case = crate::cases::openable(state, caller, case_id)
        .await?
        .ok_or_else(|| Error::invalid("case_id", domain::Rule::OneOf, "no case with this id you may open"))?;
    let village: RegionCode = case.village_code.parse().map_err(|_| Error::NotFound)?;
    if !p.can(Action::HandleBrokerReports, Some(&village)) {
        return Err(Error::Forbidden);
    }
    Ok(store::brokers::link(&state.db, actor, broker_id, store::brokers::Link::Case(case.id), village.as_str()).await?)
}

/// Reports by district and month in the caller's region (or `region` inside it), counts of
/// 1 to 4 shown as "<5". Supervisors only.
pub async fn hot_spots(state: &AppState, principal: &Principal, region: Option<RegionCode>) -> Result<Vec<HotSpot>> {
    let within = match region {
        Some(r) if principal.can(Action::ViewBrokerHotSpots, Some(&r)) => Some(r),
        Some(_) => return Err(Error::Forbidden),
        None if principal.may_ever(Action::ViewBrokerHotSpots) => principal.scope.code().cloned(),
        None => return Err(Error::Forbidden),
    };
    let counts = store::brokers::hot_spot_counts(&state.db, within.as_ref().map(|r| r.as_str())).await?;
    Ok(b::hot_spots(counts))
}

/// The reported brokers of episodes (for their flag): linked, or named like one reported in
/// the episode's district.
pub async fn reported_for(
    state: &AppState,
    episodes: &[&store::episodes::Episode],
) -> std::result::Result<HashMap<i64, ReportedBroker>, store::StoreError> {
    let keys: Vec<(i64, String, String)> = episodes
        .iter()
        .map(|e| {
            let district = e.village().and_then(|v| b::district_of(&v)).map(|d| d.as_str().to_string());
            (e.id, district.unwrap_or_default(), domain::name_key(&e.recruiter_name))
        })
        .collect();
    store::brokers::reported_for(&state.db, &keys).await
}
