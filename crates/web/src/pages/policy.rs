//! `/admin/policy`: national admins keep the placement policy — placement bans with their
//! legal source, the zero-cost placement rule (job types, cost items, exempt destinations), the
//! no-contact threshold and the documents requirement matrix. Every form checks its CSRF token
//! and the right, validates (errors named per field, in the viewer's language), and redirects
//! to the page once saved; every edit is audited by the store and drops the cached policy.

use super::{FormErrors, Layout, SelectOption, render};
use crate::AppState;
use crate::auth::Viewer;
use crate::error::{PageError, PageForm};
use crate::policy::{self as svc, BanInput, RequirementInput};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::ValidationErrors;
use domain::access::Action;
use domain::service_center::flags::CostItem;
use domain::service_center::requirements::{DocumentKind, DueAt};
use domain::service_center::{Category, JobType};
use serde::Deserialize;
use svc::{BanRow, ExemptionRow, PolicyRows, RequirementRow};

/// One ban as listed.
pub struct BanView {
    pub row: BanRow,
    pub country: String,
    pub category: String,
    pub job: String,
    /// The stored row parses; an invalid one is ignored by the rules until fixed or removed.
    pub valid: bool,
}

pub struct ExemptionView {
    pub row: ExemptionRow,
    pub country: String,
    pub valid: bool,
}

pub struct RequirementView {
    pub row: RequirementRow,
    pub document: String,
    pub categories: String,
    pub destinations: String,
    pub job_types: String,
    pub due: String,
    pub valid: bool,
}

/// A code with its label.
pub struct Labelled {
    pub code: String,
    pub label: String,
    pub valid: bool,
}

#[derive(Template)]
#[template(path = "admin_policy.html")]
struct PolicyPage {
    layout: Layout,
    t: crate::i18n::T,
    saved: bool,
    bans: Vec<BanView>,
    job_types: Vec<Labelled>,
    cost_items: Vec<Labelled>,
    exemptions: Vec<ExemptionView>,
    requirements: Vec<RequirementView>,
    /// Items the zero-cost rule does not cover yet.
    cost_item_options: Vec<SelectOption>,
    category_options: Vec<SelectOption>,
    document_options: Vec<SelectOption>,
    due_options: Vec<SelectOption>,
    settings: SettingsForm,
    ban: BanForm,
    job_type: JobTypeForm,
    exemption: ExemptionForm,
    requirement: RequirementForm,
    /// The form that failed ("settings", "ban", "ban_edit", "job_type", "cost_item",
    /// "exemption", "requirement") and, for a ban edit, the ban.
    failed: &'static str,
    failed_ban: i64,
    /// A failed ban edit's values, shown in that ban's form.
    ban_edit: BanEditForm,
    errors: FormErrors,
}

impl PolicyPage {
    /// The message for `field` if `form` is the one that failed, else "".
    fn err(&self, form: &str, field: &str) -> String {
        if self.failed == form { self.errors.get(field) } else { String::new() }
    }

