//! Synthetic national data, deterministic from a seed: `desmigratif generate --scale S --seed N`.
//!
//! The generator fills a freshly migrated database (SQLite or PostgreSQL) with a country's worth
//! of Desmigratif data shaped on the real figures of the brief (§6): the real 83,763 villages,
//! about 4,000 pocket villages and 1,000 Desmigratif villages, people with valid NIKs, families,
//! placements ("journeys") to Taiwan, Malaysia, Hong Kong…, documents, counselling, outreach,
//! agencies with job orders, and protection cases with referrals to partners.
//!
//! # Determinism
//!
//! Every row is a function of the seed, the scale and the as-of date (default
//! [`DEFAULT_AS_OF`], so the default run is a function of the seed alone): no clock, no thread
//! timing, no hash-map iteration order. Each pillar draws from its own random stream, seeded
//! from the run's seed and the pillar's name, so adding a pillar leaves the rows of the others
//! unchanged. Ids are assigned by the generator (the next free id of each table), so a fresh
//! database gets the same ids every time.
//!
//! # Same rules as the application
//!
//! Each record is built as the raw input a form would send and passed through the domain's
//! validator (`validate_new_person`, `validate_agency`, `validate_job_order`,
//! `validate_new_episode`, the episode and case state machines, `check_referral_for_case`,
//! `validate_outreach`, `validate_counselling`, `validate_designation`); a refusal is a bug in
//! the generator and stops the run ([`GenError::Invalid`]). The database's constraints stay on.
//! Only the per-row audit entry is skipped: one `generate.run` entry records the run.
//!
//! # Adding a pillar
//!
//! A pillar is one module with a `pub const PILLAR: Pillar` and an `async fn run(ctx: &mut
//! Ctx)`. Append it to [`PILLARS`] after the pillars whose rows it refers to (most need
//! `people`, some `journeys`). Inside `run`:
//!
//! 1. take a random stream with `ctx.rng("<pillar name>")`;
//! 2. read what earlier pillars left in [`Ctx`] (`ctx.villages`, `ctx.people`,
//!    `ctx.episodes`, `ctx.agencies`) — or add a field to `Ctx` for later pillars;
//! 3. build each record as raw input, validate it with the domain function the API uses;
//! 4. push rows into a [`bulk::Batch`] (parent rows first) with ids from
//!    `ctx.next_id("table")`, and `ctx.writer.write(batch)` every few thousand records;
//! 5. size everything from `ctx.spec` ([`ScaleSpec`]): add a field there for the pillar's
//!    own volumes (members per cooperative, events per person…) with a value per scale.
//!
//! docs/GENERATOR.md describes the scales and what each pillar writes.

pub mod bulk;
mod cases;
mod cooperative;
mod enterprise;
mod journeys;
mod names;
mod parenting;
mod people;
mod pick;
pub mod progress;
mod roster;
mod services;
mod villages;

use bulk::Writer;
use indicatif::ProgressBar;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};
use store::{Db, on_db};
use time::Date;

pub use journeys::EpisodeLite;
pub use people::{PersonLite, Role as PersonRole};
pub use services::AgencyLite;
pub use villages::Village;

/// The data's "today" unless `--as-of` says otherwise: a fixed date, so that the same seed
/// gives the same rows on any day.
pub const DEFAULT_AS_OF: Date = time::macros::date!(2025 - 06 - 30);

#[derive(Debug, thiserror::Error)]
pub enum GenError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("writing {table}: {source}")]
    Insert { table: &'static str, source: sqlx::Error },
    /// The generator built a record the application's rules refuse: a bug in the generator.
    #[error("generated {what} refused by the application's rules: {detail}")]
    Invalid { what: &'static str, detail: String },
    #[error("the database already holds {0} people: generate into a fresh database")]
    NotEmpty(i64),
    #[error("{0}")]
    Setup(String),
}

impl From<sqlx::Error> for GenError {
    fn from(e: sqlx::Error) -> Self {
        GenError::Store(e.into())
    }
}

/// The named sizes of the contract (`--scale small|1m|10m`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    Small,
    OneMillion,
    TenMillion,
}

