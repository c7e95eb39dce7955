//! Reports of illegal brokers (calo, issue 17): what a villager, an officer or a partner knows
//! of a recruiter who works without a licence. The rules here: the report's fields, the phone
//! number that merges reports into one broker, the receipt code a reporter keeps to add
//! information later, and the hot-spot table with its small cells suppressed.

use crate::monitoring::{OpenValue, suppress};
use crate::region::{RegionCode, RegionLevel};
use crate::service_center::money::{self, Rupiah};
use crate::{FieldError, Rule, ValidationErrors};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The longest broker name or alias kept.
pub const MAX_NAME: usize = 120;
/// The longest free text (what was offered, the description, an addition, a contact).
pub const MAX_TEXT: usize = 2000;
pub const MAX_OFFER: usize = 500;
pub const MAX_CONTACT: usize = 200;
/// Phone numbers one report may give.
pub const MAX_PHONES: usize = 5;
/// The largest amount a report may name: ten billion rupiah (more is a typing slip).
pub const MAX_MONEY: i64 = 10_000_000_000;

code_enum! {
    /// Who sent the report.
    pub enum ReportSource {
        /// The public portal, without an account: anonymous unless a contact is given.
        Public = "public",
        Officer = "officer",
        Partner = "partner",
    }
}

code_enum! {
    /// Documents a broker took from the worker or the family.
    pub enum DocumentTaken {
        Ktp = "ktp",
        Kk = "kk",
        Passport = "passport",
        BirthCertificate = "birth_certificate",
        Diploma = "diploma",
        MarriageBook = "marriage_book",
        Other = "other",
    }
}

/// A phone number reduced to the digits that identify it: `+62 812-3456-789`, `0812 3456 789`
/// and `62812.3456.789` are the same broker. Indonesian numbers are kept with their leading 0;
/// a foreign number keeps its country code after a `+`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneKey(String);

impl PhoneKey {
    /// `None` when the text is not a phone number: 8 to 15 digits once spaces, dots, dashes
    /// and brackets are dropped, with at most a leading `+`.
    pub fn parse(raw: &str) -> Option<PhoneKey> {
        let s = raw.trim();
        let (plus, rest) = match s.strip_prefix('+') {
            Some(r) => (true, r),
            None => (false, s),
        };
        let mut digits = String::new();
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return None,
            }
        }
        let key = if let Some(local) = digits.strip_prefix("62") {
            if plus || !digits.starts_with('0') { format!("0{local}") } else { digits.clone() }
        } else if plus {
            format!("+{digits}")
        } else {
            digits.clone()
        };
        let n = key.trim_start_matches('+').len();
        (8..=15).contains(&n).then_some(PhoneKey(key))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The code a reporter writes down to add information later without an account: ten letters
/// and digits from an alphabet without look-alikes (no 0/O, 1/I/L, U), about 49 random bits,
/// shown as `ABCDE-FGH23`. Only its hash is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt(String);

const RECEIPT_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
const RECEIPT_LEN: usize = 10;

impl Receipt {
    /// A new receipt from the operating system's random source.
    pub fn generate() -> Receipt {
        let bytes = crate::security::random_bytes();
        // 256 is not a multiple of 30; the bias of `% 30` on one byte is < 4 %, so draw from
        // two bytes (65 536 % 30 = 16: bias below 0.03 %).
        let code = (0..RECEIPT_LEN)
            .map(|i| {
                let v = u16::from_be_bytes([bytes[2 * i], bytes[2 * i + 1]]) as usize;
                RECEIPT_ALPHABET[v % RECEIPT_ALPHABET.len()] as char
            })
            .collect();
        Receipt(code)
    }

