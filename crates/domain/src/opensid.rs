//! OpenSID's "Data Penduduk" workbook, read and written in OpenSID's own terms: its column
//! names (`nik`, `no_kk`, `nama`, `sex`, `tempatlahir`, `tanggallahir`, `alamat`, `dusun`, `rt`,
//! `rw`, `pekerja_migran`, …), its coded fields given as a code or as a label, and `0` for "no
//! NIK yet". Pure: the caller reads the cells (calamine, in `app::opensid`) and hands them over;
//! whether a row makes a valid person is still `person::validate_new_person`'s business.
//! docs/OPENSID.md has the mapping table.

use crate::nik::Sex;
use crate::person::{PersonCategory, parse_date};
use crate::{FieldError, Rule};
use std::collections::HashMap;
use time::Date;

/// The sheet OpenSID's import reads and its export writes.
pub const SHEET: &str = "Data Penduduk";

/// The sheet for the migrant statistics in an export.
pub const STATS_SHEET: &str = "Statistik Pekerja Migran";

/// Every column OpenSID's penduduk import knows (`Impor_model::$daftar_kolom`), plus
/// `pekerja_migran` (since July 2025) and `telepon`. Any other column is reported, not fatal.
pub const KNOWN_COLUMNS: [&str; 45] = [
    "alamat",
    "dusun",
    "rw",
    "rt",
    "nama",
    "no_kk",
    "nik",
    "sex",
    "tempatlahir",
    "tanggallahir",
    "agama_id",
    "pendidikan_kk_id",
    "pendidikan_sedang_id",
    "pekerjaan_id",
    "status_kawin",
    "kk_level",
    "warganegara_id",
    "ayah_nik",
    "nama_ayah",
    "ibu_nik",
    "nama_ibu",
    "golongan_darah_id",
    "akta_lahir",
    "dokumen_pasport",
    "tanggal_akhir_paspor",
    "dokumen_kitas",
    "akta_perkawinan",
    "tanggalperkawinan",
    "akta_perceraian",
    "tanggalperceraian",
    "cacat_id",
    "cara_kb_id",
    "hamil",
    "ktp_el",
    "status_rekam",
    "alamat_sekarang",
    "status_dasar",
    "suku",
    "tag_id_card",
    "id_asuransi",
    "no_asuransi",
    "lat",
    "lng",
    "pekerja_migran",
    "telepon",
];

/// Columns without which no row can be read.
pub const REQUIRED_COLUMNS: [&str; 2] = ["nik", "nama"];

/// The columns an export writes, in this order: all known to OpenSID's import, so it takes
/// the workbook back.
pub const EXPORT_COLUMNS: [&str; 12] = [
    "nik",
    "no_kk",
    "nama",
    "sex",
    "tempatlahir",
    "tanggallahir",
    "alamat",
    "dusun",
    "rt",
    "rw",
    "telepon",
    "pekerja_migran",
];

/// OpenSID's default `pekerja_migran` value.
pub const NOT_MIGRANT: &str = "BUKAN PEKERJA MIGRAN";

/// One cell as the workbook holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// A date cell (Excel stores a serial number with a date format; the reader converts it).
    Date(Date),
}

impl Cell {
    /// The cell as text, the way OpenSID reads it: trimmed, a leading `'` (Excel's "this is
    /// text" mark) dropped, `-` meaning empty; whole numbers without a decimal point.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => {
                let s = s.trim().trim_start_matches('\'').trim();
                if s == "-" { String::new() } else { s.to_string() }
            }
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => d.to_string(),
        }
    }

    fn is_blank(&self) -> bool {
        self.text().is_empty()
    }
}

/// Why the sheet's header cannot be used: nothing is imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderError {
    /// Required columns absent from row 1.
    MissingColumns(Vec<&'static str>),
    /// A column named twice: which one holds the value would be a guess.
    DuplicateColumn(String),
}

/// Row 1: where each known column is, and the columns that are not OpenSID's.
#[derive(Debug, Clone)]
pub struct Header {
    index: HashMap<&'static str, usize>,
    /// Column names not known to OpenSID's import, as written (reported once, on row 1).
    pub unknown: Vec<String>,
}

