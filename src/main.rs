//! The `desmigratif` binary: serve (default), migrate, user, audit, backup, persons rekey, …

use anyhow::Context;
use clap::{Parser, Subcommand};
use web::Config;
use web::bootstrap::{self, Startup};

#[derive(Parser)]
#[command(name = "desmigratif", version, about = "Desa Migran Produktif information system")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default): migrate, load regions, create the first admin, listen.
    Serve,
    /// Apply pending migrations and load region data, then exit.
    Migrate,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Audit log tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// People's records: maintenance.
    Persons {
        #[command(subcommand)]
        command: PersonsCommand,
    },
    /// Bulk imports.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// DHIS2 interoperability (docs/DHIS2.md).
    Dhis2 {
        #[command(subcommand)]
        command: Dhis2Command,
    },
    /// Monitoring indicators (kept up to date by the server; this runs the refresh by hand).
    Indicators {
        #[command(subcommand)]
        command: IndicatorsCommand,
    },
    /// Fill a fresh database with synthetic national data, deterministic from the seed
    /// (villages, people, journeys, cases…; see docs/GENERATOR.md).
    Generate {
        /// small (a few thousand people), 1m or 10m.
        #[arg(long, default_value = "small")]
        scale: String,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The data's today, YYYY-MM-DD or "today" (default 2025-06-30: the same seed gives the
        /// same rows on any day).
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Region codes: apply a new Kemendagri release, move records off retired codes
    /// (docs/REGIONS.md).
    /// Village cooperatives (docs/COOPERATIVE.md).
    Cooperative {
        #[command(subcommand)]
        command: CooperativeCommand,
    },
    Regions {
        #[command(subcommand)]
        command: RegionsCommand,
    },
    /// Write a consistent copy of the SQLite database while the server runs.
    Backup {
        /// Target file (must not exist). Default: data/backups/desmigratif-<unix time>.db
        #[arg(long)]
        to: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        full_name: String,
        /// national_admin, national_analyst, province_officer, regency_officer, village_head,
        /// village_officer, cooperative_manager, facilitator, partner
        #[arg(long)]
        role: String,
        /// Region code (empty for national roles).
        #[arg(long, default_value = "")]
        region_code: String,
        /// Password; read from DESMIGRATIF_NEW_PASSWORD if not given, generated if neither.
        #[arg(long, env = "DESMIGRATIF_NEW_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
}

#[derive(Subcommand)]
enum PersonsCommand {
    /// Recompute the stored name search keys (persons, agencies, broker aliases) after the
    /// spelling rules changed, batch by batch with progress; resumes where a stopped run ended.
    /// The server does the same in the background on its own (docs/OPERATIONS.md "Re-keying").
    Rekey {
        /// Start over from the first row even when the keys are recorded as current (a
        /// database an older binary wrote to after its re-keying).
        #[arg(long)]
        all: bool,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import people from a CSV file (nik,kk_number,full_name,sex,birth_date,birth_place,
    /// village_code,phone; comma or semicolon; UTF-8) as an existing account, whose role and
    /// region apply. Rows already registered with the same data are skipped; rejected rows are
    /// written with their line and reason to FILE.rejected.csv.
    Persons {
        file: std::path::PathBuf,
        /// Save rows whose only problems are NIK warnings (the warnings are kept on the record).
        #[arg(long)]
        confirm_warnings: bool,
        /// Username of the account the import runs as (must exist and be enabled).
        #[arg(long, default_value = "cli")]
        as_user: String,
    },
    /// Import an OpenSID "Data Penduduk" workbook (.xlsx) into one village, as the API and the
    /// page do (docs/OPENSID.md): new NIKs registered, known ones completed where empty; the
    /// refused rows are printed with their row, column and reason.
    Opensid {
        file: std::path::PathBuf,
        /// The village's Kemendagri code (53.07.01.2001).
        #[arg(long)]
        village: String,
        /// Report what would happen and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Username of the account the import runs as (must exist and be enabled).
        #[arg(long, default_value = "cli")]
        as_user: String,
    },
}

#[derive(Subcommand)]
enum RegionsCommand {
    /// Compare DIR (provinces.csv, regencies.csv, districts.csv, villages.csv in
    /// idn-area-data's format) with the database and print the report: new, renamed, moved
    /// (candidates) and removed codes, and the records on codes that go. Applies new and
    /// renamed codes and retires removed ones (never deletes); audited.
    Update {
        dir: std::path::PathBuf,
        /// Print the report without writing anything.
        #[arg(long)]
        dry_run: bool,
        /// Print the report as JSON (for scripts).
        #[arg(long)]
        json: bool,
    },
    /// Move every record on the retired code OLD to NEW (default: OLD's proposed successor).
    Reassign { old: String, new: Option<String> },
    /// List the retired codes with the number of records still on them.
    Retired,
}

#[derive(Subcommand)]
enum Dhis2Command {
    /// Import a DHIS2 org-unit hierarchy (metadata JSON with `organisationUnits`): units are
    /// matched to regions by code, with or without dots; prints matched, unmatched and
    /// conflicting units. Runs as a national admin account (audited); importing again changes nothing.
    ImportOrgunits {
        file: std::path::PathBuf,
        /// Username of the national admin account the import runs as.
        #[arg(long, default_value = "admin")]
        as_user: String,
    },
}

#[derive(Subcommand)]
enum CooperativeCommand {
    /// The month-end run for a finished month: deposit maturities, then interest on sukarela,
    /// per cooperative (each independent; a repeated run skips finished steps).
    MonthEnd {
        /// YYYY-MM.
        #[arg(long)]
        month: String,
        /// Only this cooperative (every cooperative when omitted).
        #[arg(long)]
        cooperative: Option<i64>,
    },
}

#[derive(Subcommand)]
enum IndicatorsCommand {
    /// Recompute the villages changed since the last refresh and update every rollup.
    Refresh {
        /// Forget all aggregates and rebuild them from the raw tables (after a bulk load).
        #[arg(long)]
        all: bool,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the keyed hash chain and compare it with the checkpoints; exit 1 if any entry was
    /// edited, removed or reordered, the head moved or the checkpoints altered, 2 if it
    /// cannot verify (no key, another key).
    Verify {
        /// Checkpoint file to compare with, e.g. a copy kept off the machine or a syslog
        /// file (default: DESMIGRATIF_AUDIT_CHECKPOINT_FILE).
        #[arg(long)]
        checkpoints: Option<std::path::PathBuf>,
    },
    /// Record the current head now: append a checkpoint to the checkpoint file and print
    /// it (for cron, then ship the line off the machine: syslog, rsync).
    Checkpoint,
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("DESMIGRATIF_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let json = std::env::var("DESMIGRATIF_LOG_FORMAT").is_ok_and(|v| v == "json");
    if json {
        tracing_subscriber::fmt().json().with_env_filter(filter).init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).with_target(false).init();
    }
}

fn print_startup(s: &Startup, cfg: &Config) {
    if s.migrations_applied > 0 {
        println!("Applied {} migration(s).", s.migrations_applied);
    }
    if s.regions_loaded > 0 {
        println!("Loaded {} regions (idn-area-data, ODbL).", s.regions_loaded);
    }
    if let Some(r) = &s.regions_update {
        // The embedded release changed: the same report as `regions update` (also logged).
        print!("{}", r.render_text());
    }
    if s.name_keys_outdated {
        println!(
            "The name search keys are older than this version's spelling rules (version {}): the server re-keys them \
             in the background, or run `desmigratif persons rekey` (docs/OPERATIONS.md \"Re-keying\").",
            domain::name::KEY_VERSION
        );
    }
    if let Some((user, password)) = &s.admin_created {
        println!();
        println!("  First national admin account created.");
        println!("  Username: {user}");
        match password {
            Some(p) => println!("  Password: {p}    (shown once: write it down, then change it)"),
            None => println!("  Password: the one in DESMIGRATIF_ADMIN_PASSWORD"),
        }
        println!();
    }
    if s.admin_env_ignored {
        // Said on every start that has them, so a failed login is never a mystery.
        eprintln!(
            "Note: DESMIGRATIF_ADMIN_USER / DESMIGRATIF_ADMIN_PASSWORD ignored: this database already has accounts \
             (they only create the first admin of a new database). Sign in with an existing account, or add one \
             with `desmigratif user create`."
        );
    }
    println!("Database ready in {} ms ({}).", s.elapsed_ms, redact(&cfg.database_url));
}

/// The first admin's login again at the end of a long output (generate), so it is not lost
/// above thousands of lines.
fn print_admin_again(s: &Startup) {
    if let Some((user, password)) = &s.admin_created {
        match password {
            Some(p) => println!("Sign in as {user} with the password {p} (shown once: write it down, then change it)."),
            None => println!("Sign in as {user} with the password in DESMIGRATIF_ADMIN_PASSWORD."),
        }
    }
}

/// The file of a `sqlite:` database URL (for the backup's progress), `None` for PostgreSQL.
fn sqlite_file(url: &str) -> Option<String> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| path.to_string())
}

/// Hides a password in a PostgreSQL URL before it is printed.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}

/// mimalloc: per-thread heaps without a global lock, and it returns freed pages to the OS.
/// glibc malloc limited to two arenas (the earlier answer to RSS creep, docs/RESILIENCE.md)
/// made the threads contend for those arenas under load (issue 18's profile).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // The optional file sets environment variables, so it is read before any thread starts.
    web::config::load_config_file()?;
    init_logging();
    let cfg = Config::from_env()?;
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run(cli, cfg))
}

