//! Region updates (issue 19): apply a Kemendagri release (idn-area-data's four CSV files),
//! list the retired codes with the records on them, move those records to a successor.
//! The embedded data's upgrade at start uses the same update (`upgrade_embedded`).

use crate::App as AppState;
pub use crate::error::Error;
use crate::error::Result;
use domain::access::{Action, Principal};
use domain::region_update::{self as ru, CodeState, Plan, PlanCounts};
use domain::{FieldError, RegionCode, Role, Scope};
use serde::Serialize;
use store::audit::Actor;
use store::region_update::{Reassigned, RecordCount};

/// The operator at the server's console (shell access to the host and its database, like
/// `desmigratif user create`): the principal the command line's region commands run as.
pub fn operator() -> Principal {
    Principal { user_id: 0, role: Role::NationalAdmin, scope: Scope::National }
}

fn require(principal: &Principal) -> Result<()> {
    if principal.can(Action::ManageRegions, None) { Ok(()) } else { Err(Error::Forbidden) }
}

/// Records of one kind on one code.
#[derive(Debug, Clone, Serialize)]
pub struct Records {
    pub records: &'static str,
    pub count: i64,
}

/// A code this update retires (or retired earlier), with the records sitting on it.
#[derive(Debug, Clone, Serialize)]
pub struct Affected {
    pub code: String,
    pub name: String,
    pub successor: Option<String>,
    pub records: Vec<Records>,
}

impl Affected {
    pub fn total(&self) -> i64 {
        self.records.iter().map(|r| r.count).sum()
    }
}

/// What an update found and did.
#[derive(Debug, Clone, Serialize)]
pub struct UpdateReport {
    pub input_sha256: String,
    pub dry_run: bool,
    /// Written (false for a dry run and when there was nothing to change).
    pub applied: bool,
    pub counts: PlanCounts,
    pub plan: Plan,
    /// Records on the codes this update retires, to reassign (codes without records left out).
    pub affected: Vec<Affected>,
}

impl UpdateReport {
    /// The report as a person reads it on a terminal or in the log.
    pub fn render_text(&self) -> String {
        use std::fmt::Write;
        let c = &self.counts;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "Region update (input sha256 {}): {} new, {} renamed, {} moved (candidates), {} removed, {} restored, {} unchanged.",
            &self.input_sha256[..16.min(self.input_sha256.len())],
            c.new,
            c.renamed,
            c.moved,
            c.removed,
            c.restored,
            c.unchanged
        );
        let p = &self.plan;
        if !p.new.is_empty() {
            let _ = writeln!(s, "\nNew:");
            for r in &p.new {
                let _ = writeln!(s, "  {}  {}", r.code, r.name);
            }
        }
        if !p.renamed.is_empty() {
            let _ = writeln!(s, "\nRenamed:");
            for r in &p.renamed {
                let _ = writeln!(s, "  {}  {} -> {}", r.code, r.old_name, r.new_name);
            }
        }
        if !p.moved.is_empty() {
            let _ = writeln!(
                s,
                "\nMoved (candidates: a code gone and a new one of the same name in the same regency or province;\n\
                 the old code is retired with the new one as its proposed successor):"
            );
            for m in &p.moved {
                let _ = writeln!(s, "  {}  {} -> {}  {}", m.old_code, m.old_name, m.new_code, m.new_name);
            }
        }
        if !p.removed.is_empty() {
            let _ = writeln!(s, "\nRemoved (retired, not deleted: records keep them until reassigned):");
            for r in &p.removed {
                let _ = writeln!(s, "  {}  {}", r.code, r.name);
            }
        }
        if !p.restored.is_empty() {
            let _ = writeln!(s, "\nRestored (retired codes back in the release):");
            for r in &p.restored {
                let _ = writeln!(s, "  {}  {}", r.code, r.name);
            }
        }
        if self.affected.is_empty() {
            let _ = writeln!(s, "\nNo record sits on a code this update retires.");
        } else {
            let _ = writeln!(
                s,
                "\nRecords on retired codes, to reassign (`desmigratif regions reassign OLD NEW` or /admin/regions):"
            );
            for a in &self.affected {
                let list: Vec<String> = a.records.iter().map(|r| format!("{} {}", r.records, r.count)).collect();
                let _ = writeln!(
                    s,
                    "  {}  {} -> {}: {}",
                    a.code,
                    a.name,
                    a.successor.as_deref().unwrap_or("(no successor)"),
                    list.join(", ")
                );
            }
        }
        let _ = writeln!(
            s,
            "\n{}",
            match (self.dry_run, self.applied) {
                (true, _) => "Dry run: nothing written.",
                (false, true) => "Applied (audited).",
                (false, false) => "Nothing to change.",
            }
        );
        s
    }
}

