//! Referral without a shared server (issue 17): a case as a document of IOM's Human Trafficking
//! Case Data Standard 2.0 (HTCDS; field list vendored in `data/htcds/fields.csv`), signed by the
//! sending organisation with Ed25519, and read back on the receiving side. Pure: the keys and
//! the clock come from the caller. docs/HTCDS.md describes the document and the envelope.

use crate::cases::{CaseStatus, Means, Process, Purpose, ScreeningResult};
use crate::{FieldError, Rule, ValidationErrors};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use ed25519_dalek::{Signer as _, Verifier as _};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

/// The vendored field list (HTCDS 2.0, CC BY 4.0: `data/htcds/README.md`).
pub const FIELDS_CSV: &str = include_str!("../../../data/htcds/fields.csv");
/// The envelope's `format`: which standard and which signing scheme.
pub const FORMAT: &str = "htcds-2.0+ed25519-v1";

/// One HTCDS field as the vendored list gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDef {
    pub name: String,
    pub section: String,
    pub core: bool,
    pub kind: String,
    /// The picklist's value names; empty for free fields.
    pub values: Vec<String>,
}

/// The vendored field list.
pub fn fields() -> Vec<FieldDef> {
    let mut rdr = csv::Reader::from_reader(FIELDS_CSV.as_bytes());
    rdr.records()
        .filter_map(Result::ok)
        .map(|r| FieldDef {
            name: r[0].to_string(),
            section: r[1].to_string(),
            core: &r[2] == "core",
            kind: r[3].to_string(),
            values: r[4].split('|').filter(|v| !v.is_empty()).map(str::to_string).collect(),
        })
        .collect()
}

/// The HTCDS status of one of our case statuses (closed after a referral: `ClosedReferred`).
pub fn case_status(status: CaseStatus, referred: bool) -> &'static str {
    match status {
        CaseStatus::New
        | CaseStatus::Assessed
        | CaseStatus::Referred
        | CaseStatus::InProgress
        | CaseStatus::Reopened => "Active",
        CaseStatus::Resolved => "FollowUp",
        CaseStatus::Closed if referred => "ClosedReferred",
        CaseStatus::Closed => "Closed",
    }
}

pub fn trafficking_status(s: ScreeningResult) -> Option<&'static str> {
    match s {
        ScreeningResult::NotScreened => None,
        ScreeningResult::VictimIdentified => Some("ActualVictimOfTrafficking"),
        ScreeningResult::PotentialVictim => Some("PossibleVictimOfTrafficking"),
        ScreeningResult::NotAVictim => Some("NotAVictimOfTrafficking"),
    }
}

fn screening_of(status: &str) -> Option<ScreeningResult> {
    match status {
        "ActualVictimOfTrafficking" => Some(ScreeningResult::VictimIdentified),
        "PossibleVictimOfTrafficking" => Some(ScreeningResult::PotentialVictim),
        "NotAVictimOfTrafficking" => Some(ScreeningResult::NotAVictim),
        _ => None,
    }
}

/// UU 21/2007's means as HTCDS methods of control; those the picklist has no value for are
/// `Other` (the standard's own catch-all).
pub fn method_of_control(m: Means) -> &'static str {
    match m {
        Means::ThreatOfViolence => "PhysicalThreats",
        Means::Force => "PhysicalAbuse",
        Means::Deception => "FalsePromises",
        Means::DebtBondage => "DebtBondage",
        Means::AbuseOfPower => "PsychologicalAbuse",
        Means::Abduction | Means::Confinement | Means::Forgery | Means::AbuseOfVulnerability | Means::Payment => {
            "Other"
        }
    }
}

fn means_of(method: &str) -> Option<Means> {
    match method {
        "PhysicalThreats" => Some(Means::ThreatOfViolence),
        "PhysicalAbuse" => Some(Means::Force),
        "FalsePromises" => Some(Means::Deception),
        "DebtBondage" => Some(Means::DebtBondage),
        "PsychologicalAbuse" => Some(Means::AbuseOfPower),
        _ => None,
    }
}

