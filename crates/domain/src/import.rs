//! Reading a CSV file of people kept in a village spreadsheet: the delimiter (`,` or `;`,
//! read from the header line), an optional UTF-8 byte order mark, a header naming the
//! columns in any order, and one record per row with its line number. Pure: the caller
//! hands over the bytes; whether a row is a valid person is `person::validate_new_person`'s
//! business.

use std::fmt;

/// The columns an import reads, in their documented order.
pub const COLUMNS: [&str; 8] =
    ["nik", "kk_number", "full_name", "sex", "birth_date", "birth_place", "village_code", "phone"];

/// Columns a file must have; the others may be left out (their values are optional).
pub const REQUIRED: [&str; 5] = ["nik", "full_name", "sex", "birth_date", "village_code"];

/// Columns the rejected-rows file adds; ignored (and not reported) when such a file is
/// corrected and imported again.
pub const LINE_COLUMN: &str = "line";
pub const REASON_COLUMN: &str = "reason";

/// One data row, fields trimmed, as strings: validation happens later, with the form's rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportRow {
    pub nik: String,
    pub kk_number: String,
    pub full_name: String,
    pub sex: String,
    pub birth_date: String,
    pub birth_place: String,
    pub village_code: String,
    pub phone: String,
}

impl ImportRow {
    fn set(&mut self, column: usize, value: String) {
        let slot = match column {
            0 => &mut self.nik,
            1 => &mut self.kk_number,
            2 => &mut self.full_name,
            3 => &mut self.sex,
            4 => &mut self.birth_date,
            5 => &mut self.birth_place,
            6 => &mut self.village_code,
            _ => &mut self.phone,
        };
        *slot = value;
    }
}

/// Why a whole file cannot be read: nothing from it is imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    /// No header line (an empty file, or only blank lines).
    Empty,
    /// The header is not UTF-8 (a spreadsheet saved as "CSV" in a legacy code page).
    NotUtf8,
    /// Required columns absent from the header, in `COLUMNS` order.
    MissingColumns(Vec<&'static str>),
    /// A column named twice: which one holds the value would be a guess.
    DuplicateColumn(String),
    /// A header but no data row.
    NoRows,
}

impl FileError {
    /// Stable name, for message catalogues (`import.file_<code>`).
    pub fn code(&self) -> &'static str {
        match self {
            FileError::Empty => "empty",
            FileError::NotUtf8 => "not_utf8",
            FileError::MissingColumns(_) => "missing_columns",
            FileError::DuplicateColumn(_) => "duplicate_column",
            FileError::NoRows => "no_rows",
        }
    }

    /// The column names the message is about (missing or duplicated), comma-separated.
    pub fn columns(&self) -> String {
        match self {
            FileError::MissingColumns(c) => c.join(", "),
            FileError::DuplicateColumn(c) => c.clone(),
            _ => String::new(),
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::Empty => f.write_str("the file is empty: the first line must name the columns"),
            FileError::NotUtf8 => f.write_str("the file is not UTF-8: save it as \"CSV UTF-8\""),
            FileError::MissingColumns(c) => write!(
                f,
                "required columns missing from the header line: {} (expected {})",
                c.join(", "),
                COLUMNS.join(",")
            ),
            FileError::DuplicateColumn(c) => write!(f, "the column {c} appears twice in the header line"),
            FileError::NoRows => f.write_str("the file has a header line but no rows"),
        }
    }
}

impl std::error::Error for FileError {}

/// Why one row could not be read as a row of the file (before any person rule applies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowError {
    TooFewFields {
        expected: usize,
        found: usize,
    },
    TooManyFields {
        expected: usize,
        found: usize,
    },
    /// Bytes that are not UTF-8 in this row.
    NotUtf8,
    /// The NIK was turned into a number by the spreadsheet (`5.30702E+15`): digits are lost.
    NikAsNumber,
    /// Anything else the CSV reader refused.
    Unreadable(String),
}

