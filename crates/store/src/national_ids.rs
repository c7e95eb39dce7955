//! Identifiers and records from national systems (issue 19): a person's SIAPkerja and ID PMI
//! numbers, an episode's Sisko P2MI and E-KPMI ids, BPJS Ketenagakerjaan membership and the
//! latest Dukcapil verification. Audit entries name what changed, never the values.

use crate::audit::{self, Actor, Event};
use crate::episodes::Episode;
use crate::persons::Person;
use crate::{Db, Result, on_db, on_tx};
use domain::national_ids::{BpjsMembership, ExternalId, ExternalIdKind, Verification};
use serde::Serialize;

async fn audit_person(tx: &mut crate::Tx, actor: &Actor, p: &Person, action: &str, details: &str) -> Result<()> {
    audit::append(
        tx,
        actor,
        &Event { action, entity: "person", entity_id: &p.id.to_string(), region_code: &p.village_code, details },
    )
    .await
    .map(|_| ())
}

/// Sets (or with `None` clears) a person's ids. `Ok(Err(kind))` when a value is already
/// another person's: nothing is written.
pub async fn set_person_ids(
    db: &Db,
    actor: &Actor,
    person: &Person,
    values: &[(ExternalIdKind, Option<ExternalId>)],
) -> Result<std::result::Result<(), ExternalIdKind>> {
    let mut tx = db.begin().await?;
    let now = crate::now();
    let mut changed = Vec::new();
    for (kind, value) in values {
        let before: Option<(String,)> = on_tx!(&mut tx, c => {
            sqlx::query_as("SELECT value FROM person_external_ids WHERE person_id = $1 AND kind = $2")
                .bind(person.id).bind(kind.as_str()).fetch_optional(c).await
        })?;
        if before.as_ref().map(|(v,)| v.as_str()) == value.as_ref().map(|v| v.as_str()) {
            continue;
        }
        match value {
            None => {
                on_tx!(&mut tx, c => {
                    sqlx::query("DELETE FROM person_external_ids WHERE person_id = $1 AND kind = $2")
                        .bind(person.id).bind(kind.as_str()).execute(c).await.map(|r| r.rows_affected())
                })?;
            }
            Some(v) => {
                // Checked inside the write transaction, as the NIK is.
                let other: Option<(i64,)> = on_tx!(&mut tx, c => {
                    sqlx::query_as("SELECT person_id FROM person_external_ids WHERE kind = $1 AND value = $2 AND person_id <> $3")
                        .bind(kind.as_str()).bind(v.as_str()).bind(person.id).fetch_optional(c).await
                })?;
                if other.is_some() {
                    return Ok(Err(*kind));
                }
                on_tx!(&mut tx, c => {
                    sqlx::query("INSERT INTO person_external_ids (person_id, kind, value, updated_by, updated_at) VALUES ($1,$2,$3,$4,$5) \
                                 ON CONFLICT (person_id, kind) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, \
                                 updated_at = excluded.updated_at")
                        .bind(person.id).bind(kind.as_str()).bind(v.as_str()).bind(actor.user_id).bind(now)
                        .execute(c).await.map(|r| r.rows_affected())
                })?;
            }
        }
        changed.push(kind.as_str());
    }
    if changed.is_empty() {
        return Ok(Ok(()));
    }
    audit_person(&mut tx, actor, person, "person.external_ids", &format!("changed: {}", changed.join(","))).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Sets an episode's Sisko P2MI and E-KPMI ids ("" clears one).
pub async fn set_episode_ids(db: &Db, actor: &Actor, e: &Episode, sisko_id: &str, ekpmi_id: &str) -> Result<()> {
    let changed: Vec<&str> = [("sisko_id", e.sisko_id != sisko_id), ("ekpmi_id", e.ekpmi_id != ekpmi_id)]
        .iter()
        .filter(|(_, c)| *c)
        .map(|(f, _)| *f)
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query("UPDATE episodes SET sisko_id = $1, ekpmi_id = $2, updated_at = $3 WHERE id = $4")
            .bind(sisko_id).bind(ekpmi_id).bind(crate::now()).bind(e.id).execute(c).await.map(|r| r.rows_affected())
    })?;
    audit::append(
        &mut tx,
        actor,
        &Event {
            action: "episode.external_ids",
            entity: "episode",
            entity_id: &e.id.to_string(),
            region_code: &e.village_code,
            details: &format!("changed: {}", changed.join(",")),
        },
    )
    .await?;
    tx.commit().await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Membership {
    pub person_id: i64,
    pub number: String,
    pub status: String,
    pub valid_until: String,
    pub updated_at: i64,
}

const MEMBERSHIP: &str = "SELECT person_id, number, status, valid_until, updated_at FROM bpjs_memberships";

pub async fn membership(db: &Db, person_id: i64) -> Result<Option<Membership>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{MEMBERSHIP} WHERE person_id = $1"))).bind(person_id).fetch_optional(p).await
    })?)
}

