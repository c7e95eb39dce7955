//! Monitoring as pages, reports and the API see it: region lookup with scope, the period, the
//! dashboard model (built only from the aggregates in `store::indicators`), open statistics
//! with small-cell suppression, the report, and the background refresher.

use crate::App as AppState;
use crate::i18n::T;
use domain::RegionCode;
use domain::access::{Action, Principal};
use domain::monitoring::{Month, OpenValue, Period, PeriodError, Status};
use domain::privacy::CaseBreakdown;
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
    Ok(fresh_generation(state).await?.0)
}

/// [`ensure_fresh`] and the aggregates' generation after it: one small read when nothing is
/// pending (the usual case).
async fn fresh_generation(state: &AppState) -> Result<(bool, String), store::StoreError> {
    let (pending, generation) = reg::refresh::backlog_and_generation(&state.db, INLINE_REFRESH_MARKS + 1).await?;
    if pending == 0 {
        return Ok((true, generation));
    }
    // A replica cannot write: the primary's refresher catches up and replication brings it.
    if pending > INLINE_REFRESH_MARKS || state.read_only {
        return Ok((false, generation));
    }
    reg::refresh::refresh_all_pending(&state.db, state.today(), 20).await?;
    let (pending, generation) = reg::refresh::backlog_and_generation(&state.db, 1).await?;
    Ok((pending == 0, generation))
}

/// Results computed from the indicator aggregates, kept while the aggregates' generation
/// stays the same. The refresher changes the generation in the transaction that changes the
/// aggregates, and every server reads it before answering, so no server answers from figures
/// older than its database's; a dashboard then costs one small read instead of reading and
/// summing thousands of rows (the nation holds every month since 2016).
pub struct FigureCache<V> {
    inner: std::sync::Mutex<(String, std::collections::HashMap<String, std::sync::Arc<V>>)>,
    cap: usize,
    /// Held while loading: the requests that miss together after a refresh wait for one load
    /// and read its result, rather than each reading and summing the same rows.
    loading: tokio::sync::Mutex<()>,
}

impl<V> FigureCache<V> {
    pub fn new(cap: usize) -> Self {
        FigureCache {
            inner: std::sync::Mutex::new((String::new(), Default::default())),
            cap,
            loading: tokio::sync::Mutex::new(()),
        }
    }

    fn get(&self, generation: &str, key: &str) -> Option<std::sync::Arc<V>> {
        let g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if g.0 != generation {
            return None;
        }
        g.1.get(key).cloned()
    }

    fn put(&self, generation: &str, key: String, value: std::sync::Arc<V>) {
        let mut g = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        // A request that read the generation before a refresh moved it must not throw away
        // what the newer generation already holds.
        if let (Ok(new), Ok(held)) = (generation.parse::<u64>(), g.0.parse::<u64>())
            && new < held
        {
            return;
        }
        // Another generation, or full: start again (a bound, not an eviction policy: a
        // dashboard's figures are a few hundred periods and regions at most).
        if g.0 != generation || g.1.len() >= self.cap {
            g.1.clear();
            g.0 = generation.to_string();
        }
        g.1.insert(key, value);
    }

    /// The cached value of `key` for `generation`, else `load`ed and kept. An empty
    /// generation (a database the refresher never ran on) is never cached.
    async fn get_or_load<F, Fut>(
        &self,
        generation: &str,
        key: String,
        load: F,
    ) -> Result<std::sync::Arc<V>, store::StoreError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<V, store::StoreError>>,
    {
        if generation.is_empty() {
            return Ok(std::sync::Arc::new(load().await?));
        }
        if let Some(v) = self.get(generation, &key) {
            return Ok(v);
        }
        let _loading = self.loading.lock().await;
        // Loaded by the request that held the lock before this one?
        if let Some(v) = self.get(generation, &key) {
            return Ok(v);
        }
        let v = std::sync::Arc::new(load().await?);
        self.put(generation, key, v.clone());
        Ok(v)
    }
}

