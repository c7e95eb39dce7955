//! What the server requires of each request field, declared in the OpenAPI document so that a
//! request the document calls valid is one the server takes (schemathesis checks both ways:
//! `scripts/api-fuzz.sh`). Request bodies and query strings mostly arrive as text and are
//! read by the domain's rules, so the derive sees only `string`; this table adds the shape
//! those rules enforce: required fields, code lists (taken from the domain's enums, so the
//! document cannot drift from the parser), region and date formats, lengths and bounds.
//!
//! Conventions by name apply to every request property and query parameter with that name;
//! the table by schema (or path, for query parameters) adds the rest. `tests` checks that
//! every entry names a field the document has, so a renamed field cannot silently lose its
//! contract. Rules a schema cannot express (a NIK already registered, an id that names no
//! record in the caller's reach, a date relative to today, a step that does not follow) stay
//! 422s; docs/API_CONTRACT.md lists them.

use domain::cases::{CaseStatus, CaseType, Means, Outcome, PartnerType, Process, Service, Severity};
use utoipa::openapi::schema::{KnownFormat, Object, Schema, SchemaFormat, SchemaType, Type};
use utoipa::openapi::{RefOr, Required};

/// A Kemendagri region code of any level: province, regency, district or village.
pub const REGION: &str = r"^(0[1-9]|[1-9][0-9])(\.[0-9]{2}(\.[0-9]{2}(\.[0-9]{4})?)?)?$";
/// A village (desa/kelurahan) code.
pub const VILLAGE: &str = r"^(0[1-9]|[1-9][0-9])\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}$";
/// A province, regency or district code (where villages are refused).
pub const ABOVE_VILLAGE: &str = r"^(0[1-9]|[1-9][0-9])(\.[0-9]{2}(\.[0-9]{2})?)?$";
/// Sixteen digits (NIK, KK number).
pub const SIXTEEN_DIGITS: &str = r"^[0-9]{16}$";
/// A calendar month.
pub const MONTH: &str = r"^[0-9]{4}-(0[1-9]|1[0-2])$";
/// Text with at least one visible character (the server trims).
pub const NOT_BLANK: &str = r"\S";

