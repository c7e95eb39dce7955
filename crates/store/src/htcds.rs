//! HTCDS referral (issue 17; docs/HTCDS.md): partner organisations' public keys, the record of
//! imported documents, and the import's one transaction (case, assessment or note, record,
//! audit).

use crate::audit::{self, Actor, Event};
use crate::cases::{Case, NewCase};
use crate::{Db, Result, on_db, on_tx};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PartnerKey {
    pub id: i64,
    /// The partner organisation as it signs (`signed_by`).
    pub name: String,
    /// Hex of the first 8 bytes of the key's SHA-256.
    pub key_id: String,
    /// Base64 of the 32-byte Ed25519 public key.
    pub public_key: String,
    pub active: bool,
    pub created_at: i64,
}

const KEY_COLUMNS: &str = "id, name, key_id, public_key, active, created_at";

pub async fn keys(db: &Db) -> Result<Vec<PartnerKey>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {KEY_COLUMNS} FROM htcds_partner_keys ORDER BY name, id")))
            .fetch_all(p).await
    })?)
}

/// The key registered under `key_id`, active or not.
pub async fn key(db: &Db, key_id: &str) -> Result<Option<PartnerKey>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {KEY_COLUMNS} FROM htcds_partner_keys WHERE key_id = $1")))
            .bind(key_id).fetch_optional(p).await
    })?)
}

pub async fn register_key(db: &Db, actor: &Actor, name: &str, key_id: &str, public_key: &str) -> Result<PartnerKey> {
    let mut tx = db.begin().await?;
    let k: PartnerKey = on_tx!(&mut tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO htcds_partner_keys (name, key_id, public_key, active, created_by, created_at) \
             VALUES ($1, $2, $3, TRUE, $4, $5) RETURNING {KEY_COLUMNS}")))
            .bind(name).bind(key_id).bind(public_key).bind(actor.user_id).bind(crate::now())
            .fetch_one(c).await
    })?;
    let ev = Event {
        action: "htcds.key_register",
        entity: "htcds_partner_key",
        entity_id: &k.id.to_string(),
        region_code: "",
        details: &format!("key_id={}", k.key_id),
    };
    audit::append(&mut tx, actor, &ev).await?;
    tx.commit().await?;
    Ok(k)
}

/// The case a document (by its digest) was imported into, if it was.
pub async fn imported(db: &Db, digest: &str) -> Result<Option<i64>> {
    let row: Option<(i64,)> = on_db!(db, p => {
        sqlx::query_as("SELECT case_id FROM htcds_imports WHERE digest = $1").bind(digest).fetch_optional(p).await
    })?;
    Ok(row.map(|(id,)| id))
}

/// Where an import goes.
pub enum Target<'a> {
    /// A new case, with the assessment the document gives.
    New { case: &'a NewCase, assessment: Option<&'a domain::cases::TraffickingRecord>, today: time::Date },
    /// A note on an existing case.
    Note { case: &'a Case, body: &'a str },
}

/// Provenance of an imported document.
pub struct Source<'a> {
    pub digest: &'a str,
    pub partner_key_id: i64,
    pub key_id: &'a str,
    pub case_ref: &'a str,
}

/// The import in one transaction: the case (or note), the record of the document, the audit
/// entry. Returns the case.
pub async fn import(db: &Db, actor: &Actor, target: Target<'_>, source: &Source<'_>) -> Result<Case> {
    let mut tx = db.begin().await?;
    let case = match target {
        Target::New { case, assessment, today } => {
            let c = crate::cases::create_in(&mut tx, actor, case, today).await?;
            if let Some(a) = assessment {
                crate::cases::save_trafficking_in(&mut tx, actor, &c, a, &Default::default()).await?;
            }
            c
        }
        Target::Note { case, body } => {
            crate::cases::add_note_in(&mut tx, actor, case, body, None).await?;
            case.clone()
        }
    };
    on_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO htcds_imports (digest, partner_key_id, case_id, case_ref, imported_by, imported_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(source.digest).bind(source.partner_key_id).bind(case.id).bind(source.case_ref)
            .bind(actor.user_id).bind(crate::now())
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    let ev = Event {
        action: "case.htcds_import",
        entity: "case",
        entity_id: &case.id.to_string(),
        region_code: &case.village_code,
        details: &format!("key_id={} digest={}", source.key_id, &source.digest[..16.min(source.digest.len())]),
    };
    audit::append(&mut tx, actor, &ev).await?;
    tx.commit().await?;
    Ok(case)
}

/// The export of a case, audited with whether the identity went with it.
pub async fn audit_export(
    db: &Db,
    actor: &Actor,
    case: &Case,
    identity: bool,
    receiver: &str,
    sealed_for: &str,
) -> Result<()> {
    let details = format!("identity={identity} receiver={receiver} sealed_for={sealed_for}");
    let ev = Event {
        action: "case.htcds_export",
        entity: "case",
        entity_id: &case.id.to_string(),
        region_code: &case.village_code,
        details: &details,
    };
    audit::append_now(db, actor, &ev).await.map(|_| ())
}
