//! Monitoring as pages, reports and the API see it: region lookup with scope, the period, the
//! dashboard model (built only from the aggregates in `store::indicators`), open statistics
//! with small-cell suppression, the report, and the background refresher.

use crate::App as AppState;
use crate::i18n::T;
use domain::RegionCode;
use domain::access::{Action, Principal};
use domain::monitoring::{Month, OpenValue, Period, PeriodError, Status, suppress};
use reports::{Block, Cell, Report, Table};
use std::collections::BTreeMap;
use store::indicators::read::{self, Values};
use store::indicators::{self as reg, Kind, Pillar};
use store::regions::Region;

/// A dashboard answers after refreshing inline when at most this many marks are pending;
/// beyond that the background task catches up and the page says the figures are updating.
pub const INLINE_REFRESH_MARKS: i64 = 2_000;
/// How often the background task looks for marks.
pub const REFRESH_EVERY: std::time::Duration = std::time::Duration::from_secs(3);

/// This month in Western Indonesia time (UTC+7), the clock the monthly figures use.
pub fn current_month(state: &AppState) -> Month {
    state.clock.month()
}

pub fn default_period(state: &AppState) -> Period {
    Period::since_launch(current_month(state))
}

/// Refreshes inline when little is pending; returns false when figures may lag behind.
pub async fn ensure_fresh(state: &AppState) -> Result<bool, store::StoreError> {
    let pending = reg::refresh::pending_up_to(&state.db, INLINE_REFRESH_MARKS + 1).await?;
    if pending == 0 {
        return Ok(true);
    }
    if pending > INLINE_REFRESH_MARKS {
        return Ok(false);
    }
    reg::refresh::refresh_all_pending(&state.db, state.today(), 20).await?;
    Ok(reg::refresh::pending_up_to(&state.db, 1).await? == 0)
}

/// Runs forever: refreshes dirty villages every few seconds.
pub async fn background_refresher(db: store::Db, clock: crate::Clock) {
    let mut tick = tokio::time::interval(REFRESH_EVERY);
    loop {
        tick.tick().await;
        match reg::refresh::refresh_all_pending(&db, clock.today(), 50).await {
            Ok(r) if r.marks > 0 => tracing::debug!(villages = r.villages, marks = r.marks, "indicators refreshed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "refreshing indicators failed"),
        }
    }
}

/// Why a region cannot be shown.
#[derive(Debug)]
pub enum RegionError {
    /// Not a region code at all.
    BadCode,
    /// Well-formed but no such region.
    Unknown,
    /// Exists, outside the caller's scope.
    OutOfScope,
    Store(store::StoreError),
}

impl From<store::StoreError> for RegionError {
    fn from(e: store::StoreError) -> Self {
        RegionError::Store(e)
    }
}

/// The region of a dashboard; `None` is the nation.
#[derive(Debug, Clone)]
pub struct Place {
    pub code: Option<RegionCode>,
    pub region: Option<Region>,
    /// Ancestors then the region itself, province first (for breadcrumbs).
    pub lineage: Vec<Region>,
}

impl Place {
    pub fn name(&self, t: T) -> String {
        self.region.as_ref().map(|r| r.name.clone()).unwrap_or_else(|| t.get("monitoring.nation").to_string())
    }
    pub fn code_str(&self) -> &str {
        self.code.as_ref().map(|c| c.as_str()).unwrap_or("")
    }
    pub fn level(&self) -> &'static str {
        self.code.as_ref().map(|c| c.level().as_str()).unwrap_or("nation")
    }
    pub fn href(&self) -> String {
        href(self.code.as_ref().map(|c| c.as_str()))
    }
}

pub fn href(code: Option<&str>) -> String {
    match code {
        Some(c) if !c.is_empty() => format!("/monitoring/{c}"),
        _ => "/monitoring".to_string(),
    }
}

/// Looks up a region ("" = nation) without any scope check (open statistics).
pub async fn place(state: &AppState, raw: &str) -> Result<Place, RegionError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(Place { code: None, region: None, lineage: vec![] });
    }
    let code: RegionCode = raw.parse().map_err(|_| RegionError::BadCode)?;
    let Some(region) = store::regions::get(&state.db, &code).await? else { return Err(RegionError::Unknown) };
    let lineage = store::regions::lineage(&state.db, &code).await?;
    Ok(Place { code: Some(code), region: Some(region), lineage })
}