impl RowError {
    /// Stable name, for message catalogues (`import.row_<code>`).
    pub fn code(&self) -> &'static str {
        match self {
            RowError::TooFewFields { .. } => "too_few_fields",
            RowError::TooManyFields { .. } => "too_many_fields",
            RowError::NotUtf8 => "not_utf8",
            RowError::NikAsNumber => "nik_as_number",
            RowError::Unreadable(_) => "unreadable",
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RowError::TooFewFields { expected, found } => {
                write!(f, "too few fields: {found} instead of {expected}")
            }
            RowError::TooManyFields { expected, found } => {
                write!(f, "too many fields: {found} instead of {expected} (a separator inside a value needs quotes)")
            }
            RowError::NotUtf8 => f.write_str("the row is not UTF-8: save the file as \"CSV UTF-8\""),
            RowError::NikAsNumber => f.write_str(
                "the NIK was turned into a number by the spreadsheet and lost digits: format the column as text",
            ),
            RowError::Unreadable(e) => write!(f, "unreadable row: {e}"),
        }
    }
}

impl std::error::Error for RowError {}

/// One data row as read: its line (where it starts, counting the header as line 1 when the
/// file starts with it), its fields as written, and the row or why it cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub line: u64,
    pub fields: Vec<String>,
    pub row: Result<ImportRow, RowError>,
}

/// A file whose header has been read and checked. Rows are read on demand by [`records`].
///
/// [`records`]: ImportFile::records
#[derive(Debug, Clone)]
pub struct ImportFile {
    data: Vec<u8>,
    /// Where the CSV text starts (after a byte order mark).
    start: usize,
    delimiter: u8,
    /// Header fields as written (trimmed).
    header: Vec<String>,
    /// For each of `COLUMNS`, its position in the file.
    positions: [Option<usize>; 8],
    ignored: Vec<String>,
    rows: usize,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `;` when the header line has more semicolons than commas (outside quotes), else `,`.
fn detect_delimiter(text: &[u8]) -> u8 {
    let (mut commas, mut semicolons, mut quoted) = (0usize, 0usize, false);
    for &b in text.iter().skip_while(|b| b.is_ascii_whitespace()) {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if semicolons > commas { b';' } else { b',' }
}

/// A column name as matched: trimmed, lower case, spaces and hyphens as underscores.
fn normalise(name: &str) -> String {
    name.trim().to_lowercase().replace([' ', '-'], "_")
}

fn is_blank(record: &csv::ByteRecord) -> bool {
    record.iter().all(|f| f.iter().all(|b| b.is_ascii_whitespace()))
}

fn reader(text: &[u8], delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).flexible(true).from_reader(text)
}

/// Reads records up to and including the first non-blank one (the header).
fn read_header(r: &mut csv::Reader<&[u8]>) -> Option<csv::ByteRecord> {
    let mut record = csv::ByteRecord::new();
    loop {
        match r.read_byte_record(&mut record) {
            Ok(true) if is_blank(&record) => continue,
            Ok(true) => return Some(record),
            // A slice cannot fail to read; a malformed header is as good as none.
            Ok(false) | Err(_) => return None,
        }
    }
}

/// Spreadsheets mark a number kept as text with a leading apostrophe.
fn strip_text_mark(s: &str) -> &str {
    s.strip_prefix('\'').unwrap_or(s)
}

/// `5.30702E+15` and the like: a NIK a spreadsheet stored as a number.
fn looks_like_scientific(s: &str) -> bool {
    (s.contains("E+") || s.contains("e+")) && s.replace(',', ".").parse::<f64>().is_ok()
}

impl ImportFile {
    /// Reads the header and counts the rows. File-level problems stop the import here.
    pub fn parse(data: Vec<u8>) -> Result<ImportFile, FileError> {
        let start = if data.starts_with(BOM) { BOM.len() } else { 0 };
        let text = &data[start..];
        let delimiter = detect_delimiter(text);
        let mut r = reader(text, delimiter);
        let header = read_header(&mut r).ok_or(FileError::Empty)?;
        let header: Vec<String> = header
            .iter()
            .map(|f| std::str::from_utf8(f).map(|s| s.trim().to_string()))
            .collect::<Result<_, _>>()
            .map_err(|_| FileError::NotUtf8)?;
        let mut positions = [None; 8];
        let mut ignored = Vec::new();
        for (i, name) in header.iter().enumerate() {
            let key = normalise(name);
            match COLUMNS.iter().position(|c| *c == key) {
                Some(c) if positions[c].is_some() => return Err(FileError::DuplicateColumn(COLUMNS[c].to_string())),
                Some(c) => positions[c] = Some(i),
                None if key.is_empty() || key == LINE_COLUMN || key == REASON_COLUMN => {}
                None => ignored.push(name.clone()),
            }
        }
        let missing: Vec<&'static str> = COLUMNS
            .iter()
            .zip(positions)
            .filter(|(c, p)| p.is_none() && REQUIRED.contains(c))
            .map(|(c, _)| *c)
            .collect();
        if !missing.is_empty() {
            return Err(FileError::MissingColumns(missing));
        }
        let mut rows = 0;
        let mut record = csv::ByteRecord::new();
        while let Ok(true) = r.read_byte_record(&mut record) {
            if !is_blank(&record) {
                rows += 1;
            }
        }
        if rows == 0 {
            return Err(FileError::NoRows);
        }
        Ok(ImportFile { data, start, delimiter, header, positions, ignored, rows })
    }

    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// The header fields as written.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// Header columns that are not read (as written), to show the user what was left out.
    pub fn ignored_columns(&self) -> &[String] {
        &self.ignored
    }