    /// A receipt as typed back: any case, spaces and dashes ignored, the look-alikes read as
    /// the letter or digit the alphabet has (O→0 is not in it, so `O` and `0` are refused).
    pub fn parse(raw: &str) -> Option<Receipt> {
        let code: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).map(|c| c.to_ascii_uppercase()).collect();
        (code.len() == RECEIPT_LEN && code.bytes().all(|b| RECEIPT_ALPHABET.contains(&b))).then_some(Receipt(code))
    }

    /// As shown to the reporter: two groups of five.
    pub fn display(&self) -> String {
        format!("{}-{}", &self.0[..5], &self.0[5..])
    }

    /// What is stored: the SHA-256 of the code, hex. A leaked table does not give the codes.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

/// A report as typed (form or JSON). Phones: one per line or separated by commas.
#[derive(Debug, Clone, Default)]
pub struct ReportInput<'a> {
    pub broker_name: &'a str,
    pub broker_phone: &'a str,
    pub village_code: &'a str,
    pub offer: &'a str,
    pub money_asked: &'a str,
    pub documents_taken: &'a [String],
    pub description: &'a str,
    pub reporter_contact: &'a str,
}

/// A valid report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReport {
    pub broker_name: String,
    pub phones: Vec<PhoneKey>,
    pub village: RegionCode,
    pub offer: String,
    pub money_asked: Option<Rupiah>,
    pub documents_taken: Vec<DocumentTaken>,
    pub description: String,
    pub reporter_contact: String,
}

fn text(errs: &mut ValidationErrors, field: &str, raw: &str, max: usize) -> String {
    let s = raw.trim().to_string();
    let n = s.chars().count();
    if n > max {
        errs.push(FieldError::new(field, Rule::TooLong, format!("at most {max} characters")).max(max).got(n));
    }
    s
}

/// Checks a report: a name or a phone number to know the broker by, the village where the
/// broker was seen, and a description. Every refusal names its field.
pub fn validate_report(input: &ReportInput<'_>) -> Result<NewReport, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let broker_name = text(&mut errs, "broker_name", input.broker_name, MAX_NAME);
    let mut phones = Vec::new();
    let raw_phones: Vec<&str> =
        input.broker_phone.split([',', ';', '\n']).map(str::trim).filter(|p| !p.is_empty()).collect();
    if raw_phones.len() > MAX_PHONES {
        errs.push(
            FieldError::new("broker_phone", Rule::TooLong, format!("at most {MAX_PHONES} numbers")).max(MAX_PHONES),
        );
    }
    for p in raw_phones.iter().take(MAX_PHONES) {
        match PhoneKey::parse(p) {
            Some(k) if !phones.contains(&k) => phones.push(k),
            Some(_) => {}
            None => {
                errs.add("broker_phone", Rule::Format, "a phone number of 8 to 15 digits, such as 0812 3456 7890");
                break;
            }
        }
    }
    if broker_name.is_empty() && raw_phones.is_empty() {
        errs.push(
            FieldError::new("broker_name", Rule::Required, "a name, an alias or a phone number of the broker")
                .message("msg_key.broker_who"),
        );
    }
    let village = match input.village_code.trim() {
        "" => {
            errs.add("village_code", Rule::Required, "the village where the broker was seen");
            None
        }
        code => match code.parse::<RegionCode>() {
            Ok(r) if r.level() == RegionLevel::Village => Some(r),
            Ok(_) => {
                errs.add("village_code", Rule::ScopeLevel, "a village code such as 33.01.01.2001");
                None
            }
            Err(_) => {
                errs.add("village_code", Rule::Format, "a village code such as 33.01.01.2001");
                None
            }
        },
    };
    let offer = text(&mut errs, "offer", input.offer, MAX_OFFER);
    let money_asked = match input.money_asked.trim() {
        "" => None,
        raw => money::parse_field(&mut errs, "money_asked", raw, 0, MAX_MONEY),
    };
    let mut documents_taken = Vec::new();
    for code in input.documents_taken.iter().filter(|c| !c.trim().is_empty()) {
        match DocumentTaken::parse(code) {
            Some(d) if !documents_taken.contains(&d) => documents_taken.push(d),
            Some(_) => {}
            None => errs.add("documents_taken", Rule::OneOf, DocumentTaken::codes()),
        }
    }
    let description = text(&mut errs, "description", input.description, MAX_TEXT);
    if description.is_empty() {
        errs.add("description", Rule::Required, "what happened: what the broker offered, asked or took");
    }
    let reporter_contact = text(&mut errs, "reporter_contact", input.reporter_contact, MAX_CONTACT);
    errs.into_result()?;
    let village = village.ok_or_else(|| ValidationErrors::single("village_code", Rule::Required, "a village"))?;
    Ok(NewReport { broker_name, phones, village, offer, money_asked, documents_taken, description, reporter_contact })
}

