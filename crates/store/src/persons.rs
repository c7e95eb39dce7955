//! People of pillar 1: registration, lookup, search, family links, consents.

use crate::audit::{self, Actor, Event};
use crate::query::Select;
use crate::{Db, Result, on_db, on_tx};
use domain::RegionCode;
use domain::person::NewPerson;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Person {
    pub id: i64,
    pub nik: String,
    pub kk_number: Option<String>,
    pub full_name: String,
    pub sex: String,
    pub birth_date: String,
    pub birth_place: String,
    pub village_code: String,
    pub address: String,
    pub phone: String,
    pub contact_abroad: String,
    pub category: String,
    pub nik_warnings: String,
    pub under_investigation: bool,
    pub investigation_note: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// 1 when registered, one more on every change (docs/OFFLINE.md "Conflicts").
    pub version: i64,
}

impl Person {
    pub fn village(&self) -> Option<RegionCode> {
        self.village_code.parse().ok()
    }
    pub fn warnings(&self) -> Vec<&str> {
        self.nik_warnings.lines().filter(|l| !l.is_empty()).collect()
    }
    /// The editable fields (`domain::person_merge::EDITABLE_FIELDS`) as the forms hold them
    /// (no KK number is an empty string).
    pub fn field_values(&self) -> std::collections::BTreeMap<String, String> {
        let values = [
            &self.nik,
            self.kk_number.as_deref().unwrap_or(""),
            &self.full_name,
            &self.sex,
            &self.birth_date,
            &self.birth_place,
            &self.village_code,
            &self.address,
            &self.phone,
            &self.contact_abroad,
            &self.category,
        ];
        domain::person_merge::EDITABLE_FIELDS.iter().zip(values).map(|(f, v)| (f.to_string(), v.to_string())).collect()
    }
}

/// [`COLUMNS`] qualified, for queries that join persons to another table.
const PERSON_COLUMNS: &str = "persons.id, persons.nik, persons.kk_number, persons.full_name, persons.sex, persons.birth_date, \
    persons.birth_place, persons.village_code, persons.address, persons.phone, persons.contact_abroad, persons.category, \
    persons.nik_warnings, persons.under_investigation, persons.investigation_note, persons.created_at, persons.updated_at, persons.version";

pub(crate) const COLUMNS: &str = "id, nik, kk_number, full_name, sex, birth_date, birth_place, village_code, address, phone, \
    contact_abroad, category, nik_warnings, under_investigation, investigation_note, created_at, updated_at, version";

/// Why a registration did not happen.
#[derive(Debug)]
pub enum CreateError {
    /// The NIK is on another record; its village is returned so the caller can decide
    /// what it may reveal to this user.
    DuplicateNik {
        existing_id: i64,
        village_code: String,
    },
    /// Someone else changed the record since it was read (its version moved): read and merge again.
    VersionMoved,
    Store(crate::StoreError),
}

impl From<crate::StoreError> for CreateError {
    fn from(e: crate::StoreError) -> Self {
        CreateError::Store(e)
    }
}

impl From<sqlx::Error> for CreateError {
    fn from(e: sqlx::Error) -> Self {
        CreateError::Store(e.into())
    }
}

