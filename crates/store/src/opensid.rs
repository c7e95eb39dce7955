//! Storage for the OpenSID bridge (docs/OPENSID.md): filling the empty fields of a known
//! person from a village's workbook, and the village's migrant workers for the export.

use crate::audit::{self, Actor, Event};
use crate::persons::{COLUMNS, Person};
use crate::{Db, Result, on_db, on_tx};

/// What an import may write into a known person's record; `None` leaves the field alone.
#[derive(Debug, Clone, Default)]
pub struct Fill<'a> {
    pub kk_number: Option<&'a str>,
    pub birth_place: Option<&'a str>,
    pub address: Option<&'a str>,
    pub phone: Option<&'a str>,
}

/// Fills the given fields only where the record is still empty (checked in the statement
/// itself, so an officer's edit made meanwhile is never overwritten), with its audit entry in
/// the same transaction. `None` when nothing was empty any more.
pub async fn fill_empty(db: &Db, actor: &Actor, person_id: i64, f: &Fill<'_>) -> Result<Option<Person>> {
    let mut tx = db.begin().await?;
    let before: Option<Person> = on_tx!(&mut tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM persons WHERE id = $1")))
            .bind(person_id).fetch_optional(c).await
    })?;
    let Some(before) = before else { return Ok(None) };
    let after: Person = on_tx!(&mut tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE persons SET \
             kk_number = CASE WHEN kk_number IS NULL OR kk_number = '' THEN COALESCE($1, kk_number) ELSE kk_number END, \
             birth_place = CASE WHEN birth_place = '' THEN COALESCE($2, birth_place) ELSE birth_place END, \
             address = CASE WHEN address = '' THEN COALESCE($3, address) ELSE address END, \
             phone = CASE WHEN phone = '' THEN COALESCE($4, phone) ELSE phone END, \
             updated_at = $5, version = version + 1 WHERE id = $6 RETURNING {COLUMNS}")))
            .bind(f.kk_number).bind(f.birth_place).bind(f.address).bind(f.phone)
            .bind(crate::now()).bind(person_id)
            .fetch_one(c).await
    })?;
    let changed: Vec<&str> = [
        ("kk_number", before.kk_number != after.kk_number),
        ("birth_place", before.birth_place != after.birth_place),
        ("address", before.address != after.address),
        ("phone", before.phone != after.phone),
    ]
    .iter()
    .filter(|(_, c)| *c)
    .map(|(n, _)| *n)
    .collect();
    if changed.is_empty() {
        // Nothing was empty any more: leave no trace (not even updated_at).
        drop(tx);
        return Ok(None);
    }
    // The change log the conflict merge reads (docs/OFFLINE.md "Conflicts").
    let old = before.field_values();
    let logged: Vec<(&str, &str)> =
        changed.iter().map(|f| (*f, old.get(*f).map(String::as_str).unwrap_or(""))).collect();
    crate::persons::log_changes(&mut tx, actor, after.id, after.version, &logged, crate::now()).await?;
    audit::append(
        &mut tx,
        actor,
        &Event {
            action: "person.update",
            entity: "person",
            entity_id: &after.id.to_string(),
            region_code: &after.village_code,
            details: &format!("filled from OpenSID: {}", changed.join(",")),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Some(after))
}

/// A migrant worker of a village with their latest episode's destination and departure.
#[derive(Debug, Clone)]
pub struct Migrant {
    pub person: Person,
    pub destination: Option<String>,
    pub departed_on: Option<String>,
}

/// The village's migrant workers (prospective, abroad, returned), by id, with their latest
/// episode (the highest id) if any.
pub async fn migrants(db: &Db, village_code: &str) -> Result<Vec<Migrant>> {
    let persons: Vec<Person> = on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM persons WHERE village_code = $1 \
             AND category IN ('prospective', 'abroad', 'returned') ORDER BY id")))
            .bind(village_code).fetch_all(p).await
    })?;
    let episodes: Vec<(i64, String, Option<String>)> = on_db!(db, p => {
        sqlx::query_as(
            "SELECT e.person_id, e.destination, e.departed_on FROM episodes e JOIN persons p ON p.id = e.person_id \
             WHERE p.village_code = $1 ORDER BY e.id")
            .bind(village_code).fetch_all(p).await
    })?;
    let mut latest = std::collections::HashMap::new();
    for (pid, dest, dep) in episodes {
        latest.insert(pid, (dest, dep));
    }
    Ok(persons
        .into_iter()
        .map(|person| {
            let (destination, departed_on) =
                latest.get(&person.id).cloned().map_or((None, None), |(d, o)| (Some(d), o));
            Migrant { person, destination: destination.filter(|d| !d.is_empty()), departed_on }
        })
        .collect())
}
