//! Account rules: usernames, new-account validation.

use crate::access::{Scope, check_scope_for_role};
use crate::password;
use crate::region::RegionCode;
use crate::role::Role;
use crate::validation::{Rule, ValidationErrors, text};

/// A validated request to create an account (region existence is checked by the caller).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub password: String,
    pub full_name: String,
    pub role: Role,
    pub scope: Scope,
}

/// Raw input as it comes from a form or JSON.
#[derive(Debug, Clone, Default)]
pub struct NewUserInput<'a> {
    pub username: &'a str,
    pub password: &'a str,
    pub full_name: &'a str,
    pub role: &'a str,
    pub region_code: &'a str,
}

pub fn check_username(errs: &mut ValidationErrors, field: &str, raw: &str) -> String {
    let u = raw.trim().to_lowercase();
    if u.is_empty() {
        errs.add(field, Rule::Required, "must not be empty");
    } else if u.len() < 3 {
        errs.add(field, Rule::TooShort, "at least 3 characters");
    } else if u.len() > 40 {
        errs.add(field, Rule::TooLong, "at most 40 characters");
    } else if !u.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b)) {
        errs.add(field, Rule::Format, "letters a-z, digits, dot, dash and underscore only");
    }
    u
}

/// Parses a role name and a region code into a role and scope valid together.
pub fn parse_role_scope(errs: &mut ValidationErrors, role: &str, region_code: &str) -> Option<(Role, Scope)> {
    let role_parsed = Role::parse(role.trim());
    if role.trim().is_empty() {
        // New-account forms start with no role chosen, so no one gets national admin by default.
        errs.add("role", Rule::Required, "choose the account's role");
    } else if role_parsed.is_none() {
        let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        errs.add("role", Rule::OneOf, format!("one of: {}", names.join(", ")));
    }
    let code = region_code.trim();
    let scope = if code.is_empty() {
        Some(Scope::National)
    } else {
        match code.parse::<RegionCode>() {
            Ok(c) => Some(Scope::Region(c)),
            Err(e) => {
                errs.add("region_code", Rule::Format, e.to_string());
                None
            }
        }
    };
    let (role, scope) = (role_parsed?, scope?);
    if let Err(e) = check_scope_for_role(role, &scope) {
        errs.0.extend(e.0);
        return None;
    }
    Some((role, scope))
}

pub fn validate_new_user(input: &NewUserInput<'_>) -> Result<NewUser, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let username = check_username(&mut errs, "username", input.username);
    password::check_policy(&mut errs, "password", input.password);
    let full_name = text(&mut errs, "full_name", input.full_name, 1, 120);
    let rs = parse_role_scope(&mut errs, input.role, input.region_code);
    match rs {
        Some((role, scope)) if errs.is_empty() => {
            Ok(NewUser { username, password: input.password.to_string(), full_name, role, scope })
        }
        _ => Err(errs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(role: &'a str, region: &'a str) -> NewUserInput<'a> {
        NewUserInput {
            username: "Siti.Petugas",
            password: "a-good-password",
            full_name: "Siti",
            role,
            region_code: region,
        }
    }

    #[test]
    fn valid_village_officer() {
        let u = validate_new_user(&input("village_officer", "53.10.01.2001")).unwrap();
        assert_eq!(u.username, "siti.petugas");
        assert_eq!(u.role, Role::VillageOfficer);
    }

    #[test]
    fn errors_name_field_and_rule() {
        let e = validate_new_user(&NewUserInput {
            username: "a b",
            password: "x",
            full_name: "",
            role: "boss",
            region_code: "9",
        })
        .unwrap_err();
        let got: Vec<(&str, Rule)> = e.0.iter().map(|e| (e.field.as_str(), e.rule)).collect();
        assert!(got.contains(&("username", Rule::Format)));
        assert!(got.contains(&("password", Rule::TooShort)));
        assert!(got.contains(&("full_name", Rule::Required)));
        assert!(got.contains(&("role", Rule::OneOf)));
        assert!(got.contains(&("region_code", Rule::Format)));
    }

    #[test]
    fn scope_must_fit_role() {
        let e = validate_new_user(&input("regency_officer", "53.10.01.2001")).unwrap_err();
        assert_eq!(e.0[0].field, "region_code");
        assert_eq!(e.0[0].rule, Rule::ScopeLevel);
    }
}