async fn run(cli: Cli, cfg: Config) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let startup = bootstrap::prepare(&cfg).await?;
            print_startup(&startup, &cfg);
            let listener = tokio::net::TcpListener::bind(cfg.addr)
                .await
                .with_context(|| format!("cannot listen on {} (DESMIGRATIF_ADDR)", cfg.addr))?;
            println!("Desmigratif is listening on http://{}", listener.local_addr()?);
            let db = startup.db.clone();
            let state = web::AppState::new(startup.db, cfg);
            web::serve(listener, state, shutdown_signal()).await?;
            db.close().await;
        }
        Command::Indicators { command: IndicatorsCommand::Refresh { all } } => {
            let startup = bootstrap::prepare(&cfg).await?;
            print_startup(&startup, &cfg);
            let db = startup.db.clone();
            if all {
                store::indicators::refresh::mark_everything(&db).await?;
            }
            let started = std::time::Instant::now();
            let pending = store::indicators::refresh::pending(&db).await?;
            let today = web::AppState::new(db.clone(), cfg.clone()).today();
            let bar = generate::progress::bar("indicators", Some(pending.max(0) as u64), "marks");
            // Batch by batch (as the server does), so the bar moves.
            let mut done = store::indicators::refresh::Refreshed::default();
            loop {
                let r = store::indicators::refresh::refresh_batch(&db, today).await?;
                if r.marks == 0 {
                    break;
                }
                done.villages += r.villages;
                done.marks += r.marks;
                bar.inc(r.marks as u64);
                bar.set_message(format!("{} villages", done.villages));
            }
            bar.finish_and_clear();
            println!(
                "Refreshed {} village(s) from {} change mark(s) ({} pending before) in {} ms.",
                done.villages,
                done.marks,
                pending,
                started.elapsed().as_millis()
            );
            db.close().await;
        }
        Command::Regions { command } => regions(cfg, command).await?,
        Command::Cooperative { command: CooperativeCommand::MonthEnd { month, cooperative } } => {
            let startup = bootstrap::prepare(&cfg).await?;
            print_startup(&startup, &cfg);
            let db = startup.db.clone();
            let state = web::AppState::new(startup.db, cfg);
            let actor = store::audit::Actor::system("cooperative month-end");
            let started = std::time::Instant::now();
            let bar = generate::progress::bar("month-end", None, "cooperatives");
            let mut last = None;
            let failures = web::coop_month_end::run_all(&state, &actor, cooperative, &month, |p| {
                bar.set_length(p.total as u64);
                bar.set_position(p.done as u64);
                bar.set_message(format!("{} entries, {} failed", p.entries, p.failed));
                last = Some(p);
            })
            .await
            .map_err(|e| anyhow::anyhow!("{}", month_end_refusal(&e)))?;
            bar.finish_and_clear();
            let p = last.unwrap_or(web::coop_month_end::Progress { done: 0, total: 0, failed: 0, entries: 0 });
            let secs = started.elapsed().as_secs_f64().max(0.001);
            println!(
                "Month-end {month}: {}/{} cooperative(s) done, {} entries posted, {} failed, {:.1} cooperatives/s.",
                p.done,
                p.total,
                p.entries,
                p.failed,
                p.done as f64 / secs
            );
            for f in &failures {
                println!("  cooperative {}: {}", f.cooperative_id, f.error.as_deref().unwrap_or(""));
            }
            db.close().await;
            if !failures.is_empty() {
                std::process::exit(1);
            }
        }
        Command::Migrate => {
            let startup = bootstrap::prepare(&cfg).await?;
            print_startup(&startup, &cfg);
            startup.db.close().await;
        }
        Command::User { command: UserCommand::Create { username, full_name, role, region_code, password } } => {
            let startup = bootstrap::prepare(&cfg).await?;
            print_startup(&startup, &cfg);
            let (password, generated) = match password {
                Some(p) => (p, false),
                None => (domain::password::generate(), true),
            };
            let state = web::AppState::new(startup.db.clone(), cfg);
            let input = domain::user::NewUserInput {
                username: &username,
                password: &password,
                full_name: &full_name,
                role: &role,
                region_code: &region_code,
            };
            match web::accounts::create_account(&state, &store::audit::Actor::system("cli"), &input, false).await {
                Ok(u) => {
                    println!("Created user {} (id {}, {}).", u.username, u.id, u.role);
                    if generated {
                        println!("Password: {password}");
                    }
                }
                Err(web::accounts::CreateError::Invalid(e)) => anyhow::bail!("not created: {e}"),
                Err(web::accounts::CreateError::Store(e)) => return Err(e.into()),
            }
            startup.db.close().await;
        }
        Command::Audit { command: AuditCommand::Verify { checkpoints } } => {
            let db = store::Db::connect_existing(&cfg.database_url).await?;
            let file = checkpoints.unwrap_or_else(|| cfg.audit_checkpoint_file.clone());
            let outcome = web::audit_trail::verify(&db, &cfg, &file).await?;
            db.close().await;
            match outcome {
                web::audit_trail::VerifyOutcome::Intact { message } => println!("{message}"),
                web::audit_trail::VerifyOutcome::Tampered { message, .. } => {
                    eprintln!("{message}");
                    std::process::exit(1);
                }
                web::audit_trail::VerifyOutcome::CannotVerify { message } => {
                    eprintln!("AUDIT VERIFY NOT POSSIBLE: {message}");
                    std::process::exit(2);
                }
            }
        }
        Command::Audit { command: AuditCommand::Checkpoint } => {
            use web::audit_trail::{Checkpointed, checkpoint, load_key, read_checkpoints};
            let db = store::Db::connect_existing(&cfg.database_url).await?;
            let Some(key) = load_key(&cfg)? else {
                anyhow::bail!(
                    "no audit key (DESMIGRATIF_AUDIT_KEY, or the file {}): start the server once to create it",
                    cfg.audit_key_file.display()
                );
            };
            let path = &cfg.audit_checkpoint_file;
            let last = read_checkpoints(path, &key)?.checkpoints.into_iter().max_by_key(|c| c.seq);
            let done = checkpoint(&db, &key, path, last.as_ref(), store::now()).await?;
            db.close().await;
            match (done, last) {
                (Checkpointed::Written(c), _) | (Checkpointed::Unchanged, Some(c)) => println!("{}", c.to_line()),
                (Checkpointed::Unchanged, None) => {}
                (Checkpointed::NotKeyed, _) => {
                    anyhow::bail!(
                        "the audit chain is not keyed yet: start the server (or run `desmigratif migrate`) once"
                    )
                }
                (Checkpointed::Refused(why), _) => {
                    eprintln!("AUDIT CHECKPOINT REFUSED: {why}; run `desmigratif audit verify`");
                    std::process::exit(1);
                }
            }
        }
        Command::Persons { command: PersonsCommand::Rekey { all } } => {
            let startup = bootstrap::prepare(&cfg).await?;
            print_startup(&startup, &cfg);
            let db = startup.db.clone();
            let started = std::time::Instant::now();
            let bar = generate::progress::bar("rekey", None, "rows");
            let actor = store::audit::Actor::system("cli");
            let outcome = web::name_keys::rekey(&db, &actor, all, |p| {
                bar.set_length(p.total.max(p.read));
                bar.set_position(p.read);
                bar.set_message(format!("{} keys rewritten", p.rewritten));
            })
            .await;
            bar.finish_and_clear();
            db.close().await;
            match outcome.map_err(|e| anyhow::anyhow!("re-keying stopped: {e} (run it again to resume)"))? {
                web::name_keys::Outcome::Current => {
                    println!("The name keys are already version {}: nothing to do.", domain::name::KEY_VERSION)
                }
                web::name_keys::Outcome::Rekeyed(p) => println!(
                    "Re-keyed to version {}: {} row(s) read, {} key(s) rewritten in {} batch(es), {} ms.",
                    domain::name::KEY_VERSION,
                    p.read,
                    p.rewritten,
                    p.batches,
                    started.elapsed().as_millis()
                ),
            }
        }
        Command::Import { command: ImportCommand::Persons { file, confirm_warnings, as_user } } => {
            import_persons(cfg, &file, confirm_warnings, &as_user).await?;
        }
        Command::Import { command: ImportCommand::Opensid { file, village, dry_run, as_user } } => {
            import_opensid(cfg, &file, &village, dry_run, &as_user).await?;
        }
        Command::Dhis2 { command: Dhis2Command::ImportOrgunits { file, as_user } } => {
            import_org_units(cfg, &file, &as_user).await?;
        }
        Command::Generate { scale, seed, as_of } => generate(&cfg, &scale, seed, as_of.as_deref()).await?,
        Command::Backup { to } => {
            let db = store::Db::connect_existing(&cfg.database_url).await?;
            let ext = if db.backend() == store::Backend::Sqlite { "db" } else { "dump" };
            let target = to.unwrap_or_else(|| format!("data/backups/desmigratif-{}.{ext}", store::now()));
            if std::path::Path::new(&target).exists() {
                anyhow::bail!("{target} exists; choose a new file");
            }
            if let Some(dir) = std::path::Path::new(&target).parent() {
                std::fs::create_dir_all(dir)?;
            }
            // The copy is one statement: the bar follows the target file growing towards the
            // database's size (SQLite) or counts the dump's bytes (pg_dump).
            let size = sqlite_file(&cfg.database_url).and_then(|p| std::fs::metadata(p).ok()).map(|m| m.len());
            let bar = generate::progress::bar("backup", size, "bytes");
            let watcher = {
                let (bar, target) = (bar.clone(), target.clone());
                tokio::spawn(async move {
                    loop {
                        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                        if let Ok(m) = std::fs::metadata(&target) {
                            bar.set_position(m.len());
                        }
                    }
                })
            };
            let copied = match db.backend() {
                store::Backend::Sqlite => db.backup_to(&target).await.map_err(anyhow::Error::from),
                // pg_dump reads one snapshot, so the copy is consistent while the server writes.
                store::Backend::Postgres => {
                    // A blocking wait would stop the watcher on a one-thread runtime; this one has more.
                    let status = std::process::Command::new("pg_dump")
                        .args(["--format=custom", "--file", &target, &cfg.database_url])
                        .status()
                        .context("running pg_dump (install the PostgreSQL client)");
                    match status {
                        Ok(status) if !status.success() => Err(anyhow::anyhow!("pg_dump failed ({status})")),
                        Ok(_) => Ok(()),
                        Err(e) => Err(e),
                    }
                }
            };
            watcher.abort();
            bar.finish_and_clear();
            copied?;
            db.close().await;
            println!("Backup written to {target}");
        }
    }
    Ok(())
}