impl Scale {
    pub fn parse(s: &str) -> Option<Scale> {
        match s.trim().to_ascii_lowercase().as_str() {
            "small" => Some(Scale::Small),
            "1m" => Some(Scale::OneMillion),
            "10m" => Some(Scale::TenMillion),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scale::Small => "small",
            Scale::OneMillion => "1m",
            Scale::TenMillion => "10m",
        }
    }

    pub fn spec(self) -> ScaleSpec {
        let base = ScaleSpec {
            scale: self,
            people: 3_000,
            pocket_villages: 4_000,
            desmigratif_villages: 1_000,
            pocket_share: 0.75,
            agencies: 40,
            job_orders_per_agency: 6,
            max_episodes_per_worker: 3,
            max_extensions: 2,
            cancel_rate: 0.08,
            counselling_rate: 0.9,
            outreach_per_village_year: 2,
            case_rate: 0.03,
            events_per_person: 5.0,
            journal_lines_per_person: 2.0,
        };
        match self {
            Scale::Small => base,
            Scale::OneMillion => ScaleSpec { people: 1_000_000, agencies: 400, job_orders_per_agency: 12, ..base },
            Scale::TenMillion => ScaleSpec { people: 10_000_000, agencies: 450, job_orders_per_agency: 20, ..base },
        }
    }
}

/// Volumes of one scale. Pillars read theirs from here; add fields for new pillars.
#[derive(Debug, Clone)]
pub struct ScaleSpec {
    pub scale: Scale,
    /// People registered (workers and their families), exactly.
    pub people: u64,
    pub pocket_villages: usize,
    /// Chosen among the pocket villages, cohorts 2016–2024 as in the real rollout.
    pub desmigratif_villages: usize,
    /// Share of households living in a pocket village; the rest anywhere, weighted by the
    /// provinces' share of placements.
    pub pocket_share: f64,
    pub agencies: usize,
    pub job_orders_per_agency: usize,
    /// Placements (episodes) a worker may have had, one after the other.
    pub max_episodes_per_worker: u32,
    /// Contract extensions abroad (abroad → abroad events) per episode, at most.
    pub max_extensions: u32,
    /// Share of episodes cancelled before departure.
    pub cancel_rate: f64,
    /// Share of counselled episodes with a recorded counselling session.
    pub counselling_rate: f64,
    /// Outreach events per Desmigratif village per year since its cohort year.
    pub outreach_per_village_year: u32,
    /// Protection cases per worker who departed.
    pub case_rate: f64,
    /// Target events per person for pillars 2–4 (~50 million at 10m): training attendance
    /// 25 %, remittances 20 %, business reports 10 %, mentoring 3 %, equipment checks ~2 %
    /// (enterprise), children's and caregivers' activity attendance 22 % (parenting); savings
    /// transactions and loan events (cooperative) follow from the journal budget.
    pub events_per_person: f64,
    /// Target cooperative journal lines per person (~20 million at 10m): wajib deposits are
    /// paid every few months so that each member's lines fit the budget.
    pub journal_lines_per_person: f64,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub spec: ScaleSpec,
    pub seed: u64,
    pub as_of: Date,
    /// Draw a progress bar on stderr (indicatif hides it when stderr is not a terminal).
    pub progress: bool,
}

impl Options {
    pub fn new(scale: Scale, seed: u64) -> Options {
        Options { spec: scale.spec(), seed, as_of: DEFAULT_AS_OF, progress: false }
    }
}

/// What the pillars share: settings, the writer, and what earlier pillars made.
pub struct Ctx {
    pub db: Db,
    pub spec: ScaleSpec,
    pub seed: u64,
    /// The data's today: nothing is dated after it.
    pub as_of: Date,
    /// `as_of` at noon UTC, in Unix seconds: the default `created_at`.
    pub as_of_ts: i64,
    pub writer: Writer,
    pub regions: store::regions::RegionIndex,
    /// Every village, by code order; indexes into this are `u32` everywhere.
    pub villages: Vec<Village>,
    /// Indexes of the pocket villages; the Desmigratif ones with their cohort year.
    pub pocket: Vec<u32>,
    pub desmigratif: Vec<(u32, i32)>,
    pub agencies: Vec<AgencyLite>,
    pub job_orders: services::JobOrderIndex,
    pub people: people::People,
    pub episodes: Vec<EpisodeLite>,
    ids: Vec<(&'static str, i64)>,
}

impl Ctx {
    /// A random stream of its own for `stream` (a pillar's name, or "pillar/part").
    pub fn rng(&self, stream: &str) -> ChaCha8Rng {
        // FNV-1a: stable across builds and platforms, unlike std's hasher.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in stream.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        ChaCha8Rng::seed_from_u64(self.seed ^ h)
    }