    /// The form values of a ban's edit form: the failed submission, or the stored row.
    fn ban_edit_for(&self, row: &BanRow) -> BanEditForm {
        if self.failed == "ban_edit" && self.failed_ban == row.id {
            return self.ban_edit.clone();
        }
        BanEditForm {
            csrf: String::new(),
            legal_source: row.legal_source.clone(),
            since: row.since.clone(),
            until: row.until.clone().unwrap_or_default(),
            allows_extension: if row.allows_extension { "1".into() } else { String::new() },
        }
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct SettingsForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    pub no_contact_days: String,
    #[serde(default)]
    pub zero_cost_legal_source: String,
    #[serde(default)]
    pub zero_cost_effective_from: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct BanForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    pub destination: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub job_type: String,
    #[serde(default)]
    pub legal_source: String,
    #[serde(default)]
    pub since: String,
    #[serde(default)]
    pub until: String,
    /// "1" when checked.
    #[serde(default)]
    pub allows_extension: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct BanEditForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    pub legal_source: String,
    #[serde(default)]
    pub since: String,
    #[serde(default)]
    pub until: String,
    #[serde(default)]
    pub allows_extension: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct JobTypeForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    pub job_type: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct CostItemForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    pub item: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct ExemptionForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    pub destination: String,
    #[serde(default)]
    pub since: String,
    #[serde(default)]
    pub until: String,
    #[serde(default)]
    pub legal_source: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct RequirementForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    pub document: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub destinations: String,
    #[serde(default)]
    pub job_types: String,
    #[serde(default)]
    pub due: String,
}

/// Removal forms carry only the token.
#[derive(Deserialize, Default)]
pub struct RemoveForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

/// What a failed form hands back to the page.
#[derive(Default)]
struct Failure {
    form: &'static str,
    ban_id: i64,
    errors: ValidationErrors,
    settings: Option<SettingsForm>,
    ban: BanForm,
    ban_edit: BanEditForm,
    job_type: JobTypeForm,
    exemption: ExemptionForm,
    requirement: RequirementForm,
}

fn options(t: crate::i18n::T, prefix: &str, codes: &[&str], selected: &str, any: Option<&str>) -> Vec<SelectOption> {
    let mut out: Vec<SelectOption> = any
        .map(|label| SelectOption { value: String::new(), label: label.to_string(), selected: selected.is_empty() })
        .into_iter()
        .collect();
    out.extend(codes.iter().map(|c| SelectOption {
        value: c.to_string(),
        label: format!("{} ({c})", t.label(prefix, c)),
        selected: *c == selected,
    }));
    out
}

fn list_label(t: crate::i18n::T, prefix: &str, list: &str) -> String {
    let items: Vec<String> =
        list.split(',').map(str::trim).filter(|s| !s.is_empty()).map(|c| t.label(prefix, c)).collect();
    if items.is_empty() { t.get("policy.any").to_string() } else { items.join(", ") }
}

fn settings_of(rows: &PolicyRows) -> SettingsForm {
    let get = |k: &str| rows.setting(k).unwrap_or_default().to_string();
    SettingsForm {
        csrf: String::new(),
        no_contact_days: get(svc::NO_CONTACT_DAYS_KEY),
        zero_cost_legal_source: get(svc::ZERO_COST_LEGAL_SOURCE_KEY),
        zero_cost_effective_from: get(svc::ZERO_COST_EFFECTIVE_FROM_KEY),
    }
}

async fn page(state: &AppState, v: &Viewer, saved: bool, f: Failure) -> Result<Response, PageError> {
    let t = v.t();
    let rows = svc::rows(state).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let any = t.get("policy.any");
    let bans = rows
        .bans
        .iter()
        .map(|r| BanView {
            country: t.label("country", &r.destination),
            category: r.category.as_deref().map_or_else(|| any.to_string(), |c| t.label("category_ep", c)),
            job: r.job_type.as_deref().map_or_else(|| any.to_string(), |j| t.label("job", j)),
            valid: r.to_entry().is_some(),
            row: r.clone(),
        })
        .collect();
    let job_types = rows
        .job_types
        .iter()
        .map(|j| Labelled { code: j.clone(), label: t.label("job", j), valid: JobType::parse(j).is_some() })
        .collect();
    let cost_items = rows
        .cost_items
        .iter()
        .map(|i| Labelled { code: i.clone(), label: t.label("cost", i), valid: CostItem::parse(i).is_some() })
        .collect();
    let exemptions = rows
        .exemptions
        .iter()
        .map(|r| ExemptionView {
            country: t.label("country", &r.destination),
            valid: r.to_exemption().is_some(),
            row: r.clone(),
        })
        .collect();
    let requirements = rows
        .requirements
        .iter()
        .map(|r| RequirementView {
            document: t.label("doc", &r.document),
            categories: list_label(t, "category_ep", &r.categories),
            destinations: list_label(t, "country", &r.destinations),
            job_types: list_label(t, "job", &r.job_types),
            due: t.label("policy.due", &r.due),
            valid: r.to_requirement().is_some(),
            row: r.clone(),
        })
        .collect();
    let uncovered: Vec<&str> = CostItem::ALL
        .iter()
        .filter(|i| **i != CostItem::Other && !rows.cost_items.iter().any(|c| c == i.as_str()))
        .map(|i| i.as_str())
        .collect();
    let categories: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
    let documents: Vec<&str> = DocumentKind::ALL.iter().map(|d| d.as_str()).collect();
    let dues: Vec<&str> = DueAt::ALL.iter().map(|d| d.as_str()).collect();
    // The ban form and the requirement form each have a category select.
    let category_selected = if f.form == "requirement" { &f.requirement.category } else { &f.ban.category };
    let failed = !f.errors.is_empty();
    let resp = render(
        &PolicyPage {
            layout: Layout::for_viewer(v, t.get("policy.title"), "/admin/policy"),
            t,
            saved,
            bans,
            job_types,
            cost_items,
            exemptions,
            requirements,
            cost_item_options: options(t, "cost", &uncovered, "", None),
            category_options: options(t, "category_ep", &categories, category_selected, Some(any)),
            document_options: options(t, "doc", &documents, &f.requirement.document, None),
            due_options: options(t, "policy.due", &dues, &f.requirement.due, None),
            settings: f.settings.unwrap_or_else(|| settings_of(&rows)),
            ban: f.ban,
            job_type: f.job_type,
            exemption: f.exemption,
            requirement: f.requirement,
            failed: f.form,
            failed_ban: f.ban_id,
            ban_edit: f.ban_edit,
            errors: FormErrors::new(t, f.errors),
        },
        v.lang(),
    )?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, resp).into_response() } else { resp })
}

