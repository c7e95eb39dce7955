"""Schemathesis hooks for scripts/api-fuzz.sh.

`declared_rules_only` replaces schemathesis's `positive_data_acceptance` (excluded in the
script): a request the OpenAPI document calls valid must be taken, EXCEPT when the server
refuses it for a rule no JSON Schema can state, because it depends on stored data, on today or
on two fields together. Every such refusal is a 422 whose errors all carry one of the rules
below; any other refusal of schema-valid data (an enum, a pattern, a length, a required field
the document does not declare) fails the run, as before. docs/API_CONTRACT.md lists the rules.
"""
import json
import re

import schemathesis

# Rules that depend on stored data or on the order of events, never on the request's shape.
STATE_RULES = {
    "taken",          # a NIK, licence number, name or code already registered
    "mismatch",       # a step that does not follow, a member who already left, not a participant, two fields that exclude each other
    "unknown_region", # an id that names no record in the caller's region
    "scope_level",    # a region outside the caller's scope or at a level the operation does not take
    "unconfirmed_warning",  # a NIK that disagrees with the declared sex or birth date: confirm_warnings
}
# Whole-number fields bounded by today or by stored data: a year up to next year, members
# present at most the members on the roll.
BOUNDED_BY_STATE = {"year", "cohort_year", "members_present", "entry_id", "months", "monthly_rate_percent"}
DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?")

# Fields required only together with another field's value (if/then the document does not state).
CONDITIONAL = {
    ("cohort_year", "required"),  # a Desmigratif village has a cohort year
    ("person_id", "required"),    # a person or a business (equipment, mentoring)
    ("child_id", "required"),     # a child or a caregiver (parenting attendance)
    ("village_code", "format"),   # a case names its village, or the person whose village it is
    ("target", "required"),       # a target, a historical total, or both
    ("village_head_acknowledged", "required"),  # family permission needs the village head's acknowledgement
    ("shu", "out_of_range"),      # the SHU shares add up to 100 %
    ("to", "out_of_range"),       # open statistics: a month, a quarter or a year, from with to
    ("principal", "out_of_range"),  # at least one rupiah per month of the term
    ("started_on", "required"),   # a business that is not planned has started
    ("services", "required"),     # a partner of type other lists its services
    ("file", "format"),           # the content must be a PDF, JPEG or PNG (read from its bytes)
    ("bylaws.shu", "out_of_range"),
    ("from", "out_of_range"),     # open statistics: from with to
    ("full_name", "required"),    # a cooperative member is a registered person, or a NIK with a name
    ("nik", "out_of_range"),      # the birth date a NIK encodes must exist
    ("nik", "format"),            # beyond 16 digits: a serial other than 0000, a known province
    ("form_detail", "required"),  # a trafficking form of "other" is described
    ("held_on", "out_of_range"),  # an annual meeting is held after the year it closes
}


def _value(case, field):
    for source in (case.body, case.query, case.path_parameters):
        if isinstance(source, dict) and field in source:
            return source[field]
    return None


def _state_dependent(case, error):
    rule, field = error.get("rule"), error.get("field", "")
    if rule in STATE_RULES or (field, rule) in CONDITIONAL:
        return True
    value = _value(case, field)
    if rule == "out_of_range" and field in BOUNDED_BY_STATE:
        return True
    # JSON Schema counts 830.0 as an integer; serde reads ids as whole numbers only. Clients
    # send 830; the refusal names the field and the type, so it is left as it is.
    if rule == "format" and ("invalid type: floating point" in str(error.get("detail", ""))
                             or isinstance(value, float) and value.is_integer()):
        return True
    # A date or month the schema accepts may still be too far back, in the future, or out of
    # order with another date: bounds relative to today or to another field.
    if rule == "out_of_range" and isinstance(value, str) and DATE.match(value):
        return True
    # An id (a whole number) that names no record the caller may use.
    if isinstance(value, str) and value.isdigit():
        value = int(value)  # an id sent as text
    if rule in ("one_of", "required") and (isinstance(value, int) and not isinstance(value, bool) or (
            isinstance(value, list) and value and all(isinstance(v, int) for v in value))):
        return True
    return False


@schemathesis.check
def declared_rules_only(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    status = response.status_code
    if status < 400 or status in (401, 403, 404, 409, 429) or status >= 500:
        return None  # 5xx are `not_a_server_error`'s business
    if status == 422:
        try:
            errors = json.loads(response.content).get("errors", [])
        except (ValueError, AttributeError):
            errors = []
        undeclared = [e for e in errors if not _state_dependent(case, e)]
        if errors and not undeclared:
            return None
        raise AssertionError(
            "Schema-valid request refused for a rule the document does not declare: "
            + "; ".join(f"{e.get('field')}: {e.get('rule')} ({e.get('detail')})" for e in (undeclared or errors))
        )
    # An exchange cursor is opaque and signed: only one the server handed out is valid.
    if status == 400 and isinstance(case.query, dict) and case.query.get("cursor") and b"cursor" in response.content:
        return None
    raise AssertionError(f"Schema-valid request refused with {status}")
