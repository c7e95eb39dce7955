//! Programs (Desmigratif, Desa Migran EMAS, …), village participation and designation.

use crate::audit::{self, Actor, Event};
use crate::query::Select;
use crate::{Db, Result, on_db, on_tx};
use domain::RegionCode;
use domain::program::{DESMIGRATIF, Designation, NewProgram};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Program {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub institution: String,
    pub criteria: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Participation {
    pub program_code: String,
    pub program_name: String,
    pub since_year: Option<i32>,
}

/// A village's program status as the village page and API show it.
#[derive(Debug, Clone, Serialize)]
pub struct VillageStatus {
    pub desmigratif: bool,
    pub cohort_year: Option<i32>,
    pub pocket_village: bool,
    pub programs: Vec<Participation>,
}

pub async fn list(db: &Db) -> Result<Vec<Program>> {
    Ok(on_db!(db, p => {
        sqlx::query_as("SELECT id, code, name, institution, criteria FROM programs ORDER BY id").fetch_all(p).await
    })?)
}

pub async fn by_code(db: &Db, code: &str) -> Result<Option<Program>> {
    Ok(on_db!(db, p => {
        sqlx::query_as("SELECT id, code, name, institution, criteria FROM programs WHERE code = $1")
            .bind(code).fetch_optional(p).await
    })?)
}

pub async fn create(db: &Db, actor: &Actor, np: &NewProgram) -> Result<Program> {
    let mut tx = db.begin().await?;
    let prog: Program = on_tx!(&mut tx, c => {
        sqlx::query_as("INSERT INTO programs (code, name, institution, criteria, created_at) VALUES ($1,$2,$3,$4,$5) \
                        RETURNING id, code, name, institution, criteria")
            .bind(&np.code).bind(&np.name).bind(&np.institution).bind(&np.criteria).bind(crate::now())
            .fetch_one(c).await
    })?;
    audit::append(
        &mut tx,
        actor,
        &Event {
            action: "program.create",
            entity: "program",
            entity_id: &prog.code,
            region_code: "",
            details: &prog.name,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(prog)
}

pub async fn village_status(db: &Db, village: &RegionCode) -> Result<VillageStatus> {
    let programs: Vec<Participation> = on_db!(db, p => {
        sqlx::query_as(
            "SELECT pr.code AS program_code, pr.name AS program_name, pv.since_year FROM program_villages pv \
             JOIN programs pr ON pr.id = pv.program_id WHERE pv.village_code = $1 ORDER BY pr.id")
            .bind(village.as_str()).fetch_all(p).await
    })?;
    let pocket: Option<(bool,)> = on_db!(db, p => {
        sqlx::query_as("SELECT pocket_village FROM village_profiles WHERE village_code = $1")
            .bind(village.as_str()).fetch_optional(p).await
    })?;
    let des = programs.iter().find(|p| p.program_code == DESMIGRATIF);
    Ok(VillageStatus {
        desmigratif: des.is_some(),
        cohort_year: des.and_then(|d| d.since_year),
        pocket_village: pocket.is_some_and(|(b,)| b),
        programs,
    })
}

/// Sets participation of a village in a program (`since_year` None removes it).
async fn set_participation(tx: &mut crate::Tx, program_id: i64, village: &str, since_year: Option<i32>) -> Result<()> {
    match since_year {
        Some(y) => on_tx!(&mut *tx, c => {
            sqlx::query("INSERT INTO program_villages (program_id, village_code, since_year, updated_at) VALUES ($1,$2,$3,$4) \
                         ON CONFLICT (program_id, village_code) DO UPDATE SET since_year = excluded.since_year, updated_at = excluded.updated_at")
                .bind(program_id).bind(village).bind(y).bind(crate::now()).execute(c).await.map(|r| r.rows_affected())
        })?,
        None => on_tx!(&mut *tx, c => {
            sqlx::query("DELETE FROM program_villages WHERE program_id = $1 AND village_code = $2")
                .bind(program_id).bind(village).execute(c).await.map(|r| r.rows_affected())
        })?,
    };
    Ok(())
}

/// Designates (or un-designates) a village for Desmigratif and sets its pocket flag, audited.
pub async fn designate(db: &Db, actor: &Actor, village: &RegionCode, d: &Designation) -> Result<VillageStatus> {
    let program = by_code(db, DESMIGRATIF)
        .await?
        .ok_or_else(|| crate::StoreError::RegionData("the desmigratif program record is missing".into()))?;
    let mut tx = db.begin().await?;
    set_participation(&mut tx, program.id, village.as_str(), if d.desmigratif { d.cohort_year } else { None }).await?;
    on_tx!(&mut tx, c => {
        sqlx::query("INSERT INTO village_profiles (village_code, pocket_village, updated_at) VALUES ($1,$2,$3) \
                     ON CONFLICT (village_code) DO UPDATE SET pocket_village = excluded.pocket_village, updated_at = excluded.updated_at")
            .bind(village.as_str()).bind(d.pocket_village).bind(crate::now()).execute(c).await.map(|r| r.rows_affected())
    })?;
    let details = format!(
        "desmigratif={} cohort_year={} pocket_village={}",
        d.desmigratif,
        d.cohort_year.map(|y| y.to_string()).unwrap_or_default(),
        d.pocket_village
    );
    audit::append(
        &mut tx,
        actor,
        &Event {
            action: "village.designate",
            entity: "village",
            entity_id: village.as_str(),
            region_code: village.as_str(),
            details: &details,
        },
    )
    .await?;
    tx.commit().await?;
    village_status(db, village).await
}

/// Adds a village to (or, with `since_year` None, removes it from) any other program.
pub async fn set_village_program(
    db: &Db,
    actor: &Actor,
    village: &RegionCode,
    program: &Program,
    since_year: Option<i32>,
) -> Result<()> {
    let mut tx = db.begin().await?;
    set_participation(&mut tx, program.id, village.as_str(), since_year).await?;
    let details =
        format!("program={} since_year={}", program.code, since_year.map(|y| y.to_string()).unwrap_or_default());
    audit::append(
        &mut tx,
        actor,
        &Event {
            action: if since_year.is_some() { "village.program_join" } else { "village.program_leave" },
            entity: "village",
            entity_id: village.as_str(),
            region_code: village.as_str(),
            details: &details,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Villages taking part in a program, inside a region (or the whole country).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ProgramVillage {
    pub code: String,
    pub name: String,
    pub since_year: Option<i32>,
}

const PROGRAM_VILLAGES: &str = "FROM program_villages pv JOIN programs pr ON pr.id = pv.program_id \
     JOIN regions r ON r.code = pv.village_code WHERE 1=1";

fn program_villages_query(select: &str, program_code: &str, within: Option<&RegionCode>) -> Select {
    let mut q = Select::new(format!("SELECT {select} {PROGRAM_VILLAGES}"));
    q.and("pr.code = ?", &[program_code]);
    if let Some(w) = within {
        q.and_within("pv.village_code", w.as_str());
    }
    q
}

pub async fn program_villages(
    db: &Db,
    program_code: &str,
    within: Option<&RegionCode>,
    limit: i64,
) -> Result<Vec<ProgramVillage>> {
    let mut q = program_villages_query("r.code, r.name, pv.since_year", program_code, within);
    q.tail(&format!("ORDER BY pv.since_year, r.code LIMIT {}", limit.clamp(1, 10_000)));
    q.fetch_all(db).await
}

pub async fn count_program_villages(db: &Db, program_code: &str, within: Option<&RegionCode>) -> Result<i64> {
    program_villages_query("COUNT(*)", program_code, within).fetch_count(db).await
}