/// The region if it exists and the principal's scope covers it (the nation needs a national scope).
pub async fn place_in_scope(state: &AppState, principal: &Principal, raw: &str) -> Result<Place, RegionError> {
    let p = place(state, raw).await?;
    let allowed = match &p.code {
        None => principal.scope == domain::Scope::National && principal.can(Action::ViewMonitoring, None),
        Some(c) => principal.can(Action::ViewMonitoring, Some(c)),
    };
    if allowed { Ok(p) } else { Err(RegionError::OutOfScope) }
}

pub fn parse_period(state: &AppState, from: Option<&str>, to: Option<&str>) -> Result<Period, PeriodError> {
    Period::parse(from, to, default_period(state))
}

/// How a figure reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Percent,
    Days,
}

#[derive(Debug, Clone)]
pub struct IndicatorRow {
    pub key: &'static str,
    pub pillar: Pillar,
    pub label: String,
    pub value: Option<i64>,
    pub unit: Unit,
    pub stock: bool,
}

impl IndicatorRow {
    pub fn display(&self) -> String {
        match (self.value, self.unit) {
            (None, _) => "–".into(),
            (Some(v), Unit::Count) => reports::group_thousands(v),
            (Some(v), Unit::Percent) => format!("{v} %"),
            (Some(v), Unit::Days) => format!("{v} hari"),
        }
    }
    fn cell(&self) -> Cell {
        match (self.value, self.unit) {
            (None, _) => Cell::Empty,
            (Some(v), Unit::Percent) => Cell::BasisPoints(v * 100),
            (Some(v), _) => Cell::Int(v),
        }
    }
}

pub fn label(t: T, key: &str) -> String {
    t.label("ind", key)
}

/// Every indicator (stored and derived) of a region over the period, in registry order.
pub fn indicator_rows(t: T, values: &Values, period: &Period) -> Vec<IndicatorRow> {
    let mut out: Vec<IndicatorRow> = Vec::new();
    for ind in reg::all().filter(|i| i.count) {
        out.push(IndicatorRow {
            key: ind.key,
            pillar: ind.pillar,
            label: label(t, ind.key),
            value: Some(values.total(ind.key, period)),
            unit: Unit::Count,
            stock: ind.kind == Kind::Stock,
        });
    }
    for d in reg::all_derived() {
        let unit = match d.formula {
            reg::Formula::Share { .. } => Unit::Percent,
            reg::Formula::Median { .. } => Unit::Days,
        };
        out.push(IndicatorRow {
            key: d.key,
            pillar: d.pillar,
            label: label(t, d.key),
            value: values.derived(d.key, period),
            unit,
            stock: false,
        });
    }
    let order = |p: Pillar| Pillar::ALL.iter().position(|x| *x == p).unwrap_or(0);
    out.sort_by_key(|r| order(r.pillar));
    out
}

/// Indicators published without login: counts marked `open`, 1–4 shown as "<5".
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OpenIndicator {
    pub key: &'static str,
    pub label: String,
    /// A number, or the string "<5" for counts from 1 to 4.
    #[schema(schema_with = open_value_schema)]
    pub value: OpenValue,
}

/// [`OpenValue`] as sent: a count (0 or 5 and more) or the text "<5".
fn open_value_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, SchemaType, Type};
    OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(SchemaType::new(Type::Integer)).minimum(Some(0)))
        .item(ObjectBuilder::new().schema_type(SchemaType::new(Type::String)).enum_values(Some(["<5"])))
        .build()
        .into()
}

pub fn open_indicators(t: T, values: &Values, period: &Period) -> Vec<OpenIndicator> {
    reg::all()
        .filter(|i| i.open && i.count)
        .map(|i| OpenIndicator { key: i.key, label: label(t, i.key), value: suppress(values.total(i.key, period)) })
        .collect()
}

/// Keys that may colour the map and the sub-region bars.
pub fn chartable() -> Vec<&'static str> {
    reg::all().filter(|i| i.count && i.level == reg::Level::Village).map(|i| i.key).collect()
}

/// Columns of the sub-region table.
pub const CHILD_COLUMNS: &[&str] =
    &["desmigratif_villages", "persons_registered", "counselling_sessions", "departures", "returns", "cases_opened"];