/// UU 21/2007's purposes as HTCDS types of exploitation.
pub fn type_of_exploitation(p: Purpose) -> &'static str {
    match p {
        Purpose::Prostitution | Purpose::SexualExploitation => "SexualExploitation",
        Purpose::ForcedLabour => "ForcedLabour",
        Purpose::Slavery => "Servitude",
        Purpose::OrganRemoval => "OrganRemoval",
        Purpose::ReproductiveExploitation => "Surrogacy",
        Purpose::OppressionOrExtortion | Purpose::OtherExploitation => "Other",
    }
}

fn purpose_of(kind: &str) -> Option<Purpose> {
    match kind {
        "SexualExploitation" => Some(Purpose::SexualExploitation),
        "ForcedLabour" | "ChildLabour" => Some(Purpose::ForcedLabour),
        "Servitude" => Some(Purpose::Slavery),
        "OrganRemoval" => Some(Purpose::OrganRemoval),
        "Surrogacy" => Some(Purpose::ReproductiveExploitation),
        "ForcedMarriage" | "ForcedMilitaryByNonStateActors" | "ForcedBegging" | "ForcedAdoption" | "Other" => {
            Some(Purpose::OtherExploitation)
        }
        _ => None,
    }
}

/// The trafficking assessment as the export reads it.
#[derive(Debug, Clone, Default)]
pub struct Assessment {
    pub process: Vec<Process>,
    pub means: Vec<Means>,
    pub purpose: Vec<Purpose>,
    pub victim_age: Option<i64>,
    pub screening: Option<ScreeningResult>,
}

/// The case side of an export.
#[derive(Debug, Clone)]
pub struct CaseSide<'a> {
    pub status: CaseStatus,
    pub referred: bool,
    pub handler_name: &'a str,
    pub description: &'a str,
    pub assessment: Option<&'a Assessment>,
    pub sender: &'a str,
    pub receiver: Option<&'a str>,
    pub today: time::Date,
}

/// The identity of the person, exported only under consent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    pub full_name: String,
    pub birth_date: String,
    /// `P` (perempuan) or `L` (laki-laki), as stored.
    pub sex: String,
    pub nik: String,
    pub phone: String,
    pub address: String,
}

/// Whether the person agreed to share their case: the same rule as the printed case summary
/// (the latest consent of scope `case` or `all` decides; a later refusal withdraws). `consents`
/// are (scope, granted) in the order recorded.
pub fn identity_shared(consents: &[(crate::person::DataScope, bool)]) -> bool {
    crate::screens::SummaryShares::from_consents(consents).identity
}

/// `0812…` → `+62812…` (E.164, as HTCDS asks); other numbers as given without spaces.
fn e164(phone: &str) -> String {
    let digits: String = phone.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
    match digits.strip_prefix('0') {
        Some(rest) if !rest.is_empty() => format!("+62{rest}"),
        _ => digits,
    }
}