/// A region's stored values for a period (stocks and the period's months) as of `generation`
/// ([`fresh_generation`]), through the generation cache.
async fn region_values(
    state: &AppState,
    generation: &str,
    place: &Place,
    period: &Period,
) -> Result<std::sync::Arc<Values>, store::StoreError> {
    let key = format!("{}|{period}", place.code_str());
    // Summed for the period once, when loaded: the requests that follow only read the sums.
    let load = || async { Ok(read::region_in(&state.db, place.code.as_ref(), period).await?.summed_for(period)) };
    state.region_values.get_or_load(generation, key, load).await
}

/// Runs forever: refreshes dirty villages every few seconds. With several servers on one
/// PostgreSQL only the elected one does (`store::leader`, an advisory lock); the others ask
/// again each tick and take over when the leader's connection ends.
pub async fn background_refresher(db: store::Db, clock: crate::Clock) {
    let mut tick = tokio::time::interval(REFRESH_EVERY);
    let mut leader: Option<store::leader::Leader> = None;
    loop {
        tick.tick().await;
        if !lead(&db, &mut leader).await {
            continue;
        }
        // As many villages per tick as before (50 × 400), in small transactions.
        let batches = 50 * reg::refresh::BATCH_VILLAGES / reg::refresh::BACKGROUND_BATCH_VILLAGES;
        match reg::refresh::refresh_all_pending_by(&db, clock.today(), batches, reg::refresh::BACKGROUND_BATCH_VILLAGES)
            .await
        {
            Ok(r) if r.marks > 0 => tracing::debug!(villages = r.villages, marks = r.marks, "indicators refreshed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "refreshing indicators failed"),
        }
    }
}

/// Whether this server is (still, or now) the refresher's leader.
pub async fn lead(db: &store::Db, leader: &mut Option<store::leader::Leader>) -> bool {
    if let Some(l) = leader.as_mut() {
        if l.holds().await {
            return true;
        }
        tracing::warn!("indicator refresher: lost its leader connection; electing again");
        *leader = None;
    }
    match store::leader::try_lead(db, store::leader::Work::IndicatorRefresh).await {
        Ok(Some(l)) => {
            tracing::info!("indicator refresher: this server refreshes");
            *leader = Some(l);
            true
        }
        Ok(None) => false,
        Err(e) => {
            tracing::warn!(error = %e, "indicator refresher: election failed");
            false
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
    // One read: the lineage holds the region itself.
    let lineage = store::regions::lineage(&state.db, &code).await?;
    let Some(region) = lineage.iter().find(|r| r.code == code.as_str()).cloned() else {
        return Err(RegionError::Unknown);
    };
    Ok(Place { code: Some(code), region: Some(region), lineage })
}

/// The region if it exists and the principal's scope covers it (the nation needs a national scope).
pub async fn place_in_scope(state: &AppState, principal: &Principal, raw: &str) -> Result<Place, RegionError> {
    let p = place(state, raw).await?;
    if covers(principal, &p) { Ok(p) } else { Err(RegionError::OutOfScope) }
}

/// May the principal read the unsuppressed figures of `place`?
fn covers(principal: &Principal, place: &Place) -> bool {
    match &place.code {
        None => principal.scope == domain::Scope::National && principal.can(Action::ViewMonitoring, None),
        Some(c) => principal.can(Action::ViewMonitoring, Some(c)),
    }
}

/// The fixed period of open statistics (`domain::privacy::OpenPeriod`); none given: this year.
pub fn open_period(
    state: &AppState,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<domain::privacy::OpenPeriod, domain::privacy::OpenPeriodError> {
    domain::privacy::OpenPeriod::parse(from, to, current_month(state))
}

/// The months of an open period, as the answers name it (`2026-04/2026-06`).
pub fn open_period_months(p: &domain::privacy::OpenPeriod) -> Period {
    let (from, to) = p.bounds();
    Period { from, to }
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

/// Indicators published without login: counts marked `open`, suppressed by
/// [`open_figures`].
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OpenIndicator {
    pub key: &'static str,
    pub label: String,
    /// A number, or the string "suppressed" for a count under 11 and for the complementary
    /// cells suppressed with it (docs/MONITORING.md, open statistics).
    #[schema(schema_with = open_value_schema)]
    pub value: OpenValue,
}

/// [`OpenValue`] as sent: a count, or the text "suppressed".
fn open_value_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, SchemaType, Type};
    OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(SchemaType::new(Type::Integer)).minimum(Some(0)))
        .item(ObjectBuilder::new().schema_type(SchemaType::new(Type::String)).enum_values(Some(["suppressed"])))
        .build()
        .into()
}

/// The counts open statistics publish.
pub fn open_keys() -> Vec<&'static str> {
    reg::all().filter(|i| i.open && i.count).map(|i| i.key).collect()
}

/// Open statistics of one fixed period for the nation, provinces and regencies (the only levels
/// published, `domain::privacy::open_level_allowed`).
pub struct OpenFigures {
    cells: BTreeMap<(String, &'static str), OpenValue>,
}

impl OpenFigures {
    pub fn get(&self, region: &str, key: &'static str) -> OpenValue {
        self.cells.get(&(region.to_string(), key)).copied().unwrap_or(OpenValue::Number(0))
    }

    pub fn indicators(&self, t: T, region: &str) -> Vec<OpenIndicator> {
        open_keys()
            .into_iter()
            .map(|k| OpenIndicator { key: k, label: label(t, k), value: self.get(region, k) })
            .collect()
    }
}

/// Every open count of the nation, its provinces and regencies for `period`, suppressed with
/// `domain::privacy::complementary_suppression` over the region tree (a parent and its
/// children) and the periods of the year (a quarter and its months, the year and its quarters),
/// so no suppressed cell follows from published ones by subtraction, whatever region or
/// period is asked. Village counts of the designation pillar are about villages, not people,
/// and are published as they are.
pub async fn open_figures(
    state: &AppState,
    period: &domain::privacy::OpenPeriod,
) -> Result<std::sync::Arc<OpenFigures>, store::StoreError> {
    let (_, generation) = fresh_generation(state).await?;
    state.open_figures.get_or_load(&generation, format!("{period:?}"), || compute_open_figures(state, period)).await
}

async fn compute_open_figures(
    state: &AppState,
    period: &domain::privacy::OpenPeriod,
) -> Result<OpenFigures, store::StoreError> {
    use domain::privacy::{YEAR_SLOTS, complementary_suppression, year_groups};
    let keys = open_keys();
    let year = period.year();
    let rows = read::open_values(&state.db, &keys, Month { year, month: 1 }, Month { year, month: 12 }).await?;
    let regions = read::open_regions(&state.db).await?;
    let mut codes: Vec<String> = vec![String::new()];
    codes.extend(regions.iter().map(|(c, _)| c.clone()));
    let index: BTreeMap<&str, usize> = codes.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
    // Children of each region (by index), the nation's being the provinces.
    let mut children: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (c, parent) in &regions {
        if let (Some(&ci), Some(&pi)) = (index.get(c.as_str()), index.get(parent.as_str())) {
            children.entry(pi).or_default().push(ci);
        }
    }
    let n = codes.len();
    let slot = period.slot();
    let mut out = BTreeMap::new();
    for key in keys {
        let Some(ind) = reg::find(key) else { continue };
        let stock = ind.kind == Kind::Stock;
        let width = if stock { 1 } else { YEAR_SLOTS };
        let mut cells = vec![0i64; n * width];
        for (r, _, m, v) in rows.iter().filter(|row| row.1 == key) {
            let Some(&ri) = index.get(r.as_str()) else { continue };
            if stock {
                if m.is_empty() {
                    cells[ri] += v;
                }
            } else if let Some(month) = Month::parse(m).filter(|x| x.year == year) {
                cells[ri * width + month.month as usize - 1] += v;
            }
        }
        let mut groups: Vec<Vec<usize>> = Vec::new();
        if !stock {
            for r in 0..n {
                let base = r * width;
                for q in 0..4 {
                    cells[base + 12 + q] = (0..3).map(|i| cells[base + q * 3 + i]).sum();
                }
                cells[base + 16] = (12..16).map(|i| cells[base + i]).sum();
                groups.extend(year_groups().into_iter().map(|g| g.into_iter().map(|i| base + i).collect()));
            }
        }
        for (p, kids) in &children {
            for s in 0..width {
                let mut g: Vec<usize> = kids.iter().map(|c| c * width + s).collect();
                g.push(p * width + s);
                groups.push(g);
            }
        }
        let hidden = if ind.pillar == Pillar::Designation {
            vec![false; cells.len()]
        } else {
            complementary_suppression(&cells, &groups)
        };
        let at = if stock { 0 } else { slot };
        for (r, code) in codes.iter().enumerate() {
            let i = r * width + at;
            let v = if hidden[i] { OpenValue::Suppressed } else { OpenValue::Number(cells[i]) };
            out.insert((code.clone(), key), v);
        }
    }
    Ok(OpenFigures { cells: out })
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
    /// `None`: withheld from this viewer (case figures of districts for partners).
    pub cells: Vec<Option<i64>>,
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

/// How the case figures of `place` are shown to `principal` (`domain::privacy::case_breakdown`).
pub fn case_rule(principal: &Principal, place: &Place) -> CaseBreakdown {
    domain::privacy::case_breakdown(principal, place.code.as_ref().map(|c| c.level()))
}

/// Indicators (stored or derived) made of protection cases.
pub fn is_case_key(key: &str) -> bool {
    key == "nonprocedural_referred"
        || reg::find(key).is_some_and(|i| i.pillar == Pillar::Cases)
        || reg::find_derived(key).is_some_and(|d| d.pillar == Pillar::Cases)
}

/// Case types with the restricted ones (abuse, trafficking) folded into one bucket.
pub fn fold_case_types(by_type: BTreeMap<String, i64>) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for (k, v) in by_type {
        let restricted = domain::cases::CaseType::parse(&k).is_none_or(|t| t.is_restricted());
        let key = if restricted { domain::privacy::RESTRICTED_BUCKET.to_string() } else { k };
        *out.entry(key).or_default() += v;
    }
    out
}

/// Applies the case rule to a region's indicator rows and breakdowns: `Withheld` blanks every
/// case figure and drops its breakdowns, `Folded` folds restricted case types and drops the
/// breakdown by status (which, in a village, follows a single case through its steps).
pub fn apply_case_rule(
    rule: CaseBreakdown,
    rows: &mut [IndicatorRow],
    breakdowns: &mut BTreeMap<String, BTreeMap<String, i64>>,
) {
    match rule {
        CaseBreakdown::Full => {}
        CaseBreakdown::Folded => {
            breakdowns.remove("cases_by_status");
            if let Some(by) = breakdowns.remove("cases_opened") {
                breakdowns.insert("cases_opened".into(), fold_case_types(by));
            }
        }
        CaseBreakdown::Withheld => {
            breakdowns.retain(|k, _| !is_case_key(k));
            for r in rows.iter_mut().filter(|r| is_case_key(r.key)) {
                r.value = None;
            }
        }
    }
}

/// The dashboard of `place` as `principal` may see it (case figures by [`case_rule`]).
pub async fn dashboard(
    state: &AppState,
    t: T,
    place: Place,
    period: Period,
    chosen: &str,
    principal: &Principal,
) -> Result<Dashboard, store::StoreError> {
    let rule = case_rule(principal, &place);
    // The dashboard reads stocks and the period's months only.
    let (fresh, generation) = fresh_generation(state).await?;
    let values = region_values(state, &generation, &place, &period).await?;
    let mut indicators = indicator_rows(t, &values, &period);
    apply_case_rule(rule, &mut indicators, &mut BTreeMap::new());
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
    let child_level = match &place.code {
        None => Some("province"),
        Some(c) => c.level().child().map(|l| l.as_str()),
    };
    // Children below the regency: partners get no case figure of them.
    let child_rule = domain::privacy::case_breakdown(
        principal,
        match &place.code {
            None => Some(domain::RegionLevel::Province),
            Some(c) => c.level().child(),
        },
    );
    let children_withheld = child_rule == CaseBreakdown::Withheld;
    let chartable: Vec<&str> = chartable().into_iter().filter(|k| !(children_withheld && is_case_key(k))).collect();
    let chosen: &'static str = chartable.iter().copied().find(|k| *k == chosen).unwrap_or("persons_registered");
    let mut children = vec![];
    if child_level.is_some() {
        let regions = match &place.code {
            None => store::regions::provinces(&state.db).await?,
            Some(c) => store::regions::children(&state.db, c).await?,
        };
        let mut keys: Vec<&str> = CHILD_COLUMNS.to_vec();
        keys.push(reg::PILLAR_STATUS);
        keys.push(chosen);
        let cache_key = format!("{}|{period}|{}", place.code_str(), keys.join(","));
        let vals = state
            .child_values
            .get_or_load(&generation, cache_key, || async {
                let children = read::children(&state.db, place.code.as_ref(), &keys, &period).await?;
                Ok(children.into_iter().map(|(code, v)| (code, v.summed_for(&period))).collect())
            })
            .await?;
        let empty = Values::default();
        for r in regions {
            let v = vals.get(&r.code).unwrap_or(&empty);
            children.push(ChildRow {
                href: href(Some(&r.code)),
                cells: CHILD_COLUMNS
                    .iter()
                    .map(|k| (!(children_withheld && is_case_key(k))).then(|| v.total(k, &period)))
                    .collect(),
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
    let mut breakdowns = BTreeMap::new();
    breakdowns.insert("cases_opened".to_string(), values.by_dim("cases_opened", &period));
    breakdowns.insert("cases_by_status".to_string(), values.by_dim("cases_by_status", &period));
    apply_case_rule(rule, &mut [], &mut breakdowns);
    let label_of = |key: &str, k: &str| {
        if k == domain::privacy::RESTRICTED_BUCKET {
            t.get("monitoring.restricted_types").to_string()
        } else {
            t.label(key, k)
        }
    };
    let cases_by_type = breakdowns
        .remove("cases_opened")
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (label_of("case_type", &k), v))
        .collect();
    let cases_by_status = breakdowns
        .remove("cases_by_status")
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (label_of("case_status", &k), v))
        .collect();
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
                    row.extend(c.cells.iter().map(|v| v.map(Cell::Int).unwrap_or(Cell::Empty)));
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

/// Open statistics of a region's children (provinces of the nation, regencies of a province;
/// nothing below) as a table: code, name, then each open indicator as [`open_figures`] gives it.
pub async fn open_children(
    state: &AppState,
    t: T,
    place: &Place,
    figures: &OpenFigures,
) -> Result<Table, store::StoreError> {
    let open = open_keys();
    let regions = match &place.code {
        None => store::regions::provinces(&state.db).await?,
        Some(c) if c.level() == domain::RegionLevel::Province => store::regions::children(&state.db, c).await?,
        Some(_) => vec![],
    };
    let mut columns = vec![t.get("monitoring.col_code").to_string(), t.get("monitoring.col_region").to_string()];
    columns.extend(open.iter().map(|k| label(t, k)));
    let rows = regions
        .into_iter()
        .map(|r| {
            let mut row = vec![Cell::Text(r.code.clone()), Cell::Text(r.name.clone())];
            row.extend(open.iter().map(|k| match figures.get(&r.code, *k) {
                OpenValue::Number(n) => Cell::Int(n),
                other => Cell::Text(other.text()),
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

// ---------------------------------------------------------------- admin: targets and criteria

pub use store::indicators::admin::{CriterionRow, Target};

/// Targets of a level ('' national), oldest year first: program figures every signed-in
/// account may read.
pub async fn targets(state: &AppState, region_code: &str) -> crate::error::Result<Vec<Target>> {
    Ok(store::indicators::admin::targets(&state.db, region_code).await?)
}

/// Sets the target (and/or historical total) of a year and level (national admins).
pub async fn save_target(
    state: &AppState,
    principal: &Principal,
    actor: &store::audit::Actor,
    input: &domain::monitoring::TargetInput,
) -> crate::error::Result<Target> {
    if !principal.can(Action::ManageMonitoring, None) {
        return Err(crate::Error::Forbidden);
    }
    let valid = validate_target(state, input).await??;
    Ok(store::indicators::admin::save_target(&state.db, actor, &valid).await?)
}

/// The criteria, each with whether its indicator is one the registry knows.
pub async fn criteria(state: &AppState) -> crate::error::Result<Vec<(CriterionRow, bool)>> {
    let rows = store::indicators::admin::criteria(&state.db).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let known = reg::is_known(&r.indicator);
            (r, known)
        })
        .collect())
}

/// Every indicator key a criterion may name (stored and derived).
pub fn criterion_keys() -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = reg::all().map(|i| i.key).collect();
    keys.extend(reg::all_derived().map(|d| d.key));
    keys
}

/// A criterion as typed.
pub struct CriterionInput<'a> {
    pub subject: &'a str,
    pub indicator: &'a str,
    pub min_value: &'a str,
    pub window_months: &'a str,
    pub note: &'a str,
}

/// Adds a pillar or program criterion (national admins); every program village is
/// recomputed by the next refresh.
pub async fn add_criterion(
    state: &AppState,
    principal: &Principal,
    actor: &store::audit::Actor,
    input: &CriterionInput<'_>,
) -> crate::error::Result<i64> {
    use domain::{Rule, ValidationErrors};
    if !principal.can(Action::ManageMonitoring, None) {
        return Err(crate::Error::Forbidden);
    }
    let mut errs = ValidationErrors::new();
    let subject = domain::monitoring::Subject::parse(input.subject.trim());
    if subject.is_none() {
        errs.add("subject", Rule::Format, "pillar:1 to pillar:4, or program:<code>");
    }
    let indicator = input.indicator.trim().to_string();
    if indicator.is_empty() || indicator.len() > 60 || !indicator.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        errs.add("indicator", Rule::Format, "an indicator key such as outreach_events");
    }
    let min_value = match input.min_value.trim().parse::<i64>() {
        Ok(n) if (0..=1_000_000_000).contains(&n) => n,
        _ => {
            errs.add("min_value", Rule::OutOfRange, "a whole number from 0");
            0
        }
    };
    let window = match input.window_months.trim().parse::<u32>() {
        Ok(n) if n <= 120 => n,
        _ => {
            errs.add("window_months", Rule::OutOfRange, "0 (current value) to 120 months");
            0
        }
    };
    let note = domain::validation::text(&mut errs, "note", input.note, 0, 300);
    let (Some(subject), true) = (subject, errs.is_empty()) else { return Err(crate::Error::Invalid(errs)) };
    let c = domain::monitoring::Condition { indicator, min_value, window_months: window };
    Ok(store::indicators::admin::add_criterion(&state.db, actor, &subject, &c, &note).await?)
}

/// Removes a criterion (national admins); 404 when there is none with this id.
pub async fn remove_criterion(
    state: &AppState,
    principal: &Principal,
    actor: &store::audit::Actor,
    id: i64,
) -> crate::error::Result<()> {
    if !principal.can(Action::ManageMonitoring, None) {
        return Err(crate::Error::Forbidden);
    }
    if store::indicators::admin::remove_criterion(&state.db, actor, id).await? {
        Ok(())
    } else {
        Err(crate::Error::NotFound)
    }
}

/// Every indicator of a region (the caller's `place_in_scope`), unsuppressed, with the
/// breakdowns by dimension; case figures as [`case_rule`] allows. `fresh` is false while many
/// changes are still being aggregated.
pub struct RegionFigures {
    pub indicators: Vec<IndicatorRow>,
    pub breakdowns: BTreeMap<String, BTreeMap<String, i64>>,
    pub fresh: bool,
}

pub async fn region_figures(
    state: &AppState,
    t: T,
    principal: &Principal,
    place: &Place,
    period: &Period,
) -> crate::error::Result<RegionFigures> {
    if !covers(principal, place) {
        return Err(crate::Error::Forbidden);
    }
    // Every figure below is a stock or a flow within the period: only those rows are read.
    let (fresh, generation) = fresh_generation(state).await?;
    let values = region_values(state, &generation, place, period).await?;
    let indicators = visible_indicators(t, principal, place, &values, period);
    let mut breakdowns = BTreeMap::new();
    let mut keys: Vec<&str> = reg::all().map(|i| i.key).collect();
    keys.extend([reg::PILLAR_STATUS, reg::PROGRAM_STATUS]);
    for k in keys {
        let by = values.by_dim(k, period);
        if by.keys().any(|d| !d.is_empty()) {
            breakdowns.insert(k.to_string(), by);
        }
    }
    apply_case_rule(case_rule(principal, place), &mut [], &mut breakdowns);
    Ok(RegionFigures { indicators, breakdowns, fresh })
}

/// The indicator rows of a region as `principal` may read them (case figures by
/// [`case_rule`]): what the indicators API answers and the DHIS2 export sends (`crate::dhis2`).
/// A row whose value is `None` is withheld or undefined. The caller checked [`covers`].
pub fn visible_indicators(
    t: T,
    principal: &Principal,
    place: &Place,
    values: &Values,
    period: &Period,
) -> Vec<IndicatorRow> {
    let mut indicators = indicator_rows(t, values, period);
    apply_case_rule(case_rule(principal, place), &mut indicators, &mut BTreeMap::new());
    indicators
}

/// May the principal read the figures of this region ('' or None: the nation)?
pub fn may_view(principal: &Principal, place: &Place) -> bool {
    covers(principal, place)
}

#[cfg(test)]
mod figure_cache_tests {
    use super::FigureCache;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Requests that miss together wait for one load; a request that read an older generation
    /// does not throw away what the newer one holds.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_misses_load_once_and_an_older_generation_evicts_nothing() {
        let cache = std::sync::Arc::new(FigureCache::<u32>::new(8));
        let loads = std::sync::Arc::new(AtomicUsize::new(0));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..16 {
            let (cache, loads) = (cache.clone(), loads.clone());
            tasks.spawn(async move {
                cache
                    .get_or_load("7", "nation".into(), || async {
                        loads.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        Ok(42)
                    })
                    .await
                    .unwrap()
            });
        }
        while let Some(v) = tasks.join_next().await {
            assert_eq!(*v.unwrap(), 42);
        }
        assert_eq!(loads.load(Ordering::SeqCst), 1, "one load for sixteen misses");
        // Generation 6 was read before the refresh: its figures are not kept over 7's.
        let old = cache.get_or_load("6", "region".into(), || async { Ok(1) }).await.unwrap();
        assert_eq!(*old, 1);
        assert_eq!(cache.get("7", "nation").as_deref(), Some(&42));
        assert!(cache.get("6", "region").is_none());
    }
}