    /// The value of one of `COLUMNS` in a record's fields ("" when absent), also for rows
    /// that could not be read whole.
    pub fn value<'a>(&self, fields: &'a [String], column: &str) -> &'a str {
        COLUMNS
            .iter()
            .position(|c| *c == column)
            .and_then(|c| self.positions[c])
            .and_then(|p| fields.get(p))
            .map_or("", |v| v.trim())
    }

    /// Data rows, blank lines not counted.
    pub fn row_count(&self) -> usize {
        self.rows
    }

    /// The data rows in file order, blank lines skipped.
    pub fn records(&self) -> Records<'_> {
        let mut reader = reader(&self.data[self.start..], self.delimiter);
        let _ = read_header(&mut reader);
        Records { file: self, reader, record: csv::ByteRecord::new(), counted_to: 0, line: 1 }
    }

    fn record(&self, line: u64, raw: &csv::ByteRecord) -> Record {
        let utf8: Result<Vec<String>, _> = raw.iter().map(|f| std::str::from_utf8(f).map(String::from)).collect();
        let Ok(fields) = utf8 else {
            let fields = raw.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect();
            return Record { line, fields, row: Err(RowError::NotUtf8) };
        };
        let expected = self.header.len();
        let found = fields.len();
        let row = if found < expected {
            Err(RowError::TooFewFields { expected, found })
        } else if fields[expected..].iter().any(|f| !f.trim().is_empty()) {
            // Trailing empty fields are what spreadsheets write for unused cells: harmless.
            Err(RowError::TooManyFields { expected, found })
        } else {
            let mut row = ImportRow::default();
            for (column, position) in self.positions.iter().enumerate() {
                if let Some(p) = position {
                    row.set(column, fields[*p].trim().to_string());
                }
            }
            for v in [&mut row.nik, &mut row.kk_number, &mut row.phone] {
                *v = strip_text_mark(v).trim().to_string();
            }
            if looks_like_scientific(&row.nik) { Err(RowError::NikAsNumber) } else { Ok(row) }
        };
        Record { line, fields, row }
    }
}

/// Iterator over an [`ImportFile`]'s data rows.
pub struct Records<'a> {
    file: &'a ImportFile,
    reader: csv::Reader<&'a [u8]>,
    record: csv::ByteRecord,
    /// Line numbers are counted here: the reader's own count starts a row where reading
    /// started, before the blank lines it skips (and before the `\n` of a CRLF), and does
    /// not count a lone CR.
    counted_to: usize,
    line: u64,
}

impl Records<'_> {
    /// The line on which the text at `byte` (where the reader began a row) really starts.
    fn line_at(&mut self, byte: u64) -> u64 {
        let text = &self.file.data[self.file.start..];
        let mut at = usize::try_from(byte).unwrap_or(usize::MAX).min(text.len());
        while at < text.len() && matches!(text[at], b'\r' | b'\n') {
            at += 1;
        }
        if at > self.counted_to {
            // A line ends with LF, CRLF, or a lone CR (old Macintosh spreadsheets).
            let breaks = (self.counted_to..at)
                .filter(|i| text[*i] == b'\n' || (text[*i] == b'\r' && text.get(i + 1) != Some(&b'\n')))
                .count();
            self.line += breaks as u64;
            self.counted_to = at;
        }
        self.line
    }
}

