//! Server-rendered pages. Each area has its module; all share [`Layout`].

mod admin;
mod agencies;
mod api_docs;
mod brokers;
mod cases;
pub mod coop_bank;
pub mod coop_deposits;
mod coop_health;
pub mod coop_loans;
pub mod cooperative;
mod enterprise;
mod episodes;
mod exchange;
mod home;
mod htcds;
mod import;
mod job_orders;
mod monitoring;
// -- track offline (issue 16)
mod offline;
// track forms (issue 16)
mod capture;
mod opensid;
mod outreach;
mod parenting;
mod partners;
mod persons;
// track conflicts
mod person_conflicts;
mod pick;
mod policy;
mod portal;
mod programs;
mod region_admin;
mod regions;
mod screens;
mod session;

use crate::auth::{Ctx, Viewer};
use crate::error::{PageError, PageErrorKind};
use crate::i18n::T;
use crate::routing::Routes;
use askama::Template;
use axum::extract::DefaultBodyLimit;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

pub fn routes() -> Routes {
    Routes::new()
        .route("/", get(home::home))
        .route("/login", get(session::login_form).post(session::login))
        .route("/logout", post(session::logout))
        // -- track offline (issue 16)
        .route("/offline", get(offline::page))
        // track forms (issue 16): blank capture pages kept by the service worker
        .route("/outreach/{id}/attend", get(capture::outreach))
        .route("/trainings/{id}/attendance/new", get(capture::training))
        .route("/businesses/{id}/reports/new", get(capture::report))
        .route("/cooperatives/{id}/savings/new", get(capture::deposit))
        .route("/persons/{id}/counselling/new", get(capture::counselling))
        .route("/account/password", get(session::password_form).post(session::change_password))
        .route("/lang/{code}", get(session::set_lang))
        .route("/regions", get(regions::index))
        .route("/regions/search", get(regions::search))
        .route("/pick/regions", get(pick::regions))
        .route("/pick/persons", get(pick::persons))
        .route("/pick/agencies", get(pick::agencies))
        .route("/pick/job-orders", get(pick::job_orders))
        .route("/regions/{code}", get(regions::show))
        .route("/regions/{code}/designation", post(regions::designate))
        .route("/regions/{code}/programs", post(regions::set_program))
        .route("/programs", get(programs::index).post(programs::create))
        .route("/programs/{code}", get(programs::show))
        .route("/admin/users", get(admin::users).post(admin::create_user))
        .route("/admin/users/{id}", get(admin::user))
        .route("/admin/users/{id}/role", post(admin::set_role))
        .route("/admin/users/{id}/status", post(admin::set_status))
        .route("/admin/users/{id}/password", post(admin::reset_password))
        .route("/admin/audit", get(admin::audit))
        .route("/admin/policy", get(policy::show))
        .route("/admin/policy/settings", post(policy::settings))
        .route("/admin/policy/bans", post(policy::add_ban))
        .route("/admin/policy/bans/{id}", post(policy::edit_ban))
        .route("/admin/policy/bans/{id}/delete", post(policy::remove_ban))
        .route("/admin/policy/zero-cost/job-types", post(policy::add_job_type))
        .route("/admin/policy/zero-cost/job-types/{code}/delete", post(policy::remove_job_type))
        .route("/admin/policy/zero-cost/cost-items", post(policy::add_cost_item))
        .route("/admin/policy/zero-cost/cost-items/{code}/delete", post(policy::remove_cost_item))
        .route("/admin/policy/zero-cost/exemptions", post(policy::add_exemption))
        .route("/admin/policy/zero-cost/exemptions/{id}/delete", post(policy::remove_exemption))
        .route("/admin/policy/requirements", post(policy::add_requirement))
        .route("/admin/policy/requirements/{id}/delete", post(policy::remove_requirement))
        .route("/persons", get(persons::index).post(persons::create))
        .route("/persons/new", get(persons::new_form))
        // track conflicts: the review list of person edits
        .route("/persons/conflicts", get(person_conflicts::index))
        .route("/persons/conflicts/{id}", post(person_conflicts::decide))
        .route(
            "/persons/import",
            get(import::form).post(import::upload).layer(DefaultBodyLimit::max(import::MAX_UPLOAD)),
        )
        .route(
            "/persons/import/opensid",
            post(opensid::preview).layer(DefaultBodyLimit::max(app::opensid::MAX_WORKBOOK + 64 * 1024)),
        )
        .route("/persons/import/opensid/confirm", post(opensid::confirm))
        .route("/persons/opensid", get(opensid::export_page))
        .route("/persons/opensid/export", get(opensid::export_xlsx))
        .route(
            "/persons/bpjs-import",
            get(import::bpjs_form).post(import::bpjs_upload).layer(DefaultBodyLimit::max(import::MAX_UPLOAD)),
        )
        .route("/persons/import/{job}", get(import::show))
        .route("/persons/import/{job}/rejected.csv", get(import::rejected_csv))
        .route("/persons/{id}", get(persons::show))
        .route("/persons/{id}/investigation", post(persons::set_investigation))
        .route("/persons/{id}/external-ids", post(persons::set_external_ids))
        .route("/persons/{id}/dukcapil", post(persons::dukcapil_check))
        .route("/persons/{id}/relatives", post(persons::add_relative))
        .route("/persons/{id}/consents", post(persons::add_consent))
        .route("/persons/{id}/counselling", post(persons::add_counselling))
        .route("/persons/{id}/edit", get(persons::edit_form).post(persons::edit))
        .route("/persons/{id}/episodes", post(episodes::open))
        .route("/episodes/{id}", get(episodes::show))
        .route("/episodes/{id}/transition", post(episodes::transition))
        .route("/episodes/{id}/documents", post(episodes::document))
        .route("/episodes/{id}/costs", post(episodes::cost))
        .route("/episodes/{id}/contact", post(episodes::contact))
        .route("/episodes/{id}/external-ids", post(episodes::external_ids))
        .route("/worklist", get(episodes::worklist))
        .route("/cases", get(cases::index).post(cases::create))
        .route("/cases/new", get(cases::new_form))
        .route("/cases/htcds-import", get(htcds::import_form).post(htcds::import))
        .route("/cases/{id}/htcds", get(htcds::download))
        .route("/cases/{id}", get(cases::show))
        .route("/cases/{id}/summary", get(screens::case_summary))
        .route("/persons/{id}/reveal", post(screens::reveal))
        .route("/netral", get(screens::neutral))
        .route("/cases/{id}/transition", post(cases::transition))
        .route("/cases/{id}/assign", post(cases::assign))
        .route("/cases/{id}/referrals", post(cases::refer))
        .route("/cases/{id}/referrals/{referral_id}/{action}", post(cases::referral_step))
        .route("/cases/{id}/trafficking", post(cases::trafficking))
        .route("/cases/{id}/notes", post(cases::add_note))
        .route("/cases/{id}/break-glass", post(cases::break_glass))
        .route(
            "/cases/{id}/attachments",
            post(cases::attach).layer(DefaultBodyLimit::max(crate::cases::ATTACHMENT_BODY_LIMIT)),
        )
        .route("/cases/{id}/attachments/{attachment_id}", get(cases::download))
        .route("/admin/partners", get(partners::index).post(partners::create))
        .route("/admin/partners/{id}", get(partners::show).post(partners::update))
        .route("/admin/users/{id}/partner", post(admin::set_partner))
        .route("/outreach", get(outreach::index).post(outreach::create))
        .route("/outreach/{id}", get(outreach::show))
        .route("/outreach/{id}/attendees", post(outreach::add_attendee))
        .route("/agencies", get(agencies::index).post(agencies::create))
        .route("/agencies/{id}", get(job_orders::show))
        .route("/agencies/{id}/job-orders", post(job_orders::create))
        .route("/agencies/{id}/branches", post(job_orders::add_branch))
        .route("/agencies/{id}/job-orders/{job_order}/verification", post(job_orders::verify))
        .route("/enterprise", get(enterprise::hub))
        .route("/trainings", get(enterprise::trainings).post(enterprise::create_training))
        .route("/trainings/{id}", get(enterprise::training))
        .route("/trainings/{id}/participants", post(enterprise::add_participant))
        .route("/trainings/{id}/attendance", post(enterprise::save_grid))
        .route("/mentoring", get(enterprise::mentoring).post(enterprise::create_visit))
        .route("/equipment", get(enterprise::equipment_list).post(enterprise::create_equipment))
        .route("/equipment/{id}", get(enterprise::equipment))
        .route("/equipment/{id}/checks", post(enterprise::add_check))
        .route("/businesses", get(enterprise::businesses).post(enterprise::create_business))
        .route("/businesses/{id}", get(enterprise::business))
        .route("/businesses/{id}/members", post(enterprise::add_member))
        .route("/businesses/{id}/reports", post(enterprise::add_report))
        .route("/businesses/{id}/status", post(enterprise::set_status))
        .route("/remittances", get(enterprise::remittances).post(enterprise::create_remittance))
        .route("/parenting", get(parenting::activities).post(parenting::create_activity))
        .route("/parenting/{id}", get(parenting::activity))
        .route("/parenting/{id}/attendance", post(parenting::add_attendance))
        .route("/children", get(parenting::children).post(parenting::create_child))
        .route("/children/{id}", get(parenting::child))
        .route("/children/{id}/status", post(parenting::set_child_status))
        .route("/children/{id}/concerns", post(parenting::raise_concern))
        .route("/cooperatives", get(cooperative::index))
        .route("/regions/{code}/cooperatives", get(cooperative::village).post(cooperative::create))
        .route("/cooperatives/{id}", get(cooperative::show))
        .route("/cooperatives/{id}/bylaws", post(cooperative::bylaws))
        .route("/cooperatives/{id}/members", get(cooperative::members).post(cooperative::enrol))
        .route("/cooperatives/{id}/members/{member_id}", get(cooperative::member))
        .route("/cooperatives/{id}/members/{member_id}/savings", post(cooperative::savings))
        .route("/cooperatives/{id}/members/{member_id}/loans", post(cooperative::apply))
        .route("/cooperatives/{id}/members/{member_id}/leave", post(cooperative::leave))
        .route("/cooperatives/{id}/members/{member_id}/statement", get(cooperative::statement))
        .route("/cooperatives/{id}/loans", get(cooperative::loans))
        .route("/cooperatives/{id}/loans/{loan_id}", get(cooperative::loan))
        .route("/cooperatives/{id}/loans/{loan_id}/repay", post(cooperative::repay))
        .route("/cooperatives/{id}/loans/{loan_id}/{step}", post(cooperative::loan_step))
        .route("/cooperatives/{id}/books", get(cooperative::books))
        .route("/cooperatives/{id}/books/periods", post(cooperative::close_period))
        .route("/cooperatives/{id}/books/years", post(cooperative::close_year))
        .route("/cooperatives/{id}/books/other", post(cooperative::other))
        .route("/cooperatives/{id}/reports/{name}", get(cooperative::report))
        .route("/cooperatives/{id}/journal", get(cooperative::journal))
        .route("/cooperatives/{id}/journal/{entry_id}/reverse", post(cooperative::reverse))
        .route("/cooperatives/{id}/cash-book", get(cooperative::cash_book))
        .route("/cooperatives/{id}/rat", get(cooperative::rat).post(cooperative::record_rat))
        // Deposits track (issue 20).
        .route("/cooperatives/{id}/deposits", get(coop_deposits::list).post(coop_deposits::open))
        .route("/cooperatives/{id}/deposits/settings", post(coop_deposits::save_settings))
        .route("/cooperatives/{id}/deposits/{deposit_id}", get(coop_deposits::record))
        .route("/cooperatives/{id}/deposits/{deposit_id}/{step}", post(coop_deposits::action))
        .route("/cooperatives/{id}/month-end", post(coop_deposits::month_end))
        .route("/cooperatives/{id}/members/{member_id}/passbook", get(coop_deposits::passbook))
        .route("/cooperatives/{id}/rat/{year}/report", get(cooperative::rat_report))
        // issue 20, health
        .route("/cooperatives/{id}/health", get(coop_health::health))
        .route("/cooperatives/{id}/health/answers", post(coop_health::save_answers))
        .route("/cooperatives/{id}/health/record", post(coop_health::record))
        // Issue 20, loans (pages/coop_loans.rs).
        .route("/cooperatives/{id}/loan-products", get(coop_loans::products).post(coop_loans::save_settings))
        .route("/cooperatives/{id}/loan-products/month-end", post(coop_loans::month_end))
        .route("/cooperatives/{id}/loans/{loan_id}/records", get(coop_loans::records))
        .route("/cooperatives/{id}/loans/{loan_id}/collateral", post(coop_loans::add_collateral))
        .route("/cooperatives/{id}/loans/{loan_id}/guarantors", post(coop_loans::add_guarantor))
        .route("/cooperatives/{id}/loans/{loan_id}/reschedules", post(coop_loans::propose))
        .route("/cooperatives/{id}/loans/{loan_id}/reschedules/{proposal_id}/{decision}", post(coop_loans::decide))
        .route("/api/docs", get(api_docs::page))
        .merge(coop_bank_routes())
        .merge(exchange_routes())
}