impl Header {
    pub fn parse(cells: &[Cell]) -> Result<Header, HeaderError> {
        let mut index = HashMap::new();
        let mut unknown = Vec::new();
        for (i, c) in cells.iter().enumerate() {
            let name = c.text().to_ascii_lowercase();
            if name.is_empty() {
                continue;
            }
            match KNOWN_COLUMNS.iter().find(|k| **k == name) {
                Some(k) => {
                    if index.insert(*k, i).is_some() {
                        return Err(HeaderError::DuplicateColumn(name));
                    }
                }
                None => unknown.push(c.text()),
            }
        }
        let missing: Vec<&'static str> = REQUIRED_COLUMNS.into_iter().filter(|c| !index.contains_key(c)).collect();
        if !missing.is_empty() {
            return Err(HeaderError::MissingColumns(missing));
        }
        Ok(Header { index, unknown })
    }

    fn cell<'a>(&self, cells: &'a [Cell], column: &str) -> Option<&'a Cell> {
        self.index.get(column).and_then(|i| cells.get(*i))
    }

    fn text(&self, cells: &[Cell], column: &str) -> String {
        self.cell(cells, column).map(Cell::text).unwrap_or_default()
    }
}

/// True for a row with nothing in it (skipped, not refused).
pub fn is_blank_row(cells: &[Cell]) -> bool {
    cells.iter().all(Cell::is_blank)
}

/// OpenSID's template marks the end of its data with `###` in the second column.
pub fn is_end_marker(cells: &[Cell]) -> bool {
    cells.get(1).is_some_and(|c| c.text() == "###")
}

/// OpenSID's migrant-worker status (`pekerja_migran`). OpenSID offers `BUKAN PEKERJA MIGRAN`
/// by default and the other values from its central reference list (Pantau), so any other
/// text means a migrant worker; words in it tell a prospective or a returned one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MigrantStatus {
    NotMigrant,
    /// A migrant worker, with the value as OpenSID wrote it.
    Migrant(String),
}

impl MigrantStatus {
    pub fn parse(value: &str) -> MigrantStatus {
        let v = value.trim();
        let squashed: String = v.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        // Empty is OpenSID's default too; 0/1 are the codes some OpenSID-based forms use.
        if squashed.is_empty() || squashed == "0" || squashed == "BUKANPEKERJAMIGRAN" || squashed.starts_with("BUKAN") {
            MigrantStatus::NotMigrant
        } else if squashed == "1" {
            MigrantStatus::Migrant("PEKERJA MIGRAN".into())
        } else {
            MigrantStatus::Migrant(v.to_uppercase())
        }
    }

    /// The category a new person gets: a migrant worker is abroad unless the value says
    /// prospective (CALON, CPMI) or returned (PURNA, MANTAN, EKS). A resident who is not one
    /// is `Family`, the registry's category for people who are not workers themselves, so
    /// they stay out of the migrant lists and statistics and go back to OpenSID as
    /// `BUKAN PEKERJA MIGRAN`; an officer changes it when the person signs up to work abroad.
    pub fn category(&self) -> PersonCategory {
        match self {
            MigrantStatus::NotMigrant => PersonCategory::Family,
            MigrantStatus::Migrant(v) => {
                let has = |w: &str| v.split(|c: char| !c.is_alphanumeric()).any(|p| p == w);
                if has("CALON") || has("CPMI") {
                    PersonCategory::Prospective
                } else if has("PURNA") || has("MANTAN") || has("EKS") {
                    PersonCategory::Returned
                } else {
                    PersonCategory::Abroad
                }
            }
        }
    }
}

/// The `pekerja_migran` value an export writes for a category (read back as the same
/// category by [`MigrantStatus::category`]).
pub fn migrant_value(category: PersonCategory) -> &'static str {
    match category {
        PersonCategory::Prospective => "CALON PEKERJA MIGRAN",
        PersonCategory::Abroad => "PEKERJA MIGRAN",
        PersonCategory::Returned => "PURNA PEKERJA MIGRAN",
        PersonCategory::Family => NOT_MIGRANT,
    }
}

/// OpenSID's sex: the code (1 male, 2 female) or a label (LAKI-LAKI, PEREMPUAN, L, LK, P, PR).
pub fn parse_sex(value: &str) -> Option<Sex> {
    let v: String = value.chars().filter(|c| c.is_alphanumeric()).collect::<String>().to_uppercase();
    match v.as_str() {
        "1" | "L" | "LK" | "LAKILAKI" | "PRIA" => Some(Sex::L),
        "2" | "P" | "PR" | "PEREMPUAN" | "WANITA" => Some(Sex::P),
        _ => None,
    }
}