/// The HTCDS document of a case. `identity` is `Some` only when the person's consent to share
/// is recorded: then the `prs_` fields, the case narrative and `con_Consent` true; otherwise no
/// `prs_` key at all and `con_Consent` false.
pub fn document(case: &CaseSide<'_>, identity: Option<&Identity>) -> Value {
    let mut d = Map::new();
    let a = case.assessment.cloned().unwrap_or_default();
    d.insert("vic_TraffickingStatus".into(), json!(a.screening.and_then(trafficking_status)));
    // Recruitment is recorded as a process, not by method: the standard's catch-all says so.
    let recruited = a.process.contains(&Process::Recruitment);
    d.insert("vic_MethodOfRecruitment".into(), json!(if recruited { vec!["Other"] } else { vec![] }));
    d.insert("vic_MethodsOfControl".into(), json!(dedup(a.means.iter().map(|m| method_of_control(*m)))));
    d.insert("vic_TypeOfExploitation".into(), json!(dedup(a.purpose.iter().map(|p| type_of_exploitation(*p)))));
    d.insert("vic_AgeWhenTrafficked".into(), json!(a.victim_age));
    d.insert("cas_Status".into(), json!(case_status(case.status, case.referred)));
    d.insert("cas_CaseOwner".into(), json!(case.handler_name));
    d.insert("cas_ReferringOrganisation".into(), json!(case.sender));
    d.insert("cas_ReferredOrganisation".into(), json!(case.receiver));
    d.insert("cas_OutgoingReferralDate".into(), json!(case.today.to_string()));
    d.insert("cas_ReasonForOutgoingReferral".into(), json!("AdditionalServicesRequired"));
    // The narrative tells who the survivor is as surely as a name: only under consent.
    d.insert("cas_OutgoingReferralDetails".into(), json!(identity.map(|_| case.description).unwrap_or("")));
    d.insert("con_Consent".into(), json!(identity.is_some()));
    if let Some(p) = identity {
        let (first, second) = match p.full_name.trim().split_once(' ') {
            Some((f, s)) => (f.to_string(), s.trim().to_string()),
            None => (p.full_name.trim().to_string(), String::new()),
        };
        d.insert("prs_FirstName".into(), json!(first));
        d.insert("prs_SecondName".into(), json!(second));
        d.insert("prs_Birthdate".into(), json!(p.birth_date));
        let gender = match p.sex.as_str() {
            "P" => "Feminine",
            "L" => "Masculine",
            _ => "NonSpecifiedUnknown",
        };
        d.insert("prs_Gender".into(), json!(gender));
        d.insert("prs_IdentityNumber".into(), json!(p.nik));
        d.insert("prs_Citizenship".into(), json!(["ID"]));
        d.insert("prs_MobilePhone".into(), json!(e164(&p.phone)));
        d.insert("prs_MailingStreet".into(), json!(p.address));
        d.insert("prs_MailingCountry".into(), json!("ID"));
    }
    Value::Object(d)
}

fn dedup<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Signing.

/// JSON with object keys sorted at every level and no insignificant whitespace: the bytes a
/// signature covers. For the strings, integers, booleans and nulls of these documents this is
/// RFC 8785 (JCS) output.
pub fn canonical(v: &Value) -> Vec<u8> {
    fn write(v: &Value, out: &mut String) {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String((*k).clone()).to_string());
                    out.push(':');
                    write(&m[k.as_str()], out);
                }
                out.push('}');
            }
            Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write(x, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut s = String::new();
    write(v, &mut s);
    s.into_bytes()
}

/// The sending organisation's signing key (32 secret bytes; never leaves the server).
#[derive(Clone)]
pub struct SigningKey(ed25519_dalek::SigningKey);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.public().key_id())
    }
}

impl SigningKey {
    /// A new key from the operating system's random source.
    pub fn generate() -> SigningKey {
        SigningKey(ed25519_dalek::SigningKey::from_bytes(&rand::random::<[u8; 32]>()))
    }
    /// The secret as stored in the key file: 64 hex digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0.to_bytes())
    }
    pub fn parse(text: &str) -> Result<SigningKey, String> {
        let bytes = hex::decode(text.trim()).map_err(|_| "expected 64 hex digits".to_string())?;
        let seed: [u8; 32] = bytes.try_into().map_err(|_| "expected 64 hex digits (32 bytes)".to_string())?;
        Ok(SigningKey(ed25519_dalek::SigningKey::from_bytes(&seed)))
    }
    pub fn public(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }
}

/// An organisation's public key: what a partner registers to check our documents, and what we
/// register of theirs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(ed25519_dalek::VerifyingKey);

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self.key_id())
    }
}

impl PublicKey {
    /// Base64 of the 32 key bytes.
    pub fn to_base64(&self) -> String {
        B64.encode(self.0.as_bytes())
    }
    pub fn parse(text: &str) -> Option<PublicKey> {
        let bytes = B64.decode(text.trim()).ok()?;
        let arr: [u8; 32] = bytes.try_into().ok()?;
        ed25519_dalek::VerifyingKey::from_bytes(&arr).ok().map(PublicKey)
    }
    /// The first 8 bytes of the key's SHA-256, hex: names the key in an envelope.
    pub fn key_id(&self) -> String {
        hex::encode(&Sha256::digest(self.0.as_bytes())[..8])
    }
}