/// One thing the server requires of a field.
#[derive(Clone, Copy)]
pub enum Shape {
    Required,
    Pattern(&'static str),
    Date,
    DateTime,
    /// The codes the server accepts.
    OneOf(fn() -> Vec<String>),
    /// Every item of an array is one of these codes.
    EachOf(fn() -> Vec<String>),
    /// An object of amounts in whole rupiah keyed by these codes.
    RupiahByCode(fn() -> Vec<String>),
    /// A whole number between these, as a JSON number or as digits (the `Amount` type, not
    /// null).
    WholeNumber(i64, i64),
    /// A percentage from 0 to 100 with at most two decimals, as a number or as text.
    Percent,
    /// A parameter the operation does not read: no shape.
    Unread,
    /// Visible text of at least this many characters.
    MinChars(usize),
    Range(i64, i64),
    MinItems(usize),
    /// A record id in a body: a whole number from 1.
    PositiveId,
    MaxChars(usize),
    /// The server refuses this optional field sent empty.
    NotEmpty,
}
use Shape::*;

macro_rules! codes {
    ($t:ty) => {
        || <$t>::ALL.iter().map(|v| v.as_str().to_string()).collect()
    };
}

/// The names of date fields (`*_on` are dates too).
const DATE_NAMES: &[&str] = &[
    "birth_date",
    "date",
    "as_of",
    "through",
    "start_date",
    "contract_start",
    "contract_end",
    "planned_departure",
    "valid_from",
    "valid_until",
];

/// Conventions by name, for every request property and query parameter.
fn by_name(name: &str) -> Vec<Shape> {
    match name {
        "region_code" | "village" | "within" => vec![Pattern(REGION)],
        "village_code" => vec![Pattern(VILLAGE)],
        "nik" | "kk_number" => vec![Pattern(SIXTEEN_DIGITS)],
        "month" => vec![Pattern(MONTH)],
        "updated_since" => vec![DateTime],
        n if n == "id" || n.ends_with("_id") || n.ends_with("_ids") => vec![PositiveId],
        n if DATE_NAMES.contains(&n) || n.ends_with("_on") => vec![Date],
        _ => vec![],
    }
}

/// Per request schema: field → shapes.
const BODIES: &[(&str, &str, &[Shape])] = &[
    ("CreateAgency", "name", &[Required, MinChars(2)]),
    ("CreateAgency", "licence_number", &[Required, MinChars(1)]),
    ("CreateAgency", "status", &[Required, OneOf(codes!(domain::agency::AgencyStatus))]),
    ("CreateAgency", "valid_from", &[Required]),
    ("CreateAgency", "valid_until", &[Required]),
    ("CreateBranch", "address", &[Required, MinChars(3)]),
    ("CreateBranch", "region_code", &[Required, Pattern(ABOVE_VILLAGE)]),
    ("CreateClient", "organisation", &[Required, MinChars(2)]),
    ("CreateClient", "purpose", &[Required, OneOf(codes!(domain::exchange::Purpose))]),
    ("CreateClient", "scopes", &[Required, MinItems(1), EachOf(scopes)]),
    ("CreateClient", "region_code", &[Pattern(ABOVE_VILLAGE)]),
    ("CreateClient", "expires_on", &[Required]),
    ("CreateClient", "rate_per_minute", &[Range(1, 6000)]),
    ("PasswordChange", "current_password", &[Required, MinChars(1)]),
    ("PasswordChange", "new_password", &[Required, MinChars(10)]),
    ("PasswordChange", "confirm_password", &[Required, MinChars(10)]),
    ("TokenRequest", "username", &[Required, MinChars(1)]),
    ("TokenRequest", "password", &[Required, MinChars(1)]),
    ("BusinessRequest", "village_code", &[Required]),
    ("BusinessRequest", "name", &[Required, MinChars(2)]),
    ("BusinessRequest", "sector", &[Required, OneOf(codes!(domain::enterprise::Sector))]),
    ("BusinessRequest", "legal_form", &[Required, OneOf(codes!(domain::enterprise::LegalForm))]),
    ("BusinessRequest", "status", &[OneOf(codes!(domain::enterprise::BusinessStatus))]),
    ("BusinessRequest", "capital_sources", &[EachOf(codes!(domain::enterprise::CapitalSource))]),
    ("MemberRequest", "kind", &[Required, OneOf(codes!(domain::enterprise::MemberKind))]),
    ("AttendanceRequest", "date", &[Required]),
    ("ReportRequest", "month", &[Required]),
    ("ReportRequest", "revenue", &[Required, Range(0, 1_000_000_000_000)]),
    ("ReportRequest", "costs", &[Required, Range(0, 1_000_000_000_000)]),
    ("ReportRequest", "workers", &[Range(0, 10_000)]),
    ("StatusRequest", "status", &[Required, OneOf(codes!(domain::enterprise::BusinessStatus))]),
    ("CaseInput", "type", &[Required, OneOf(codes!(CaseType))]),
    ("AssignInput", "due_on", &[NotEmpty]),
    ("CaseInput", "severity", &[Required, OneOf(codes!(Severity))]),
    ("CaseInput", "description", &[Required, MinChars(5)]),
    ("CaseStepInput", "to", &[Required, OneOf(codes!(CaseStatus))]),
    ("CaseStepInput", "outcome", &[OneOf(codes!(Outcome))]),
    ("NoteInput", "body", &[Required, MinChars(1)]),
    ("ReferralInput", "partner_id", &[Required]),
    ("ReferralInput", "services", &[Required, MinItems(1), EachOf(codes!(Service))]),
    ("ReferralStepInput", "services", &[EachOf(codes!(Service))]),
    ("TraffickingForm", "process", &[EachOf(codes!(Process))]),
    ("TraffickingForm", "means", &[EachOf(codes!(Means))]),
    ("TraffickingForm", "purpose", &[EachOf(codes!(domain::cases::trafficking::Purpose))]),
    ("TraffickingForm", "form", &[Required, OneOf(codes!(domain::cases::trafficking::Form))]),
    ("TraffickingForm", "screening_result", &[OneOf(codes!(domain::cases::trafficking::ScreeningResult))]),
    ("TraffickingForm", "services_needed", &[EachOf(codes!(Service))]),
    ("TraffickingForm", "victim_age_at_time", &[Pattern(r"^[0-9]{1,3}$")]),
    ("ChildRequest", "full_name", &[Required, MinChars(2)]),
    ("ChildRequest", "birth_date", &[Required]),
    ("ChildRequest", "sex", &[Required, OneOf(sexes)]),
    ("ChildRequest", "village_code", &[Required]),
    ("ChildRequest", "parent_person_ids", &[Required, MinItems(1)]),
    ("ChildRequest", "caregiver", &[Required, OneOf(codes!(domain::parenting::Caregiver))]),
    ("ChildRequest", "school_level", &[OneOf(codes!(domain::parenting::SchoolLevel))]),
    ("ChildRequest", "school_status", &[OneOf(codes!(domain::parenting::SchoolStatus))]),
    ("ChildStatusRequest", "school_level", &[OneOf(codes!(domain::parenting::SchoolLevel))]),
    ("ChildStatusRequest", "school_status", &[OneOf(codes!(domain::parenting::SchoolStatus))]),
    ("ConcernRequest", "kind", &[Required, OneOf(codes!(domain::parenting::ConcernKind))]),
    ("ConcernRequest", "description", &[Required, MinChars(5)]),
    ("ActivityAttendanceRequest", "date", &[Required]),
    ("ActivityRequest", "village_code", &[Required]),
    ("ActivityRequest", "kind", &[Required, OneOf(codes!(domain::parenting::ActivityKind))]),
    ("ActivityRequest", "held_on", &[Required]),
    ("ActivityRequest", "facilitator", &[Required, MinChars(2)]),
    ("CooperativeInput", "village_code", &[Required]),
    ("CooperativeInput", "kind", &[Required, OneOf(|| texts(&["koperasi", "bumdes_unit"]))]),
    ("CooperativeInput", "name", &[Required, MinChars(3)]),
    ("CooperativeInput", "founded_on", &[Required]),
    ("CloseInput", "through", &[Required]),
    ("YearInput", "year", &[Required, Range(-9999, 9999)]),
    ("RatInput", "year", &[Required, Range(0, 9999)]),
    ("RatInput", "decisions", &[Required, MinChars(3)]),
    ("RatInput", "members_present", &[Required, Range(0, 1_000_000)]),
    ("LoanInput", "member_id", &[Required]),
    ("LoanInput", "method", &[Required, OneOf(codes!(domain::cooperative::schedule::ScheduleMethod))]),
    ("LoanInput", "monthly_rate_percent", &[Required, Range(0, 10)]),
    ("LoanInput", "months", &[Required, Range(1, 360)]),
    ("LoanInput", "principal", &[Required, Range(1, MAX_RUPIAH)]),
    ("ScheduleRequestBody", "method", &[Required, OneOf(codes!(domain::cooperative::schedule::ScheduleMethod))]),
    ("ScheduleRequestBody", "months", &[Range(1, 360)]),
    ("ScheduleRequestBody", "start_date", &[Required]),
    ("ScheduleRequestBody", "monthly_rate_percent", &[Range(0, 10)]),
    ("ScheduleRequestBody", "principal", &[Range(1, MAX_RUPIAH)]),
    ("RepayInput", "amount", &[Required, Range(1, MAX_RUPIAH)]),
    ("RepayInput", "penalty", &[Range(0, MAX_RUPIAH)]),
    ("SavingsInput", "member_id", &[Required]),
    ("SavingsInput", "amount", &[Required, Range(1, MAX_RUPIAH)]),
    ("SavingsInput", "kind", &[Required, OneOf(codes!(domain::cooperative::savings::SavingsKind))]),
    ("SavingsInput", "direction", &[Required, OneOf(|| texts(&["deposit", "withdrawal"]))]),
    ("OtherInput", "account", &[Required, OneOf(other_accounts)]),
    ("OtherInput", "amount", &[Required, Range(1, MAX_RUPIAH)]),
    ("OtherInput", "memo", &[Required, MinChars(3)]),
    ("MemberInput", "full_name", &[MinChars(2)]),
    ("BylawsBody", "max_principal", &[Required, WholeNumber(1, 1_000_000_000_000)]),
    ("BylawsBody", "max_months", &[Required, WholeNumber(1, 360)]),
    ("BylawsBody", "pokok", &[Required, WholeNumber(0, MAX_RUPIAH)]),
    ("BylawsBody", "wajib_monthly", &[Required, WholeNumber(0, MAX_RUPIAH)]),
    ("BylawsBody", "min_rate_percent", &[Required]),
    ("BylawsBody", "max_rate_percent", &[Required]),
    ("BylawsBody", "shu_reserve", &[Required, Percent]),
    ("BylawsBody", "shu_members_by_savings", &[Required, Percent]),
    ("BylawsBody", "shu_members_by_transactions", &[Required, Percent]),
    ("BylawsBody", "shu_board", &[Required, Percent]),
    ("BylawsBody", "shu_staff", &[Required, Percent]),
    ("BylawsBody", "shu_education", &[Required, Percent]),
    ("BylawsBody", "shu_social", &[Required, Percent]),
    ("CostInput", "item", &[Required, OneOf(codes!(domain::service_center::flags::CostItem))]),
    ("CostInput", "amount_rupiah", &[Range(0, MAX_RUPIAH)]),
    ("DocumentInput", "status", &[Required, OneOf(codes!(domain::service_center::requirements::DocumentStatus))]),
    ("StepInput", "date", &[Required]),
    ("StepInput", "to", &[Required, OneOf(codes!(domain::service_center::episode::EpisodeState))]),
    ("StepInput", "return_reason", &[OneOf(codes!(domain::service_center::episode::ReturnReason))]),
    ("OpenEpisode", "category", &[Required, OneOf(codes!(domain::service_center::episode::Category))]),
    ("OpenEpisode", "scheme", &[Required, OneOf(codes!(domain::service_center::episode::Scheme))]),
    ("OpenEpisode", "destination", &[Required, Pattern(COUNTRY)]),
    ("OpenEpisode", "job_type", &[Required, Pattern(JOB_TYPE)]),
    ("EquipmentRequest", "village_code", &[Required]),
    ("EquipmentRequest", "item", &[Required, MinChars(2)]),
    ("EquipmentRequest", "value", &[Required, Range(0, 1_000_000_000_000)]),
    ("EquipmentRequest", "source_program", &[Required, MinChars(2)]),
    ("EquipmentRequest", "given_on", &[Required]),
    ("CheckRequest", "checked_on", &[Required]),
    ("CheckRequest", "condition", &[Required, OneOf(codes!(domain::enterprise::EquipmentCondition))]),
    ("CreateJobOrder", "agency_id", &[Required, WholeNumber(1, 999_999_999_999_999)]),
    ("CreateJobOrder", "reference", &[Required, MinChars(1)]),
    ("CreateJobOrder", "destination", &[Required, Pattern(COUNTRY)]),
    ("CreateJobOrder", "employer", &[Required, MinChars(2)]),
    ("CreateJobOrder", "job_type", &[Required, Pattern(JOB_TYPE)]),
    ("CreateJobOrder", "salary_amount", &[Required, WholeNumber(1, 999_999_999_999_999)]),
    ("CreateJobOrder", "salary_currency", &[Required, Pattern(r"^[A-Za-z]{3}$")]),
    ("CreateJobOrder", "quota", &[Required, WholeNumber(1, 10_000)]),
    ("CostRow", "item", &[Required, OneOf(codes!(domain::service_center::flags::CostItem))]),
    ("CostRow", "amount", &[Required, WholeNumber(1, MAX_RUPIAH)]),
    ("CreateJobOrder", "valid_from", &[Required]),
    ("CreateJobOrder", "valid_until", &[Required]),
    ("Verification", "status", &[Required, OneOf(|| texts(&["verified", "rejected"]))]),
    ("MentoringRequest", "village_code", &[Required]),
    ("MentoringRequest", "visited_on", &[Required]),
    ("MentoringRequest", "mentor", &[Required, MinChars(2)]),
    ("MentoringRequest", "notes", &[Required, MinChars(3)]),
    ("NikCheckRequest", "sex", &[OneOf(sexes)]),
    ("CreateOutreach", "village_code", &[Required]),
    ("CreateOutreach", "held_on", &[Required]),
    ("CreateOutreach", "topic", &[Required, MinChars(3)]),
    ("CreateOutreach", "headcount", &[Required, Range(0, 100_000)]),
    ("PartnerForm", "name", &[Required, MinChars(3)]),
    ("PartnerForm", "partner_type", &[Required, OneOf(codes!(PartnerType))]),
    ("PartnerForm", "services", &[EachOf(codes!(Service))]),
    ("PartnerForm", "email", &[Pattern(r"^.*@.*$")]),
    ("PartnerForm", "website", &[Pattern(r"^https://.*$")]),
    ("CreatePerson", "birth_date", &[Required]),
    ("CreatePerson", "nik", &[Required]),
    ("CreatePerson", "full_name", &[Required, MinChars(2)]),
    ("CreatePerson", "sex", &[Required, OneOf(sexes)]),
    ("CreatePerson", "village_code", &[Required]),
    ("CreatePerson", "phone", &[Pattern(r"^[0-9 +-]{6,20}$")]),
    ("CreatePerson", "category", &[OneOf(codes!(domain::PersonCategory))]),
    ("CorrectionInput", "fields", &[Required, MinChars(2)]),
    ("CorrectionInput", "description", &[Required, MinChars(5)]),
    ("ConsentInput", "purpose", &[Required, OneOf(codes!(domain::exchange::Purpose))]),
    ("ConsentInput", "given_on", &[Required]),
    ("CreateProgram", "code", &[Required, Pattern(r"^[A-Za-z0-9-]{1,40}$")]),
    ("CreateProgram", "name", &[Required, MinChars(1)]),
    ("CreateProgram", "institution", &[Required, MinChars(1)]),
    ("RemittanceRequest", "person_id", &[Required]),
    ("RemittanceRequest", "month", &[Required]),
    ("RemittanceRequest", "amount", &[Required, Range(1, MAX_RUPIAH)]),
    ("RemittanceRequest", "uses", &[RupiahByCode(codes!(domain::enterprise::RemittanceUse))]),
    ("RemittanceRequest", "channel", &[Required, OneOf(codes!(domain::enterprise::RemittanceChannel))]),
    ("TargetBody", "year", &[Required, Range(2000, 2100)]),
    ("TargetBody", "target", &[Range(0, 100_000)]),
    ("TargetBody", "historical_actual", &[Range(0, 100_000)]),
    ("TargetBody", "indicator", &[OneOf(|| texts(&["desmigratif_villages"]))]),
    ("TargetBody", "region_code", &[Pattern(r"^([0-9]{2}(\.[0-9]{2})?)?$")]),
    ("TrainingRequest", "village_code", &[Required]),
    ("TrainingRequest", "topic", &[Required, OneOf(codes!(domain::enterprise::TrainingTopic))]),
    ("TrainingRequest", "title", &[Required, MinChars(3), MaxChars(200)]),
    ("TrainingRequest", "organiser", &[Required, OneOf(codes!(domain::enterprise::Organiser))]),
    ("TrainingRequest", "starts_on", &[Required]),
    ("CreateUser", "username", &[Required, Pattern(r"^[a-z0-9._-]+$"), MinChars(3)]),
    ("CreateUser", "password", &[Required, MinChars(10)]),
    ("CreateUser", "full_name", &[Required, MinChars(1)]),
    ("CreateUser", "role", &[Required, OneOf(codes!(domain::Role))]),
    ("UpdateUser", "role", &[OneOf(codes!(domain::Role))]),
    ("UpdateUser", "password", &[MinChars(10)]),
];

/// Per path: query or path parameter → shapes.
const PARAMS: &[(&str, &str, &[Shape])] = &[
    ("/api/v1/businesses", "status", &[OneOf(codes!(domain::enterprise::BusinessStatus))]),
    ("/api/v1/cases", "status", &[OneOf(codes!(CaseStatus))]),
    ("/api/v1/cases", "type", &[OneOf(codes!(CaseType))]),
    ("/api/v1/job-orders", "selectable", &[OneOf(|| texts(&["true", "false", "1", "0"]))]),
    ("/api/v1/exchange/persons/export", "format", &[OneOf(|| texts(&["csv", "ndjson"])), NotEmpty]),
    ("/api/v1/persons/{id}/subject-access", "format", &[OneOf(|| texts(&["json", "pdf"])), NotEmpty]),
    ("/api/v1/persons", "category", &[OneOf(codes!(domain::PersonCategory))]),
    ("/api/v1/persons", "episode_state", &[OneOf(codes!(domain::service_center::episode::EpisodeState))]),
    ("/api/v1/children", "school_status", &[OneOf(codes!(domain::parenting::SchoolStatus))]),
    ("/api/v1/regions/search", "q", &[Required, MinChars(1)]),
    ("/api/v1/persons", "destination", &[Pattern(COUNTRY)]),
    ("/api/v1/users", "role", &[OneOf(codes!(domain::Role))]),
    (
        "/api/v1/episodes/{id}/documents/{kind}",
        "kind",
        &[OneOf(codes!(domain::service_center::requirements::DocumentKind))],
    ),
    ("/api/v1/indicators", "from", &[Pattern(MONTH)]),
    ("/api/v1/indicators", "to", &[Pattern(MONTH)]),
    ("/api/v1/open/indicators", "from", &[Pattern(MONTH)]),
    ("/api/v1/open/indicators", "to", &[Pattern(MONTH)]),
    ("/api/v1/dhis2/data-value-sets", "period", &[Pattern(MONTH)]),
    ("/api/v1/dhis2/data-value-sets", "after", &[Pattern(REGION)]),
    ("/api/v1/dhis2/data-value-sets", "level", &[OneOf(|| texts(&["province", "regency", "district", "village"]))]),
    ("/api/v1/dhis2/data-value-sets", "id_scheme", &[OneOf(|| texts(&["code", "uid"]))]),
    ("/api/v1/dhis2/data-value-sets", "format", &[OneOf(|| texts(&["json", "adx"]))]),
    ("/api/v1/job-orders", "agency_id", &[Pattern(r"^[0-9]{1,18}$")]),
    ("/api/v1/regions/search", "level", &[OneOf(|| texts(&["province", "regency", "district", "village"]))]),
    // Targets are listed whole; the shared period parameters are not read.
    ("/api/v1/targets", "from", &[Unread]),
    ("/api/v1/targets", "to", &[Unread]),
];

/// Paths whose `from`/`to` query parameters are dates (the rest say otherwise above).
fn from_to_are_dates(path: &str) -> bool {
    !PARAMS.iter().any(|(p, n, _)| *p == path && (*n == "from" || *n == "to"))
}

/// Whole rupiah declared as the most one amount may be (a trillion; fields may allow less).
const MAX_RUPIAH: i64 = 1_000_000_000_000;
/// An ISO 3166 alpha-2 country code.
const COUNTRY: &str = r"^[A-Za-z]{2}$";
/// A job type code (`domain::service_center::JobType`).
const JOB_TYPE: &str = r"^[A-Za-z][A-Za-z0-9_ -]{1,39}$";

fn texts(codes: &[&str]) -> Vec<String> {
    codes.iter().map(|c| c.to_string()).collect()
}

fn sexes() -> Vec<String> {
    texts(&["L", "P", "M", "F"])
}

fn other_accounts() -> Vec<String> {
    texts(&["other_income", "operating_expense", "staff_expense", "savings_interest_expense"])
}

/// An API client's scopes: `resource:read` or `resource:write`.
fn scopes() -> Vec<String> {
    domain::exchange::Resource::ALL
        .iter()
        .flat_map(|r| [format!("{}:read", r.as_str()), format!("{}:write", r.as_str())])
        .collect()
}

/// Applies the shapes to one schema.
fn apply(schema: &mut RefOr<Schema>, shapes: &[Shape]) {
    if let Some(WholeNumber(min, max)) = shapes.iter().find(|s| matches!(s, WholeNumber(..))) {
        *schema = RefOr::T(whole_number(*min, *max));
        return;
    }
    if shapes.iter().any(|s| matches!(s, Percent)) {
        *schema = RefOr::T(percent());
        return;
    }
    let RefOr::T(schema) = schema else { return };
    match schema {
        Schema::Object(o) => apply_object(o, shapes),
        Schema::Array(a) => {
            let utoipa::openapi::schema::ArrayItems::RefOrSchema(item) = &mut a.items else { return };
            let RefOr::T(Schema::Object(item)) = item.as_mut() else { return };
            for s in shapes {
                match s {
                    MinItems(n) => a.min_items = Some(*n),
                    EachOf(codes) => item.enum_values = Some(codes().into_iter().map(Into::into).collect()),
                    PositiveId => item.minimum = Some(utoipa::Number::Int(1)),
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

fn whole_number(min: i64, max: i64) -> Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder};
    let digits = max.to_string().len();
    let first = if min == 0 { "0|[1-9]" } else { "[1-9]" };
    OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(min)).maximum(Some(max)))
        // Text of at most as many digits as `max` (the server refuses a larger one by range).
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(format!("^({first}[0-9]{{0,{}}})$", digits - 1))),
        )
        .description(Some("a whole number, as a JSON number or as text"))
        .build()
        .into()
}

