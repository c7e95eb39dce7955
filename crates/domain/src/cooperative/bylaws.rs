//! The by-laws settings (anggaran dasar / anggaran rumah tangga) a cooperative keeps per year:
//! savings amounts, loan limits and the SHU percentages. A posting uses the settings of its
//! year, or of the latest earlier year that has settings.

use super::loan::LoanRules;
use super::schedule::MonthlyRate;
use super::shu::{ShuFund, ShuSplit};
use crate::service_center::Rupiah;
use crate::validation::{Rule, ValidationErrors};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bylaws {
    /// Simpanan pokok, paid once on joining, equal for all.
    pub pokok: Rupiah,
    /// Simpanan wajib per month.
    pub wajib_monthly: Rupiah,
    pub loans: LoanRules,
    pub shu: ShuSplit,
}

impl Default for Bylaws {
    /// Rp 100,000 pokok, Rp 20,000 wajib a month, loans up to Rp 10 million over at most 24
    /// months at 0–3 % a month, and the common SHU split.
    fn default() -> Self {
        Bylaws {
            pokok: Rupiah::new(100_000).unwrap_or_default(),
            wajib_monthly: Rupiah::new(20_000).unwrap_or_default(),
            loans: LoanRules {
                max_principal: Rupiah::new(10_000_000).unwrap_or_default(),
                max_months: 24,
                min_rate_ppm: 0,
                max_rate_ppm: 30_000,
            },
            shu: ShuSplit::default(),
        }
    }
}

/// The settings as a form or JSON body gives them (numbers as text).
#[derive(Debug, Clone, Default)]
pub struct BylawsInput<'a> {
    pub pokok: &'a str,
    pub wajib_monthly: &'a str,
    pub max_principal: &'a str,
    pub max_months: &'a str,
    pub min_rate_percent: &'a str,
    pub max_rate_percent: &'a str,
    /// Percentages per fund as typed ("40", "2.5"); a missing fund is 0 %. Field names are
    /// `shu_<fund code>`.
    pub shu: Vec<(ShuFund, &'a str)>,
}

/// Whole rupiah, at least `min`.
pub fn parse_rupiah(errs: &mut ValidationErrors, field: &str, s: &str, min: i64) -> Option<Rupiah> {
    crate::service_center::money::parse_field(errs, field, s, min, super::schedule::MAX_PRINCIPAL)
}

/// A percentage with at most two decimals ("40", "12,5", "12.5") in basis points; `None` (with an
/// error) otherwise or above 100.
pub fn parse_percent_bp(errs: &mut ValidationErrors, field: &str, s: &str) -> Option<u32> {
    let s = s.trim();
    if s.is_empty() {
        return Some(0);
    }
    // The one decimal reader: "12,5" and "12.5" alike, at most two decimals.
    let Some(bp) = crate::service_center::money::parse_scaled(s, 2).and_then(|bp| u32::try_from(bp).ok()) else {
        errs.add(field, Rule::Format, "a percentage such as 40 or 12,5");
        return None;
    };
    if bp > 10_000 {
        errs.add(field, Rule::OutOfRange, "from 0 to 100");
        return None;
    }
    Some(bp)
}

pub fn validate_bylaws(input: &BylawsInput<'_>) -> Result<Bylaws, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let pokok = parse_rupiah(&mut errs, "pokok", input.pokok, 0);
    let wajib = parse_rupiah(&mut errs, "wajib_monthly", input.wajib_monthly, 0);
    let max_principal = parse_rupiah(&mut errs, "max_principal", input.max_principal, 1);
    let max_months = match input.max_months.trim().parse::<u16>() {
        Ok(n) if (1..=super::schedule::MAX_MONTHS).contains(&n) => Some(n),
        _ => {
            errs.add("max_months", Rule::OutOfRange, format!("from 1 to {}", super::schedule::MAX_MONTHS));
            None
        }
    };
    let mut rate = |field: &str, s: &str| {
        let r = MonthlyRate::parse_percent(s);
        if r.is_none() {
            errs.add(field, Rule::Format, "a percentage a month from 0 to 10, at most four decimals");
        }
        r
    };
    let min_rate = rate("min_rate_percent", input.min_rate_percent);
    let max_rate = rate("max_rate_percent", input.max_rate_percent);
    if let (Some(a), Some(b)) = (min_rate, max_rate)
        && a > b
    {
        errs.add("max_rate_percent", Rule::OutOfRange, "at least the minimum rate");
    }
    let mut parts = Vec::new();
    for (fund, text) in &input.shu {
        if let Some(bp) = parse_percent_bp(&mut errs, &format!("shu_{fund}"), text) {
            parts.push((*fund, bp));
        }
    }
    let shu = match ShuSplit::new(&parts) {
        Ok(s) => Some(s),
        Err(e) => {
            if errs.is_empty() {
                errs.add("shu", Rule::OutOfRange, e.to_string());
            }
            None
        }
    };
    match (pokok, wajib, max_principal, max_months, min_rate, max_rate, shu) {
        (Some(pokok), Some(wajib_monthly), Some(max_principal), Some(max_months), Some(lo), Some(hi), Some(shu))
            if errs.is_empty() =>
        {
            Ok(Bylaws {
                pokok,
                wajib_monthly,
                loans: LoanRules { max_principal, max_months, min_rate_ppm: lo.ppm(), max_rate_ppm: hi.ppm() },
                shu,
            })
        }
        _ => Err(errs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(shu: Vec<(ShuFund, &'a str)>) -> BylawsInput<'a> {
        BylawsInput {
            pokok: "100000",
            wajib_monthly: "20000",
            max_principal: "5000000",
            max_months: "12",
            min_rate_percent: "1",
            max_rate_percent: "2.5",
            shu,
        }
    }

    #[test]
    fn valid_settings() {
        let b = validate_bylaws(&input(vec![(ShuFund::Reserve, "40"), (ShuFund::MembersBySavings, "60")]));
        let b = b.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(b.loans.max_rate_ppm, 25_000);
        assert_eq!(b.shu.parts(), &[(ShuFund::Reserve, 4_000), (ShuFund::MembersBySavings, 6_000)]);
    }

    #[test]
    fn errors_name_the_field() {
        let e = validate_bylaws(&input(vec![(ShuFund::Reserve, "40"), (ShuFund::Board, "50")])).err();
        assert_eq!(e.and_then(|e| e.0.first().map(|f| f.field.clone())).as_deref(), Some("shu"));
        let mut bad = input(vec![(ShuFund::Reserve, "100")]);
        bad.min_rate_percent = "3";
        bad.pokok = "-1";
        let e = validate_bylaws(&bad).err().unwrap_or_default();
        assert!(e.for_field("pokok").is_some() && e.for_field("max_rate_percent").is_some(), "{e}");
        let e = validate_bylaws(&input(vec![(ShuFund::Reserve, "abc")])).err().unwrap_or_default();
        assert!(e.for_field("shu_reserve").is_some(), "{e}");
    }
}