/// The signed envelope of `document`: everything but `signature` is signed, as canonical JSON.
pub fn sign(key: &SigningKey, document: Value, signed_by: &str, signed_at: i64, case_ref: &str) -> Value {
    let mut env = json!({
        "format": FORMAT,
        "document": document,
        "signed_by": signed_by,
        "signed_at": signed_at,
        "key_id": key.public().key_id(),
        "case_ref": case_ref,
    });
    let sig = key.0.sign(&canonical(&env));
    env["signature"] = json!(B64.encode(sig.to_bytes()));
    env
}

/// An envelope read but not yet checked: which key it names.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub key_id: String,
    pub signed_by: String,
    pub signed_at: i64,
    pub case_ref: String,
    pub document: Map<String, Value>,
    signed: Vec<u8>,
    signature: ed25519_dalek::Signature,
}

fn refusal(field: &str, rule: Rule, detail: &str, key: &str) -> ValidationErrors {
    let mut e = ValidationErrors::new();
    e.push(FieldError::new(field, rule, detail).message(key));
    e
}

/// Reads an envelope's shape (format, key id, signature, document object).
pub fn open_envelope(env: &Value) -> Result<Envelope, ValidationErrors> {
    let not_envelope = || {
        refusal(
            "document",
            Rule::Format,
            "a signed HTCDS envelope: {format, document, signed_by, signed_at, key_id, case_ref, signature}",
            "htcds.msg_not_envelope",
        )
    };
    let obj = env.as_object().ok_or_else(not_envelope)?;
    if obj.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(not_envelope());
    }
    let text = |k: &str| obj.get(k).and_then(Value::as_str).map(str::to_string);
    let (Some(key_id), Some(signed_by), Some(sig), Some(document)) =
        (text("key_id"), text("signed_by"), text("signature"), obj.get("document").and_then(Value::as_object))
    else {
        return Err(not_envelope());
    };
    let signature = B64
        .decode(sig.trim())
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .map(|b| ed25519_dalek::Signature::from_bytes(&b))
        .ok_or_else(|| {
            refusal("signature", Rule::Format, "base64 of a 64-byte Ed25519 signature", "htcds.msg_bad_signature")
        })?;
    let mut unsigned = obj.clone();
    unsigned.remove("signature");
    Ok(Envelope {
        key_id,
        signed_by,
        signed_at: obj.get("signed_at").and_then(Value::as_i64).unwrap_or(0),
        case_ref: text("case_ref").unwrap_or_default(),
        document: document.clone(),
        signed: canonical(&Value::Object(unsigned)),
        signature,
    })
}

impl Envelope {
    /// Checks the signature with the registered key of the sender.
    pub fn verify(&self, key: &PublicKey) -> Result<(), ValidationErrors> {
        key.0.verify(&self.signed, &self.signature).map_err(|_| {
            refusal(
                "signature",
                Rule::Mismatch,
                "the signature does not match the document and the sender's registered key",
                "htcds.msg_bad_signature",
            )
        })
    }
    /// SHA-256 of the signed bytes, hex: the same document is imported once.
    pub fn digest(&self) -> String {
        hex::encode(Sha256::digest(&self.signed))
    }
}

// ---------------------------------------------------------------------------------------------
// Sealing for the receiver: only the organisation holding the receiver's key can read it.

/// The format of a sealed envelope.
pub const SEALED_FORMAT: &str = "htcds-2.0+x25519-chacha20poly1305-v1";
const SEAL_INFO: &[u8] = b"desmigratif htcds seal v1";

impl PublicKey {
    /// The same key as an X25519 point (the birational map every Ed25519 key has), so an
    /// organisation registers one key for both checking its signature and sealing to it.
    fn montgomery(&self) -> curve25519_dalek::MontgomeryPoint {
        self.0.to_montgomery()
    }
}

/// The symmetric key of one sealed envelope: HKDF-SHA256 over the shared point, salted with
/// both public points so a key is bound to its sender's ephemeral and its receiver.
fn seal_key(shared: &[u8; 32], ephemeral: &[u8; 32], receiver: &[u8; 32]) -> chacha20poly1305::Key {
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(ephemeral);
    salt[32..].copy_from_slice(receiver);
    let hk = hkdf::Hkdf::<Sha256>::new(Some(&salt), shared);
    let mut key = [0u8; 32];
    // 32 bytes is far below HKDF-SHA256's limit: this cannot fail.
    hk.expand(SEAL_INFO, &mut key).expect("32-byte HKDF output");
    key.into()
}