fn percent() -> Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder};
    OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::Number).minimum(Some(0)).maximum(Some(100)))
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(r"^(100(\.0{1,2})?|[0-9]{1,2}(\.[0-9]{1,2})?)$")),
        )
        .description(Some("a percentage from 0 to 100, as a number or as text"))
        .build()
        .into()
}

fn has_type(o: &Object, t: Type) -> bool {
    match &o.schema_type {
        SchemaType::Type(x) => *x == t,
        SchemaType::Array(xs) => xs.contains(&t),
        SchemaType::AnyValue => false,
    }
}

fn apply_object(o: &mut Object, shapes: &[Shape]) {
    for s in shapes {
        match s {
            Pattern(p) => o.pattern = Some((*p).to_string()),
            Date => o.format = Some(SchemaFormat::KnownFormat(KnownFormat::Date)),
            DateTime => o.format = Some(SchemaFormat::KnownFormat(KnownFormat::DateTime)),
            OneOf(codes) => {
                // A flag read from text ("true"/"false") is text to the server.
                if has_type(o, Type::Boolean) {
                    o.schema_type = SchemaType::Type(Type::String);
                }
                o.enum_values = Some(codes().into_iter().map(Into::into).collect());
            }
            RupiahByCode(codes) => {
                use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder};
                let keys = ObjectBuilder::new().schema_type(Type::String).enum_values(Some(codes())).build();
                o.property_names = Some(Box::new(Schema::Object(keys)));
                let amount = ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(0))
                    .maximum(Some(1_000_000_000_000_i64))
                    .build();
                o.additional_properties = Some(Box::new(AdditionalProperties::RefOr(RefOr::T(Schema::Object(amount)))));
            }
            MinChars(n) => {
                o.min_length = Some(*n);
                if o.pattern.is_none() {
                    o.pattern = Some(NOT_BLANK.to_string());
                }
            }
            Range(lo, hi) => {
                o.minimum = Some(utoipa::Number::Int(*lo as isize));
                o.maximum = Some(utoipa::Number::Int(*hi as isize));
            }
            PositiveId => {
                if has_type(o, Type::Integer) {
                    o.minimum = Some(utoipa::Number::Int(1));
                }
            }
            MaxChars(n) => o.max_length = Some(*n),
            // Required means present and not null (the server reads null as absent).
            Required => {
                if let SchemaType::Array(types) = &o.schema_type {
                    let kept: Vec<Type> = types.iter().filter(|t| **t != Type::Null).cloned().collect();
                    if kept.len() == 1 {
                        o.schema_type = SchemaType::Type(kept[0].clone());
                    }
                }
            }
            MinItems(_) | EachOf(_) | NotEmpty | WholeNumber(..) | Percent | Unread => {}
        }
    }
}