#[derive(Debug, Clone)]
pub struct ChildRow {
    pub code: String,
    pub name: String,
    pub href: String,
    pub cells: Vec<i64>,
    pub pillar1_active: i64,
    pub chosen: i64,
}

#[derive(Debug, Clone)]
pub struct CohortRow {
    pub year: i64,
    pub target: Option<i64>,
    pub historical: Option<i64>,
    pub known: i64,
}

#[derive(Debug, Clone)]
pub struct StatusRow {
    pub label: String,
    /// active, inactive, no data
    pub counts: [i64; 3],
}

pub struct Dashboard {
    pub place: Place,
    pub period: Period,
    pub fresh: bool,
    pub generated: String,
    pub indicators: Vec<IndicatorRow>,
    pub x_labels: Vec<String>,
    pub flows: Vec<(String, Vec<i64>)>,
    pub departures: Vec<(String, Vec<i64>)>,
    pub chosen: &'static str,
    pub children: Vec<ChildRow>,
    pub child_level: Option<&'static str>,
    pub cohorts: Vec<CohortRow>,
    pub pillars: Vec<StatusRow>,
    pub programs: Vec<StatusRow>,
    pub cases_by_type: Vec<(String, i64)>,
    pub cases_by_status: Vec<(String, i64)>,
}

/// Groups monthly values by year when the period is long (more than three years).
fn bucket(period: &Period, series: &[(Month, i64)]) -> (Vec<String>, Vec<i64>) {
    if period.months().len() <= 36 {
        return (series.iter().map(|(m, _)| m.to_string()).collect(), series.iter().map(|x| x.1).collect());
    }
    let mut by: BTreeMap<i32, i64> = BTreeMap::new();
    for (m, v) in series {
        *by.entry(m.year).or_default() += v;
    }
    (by.keys().map(|y| y.to_string()).collect(), by.values().copied().collect())
}

pub async fn dashboard(
    state: &AppState,
    t: T,
    place: Place,
    period: Period,
    chosen: &str,
) -> Result<Dashboard, store::StoreError> {
    let fresh = ensure_fresh(state).await?;
    let values = read::region(&state.db, place.code.as_ref()).await?;
    let indicators = indicator_rows(t, &values, &period);
    let mut x_labels = vec![];
    let mut flows = vec![];
    for key in ["persons_registered", "counselling_sessions", "departures", "returns"] {
        let (labels, vals) = bucket(&period, &values.series(key, None, &period));
        x_labels = labels;
        flows.push((label(t, key), vals));
    }
    let departures = ["procedural", "non_procedural"]
        .iter()
        .map(|d| (t.label("monitoring.dim", d), bucket(&period, &values.series("departures", Some(d), &period)).1))
        .collect();
    let chartable = chartable();
    let chosen: &'static str = chartable.iter().copied().find(|k| *k == chosen).unwrap_or("persons_registered");
    let child_level = match &place.code {
        None => Some("province"),
        Some(c) => c.level().child().map(|l| l.as_str()),
    };
    let mut children = vec![];
    if child_level.is_some() {
        let regions = match &place.code {
            None => store::regions::provinces(&state.db).await?,
            Some(c) => store::regions::children(&state.db, c).await?,
        };
        let mut keys: Vec<&str> = CHILD_COLUMNS.to_vec();
        keys.push(reg::PILLAR_STATUS);
        keys.push(chosen);
        let vals = read::children(&state.db, place.code.as_ref(), &keys, &period).await?;
        let empty = Values::default();
        for r in regions {
            let v = vals.get(&r.code).unwrap_or(&empty);
            children.push(ChildRow {
                href: href(Some(&r.code)),
                cells: CHILD_COLUMNS.iter().map(|k| v.total(k, &period)).collect(),
                pillar1_active: v.by_dim(reg::PILLAR_STATUS, &period).get("1:active").copied().unwrap_or(0),
                chosen: v.total(chosen, &period),
                code: r.code,
                name: r.name,
            });
        }
    }
    // Desmigratif villages by cohort year, against targets of this level.
    let targets = match &place.code {
        None => store::indicators::admin::targets(&state.db, "").await?,
        Some(c) if matches!(c.level(), domain::RegionLevel::Province | domain::RegionLevel::Regency) => {
            store::indicators::admin::targets(&state.db, c.as_str()).await?
        }
        Some(_) => vec![],
    };
    let by_year = values.by_dim("desmigratif_villages", &period);
    let mut years: BTreeMap<i64, CohortRow> = BTreeMap::new();
    for (y, n) in &by_year {
        let year = y.parse().unwrap_or(0);
        years.insert(year, CohortRow { year, target: None, historical: None, known: *n });
    }
    for tg in targets.iter().filter(|t| t.indicator == "desmigratif_villages") {
        let row = years.entry(tg.year).or_insert(CohortRow { year: tg.year, target: None, historical: None, known: 0 });
        row.target = tg.target;
        row.historical = tg.historical_actual;
    }
    let statuses = values.by_dim(reg::PILLAR_STATUS, &period);
    let pillars = (1..=4u8)
        .map(|n| StatusRow {
            label: t.label("monitoring.pillar", &n.to_string()),
            counts: Status::ALL.map(|s| statuses.get(&format!("{n}:{}", s.as_str())).copied().unwrap_or(0)),
        })
        .collect();
    let pstat = values.by_dim(reg::PROGRAM_STATUS, &period);
    let mut program_codes: Vec<String> =
        pstat.keys().filter_map(|k| k.rsplit_once(':').map(|(c, _)| c.to_string())).collect();
    program_codes.dedup();
    let programs = program_codes
        .into_iter()
        .map(|code| StatusRow {
            counts: Status::ALL.map(|s| pstat.get(&format!("{code}:{}", s.as_str())).copied().unwrap_or(0)),
            label: code,
        })
        .collect();
    let cases_by_type =
        values.by_dim("cases_opened", &period).into_iter().map(|(k, v)| (t.label("case_type", &k), v)).collect();
    let cases_by_status =
        values.by_dim("cases_by_status", &period).into_iter().map(|(k, v)| (t.label("case_status", &k), v)).collect();
    Ok(Dashboard {
        place,
        period,
        fresh,
        generated: state.today().to_string(),
        indicators,
        x_labels,
        flows,
        departures,
        chosen,
        children,
        child_level,
        cohorts: years.into_values().collect(),
        pillars,
        programs,
        cases_by_type,
        cases_by_status,
    })
}

