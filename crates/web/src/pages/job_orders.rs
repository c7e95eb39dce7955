//! One placement company's page: its licence, its job orders (demand letters) and whether each
//! can be chosen for a placement; national admins record job orders and verify or reject them.

use super::{FormErrors, Layout, SelectOption, render, rupiah};
use crate::AppState;
use crate::agencies::{Agency, Branch};
use crate::auth::Viewer;
use crate::error::{PageError, PageForm};
use crate::i18n::{Lang, T};
use crate::job_orders::CreateError;
use crate::job_orders::JobOrder;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::access::Action;
use domain::agency::AgencyStatus;
use domain::service_center::{CostItem, NewJobOrderInput, VerificationStatus};
use serde::Deserialize;

/// Cost rows on the form.
const COST_ROWS: usize = 5;

/// Currencies offered as suggestions; any ISO 4217 code is accepted.
const CURRENCIES: [&str; 10] = ["TWD", "HKD", "MYR", "SGD", "KRW", "JPY", "SAR", "BND", "AED", "USD"];

#[derive(Template)]
#[template(path = "agency.html")]
struct AgencyPage {
    layout: Layout,
    t: T,
    agency: Agency,
    licence_ok: bool,
    licence_note: &'static str,
    job_orders: Vec<JobOrderRow>,
    branches: Vec<Branch>,
    can_manage: bool,
    saved: bool,
    errors: FormErrors,
    form: JobOrderForm,
    cost_rows: Vec<CostRowForm>,
    currencies: [&'static str; 10],
}

/// A job order as the page shows it, labels computed here.
struct JobOrderRow {
    jo: JobOrder,
    destination: String,
    job: String,
    salary: String,
    /// (item label, amount) per cost charged to the worker.
    costs: Vec<(String, String)>,
    total: String,
    status_label: &'static str,
    verified: bool,
    rejected: bool,
    selectable: bool,
    reason: &'static str,
}

struct CostRowForm {
    index: usize,
    amount: String,
    options: Vec<SelectOption>,
    item_error: String,
    amount_error: String,
}

#[derive(Deserialize, Default)]
pub struct JobOrderForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub destination: String,
    #[serde(default)]
    pub employer: String,
    #[serde(default)]
    pub job_type: String,
    #[serde(default)]
    pub salary_amount: String,
    #[serde(default)]
    pub salary_currency: String,
    #[serde(default)]
    pub quota: String,
    #[serde(default)]
    pub valid_from: String,
    #[serde(default)]
    pub valid_until: String,
    #[serde(default)]
    cost_item_0: String,
    #[serde(default)]
    cost_amount_0: String,
    #[serde(default)]
    cost_item_1: String,
    #[serde(default)]
    cost_amount_1: String,
    #[serde(default)]
    cost_item_2: String,
    #[serde(default)]
    cost_amount_2: String,
    #[serde(default)]
    cost_item_3: String,
    #[serde(default)]
    cost_amount_3: String,
    #[serde(default)]
    cost_item_4: String,
    #[serde(default)]
    cost_amount_4: String,
}

impl JobOrderForm {
    /// The cost rows filled in, blank rows dropped: error names (`costs[i]`) then count the
    /// rows the form shows again, compacted to the top.
    fn costs(&self) -> Vec<(&str, &str)> {
        [
            (&self.cost_item_0, &self.cost_amount_0),
            (&self.cost_item_1, &self.cost_amount_1),
            (&self.cost_item_2, &self.cost_amount_2),
            (&self.cost_item_3, &self.cost_amount_3),
            (&self.cost_item_4, &self.cost_amount_4),
        ]
        .into_iter()
        .filter(|(i, a)| !(i.trim().is_empty() && a.trim().is_empty()))
        .map(|(i, a)| (i.as_str(), a.as_str()))
        .collect()
    }
}

/// A catalogue label, or the code itself where the catalogue has none.
fn label(t: T, prefix: &str, code: &str) -> String {
    match t.get(&format!("{prefix}.{code}")) {
        "??" => code.to_string(),
        l => l.to_string(),
    }
}

