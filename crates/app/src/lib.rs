//! The application layer: one function per operation, read or write. Each takes the
//! [`App`] and a caller (principal, actor for the audit), decides access, validates with the
//! domain's rules, runs the transaction with its audit entry and returns one error type.
//! Pages, the API, the command line, imports and the generator only translate to and from
//! these functions (ARCHITECTURE.md).

pub mod accounts;
pub mod agencies;
pub mod audit_trail;
pub mod bootstrap;
pub mod brokers;
pub mod cases;
pub mod clock;
pub mod config;
pub mod coop_bank;
pub mod coop_deposits;
pub mod coop_health;
pub mod coop_loans;
pub mod coop_month_end;
pub mod cooperative;
pub mod dhis2;
pub mod dukcapil;
pub mod enterprise;
pub mod episodes;
pub mod error;
pub mod exchange;
pub mod htcds;
pub mod i18n;
pub mod idempotency;
pub mod import;
pub mod job_orders;
pub mod monitoring;
// issue 18, names: stored spelling keys recomputed when the rules change
pub mod name_keys;
pub mod national_ids;
pub mod opensid;
pub mod outreach;
pub mod parenting;
pub mod partners;
pub mod people;
pub mod policy;
pub mod portal;
pub mod privacy;
pub mod programs;
pub mod region_filter;
pub mod region_update;
// -- track offline (issue 16)
pub mod offline;
pub mod regions;
pub mod screens;
pub mod sessions;
pub mod stamped_cache;

use std::sync::Arc;
use std::time::Duration;
use store::Db;

pub use clock::Clock;
pub use config::Config;
pub use error::Error;
/// Who does an operation, as its audit entry names them.
pub use store::audit::Actor;

/// The application: what every operation needs (database, settings, caches, the clock).
/// Cheap to clone; the web layer shares one between all handlers.
#[derive(Clone)]
pub struct App(Arc<Inner>);

pub struct Inner {
    pub db: Db,
    pub config: Config,
    /// Every region code, with the stamp of the region data it was read from: a region update
    /// (`regions update`, possibly run while this server runs) changes the stamp, and the next
    /// use reads the codes again.
    regions: tokio::sync::RwLock<Option<(String, Arc<store::regions::RegionIndex>)>>,
    /// The placement policy and requirement matrix, loaded on first use, dropped after an
    /// admin edit and at most `POLICY_TTL` old (another server may have edited it).
    policy: tokio::sync::RwLock<Option<(std::time::Instant, Arc<store::policy::Loaded>)>>,
    /// Partner exchange: rate-limit buckets per API client and the cursor signing key.
    pub exchange: exchange::Runtime,
    /// Broker reports from the public: the rate limit's buckets per hashed address.
    pub brokers: brokers::Runtime,
    /// Every "today" of the application (`clock`).
    pub clock: Clock,
    // pages track (issue 18): the episode form's choices, shared by every person page.
    /// Active agencies and today's selectable job orders, at most `CHOICES_TTL` old.
    placement_choices: tokio::sync::RwLock<Option<(std::time::Instant, time::Date, Arc<PlacementChoices>)>>,
    // track multi (issue 18): the read replica.
    /// `DATABASE_READ_URL`: the application as seen through the replica (its `db` is the
    /// replica's pool), for the read-only traffic; `None` without a replica, and in the
    /// replica's own `App`.
    replica: Option<Replica>,
    /// True in the replica's `App`: writes (an inline indicator refresh) are left to the primary.
    pub read_only: bool,
    /// A region's indicator values for a period, and the open statistics of a period, as of
    /// the aggregates' generation (`monitoring::FigureCache`).
    pub(crate) region_values: monitoring::FigureCache<store::indicators::read::Values>,
    pub(crate) open_figures: monitoring::FigureCache<monitoring::OpenFigures>,
    /// The child regions' values a dashboard tabulates (region → values).
    pub(crate) child_values:
        monitoring::FigureCache<std::collections::BTreeMap<String, store::indicators::read::Values>>,
    /// Each area's worklist as of its villages' change stamps, the day and the policy
    /// (`episodes::worklist`).
    pub(crate) worklists: stamped_cache::StampedCache<episodes::WorklistStamp, Vec<episodes::WorkItem>>,
}