pub async fn create(db: &Db, actor: &Actor, p: &NewPerson) -> std::result::Result<Person, CreateError> {
    let mut tx = db.begin().await?;
    // Checked inside the write transaction, so two officers cannot register one NIK twice.
    let existing: Option<(i64, String)> = on_tx!(&mut tx, c => {
        sqlx::query_as("SELECT id, village_code FROM persons WHERE nik = $1").bind(p.nik.as_str()).fetch_optional(c).await
    })?;
    if let Some((existing_id, village_code)) = existing {
        return Err(CreateError::DuplicateNik { existing_id, village_code });
    }
    let now = crate::now();
    let warnings: Vec<String> = p.nik_warnings.iter().map(|w| w.message.clone()).collect();
    let birth = p.birth_date.to_string();
    let person: Person = on_tx!(&mut tx, c => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "INSERT INTO persons (nik, kk_number, full_name, name_key, sex, birth_date, birth_place, village_code, address, phone, \
             contact_abroad, category, nik_warnings, created_by, created_at, updated_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$15) RETURNING {COLUMNS}")))
            .bind(p.nik.as_str()).bind(p.kk_number.as_ref().map(|k| k.as_str())).bind(&p.full_name).bind(&p.name_key)
            .bind(p.sex.as_str()).bind(&birth).bind(&p.birth_place).bind(p.village_code.as_str()).bind(&p.address)
            .bind(&p.phone).bind(&p.contact_abroad).bind(p.category.as_str()).bind(warnings.join("\n"))
            .bind(actor.user_id).bind(now)
            .fetch_one(c).await
    })?;
    let details =
        if warnings.is_empty() { String::new() } else { format!("confirmed NIK warnings: {}", warnings.len()) };
    audit::append(
        &mut tx,
        actor,
        &Event {
            action: "person.create",
            entity: "person",
            entity_id: &person.id.to_string(),
            region_code: &person.village_code,
            details: &details,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(person)
}

/// Corrects a record. The NIK stays unique; the audit entry names the fields changed
/// (not their values: the log must not become a copy of personal data).
pub async fn update(
    db: &Db,
    actor: &Actor,
    before: &Person,
    p: &NewPerson,
) -> std::result::Result<Person, CreateError> {
    edit(db, actor, before, p, &[], None).await
}

/// A proposed value that met someone else's change (`domain::person_merge`), for the review list.
#[derive(Debug, Clone)]
pub struct NewConflict {
    pub field: String,
    pub base_version: i64,
    pub base_value: String,
    pub current_value: String,
    pub proposed_value: String,
}

/// One edit of a record read at `before.version`: the merged record `p` (written only when a
/// field changed), each changed field logged in `person_changes` under the new version, the
/// `conflicts` put on the review list, and `resolving` (a conflict taken) closed — one
/// transaction, one audit entry. `VersionMoved` when the record changed since `before` was read.
pub async fn edit(
    db: &Db,
    actor: &Actor,
    before: &Person,
    p: &NewPerson,
    conflicts: &[NewConflict],
    resolving: Option<i64>,
) -> std::result::Result<Person, CreateError> {
    let mut tx = db.begin().await?;
    let existing: Option<(i64, String)> = on_tx!(&mut tx, c => {
        sqlx::query_as("SELECT id, village_code FROM persons WHERE nik = $1 AND id <> $2")
            .bind(p.nik.as_str()).bind(before.id).fetch_optional(c).await
    })?;
    if let Some((existing_id, village_code)) = existing {
        return Err(CreateError::DuplicateNik { existing_id, village_code });
    }
    let warnings: Vec<String> = p.nik_warnings.iter().map(|w| w.message.clone()).collect();
    let birth = p.birth_date.to_string();
    let proposed = [
        p.nik.as_str(),
        p.kk_number.as_ref().map(|k| k.as_str()).unwrap_or(""),
        &p.full_name,
        p.sex.as_str(),
        &birth,
        &p.birth_place,
        p.village_code.as_str(),
        &p.address,
        &p.phone,
        &p.contact_abroad,
        p.category.as_str(),
    ];
    let old = before.field_values();
    let changed: Vec<(&str, &str)> = domain::person_merge::EDITABLE_FIELDS
        .iter()
        .zip(proposed)
        .filter(|(f, v)| old.get(**f).map(String::as_str) != Some(*v))
        .map(|(f, _)| (*f, old.get(*f).map(String::as_str).unwrap_or("")))
        .collect();
    let now = crate::now();
    let after: Option<Person> = if changed.is_empty() && warnings.join("\n") == before.nik_warnings {
        // Nothing to write; the version must still be the one merged against.
        on_tx!(&mut tx, c => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM persons WHERE id = $1 AND version = $2")))
                .bind(before.id).bind(before.version).fetch_optional(c).await
        })?
    } else {
        on_tx!(&mut tx, c => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "UPDATE persons SET nik = $1, kk_number = $2, full_name = $3, name_key = $4, sex = $5, birth_date = $6, birth_place = $7, \
                 village_code = $8, address = $9, phone = $10, contact_abroad = $11, category = $12, nik_warnings = $13, updated_at = $14, \
                 version = version + 1 WHERE id = $15 AND version = $16 RETURNING {COLUMNS}")))
                .bind(p.nik.as_str()).bind(p.kk_number.as_ref().map(|k| k.as_str())).bind(&p.full_name).bind(&p.name_key)
                .bind(p.sex.as_str()).bind(&birth).bind(&p.birth_place).bind(p.village_code.as_str()).bind(&p.address)
                .bind(&p.phone).bind(&p.contact_abroad).bind(p.category.as_str()).bind(warnings.join("\n"))
                .bind(now).bind(before.id).bind(before.version)
                .fetch_optional(c).await
        })?
    };
    let Some(after) = after else { return Err(CreateError::VersionMoved) };
    if after.version != before.version {
        log_changes(&mut tx, actor, after.id, after.version, &changed, now).await?;
    }
    for c in conflicts {
        on_tx!(&mut tx, x => {
            sqlx::query("INSERT INTO person_conflicts (person_id, field, base_version, base_value, current_value, \
                 proposed_value, proposed_by, proposed_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)")
                .bind(after.id).bind(&c.field).bind(c.base_version).bind(&c.base_value).bind(&c.current_value)
                .bind(&c.proposed_value).bind(actor.user_id).bind(now).execute(x).await.map(|r| r.rows_affected())
        })?;
    }
    if let Some(id) = resolving {
        crate::person_conflicts::close(&mut tx, actor, id, "taken", now).await?;
    }
    let names: Vec<&str> = changed.iter().map(|(f, _)| *f).collect();
    let review: Vec<&str> = conflicts.iter().map(|c| c.field.as_str()).collect();
    let mut details = format!("changed: {}", names.join(","));
    if !review.is_empty() {
        details.push_str(&format!("; to review: {}", review.join(",")));
    }
    if let Some(id) = resolving {
        details.push_str(&format!("; conflict #{id} taken"));
    }
    audit::append(
        &mut tx,
        actor,
        &Event {
            action: "person.update",
            entity: "person",
            entity_id: &after.id.to_string(),
            region_code: &after.village_code,
            details: &details,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// What [`create_batch`] did: the records already holding one of the batch's NIKs (read
/// inside its transaction), and the id given to each person it wrote, by position in the batch.
#[derive(Debug, Default)]
pub struct BatchCreated {
    pub existing: Vec<Person>,
    pub created: Vec<(usize, i64)>,
}

/// Rows per INSERT statement: 13 values each stays under SQLite's 32,766 bound parameters.
const INSERT_ROWS: usize = 1000;

/// Registers a batch of people (an import's) in one transaction with one audit entry: their
/// NIKs, and `look_up`'s, are checked against the database with one query inside it; a person
/// whose NIK is on record, or on an earlier person of the batch, is not written (the caller
/// decides what to tell). `audit` receives the written `(position, id)` pairs and returns the
/// entry, which names them. Nothing is written when nothing is new.
pub async fn create_batch(
    db: &Db,
    actor: &Actor,
    people: &[NewPerson],
    look_up: &[&str],
    audit: impl FnOnce(&[(usize, i64)]) -> Option<(String, String, String)>,
) -> Result<BatchCreated> {
    let mut tx = db.begin().await?;
    let mut niks: Vec<&str> = people.iter().map(|p| p.nik.as_str()).chain(look_up.iter().copied()).collect();
    niks.sort_unstable();
    niks.dedup();
    let mut existing: Vec<Person> = Vec::new();
    let postgres = tx.is_postgres();
    for chunk in niks.chunks(INSERT_ROWS * 10) {
        let sql =
            format!("SELECT {COLUMNS} FROM persons WHERE nik IN ({})", crate::bind_marks(postgres, 1, chunk.len()));
        let mut found: Vec<Person> = on_tx!(&mut tx, c => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for n in chunk {
                q = q.bind(*n);
            }
            q.fetch_all(c).await
        })?;
        existing.append(&mut found);
    }
    let mut taken: std::collections::HashSet<&str> = existing.iter().map(|p| p.nik.as_str()).collect();
    let new: Vec<(usize, &NewPerson)> =
        people.iter().enumerate().filter(|(_, p)| taken.insert(p.nik.as_str())).collect();
    let now = crate::now();
    // Integers, not user text: the same for every row, so written once into the statement.
    let constants = format!("{},{now},{now}", actor.user_id.map_or("NULL".to_string(), |u| u.to_string()));
    let mut created = Vec::with_capacity(new.len());
    for chunk in new.chunks(INSERT_ROWS) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|r| format!("({},{constants})", crate::bind_marks(postgres, r * 13 + 1, 13)))
            .collect();
        let sql = format!(
            "INSERT INTO persons (nik, kk_number, full_name, name_key, sex, birth_date, birth_place, village_code, address, phone, \
             contact_abroad, category, nik_warnings, created_by, created_at, updated_at) VALUES {}{}",
            rows.join(","),
            if postgres { " RETURNING id, nik" } else { "" }
        );
        let ids: Vec<(i64, String)> = on_tx!(&mut tx, c => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for (_, p) in chunk {
                let warnings: Vec<&str> = p.nik_warnings.iter().map(|w| w.message.as_str()).collect();
                q = q.bind(p.nik.as_str()).bind(p.kk_number.as_ref().map(|k| k.as_str())).bind(&p.full_name)
                    .bind(&p.name_key).bind(p.sex.as_str()).bind(p.birth_date.to_string()).bind(&p.birth_place)
                    .bind(p.village_code.as_str()).bind(&p.address).bind(&p.phone).bind(&p.contact_abroad)
                    .bind(p.category.as_str()).bind(warnings.join("\n"));
            }
            q.fetch_all(c).await
        })?;
        let ids =
            if postgres { ids } else { sqlite_new_ids(&mut tx, chunk.iter().map(|(_, p)| p.nik.as_str())).await? };
        // RETURNING's order is not promised: matched by NIK, unique within the batch.
        let by_nik: std::collections::HashMap<&str, i64> = ids.iter().map(|(id, n)| (n.as_str(), *id)).collect();
        for (i, p) in chunk {
            if let Some(id) = by_nik.get(p.nik.as_str()) {
                created.push((*i, *id));
            }
        }
    }
    if created.is_empty() {
        // Nothing written: the transaction is dropped, which rolls it back.
        return Ok(BatchCreated { existing, created });
    }
    if let Some((entity_id, region_code, details)) = audit(&created) {
        audit::append(
            &mut tx,
            actor,
            &Event {
                action: "person.create_batch",
                entity: "import",
                entity_id: &entity_id,
                region_code: &region_code,
                details: &details,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(BatchCreated { existing, created })
}

/// The ids of the people with these NIKs, read back in one row: on SQLite each `RETURNING`
/// row crosses from the connection's thread as its own message, a wake-up per imported person.
async fn sqlite_new_ids<'a>(tx: &mut crate::Tx, niks: impl Iterator<Item = &'a str>) -> Result<Vec<(i64, String)>> {
    let niks: Vec<&str> = niks.collect();
    let sql = format!(
        "SELECT group_concat(id || ' ' || nik, ',') FROM persons WHERE nik IN ({})",
        crate::bind_marks(false, 1, niks.len())
    );
    let row: (Option<String>,) = on_tx!(tx, c => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for n in &niks {
            q = q.bind(*n);
        }
        q.fetch_one(c).await
    })?;
    Ok(row
        .0
        .unwrap_or_default()
        .split(',')
        .filter_map(|pair| {
            let (id, nik) = pair.split_once(' ')?;
            Some((id.parse().ok()?, nik.to_string()))
        })
        .collect())
}

