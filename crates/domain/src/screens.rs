//! Survivor-safe screens (issue 17): what a shared or watched screen shows of a person.
//!
//! - [`mask_nik`], [`mask_phone`]: identity numbers and phones are shown masked on the person's
//!   page until the viewer asks to see one ([`RevealField`]), which is audited.
//! - [`SummaryShares`]: what a printed case summary may carry, from the person's recorded
//!   data-sharing consents; everything else is left out and the printout says so.
//!
//! docs/SURVIVOR_SAFETY.md describes the whole feature.

use crate::person::DataScope;

/// The mask character: visibly a placeholder, never mistaken for a digit.
const DOT: char = '•';

/// Keeps the first `head` and last `tail` characters, the rest as `middle` dots (a fixed number,
/// so the mask does not tell the length either). A value too short to keep both ends is
/// masked whole but for its last two characters.
fn mask(value: &str, head: usize, tail: usize, middle: usize) -> String {
    let chars: Vec<char> = value.trim().chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    if chars.len() <= head + tail + 1 {
        let keep = chars.len().min(2);
        let dots = (chars.len() - keep).max(1);
        return std::iter::repeat_n(DOT, dots).chain(chars[chars.len() - keep..].iter().copied()).collect();
    }
    chars[..head]
        .iter()
        .copied()
        .chain(std::iter::repeat_n(DOT, middle))
        .chain(chars[chars.len() - tail..].iter().copied())
        .collect()
}

/// A NIK (or KK number) as a screen shows it before "tampilkan": `3201••••••••0001` — the
/// province and regency (first four digits) and the last four, which officers use to tell
/// two records apart, and nothing of the birth date in between.
pub fn mask_nik(nik: &str) -> String {
    mask(nik, 4, 4, 8)
}

/// A phone number as a screen shows it before "tampilkan": `0812••••789`.
pub fn mask_phone(phone: &str) -> String {
    mask(phone, 4, 3, 4)
}

code_enum! {
    /// A masked field a viewer may ask to see; each reveal is its own audit action.
    pub enum RevealField {
        Nik = "nik",
        Kk = "kk",
        Phone = "phone",
    }
}

impl RevealField {
    /// The audit action of the reveal (`person.reveal_nik`, …).
    pub fn audit_action(self) -> &'static str {
        match self {
            RevealField::Nik => "person.reveal_nik",
            RevealField::Kk => "person.reveal_kk",
            RevealField::Phone => "person.reveal_phone",
        }
    }

    /// The field group whose visibility the role must have to reveal it at all.
    pub fn group(self) -> crate::privacy::FieldGroup {
        match self {
            RevealField::Nik | RevealField::Kk => crate::privacy::FieldGroup::IdentityNumbers,
            RevealField::Phone => crate::privacy::FieldGroup::Contact,
        }
    }
}

/// What a printed case summary may carry about the person, decided by the consents the
/// survivor gave. The latest consent of a scope decides, so a later refusal withdraws an
/// earlier agreement; no consent means not shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SummaryShares {
    /// Name, NIK, sex and birth, and the case narrative and notes (which tell who the
    /// survivor is as surely as a name): consent of scope `case` or `all`.
    pub identity: bool,
    /// Phone, address, contact abroad: consent of scope `contact` or `all`.
    pub contact: bool,
}

impl SummaryShares {
    /// `consents`: (scope, granted), oldest first.
    pub fn from_consents(consents: &[(DataScope, bool)]) -> SummaryShares {
        let latest = |scopes: &[DataScope]| {
            consents.iter().rev().find(|(s, _)| scopes.contains(s)).is_some_and(|(_, granted)| *granted)
        };
        SummaryShares {
            identity: latest(&[DataScope::Case, DataScope::All]),
            contact: latest(&[DataScope::Contact, DataScope::All]),
        }
    }

    /// Is anything about the person left out of the printout?
    pub fn leaves_out_anything(self) -> bool {
        !(self.identity && self.contact)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nik_keeps_its_region_and_last_four_digits() {
        assert_eq!(mask_nik("3201014509900001"), "3201••••••••0001");
        assert_eq!(mask_nik(" 3201014509900001 "), "3201••••••••0001");
        assert_eq!(mask_nik(""), "");
        // A short (imported, wrong) value still shows no more than two characters.
        assert_eq!(mask_nik("12345"), "•••45");
    }

    #[test]
    fn a_phone_keeps_its_prefix_and_last_three_digits_whatever_its_length() {
        assert_eq!(mask_phone("08123456789"), "0812••••789");
        assert_eq!(mask_phone("081234567890123"), "0812••••123");
        assert_eq!(mask_phone("+6281234567"), "+628••••567");
        assert_eq!(mask_phone("110"), "•10");
        assert!(!mask_phone("081299998888").contains("9999"));
    }

    #[test]
    fn each_reveal_has_its_own_audit_action_and_field_group() {
        assert_eq!(RevealField::parse("NIK"), Some(RevealField::Nik));
        assert_eq!(RevealField::parse("address"), None);
        assert_eq!(RevealField::Nik.audit_action(), "person.reveal_nik");
        assert_eq!(RevealField::Phone.audit_action(), "person.reveal_phone");
        assert_eq!(RevealField::Kk.group(), crate::privacy::FieldGroup::IdentityNumbers);
        assert_eq!(RevealField::Phone.group(), crate::privacy::FieldGroup::Contact);
    }

    #[test]
    fn a_summary_shares_only_what_the_latest_consent_of_each_scope_allows() {
        use DataScope::*;
        assert_eq!(SummaryShares::from_consents(&[]), SummaryShares { identity: false, contact: false });
        assert!(SummaryShares::from_consents(&[]).leaves_out_anything());
        let all = SummaryShares::from_consents(&[(All, true)]);
        assert_eq!(all, SummaryShares { identity: true, contact: true });
        assert!(!all.leaves_out_anything());
        assert_eq!(SummaryShares::from_consents(&[(Contact, true)]), SummaryShares { identity: false, contact: true });
        // Health and finance consents say nothing about identity or contact.
        assert_eq!(SummaryShares::from_consents(&[(Health, true), (Finance, true)]), SummaryShares::default());
        // A later refusal withdraws the earlier agreement; a later agreement restores it.
        assert!(!SummaryShares::from_consents(&[(Case, true), (Case, false)]).identity);
        assert!(SummaryShares::from_consents(&[(Case, false), (All, true)]).identity);
        assert!(!SummaryShares::from_consents(&[(All, true), (Contact, false)]).contact);
    }
}