/// What the person page offers to open an episode with: active agencies and the job orders
/// selectable today. The same for every person and officer, so read once, not per view.
#[derive(Debug, Default)]
pub struct PlacementChoices {
    pub agencies: Vec<store::agencies::Agency>,
    /// The first [`JOB_ORDER_CHOICES`] selectable job orders, latest validity first.
    pub job_orders: Vec<store::job_orders::JobOrder>,
    /// More are selectable than listed: the form's picker (`/pick/job-orders`) finds them.
    pub more_job_orders: bool,
}

/// How many job orders the person page's episode form lists (issue 18: at national scale the
/// selectable ones run into the thousands, a `<select>` of every one is a page of options);
/// the others are found by searching (`app::job_orders::pick`).
pub const JOB_ORDER_CHOICES: i64 = 50;

/// How long a server offers its copy of the placement choices (another server may have added
/// an agency or job order; this one drops its copy on its own writes at once). The choice is
/// checked again when the form is sent.
const CHOICES_TTL: Duration = Duration::from_secs(30);

struct Replica {
    app: App,
    /// Set when the replica failed to answer: reads go to the primary until then.
    down_until: std::sync::Mutex<Option<std::time::Instant>>,
}

/// Where a read-only page's data came from, for the note it shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ReadSource {
    /// No replica configured: the primary, nothing to say.
    Primary,
    /// The replica, `lag_secs` behind the primary (`None`: caught up).
    Replica { lag_secs: Option<f64> },
    /// A replica is configured but did not answer: the primary served the page.
    Fallback,
}

/// How long reads stay on the primary after the replica failed to answer.
const REPLICA_RETRY: Duration = Duration::from_secs(30);

/// How long a server trusts its copy of the policy before reading it again.
const POLICY_TTL: Duration = Duration::from_secs(60);

impl std::ops::Deref for App {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl App {
    pub fn new(db: Db, config: Config) -> App {
        let clock = config.clock_start.map(Clock::starting_at).unwrap_or_default();
        let replica = match config.database_read_url.as_deref() {
            None => None,
            Some(url) => match Db::connect_replica(url) {
                Ok(read_db) => Some(Replica {
                    app: App::build(read_db, config.clone(), clock, None, true),
                    down_until: std::sync::Mutex::new(None),
                }),
                Err(e) => {
                    tracing::warn!(error = %e, "DATABASE_READ_URL not usable: reading from the primary");
                    None
                }
            },
        };
        App::build(db, config, clock, replica, false)
    }

    fn build(db: Db, config: Config, clock: Clock, replica: Option<Replica>, read_only: bool) -> App {
        App(Arc::new(Inner {
            clock,
            db,
            config,
            regions: tokio::sync::RwLock::new(None),
            policy: tokio::sync::RwLock::new(None),
            exchange: exchange::Runtime::default(),
            brokers: brokers::Runtime::default(),
            placement_choices: tokio::sync::RwLock::new(None),
            replica,
            read_only,
            region_values: monitoring::FigureCache::new(256),
            open_figures: monitoring::FigureCache::new(32),
            child_values: monitoring::FigureCache::new(256),
            worklists: stamped_cache::StampedCache::new(512),
        }))
    }

    /// The application to read from for read-only traffic (public portal, open statistics,
    /// dashboards), and where the data comes from: the replica when one is configured and
    /// answers, else the primary (logged once per failure, retried after `REPLICA_RETRY`).
    /// Never use the returned `App` for a write.
    pub async fn reader(&self) -> (App, ReadSource) {
        let Some(r) = &self.replica else { return (self.clone(), ReadSource::Primary) };
        let down = |until: &mut Option<std::time::Instant>| until.is_some_and(|t| t > std::time::Instant::now());
        if down(&mut r.down_until.lock().unwrap_or_else(|e| e.into_inner())) {
            return (self.clone(), ReadSource::Fallback);
        }
        match r.app.db.replica_lag().await {
            Ok(lag_secs) => (r.app.clone(), ReadSource::Replica { lag_secs }),
            Err(e) => {
                tracing::warn!(error = %e, "read replica unreachable: reading from the primary");
                *r.down_until.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some(std::time::Instant::now() + REPLICA_RETRY);
                (self.clone(), ReadSource::Fallback)
            }
        }
    }