/// Information added to a report later (by receipt or by the handler).
pub fn validate_addition(raw: &str) -> Result<String, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let s = text(&mut errs, "information", raw, MAX_TEXT);
    if s.is_empty() {
        errs.add("information", Rule::Required, "the information to add");
    }
    errs.into_result().map(|()| s)
}

/// The district of a village code (hot spots count by district).
pub fn district_of(village: &RegionCode) -> Option<RegionCode> {
    village.lineage().into_iter().find(|r| r.level() == RegionLevel::District)
}

/// One cell of the hot-spot table: reports in a district in a month.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HotSpot {
    pub district_code: String,
    /// `YYYY-MM`.
    pub month: String,
    /// The count as published: 1 to 4 become "<5" (the monitoring rule), so a report cannot
    /// be traced to the few households of a small district.
    pub reports: OpenValue,
}

/// Raw counts `(district, month, n)` → the published cells, busiest first.
pub fn hot_spots(counts: Vec<(String, String, i64)>) -> Vec<HotSpot> {
    let mut counts = counts;
    counts.sort_by(|a, b| b.2.cmp(&a.2).then(b.1.cmp(&a.1)).then(a.0.cmp(&b.0)));
    counts
        .into_iter()
        .filter(|(_, _, n)| *n > 0)
        .map(|(district_code, month, n)| HotSpot { district_code, month, reports: suppress(n) })
        .collect()
}

/// How an episode's recruiter is tied to a reported broker: linked by an officer, or the name
/// recorded on the episode is a name or alias reported in the episode's district.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedBroker {
    pub broker_id: i64,
    pub name: String,
    pub reports: i64,
    pub linked: bool,
}