/// Logs the fields `version` changed with their old values (`person_changes`).
pub(crate) async fn log_changes(
    tx: &mut crate::Tx,
    actor: &Actor,
    person_id: i64,
    version: i64,
    changed: &[(&str, &str)],
    now: i64,
) -> Result<()> {
    for (field, old_value) in changed {
        on_tx!(tx, c => {
            sqlx::query("INSERT INTO person_changes (person_id, version, field, old_value, changed_by, changed_at) \
                 VALUES ($1,$2,$3,$4,$5,$6)")
                .bind(person_id).bind(version).bind(*field).bind(*old_value).bind(actor.user_id).bind(now)
                .execute(c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Person>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM persons WHERE id = $1"))).bind(id).fetch_optional(p).await
    })?)
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Exact NIK.
    pub nik: Option<String>,
    /// Words of a name, already turned into search keys.
    pub name_keys: Vec<String>,
    /// Only people living at or inside this region (the caller's scope, or narrower).
    pub within: Option<RegionCode>,
    pub category: Option<String>,
    /// People with an episode in this state (registered, departed, abroad…).
    pub episode_state: Option<String>,
    /// People with an episode to this destination (country code).
    pub destination: Option<String>,
    /// Keyset pagination: ids above this.
    pub after_id: Option<i64>,
    /// A national id (SIAPkerja, ID PMI, or an episode's Sisko P2MI or E-KPMI id), exact.
    pub external_id: Option<String>,
}

/// People ordered by id, `limit` at a time.
pub async fn search(db: &Db, f: &Filter, limit: i64) -> Result<Vec<Person>> {
    // On SQLite a name is looked up in the trigram index (migration 0034) and the people are
    // read in id order from its matches, stopping at the limit; the region and the other
    // filters are applied to each match before the limit counts it, so no row in scope is
    // dropped. A district or village is read from its own index instead (its few thousand
    // keys scanned beat walking a common name's matches across the country). PostgreSQL's
    // planner serves the same `LIKE` below from its trigram index by itself.
    let narrow = f.within.as_ref().is_some_and(|w| w.level() >= domain::region::RegionLevel::District);
    let fts = match db {
        Db::Sqlite(..) if !narrow => domain::name::fts_substring_query(&f.name_keys),
        _ => None,
    };
    let mut q = match &fts {
        Some(m) => {
            let mut q = Select::new(format!(
                "SELECT {PERSON_COLUMNS} FROM persons_name_fts CROSS JOIN persons ON persons.id = persons_name_fts.rowid WHERE 1=1"
            ));
            q.and("persons_name_fts MATCH ?", &[m]);
            q
        }
        None => Select::new(format!("SELECT {COLUMNS} FROM persons WHERE 1=1")),
    };
    if let Some(n) = &f.nik {
        q.and("nik = ?", &[n]);
    }
    for k in &f.name_keys {
        // With the index, its words are already matched; the short ones are checked here.
        if fts.is_none() || !domain::name::trigram_indexable(k) {
            q.and("persons.name_key LIKE ?", &[&format!("%{k}%")]);
        }
    }
    if let Some(w) = &f.within {
        q.and_within("village_code", w.as_str());
    }
    if let Some(c) = &f.category {
        q.and("category = ?", &[c]);
    }
    match (&f.episode_state, &f.destination) {
        (Some(st), Some(d)) => {
            q.and("EXISTS (SELECT 1 FROM episodes e WHERE e.person_id = persons.id AND e.state = ? AND e.destination = ?)", &[st, d]);
        }
        (Some(st), None) => {
            q.and("EXISTS (SELECT 1 FROM episodes e WHERE e.person_id = persons.id AND e.state = ?)", &[st]);
        }
        (None, Some(d)) => {
            q.and("EXISTS (SELECT 1 FROM episodes e WHERE e.person_id = persons.id AND e.destination = ?)", &[d]);
        }
        (None, None) => {}
    }
    if let Some(x) = &f.external_id {
        q.and(
            "(id IN (SELECT person_id FROM person_external_ids WHERE value = ?) \
             OR id IN (SELECT person_id FROM episodes WHERE sisko_id = ? OR ekpmi_id = ?))",
            &[x, x, x],
        );
    }
    // Ordered by the index's rowid (the person's id), which FTS5 walks in order.
    let id = if fts.is_some() { "persons_name_fts.rowid" } else { "id" };
    q.tail(&format!("AND {id} > {} ORDER BY {id} LIMIT {}", f.after_id.unwrap_or(0), limit.clamp(1, 500)));
    q.fetch_all(db).await
}

/// Marks or clears "under investigation" (suspected fictitious or duplicate identity).
pub async fn set_investigation(db: &Db, actor: &Actor, person: &Person, flag: bool, note: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query("UPDATE persons SET under_investigation = $1, investigation_note = $2, updated_at = $3, version = version + 1 WHERE id = $4")
            .bind(flag).bind(note).bind(crate::now()).bind(person.id).execute(c).await.map(|r| r.rows_affected())
    })?;
    audit::append(
        &mut tx,
        actor,
        &Event {
            action: if flag { "person.investigate" } else { "person.clear_investigation" },
            entity: "person",
            entity_id: &person.id.to_string(),
            region_code: &person.village_code,
            details: "",
        },
    )
    .await?;
    tx.commit().await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Relative {
    pub relative_id: i64,
    pub relation: String,
    pub full_name: String,
    pub village_code: String,
}