/// `generate`: synthetic national data into the configured database.
async fn generate(cfg: &Config, scale: &str, seed: u64, as_of: Option<&str>) -> anyhow::Result<()> {
    let Some(scale) = generate::Scale::parse(scale) else {
        anyhow::bail!("unknown scale {scale:?}: use small, 1m or 10m");
    };
    let mut opts = generate::Options::new(scale, seed);
    opts.progress = true;
    match as_of {
        None => {}
        Some("today") => opts.as_of = time::OffsetDateTime::now_utc().date(),
        Some(d) => {
            opts.as_of =
                domain::person::parse_date(d).with_context(|| format!("--as-of {d}: a date such as 2025-06-30"))?
        }
    }
    let startup = bootstrap::prepare(cfg).await?;
    print_startup(&startup, cfg);
    let db = startup.db.clone();
    eprintln!(
        "Generating scale {} ({} people), seed {seed}, as of {} into {}",
        scale.as_str(),
        opts.spec.people,
        opts.as_of,
        redact(&cfg.database_url)
    );
    let report = generate::run(&db, &opts).await?;
    for p in &report.pillars {
        println!(
            "  {:<9} {:>11} rows in {:>7.1} s  ({:>9.0} rows/s)",
            p.name,
            p.rows,
            p.elapsed.as_secs_f64(),
            p.rows as f64 / p.elapsed.as_secs_f64().max(1e-9)
        );
    }
    println!("Rows per table:");
    for (table, n) in &report.tables {
        println!("  {table:<22} {n:>11}");
    }
    println!(
        "Generated {} people, {} rows in {:.1} s ({:.0} rows/s).",
        report.people,
        report.total_rows,
        report.elapsed.as_secs_f64(),
        report.rows_per_second()
    );
    let sum = generate::checksum(&db, "persons", generate::PERSON_COLUMNS, "id").await?;
    println!("Checksum of persons (SHA-256): {sum}");
    for (table, columns, order) in generate::PILLAR_CHECKSUMS {
        let sum = generate::checksum(&db, table, columns, order).await?;
        println!("Checksum of {table} (SHA-256): {sum}");
    }
    print_admin_again(&startup);
    db.close().await;
    Ok(())
}

