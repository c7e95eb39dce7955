//! Survivor-safe screens (issue 17; docs/SURVIVOR_SAFETY.md): showing a masked field of a
//! person ("tampilkan"), and the printed case summary that carries only what the survivor
//! agreed to share. The masking itself is the domain's (`domain::screens`); pages show masked
//! values and ask these operations for the real ones.

use crate::App as AppState;
use crate::cases::{Caller, Case};
use domain::access::Principal;
use domain::person::DataScope;
use domain::privacy::field_visible;
use domain::screens::{RevealField, SummaryShares};
use domain::{Rule, ValidationErrors};
use store::audit::{Actor, Event};

/// The unmasked value of one field of a person, for a viewer who may see the person and whose
/// role sees that field group; the reveal is audited as its own action (`person.reveal_nik`,
/// …). 404 when the person is absent or outside the scope, 403 when the role never sees the
/// field. The field is read after the access decision, so whoever may not see the person
/// learns nothing from the answer to a bad field name.
pub async fn reveal(
    state: &AppState,
    principal: &Principal,
    actor: &Actor,
    person_id: i64,
    field: &str,
) -> crate::error::Result<(RevealField, String)> {
    let person = crate::people::visible_person(state, principal, person_id).await?.ok_or(crate::Error::NotFound)?;
    let Some(field) = RevealField::parse(field) else {
        return Err(crate::Error::Invalid(ValidationErrors::single("field", Rule::OneOf, RevealField::codes())));
    };
    if !field_visible(principal.role, field.group()) {
        return Err(crate::Error::Forbidden);
    }
    let value = match field {
        RevealField::Nik => person.nik.clone(),
        RevealField::Kk => person.kk_number.clone().unwrap_or_default(),
        RevealField::Phone => person.phone.clone(),
    };
    let ev = Event {
        action: field.audit_action(),
        entity: "person",
        entity_id: &person.id.to_string(),
        region_code: &person.village_code,
        details: "",
    };
    store::audit::append_now(&state.db, actor, &ev).await?;
    Ok((field, value))
}

/// A case's printed summary: the case as its page shows it, and of the person only what both
/// the viewer's role and the survivor's consents allow (`SummaryShares`).
pub struct CaseSummary {
    pub case: Case,
    pub handler_name: String,
    pub events: Vec<crate::cases::CaseEvent>,
    pub referrals: Vec<crate::cases::Referral>,
    /// The person's identity (name, NIK, sex, birth) when shared, else `None`.
    pub identity: Option<SummaryIdentity>,
    /// Phone, address and contact abroad when shared, else `None`.
    pub contact: Option<SummaryContact>,
    /// The case narrative and notes are shared with the identity.
    pub narrative: Option<(String, Vec<crate::cases::Note>)>,
    /// Was anything about the person left out (the printout says so)?
    pub left_out: bool,
    /// The consents in force that the summary relied on: (scope, recipient, given on).
    pub consents: Vec<(String, String, String)>,
}

pub struct SummaryIdentity {
    pub full_name: String,
    pub nik: String,
    pub sex: String,
    pub birth_place: String,
    pub birth_date: String,
}

pub struct SummaryContact {
    pub phone: String,
    pub address: String,
    pub contact_abroad: String,
}

/// The summary of a case the caller may open (404 otherwise), audited as `case.print`.
pub async fn case_summary(
    state: &AppState,
    caller: Caller<'_>,
    actor: &Actor,
    id: i64,
) -> crate::error::Result<CaseSummary> {
    // The case file as its page loads it (same access decision); audited below as a print,
    // not as a view.
    let file = crate::cases::reload(state, caller, id).await?;
    let case = file.case;
    let ev = Event {
        action: "case.print",
        entity: "case",
        entity_id: &case.id.to_string(),
        region_code: &case.village_code,
        details: "",
    };
    store::audit::append_now(&state.db, actor, &ev).await?;
    // The person as this viewer's role may see them (a partner sees no identity at all) …
    let person = match case.person_id {
        Some(pid) => crate::people::visible_person(state, caller.principal, pid)
            .await?
            .map(|p| crate::people::redact(caller.principal, p)),
        None => None,
    };
    // … and of that, what the survivor agreed to share.
    let (shares, consents) = match &person {
        Some(p) => {
            let rows = store::persons::consents(&state.db, p.id).await?;
            // Stored newest first; the rule reads them oldest first.
            let decisions: Vec<(DataScope, bool)> =
                rows.iter().rev().filter_map(|c| DataScope::parse(&c.data_scope).map(|s| (s, c.granted))).collect();
            let in_force = rows
                .iter()
                .filter(|c| c.granted)
                .map(|c| (c.data_scope.clone(), c.recipient.clone(), c.given_on.clone()))
                .collect();
            (SummaryShares::from_consents(&decisions), in_force)
        }
        None => (SummaryShares::default(), vec![]),
    };
    let fields = domain::privacy::fields(caller.principal.role);
    let identity = person.as_ref().filter(|_| shares.identity).map(|p| SummaryIdentity {
        full_name: p.full_name.clone(),
        nik: if fields.identity { p.nik.clone() } else { String::new() },
        sex: p.sex.clone(),
        birth_place: p.birth_place.clone(),
        birth_date: p.birth_date.clone(),
    });
    let contact = person.as_ref().filter(|_| shares.contact && fields.contact).map(|p| SummaryContact {
        phone: p.phone.clone(),
        address: p.address.clone(),
        contact_abroad: p.contact_abroad.clone(),
    });
    // A case without a known person has no survivor to protect by name, but its narrative
    // may still name one: it follows the same identity consent, so it is only printed when
    // a person is linked and agreed.
    let narrative = identity.as_ref().map(|_| (case.description.clone(), file.notes));
    let left_out = identity.is_none() || contact.is_none();
    Ok(CaseSummary {
        handler_name: file.handler_name,
        events: file.events,
        referrals: file.referrals,
        identity,
        contact,
        narrative,
        left_out,
        consents: if shares.identity || shares.contact { consents } else { vec![] },
        case,
    })
}