/// Cash and bank of a cooperative (issue 20, track bank).
fn coop_bank_routes() -> Routes {
    Routes::new()
        .route("/cooperatives/{id}/bank", get(coop_bank::home))
        .route("/cooperatives/{id}/bank/accounts", post(coop_bank::open_account))
        .route("/cooperatives/{id}/bank/transfers", post(coop_bank::transfer))
        .route("/cooperatives/{id}/bank/{bank_id}", get(coop_bank::account))
        .route("/cooperatives/{id}/bank/{bank_id}/entries", post(coop_bank::entry))
        .route("/cooperatives/{id}/bank/{bank_id}/statement", post(coop_bank::import))
        .route("/cooperatives/{id}/bank/{bank_id}/suggestions", post(coop_bank::accept))
        .route("/cooperatives/{id}/bank/{bank_id}/lines/{line_id}/entry", post(coop_bank::line_entry))
        .route("/cooperatives/{id}/bank/{bank_id}/lines/{line_id}/unmatch", post(coop_bank::unmatch))
        .route("/cooperatives/{id}/bank/{bank_id}/reconciliations", post(coop_bank::finalise))
}

/// The public portal, partner API clients, missions abroad and a person's privacy page (issue 8).
fn exchange_routes() -> Routes {
    Routes::new()
        .route("/portal", get(portal::home))
        .route("/portal/agencies", get(portal::agencies))
        .route("/portal/jobs", get(portal::jobs))
        .route("/portal/safe-migration", get(portal::steps))
        .route("/portal/service-centers", get(portal::centers))
        .route("/portal/missions", get(portal::missions))
        .route("/portal/lapor-calo", get(brokers::public_form).post(brokers::public_submit))
        .route("/portal/lapor-calo/tambah", get(brokers::add_form).post(brokers::add_submit))
        .route("/broker-reports", get(brokers::reports).post(brokers::create))
        .route("/broker-reports/hot-spots", get(brokers::hot_spots))
        .route("/broker-reports/{id}", get(brokers::report))
        .route("/broker-reports/{id}/take", post(brokers::take))
        .route("/broker-reports/{id}/notes", post(brokers::add_note))
        .route("/brokers", get(brokers::brokers))
        .route("/brokers/{id}", get(brokers::broker))
        .route("/brokers/{id}/episodes", post(brokers::link_episode))
        .route("/brokers/{id}/cases", post(brokers::link_case))
        .route("/cek", get(portal::check_form))
        .route("/cek/{code}", get(portal::check))
        .route("/cek/{code}/qr.svg", get(portal::qr))
        .route("/admin/api-clients", get(exchange::clients).post(exchange::create_client))
        .route("/admin/api-clients/{id}/rotate", post(exchange::rotate_client))
        .route("/admin/api-clients/{id}/revoke", post(exchange::revoke_client))
        .route("/admin/missions", get(exchange::missions).post(exchange::save_mission))
        .route("/admin/regions", get(region_admin::index).post(region_admin::reassign))
        .route("/admin/missions/{id}/delete", post(exchange::delete_mission))
        .route("/persons/{id}/privacy", get(exchange::privacy))
        .route("/persons/{id}/purpose-consents", post(exchange::add_consent))
        .route("/persons/{id}/restriction", post(exchange::set_restriction))
        .route("/persons/{id}/corrections", post(exchange::add_correction))
        .route("/persons/{id}/corrections/{cid}", post(exchange::resolve_correction))
        .route("/persons/{id}/subject-access/{format}", get(exchange::subject_access))
        .route("/monitoring", get(monitoring::nation))
        .route("/monitoring/report", get(monitoring::nation_report))
        .route("/monitoring/dhis2", get(monitoring::nation_dhis2))
        .route("/monitoring/targets", get(monitoring::targets).post(monitoring::save_target))
        .route("/monitoring/criteria", get(monitoring::criteria).post(monitoring::add_criterion))
        .route("/monitoring/criteria/{id}/delete", post(monitoring::remove_criterion))
        .route("/monitoring/{code}", get(monitoring::region))
        .route("/monitoring/{code}/report", get(monitoring::region_report))
        .route("/monitoring/{code}/dhis2", get(monitoring::region_dhis2))
        .route("/statistik", get(monitoring::statistik))
        .route("/statistik.csv", get(monitoring::statistik_csv))
}

