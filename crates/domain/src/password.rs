//! Password hashing (argon2id, PHC string) and the password policy.

use crate::validation::{Rule, ValidationErrors};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 200;

/// Hashes with argon2id and the crate's default (OWASP-recommended) parameters.
pub fn hash(password: &str) -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let salt = SaltString::encode_b64(&bytes).expect("16 bytes is a valid salt length");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters cannot fail on a generated salt")
        .to_string()
}

/// Constant-time verification against a stored PHC string; a malformed hash never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A hash to verify against when the username is unknown, so timing does not reveal it.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash("not-a-real-password-0"))
}

pub fn check_policy(errs: &mut ValidationErrors, field: &str, password: &str) {
    let n = password.chars().count();
    if n == 0 {
        errs.add(field, Rule::Required, "must not be empty");
    } else if n < MIN_LEN {
        errs.add(field, Rule::TooShort, format!("at least {MIN_LEN} characters"));
    } else if n > MAX_LEN {
        errs.add(field, Rule::TooLong, format!("at most {MAX_LEN} characters"));
    }
}

/// A random password for a new admin or a reset: 16 characters from an unambiguous alphabet.
pub fn generate() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..16).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_verifies_only_the_same_password() {
        let h = hash("correct horse battery");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &h));
        assert!(!verify("correct horse batterx", &h));
        assert!(!verify("correct horse battery", "garbage"));
    }

    #[test]
    fn policy_names_the_rule() {
        let mut e = ValidationErrors::new();
        check_policy(&mut e, "password", "short");
        assert_eq!(e.0[0].rule, Rule::TooShort);
        let mut e = ValidationErrors::new();
        check_policy(&mut e, "password", "long enough pass");
        assert!(e.is_empty());
    }

    #[test]
    fn generated_passwords_pass_policy_and_differ() {
        let a = generate();
        let mut e = ValidationErrors::new();
        check_policy(&mut e, "p", &a);
        assert!(e.is_empty());
        assert_ne!(a, generate());
    }
}