/// An optional field sent empty (`?village=` as a form sends it, `"ends_on": ""` from a
/// client that always sends every field) means "not given": the server takes it, so the
/// document says so.
fn allow_empty(schema: &mut RefOr<Schema>) {
    let RefOr::T(Schema::Object(o)) = schema else { return };
    if !has_type(o, Type::String) {
        return;
    }
    if o.format.is_some() {
        // A date (or time) or nothing: `anyOf` keeps the format for generated clients.
        let empty = utoipa::openapi::schema::ObjectBuilder::new().schema_type(Type::String).max_length(Some(0)).build();
        let dated = std::mem::take(o);
        *schema = RefOr::T(Schema::AnyOf(
            utoipa::openapi::schema::AnyOfBuilder::new()
                .item(Schema::Object(dated))
                .item(Schema::Object(empty))
                .build(),
        ));
        return;
    }
    if let Some(p) = o.pattern.as_mut()
        && let Some(inner) = p.strip_prefix('^').and_then(|p| p.strip_suffix('$'))
    {
        *p = format!("^({inner})?$");
    }
    if let Some(values) = o.enum_values.as_mut() {
        values.push("".into());
    }
}

fn is_required(shapes: &[Shape]) -> bool {
    shapes.iter().any(|s| matches!(s, Required))
}

