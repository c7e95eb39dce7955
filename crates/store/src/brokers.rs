//! Broker reports and the broker registry (issue 17). A report merges into a broker by a
//! normalised phone number; names become aliases. Audit entries name the report and the
//! broker, never what the reporter wrote, and a public report's entry carries no address.

use crate::audit::{self, Actor, Event};
use crate::query::Select;
use crate::{Db, Result, on_db, on_tx};
use domain::brokers::{NewReport, ReportSource, ReportedBroker};
use serde::Serialize;
use std::collections::HashMap;

/// A stored report (the receipt's hash is never read back).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Report {
    pub id: i64,
    pub broker_id: i64,
    pub source: String,
    pub reporter_user_id: Option<i64>,
    pub partner_id: Option<i64>,
    pub village_code: String,
    pub month: String,
    pub broker_name: String,
    pub broker_phones: String,
    pub offer: String,
    pub money_asked: Option<i64>,
    pub documents_taken: String,
    pub description: String,
    pub reporter_contact: String,
    pub handler_user_id: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

const REPORT_COLUMNS: &str = "r.id, r.broker_id, r.source, r.reporter_user_id, r.partner_id, r.village_code, r.month, \
    r.broker_name, r.broker_phones, r.offer, r.money_asked, r.documents_taken, r.description, r.reporter_contact, \
    r.handler_user_id, r.created_at, r.updated_at";

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Addition {
    pub id: i64,
    pub report_id: i64,
    pub text: String,
    pub user_id: Option<i64>,
    pub created_at: i64,
}

/// A broker with what is known of it.
#[derive(Debug, Clone, Serialize)]
pub struct Broker {
    pub id: i64,
    pub name: String,
    pub aliases: Vec<String>,
    pub phones: Vec<String>,
    /// Reports in the reader's scope.
    pub reports: i64,
    pub last_report_at: i64,
}

/// What a new report stores besides the validated fields.
pub struct Origin<'a> {
    pub source: ReportSource,
    pub reporter_user_id: Option<i64>,
    pub partner_id: Option<i64>,
    /// The account that handles it from the start (an officer's own report).
    pub handler_user_id: Option<i64>,
    pub receipt_hash: &'a str,
    pub month: &'a str,
}

/// `$first, $first+1, …` for `n` values.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(",")
}

async fn audit_report(
    tx: &mut crate::Tx,
    actor: &Actor,
    r_id: i64,
    village: &str,
    action: &str,
    details: &str,
) -> Result<()> {
    audit::append(
        tx,
        actor,
        &Event { action, entity: "broker_report", entity_id: &r_id.to_string(), region_code: village, details },
    )
    .await
    .map(|_| ())
}

/// Stores a report and merges it into a broker (the oldest broker with one of its phone
/// numbers, or a new one); new numbers and names are added to that broker. One transaction,
/// audited. Returns `(report id, broker id)`.
pub async fn create(db: &Db, actor: &Actor, r: &NewReport, origin: &Origin<'_>) -> Result<(i64, i64)> {
    let mut tx = db.begin().await?;
    let now = crate::now();
    let keys: Vec<String> = r.phones.iter().map(|p| p.as_str().to_string()).collect();
    let existing: Option<(i64,)> = if keys.is_empty() {
        None
    } else {
        let sql = format!(
            "SELECT broker_id FROM broker_phones WHERE phone_key IN ({}) ORDER BY broker_id LIMIT 1",
            placeholders(1, keys.len())
        );
        on_tx!(&mut tx, c => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
            for k in &keys {
                q = q.bind(k.as_str());
            }
            q.fetch_optional(c).await
        })?
    };
    let broker_id = match existing {
        Some((id,)) => {
            on_tx!(&mut tx, c => {
                sqlx::query("UPDATE brokers SET updated_at = $1, name = CASE WHEN name = '' THEN $2 ELSE name END WHERE id = $3")
                    .bind(now).bind(&r.broker_name).bind(id).execute(c).await.map(|_| ())
            })?;
            id
        }
        None => {
            let (id,): (i64,) = on_tx!(&mut tx, c => {
                sqlx::query_as("INSERT INTO brokers (name, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id")
                    .bind(&r.broker_name).bind(now).fetch_one(c).await
            })?;
            id
        }
    };
    for k in &keys {
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO broker_phones (phone_key, broker_id) VALUES ($1, $2) ON CONFLICT (phone_key) DO NOTHING")
                .bind(k.as_str()).bind(broker_id).execute(c).await.map(|_| ())
        })?;
    }
    let alias_key = domain::name_key(&r.broker_name);
    if !alias_key.is_empty() {
        on_tx!(&mut tx, c => {
            sqlx::query("INSERT INTO broker_aliases (broker_id, alias, alias_key) VALUES ($1, $2, $3) ON CONFLICT (broker_id, alias_key) DO NOTHING")
                .bind(broker_id).bind(&r.broker_name).bind(&alias_key).execute(c).await.map(|_| ())
        })?;
    }
    let docs = r.documents_taken.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(",");
    let (id,): (i64,) = on_tx!(&mut tx, c => {
        sqlx::query_as(
            "INSERT INTO broker_reports (broker_id, receipt_hash, source, reporter_user_id, partner_id, village_code, month, \
             broker_name, broker_phones, offer, money_asked, documents_taken, description, reporter_contact, handler_user_id, \
             created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$16) RETURNING id")
            .bind(broker_id).bind(origin.receipt_hash).bind(origin.source.as_str()).bind(origin.reporter_user_id)
            .bind(origin.partner_id).bind(r.village.as_str()).bind(origin.month).bind(&r.broker_name)
            .bind(keys.join(",")).bind(&r.offer).bind(r.money_asked.map(|m| m.amount())).bind(&docs)
            .bind(&r.description).bind(&r.reporter_contact).bind(origin.handler_user_id).bind(now)
            .fetch_one(c).await
    })?;
    let details = format!("source={} broker={broker_id}", origin.source.as_str());
    audit_report(&mut tx, actor, id, r.village.as_str(), "broker_report.create", &details).await?;
    tx.commit().await?;
    Ok((id, broker_id))
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Report>> {
    let sql = format!("SELECT {REPORT_COLUMNS} FROM broker_reports r WHERE r.id = $1");
    Ok(on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(p).await)?)
}

