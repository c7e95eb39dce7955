//! Monitoring (issue 7): the pure rules behind dashboards and open statistics — reporting
//! months and periods, the pillar and program criteria, small-cell suppression, medians from
//! a distribution, and the bounds of a target. No SQL: the indicator registry and the
//! incremental refresher live in `store::indicators`.

mod criteria;
mod period;
mod stats;
mod targets;

pub use criteria::{Condition, Status, Subject, evaluate};
pub use period::{Month, Period, PeriodError};
pub use stats::{OpenValue, median_from_distribution, share_percent, suppress};
pub use targets::{FIRST_PROGRAM_YEAR, MAX_YEARS_AHEAD, TargetInput, ValidTarget, validate_target};