/// What the shared page frame needs: language, who is signed in, navigation.
pub struct Layout {
    pub t: T,
    pub title: String,
    pub user_name: Option<String>,
    pub role_label: &'static str,
    pub is_admin: bool,
    /// Shows the People menu (every role but partners).
    pub sees_people: bool,
    pub csrf: String,
    /// Current path, for the language switch to come back to.
    pub path: String,
    pub asset_version: &'static str,
    /// Track multi: where a read-only page's data came from when a replica is configured
    /// (its lag, "mutakhir", or the fallback to the primary); empty otherwise.
    pub read_note: String,
}

impl Layout {
    /// The note of a page read through `App::reader` (track multi, docs/OPERATIONS.md).
    pub fn read_from(mut self, source: app::ReadSource) -> Layout {
        self.read_note = match source {
            app::ReadSource::Primary => String::new(),
            app::ReadSource::Replica { lag_secs: None } => self.t.get("replica.caught_up").to_string(),
            app::ReadSource::Replica { lag_secs: Some(s) } => {
                self.t.fmt("replica.lag", "secs", &format!("{:.0}", s.max(0.0)))
            }
            app::ReadSource::Fallback => self.t.get("replica.fallback").to_string(),
        };
        self
    }
    pub fn for_viewer(v: &Viewer, title: impl Into<String>, path: &str) -> Layout {
        let t = v.t();
        Layout {
            t,
            title: title.into(),
            user_name: Some(v.user.full_name.clone()),
            role_label: t.role(&v.user.role),
            is_admin: v.is_admin(),
            sees_people: v.principal.role != domain::Role::Partner,
            csrf: v.csrf.clone(),
            path: path.to_string(),
            asset_version: crate::static_files::VERSION,
            read_note: String::new(),
        }
    }
    pub fn anonymous(ctx: &Ctx, title: impl Into<String>, path: &str) -> Layout {
        Layout {
            t: ctx.t(),
            title: title.into(),
            user_name: None,
            role_label: "",
            is_admin: false,
            sees_people: false,
            csrf: String::new(),
            path: path.to_string(),
            asset_version: crate::static_files::VERSION,
            read_note: String::new(),
        }
    }
    pub fn lang_switch_href(&self) -> String {
        format!("/lang/{}?next={}", self.t.lang.other().code(), crate::error::urlencode(&self.path))
    }
}