/// `dhis2 import-orgunits`: the API's org-unit import, run from the command line as a named account.
async fn import_org_units(cfg: Config, path: &std::path::Path, as_user: &str) -> anyhow::Result<()> {
    let data = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let db = store::Db::connect_existing(&cfg.database_url).await?;
    let (principal, actor) = cli_account(&cfg, &db, as_user, None).await?;
    let state = web::AppState::new(db.clone(), cfg);
    let report = match web::dhis2::import_org_units(&state, &principal, &actor, &data).await {
        Ok(r) => r,
        Err(web::AppError::Forbidden) => anyhow::bail!("the account {as_user} may not import org units"),
        Err(web::AppError::Invalid(errs)) => {
            let lines: Vec<String> = errs.0.iter().map(|e| format!("{}: {}", e.field, e.detail)).collect();
            anyhow::bail!("{}: {}", path.display(), lines.join("; "))
        }
        Err(e) => return Err(anyhow::anyhow!("{e:?}")),
    };
    db.close().await;
    println!(
        "{} org units: {} matched ({} new or changed, {} unchanged), {} unmatched, {} conflicting",
        report.units, report.matched, report.written, report.unchanged, report.unmatched, report.conflicting
    );
    for c in &report.conflicts {
        println!(
            "conflict  {} {} {:?}: {} (parent here {:?}, in DHIS2 {:?})",
            c.id, c.code, c.name, c.reason, c.our_parent, c.their_parent
        );
    }
    for u in &report.unmatched_units {
        println!("unmatched {} {:?} {:?}", u.id, u.code, u.name);
    }
    Ok(())
}

