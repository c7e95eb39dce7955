//! Remittances: what a migrant sent home in a month, by which channel, and how the family used
//! it. The uses split the amount exactly, so the village's productive share adds up.

use super::codes::{RemittanceChannel, RemittanceUse};
use super::common::{Month, amount, past_month};
use crate::validation::{Rule, ValidationErrors};
use time::Date;

#[derive(Debug, Clone, Default)]
pub struct RemittanceInput<'a> {
    pub month: &'a str,
    pub amount: &'a str,
    pub channel: &'a str,
    /// (use code, amount) pairs; blank amounts are zero.
    pub uses: &'a [(&'a str, &'a str)],
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRemittance {
    pub month: Month,
    pub amount: i64,
    pub channel: RemittanceChannel,
    /// One amount per use, in [`RemittanceUse::ALL`] order; they sum to `amount`.
    pub uses: [i64; 7],
}

impl NewRemittance {
    pub fn productive(&self) -> i64 {
        RemittanceUse::ALL.iter().zip(self.uses).filter(|(u, _)| u.is_productive()).map(|(_, a)| a).sum()
    }
}

pub fn validate_remittance(input: &RemittanceInput<'_>, today: Date) -> Result<NewRemittance, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let month = past_month(&mut errs, "month", input.month, today);
    let total = amount(&mut errs, "amount", input.amount, 1, None);
    let channel = RemittanceChannel::parse(input.channel);
    if channel.is_none() {
        errs.add("channel", Rule::OneOf, format!("one of {}", RemittanceChannel::codes()));
    }
    let mut uses = [0i64; 7];
    let mut uses_ok = true;
    let mut seen = [false; 7];
    for (code, raw) in input.uses {
        let Some(u) = RemittanceUse::parse(code) else {
            errs.add("uses", Rule::OneOf, format!("each use one of {}", RemittanceUse::codes()));
            uses_ok = false;
            continue;
        };
        let i = RemittanceUse::ALL.iter().position(|x| *x == u).unwrap_or(0);
        if seen[i] {
            errs.add("uses", Rule::Mismatch, format!("{u} given twice"));
            uses_ok = false;
        }
        seen[i] = true;
        match amount(&mut errs, &format!("uses.{u}"), raw, 0, Some(0)) {
            Some(a) => uses[i] = a,
            None => uses_ok = false,
        }
    }
    if let (Some(t), true) = (total, uses_ok) {
        let sum: i64 = uses.iter().sum();
        if sum != t {
            errs.add("uses", Rule::Mismatch, format!("the uses add up to {sum}, not the amount {t}"));
        }
    }
    match (month, total, channel) {
        (Some(month), Some(amount), Some(channel)) if errs.is_empty() => {
            Ok(NewRemittance { month, amount, channel, uses })
        }
        _ => Err(errs),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 03 - 20);

    #[test]
    fn uses_split_the_amount_exactly() {
        let uses = [("daily_needs", "3.000.000"), ("education", "500000"), ("productive_investment", "1500000")];
        let r = validate_remittance(
            &RemittanceInput { month: "2026-02", amount: "5000000", channel: "bank", uses: &uses },
            TODAY,
        )
        .unwrap();
        assert_eq!(r.productive(), 1_500_000);
        assert_eq!(r.uses.iter().sum::<i64>(), 5_000_000);
        let e = validate_remittance(
            &RemittanceInput { month: "2026-02", amount: "6000000", channel: "bank", uses: &uses },
            TODAY,
        )
        .unwrap_err();
        assert_eq!((e.0[0].field.as_str(), e.0[0].rule), ("uses", Rule::Mismatch));
    }

    #[test]
    fn bad_fields_are_named() {
        let uses = [("lottery", "1"), ("savings", "x")];
        let e = validate_remittance(
            &RemittanceInput { month: "2026-04", amount: "0", channel: "pigeon", uses: &uses },
            TODAY,
        )
        .unwrap_err();
        let f: Vec<&str> = e.0.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(f, ["month", "amount", "channel", "uses", "uses.savings"]);
        let twice = [("savings", "1"), ("savings", "1")];
        let e = validate_remittance(
            &RemittanceInput { month: "2026-01", amount: "2", channel: "post", uses: &twice },
            TODAY,
        )
        .unwrap_err();
        assert_eq!(e.0[0].rule, Rule::Mismatch);
    }
}