/// The dashboard as a report (PDF / XLSX; CSV takes its first table, the indicators).
pub fn report(t: T, d: &Dashboard) -> Report {
    let name = d.place.name(t);
    let mut blocks = vec![];
    blocks.push(Block::Table(Table {
        name: t.get("monitoring.indicators").into(),
        columns: vec![
            t.get("monitoring.col_key").into(),
            t.get("monitoring.col_indicator").into(),
            t.get("monitoring.col_value").into(),
        ],
        rows: d
            .indicators
            .iter()
            .map(|r| vec![Cell::Text(r.key.into()), Cell::Text(r.label.clone()), r.cell()])
            .collect(),
        totals: None,
    }));
    if !d.children.is_empty() {
        let mut columns = vec![t.get("monitoring.col_code").to_string(), t.get("monitoring.col_region").to_string()];
        columns.extend(CHILD_COLUMNS.iter().map(|k| label(t, k)));
        columns.push(t.get("monitoring.pillar1_active").into());
        blocks.push(Block::Heading(t.get("monitoring.subregions").into()));
        blocks.push(Block::Table(Table {
            name: t.get("monitoring.subregions").into(),
            columns,
            rows: d
                .children
                .iter()
                .map(|c| {
                    let mut row = vec![Cell::Text(c.code.clone()), Cell::Text(c.name.clone())];
                    row.extend(c.cells.iter().map(|v| Cell::Int(*v)));
                    row.push(Cell::Int(c.pillar1_active));
                    row
                })
                .collect(),
            totals: None,
        }));
    }
    blocks.push(Block::Heading(t.get("monitoring.by_period").into()));
    let mut columns = vec![t.get("monitoring.col_period").to_string()];
    columns.extend(d.flows.iter().map(|f| f.0.clone()));
    blocks.push(Block::Table(Table {
        name: t.get("monitoring.by_period").into(),
        columns,
        rows: d
            .x_labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let mut row = vec![Cell::Text(l.clone())];
                row.extend(d.flows.iter().map(|f| Cell::Int(f.1.get(i).copied().unwrap_or(0))));
                row
            })
            .collect(),
        totals: None,
    }));
    if !d.cohorts.is_empty() {
        blocks.push(Block::Heading(t.get("monitoring.cohorts").into()));
        blocks.push(Block::Table(cohort_table(t, &d.cohorts)));
    }
    blocks.push(Block::Heading(t.get("monitoring.pillars").into()));
    blocks.push(Block::Table(status_table(t, t.get("monitoring.pillars"), &d.pillars)));
    if !d.programs.is_empty() {
        blocks.push(Block::Table(status_table(t, t.get("monitoring.programs"), &d.programs)));
    }
    Report {
        title: format!("{}: {name}", t.get("monitoring.title")),
        meta: vec![
            (t.get("monitoring.region").into(), format!("{name} {}", d.place.code_str()).trim().to_string()),
            (t.get("monitoring.period").into(), d.period.to_string()),
            (t.get("monitoring.generated").into(), d.generated.clone()),
        ],
        blocks,
    }
}