/// The address kept on our record: `alamat`, then `RT x/RW y`, then `Dusun z` (OpenSID's
/// own parts, in the order a letter is addressed), each only when given.
pub fn compose_address(alamat: &str, dusun: &str, rt: &str, rw: &str) -> String {
    let mut parts = Vec::new();
    if !alamat.trim().is_empty() {
        parts.push(alamat.trim().to_string());
    }
    match (rt.trim(), rw.trim()) {
        ("", "") => {}
        (rt, "") => parts.push(format!("RT {rt}")),
        ("", rw) => parts.push(format!("RW {rw}")),
        (rt, rw) => parts.push(format!("RT {rt}/RW {rw}")),
    }
    let dusun = dusun.trim().replace('_', " ");
    let dusun = match dusun.get(..6) {
        Some(p) if p.eq_ignore_ascii_case("dusun ") => dusun[6..].trim().to_string(),
        _ => dusun,
    };
    if !dusun.is_empty() {
        parts.push(format!("Dusun {dusun}"));
    }
    parts.join(", ")
}

/// One data row in our terms, still to be validated as a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenSidRow {
    pub nik: String,
    pub kk_number: String,
    pub full_name: String,
    /// `L` or `P`.
    pub sex: String,
    /// `YYYY-MM-DD`, or empty.
    pub birth_date: String,
    pub birth_place: String,
    pub address: String,
    pub phone: String,
    pub migrant: MigrantStatus,
}

/// The date in a date column: a date cell, an Excel serial number, or text as OpenSID writes
/// it (`Y-m-d`; also `d-m-Y` and `d/m/Y`). `Err` for a date that does not exist.
fn read_date(cell: Option<&Cell>, column: &str) -> Result<String, FieldError> {
    let bad = || {
        FieldError::new(column, Rule::Format, "a date that exists, written YYYY-MM-DD")
            .message("opensid.bad_date")
            .param("column", column)
    };
    match cell {
        None | Some(Cell::Empty) => Ok(String::new()),
        Some(Cell::Date(d)) => Ok(d.to_string()),
        Some(Cell::Number(n)) => excel_serial(*n).map(|d| d.to_string()).ok_or_else(bad),
        Some(c @ Cell::Text(_)) => {
            let t = c.text();
            if t.is_empty() {
                return Ok(t);
            }
            // OpenSID's exports write `2001-02-03 00:00:00` for some date columns.
            let t = t.split_whitespace().next().unwrap_or("");
            parse_date(t).map(|d| d.to_string()).ok_or_else(bad)
        }
    }
}

/// Excel's serial day number (1900 date system, as every xlsx writer uses) as a date.
pub fn excel_serial(n: f64) -> Option<Date> {
    if !(1.0..=2_958_465.0).contains(&n) {
        return None;
    }
    let epoch = Date::from_calendar_date(1899, time::Month::December, 30).ok()?;
    epoch.checked_add(time::Duration::days(n.trunc() as i64))
}

/// Maps one data row to our fields. Errors name OpenSID's column (`tanggallahir`, `nik`…).
/// A NIK of `0` (or none) is refused: the registry keys people by NIK.
pub fn map_row(header: &Header, cells: &[Cell]) -> Result<OpenSidRow, Vec<FieldError>> {
    let mut errs = Vec::new();
    let nik_cell = header.cell(cells, "nik");
    // A NIK typed as a number lost its last digits (Excel keeps 15); 0 is "no NIK" either way.
    let nik = match nik_cell {
        Some(Cell::Number(n)) if *n != 0.0 => {
            errs.push(
                FieldError::new(
                    "nik",
                    Rule::Format,
                    "the NIK was stored as a number and lost digits: format it as text",
                )
                .message("import.row_nik_as_number"),
            );
            String::new()
        }
        // Dukcapil files sometimes carry invisible characters around the digits (OpenSID strips them).
        Some(c) => c.text().chars().filter(|ch| !ch.is_whitespace() && !ch.is_control() && *ch != '\u{200b}').collect(),
        None => String::new(),
    };
    if errs.is_empty() && (nik.is_empty() || nik.chars().all(|c| c == '0')) {
        errs.push(
            FieldError::new(
                "nik",
                Rule::Required,
                "no NIK yet (0): the registry keys people by NIK, so the row is not imported",
            )
            .message("opensid.no_nik"),
        );
    }
    let sex_text = header.text(cells, "sex");
    let sex = if sex_text.is_empty() {
        String::new()
    } else {
        match parse_sex(&sex_text) {
            Some(s) => s.as_str().to_string(),
            None => {
                errs.push(
                    FieldError::new("sex", Rule::OneOf, "1 or 2, L/LAKI-LAKI or P/PEREMPUAN")
                        .message("opensid.bad_sex"),
                );
                String::new()
            }
        }
    };
    let birth_date = read_date(header.cell(cells, "tanggallahir"), "tanggallahir").unwrap_or_else(|e| {
        errs.push(e);
        String::new()
    });
    if !errs.is_empty() {
        return Err(errs);
    }
    let kk: String = header.text(cells, "no_kk").chars().filter(|c| c.is_ascii_digit()).collect();
    Ok(OpenSidRow {
        nik,
        // OpenSID writes 0 for an unknown KK too.
        kk_number: if kk.chars().all(|c| c == '0') { String::new() } else { kk },
        full_name: header.text(cells, "nama"),
        sex,
        birth_date,
        birth_place: header.text(cells, "tempatlahir"),
        address: compose_address(
            &header.text(cells, "alamat"),
            &header.text(cells, "dusun"),
            &header.text(cells, "rt"),
            &header.text(cells, "rw"),
        ),
        phone: header.text(cells, "telepon"),
        migrant: MigrantStatus::parse(&header.text(cells, "pekerja_migran")),
    })
}