/// `regions update|reassign|retired`, as the operator at the console (like `user create`).
async fn regions(cfg: Config, command: RegionsCommand) -> anyhow::Result<()> {
    use web::region_update as ru;
    let startup = bootstrap::prepare(&cfg).await?;
    print_startup(&startup, &cfg);
    let db = startup.db.clone();
    let state = web::AppState::new(startup.db, cfg);
    let principal = ru::operator();
    let actor = store::audit::Actor::system("cli");
    let refused = |e: web::region_update::Error| anyhow::anyhow!("{}", ru::explain(&e));
    match command {
        RegionsCommand::Update { dir, dry_run, json } => {
            let mut texts = Vec::new();
            for (file, _) in domain::region_update::FILES {
                let path = dir.join(file);
                texts.push(std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?);
            }
            let texts: [&str; 4] = [&texts[0], &texts[1], &texts[2], &texts[3]];
            let report = ru::update(&state, &principal, &actor, texts, dry_run).await.map_err(refused)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", report.render_text());
            }
        }
        RegionsCommand::Reassign { old, new } => {
            let r =
                ru::reassign(&state, &principal, &actor, &old, new.as_deref().unwrap_or("")).await.map_err(refused)?;
            println!("Moved {} record(s) from {} to {} (audited).", r.total_moved(), r.old_code, r.new_code);
            for m in &r.moved {
                if m.left > 0 {
                    println!(
                        "  {}: {} moved, {} left on {} (the successor already has one)",
                        m.records, m.moved, m.left, r.old_code
                    );
                } else {
                    println!("  {}: {}", m.records, m.moved);
                }
            }
        }
        RegionsCommand::Retired => {
            let list = ru::retired(&state, &principal).await.map_err(refused)?;
            println!("{} retired code(s).", list.len());
            for r in &list {
                let records: Vec<String> = r.records.iter().map(|x| format!("{} {}", x.records, x.count)).collect();
                println!(
                    "  {}  {} -> {}  {}",
                    r.code,
                    r.name,
                    r.successor_code.as_deref().unwrap_or("(no successor)"),
                    if records.is_empty() { "no records".to_string() } else { records.join(", ") }
                );
            }
        }
    }
    db.close().await;
    Ok(())
}