pub async fn by_receipt(db: &Db, receipt_hash: &str) -> Result<Option<Report>> {
    let sql = format!("SELECT {REPORT_COLUMNS} FROM broker_reports r WHERE r.receipt_hash = $1");
    Ok(on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(receipt_hash).fetch_optional(p).await)?)
}

/// Which reports a list holds: within a region (None: everywhere), only one partner's, only
/// one broker's.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub within: Option<String>,
    pub partner_id: Option<i64>,
    pub broker_id: Option<i64>,
    /// Only the reports this account sent.
    pub reporter_user_id: Option<i64>,
}

/// Reports, newest first, `limit` at most, with ids below `before`.
pub async fn list(db: &Db, f: &Filter, limit: i64, before: Option<i64>) -> Result<Vec<Report>> {
    let mut s = Select::new(format!("SELECT {REPORT_COLUMNS} FROM broker_reports r WHERE 1=1"));
    if let Some(w) = &f.within {
        s.and_within("r.village_code", w);
    }
    if let Some(p) = f.partner_id {
        s.and("r.partner_id = CAST(? AS BIGINT)", &[&p.to_string()]);
    }
    if let Some(b) = f.broker_id {
        s.and("r.broker_id = CAST(? AS BIGINT)", &[&b.to_string()]);
    }
    if let Some(u) = f.reporter_user_id {
        s.and("r.reporter_user_id = CAST(? AS BIGINT)", &[&u.to_string()]);
    }
    if let Some(b) = before {
        s.and("r.id < CAST(? AS BIGINT)", &[&b.to_string()]);
    }
    s.tail(&format!("ORDER BY r.id DESC LIMIT {}", limit.clamp(1, 1000)));
    s.fetch_all(db).await
}

pub async fn additions(db: &Db, report_id: i64) -> Result<Vec<Addition>> {
    Ok(on_db!(db, p => {
        sqlx::query_as("SELECT id, report_id, text, user_id, created_at FROM broker_report_additions WHERE report_id = $1 ORDER BY id")
            .bind(report_id).fetch_all(p).await
    })?)
}

/// Adds information to a report (by its receipt, or by an officer), audited.
pub async fn add(db: &Db, actor: &Actor, r: &Report, text: &str) -> Result<i64> {
    let mut tx = db.begin().await?;
    let now = crate::now();
    let (id,): (i64,) = on_tx!(&mut tx, c => {
        sqlx::query_as("INSERT INTO broker_report_additions (report_id, text, user_id, created_at) VALUES ($1,$2,$3,$4) RETURNING id")
            .bind(r.id).bind(text).bind(actor.user_id).bind(now).fetch_one(c).await
    })?;
    on_tx!(&mut tx, c => {
        sqlx::query("UPDATE broker_reports SET updated_at = $1 WHERE id = $2").bind(now).bind(r.id).execute(c).await.map(|_| ())
    })?;
    audit_report(&mut tx, actor, r.id, &r.village_code, "broker_report.add", &format!("addition={id}")).await?;
    tx.commit().await?;
    Ok(id)
}