/// Renders a template, mapping a render failure to the error page.
pub fn render(tpl: &impl Template, lang: crate::i18n::Lang) -> Result<Response, PageError> {
    tpl.render().map(|html| Html(html).into_response()).map_err(|e| {
        tracing::error!(error = %e, "template render failed");
        PageError::new(PageErrorKind::Internal, lang)
    })
}

pub async fn not_found(ctx: Ctx, uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::error::ApiError::NotFound("route").into_response();
    }
    PageError::not_found(ctx.lang).into_response()
}

/// Field errors of a form, looked up by templates as `errors.get("field")`.
#[derive(Default)]
pub struct FormErrors {
    pub t: Option<T>,
    pub errors: domain::ValidationErrors,
    /// Whole sentences for a field, shown as they are (not a rule with its detail).
    notes: Vec<(String, String)>,
}

impl FormErrors {
    pub fn new(t: T, errors: domain::ValidationErrors) -> FormErrors {
        FormErrors { t: Some(t), errors, notes: Vec::new() }
    }
    /// One sentence for `field`, already in the user's language (e.g. "try again in 14 s").
    pub fn sentence(field: &str, text: String) -> FormErrors {
        FormErrors { t: None, errors: domain::ValidationErrors::new(), notes: vec![(field.to_string(), text)] }
    }
    /// The message for a field, or "" when it has none.
    pub fn get(&self, field: &str) -> String {
        if let Some((_, text)) = self.notes.iter().find(|(f, _)| f == field) {
            return text.clone();
        }
        match (self.errors.for_field(field), self.t) {
            (Some(e), Some(t)) => t.field_error(e),
            _ => String::new(),
        }
    }
    /// One line per refused field for the summary at the top of a form: the id of the field's
    /// input (`f-<field>`, see `templates/form_errors.html`) and its sentence.
    pub fn summary(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        let fields = self.notes.iter().map(|(f, _)| f.as_str()).chain(self.errors.0.iter().map(|e| e.field.as_str()));
        for field in fields {
            if !out.iter().any(|(id, _)| id == &field_id(field)) {
                out.push((field_id(field), self.get(field)));
            }
        }
        out
    }
    pub fn any(&self) -> bool {
        !self.errors.is_empty() || !self.notes.is_empty()
    }
}

