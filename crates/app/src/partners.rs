//! The partner registry as pages and API see it: validation of a partner organisation, and
//! binding partner users to one.

use crate::App as AppState;
use domain::cases::{PartnerType, Service};
use domain::{RegionCode, Rule, ValidationErrors};
pub use store::partners::Partner;
use store::partners::PartnerInput;

/// A partner organisation as a form or JSON body gives it.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"name": "Rumah Aman Kupang", "partner_type": "safe_house", "region_code": "53",
    "services": ["shelter", "medical_care"], "contact_name": "Sr. Maria", "phone": "+62 380 000000",
    "email": "", "address": "Kupang", "website": "", "active": true}))]
pub struct PartnerForm {
    /// 3 to 200 characters, unique.
    #[serde(default)]
    pub name: String,
    /// iom, police_task_force, uptd_ppa, social_ministry, bp3mi, lpsk, safe_house, hospital,
    /// legal_aid, mission_abroad, other.
    #[serde(default)]
    pub partner_type: String,
    /// The region served (a Kemendagri code: province, regency…); empty or null for national.
    #[serde(default)]
    pub region_code: Option<String>,
    /// Services offered: shelter, legal_aid, medical_care, repatriation, family_tracing,
    /// reintegration, economic_empowerment, investigation, witness_protection. Empty: the
    /// type's defaults.
    #[serde(default)]
    pub services: Vec<String>,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub website: String,
    /// Inactive partners keep their old referrals but receive no new ones. Default true.
    #[serde(default)]
    pub active: Option<bool>,
}

/// Validates a partner record; errors name the field.
pub async fn validate(state: &AppState, f: &PartnerForm) -> Result<PartnerInput, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let name = domain::validation::text(&mut errs, "name", &f.name, 3, 200);
    let partner_type = PartnerType::parse(&f.partner_type);
    if partner_type.is_none() {
        errs.add("partner_type", Rule::OneOf, format!("one of {}", PartnerType::codes()));
    }
    let region_code = match f.region_code.as_deref().map(str::trim).filter(|r| !r.is_empty() && *r != "national") {
        None => None,
        Some(r) => match r.parse::<RegionCode>() {
            Err(e) => {
                errs.add("region_code", Rule::Format, e.to_string());
                None
            }
            Ok(code) => {
                match store::regions::exists(&state.db, &code).await {
                    Ok(true) => {}
                    Ok(false) => errs.push(
                        domain::FieldError::new("region_code", Rule::UnknownRegion, "no region has this code")
                            .message("msg_key.unknown_region_code"),
                    ),
                    Err(_) => errs.add("region_code", Rule::UnknownRegion, "the region could not be checked"),
                }
                Some(code)
            }
        },
    };
    let mut services = std::collections::BTreeSet::new();
    let mut unknown = Vec::new();
    for c in f.services.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
        match Service::parse(c) {
            Some(s) => {
                services.insert(s);
            }
            None => unknown.push(c.to_string()),
        }
    }
    if !unknown.is_empty() {
        errs.add("services", Rule::OneOf, format!("unknown {}; one of {}", unknown.join(", "), Service::codes()));
    }
    let contact_name = domain::validation::text(&mut errs, "contact_name", &f.contact_name, 0, 200);
    let phone = domain::validation::text(&mut errs, "phone", &f.phone, 0, 40);
    let email = domain::validation::text(&mut errs, "email", &f.email, 0, 200);
    if !email.is_empty() && !email.contains('@') {
        errs.add("email", Rule::Format, "an e-mail address such as name@example.org");
    }
    let address = domain::validation::text(&mut errs, "address", &f.address, 0, 500);
    let website = domain::validation::text(&mut errs, "website", &f.website, 0, 200);
    if !website.is_empty() && !website.starts_with("https://") && !website.starts_with("http://") {
        errs.add("website", Rule::Format, "an address starting with https://");
    }
    errs.into_result()?;
    let Some(partner_type) = partner_type else {
        return Err(ValidationErrors::single("partner_type", Rule::OneOf, PartnerType::codes()));
    };
    if services.is_empty() {
        services = domain::cases::default_services(partner_type).iter().copied().collect();
    }
    if services.is_empty() {
        return Err(ValidationErrors::single(
            "services",
            Rule::Required,
            "a partner of type other must list its services",
        ));
    }
    Ok(PartnerInput {
        name,
        partner_type,
        region_code,
        services,
        contact_name,
        phone,
        email,
        address,
        website,
        active: f.active.unwrap_or(true),
    })
}

/// A unique-name clash as a field error.
pub fn name_taken() -> ValidationErrors {
    ValidationErrors::single("name", Rule::Taken, "a partner with this name is already registered")
}

/// Checks a partner id for binding a user: the user must have role partner and the
/// organisation must exist.
pub async fn check_binding(
    state: &AppState,
    errs: &mut ValidationErrors,
    role: Option<domain::Role>,
    partner_id: Option<i64>,
) -> Result<(), store::StoreError> {
    let Some(id) = partner_id else { return Ok(()) };
    if role != Some(domain::Role::Partner) {
        errs.add("partner_id", Rule::Mismatch, "only accounts with role partner belong to a partner organisation");
    } else if store::partners::get(&state.db, id).await?.is_none() {
        errs.add("partner_id", Rule::OneOf, "no partner organisation with this id");
    }
    Ok(())
}

/// The partner registry, by name (every account reads it to choose where to refer a case).
pub async fn list(state: &AppState) -> crate::error::Result<Vec<Partner>> {
    Ok(store::partners::list(&state.db, false).await?)
}

/// One partner organisation (`NotFound` when absent).
pub async fn get(state: &AppState, id: i64) -> crate::error::Result<Partner> {
    store::partners::get(&state.db, id).await?.ok_or(crate::Error::NotFound)
}

/// The active accounts bound to a partner organisation (id, username, full name): for those who
/// keep the registry.
pub async fn users_of(
    state: &AppState,
    principal: &domain::access::Principal,
    id: i64,
) -> crate::error::Result<Vec<(i64, String, String)>> {
    if !principal.can(domain::access::Action::ManagePartners, None) {
        return Err(crate::Error::Forbidden);
    }
    Ok(store::partners::users_of(&state.db, id).await?)
}

/// Registers a partner organisation (national admins); a name already registered is refused
/// on that field.
pub async fn create(
    state: &AppState,
    principal: &domain::access::Principal,
    actor: &store::audit::Actor,
    form: &PartnerForm,
) -> crate::error::Result<Partner> {
    if !principal.can(domain::access::Action::ManagePartners, None) {
        return Err(crate::Error::Forbidden);
    }
    let input = validate(state, form).await?;
    match store::partners::create(&state.db, actor, &input).await {
        Ok(p) => Ok(p),
        Err(e) if store::is_unique_violation(&e) => Err(crate::Error::Invalid(name_taken())),
        Err(e) => Err(e.into()),
    }
}

/// Replaces a partner organisation's record (national admins).
pub async fn update(
    state: &AppState,
    principal: &domain::access::Principal,
    actor: &store::audit::Actor,
    id: i64,
    form: &PartnerForm,
) -> crate::error::Result<Partner> {
    if !principal.can(domain::access::Action::ManagePartners, None) {
        return Err(crate::Error::Forbidden);
    }
    let input = validate(state, form).await?;
    match store::partners::update(&state.db, actor, id, &input).await {
        Ok(Some(p)) => Ok(p),
        Ok(None) => Err(crate::Error::NotFound),
        Err(e) if store::is_unique_violation(&e) => Err(crate::Error::Invalid(name_taken())),
        Err(e) => Err(e.into()),
    }
}
