//! Referral without a shared server (issue 17; docs/HTCDS.md): a case exported as a signed
//! HTCDS 2.0 document, our public key, partners' keys, and the import of a partner's document
//! with its field-by-field preview. The mapping and the signatures are `domain::htcds`.

use crate::App as AppState;
use crate::cases::Caller;
use domain::access::{Action, Principal};
use domain::cases::{CaseStatus, CaseType, Form, Means, Process, Purpose, ScreeningResult, Severity};
use domain::htcds::{self, PublicKey, SigningKey};
use domain::{FieldError, RegionCode, RegionLevel, Rule, ValidationErrors};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::io::Write;
use store::audit::Actor;
pub use store::htcds::PartnerKey;

fn refuse(e: FieldError) -> crate::Error {
    let mut errs = ValidationErrors::new();
    errs.push(e);
    crate::Error::Invalid(errs)
}

fn io_error(e: std::io::Error) -> crate::Error {
    crate::Error::Store(e.into())
}

/// Our signing key: `DESMIGRATIF_HTCDS_KEY`, else the key file, created (0600) at first use
/// the way the audit key is.
pub fn signing_key(state: &AppState) -> crate::error::Result<SigningKey> {
    if let Some(k) = &state.config.htcds_key {
        return Ok(k.clone());
    }
    let path = &state.config.htcds_key_file;
    let read = || -> crate::error::Result<Option<SigningKey>> {
        match std::fs::read_to_string(path) {
            Ok(text) => SigningKey::parse(&text).map(Some).map_err(|e| {
                io_error(std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{}: {e}", path.display())))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error(e)),
        }
    };
    if let Some(k) = read()? {
        return Ok(k);
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io_error)?;
    }
    let key = SigningKey::generate();
    // Written whole to a private file, then linked into place: two first exports at once
    // agree on one key.
    let tmp = path.with_extension(format!("tmp{}-{:016x}", std::process::id(), rand::random::<u64>()));
    let written = (|| {
        let mut f = crate::audit_trail::private_file(&tmp)?;
        f.write_all(format!("{}\n", key.to_hex()).as_bytes())?;
        f.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_error(e));
    }
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            tracing::warn!(path = %path.display(), key_id = key.public().key_id(), "created the HTCDS signing key: back it up with the audit key");
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read()?.ok_or_else(|| io_error(e)),
        Err(e) => Err(io_error(e)),
    }
}

/// What a partner registers to check our documents.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicKeyInfo {
    /// `Ed25519`.
    pub algorithm: &'static str,
    /// The envelope format our exports carry.
    pub format: &'static str,
    /// Hex of the first 8 bytes of the key's SHA-256 (the envelope's `key_id`).
    pub key_id: String,
    /// Base64 of the 32-byte public key.
    pub public_key: String,
    /// Our organisation as it signs (`signed_by`).
    pub signed_by: String,
}

/// Our public key, for anyone signed in (it is no secret; partners register it).
pub fn public_key(state: &AppState) -> crate::error::Result<PublicKeyInfo> {
    let k = signing_key(state)?.public();
    Ok(PublicKeyInfo {
        algorithm: "Ed25519",
        format: htcds::FORMAT,
        key_id: k.key_id(),
        public_key: k.to_base64(),
        signed_by: state.config.htcds_organisation.clone(),
    })
}

/// The longest organisation name accepted (receiver, partner).
const MAX_NAME: usize = 200;