/// The id of a form field's input, as the error summary links to it (`f-full_name`).
pub fn field_id(field: &str) -> String {
    let safe: String = field.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '-' }).collect();
    format!("f-{safe}")
}

/// "Rp 1.234.567": rupiah as every page shows them (negative with a minus sign).
pub fn rupiah(n: i64) -> String {
    domain::service_center::money::format_rupiah(n)
}

/// A `?next=` target is followed only within this site (domain::security::safe_next).
pub use domain::security::safe_next;

/// Formats Unix seconds as `2026-11-24 11:06 UTC`.
pub use app::clock::fmt_time;

/// Region names for the codes a page lists, so it shows "Done" (with the code small beside)
/// rather than "53.07.12.2003". One query for the whole page.
#[derive(Default)]
pub struct RegionNames(std::collections::HashMap<String, String>);

impl RegionNames {
    pub async fn load<'a>(
        state: &crate::AppState,
        codes: impl IntoIterator<Item = &'a str>,
    ) -> Result<RegionNames, app::Error> {
        let mut codes: Vec<String> = codes.into_iter().filter(|c| !c.is_empty()).map(str::to_string).collect();
        codes.sort();
        codes.dedup();
        let regions = app::regions::by_codes(state, &codes).await?;
        // A retired code still shows its name, marked as an old code (issue 19).
        Ok(RegionNames(
            regions
                .into_iter()
                .map(|r| {
                    let name = if r.retired { format!("{} (kode lama)", r.name) } else { r.name };
                    (r.code, name)
                })
                .collect(),
        ))
    }

    /// The name, or the code itself when the reference has none.
    pub fn name<'a>(&'a self, code: &'a str) -> &'a str {
        self.0.get(code).map_or(code, String::as_str)
    }
}