/// Seals a signed envelope for the organisation whose public key is `receiver`: an ephemeral
/// X25519 key, HKDF-SHA256, ChaCha20-Poly1305. The signature stays inside, so the receiver
/// still checks who sent it.
pub fn seal(envelope: &Value, receiver: &PublicKey) -> Value {
    use chacha20poly1305::aead::{Aead, KeyInit};
    let secret: [u8; 32] = rand::random();
    let ephemeral = curve25519_dalek::MontgomeryPoint::mul_base_clamped(secret);
    let recv = receiver.montgomery();
    let shared = recv.mul_clamped(secret);
    let key = seal_key(shared.as_bytes(), ephemeral.as_bytes(), recv.as_bytes());
    let nonce: [u8; 12] = rand::random();
    let plain = serde_json::to_vec(envelope).unwrap_or_default();
    // Encrypting a buffer in memory fails only on a length beyond 2^38 bytes.
    let ciphertext = chacha20poly1305::ChaCha20Poly1305::new(&key)
        .encrypt(&nonce.into(), plain.as_slice())
        .expect("ChaCha20-Poly1305 encryption of an in-memory buffer");
    json!({
        "format": SEALED_FORMAT,
        "recipient_key_id": receiver.key_id(),
        "ephemeral": B64.encode(ephemeral.as_bytes()),
        "nonce": B64.encode(nonce),
        "ciphertext": B64.encode(ciphertext),
    })
}

/// Is this a sealed envelope (to be opened before its signature is read)?
pub fn is_sealed(v: &Value) -> bool {
    v.get("format").and_then(Value::as_str) == Some(SEALED_FORMAT)
}

/// Opens an envelope sealed for `key`'s organisation: the signed envelope inside, or a
/// refusal naming `envelope` (sealed for another organisation, or altered on the way).
pub fn unseal(sealed: &Value, key: &SigningKey) -> Result<Value, ValidationErrors> {
    use chacha20poly1305::aead::{Aead, KeyInit};
    let wrong = |detail: &str| refusal("envelope", Rule::Mismatch, detail, "htcds.msg_cannot_unseal");
    let field = |k: &str| sealed.get(k).and_then(Value::as_str).and_then(|t| B64.decode(t.trim()).ok());
    let (Some(eph), Some(nonce), Some(ciphertext)) = (field("ephemeral"), field("nonce"), field("ciphertext")) else {
        return Err(refusal(
            "envelope",
            Rule::Format,
            "a sealed envelope: {format, recipient_key_id, ephemeral, nonce, ciphertext} in base64",
            "htcds.msg_not_envelope",
        ));
    };
    let mine = key.public();
    if sealed.get("recipient_key_id").and_then(Value::as_str) != Some(mine.key_id().as_str()) {
        return Err(wrong("sealed for another organisation's key"));
    }
    let (Ok(eph), Ok(nonce)) = (<[u8; 32]>::try_from(eph), <[u8; 12]>::try_from(nonce)) else {
        return Err(wrong("the ephemeral key or nonce has the wrong length"));
    };
    let ephemeral = curve25519_dalek::MontgomeryPoint(eph);
    let shared = ephemeral.mul_clamped(key.0.to_scalar_bytes());
    let k = seal_key(shared.as_bytes(), &eph, mine.montgomery().as_bytes());
    let plain = chacha20poly1305::ChaCha20Poly1305::new(&k)
        .decrypt(&nonce.into(), ciphertext.as_slice())
        .map_err(|_| wrong("the sealed envelope cannot be opened with this server's key (altered or not for us)"))?;
    serde_json::from_slice(&plain).map_err(|_| wrong("the sealed content is not JSON"))
}

// ---------------------------------------------------------------------------------------------
// Reading a partner's document.