/// The case as a signed HTCDS envelope, for whoever may open it (404 for everyone else, as the
/// case file). The `prs_` identity goes only under the person's consent; audited either way.
pub async fn export(
    state: &AppState,
    caller: Caller<'_>,
    actor: &Actor,
    case_id: i64,
    receiver: Option<&str>,
    seal_for: Option<&str>,
) -> crate::error::Result<Value> {
    let case = crate::cases::open(state, caller, case_id).await?;
    // Sealed for a registered partner: only that organisation's key opens it on the way.
    let seal_to = match seal_for.map(str::trim).filter(|k| !k.is_empty()) {
        Some(key_id) => match store::htcds::key(&state.db, key_id).await? {
            Some(k) if k.active => {
                Some((key_id.to_string(), PublicKey::parse(&k.public_key).ok_or(crate::Error::NotFound)?))
            }
            _ => {
                return Err(refuse(
                    FieldError::new("seal_for", Rule::OneOf, "the key id of a registered partner key")
                        .message("htcds.msg_unknown_key"),
                ));
            }
        },
        None => None,
    };
    let receiver = receiver.map(str::trim).filter(|r| !r.is_empty());
    if let Some(r) = receiver {
        let mut errs = ValidationErrors::new();
        domain::validation::text(&mut errs, "receiver", r, 2, MAX_NAME);
        errs.into_result()?;
    }
    let db = &state.db;
    let handler_name = match case.handler_user_id {
        Some(h) => store::users::get(db, h).await?.map(|u| u.full_name).unwrap_or_default(),
        None => String::new(),
    };
    let referred = !store::cases::referrals(db, case.id).await?.is_empty();
    let assessment = store::cases::trafficking(db, case.id).await?.map(|row| htcds::Assessment {
        process: row.process.split(',').filter_map(Process::parse).collect(),
        means: row.means.split(',').filter_map(Means::parse).collect(),
        purpose: row.purpose.split(',').filter_map(Purpose::parse).collect(),
        victim_age: row.victim_age_at_time,
        screening: ScreeningResult::parse(&row.screening_result),
    });
    let identity = match case.person_id {
        Some(pid) => {
            // Stored newest first; the rule reads them in the order recorded.
            let mut consents: Vec<(domain::person::DataScope, bool)> = store::persons::consents(db, pid)
                .await?
                .into_iter()
                .filter_map(|c| domain::person::DataScope::parse(&c.data_scope).map(|s| (s, c.granted)))
                .collect();
            consents.reverse();
            match store::persons::get(db, pid).await? {
                Some(p) if htcds::identity_shared(&consents) => Some(htcds::Identity {
                    full_name: p.full_name,
                    birth_date: p.birth_date,
                    sex: p.sex,
                    nik: p.nik,
                    phone: p.phone,
                    address: p.address,
                }),
                _ => None,
            }
        }
        None => None,
    };
    let side = htcds::CaseSide {
        status: CaseStatus::parse(&case.status).unwrap_or(CaseStatus::New),
        referred,
        handler_name: &handler_name,
        description: &case.description,
        assessment: assessment.as_ref(),
        sender: &state.config.htcds_organisation,
        receiver,
        today: state.today(),
    };
    let document = htcds::document(&side, identity.as_ref());
    let key = signing_key(state)?;
    let envelope = htcds::sign(
        &key,
        document,
        &state.config.htcds_organisation,
        state.clock.unix(),
        &format!("desmigratif-case-{}", case.id),
    );
    let sealed_for = seal_to.as_ref().map(|(id, _)| id.as_str()).unwrap_or("");
    store::htcds::audit_export(db, actor, &case, identity.is_some(), receiver.unwrap_or(""), sealed_for).await?;
    Ok(match &seal_to {
        Some((_, key)) => htcds::seal(&envelope, key),
        None => envelope,
    })
}

/// A partner organisation's key as an admin registers it.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"name": "IOM Kupang", "public_key": "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80="}))]
pub struct KeyInput {
    /// The partner organisation (2 to 200 characters).
    #[serde(default)]
    pub name: String,
    /// Base64 of its 32-byte Ed25519 public key (what its `GET /api/v1/htcds/public-key` gives).
    #[serde(default)]
    pub public_key: String,
}

/// The registered partner keys (admins who manage the partner registry).
pub async fn partner_keys(state: &AppState, principal: &Principal) -> crate::error::Result<Vec<PartnerKey>> {
    if !principal.can(Action::ManagePartners, None) {
        return Err(crate::Error::Forbidden);
    }
    Ok(store::htcds::keys(&state.db).await?)
}

/// Registers a partner's public key; audited.
pub async fn register_key(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    input: &KeyInput,
) -> crate::error::Result<PartnerKey> {
    if !principal.can(Action::ManagePartners, None) {
        return Err(crate::Error::Forbidden);
    }
    let mut errs = ValidationErrors::new();
    let name = domain::validation::text(&mut errs, "name", &input.name, 2, MAX_NAME);
    let key = PublicKey::parse(&input.public_key);
    if key.is_none() {
        errs.push(
            FieldError::new("public_key", Rule::Format, "base64 of a 32-byte Ed25519 public key")
                .message("htcds.msg_public_key_format"),
        );
    }
    let Some(key) = key.filter(|_| errs.is_empty()) else { return Err(errs.into()) };
    if store::htcds::key(&state.db, &key.key_id()).await?.is_some() {
        return Err(refuse(
            FieldError::new("public_key", Rule::Taken, "this key is already registered").message("htcds.msg_key_taken"),
        ));
    }
    Ok(store::htcds::register_key(&state.db, actor, &name, &key.key_id(), &key.to_base64()).await?)
}