fn cohort_table(t: T, rows: &[CohortRow]) -> Table {
    let opt = |v: Option<i64>| v.map(Cell::Int).unwrap_or(Cell::Empty);
    Table {
        name: t.get("monitoring.cohorts").into(),
        columns: vec![
            t.get("monitoring.col_year").into(),
            t.get("monitoring.col_target").into(),
            t.get("monitoring.col_historical").into(),
            t.get("monitoring.col_known").into(),
        ],
        rows: rows
            .iter()
            .map(|r| vec![Cell::Int(r.year), opt(r.target), opt(r.historical), Cell::Int(r.known)])
            .collect(),
        totals: None,
    }
}

fn status_table(t: T, name: &str, rows: &[StatusRow]) -> Table {
    Table {
        name: name.into(),
        columns: vec![
            name.into(),
            t.get("monitoring.status.active").into(),
            t.get("monitoring.status.inactive").into(),
            t.get("monitoring.status.no_data").into(),
        ],
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    Cell::Text(r.label.clone()),
                    Cell::Int(r.counts[0]),
                    Cell::Int(r.counts[1]),
                    Cell::Int(r.counts[2]),
                ]
            })
            .collect(),
        totals: None,
    }
}

/// Open statistics of a region's children (provinces of the nation, regencies of a province)
/// as a table: code, name, then each open indicator suppressed.
pub async fn open_children(state: &AppState, t: T, place: &Place, period: &Period) -> Result<Table, store::StoreError> {
    let open: Vec<&'static str> = reg::all().filter(|i| i.open && i.count).map(|i| i.key).collect();
    let regions = match &place.code {
        None => store::regions::provinces(&state.db).await?,
        Some(c) if c.level() == domain::RegionLevel::Province => store::regions::children(&state.db, c).await?,
        Some(_) => vec![],
    };
    let vals = read::children(&state.db, place.code.as_ref(), &open, period).await?;
    let empty = Values::default();
    let mut columns = vec![t.get("monitoring.col_code").to_string(), t.get("monitoring.col_region").to_string()];
    columns.extend(open.iter().map(|k| label(t, k)));
    let rows = regions
        .into_iter()
        .map(|r| {
            let v = vals.get(&r.code).unwrap_or(&empty);
            let mut row = vec![Cell::Text(r.code.clone()), Cell::Text(r.name.clone())];
            row.extend(open.iter().map(|k| match suppress(v.total(k, period)) {
                OpenValue::Number(n) => Cell::Int(n),
                OpenValue::LessThanFive => Cell::Text("<5".into()),
            }));
            row
        })
        .collect();
    Ok(Table { name: t.get("statistik.title").into(), columns, rows, totals: None })
}

/// Indicators a target may be set for.
pub const TARGET_INDICATORS: &[&str] = &["desmigratif_villages"];

/// Checks a target (year, level, values) and that its region exists.
pub async fn validate_target(
    state: &AppState,
    input: &domain::monitoring::TargetInput,
) -> Result<Result<domain::monitoring::ValidTarget, domain::ValidationErrors>, store::StoreError> {
    let v = match domain::monitoring::validate_target(input, state.clock.year(), TARGET_INDICATORS) {
        Ok(v) => v,
        Err(e) => return Ok(Err(e)),
    };
    if let Some(r) = &v.region
        && !store::regions::exists(&state.db, r).await?
    {
        return Ok(Err(domain::ValidationErrors::single(
            "region_code",
            domain::Rule::UnknownRegion,
            "no region with this code",
        )));
    }
    Ok(Ok(v))
}