/// Digits grouped by thousands the way the language writes them.
fn grouped(n: i64, lang: Lang) -> String {
    reports::group_thousands_by(n, if lang == Lang::En { ',' } else { '.' })
}

fn row(t: T, jo: JobOrder, today: time::Date) -> JobOrderRow {
    let reason = jo.why_not_selectable(today);
    let status = VerificationStatus::parse(&jo.status);
    JobOrderRow {
        destination: t.country(&jo.destination).to_string(),
        job: label(t, "job", &jo.job_type),
        salary: format!("{} {}", jo.salary_currency, grouped(jo.salary_amount, t.lang)),
        costs: jo.costs.iter().map(|c| (label(t, "cost", &c.item), rupiah(c.amount_rupiah))).collect(),
        total: rupiah(jo.total_costs()),
        status_label: status.map_or("??", |s| t.get(&format!("job_orders.status.{}", s.as_str()))),
        verified: status == Some(VerificationStatus::Verified),
        rejected: status == Some(VerificationStatus::Rejected),
        selectable: reason.is_none(),
        reason: reason.map_or("", |r| t.get(&format!("job_orders.reason.{}", r.as_str()))),
        jo,
    }
}

fn cost_rows(t: T, form: &JobOrderForm, errors: &FormErrors) -> Vec<CostRowForm> {
    let filled = form.costs();
    (0..COST_ROWS)
        .map(|index| {
            let (item, amount) = filled.get(index).copied().unwrap_or(("", ""));
            let chosen = CostItem::parse(item);
            let mut options = vec![SelectOption {
                value: String::new(),
                label: t.get("job_orders.no_cost_item").to_string(),
                selected: chosen.is_none(),
            }];
            options.extend(CostItem::ALL.into_iter().map(|c| SelectOption {
                value: c.as_str().to_string(),
                label: label(t, "cost", c.as_str()),
                selected: chosen == Some(c),
            }));
            CostRowForm {
                index,
                amount: amount.to_string(),
                options,
                item_error: errors.get(&format!("costs[{index}].item")),
                amount_error: errors.get(&format!("costs[{index}].amount")),
            }
        })
        .collect()
}

async fn load_agency(state: &AppState, v: &Viewer, id: i64) -> Result<Agency, PageError> {
    crate::agencies::get(state, id).await.map_err(|e| PageError::from_app(e, v.lang()))
}

async fn page(
    state: &AppState,
    v: &Viewer,
    agency: Agency,
    saved: bool,
    errors: FormErrors,
    form: JobOrderForm,
) -> Result<Response, PageError> {
    let t = v.t();
    let job_orders =
        crate::job_orders::for_agency(state, agency.id).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let licence_ended = domain::person::parse_date(&agency.valid_until).is_none_or(|d| d < state.today());
    let active = AgencyStatus::parse(&agency.status) == Some(AgencyStatus::Active);
    let (licence_ok, licence_note) = match (active, licence_ended) {
        (true, false) => (true, "job_orders.licence_ok"),
        (_, true) => (false, "job_orders.licence_expired"),
        (false, false) => (false, "job_orders.licence_not_active"),
    };
    let branches = crate::agencies::branches(state, agency.id).await.map_err(|e| PageError::from_app(e, v.lang()))?;
    let failed = errors.any();
    let resp = render(
        &AgencyPage {
            branches,
            layout: Layout::for_viewer(v, agency.name.clone(), &format!("/agencies/{}", agency.id)),
            t,
            licence_ok,
            licence_note: t.get(licence_note),
            job_orders: job_orders.into_iter().map(|jo| row(t, jo, state.today())).collect(),
            can_manage: v.can(Action::ManageAgencies, None),
            saved,
            cost_rows: cost_rows(t, &form, &errors),
            errors,
            form,
            currencies: CURRENCIES,
            agency,
        },
        v.lang(),
    )?;
    Ok(if failed { (StatusCode::UNPROCESSABLE_ENTITY, resp).into_response() } else { resp })
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

/// `GET /agencies/{id}`: open to every account, like the registry.
pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, PageError> {
    let agency = load_agency(&state, &v, id).await?;
    page(&state, &v, agency, q.saved.is_some(), FormErrors::default(), JobOrderForm::default()).await
}

/// `POST /agencies/{id}/job-orders` (national admins).
pub async fn create(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<JobOrderForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    v.require(Action::ManageAgencies, None)?;
    let agency = load_agency(&state, &v, id).await?;
    let agency_id = agency.id.to_string();
    let input = NewJobOrderInput {
        agency_id: &agency_id,
        reference: &f.reference,
        destination: &f.destination,
        employer: &f.employer,
        job_type: &f.job_type,
        salary_amount: &f.salary_amount,
        salary_currency: &f.salary_currency,
        quota: &f.quota,
        valid_from: &f.valid_from,
        valid_until: &f.valid_until,
    };
    let errs = match crate::job_orders::create(&state, &v.actor(), &input, &f.costs()).await {
        Ok(jo) => return Ok(Redirect::to(&format!("/agencies/{id}?saved=1#job-order-{}", jo.id)).into_response()),
        Err(CreateError::Invalid(errs)) => errs,
        Err(CreateError::Store(e)) => return Err(PageError::internal(v.lang())(e)),
    };
    page(&state, &v, agency, false, FormErrors::new(v.t(), errs), f).await
}

#[derive(Deserialize)]
pub struct VerificationForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    status: String,
}