/// What a received document would set here.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Received {
    pub consent: bool,
    /// The identity, when the document has `prs_` fields.
    pub identity: Option<Identity>,
    pub process: Vec<Process>,
    pub means: Vec<Means>,
    pub purpose: Vec<Purpose>,
    pub victim_age: Option<i64>,
    pub screening: Option<ScreeningResult>,
    pub referring_org: String,
    pub details: String,
    pub status: String,
    /// Each field read: (HTCDS field, value as text, the field here it sets or "" when none).
    pub rows: Vec<(String, String, &'static str)>,
}

fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(as_text).collect::<Vec<_>>().join(", "),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Reads a document field by field against the vendored list: an unknown field or a value
/// outside a field's picklist is refused, naming it.
pub fn read(document: &Map<String, Value>) -> Result<Received, ValidationErrors> {
    let defs = fields();
    let mut errs = ValidationErrors::new();
    let mut r = Received::default();
    let mut keys: Vec<&String> = document.keys().collect();
    keys.sort();
    for k in keys {
        let v = &document[k.as_str()];
        let Some(def) = defs.iter().find(|d| &d.name == k) else {
            // Fields of the standard this server does not map are kept in the preview only.
            if ["prs_", "vic_", "cas_", "con_", "per_", "hte_", "spl_", "org_", "cco_"].iter().any(|p| k.starts_with(p))
            {
                r.rows.push((k.clone(), as_text(v), ""));
                continue;
            }
            errs.push(FieldError::new(k, Rule::OneOf, "an HTCDS 2.0 field name").message("htcds.msg_unknown_field"));
            continue;
        };
        let values: Vec<String> = match v {
            Value::Array(a) => a.iter().map(as_text).collect(),
            Value::Null => vec![],
            other => vec![as_text(other)],
        };
        if !def.values.is_empty() {
            if let Some(bad) = values.iter().find(|x| !x.is_empty() && !def.values.contains(x)) {
                errs.push(
                    FieldError::new(k, Rule::OneOf, format!("one of {}", def.values.join(", ")))
                        .message("htcds.msg_bad_value")
                        .param("value", bad),
                );
                continue;
            }
        }
        let text = as_text(v);
        let target: &'static str = match k.as_str() {
            "con_Consent" => {
                r.consent = v.as_bool().unwrap_or(false);
                ""
            }
            "vic_TraffickingStatus" => {
                r.screening = screening_of(&text);
                "screening_result"
            }
            "vic_MethodOfRecruitment" => {
                if !values.is_empty() {
                    r.process.push(Process::Recruitment);
                }
                "process"
            }
            "vic_MethodsOfControl" => {
                for m in values.iter().filter_map(|x| means_of(x)) {
                    if !r.means.contains(&m) {
                        r.means.push(m);
                    }
                }
                "means"
            }
            "vic_TypeOfExploitation" => {
                for p in values.iter().filter_map(|x| purpose_of(x)) {
                    if !r.purpose.contains(&p) {
                        r.purpose.push(p);
                    }
                }
                "purpose"
            }
            "vic_AgeWhenTrafficked" => {
                r.victim_age = v.as_i64();
                "victim_age_at_time"
            }
            "cas_ReferringOrganisation" => {
                r.referring_org = text.clone();
                ""
            }
            "cas_OutgoingReferralDetails" => {
                r.details = text.clone();
                "description"
            }
            "cas_Status" => {
                r.status = text.clone();
                ""
            }
            f if f.starts_with("prs_") => {
                let id = r.identity.get_or_insert_with(Identity::default);
                match f {
                    "prs_FirstName" => id.full_name = format!("{text} {}", id.full_name).trim().to_string(),
                    "prs_SecondName" => id.full_name = format!("{} {text}", id.full_name).trim().to_string(),
                    "prs_Birthdate" => id.birth_date = text.clone(),
                    "prs_Gender" => {
                        id.sex = match text.as_str() {
                            "Feminine" => "P",
                            "Masculine" => "L",
                            _ => "",
                        }
                        .into()
                    }
                    "prs_IdentityNumber" => id.nik = text.clone(),
                    "prs_MobilePhone" => id.phone = text.clone(),
                    "prs_MailingStreet" => id.address = text.clone(),
                    _ => {}
                }
                match f {
                    "prs_IdentityNumber" => "nik",
                    "prs_FirstName" | "prs_SecondName" => "full_name",
                    _ => "",
                }
            }
            _ => "",
        };
        r.rows.push((k.clone(), text, target));
    }
    // A first name read after the second would come out reversed: rebuild it in order.
    if let Some(id) = r.identity.as_mut() {
        let part = |k: &str| document.get(k).map(as_text).unwrap_or_default();
        id.full_name = format!("{} {}", part("prs_FirstName"), part("prs_SecondName")).trim().to_string();
    }
    if errs.is_empty() { Ok(r) } else { Err(errs) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_sealed_envelope_opens_only_for_its_receiver_and_keeps_the_signature() {
        let sender = SigningKey::generate();
        let receiver = SigningKey::generate();
        let other = SigningKey::generate();
        let env = sign(&sender, json!({"cas_Status": "Open"}), "Desmigratif A", 1, "desmigratif-case-1");
        let sealed = seal(&env, &receiver.public());
        assert!(is_sealed(&sealed));
        // Nothing of the document is readable on the way.
        assert!(!sealed.to_string().contains("cas_Status"));
        let opened = unseal(&sealed, &receiver).unwrap();
        assert_eq!(opened, env);
        open_envelope(&opened).unwrap().verify(&sender.public()).unwrap();
        // Another organisation's key: refused, on the envelope.
        let e = unseal(&sealed, &other).unwrap_err();
        assert_eq!(e.0[0].field, "envelope");
        // The same key id claimed, the ciphertext altered: refused.
        let mut bent = sealed.clone();
        let mut ct = B64.decode(bent["ciphertext"].as_str().unwrap()).unwrap();
        ct[0] ^= 1;
        bent["ciphertext"] = json!(B64.encode(ct));
        assert!(unseal(&bent, &receiver).is_err());
        // Two seals of the same envelope differ (fresh ephemeral key and nonce).
        assert_ne!(seal(&env, &receiver.public())["ciphertext"], sealed["ciphertext"]);
    }

    use super::*;
    use crate::person::DataScope;

    fn side<'a>(a: Option<&'a Assessment>) -> CaseSide<'a> {
        CaseSide {
            status: CaseStatus::Referred,
            referred: true,
            handler_name: "Sri Wahyuni",
            description: "Recruited by a broker for work in Cambodia",
            assessment: a,
            sender: "Dinas Kupang",
            receiver: Some("IOM Kupang"),
            today: time::macros::date!(2026 - 03 - 02),
        }
    }

    fn identity() -> Identity {
        Identity {
            full_name: "Maria Goreti Bria".into(),
            birth_date: "1998-04-01".into(),
            sex: "P".into(),
            nik: "5307014104980001".into(),
            phone: "0812 3456 789".into(),
            address: "Dusun II".into(),
        }
    }

    #[test]
    fn identity_fields_only_under_consent() {
        let without = document(&side(None), None);
        let keys: Vec<&String> = without.as_object().unwrap().keys().collect();
        assert!(keys.iter().all(|k| !k.starts_with("prs_")), "{keys:?}");
        assert_eq!(without["con_Consent"], json!(false));
        assert_eq!(without["cas_OutgoingReferralDetails"], json!(""));
        assert!(keys.iter().any(|k| k.starts_with("vic_")) && keys.iter().any(|k| k.starts_with("cas_")));
        let with = document(&side(None), Some(&identity()));
        assert_eq!(with["con_Consent"], json!(true));
        assert_eq!(with["prs_FirstName"], json!("Maria"));
        assert_eq!(with["prs_SecondName"], json!("Goreti Bria"));
        assert_eq!(with["prs_MobilePhone"], json!("+628123456789"));
        assert_eq!(with["prs_Gender"], json!("Feminine"));
    }

    #[test]
    fn the_latest_case_consent_decides() {
        assert!(!identity_shared(&[]));
        assert!(!identity_shared(&[(DataScope::Contact, true)]));
        assert!(identity_shared(&[(DataScope::Case, true)]));
        assert!(identity_shared(&[(DataScope::Case, false), (DataScope::All, true)]));
        assert!(!identity_shared(&[(DataScope::All, true), (DataScope::Case, false), (DataScope::Health, true)]));
    }

    #[test]
    fn every_exported_field_and_value_is_in_the_vendored_list() {
        let a = Assessment {
            process: Process::ALL.to_vec(),
            means: Means::ALL.to_vec(),
            purpose: Purpose::ALL.to_vec(),
            victim_age: Some(17),
            screening: Some(ScreeningResult::VictimIdentified),
        };
        let doc = document(&side(Some(&a)), Some(&identity()));
        let read_back = read(doc.as_object().unwrap()).expect("own document reads");
        assert!(read_back.consent);
        assert_eq!(read_back.identity.unwrap().full_name, "Maria Goreti Bria");
        assert_eq!(read_back.screening, Some(ScreeningResult::VictimIdentified));
        assert!(read_back.means.contains(&Means::Deception) && read_back.purpose.contains(&Purpose::ForcedLabour));
        assert_eq!(read_back.process, vec![Process::Recruitment]);
        for f in fields() {
            assert!(
                f.name.starts_with("prs_")
                    || f.name.starts_with("vic_")
                    || f.name.starts_with("cas_")
                    || f.name == "con_Consent"
            );
            assert!(doc.get(&f.name).is_some(), "{} not exported", f.name);
        }
    }

    #[test]
    fn unknown_fields_and_values_are_named() {
        let doc = json!({"vic_TypeOfExploitation": ["Fishing"], "xyz": 1, "hte_City": "Kupang"});
        let e = read(doc.as_object().unwrap()).unwrap_err();
        assert!(e.for_field("vic_TypeOfExploitation").is_some(), "{e}");
        assert!(e.for_field("xyz").is_some(), "{e}");
        assert!(e.for_field("hte_City").is_none(), "{e}");
    }

    #[test]
    fn a_signature_covers_every_byte_of_the_envelope() {
        let key = SigningKey::generate();
        let env = sign(&key, document(&side(None), None), "Dinas Kupang", 1_700_000_000, "case-7");
        let opened = open_envelope(&env).expect("opens");
        assert_eq!(opened.key_id, key.public().key_id());
        opened.verify(&key.public()).expect("verifies");
        let mut tampered = env.clone();
        tampered["document"]["cas_Status"] = json!("Closed");
        let e = open_envelope(&tampered).unwrap().verify(&key.public()).unwrap_err();
        assert!(e.for_field("signature").is_some());
        let mut renamed = env.clone();
        renamed["signed_by"] = json!("Someone else");
        assert!(open_envelope(&renamed).unwrap().verify(&key.public()).is_err());
        let other = SigningKey::generate();
        assert!(open_envelope(&env).unwrap().verify(&other.public()).is_err());
        assert!(open_envelope(&json!({"document": {}})).is_err());
        let parsed = SigningKey::parse(&key.to_hex()).unwrap();
        assert_eq!(parsed.public(), key.public());
        assert_eq!(PublicKey::parse(&key.public().to_base64()), Some(key.public()));
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_level() {
        let v = json!({"b": [{"z": 1, "a": "é\""}], "a": null});
        assert_eq!(String::from_utf8(canonical(&v)).unwrap(), r#"{"a":null,"b":[{"a":"é\"","z":1}]}"#);
    }

    #[test]
    fn the_mapping_table_in_the_docs_lists_every_vendored_field() {
        let doc = include_str!("../../../docs/HTCDS.md");
        for f in fields() {
            assert!(doc.contains(&format!("`{}`", f.name)), "docs/HTCDS.md does not map {}", f.name);
        }
        // And the docs name no field the list does not have.
        let names: Vec<String> = fields().into_iter().map(|f| f.name).collect();
        for word in doc.split('`').skip(1).step_by(2) {
            if ["prs_", "vic_", "cas_", "con_"].iter().any(|p| word.starts_with(p) && word.len() > p.len())
                && !word.contains(" ")
            {
                assert!(names.iter().any(|n| n == word), "docs/HTCDS.md names {word}, not in data/htcds/fields.csv");
            }
        }
    }
}