pub async fn add_link(db: &Db, actor: &Actor, person: &Person, relative: &Person, relation: &str) -> Result<()> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO family_links (person_id, relative_id, relation, created_by, created_at) VALUES ($1,$2,$3,$4,$5) \
                     ON CONFLICT (person_id, relative_id, relation) DO NOTHING")
            .bind(person.id).bind(relative.id).bind(relation).bind(actor.user_id).bind(crate::now())
            .execute(c).await.map(|r| r.rows_affected())
    })?;
    let details = format!("{relation} {}", relative.id);
    audit::append(
        &mut tx,
        actor,
        &Event {
            action: "person.link",
            entity: "person",
            entity_id: &person.id.to_string(),
            region_code: &person.village_code,
            details: &details,
        },
    )
    .await?;
    tx.commit().await
}

/// Links from this person, and links to them seen from their side (a parent's child).
pub async fn relatives(db: &Db, person_id: i64) -> Result<Vec<Relative>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT l.relative_id, l.relation, r.full_name, r.village_code FROM family_links l \
             JOIN persons r ON r.id = l.relative_id WHERE l.person_id = $1 \
             UNION ALL \
             SELECT l.person_id AS relative_id, \
               CASE l.relation WHEN 'parent' THEN 'child' WHEN 'child' THEN 'parent' WHEN 'guardian' THEN 'ward' ELSE l.relation END AS relation, \
               r.full_name, r.village_code FROM family_links l JOIN persons r ON r.id = l.person_id WHERE l.relative_id = $1 \
             ORDER BY relation, full_name")
            .bind(person_id).fetch_all(p).await
    })?)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Consent {
    pub id: i64,
    pub data_scope: String,
    pub recipient: String,
    pub granted: bool,
    pub given_on: String,
    pub recorded_by: Option<i64>,
    pub recorded_at: i64,
}