/// Makes `user_id` the report's handler, audited.
pub async fn take(db: &Db, actor: &Actor, r: &Report, user_id: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query("UPDATE broker_reports SET handler_user_id = $1, updated_at = $2 WHERE id = $3")
            .bind(user_id).bind(crate::now()).bind(r.id).execute(c).await.map(|_| ())
    })?;
    audit_report(&mut tx, actor, r.id, &r.village_code, "broker_report.take", &format!("handler={user_id}")).await?;
    tx.commit().await?;
    Ok(())
}

/// The audit entry of a report's view; `contact` says whether the reporter's contact was shown.
pub async fn audit_view(db: &Db, actor: &Actor, r: &Report, contact: bool) -> Result<()> {
    let mut tx = db.begin().await?;
    let action = if contact { "broker_report.view_contact" } else { "broker_report.view" };
    audit_report(&mut tx, actor, r.id, &r.village_code, action, "").await?;
    tx.commit().await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct BrokerRow {
    id: i64,
    name: String,
    reports: i64,
    last_report_at: i64,
}

async fn complete(db: &Db, rows: Vec<BrokerRow>) -> Result<Vec<Broker>> {
    if rows.is_empty() {
        return Ok(vec![]);
    }
    // Ids are integers from the database, never user text.
    let list = rows.iter().map(|r| r.id.to_string()).collect::<Vec<_>>().join(",");
    let aliases: Vec<(i64, String)> =
        Select::new(format!("SELECT broker_id, alias FROM broker_aliases WHERE broker_id IN ({list}) ORDER BY alias"))
            .fetch_all(db)
            .await?;
    let phones: Vec<(i64, String)> = Select::new(format!(
        "SELECT broker_id, phone_key FROM broker_phones WHERE broker_id IN ({list}) ORDER BY phone_key"
    ))
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Broker {
            aliases: aliases.iter().filter(|(b, a)| *b == r.id && *a != r.name).map(|(_, a)| a.clone()).collect(),
            phones: phones.iter().filter(|(b, _)| *b == r.id).map(|(_, p)| p.clone()).collect(),
            id: r.id,
            name: r.name,
            reports: r.reports,
            last_report_at: r.last_report_at,
        })
        .collect())
}

/// Brokers with at least one report within the region (None: everywhere), most recently
/// reported first; `before`: ids below it (the next page).
pub async fn brokers(db: &Db, within: Option<&str>, limit: i64, before: Option<i64>) -> Result<Vec<Broker>> {
    let mut s = Select::new(
        "SELECT b.id, b.name, COUNT(r.id) AS reports, MAX(r.created_at) AS last_report_at \
         FROM brokers b JOIN broker_reports r ON r.broker_id = b.id WHERE 1=1",
    );
    if let Some(w) = within {
        s.and_within("r.village_code", w);
    }
    if let Some(b) = before {
        s.and("b.id < CAST(? AS BIGINT)", &[&b.to_string()]);
    }
    s.tail(&format!("GROUP BY b.id, b.name ORDER BY b.id DESC LIMIT {}", limit.clamp(1, 1000)));
    complete(db, s.fetch_all(db).await?).await
}

/// One broker as seen from a region: `None` when it has no report there.
pub async fn broker(db: &Db, id: i64, within: Option<&str>) -> Result<Option<Broker>> {
    let mut s = Select::new(
        "SELECT b.id, b.name, COUNT(r.id) AS reports, MAX(r.created_at) AS last_report_at \
         FROM brokers b JOIN broker_reports r ON r.broker_id = b.id WHERE 1=1",
    );
    s.and("b.id = CAST(? AS BIGINT)", &[&id.to_string()]);
    if let Some(w) = within {
        s.and_within("r.village_code", w);
    }
    s.tail("GROUP BY b.id, b.name");
    Ok(complete(db, s.fetch_all(db).await?).await?.into_iter().next())
}