fn group(counts: Vec<RecordCount>) -> Vec<(String, Vec<Records>)> {
    let mut out: Vec<(String, Vec<Records>)> = vec![];
    for rc in counts {
        let r = Records { records: rc.records, count: rc.count };
        match out.last_mut() {
            Some((code, list)) if *code == rc.code => list.push(r),
            _ => out.push((rc.code, vec![r])),
        }
    }
    out
}

/// The update itself, on a database (the start-up upgrade has no `App` yet). `texts` are the
/// four files in `domain::region_update::FILES` order; `version` is recorded when given.
pub async fn update_on(
    db: &store::Db,
    actor: &Actor,
    texts: [&str; 4],
    version: Option<&str>,
    dry_run: bool,
) -> Result<UpdateReport> {
    let rows = ru::parse_release(texts).map_err(|e| {
        Error::Invalid(domain::ValidationErrors(vec![
            FieldError::new(e.file, domain::Rule::Format, e.to_string())
                .param("line", e.line)
                .param("reason", &e.reason)
                .message("msg_key.region_file_line"),
        ]))
    })?;
    let input_sha256 = ru::input_hash(texts);
    let current = store::region_update::current(db).await?;
    let plan = ru::plan(&current, &rows);
    let retiring: Vec<(String, String, Option<String>)> = plan
        .removed
        .iter()
        .map(|r| (r.code.clone(), r.name.clone(), None))
        .chain(plan.moved.iter().map(|m| (m.old_code.clone(), m.old_name.clone(), Some(m.new_code.clone()))))
        .collect();
    let codes: Vec<String> = retiring.iter().map(|r| r.0.clone()).collect();
    let on = group(store::region_update::records_on(db, &codes).await?);
    let affected = on
        .into_iter()
        .filter_map(|(code, records)| {
            let (_, name, successor) = retiring.iter().find(|r| r.0 == code)?.clone();
            Some(Affected { code, name, successor, records })
        })
        .collect();
    let mut report = UpdateReport { input_sha256, dry_run, applied: false, counts: plan.counts(), plan, affected };
    if !dry_run && (!report.plan.is_empty() || version.is_some()) {
        let details = serde_json::json!({
            "counts": report.counts,
            "input_sha256": report.input_sha256,
            "records_on_retired": report.affected.iter().map(Affected::total).sum::<i64>(),
        })
        .to_string();
        store::region_update::apply(db, actor, &report.plan, &details, version).await?;
        report.applied = !report.plan.is_empty();
    }
    Ok(report)
}

/// `desmigratif regions update DIR`: applies a release (national admins; the console).
pub async fn update(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    texts: [&str; 4],
    dry_run: bool,
) -> Result<UpdateReport> {
    require(principal)?;
    let report = update_on(&state.db, actor, texts, None, dry_run).await?;
    Ok(report)
}

/// At start: a database holding an older embedded release is moved to this build's through the
/// same update (codes gone are retired, not deleted); the report is logged. `None` when the
/// data was already current or freshly loaded.
pub async fn upgrade_embedded(db: &store::Db) -> Result<Option<UpdateReport>> {
    if store::regions::data_state(db).await? != store::regions::DataState::Outdated {
        return Ok(None);
    }
    let actor = Actor::system("regions-upgrade");
    let report = update_on(db, &actor, store::regions::EMBEDDED, Some(store::regions::DATA_VERSION), false).await?;
    tracing::info!(
        version = store::regions::DATA_VERSION,
        counts = ?report.counts,
        records_on_retired = report.affected.iter().map(Affected::total).sum::<i64>(),
        "region data updated"
    );
    tracing::info!("{}", report.render_text());
    Ok(Some(report))
}