pub async fn add_consent(
    db: &Db,
    actor: &Actor,
    person: &Person,
    data_scope: &str,
    recipient: &str,
    granted: bool,
    given_on: &str,
) -> Result<()> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO consents (person_id, data_scope, recipient, granted, given_on, recorded_by, recorded_at) \
                     VALUES ($1,$2,$3,$4,$5,$6,$7)")
            .bind(person.id).bind(data_scope).bind(recipient).bind(granted).bind(given_on).bind(actor.user_id)
            .bind(crate::now()).execute(c).await.map(|r| r.rows_affected())
    })?;
    let details = format!("{} {data_scope} -> {recipient}", if granted { "granted" } else { "refused" });
    audit::append(
        &mut tx,
        actor,
        &Event {
            action: "person.consent",
            entity: "person",
            entity_id: &person.id.to_string(),
            region_code: &person.village_code,
            details: &details,
        },
    )
    .await?;
    tx.commit().await
}

pub async fn consents(db: &Db, person_id: i64) -> Result<Vec<Consent>> {
    Ok(on_db!(db, p => {
        sqlx::query_as(
            "SELECT id, data_scope, recipient, granted, given_on, recorded_by, recorded_at FROM consents \
             WHERE person_id = $1 ORDER BY recorded_at DESC, id DESC")
            .bind(person_id).fetch_all(p).await
    })?)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CounsellingSession {
    pub id: i64,
    pub held_on: String,
    pub topics: String,
    pub counsellor: String,
    pub notes: String,
    pub created_at: i64,
}

pub async fn add_counselling(
    db: &Db,
    actor: &Actor,
    person: &Person,
    c: &domain::service_center::counselling::Counselling,
) -> Result<()> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, conn => {
        sqlx::query("INSERT INTO counselling_sessions (person_id, village_code, held_on, topics, counsellor, notes, created_by, created_at) \
                     VALUES ($1,$2,$3,$4,$5,$6,$7,$8)")
            .bind(person.id).bind(&person.village_code).bind(c.held_on.to_string()).bind(&c.topics).bind(&c.counsellor)
            .bind(&c.notes).bind(actor.user_id).bind(crate::now())
            .execute(conn).await.map(|r| r.rows_affected())
    })?;
    audit::append(
        &mut tx,
        actor,
        &Event {
            action: "person.counselling",
            entity: "person",
            entity_id: &person.id.to_string(),
            region_code: &person.village_code,
            details: &c.held_on.to_string(),
        },
    )
    .await?;
    tx.commit().await
}