/// Whether an empty value is "not given" (optional and not marked `NotEmpty`).
fn may_be_empty(shapes: &[Shape]) -> bool {
    !shapes.iter().any(|s| matches!(s, Required | NotEmpty))
}

/// Fields the conventions by name do not describe: the NIK check takes any text and says
/// what is wrong with it (200 with `valid: false`).
const FREE: &[(&str, &str)] = &[("NikCheckRequest", "nik")];

/// The request schemas: those a request body references.
fn request_schemas(openapi: &utoipa::openapi::OpenApi) -> Vec<String> {
    let mut out = Vec::new();
    for item in openapi.paths.paths.values() {
        for (_, op) in super::contract::operations(item) {
            let Some(RefOr::T(body)) = &op.request_body else { continue };
            for content in body.content.values() {
                if let RefOr::T(content) = content
                    && let Some(RefOr::Ref(r)) = &content.schema
                    && let Some(name) = r.ref_location.rsplit('/').next()
                {
                    out.push(name.to_string());
                }
            }
        }
    }
    // Schemas nested in a request body (a job order's cost rows) are named in the table.
    out.extend(BODIES.iter().map(|(s, ..)| s.to_string()));
    out.sort();
    out.dedup();
    out
}

/// The attachment upload is a multipart form with one required part, `file`.
fn describe_upload(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::ObjectBuilder;
    let Some(item) = openapi.paths.paths.get_mut("/api/v1/cases/{id}/attachments") else { return };
    let Some(RefOr::T(body)) = item.post.as_mut().and_then(|op| op.request_body.as_mut()) else { return };
    let Some(RefOr::T(content)) = body.content.get_mut("multipart/form-data") else { return };
    let file = ObjectBuilder::new()
        .schema_type(Type::String)
        .content_media_type("application/octet-stream")
        .description(Some("the file (PDF, JPEG or PNG), not empty"))
        .min_length(Some(1))
        .build();
    let form = ObjectBuilder::new()
        .property("file", file)
        .required("file")
        .additional_properties(Some(utoipa::openapi::schema::AdditionalProperties::FreeForm(false)))
        .build();
    content.schema = Some(RefOr::T(Schema::Object(form)));
    body.required = Some(Required::True);
}