/// OpenSID's column for one of our person fields, so a refusal names what the user sees in
/// the workbook.
pub fn column_for(field: &str) -> &str {
    match field {
        "kk_number" => "no_kk",
        "full_name" => "nama",
        "birth_date" => "tanggallahir",
        "birth_place" => "tempatlahir",
        "address" => "alamat",
        "phone" => "telepon",
        "category" => "pekerja_migran",
        other => other,
    }
}

/// The fields of a known person that an import may fill: only those empty on our record,
/// never overwriting what an officer typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fill {
    pub kk_number: Option<String>,
    pub birth_place: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
}

impl Fill {
    /// `current_*` are our record's values (empty = missing).
    pub fn between(
        row: &OpenSidRow,
        current_kk: &str,
        current_birth_place: &str,
        current_address: &str,
        current_phone: &str,
    ) -> Fill {
        let pick = |ours: &str, theirs: &str| {
            (ours.trim().is_empty() && !theirs.trim().is_empty()).then(|| theirs.trim().to_string())
        };
        Fill {
            // Only a well-formed KK fills the gap (16 digits, as registration requires).
            kk_number: pick(current_kk, &row.kk_number).filter(|k| crate::person::KkNumber::parse(k).is_some()),
            birth_place: pick(current_birth_place, &row.birth_place),
            address: pick(current_address, &row.address),
            phone: pick(current_phone, &row.phone),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Fill::default()
    }

    /// The names of the fields filled, for the audit entry (never their values).
    pub fn fields(&self) -> Vec<&'static str> {
        [
            ("kk_number", self.kk_number.is_some()),
            ("birth_place", self.birth_place.is_some()),
            ("address", self.address.is_some()),
            ("phone", self.phone.is_some()),
        ]
        .into_iter()
        .filter(|(_, s)| *s)
        .map(|(f, _)| f)
        .collect()
    }
}

/// What the migrant statistics count of one worker.
#[derive(Debug, Clone, Copy)]
pub struct MigrantFacts<'a> {
    pub category: PersonCategory,
    /// `L` or `P`.
    pub sex: &'a str,
    /// The latest episode's destination (ISO country code), if any.
    pub destination: Option<&'a str>,
    /// The latest episode's departure date (`YYYY-MM-DD`), if departed.
    pub departed_on: Option<&'a str>,
}

/// The migrant statistics OpenSID users asked for (OpenSID issue 10085, OpenKab 777): by
/// status (`pekerja_migran` value), sex, destination country and year of departure. Each
/// list is `(key, count)`, largest first; an empty key is "not recorded".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrantStats {
    pub total: usize,
    pub by_status: Vec<(String, usize)>,
    pub by_sex: Vec<(String, usize)>,
    pub by_destination: Vec<(String, usize)>,
    pub by_departure_year: Vec<(String, usize)>,
}