    /// The next id of `table` (ids are assigned here, so rows can refer to each other before
    /// they are written).
    pub async fn next_id(&mut self, table: &'static str) -> Result<i64, GenError> {
        if let Some((_, n)) = self.ids.iter_mut().find(|(t, _)| *t == table) {
            *n += 1;
            return Ok(*n);
        }
        let sql = format!("SELECT COALESCE(MAX(id), 0) FROM {table}");
        let (max,): (i64,) = on_db!(&self.db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_one(p).await)?;
        self.ids.push((table, max + 1));
        Ok(max + 1)
    }

    /// A timestamp (Unix seconds) at noon UTC of `d`.
    pub fn ts(d: Date) -> i64 {
        d.midnight().assume_utc().unix_timestamp() + 12 * 3600
    }
}

pub type PillarFuture<'a> = Pin<Box<dyn Future<Output = Result<(), GenError>> + 'a>>;

/// One pillar's generator: a name (its random stream and its line in the report) and its run.
pub struct Pillar {
    pub name: &'static str,
    pub about: &'static str,
    pub run: for<'a> fn(&'a mut Ctx) -> PillarFuture<'a>,
}

/// The pillars in the order they run: each may use what the ones before it made.
pub const PILLARS: &[Pillar] = &[
    villages::PILLAR,
    services::PILLAR,
    people::PILLAR,
    journeys::PILLAR,
    cases::PILLAR,
    enterprise::PILLAR,
    parenting::PILLAR,
    cooperative::PILLAR,
];