/// The memberships of many people at once (a worklist's episodes).
pub async fn memberships(db: &Db, person_ids: &[i64]) -> Result<Vec<Membership>> {
    let mut out = Vec::new();
    // In chunks: both backends limit the number of bound values.
    for chunk in person_ids.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!("{MEMBERSHIP} WHERE person_id IN ({})", marks.join(","));
        let rows: Vec<Membership> = on_db!(db, p => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()));
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(p).await
        })?;
        out.extend(rows);
    }
    Ok(out)
}

/// What importing one membership did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    Created,
    Updated,
    Unchanged,
}

/// Records a person's membership as BPJS reports it; the same values again write nothing.
pub async fn save_membership(db: &Db, actor: &Actor, person: &Person, m: &BpjsMembership) -> Result<Upsert> {
    let mut tx = db.begin().await?;
    let before: Option<(String, String, String)> = on_tx!(&mut tx, c => {
        sqlx::query_as("SELECT number, status, valid_until FROM bpjs_memberships WHERE person_id = $1")
            .bind(person.id).fetch_optional(c).await
    })?;
    let after = (m.number.as_str().to_string(), m.status.as_str().to_string(), m.valid_until.to_string());
    let outcome = match &before {
        None => Upsert::Created,
        Some(b) if *b == after => return Ok(Upsert::Unchanged),
        Some(_) => Upsert::Updated,
    };
    on_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO bpjs_memberships (person_id, number, status, valid_until, updated_by, updated_at) VALUES ($1,$2,$3,$4,$5,$6) \
                     ON CONFLICT (person_id) DO UPDATE SET number = excluded.number, status = excluded.status, \
                     valid_until = excluded.valid_until, updated_by = excluded.updated_by, updated_at = excluded.updated_at")
            .bind(person.id).bind(&after.0).bind(&after.1).bind(&after.2).bind(actor.user_id).bind(crate::now())
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    let details = format!("bpjs membership {}", if outcome == Upsert::Created { "added" } else { "updated" });
    audit_person(&mut tx, actor, person, "person.bpjs", &details).await?;
    tx.commit().await?;
    Ok(outcome)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Check {
    pub person_id: i64,
    pub status: String,
    pub mismatched: String,
    pub reason: String,
    pub checked_at: i64,
}

/// Everything the person page shows of the national systems: the person's ids, the BPJS
/// membership and the last Dukcapil check, in one read (three rows shapes in one UNION).
pub async fn of_person(db: &Db, person_id: i64) -> Result<(Vec<(String, String)>, Option<Membership>, Option<Check>)> {
    let rows: Vec<(String, String, String, String, i64)> = on_db!(db, p => {
        sqlx::query_as(
            "SELECT 'id', kind, value, '', CAST(0 AS BIGINT) FROM person_external_ids WHERE person_id = $1 \
             UNION ALL SELECT 'bpjs', number, status, valid_until, updated_at FROM bpjs_memberships WHERE person_id = $1 \
             UNION ALL SELECT 'dukcapil', status, mismatched, reason, checked_at FROM dukcapil_checks WHERE person_id = $1",
        )
        .bind(person_id)
        .fetch_all(p)
        .await
    })?;
    let (mut ids, mut membership, mut check) = (vec![], None, None);
    for (source, a, b, c, at) in rows {
        match source.as_str() {
            "id" => ids.push((a, b)),
            "bpjs" => membership = Some(Membership { person_id, number: a, status: b, valid_until: c, updated_at: at }),
            _ => check = Some(Check { person_id, status: a, mismatched: b, reason: c, checked_at: at }),
        }
    }
    ids.sort();
    Ok((ids, membership, check))
}

/// Records the outcome of a Dukcapil check (replacing the previous one), audited.
pub async fn record_check(db: &Db, actor: &Actor, person: &Person, v: &Verification) -> Result<Check> {
    let (mismatched, reason) = match v {
        Verification::Verified => (String::new(), String::new()),
        Verification::Mismatch(fields) => {
            (fields.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(","), String::new())
        }
        Verification::NotVerified(r) => (String::new(), r.as_str().to_string()),
    };
    let status = v.status().as_str();
    let mut tx = db.begin().await?;
    let check: Check = on_tx!(&mut tx, c => {
        sqlx::query_as("INSERT INTO dukcapil_checks (person_id, status, mismatched, reason, checked_by, checked_at) VALUES ($1,$2,$3,$4,$5,$6) \
                        ON CONFLICT (person_id) DO UPDATE SET status = excluded.status, mismatched = excluded.mismatched, \
                        reason = excluded.reason, checked_by = excluded.checked_by, checked_at = excluded.checked_at \
                        RETURNING person_id, status, mismatched, reason, checked_at")
            .bind(person.id).bind(status).bind(&mismatched).bind(&reason).bind(actor.user_id).bind(crate::now())
            .fetch_one(c).await
    })?;
    let details = match v {
        Verification::Verified => "verified".to_string(),
        Verification::Mismatch(_) => format!("mismatch: {mismatched}"),
        Verification::NotVerified(_) => format!("not_verified: {reason}"),
    };
    audit_person(&mut tx, actor, person, "person.dukcapil_check", &details).await?;
    tx.commit().await?;
    Ok(check)
}