impl Iterator for Records<'_> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        loop {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => return None,
                Ok(true) if is_blank(&self.record) => continue,
                Ok(true) => {
                    let start = self.record.position().map_or(0, |p| p.byte());
                    let line = self.line_at(start);
                    return Some(self.file.record(line, &self.record));
                }
                // Unreachable on a slice with flexible records; reported, never a panic.
                Err(e) => {
                    let line = e.position().map_or(0, |p| self.line_at(p.byte()));
                    return Some(Record { line, fields: vec![], row: Err(RowError::Unreadable(e.to_string())) });
                }
            }
        }
    }
}

/// The rejected rows as a CSV file to fix and import again: the original columns (as many
/// as the header has) then `line` and `reason`, with the original delimiter and a byte order
/// mark (so spreadsheets read it as UTF-8). Earlier `line`/`reason` columns are dropped.
pub fn rejected_csv<'a>(
    header: &[String],
    delimiter: u8,
    rows: impl IntoIterator<Item = (u64, &'a [String], &'a str)>,
) -> Vec<u8> {
    let keep: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| !matches!(normalise(h).as_str(), LINE_COLUMN | REASON_COLUMN))
        .map(|(i, _)| i)
        .collect();
    let mut out = BOM.to_vec();
    {
        let mut w = csv::WriterBuilder::new().delimiter(delimiter).from_writer(&mut out);
        let mut head: Vec<&str> = keep.iter().map(|i| header[*i].as_str()).collect();
        head.extend([LINE_COLUMN, REASON_COLUMN]);
        // Writing to a Vec cannot fail.
        let _ = w.write_record(&head);
        for (line, fields, reason) in rows {
            let line = line.to_string();
            let mut rec: Vec<&str> = keep.iter().map(|i| fields.get(*i).map_or("", String::as_str)).collect();
            rec.extend([line.as_str(), reason]);
            let _ = w.write_record(&rec);
        }
        let _ = w.flush();
    }
    out
}

/// Rows an import writes in one transaction with one audit entry (issue 18): large enough
/// that the commit's disk sync and the rewrites of the same index pages are shared by many
/// rows (5,000 imported 27 % faster than 1,000 at 1 M people, docs/BENCHMARKS.md), small
/// enough that progress moves.
pub const BATCH_ROWS: usize = 5000;

/// Numbers (line numbers, ids) written compactly for an audit entry: ascending runs of
/// consecutive numbers as `first-last`, separated by commas ("2-1001,1003"). Input in any order.
pub fn number_ranges(numbers: &[u64]) -> String {
    let mut sorted = numbers.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j + 1 < sorted.len() && sorted[j + 1] == sorted[j] + 1 {
            j += 1;
        }
        out.push(if i == j { sorted[i].to_string() } else { format!("{}-{}", sorted[i], sorted[j]) });
        i = j + 1;
    }
    out.join(",")
}