/// The public rate limit's bucket key for one address: an HMAC with a server secret, not a
/// bare hash — a bare SHA-256 of an IPv4 address is undone by hashing all 2^32 of them, and the
/// reporting form promises not to keep who reported.
pub fn rate_key(secret: &[u8], address: &str) -> String {
    // HMAC takes a key of any length; the label keeps this use apart from the secret's others.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC accepts any key length");
    mac.update(b"broker-rate-limit\0");
    mac.update(address.as_bytes());
    format!("broker:{}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod rate_key_tests {
    use super::*;

    #[test]
    fn the_key_cannot_be_found_by_hashing_addresses() {
        let a = rate_key(b"secret one", "203.0.113.7");
        assert_eq!(a, rate_key(b"secret one", "203.0.113.7"), "one address, one bucket");
        assert_ne!(a, rate_key(b"secret one", "203.0.113.8"));
        assert_ne!(a, rate_key(b"secret two", "203.0.113.7"), "another server secret, another key");
        let bare = format!("broker:{}", hex::encode(Sha256::digest(b"203.0.113.7")));
        assert_ne!(a, bare, "not the unkeyed hash");
        assert!(!a.contains("203.0.113.7"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(docs: &'a [String]) -> ReportInput<'a> {
        ReportInput {
            broker_name: "Pak Joko",
            broker_phone: "0812-3456-7890",
            village_code: "33.01.01.2001",
            offer: "Kerja di Malaysia",
            money_asked: "Rp 5.000.000",
            documents_taken: docs,
            description: "Meminta uang dan KTP",
            reporter_contact: "",
        }
    }

    #[test]
    fn the_same_phone_written_differently_gives_the_same_key() {
        let a = PhoneKey::parse("+62 812-3456-7890").unwrap();
        for same in ["0812 3456 7890", "62812.3456.7890", "(0812) 34567890", "081234567890"] {
            assert_eq!(PhoneKey::parse(same).as_ref(), Some(&a), "{same}");
        }
        assert_eq!(a.as_str(), "081234567890");
        assert_eq!(PhoneKey::parse("+60 12-345 6789").unwrap().as_str(), "+60123456789");
        for bad in ["", "12345", "0812abc4567", "0812 3456 7890 1234 55", "++62812345678"] {
            assert_eq!(PhoneKey::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_receipt_is_short_unguessable_and_read_back_as_typed() {
        let r = Receipt::generate();
        let shown = r.display();
        assert_eq!(shown.len(), 11);
        assert_eq!(Receipt::parse(&shown.to_lowercase()), Some(r.clone()));
        assert_eq!(Receipt::parse(&format!(" {} ", shown.replace('-', " "))), Some(r.clone()));
        assert_ne!(Receipt::generate(), r);
        assert_eq!(r.hash().len(), 64);
        assert_eq!(Receipt::parse("ABCDE-FGH2"), None);
        assert_eq!(Receipt::parse("ABCDE-FGH20"), None, "0 is not in the alphabet");
    }

    #[test]
    fn a_report_needs_a_way_to_know_the_broker_a_village_and_a_description() {
        let docs = vec!["ktp".to_string(), "passport".to_string(), "ktp".to_string()];
        let ok = validate_report(&input(&docs)).unwrap();
        assert_eq!(ok.money_asked, Rupiah::new(5_000_000));
        assert_eq!(ok.documents_taken, [DocumentTaken::Ktp, DocumentTaken::Passport]);
        assert_eq!(ok.phones[0].as_str(), "081234567890");

        let e = validate_report(&ReportInput { broker_name: " ", broker_phone: "", ..input(&[]) }).unwrap_err();
        assert_eq!(e.0[0].field, "broker_name");
        assert_eq!(e.0[0].rule, Rule::Required);

        let e = validate_report(&ReportInput {
            village_code: "33.01",
            description: "",
            money_asked: "lima juta",
            broker_phone: "abc",
            ..input(&[])
        })
        .unwrap_err();
        let fields: Vec<(&str, Rule)> = e.0.iter().map(|f| (f.field.as_str(), f.rule)).collect();
        assert!(fields.contains(&("village_code", Rule::ScopeLevel)), "{fields:?}");
        assert!(fields.contains(&("description", Rule::Required)), "{fields:?}");
        assert!(fields.contains(&("money_asked", Rule::Format)), "{fields:?}");
        assert!(fields.contains(&("broker_phone", Rule::Format)), "{fields:?}");

        let bad_doc = vec!["jewellery".to_string()];
        let e = validate_report(&input(&bad_doc)).unwrap_err();
        assert_eq!(e.0[0].field, "documents_taken");
    }

    #[test]
    fn hot_spots_hide_small_counts_with_the_monitoring_rule() {
        let cells = hot_spots(vec![
            ("33.01.01".into(), "2026-03".into(), 3),
            ("33.01.02".into(), "2026-03".into(), 12),
            ("33.01.03".into(), "2026-02".into(), 0),
        ]);
        assert_eq!(cells.len(), 2);
        assert_eq!(cells[0].district_code, "33.01.02");
        assert_eq!(cells[0].reports, OpenValue::Number(12));
        assert_eq!(cells[1].reports, OpenValue::LessThanFive);
    }

    #[test]
    fn the_district_of_a_village() {
        let v: RegionCode = "33.01.01.2001".parse().unwrap();
        assert_eq!(district_of(&v).unwrap().as_str(), "33.01.01");
    }
}