pub struct FieldContract;

impl utoipa::Modify for FieldContract {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let requests = request_schemas(openapi);
        if let Some(components) = openapi.components.as_mut() {
            for name in &requests {
                let Some(RefOr::T(Schema::Object(obj))) = components.schemas.get_mut(name) else { continue };
                let fields: Vec<String> = obj.properties.keys().cloned().collect();
                for field in fields {
                    let free = FREE.iter().any(|(s, f)| s == name && *f == field);
                    let mut shapes = if free { vec![] } else { by_name(&field) };
                    for (s, f, extra) in BODIES {
                        if s == name && *f == field {
                            shapes.extend_from_slice(extra);
                        }
                    }
                    let required = is_required(&shapes);
                    if required && !obj.required.contains(&field) {
                        obj.required.push(field.clone());
                    }
                    if let Some(p) = obj.properties.get_mut(&field) {
                        apply(p, &shapes);
                        if may_be_empty(&shapes) {
                            allow_empty(p);
                        }
                    }
                }
            }
        }
        for (path, item) in openapi.paths.paths.iter_mut() {
            for (_, op) in super::contract::operations_mut(item) {
                for param in op.parameters.iter_mut().flatten() {
                    let RefOr::T(param) = param else { continue };
                    let in_query = param.parameter_in == utoipa::openapi::path::ParameterIn::Query;
                    let in_path = param.parameter_in == utoipa::openapi::path::ParameterIn::Path;
                    if !in_query && !in_path {
                        continue;
                    }
                    let mut shapes = match param.name.as_str() {
                        "from" | "to" if from_to_are_dates(path) => vec![Date],
                        // Query filters read ids and NIK leniently (0 or a partial NIK finds nothing).
                        n if n.ends_with("_id") || n == "nik" => vec![],
                        n => by_name(n),
                    };
                    for (p, n, extra) in PARAMS {
                        if p == path && *n == param.name {
                            shapes.extend_from_slice(extra);
                        }
                    }
                    if shapes.iter().any(|s| matches!(s, Unread)) {
                        continue;
                    }
                    if is_required(&shapes) {
                        param.required = Required::True;
                    }
                    if let Some(schema) = param.schema.as_mut() {
                        apply(schema, &shapes);
                        if in_query && may_be_empty(&shapes) {
                            allow_empty(schema);
                        }
                    }
                }
            }
        }
        describe_upload(openapi);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table entry whose field the document no longer has would silently drop its rule.
    #[test]
    fn every_entry_names_a_field_of_the_document() {
        let doc = super::super::openapi();
        let schemas = &doc.components.as_ref().expect("components").schemas;
        for (schema, field, _) in BODIES {
            let Some(RefOr::T(Schema::Object(o))) = schemas.get(*schema) else {
                panic!("BODIES names schema {schema}, which the document does not have")
            };
            assert!(o.properties.contains_key(*field), "{schema} has no field {field}");
        }
        for (path, name, _) in PARAMS {
            let item = doc.paths.paths.get(*path).unwrap_or_else(|| panic!("no path {path}"));
            let found = super::super::contract::operations(item)
                .any(|(_, op)| op.parameters.iter().flatten().any(|p| matches!(p, RefOr::T(p) if p.name == *name)));
            assert!(found, "{path} has no parameter {name}");
        }
    }