fn saved(anchor: &str) -> Response {
    Redirect::to(&format!("/admin/policy?saved=1#{anchor}")).into_response()
}

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<SavedQuery>,
) -> Result<Response, PageError> {
    v.require(Action::ManagePolicy, None)?;
    page(&state, &v, q.saved.is_some(), Failure::default()).await
}

/// Checks the token and the right; every write starts here.
fn allowed(v: &Viewer, csrf: &str) -> Result<(), PageError> {
    v.check_csrf(csrf)?;
    v.require(Action::ManagePolicy, None)
}

/// Splits an edit's outcome: field errors go back to the form, other refusals are pages.
fn outcome<T>(v: &Viewer, r: app::error::Result<T>) -> Result<Result<T, ValidationErrors>, PageError> {
    match r {
        Ok(x) => Ok(Ok(x)),
        Err(app::Error::Invalid(e)) => Ok(Err(e)),
        Err(e) => Err(PageError::from_app(e, v.lang())),
    }
}

pub async fn settings(
    State(state): State<AppState>,
    v: Viewer,
    PageForm(f): PageForm<SettingsForm>,
) -> Result<Response, PageError> {
    allowed(&v, &f.csrf)?;
    let r = svc::set_settings(
        &state,
        &v.principal,
        &v.actor(),
        v.t(),
        &f.no_contact_days,
        &f.zero_cost_legal_source,
        &f.zero_cost_effective_from,
    )
    .await;
    match outcome(&v, r)? {
        Ok(()) => Ok(saved("settings")),
        Err(errors) => {
            page(&state, &v, false, Failure { form: "settings", errors, settings: Some(f), ..Failure::default() }).await
        }
    }
}

pub async fn add_ban(
    State(state): State<AppState>,
    v: Viewer,
    PageForm(f): PageForm<BanForm>,
) -> Result<Response, PageError> {
    allowed(&v, &f.csrf)?;
    let input = BanInput {
        destination: &f.destination,
        category: &f.category,
        job_type: &f.job_type,
        legal_source: &f.legal_source,
        since: &f.since,
        until: &f.until,
        allows_extension: f.allows_extension == "1",
    };
    match outcome(&v, svc::add_ban(&state, &v.principal, &v.actor(), v.t(), &input).await)? {
        Ok(_) => Ok(saved("bans")),
        Err(errors) => page(&state, &v, false, Failure { form: "ban", errors, ban: f, ..Failure::default() }).await,
    }
}

/// Changes a ban's legal source, period and extension rule; where it applies is fixed (remove
/// it and add another to change that).
pub async fn edit_ban(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<BanEditForm>,
) -> Result<Response, PageError> {
    allowed(&v, &f.csrf)?;
    let extension = f.allows_extension == "1";
    let r = svc::edit_ban(&state, &v.principal, &v.actor(), v.t(), id, &f.legal_source, &f.since, &f.until, extension)
        .await;
    match outcome(&v, r)? {
        Ok(()) => Ok(saved(&format!("ban-{id}"))),
        Err(errors) => {
            page(&state, &v, false, Failure { form: "ban_edit", ban_id: id, errors, ban_edit: f, ..Failure::default() })
                .await
        }
    }
}