/// Links a broker to an episode (`Some(episode)`) or a case; audited on the record's region.
/// `false` when the link already existed.
pub async fn link(db: &Db, actor: &Actor, broker_id: i64, target: Link, region: &str) -> Result<bool> {
    let mut tx = db.begin().await?;
    let (table, column, id, entity) = match target {
        Link::Episode(id) => ("broker_episodes", "episode_id", id, "episode"),
        Link::Case(id) => ("broker_cases", "case_id", id, "case"),
    };
    let sql = format!(
        "INSERT INTO {table} (broker_id, {column}, linked_by, linked_at) VALUES ($1,$2,$3,$4) \
         ON CONFLICT (broker_id, {column}) DO NOTHING"
    );
    let added = on_tx!(&mut tx, c => {
        sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(broker_id).bind(id).bind(actor.user_id).bind(crate::now())
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    if added > 0 {
        audit::append(
            &mut tx,
            actor,
            &Event {
                action: "broker.link",
                entity,
                entity_id: &id.to_string(),
                region_code: region,
                details: &format!("broker={broker_id}"),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(added > 0)
}

#[derive(Debug, Clone, Copy)]
pub enum Link {
    Episode(i64),
    Case(i64),
}

/// A broker's linked episodes: `(episode id, person id, village code)`.
pub async fn linked_episodes(db: &Db, broker_id: i64) -> Result<Vec<(i64, i64, String)>> {
    Ok(on_db!(db, p => {
        sqlx::query_as("SELECT e.id, e.person_id, e.village_code FROM broker_episodes l JOIN episodes e ON e.id = l.episode_id \
                        WHERE l.broker_id = $1 ORDER BY e.id")
            .bind(broker_id).fetch_all(p).await
    })?)
}

/// A broker's linked cases: `(case id, village code)`.
pub async fn linked_cases(db: &Db, broker_id: i64) -> Result<Vec<(i64, String)>> {
    Ok(on_db!(db, p => {
        sqlx::query_as("SELECT c.id, c.village_code FROM broker_cases l JOIN cases c ON c.id = l.case_id \
                        WHERE l.broker_id = $1 ORDER BY c.id")
            .bind(broker_id).fetch_all(p).await
    })?)
}

/// What the episode flag needs: for each `(episode id, district code, recruiter name key)`,
/// the broker linked to it, or else one whose name or alias is the recruiter's and was
/// reported in the episode's district. Counts are of all the broker's reports.
pub async fn reported_for(db: &Db, episodes: &[(i64, String, String)]) -> Result<HashMap<i64, ReportedBroker>> {
    let mut out = HashMap::new();
    if episodes.is_empty() {
        return Ok(out);
    }
    let ids = episodes.iter().map(|e| e.0.to_string()).collect::<Vec<_>>().join(",");
    let linked: Vec<(i64, i64, String, i64)> = Select::new(format!(
        "SELECT l.episode_id, b.id, b.name, (SELECT COUNT(*) FROM broker_reports r WHERE r.broker_id = b.id) \
         FROM broker_episodes l JOIN brokers b ON b.id = l.broker_id WHERE l.episode_id IN ({ids}) \
         ORDER BY l.episode_id, b.id"
    ))
    .fetch_all(db)
    .await?;
    for (episode_id, broker_id, name, reports) in linked {
        out.entry(episode_id).or_insert(ReportedBroker { broker_id, name, reports, linked: true });
    }
    let mut keys: Vec<&str> =
        episodes.iter().filter(|e| !out.contains_key(&e.0) && !e.2.is_empty()).map(|e| e.2.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    if keys.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT a.alias_key, substr(r.village_code, 1, 8), b.id, b.name, COUNT(r.id) \
         FROM broker_aliases a JOIN brokers b ON b.id = a.broker_id JOIN broker_reports r ON r.broker_id = b.id \
         WHERE a.alias_key IN ({}) GROUP BY a.alias_key, substr(r.village_code, 1, 8), b.id, b.name ORDER BY b.id",
        placeholders(1, keys.len())
    );
    let matches: Vec<(String, String, i64, String, i64)> = on_db!(db, p => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
        for k in &keys {
            q = q.bind(*k);
        }
        q.fetch_all(p).await
    })?;
    for (episode_id, district, key) in episodes {
        if out.contains_key(episode_id) || key.is_empty() {
            continue;
        }
        if let Some((_, _, broker_id, name, _)) = matches.iter().find(|m| m.0 == *key && m.1 == *district) {
            let reports = matches.iter().filter(|m| m.2 == *broker_id).map(|m| m.4).sum();
            out.insert(
                *episode_id,
                ReportedBroker { broker_id: *broker_id, name: name.clone(), reports, linked: false },
            );
        }
    }
    Ok(out)
}

/// Reports per district and month within a region: `(district code, month, count)`.
pub async fn hot_spot_counts(db: &Db, within: Option<&str>) -> Result<Vec<(String, String, i64)>> {
    let mut s = Select::new("SELECT substr(r.village_code, 1, 8), r.month, COUNT(*) FROM broker_reports r WHERE 1=1");
    if let Some(w) = within {
        s.and_within("r.village_code", w);
    }
    s.tail("GROUP BY substr(r.village_code, 1, 8), r.month");
    s.fetch_all(db).await
}