/// SHA-256 (hex) of rows as written in the file, in the order given: each row its line number
/// and its fields, fields separated by 0x1F and rows ended by 0x1E (characters a CSV field
/// cannot be confused with), so an audit entry can prove which rows a batch wrote without
/// copying personal data into the log.
pub fn rows_digest<'a>(rows: impl IntoIterator<Item = (u64, &'a [String])>) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for (line, fields) in rows {
        h.update(line.to_string().as_bytes());
        for f in fields {
            h.update([0x1F]);
            h.update(f.as_bytes());
        }
        h.update([0x1E]);
    }
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "nik,kk_number,full_name,sex,birth_date,birth_place,village_code,phone";

    fn file(text: &str) -> ImportFile {
        match ImportFile::parse(text.as_bytes().to_vec()) {
            Ok(f) => f,
            Err(e) => panic!("file refused: {e}"),
        }
    }

    fn rows(f: &ImportFile) -> Vec<(u64, ImportRow)> {
        f.records()
            .map(|r| match r.row {
                Ok(row) => (r.line, row),
                Err(e) => panic!("line {} refused: {e}", r.line),
            })
            .collect()
    }

    fn maria() -> ImportRow {
        ImportRow {
            nik: "5307015205900001".into(),
            kk_number: "5307010101100002".into(),
            full_name: "Maria Goreti".into(),
            sex: "P".into(),
            birth_date: "1990-05-12".into(),
            birth_place: "Maumere".into(),
            village_code: "53.07.01.2001".into(),
            phone: "081234567890".into(),
        }
    }

    const MARIA: &str =
        "5307015205900001,5307010101100002,Maria Goreti,P,1990-05-12,Maumere,53.07.01.2001,081234567890";

    #[test]
    fn plain_comma_file() {
        let f = file(&format!("{HEADER}\n{MARIA}\n"));
        assert_eq!(f.delimiter(), b',');
        assert_eq!(f.row_count(), 1);
        assert_eq!(rows(&f), [(2, maria())]);
        assert!(f.ignored_columns().is_empty());
    }

    #[test]
    fn bom_is_stripped() {
        let f = file(&format!("\u{FEFF}{HEADER}\n{MARIA}"));
        assert_eq!(f.header()[0], "nik");
        assert_eq!(rows(&f), [(2, maria())]);
    }

    #[test]
    fn semicolons_with_bom_and_crlf() {
        let text = format!("\u{FEFF}{}\r\n{}\r\n", HEADER.replace(',', ";"), MARIA.replace(',', ";"));
        let f = file(&text);
        assert_eq!(f.delimiter(), b';');
        assert_eq!(rows(&f), [(2, maria())]);
    }

    #[test]
    fn crlf_keeps_line_numbers() {
        let text = format!("{HEADER}\r\n{MARIA}\r\n{}\r\n", MARIA.replace("0001,", "0002,"));
        let got = rows(&file(&text));
        assert_eq!(got.iter().map(|(l, _)| *l).collect::<Vec<_>>(), [2, 3]);
        assert_eq!(got[1].1.nik, "5307015205900002");
        assert_eq!(got[1].1.phone, "081234567890", "no stray carriage return");
    }

    #[test]
    fn lone_cr_line_endings() {
        let text =
            format!("{}\r{}\r\r{}\r", HEADER.replace(',', ";"), MARIA.replace(',', ";"), MARIA.replace(',', ";"));
        let f = file(&text);
        assert_eq!(f.delimiter(), b';');
        assert_eq!(rows(&f).iter().map(|(l, _)| *l).collect::<Vec<_>>(), [2, 4]);
    }

    #[test]
    fn quoted_fields_may_hold_the_delimiter_and_quotes() {
        let text = format!(
            "{}\n5307015205900001;;\"Goreti; Maria \"\"Ina\"\"\";P;12-05-1990;\"Maumere, Sikka\";53.07.01.2001;\n",
            HEADER.replace(',', ";")
        );
        let got = rows(&file(&text));
        assert_eq!(got[0].1.full_name, "Goreti; Maria \"Ina\"");
        assert_eq!(got[0].1.birth_place, "Maumere, Sikka");
        assert_eq!(got[0].1.birth_date, "12-05-1990");
        assert_eq!(got[0].1.kk_number, "");
        // A comma inside quotes does not make a semicolon file look comma-separated.
        let f = file("\"nik\";\"full_name\";\"sex\";\"birth_date\";\"village_code\";\"a,b,c,d,e,f,g\"\n1;2;3;4;5;6\n");
        assert_eq!(f.delimiter(), b';');
    }

    #[test]
    fn a_quoted_line_break_counts_from_where_the_row_starts() {
        let text = format!(
            "{HEADER}\n5307015205900001,,\"Maria\nGoreti\",P,1990-05-12,,53.07.01.2001,\n{}\n",
            MARIA.replace("0001,", "0002,")
        );
        let got = rows(&file(&text));
        assert_eq!(got.iter().map(|(l, _)| *l).collect::<Vec<_>>(), [2, 4]);
        assert_eq!(got[0].1.full_name, "Maria\nGoreti");
    }

    #[test]
    fn columns_in_any_order_any_case_extras_ignored() {
        let text = "Full Name,SEX,Village_Code,catatan,NIK,birth-date\nMaria Goreti,P,53.07.01.2001,x,5307015205900001,1990-05-12\n";
        let f = file(text);
        assert_eq!(f.ignored_columns(), ["catatan"]);
        let (_, row) = &rows(&f)[0];
        assert_eq!(row.full_name, "Maria Goreti");
        assert_eq!(row.nik, "5307015205900001");
        assert_eq!(row.birth_date, "1990-05-12");
        assert_eq!(row.kk_number, "", "optional column left out");
    }

    #[test]
    fn missing_required_columns_are_one_file_error() {
        let err = ImportFile::parse(b"nik;name;sex\n1;2;3\n".to_vec()).unwrap_err();
        assert_eq!(err, FileError::MissingColumns(vec!["full_name", "birth_date", "village_code"]));
        assert_eq!(err.columns(), "full_name, birth_date, village_code");
        assert!(err.to_string().contains("full_name, birth_date, village_code"), "{err}");
    }

    #[test]
    fn other_file_errors() {
        assert_eq!(ImportFile::parse(vec![]).unwrap_err(), FileError::Empty);
        assert_eq!(ImportFile::parse(b"\xEF\xBB\xBF\n\r\n  \n".to_vec()).unwrap_err(), FileError::Empty);
        assert_eq!(ImportFile::parse(format!("{HEADER}\n\n").into_bytes()).unwrap_err(), FileError::NoRows);
        assert_eq!(
            ImportFile::parse(format!("{HEADER},NIK\n").into_bytes()).unwrap_err(),
            FileError::DuplicateColumn("nik".into())
        );
        let mut latin1 = b"nik,full_name,sex,birth_date,village_code,t\xe9l\n".to_vec();
        latin1.extend_from_slice(b"1,2,3,4,5,6\n");
        assert_eq!(ImportFile::parse(latin1).unwrap_err(), FileError::NotUtf8);
    }

    #[test]
    fn blank_lines_are_skipped_and_not_counted() {
        let text = format!("\n{HEADER}\n\n{MARIA}\n\n  \n,,,,,,,\n{}\n\n", MARIA.replace("0001,", "0002,"));
        let f = file(&text);
        assert_eq!(f.row_count(), 2);
        assert_eq!(rows(&f).iter().map(|(l, _)| *l).collect::<Vec<_>>(), [4, 8]);
    }

    #[test]
    fn short_and_long_rows_are_rejected_with_their_line() {
        let text = format!(
            "{HEADER}\n5307015205900001,,Maria\n{MARIA},extra\n{MARIA},,\n\"5307015205900003\",,Ana,P,1990-05-12,,53.07.01.2001\n"
        );
        let got: Vec<Record> = file(&text).records().collect();
        assert_eq!(got.len(), 4);
        assert_eq!((got[0].line, &got[0].row), (2, &Err(RowError::TooFewFields { expected: 8, found: 3 })));
        assert_eq!(got[0].fields, ["5307015205900001", "", "Maria"]);
        let f = file(&text);
        assert_eq!((f.value(&got[0].fields, "nik"), f.value(&got[0].fields, "phone")), ("5307015205900001", ""));
        assert_eq!((got[1].line, &got[1].row), (3, &Err(RowError::TooManyFields { expected: 8, found: 9 })));
        assert_eq!((got[2].line, got[2].row.as_ref().map(|r| r.nik.as_str())), (4, Ok("5307015205900001")));
        assert_eq!(got[3].line, 5);
        assert_eq!(got[3].row, Err(RowError::TooFewFields { expected: 8, found: 7 }));
    }

    #[test]
    fn a_row_that_is_not_utf8_is_rejected_alone() {
        let mut data = format!("{HEADER}\n").into_bytes();
        data.extend_from_slice(b"5307015205900001,,Mar\xeda,P,1990-05-12,,53.07.01.2001,\n");
        data.extend_from_slice(format!("{MARIA}\n").as_bytes());
        let f = ImportFile::parse(data).expect("header is fine");
        let got: Vec<Record> = f.records().collect();
        assert_eq!(got[0].row, Err(RowError::NotUtf8));
        assert_eq!(got[0].fields[2], "Mar\u{FFFD}a");
        assert_eq!(got[1].row, Ok(maria()));
    }

    #[test]
    fn spreadsheet_artifacts() {
        let text = format!(
            "{HEADER}\n'5307015205900001,'5307010101100002,Maria Goreti,P,1990-05-12,,53.07.01.2001,'0812\n5.30702E+15,,Ana,P,1990-05-12,,53.07.01.2001,\n"
        );
        let got: Vec<Record> = file(&text).records().collect();
        let row = got[0].row.as_ref().expect("row 1");
        assert_eq!(
            (row.nik.as_str(), row.kk_number.as_str(), row.phone.as_str()),
            ("5307015205900001", "5307010101100002", "0812")
        );
        assert_eq!(got[1].row, Err(RowError::NikAsNumber));
    }

    #[test]
    fn rejected_rows_file_can_be_imported_again() {
        let f = file(&format!("{};catatan\n{};x\n", HEADER.replace(',', ";"), MARIA.replace(',', ";")));
        let recs: Vec<Record> = f.records().collect();
        let out =
            rejected_csv(f.header(), f.delimiter(), recs.iter().map(|r| (r.line, r.fields.as_slice(), "bad; date")));
        assert!(out.starts_with(BOM));
        let text = String::from_utf8(out[3..].to_vec()).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(format!("{};catatan;line;reason", HEADER.replace(',', ";")).as_str()));
        assert_eq!(lines.next(), Some(format!("{};x;2;\"bad; date\"", MARIA.replace(',', ";")).as_str()));

        // Imported again: line and reason are not reported as ignored, the row reads the same.
        let again = ImportFile::parse(text.into_bytes()).expect("re-import");
        assert_eq!(again.ignored_columns(), ["catatan"]);
        assert_eq!(rows(&again), [(2, maria())]);
        // And its own rejected file does not repeat the columns.
        let out = rejected_csv(again.header(), b';', [(2, &recs[0].fields[..], "x")]);
        assert!(
            String::from_utf8_lossy(&out)
                .starts_with(&format!("\u{FEFF}{};catatan;line;reason\n", HEADER.replace(',', ";")))
        );
    }

    #[test]
    fn short_rows_are_padded_in_the_rejected_file() {
        let out = rejected_csv(&["a".into(), "b".into(), "c".into()], b',', [(7, &["1".to_string()][..], "short")]);
        assert_eq!(String::from_utf8_lossy(&out[3..]), "a,b,c,line,reason\n1,,,7,short\n");
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_are_read_without_panic(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400),
                                            semicolons in proptest::prelude::any::<bool>()) {
            let mut data = if semicolons { HEADER.replace(',', ";") } else { HEADER.to_string() }.into_bytes();
            data.push(b'\n');
            data.extend(body);
            if let Ok(f) = ImportFile::parse(data) {
                let mut last = 0;
                let mut n = 0;
                for r in f.records() {
                    proptest::prop_assert!(r.line > last, "lines go forward: {} after {}", r.line, last);
                    last = r.line;
                    n += 1;
                }
                proptest::prop_assert_eq!(n, f.row_count());
            }
        }
    }

    #[test]
    fn number_ranges_are_compact_and_sorted() {
        assert_eq!(number_ranges(&[]), "");
        assert_eq!(number_ranges(&[7]), "7");
        assert_eq!(number_ranges(&[5, 2, 3, 4, 9, 11, 10, 3]), "2-5,9-11");
        assert_eq!(number_ranges(&[1, 3, 5]), "1,3,5");
    }

    #[test]
    fn rows_digest_names_exactly_these_rows() {
        let a = vec!["3201".to_string(), "Siti".to_string()];
        let b = vec!["3202".to_string(), "Budi".to_string()];
        let both = rows_digest([(2, a.as_slice()), (3, b.as_slice())]);
        assert_eq!(both.len(), 64);
        assert_eq!(both, rows_digest([(2, a.as_slice()), (3, b.as_slice())]));
        // Another line, another order, or fields split differently give another digest.
        assert_ne!(both, rows_digest([(2, a.as_slice()), (4, b.as_slice())]));
        assert_ne!(both, rows_digest([(3, b.as_slice()), (2, a.as_slice())]));
        let joined = vec!["3201Siti".to_string()];
        assert_ne!(rows_digest([(2, a.as_slice())]), rows_digest([(2, joined.as_slice())]));
    }
}