/// One `<option>` of a select, computed in Rust so templates stay logic-free.
pub struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The destination picker's choices in the user's language: the common destinations of
/// Indonesian migrant workers first (`domain::service_center::codes::COMMON_DESTINATIONS`), then
/// every other ISO 3166 country abroad A–Z. `selected` is the code chosen so far.
pub fn country_options(t: T, selected: &str, common: bool) -> Vec<SelectOption> {
    let (first, rest) = domain::service_center::codes::destination_choices(t.code());
    let selected = selected.trim().to_ascii_uppercase();
    (if common { first } else { rest })
        .iter()
        .map(|c| SelectOption {
            value: c.code.as_str().to_string(),
            label: c.code.name(t.code()).to_string(),
            selected: c.code.as_str() == selected,
        })
        .collect()
}

/// The job types the rules know, by their names in the user's language (A–Z).
pub fn job_type_options(t: T, selected: &str) -> Vec<SelectOption> {
    let selected = domain::service_center::JobType::parse(selected).map(|j| j.to_string()).unwrap_or_default();
    let mut out: Vec<SelectOption> = domain::service_center::codes::JOB_TYPES
        .iter()
        .map(|j| SelectOption { value: j.to_string(), label: t.label("job", j), selected: *j == selected })
        .collect();
    out.sort_by_key(|o| o.label.to_lowercase());
    out
}

/// Role choices with translated labels; `selected` is the current role name.
pub fn role_options(t: T, selected: &str) -> Vec<SelectOption> {
    domain::Role::ALL
        .iter()
        .map(|r| SelectOption {
            value: r.as_str().into(),
            label: t.role(r.as_str()).into(),
            selected: r.as_str() == selected,
        })
        .collect()
}
