//! When is a pillar "active" in a village, and does a village meet a program's criteria
//! (e.g. Desa Migran EMAS)? Criteria are data (table `monitoring_criteria`, edited by national
//! admins): a subject holds when each of its conditions holds. A condition names an indicator,
//! a minimum, and a window: the indicator summed over the last `window_months` months (the
//! current stock when 0). An indicator no pillar provides yet gives "no data", not "inactive".

/// What the criteria are about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Subject {
    /// Pillar 1..=4.
    Pillar(u8),
    /// A program, by code.
    Program(String),
}

impl Subject {
    /// `pillar:1`..`pillar:4` or `program:<code>`.
    pub fn parse(s: &str) -> Option<Subject> {
        if let Some(n) = s.strip_prefix("pillar:") {
            let n: u8 = n.parse().ok()?;
            return (1..=4).contains(&n).then_some(Subject::Pillar(n));
        }
        let code = s.strip_prefix("program:")?;
        let ok = !code.is_empty()
            && code.len() <= 60
            && code.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-');
        ok.then(|| Subject::Program(code.to_string()))
    }
    pub fn as_string(&self) -> String {
        match self {
            Subject::Pillar(n) => format!("pillar:{n}"),
            Subject::Program(c) => format!("program:{c}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub indicator: String,
    pub min_value: i64,
    /// 0: the current stock; otherwise the last N months including the current one.
    pub window_months: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Active,
    Inactive,
    /// No criteria, or a condition reads an indicator that no pillar provides yet.
    NoData,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Inactive => "inactive",
            Status::NoData => "no_data",
        }
    }
    pub const ALL: [Status; 3] = [Status::Active, Status::Inactive, Status::NoData];
}

/// Evaluates `conditions`; `value(indicator, window_months)` gives the village's value, or
/// `None` when the indicator is unknown (not in the registry).
pub fn evaluate(conditions: &[Condition], value: impl Fn(&str, u32) -> Option<i64>) -> Status {
    if conditions.is_empty() {
        return Status::NoData;
    }
    let mut all_met = true;
    for c in conditions {
        match value(&c.indicator, c.window_months) {
            None => return Status::NoData,
            Some(v) => all_met &= v >= c.min_value,
        }
    }
    if all_met { Status::Active } else { Status::Inactive }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(i: &str, min: i64, w: u32) -> Condition {
        Condition { indicator: i.into(), min_value: min, window_months: w }
    }

    #[test]
    fn all_conditions_must_hold_and_unknown_indicators_give_no_data() {
        let values = |k: &str, w: u32| match (k, w) {
            ("outreach_events", 6) => Some(2),
            ("counselling_sessions", 6) => Some(0),
            ("counselling_sessions", 12) => Some(3),
            _ => None,
        };
        assert_eq!(evaluate(&[cond("outreach_events", 1, 6)], values), Status::Active);
        assert_eq!(
            evaluate(&[cond("outreach_events", 1, 6), cond("counselling_sessions", 1, 6)], values),
            Status::Inactive
        );
        assert_eq!(
            evaluate(&[cond("outreach_events", 1, 6), cond("counselling_sessions", 1, 12)], values),
            Status::Active
        );
        assert_eq!(evaluate(&[cond("outreach_events", 3, 6)], values), Status::Inactive);
        assert_eq!(evaluate(&[cond("outreach_events", 1, 6), cond("coop_members", 20, 0)], values), Status::NoData);
        assert_eq!(evaluate(&[], values), Status::NoData);
    }

    #[test]
    fn subjects() {
        assert_eq!(Subject::parse("pillar:2"), Some(Subject::Pillar(2)));
        assert_eq!(Subject::parse("pillar:5"), None);
        assert_eq!(Subject::parse("program:desa-migran-emas"), Some(Subject::Program("desa-migran-emas".into())));
        assert_eq!(Subject::parse("program:DROP TABLE"), None);
        assert_eq!(Subject::Pillar(3).as_string(), "pillar:3");
    }
}
