//! Numbers as they are published: medians from a distribution, shares, and small-cell
//! suppression for open statistics.

use serde::{Serialize, Serializer};

/// A published count: the number, or "<5" for 1 to 4 so no person can be singled out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenValue {
    Number(i64),
    LessThanFive,
    /// Withheld by open statistics' suppression (`privacy::complementary_suppression`): under
    /// `privacy::OPEN_MIN_COUNT`, or a complementary cell; the same mark for both.
    Suppressed,
}

/// Counts from 1 to 4 become "<5"; 0 stays 0 (nobody to single out).
pub fn suppress(count: i64) -> OpenValue {
    if (1..=4).contains(&count) { OpenValue::LessThanFive } else { OpenValue::Number(count) }
}

impl OpenValue {
    pub fn text(&self) -> String {
        match self {
            OpenValue::Number(n) => n.to_string(),
            OpenValue::LessThanFive => "<5".to_string(),
            OpenValue::Suppressed => "suppressed".to_string(),
        }
    }
}

impl Serialize for OpenValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            OpenValue::Number(n) => s.serialize_i64(*n),
            OpenValue::LessThanFive => s.serialize_str("<5"),
            OpenValue::Suppressed => s.serialize_str("suppressed"),
        }
    }
}

/// The median of values given as (value, how many times), or `None` when empty. With an even
/// count, the lower of the two middle values (days are whole: no half days).
pub fn median_from_distribution(dist: &[(i64, i64)]) -> Option<i64> {
    let mut d: Vec<(i64, i64)> = dist.iter().copied().filter(|(_, n)| *n > 0).collect();
    d.sort();
    let total: i64 = d.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    let target = (total + 1) / 2;
    let mut seen = 0;
    for (v, n) in d {
        seen += n;
        if seen >= target {
            return Some(v);
        }
    }
    None
}

/// `part` of `whole` in whole percent, rounded half up; `None` when `whole` is 0.
pub fn share_percent(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| (part * 200 + whole) / (whole * 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_cells_are_suppressed_but_zero_is_not() {
        assert_eq!(suppress(0), OpenValue::Number(0));
        for n in 1..=4 {
            assert_eq!(suppress(n), OpenValue::LessThanFive);
        }
        assert_eq!(suppress(5), OpenValue::Number(5));
        assert_eq!(serde_json_like(suppress(3)), "\"<5\"");
        assert_eq!(serde_json_like(suppress(12)), "12");
    }

    fn serde_json_like(v: OpenValue) -> String {
        match v {
            OpenValue::Number(n) => n.to_string(),
            OpenValue::LessThanFive => "\"<5\"".into(),
            OpenValue::Suppressed => "\"suppressed\"".into(),
        }
    }

    #[test]
    fn medians_and_shares() {
        assert_eq!(median_from_distribution(&[]), None);
        assert_eq!(median_from_distribution(&[(7, 1)]), Some(7));
        // 1, 3, 3, 10 → lower middle 3
        assert_eq!(median_from_distribution(&[(10, 1), (1, 1), (3, 2)]), Some(3));
        // 2, 5, 9 → 5
        assert_eq!(median_from_distribution(&[(9, 1), (2, 1), (5, 1), (4, 0)]), Some(5));
        assert_eq!(share_percent(2, 3), Some(67));
        assert_eq!(share_percent(1, 8), Some(13));
        assert_eq!(share_percent(0, 0), None);
    }
}