/// Answers a removal: back to the page, or 404 when there was nothing to remove.
fn removed(v: &Viewer, r: app::error::Result<()>, anchor: &str) -> Result<Response, PageError> {
    r.map(|()| saved(anchor)).map_err(|e| PageError::from_app(e, v.lang()))
}

pub async fn remove_ban(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<RemoveForm>,
) -> Result<Response, PageError> {
    allowed(&v, &f.csrf)?;
    removed(&v, svc::remove_ban(&state, &v.principal, &v.actor(), id).await, "bans")
}

pub async fn add_job_type(
    State(state): State<AppState>,
    v: Viewer,
    PageForm(f): PageForm<JobTypeForm>,
) -> Result<Response, PageError> {
    allowed(&v, &f.csrf)?;
    match outcome(&v, svc::add_job_type(&state, &v.principal, &v.actor(), v.t(), &f.job_type).await)? {
        Ok(()) => Ok(saved("zero-cost")),
        Err(errors) => {
            page(&state, &v, false, Failure { form: "job_type", errors, job_type: f, ..Failure::default() }).await
        }
    }
}

pub async fn remove_job_type(
    State(state): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
    PageForm(f): PageForm<RemoveForm>,
) -> Result<Response, PageError> {
    allowed(&v, &f.csrf)?;
    removed(&v, svc::remove_job_type(&state, &v.principal, &v.actor(), &code).await, "zero-cost")
}

pub async fn add_cost_item(
    State(state): State<AppState>,
    v: Viewer,
    PageForm(f): PageForm<CostItemForm>,
) -> Result<Response, PageError> {
    allowed(&v, &f.csrf)?;
    match outcome(&v, svc::add_cost_item(&state, &v.principal, &v.actor(), v.t(), &f.item).await)? {
        Ok(()) => Ok(saved("zero-cost")),
        Err(errors) => page(&state, &v, false, Failure { form: "cost_item", errors, ..Failure::default() }).await,
    }
}

pub async fn remove_cost_item(
    State(state): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
    PageForm(f): PageForm<RemoveForm>,
) -> Result<Response, PageError> {
    allowed(&v, &f.csrf)?;
    removed(&v, svc::remove_cost_item(&state, &v.principal, &v.actor(), &code).await, "zero-cost")
}

pub async fn add_exemption(
    State(state): State<AppState>,
    v: Viewer,
    PageForm(f): PageForm<ExemptionForm>,
) -> Result<Response, PageError> {
    allowed(&v, &f.csrf)?;
    let r = svc::add_exemption(
        &state,
        &v.principal,
        &v.actor(),
        v.t(),
        &f.destination,
        &f.since,
        &f.until,
        &f.legal_source,
    )
    .await;
    match outcome(&v, r)? {
        Ok(_) => Ok(saved("exemptions")),
        Err(errors) => {
            page(&state, &v, false, Failure { form: "exemption", errors, exemption: f, ..Failure::default() }).await
        }
    }
}

pub async fn remove_exemption(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<RemoveForm>,
) -> Result<Response, PageError> {
    allowed(&v, &f.csrf)?;
    removed(&v, svc::remove_exemption(&state, &v.principal, &v.actor(), id).await, "exemptions")
}

pub async fn add_requirement(
    State(state): State<AppState>,
    v: Viewer,
    PageForm(f): PageForm<RequirementForm>,
) -> Result<Response, PageError> {
    allowed(&v, &f.csrf)?;
    let input = RequirementInput {
        document: &f.document,
        category: &f.category,
        destinations: &f.destinations,
        job_types: &f.job_types,
        due: &f.due,
    };
    match outcome(&v, svc::add_requirement(&state, &v.principal, &v.actor(), v.t(), &input).await)? {
        Ok(_) => Ok(saved("requirements")),
        Err(errors) => {
            page(&state, &v, false, Failure { form: "requirement", errors, requirement: f, ..Failure::default() }).await
        }
    }
}

pub async fn remove_requirement(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<RemoveForm>,
) -> Result<Response, PageError> {
    allowed(&v, &f.csrf)?;
    removed(&v, svc::remove_requirement(&state, &v.principal, &v.actor(), id).await, "requirements")
}