/// A partner's document to import, as the API and the page give it.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct ImportInput {
    /// The signed envelope as the sender exported it (docs/HTCDS.md).
    #[schema(value_type = Object)]
    #[serde(default)]
    pub envelope: Value,
    /// The village a new case belongs to (in the caller's region). Not needed with `link_case_id`.
    #[serde(default)]
    pub village_code: String,
    /// Add the document as a note on this case (one the caller may work on) instead of opening a new one.
    #[serde(default)]
    pub link_case_id: Option<i64>,
    /// false (default): only the preview; true: import.
    #[serde(default)]
    pub confirm: bool,
}

/// One field of the document and what it would set here.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PreviewRow {
    pub field: String,
    pub value: String,
    /// The field here it sets (`description`, `means`, `nik`…), or empty when it is shown only.
    pub sets: String,
}

/// What an import would do, field by field.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Preview {
    /// The sender as registered here, and as it signed.
    pub sender: String,
    pub signed_by: String,
    pub key_id: String,
    pub case_ref: String,
    pub consent: bool,
    pub rows: Vec<PreviewRow>,
    /// `new_case` or `note`.
    pub action: &'static str,
    /// The village of the new case, or of the linked case.
    pub village_code: String,
    /// The person matched by the document's NIK among those the caller may see.
    pub person_id: Option<i64>,
    pub person_name: Option<String>,
    /// The assessment a new case gets: screening result, process, means, purpose.
    pub screening_result: String,
    pub process: Vec<String>,
    pub means: Vec<String>,
    pub purpose: Vec<String>,
    pub description: String,
}

/// The outcome of an import call.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportResult {
    /// The case created or linked (only after `confirm`).
    pub case_id: Option<i64>,
    pub imported: bool,
    pub preview: Preview,
}