pub fn migrant_stats<'a>(items: impl IntoIterator<Item = MigrantFacts<'a>>) -> MigrantStats {
    fn sorted(m: HashMap<String, usize>) -> Vec<(String, usize)> {
        let mut v: Vec<(String, usize)> = m.into_iter().collect();
        // Largest first; "not recorded" (empty) last among equals; then by key, stable.
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.is_empty().cmp(&b.0.is_empty())).then_with(|| a.0.cmp(&b.0)));
        v
    }
    let (mut status, mut sex, mut dest, mut year) = (HashMap::new(), HashMap::new(), HashMap::new(), HashMap::new());
    let mut total = 0;
    for f in items {
        total += 1;
        *status.entry(migrant_value(f.category).to_string()).or_insert(0) += 1;
        *sex.entry(f.sex.to_string()).or_insert(0) += 1;
        *dest.entry(f.destination.unwrap_or("").to_string()).or_insert(0) += 1;
        let y = f.departed_on.and_then(|d| d.get(..4)).unwrap_or("").to_string();
        *year.entry(y).or_insert(0) += 1;
    }
    MigrantStats {
        total,
        by_status: sorted(status),
        by_sex: sorted(sex),
        by_destination: sorted(dest),
        by_departure_year: sorted(year),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    fn header(cols: &[&str]) -> Header {
        Header::parse(&cols.iter().map(|c| t(c)).collect::<Vec<_>>()).expect("header")
    }

    const COLS: [&str; 11] =
        ["nik", "no_kk", "nama", "sex", "tempatlahir", "tanggallahir", "alamat", "dusun", "rt", "rw", "pekerja_migran"];

    fn row(values: &[Cell]) -> Result<OpenSidRow, Vec<FieldError>> {
        map_row(&header(&COLS), values)
    }

    fn good() -> Vec<Cell> {
        vec![
            t("5307015205900001"),
            t("5307010101100002"),
            t("MARIA GORETI"),
            t("2"),
            t("MAUMERE"),
            t("1990-05-12"),
            t("Jl. Mawar 3"),
            t("KRAJAN"),
            t("001"),
            t("002"),
            t("PEKERJA MIGRAN"),
        ]
    }

    #[test]
    fn a_full_row_maps_to_our_fields() {
        let r = row(&good()).unwrap();
        assert_eq!(r.nik, "5307015205900001");
        assert_eq!(r.kk_number, "5307010101100002");
        assert_eq!(r.full_name, "MARIA GORETI");
        assert_eq!(r.sex, "P");
        assert_eq!(r.birth_date, "1990-05-12");
        assert_eq!(r.birth_place, "MAUMERE");
        assert_eq!(r.address, "Jl. Mawar 3, RT 001/RW 002, Dusun KRAJAN");
        assert_eq!(r.migrant.category(), PersonCategory::Abroad);
    }

    #[test]
    fn sex_as_code_or_label() {
        for (v, s) in
            [("1", Sex::L), ("2", Sex::P), ("LAKI-LAKI", Sex::L), ("Perempuan", Sex::P), ("LK", Sex::L), ("Pr", Sex::P)]
        {
            assert_eq!(parse_sex(v), Some(s), "{v}");
        }
        assert_eq!(parse_sex("3"), None);
        let mut cells = good();
        cells[3] = Cell::Number(1.0);
        assert_eq!(row(&cells).unwrap().sex, "L");
        cells[3] = t("X");
        let e = row(&cells).unwrap_err();
        assert_eq!((e[0].field.as_str(), e[0].rule), ("sex", Rule::OneOf));
    }

    #[test]
    fn nik_zero_or_empty_is_refused_as_no_nik() {
        for v in [t("0"), t(""), Cell::Number(0.0), Cell::Empty] {
            let mut cells = good();
            cells[0] = v;
            let e = row(&cells).unwrap_err();
            assert_eq!((e[0].field.as_str(), e[0].rule), ("nik", Rule::Required));
            assert_eq!(e[0].message_key.as_deref(), Some("opensid.no_nik"));
        }
        let mut cells = good();
        cells[0] = Cell::Number(5307015205900001.0);
        assert_eq!(row(&cells).unwrap_err()[0].message_key.as_deref(), Some("import.row_nik_as_number"));
    }

    #[test]
    fn dates_as_text_cells_and_serials_and_impossible_ones_named() {
        let mut cells = good();
        cells[5] = Cell::Date(time::macros::date!(1991 - 02 - 03));
        assert_eq!(row(&cells).unwrap().birth_date, "1991-02-03");
        cells[5] = Cell::Number(33272.0); // 1991-02-03
        assert_eq!(row(&cells).unwrap().birth_date, "1991-02-03");
        cells[5] = t("03-02-1991");
        assert_eq!(row(&cells).unwrap().birth_date, "1991-02-03");
        cells[5] = t("1991-02-03 00:00:00");
        assert_eq!(row(&cells).unwrap().birth_date, "1991-02-03");
        for bad in ["1990-02-30", "1990-13-01", "kemarin"] {
            cells[5] = t(bad);
            let e = row(&cells).unwrap_err();
            assert_eq!((e[0].field.as_str(), e[0].rule), ("tanggallahir", Rule::Format), "{bad}");
        }
    }

    #[test]
    fn unknown_columns_are_listed_and_required_ones_checked() {
        let h = Header::parse(&[t("nik"), t("nama"), t("hobi"), t("SEX")]).unwrap();
        assert_eq!(h.unknown, vec!["hobi".to_string()]);
        assert_eq!(Header::parse(&[t("nik"), t("sex")]).unwrap_err(), HeaderError::MissingColumns(vec!["nama"]));
        assert_eq!(
            Header::parse(&[t("nik"), t("nama"), t("nik")]).unwrap_err(),
            HeaderError::DuplicateColumn("nik".into())
        );
    }

    #[test]
    fn migrant_status_gives_the_category_and_round_trips() {
        assert_eq!(MigrantStatus::parse("BUKAN PEKERJA MIGRAN"), MigrantStatus::NotMigrant);
        assert_eq!(MigrantStatus::parse(""), MigrantStatus::NotMigrant);
        assert_eq!(MigrantStatus::parse("0"), MigrantStatus::NotMigrant);
        assert_eq!(MigrantStatus::parse("1").category(), PersonCategory::Abroad);
        assert_eq!(MigrantStatus::parse("Pekerja Migran").category(), PersonCategory::Abroad);
        assert_eq!(MigrantStatus::parse("NotMigrant").category(), PersonCategory::Abroad);
        for c in [PersonCategory::Prospective, PersonCategory::Abroad, PersonCategory::Returned] {
            assert_eq!(MigrantStatus::parse(migrant_value(c)).category(), c);
        }
        assert_eq!(MigrantStatus::parse(migrant_value(PersonCategory::Family)), MigrantStatus::NotMigrant);
    }

    #[test]
    fn address_composition() {
        assert_eq!(compose_address("Jl. A", "Dusun_Krajan", "1", ""), "Jl. A, RT 1, Dusun Krajan");
        assert_eq!(compose_address("", "", "", "3"), "RW 3");
        assert_eq!(compose_address("", "", "", ""), "");
    }

    #[test]
    fn fill_only_takes_what_we_lack() {
        let r = row(&good()).unwrap();
        let f = Fill::between(&r, "", "Kupang", "", "0812");
        assert_eq!(f.kk_number.as_deref(), Some("5307010101100002"));
        assert_eq!(f.birth_place, None);
        assert!(f.address.is_some());
        assert_eq!(f.phone, None);
        assert_eq!(f.fields(), vec!["kk_number", "address"]);
        assert!(Fill::between(&r, "1", "x", "y", "z").is_empty());
    }

    #[test]
    fn cells_read_like_opensid() {
        assert_eq!(t(" '001 ").text(), "001");
        assert_eq!(t("-").text(), "");
        assert_eq!(Cell::Number(7.0).text(), "7");
        assert!(is_end_marker(&[Cell::Empty, t("###")]));
        assert!(is_blank_row(&[Cell::Empty, t(" ")]));
    }

    #[test]
    fn stats_count_by_status_sex_destination_and_year() {
        let f = |category, sex, destination, departed_on| MigrantFacts { category, sex, destination, departed_on };
        let s = migrant_stats([
            f(PersonCategory::Abroad, "P", Some("MY"), Some("2024-03-01")),
            f(PersonCategory::Abroad, "P", Some("HK"), Some("2025-01-09")),
            f(PersonCategory::Returned, "L", Some("MY"), Some("2024-07-01")),
            f(PersonCategory::Prospective, "L", None, None),
        ]);
        assert_eq!(s.total, 4);
        assert_eq!(s.by_status[0], ("PEKERJA MIGRAN".to_string(), 2));
        assert_eq!(s.by_sex, vec![("L".to_string(), 2), ("P".to_string(), 2)]);
        assert_eq!(s.by_destination, vec![("MY".to_string(), 2), ("HK".to_string(), 1), (String::new(), 1)]);
        assert_eq!(s.by_departure_year[0], ("2024".to_string(), 2));
    }
}