    /// All region codes in memory, loaded on first use.
    pub async fn region_index(&self) -> Result<Arc<store::regions::RegionIndex>, store::StoreError> {
        let stamp = self.db.meta_get(store::regions::CHANGED_KEY).await?.unwrap_or_default();
        if let Some((s, index)) = self.regions.read().await.as_ref()
            && *s == stamp
        {
            return Ok(index.clone());
        }
        // Loaded under the write lock, checked again there: the requests that arrive together
        // after a start (or a region update) wait for one load of the ~90,000 codes instead of
        // each loading them (at 64 connections that stalled the first writes for 5 s).
        let mut slot = self.regions.write().await;
        if let Some((s, index)) = slot.as_ref()
            && *s == stamp
        {
            return Ok(index.clone());
        }
        let index = Arc::new(store::regions::RegionIndex::load(&self.db).await?);
        *slot = Some((stamp, index.clone()));
        Ok(index)
    }

    /// The placement policy (bans, zero-cost rule, no-contact days) and the documents
    /// requirement matrix, as stored; cached.
    pub async fn policy(&self) -> Result<Arc<store::policy::Loaded>, store::StoreError> {
        let fresh = |c: &Option<(std::time::Instant, Arc<store::policy::Loaded>)>| {
            c.as_ref().filter(|(at, _)| at.elapsed() < POLICY_TTL).map(|(_, p)| p.clone())
        };
        if let Some(p) = fresh(&*self.policy.read().await) {
            return Ok(p);
        }
        // Loading under the write lock: an edit's `reload_policy` waits for a load that may
        // have read before the edit committed, and then drops what it stored.
        let mut w = self.policy.write().await;
        if let Some(p) = fresh(&w) {
            return Ok(p);
        }
        let p = Arc::new(store::policy::load(&self.db).await?);
        *w = Some((std::time::Instant::now(), p.clone()));
        Ok(p)
    }

    /// Forgets the cached policy; call after an edit has committed.
    pub async fn reload_policy(&self) {
        *self.policy.write().await = None;
    }

    /// The episode form's choices for today (cached, see [`PlacementChoices`]).
    pub async fn placement_choices(&self) -> Result<Arc<PlacementChoices>, store::StoreError> {
        let today = self.today();
        let fresh = |c: &Option<(std::time::Instant, time::Date, Arc<PlacementChoices>)>| {
            c.as_ref().filter(|(at, day, _)| at.elapsed() < CHOICES_TTL && *day == today).map(|(_, _, p)| p.clone())
        };
        if let Some(p) = fresh(&*self.placement_choices.read().await) {
            return Ok(p);
        }
        // Loaded under the write lock, like the policy: a write's `reload_choices` waits for it.
        let mut w = self.placement_choices.write().await;
        if let Some(p) = fresh(&w) {
            return Ok(p);
        }
        let agencies = store::agencies::search(&self.db, &[], None, 500)
            .await?
            .into_iter()
            .filter(|a| a.status == "active")
            .collect();
        let mut job_orders = store::job_orders::selectable(&self.db, today, "", JOB_ORDER_CHOICES + 1).await?;
        let more_job_orders = job_orders.len() as i64 > JOB_ORDER_CHOICES;
        job_orders.truncate(JOB_ORDER_CHOICES as usize);
        let p = Arc::new(PlacementChoices { agencies, job_orders, more_job_orders });
        *w = Some((std::time::Instant::now(), today, p.clone()));
        Ok(p)
    }

    /// Forgets the cached placement choices; call after an agency or job order write committed.
    pub async fn reload_choices(&self) {
        *self.placement_choices.write().await = None;
    }
}

impl App {
    /// Today on the ministry's clock (WIB); see [`Clock::today_in`] for a village's own day.
    pub fn today(&self) -> time::Date {
        self.clock.today()
    }
}