/// A retired code, its proposed successor and the records still on it.
#[derive(Debug, Clone, Serialize)]
pub struct RetiredCode {
    pub code: String,
    pub name: String,
    pub level: String,
    pub retired_at: i64,
    pub successor_code: Option<String>,
    pub successor_name: Option<String>,
    pub records: Vec<Records>,
}

impl RetiredCode {
    pub fn total(&self) -> i64 {
        self.records.iter().map(|r| r.count).sum()
    }
}

/// Every retired code with its record counts (national admins), those with records first.
pub async fn retired(state: &AppState, principal: &Principal) -> Result<Vec<RetiredCode>> {
    require(principal)?;
    let list = store::region_update::retired(&state.db).await?;
    let codes: Vec<String> = list.iter().map(|r| r.code.clone()).collect();
    let counts = group(store::region_update::records_on(&state.db, &codes).await?);
    let mut out: Vec<RetiredCode> = list
        .into_iter()
        .map(|r| {
            let records = counts.iter().find(|(c, _)| *c == r.code).map(|(_, l)| l.clone()).unwrap_or_default();
            RetiredCode {
                code: r.code,
                name: r.name,
                level: r.level,
                retired_at: r.retired_at,
                successor_code: r.successor_code,
                successor_name: r.successor_name,
                records,
            }
        })
        .collect();
    out.sort_by(|a, b| (a.total() == 0).cmp(&(b.total() == 0)).then_with(|| a.code.cmp(&b.code)));
    Ok(out)
}

/// What a reassignment moved.
#[derive(Debug, Clone, Serialize)]
pub struct ReassignReport {
    pub old_code: String,
    pub new_code: String,
    pub moved: Vec<Reassigned>,
}

impl ReassignReport {
    pub fn total_moved(&self) -> u64 {
        self.moved.iter().map(|m| m.moved).sum()
    }
}

async fn code_state(state: &AppState, raw: &str) -> Result<Option<CodeState>> {
    let Ok(code) = raw.trim().parse::<RegionCode>() else { return Ok(None) };
    Ok(store::regions::get(&state.db, &code).await?.map(|r| CodeState {
        code,
        retired: r.retired,
        successor: r.successor_code,
    }))
}

/// Moves every record on the retired code `old` to `new` (blank: its proposed successor), in
/// one audited transaction; monitoring recomputes both villages. National admins.
pub async fn reassign(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    old: &str,
    new: &str,
) -> Result<ReassignReport> {
    require(principal)?;
    let old_state = code_state(state, old).await?;
    let new_typed = if new.trim().is_empty() {
        old_state.as_ref().and_then(|o| o.successor.clone()).unwrap_or_default()
    } else {
        new.trim().to_string()
    };
    let new_state = code_state(state, &new_typed).await?;
    let (old_code, new_code) = ru::check_reassignment(old, old_state.as_ref(), &new_typed, new_state.as_ref())?;
    let moved = store::region_update::reassign(&state.db, actor, &old_code, &new_code, |moved| {
        serde_json::json!({ "from": old_code.as_str(), "to": new_code.as_str(), "moved": moved }).to_string()
    })
    .await?;
    Ok(ReassignReport { old_code: old_code.to_string(), new_code: new_code.to_string(), moved })
}

/// The refusal of a retired code for a new record (naming its successor), or `None` when the
/// code is current or unknown (unknown codes are refused by the caller's own check).
pub async fn retired_refusal(
    state: &AppState,
    field: &str,
    code: &RegionCode,
) -> std::result::Result<Option<FieldError>, store::StoreError> {
    Ok(store::regions::get(&state.db, code)
        .await?
        .filter(|r| r.retired)
        .map(|r| ru::retired_refusal(field, code.as_str(), r.successor_code.as_deref())))
}

/// A refusal as the command line prints it: each field with its rule and detail.
pub fn explain(e: &Error) -> String {
    match e {
        Error::Invalid(v) => format!("refused: {v}"),
        Error::Forbidden => "refused: only national admins manage region codes".into(),
        other => other.to_string(),
    }
}