/// One pillar's line in the report.
#[derive(Debug, Clone)]
pub struct PillarReport {
    pub name: &'static str,
    pub rows: u64,
    pub elapsed: Duration,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub pillars: Vec<PillarReport>,
    /// Rows written per table, in the order first written.
    pub tables: Vec<(&'static str, u64)>,
    pub total_rows: u64,
    pub elapsed: Duration,
    pub people: u64,
}

impl Report {
    pub fn rows_per_second(&self) -> f64 {
        self.total_rows as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Generates into `db` (migrated, regions loaded, no people yet).
pub async fn run(db: &Db, opts: &Options) -> Result<Report, GenError> {
    let started = Instant::now();
    let (people,): (i64,) = on_db!(db, p => sqlx::query_as("SELECT COUNT(*) FROM persons").fetch_one(p).await)?;
    if people > 0 {
        return Err(GenError::NotEmpty(people));
    }
    let progress = if opts.progress { progress::bar("generate", Some(0), "items") } else { ProgressBar::hidden() };
    let mut ctx = Ctx {
        db: db.clone(),
        spec: opts.spec.clone(),
        seed: opts.seed,
        as_of: opts.as_of,
        as_of_ts: Ctx::ts(opts.as_of),
        writer: Writer::new(db.clone(), progress),
        regions: store::regions::RegionIndex::load(db).await?,
        villages: Vec::new(),
        pocket: Vec::new(),
        desmigratif: Vec::new(),
        agencies: Vec::new(),
        job_orders: Default::default(),
        people: Default::default(),
        episodes: Vec::new(),
        ids: Vec::new(),
    };
    let mut pillars = Vec::new();
    for pillar in PILLARS {
        let t0 = Instant::now();
        let before = ctx.writer.total;
        ctx.writer.progress().set_prefix(pillar.name);
        ctx.writer.progress().set_position(0);
        (pillar.run)(&mut ctx).await?;
        ctx.writer.commit().await?;
        if opts.progress && !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            eprintln!("{}: {} rows written", pillar.name, ctx.writer.total - before);
        }
        pillars.push(PillarReport { name: pillar.name, rows: ctx.writer.total - before, elapsed: t0.elapsed() });
    }
    ctx.writer.progress().finish_and_clear();
    finish(&ctx, opts).await?;
    Ok(Report {
        pillars,
        tables: ctx.writer.counts.clone(),
        total_rows: ctx.writer.total,
        elapsed: started.elapsed(),
        people: ctx.people.persons.len() as u64,
    })
}

/// After the rows: PostgreSQL identity sequences past the ids we chose, planner statistics,
/// and one audit entry for the whole run.
async fn finish(ctx: &Ctx, opts: &Options) -> Result<(), GenError> {
    if let Db::Postgres(p) = &ctx.db {
        for (table, _) in &ctx.ids {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
            );
            sqlx::query(sqlx::AssertSqlSafe(sql)).execute(p).await?;
        }
    }
    // Statistics for the planner (a refresher holding SQLite's write lock only delays them).
    let mut tries = 0;
    while let Err(e) = on_db!(&ctx.db, p => sqlx::query("ANALYZE").execute(p).await.map(|_| ())) {
        if tries >= 30 || !e.to_string().contains("database is locked") {
            return Err(e.into());
        }
        tries += 1;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let mut tx = bulk::begin(&ctx.db).await?;
    let details = format!(
        "scale={} seed={} as_of={} people={} rows={}",
        opts.spec.scale.as_str(),
        opts.seed,
        opts.as_of,
        ctx.people.persons.len(),
        ctx.writer.total
    );
    store::audit::append(
        &mut tx,
        &store::audit::Actor::system("generate"),
        &store::audit::Event {
            action: "generate.run",
            entity: "database",
            entity_id: "",
            region_code: "",
            details: &details,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// SHA-256 over every row of `table` (the listed columns, ordered by `order_by`), read in
/// pages: the same rows give the same digest on either backend.
pub async fn checksum(db: &Db, table: &str, columns: &[&str], order_by: &str) -> Result<String, GenError> {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    let cols: Vec<String> = columns.iter().map(|c| format!("COALESCE(CAST({c} AS TEXT), '~')")).collect();
    let mut offset = 0i64;
    let page = 20_000i64;
    loop {
        let sql = format!(
            "SELECT {} AS line FROM {table} ORDER BY {order_by} LIMIT {page} OFFSET {offset}",
            cols.join(" || '|' || ")
        );
        let rows: Vec<(String,)> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await)?;
        for (line,) in &rows {
            hash.update(line.as_bytes());
            hash.update(b"\n");
        }
        if (rows.len() as i64) < page {
            break;
        }
        offset += page;
    }
    Ok(hex::encode(hash.finalize()))
}

/// Tables of pillars 2–4 the determinism check covers: (table, columns, order).
pub const PILLAR_CHECKSUMS: &[(&str, &[&str], &str)] = &[
    ("training_attendance", &["training_id", "person_id", "on_date"], "training_id, person_id, on_date"),
    ("businesses", &["id", "village_code", "sector", "status", "started_on"], "id"),
    ("business_reports", &["id", "business_id", "month", "revenue", "costs"], "id"),
    ("remittances", &["id", "person_id", "month", "amount", "channel", "use_productive_investment"], "id"),
    ("children", &["id", "full_name", "birth_date", "caregiver", "school_status"], "id"),
    ("activity_children", &["activity_id", "child_id", "on_date"], "activity_id, child_id, on_date"),
    ("coop_members", &["id", "cooperative_id", "person_id", "joined_on"], "id"),
    ("coop_journal_lines", &["id", "entry_id", "entry_date", "account", "debit", "credit", "member_id"], "id"),
    ("coop_loans", &["id", "member_id", "principal", "state", "disbursed_on", "closed_on"], "id"),
];

/// The columns of `persons` the determinism check covers (everything the generator sets).
pub const PERSON_COLUMNS: &[&str] = &[
    "id",
    "nik",
    "kk_number",
    "full_name",
    "name_key",
    "sex",
    "birth_date",
    "birth_place",
    "village_code",
    "address",
    "phone",
    "contact_abroad",
    "category",
    "created_at",
];