pub async fn counselling(db: &Db, person_id: i64) -> Result<Vec<CounsellingSession>> {
    Ok(on_db!(db, p => {
        sqlx::query_as("SELECT id, held_on, topics, counsellor, notes, created_at FROM counselling_sessions \
                        WHERE person_id = $1 ORDER BY held_on DESC, id DESC")
            .bind(person_id).fetch_all(p).await
    })?)
}

/// One line of a person's timeline: a dated thing that happened, newest first.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct TimelineEntry {
    /// YYYY-MM-DD.
    pub on_date: String,
    /// person_registered, episode_step, counselling, consent, outreach.
    pub kind: String,
    /// A stable code or short text the page translates or shows (e.g. the new episode state).
    pub what: String,
    /// The episode concerned, if any.
    pub episode_id: Option<i64>,
}

/// Everything dated about a person, from every table, in one query.
pub async fn timeline(db: &Db, person: &Person) -> Result<Vec<TimelineEntry>> {
    let person_id = person.id;
    // Registration time is Unix seconds; dates are text. Both backends format the first
    // differently, so registration is added in Rust below.
    let mut rows: Vec<TimelineEntry> = on_db!(db, p => {
        sqlx::query_as(
            "SELECT ev.on_date, 'episode_step' AS kind, ev.to_state AS what, ev.episode_id FROM episode_events ev \
               JOIN episodes e ON e.id = ev.episode_id WHERE e.person_id = $1 \
             UNION ALL SELECT held_on AS on_date, 'counselling' AS kind, topics AS what, NULL AS episode_id \
               FROM counselling_sessions WHERE person_id = $1 \
             UNION ALL SELECT given_on AS on_date, 'consent' AS kind, data_scope || ' → ' || recipient AS what, NULL AS episode_id \
               FROM consents WHERE person_id = $1 \
             UNION ALL SELECT o.held_on AS on_date, 'outreach' AS kind, o.topic AS what, NULL AS episode_id \
               FROM outreach_attendance a JOIN outreach_events o ON o.id = a.event_id WHERE a.person_id = $1")
            .bind(person_id).fetch_all(p).await
    })?;
    if let Ok(t) = time::OffsetDateTime::from_unix_timestamp(person.created_at) {
        rows.push(TimelineEntry {
            on_date: t.date().to_string(),
            kind: "person_registered".into(),
            what: String::new(),
            episode_id: None,
        });
    }
    rows.sort_by(|a, b| b.on_date.cmp(&a.on_date));
    Ok(rows)
}

#[cfg(test)]
mod columns_tests {
    /// The qualified list is the same columns in the same order (a column added to one and not
    /// the other made the name search fail to decode its rows).
    #[test]
    fn qualified_columns_match() {
        let plain: Vec<String> = super::COLUMNS.split(',').map(|c| format!("persons.{}", c.trim())).collect();
        let qualified: Vec<String> = super::PERSON_COLUMNS.split(',').map(|c| c.trim().to_string()).collect();
        assert_eq!(plain, qualified);
    }
}