/// The account a command-line job runs as: enabled, with a readable role; its audit entries
/// keyed like the server's. `needs` is checked here when the job's operation does not check it.
async fn cli_account(
    cfg: &Config,
    db: &store::Db,
    as_user: &str,
    needs: Option<(domain::Action, &str)>,
) -> anyhow::Result<(domain::access::Principal, store::audit::Actor)> {
    if let Some(key) = web::audit_trail::load_key(cfg)? {
        store::audit::install_key(&key);
    }
    let user = match store::users::by_username(db, as_user).await? {
        Some(u) if u.disabled => anyhow::bail!("the account {as_user} is disabled"),
        Some(u) => u,
        None => anyhow::bail!("no account named {as_user}: name an existing one with --as-user"),
    };
    let principal =
        user.principal().with_context(|| format!("the account {as_user} has no readable role or region"))?;
    if let Some((action, what)) = needs {
        if !principal.can(action, principal.scope.code()) {
            anyhow::bail!("the account {as_user} ({}) may not {what}", user.role);
        }
    }
    let actor = store::audit::Actor {
        user_id: Some(user.id),
        username: user.username.clone(),
        ip: String::new(),
        request_id: "cli".into(),
    };
    Ok((principal, actor))
}

/// `import opensid`: the API's OpenSID import, run from the command line as a named account.
async fn import_opensid(
    cfg: Config,
    path: &std::path::Path,
    village: &str,
    dry_run: bool,
    as_user: &str,
) -> anyhow::Result<()> {
    let data = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let village: domain::RegionCode =
        village.trim().parse().map_err(|_| anyhow::anyhow!("--village: a village code such as 53.07.01.2001"))?;
    let db = store::Db::connect_existing(&cfg.database_url).await?;
    let (principal, actor) =
        cli_account(&cfg, &db, as_user, Some((domain::Action::EditPerson, "register people"))).await?;
    let state = web::AppState::new(db.clone(), cfg);
    let result = web::opensid::import_opensid(&state, &principal, &actor, &village, &data, dry_run).await;
    db.close().await;
    let lang = web::i18n::Lang::Id;
    let report = match result {
        Ok(r) => r,
        Err(web::opensid::Error::Invalid(e)) => {
            let why: Vec<String> = e.0.iter().map(|f| web::i18n::field_message(lang, f)).collect();
            anyhow::bail!("{}: {}", path.display(), why.join(" "))
        }
        Err(web::opensid::Error::Forbidden) => {
            anyhow::bail!("the account {as_user} may not register people in {village}")
        }
        Err(e) => anyhow::bail!("import failed: {e:?}"),
    };
    for e in &report.errors {
        println!("row {}\t{}\t{}", e.row, e.error.field, web::opensid::message(lang, &e.error));
    }
    println!(
        "{}{} created, {} updated, {} unchanged, {} refused.",
        if dry_run { "Dry run: " } else { "" },
        report.created,
        report.updated,
        report.unchanged,
        report.refused()
    );
    Ok(())
}