/// Reads, checks and previews a partner's document; with `confirm`, imports it in one
/// transaction (new restricted trafficking case, or a note on a linked case), audited.
pub async fn import(
    state: &AppState,
    caller: Caller<'_>,
    actor: &Actor,
    input: &ImportInput,
) -> crate::error::Result<ImportResult> {
    let principal = caller.principal;
    if caller.is_partner() {
        return Err(crate::Error::Forbidden);
    }
    // Where it goes first: the caller's region and role decide before the document is read.
    let linked = match input.link_case_id {
        Some(id) => {
            let case = crate::cases::open(state, caller, id).await?;
            if !crate::cases::can_work(caller, &case) {
                return Err(crate::Error::Forbidden);
            }
            Some(case)
        }
        None => None,
    };
    let village = match &linked {
        Some(c) => c.village().ok_or(crate::Error::NotFound)?,
        None => {
            let v = input
                .village_code
                .trim()
                .parse::<RegionCode>()
                .ok()
                .filter(|v| v.level() == RegionLevel::Village)
                .ok_or_else(|| {
                    refuse(
                        FieldError::new("village_code", Rule::Format, "a village code such as 53.07.01.2001")
                            .message("msg_key.village_code_format"),
                    )
                })?;
            if !principal.can(Action::EditPerson, Some(&v)) {
                if principal.can(Action::ViewPerson, Some(&v)) {
                    return Err(crate::Error::Forbidden);
                }
                return Err(refuse(
                    FieldError::new("village_code", Rule::Mismatch, "this village is outside your region")
                        .message("msg_key.outside_region"),
                ));
            }
            if !store::regions::exists(&state.db, &v).await? {
                return Err(refuse(
                    FieldError::new("village_code", Rule::UnknownRegion, "no village with this code")
                        .message("msg_key.unknown_region_code"),
                ));
            }
            v
        }
    };
    // The signature against the sender's registered key, then the fields.
    // A sealed envelope is opened with this server's key first; the signature is inside.
    let opened;
    let signed = if htcds::is_sealed(&input.envelope) {
        opened = htcds::unseal(&input.envelope, &signing_key(state)?)?;
        &opened
    } else {
        &input.envelope
    };
    let envelope = htcds::open_envelope(signed)?;
    let partner = match store::htcds::key(&state.db, &envelope.key_id).await? {
        Some(k) if k.active => k,
        _ => {
            return Err(refuse(
                FieldError::new(
                    "key_id",
                    Rule::OneOf,
                    "a key registered by an admin (POST /api/v1/htcds/partner-keys)",
                )
                .message("htcds.msg_unknown_key"),
            ));
        }
    };
    let key = PublicKey::parse(&partner.public_key).ok_or(crate::Error::NotFound)?;
    envelope.verify(&key)?;
    let received = htcds::read(&envelope.document)?;

    // The person, matched by NIK among those the caller may see.
    let person = match received.identity.as_ref().map(|i| i.nik.trim()).filter(|n| !n.is_empty()) {
        Some(nik) => {
            let filter = store::persons::Filter { nik: Some(nik.to_string()), ..Default::default() };
            let mut found = None;
            for p in store::persons::search(&state.db, &filter, 5).await? {
                if p.village().is_some_and(|v| principal.can(Action::ViewPerson, Some(&v))) {
                    found = Some(p);
                    break;
                }
            }
            found
        }
        None => None,
    };
    let sender = if partner.name.is_empty() { envelope.signed_by.clone() } else { partner.name.clone() };
    let description = {
        let d = received.details.trim();
        let d = if d.chars().count() >= crate::cases::MIN_DESCRIPTION {
            d.chars().take(crate::cases::MAX_DESCRIPTION - 80).collect::<String>()
        } else {
            String::new()
        };
        let head = format!("Rujukan HTCDS dari {sender} ({})", envelope.case_ref);
        if d.is_empty() { head } else { format!("{head}: {d}") }
    };
    // An actual victim needs all three elements here; with fewer it comes in as potential.
    let record = |screening: ScreeningResult| {
        let process: Vec<&str> = received.process.iter().map(|p| p.as_str()).collect();
        let means: Vec<&str> = received.means.iter().map(|p| p.as_str()).collect();
        let purpose: Vec<&str> = received.purpose.iter().map(|p| p.as_str()).collect();
        let age = received.victim_age.map(|a| a.to_string()).unwrap_or_default();
        let detail = format!("HTCDS: {sender}");
        domain::cases::validate_trafficking(&domain::cases::TraffickingInput {
            process: &process,
            means: &means,
            purpose: &purpose,
            form: Form::Other.as_str(),
            form_detail: &detail,
            victim_age_at_time: &age,
            screening_result: screening.as_str(),
            reintegration_plan: "",
        })
    };
    let screening = received.screening.unwrap_or(ScreeningResult::NotScreened);
    let assessment = record(screening)
        .or_else(|_| record(ScreeningResult::PotentialVictim))
        .or_else(|_| record(ScreeningResult::NotScreened))
        .ok();
    let preview = Preview {
        sender: sender.clone(),
        signed_by: envelope.signed_by.clone(),
        key_id: envelope.key_id.clone(),
        case_ref: envelope.case_ref.clone(),
        consent: received.consent,
        rows: received
            .rows
            .iter()
            .map(|(f, v, s)| PreviewRow { field: f.clone(), value: v.clone(), sets: s.to_string() })
            .collect(),
        action: if linked.is_some() { "note" } else { "new_case" },
        village_code: village.as_str().to_string(),
        person_id: person.as_ref().map(|p| p.id),
        person_name: person.as_ref().map(|p| p.full_name.clone()),
        screening_result: assessment.as_ref().map(|a| a.screening_result.as_str()).unwrap_or("not_screened").into(),
        process: received.process.iter().map(|p| p.as_str().to_string()).collect(),
        means: received.means.iter().map(|p| p.as_str().to_string()).collect(),
        purpose: received.purpose.iter().map(|p| p.as_str().to_string()).collect(),
        description: description.clone(),
    };
    if !input.confirm {
        return Ok(ImportResult { case_id: None, imported: false, preview });
    }
    let digest = envelope.digest();
    if let Some(case_id) = store::htcds::imported(&state.db, &digest).await? {
        return Err(refuse(
            FieldError::new("document", Rule::Taken, format!("already imported (case {case_id})"))
                .message("htcds.msg_already_imported")
                .param("case", case_id),
        ));
    }
    let source = store::htcds::Source {
        digest: &digest,
        partner_key_id: partner.id,
        key_id: &partner.key_id,
        case_ref: &envelope.case_ref,
    };
    let note;
    let new;
    let today = state.clock.today_in(&village);
    let target = match &linked {
        Some(case) => {
            let lines: Vec<String> = preview.rows.iter().map(|r| format!("{}: {}", r.field, r.value)).collect();
            note = format!("{description}\n{}", lines.join("\n"));
            store::htcds::Target::Note { case, body: &note }
        }
        None => {
            new = store::cases::NewCase {
                case_type: CaseType::TraffickingSuspicion,
                severity: Severity::High,
                description: description.clone(),
                // The matched person's village when the caller may work there, else the one chosen.
                village_code: village.clone(),
                person_id: person.as_ref().map(|p| p.id),
                restricted: true,
                handler_user_id: actor.user_id,
                due_on: Some(domain::cases::DueDate::suggested(Severity::High, today, today).date()),
            };
            store::htcds::Target::New { case: &new, assessment: assessment.as_ref(), today }
        }
    };
    let case = store::htcds::import(&state.db, actor, target, &source).await?;
    Ok(ImportResult { case_id: Some(case.id), imported: true, preview })
}