/// `POST /agencies/{id}/job-orders/{job_order}/verification` (national admins).
pub async fn verify(
    State(state): State<AppState>,
    v: Viewer,
    Path((id, job_order)): Path<(i64, i64)>,
    PageForm(f): PageForm<VerificationForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    crate::job_orders::verify(&state, &v.principal, &v.actor(), job_order, Some(id), &f.status)
        .await
        .map_err(|e| PageError::from_app(e, v.lang()))?;
    Ok(Redirect::to(&format!("/agencies/{id}?saved=1#job-order-{job_order}")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::service_center::NotSelectable;

    #[test]
    fn every_status_and_reason_has_a_label() {
        for lang in [Lang::Id, Lang::En] {
            let t = T::new(lang);
            for s in VerificationStatus::ALL {
                assert_ne!(t.get(&format!("job_orders.status.{s}")), "??", "{s}");
            }
            for r in NotSelectable::ALL {
                assert_ne!(t.get(&format!("job_orders.reason.{r}")), "??", "{r}");
            }
        }
    }

    #[test]
    fn labels_fall_back_to_the_code() {
        let t = T::new(Lang::En);
        assert_eq!(label(t, "job", "underwater_welder"), "underwater_welder");
        assert_eq!(grouped(27_470, Lang::En), "27,470");
        assert_eq!(grouped(1_234_567, Lang::Id), "1.234.567");
        assert_eq!(grouped(999, Lang::Id), "999");
    }

    #[test]
    fn blank_cost_rows_are_dropped_and_the_rest_compacted() {
        let f = JobOrderForm {
            cost_item_1: "visa".into(),
            cost_amount_1: "100".into(),
            cost_amount_3: "5".into(),
            ..JobOrderForm::default()
        };
        assert_eq!(f.costs(), [("visa", "100"), ("", "5")]);
    }
}

#[derive(Deserialize, Default)]
pub struct BranchForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
    #[serde(default)]
    region_code: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    phone: String,
}

/// `POST /agencies/{id}/branches` (national admins).
pub async fn add_branch(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    PageForm(f): PageForm<BranchForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    v.require(Action::ManageAgencies, None)?;
    let agency = load_agency(&state, &v, id).await?;
    match crate::agencies::add_branch(&state, &v.principal, &v.actor(), id, &f.region_code, &f.address, &f.phone).await
    {
        Ok(()) => Ok(Redirect::to(&format!("/agencies/{id}?saved=1#branches")).into_response()),
        Err(app::Error::Invalid(errs)) => {
            page(&state, &v, agency, false, FormErrors::new(v.t(), errs), JobOrderForm::default()).await
        }
        Err(e) => Err(PageError::from_app(e, v.lang())),
    }
}