/// `import persons`: the page's import, run from the command line as a named account.
async fn import_persons(cfg: Config, path: &std::path::Path, confirm: bool, as_user: &str) -> anyhow::Result<()> {
    let data = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let file = domain::import::ImportFile::parse(data).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let db = store::Db::connect_existing(&cfg.database_url).await?;
    let (principal, actor) =
        cli_account(&cfg, &db, as_user, Some((domain::Action::EditPerson, "register people"))).await?;
    let state = web::AppState::new(db.clone(), cfg);
    let bar = generate::progress::bar("import", Some(file.row_count() as u64), "rows");
    let report = web::import::run(&state, &principal, &actor, &file, confirm, "cli", |c| {
        bar.set_position(c.processed as u64);
    })
    .await;
    bar.finish_and_clear();
    db.close().await;
    let c = report.counts;
    eprintln!("{} of {} rows read.", c.processed, c.total);
    println!("{} created, {} already registered (skipped), {} rejected.", c.created, c.skipped, c.rejected);
    if !file.ignored_columns().is_empty() {
        println!("Columns not read: {}", file.ignored_columns().join(", "));
    }
    if !report.rejected.is_empty() {
        let mut out = path.as_os_str().to_owned();
        out.push(".rejected.csv");
        // Reasons in Indonesian, like the page's default: the file goes back to the village.
        let t = web::i18n::T::new(web::i18n::Lang::Id);
        std::fs::write(&out, web::import::rejected_csv(t, file.header(), file.delimiter(), &report.rejected))
            .with_context(|| format!("cannot write {}", out.display()))?;
        println!("Rejected rows, with line and reason: {}", out.display());
    }
    Ok(())
}

/// A month-end refusal as one line (field: detail).
fn month_end_refusal(e: &web::AppError) -> String {
    match e {
        web::AppError::Invalid(v) => {
            v.0.iter().map(|f| format!("{}: {}", f.field, f.detail)).collect::<Vec<_>>().join("; ")
        }
        other => other.to_string(),
    }
}