    #[test]
    fn code_lists_come_from_the_domain() {
        let shapes = BODIES.iter().find(|(s, f, _)| *s == "CaseInput" && *f == "type").expect("entry").2;
        let Some(OneOf(codes)) = shapes.iter().find(|s| matches!(s, OneOf(_))) else { panic!("no code list") };
        assert_eq!(codes().len(), CaseType::ALL.len());
        assert!(codes().iter().any(|c| c == "trafficking_suspicion"));
    }

    /// The patterns say what `RegionCode` parses, no more and no less.
    #[test]
    fn the_region_patterns_agree_with_the_parser() {
        let re = |p: &str, s: &str| regex::Regex::new(p).expect("pattern").is_match(s);
        let samples = [
            "53",
            "53.07",
            "53.07.01",
            "53.07.01.2001",
            "11.01.01.1001",
            "01",
            "5",
            "00",
            "00.07",
            "53.7",
            "53.07.01.201",
            "53.07.01.2001.1",
            "x53",
            "53-07",
            "53..01",
            "",
            "5a",
            "53.07.0a",
        ];
        for s in samples {
            let parsed = s.parse::<domain::RegionCode>();
            assert_eq!(re(REGION, s), parsed.is_ok(), "{s}");
            let village = parsed.as_ref().is_ok_and(|c| c.level() == domain::RegionLevel::Village);
            assert_eq!(re(VILLAGE, s), village, "{s}");
            let above = parsed.as_ref().is_ok_and(|c| c.level() != domain::RegionLevel::Village);
            assert_eq!(re(ABOVE_VILLAGE, s), above, "{s}");
        }
        assert!(re(MONTH, "2026-12") && !re(MONTH, "2026-13") && !re(MONTH, "2026-12-01"));
    }
}
