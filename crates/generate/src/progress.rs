//! Progress of long command-line work (`generate`, `import persons`, `indicators refresh`,
//! `backup`): a bar with rate and time left on a terminal, and a plain line every few seconds
//! when stderr is a file or a pipe (cron, CI, `2> log`), so a long job never runs in silence.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

/// Seconds between plain lines when stderr is not a terminal: `DESMIGRATIF_PROGRESS_EVERY`
/// (fractions allowed), 5 by default.
fn plain_interval() -> Duration {
    std::env::var("DESMIGRATIF_PROGRESS_EVERY")
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map_or(Duration::from_secs(5), Duration::from_secs_f64)
}

/// A progress bar on stderr for `total` steps (`None` when unknown), named by `label`. On a
/// terminal it draws itself; otherwise a thread prints "label: done of total (p %), rate/s,
/// about N s left" at each interval until the bar is finished.
pub fn bar(label: &str, total: Option<u64>, unit: &'static str) -> ProgressBar {
    let terminal = std::io::stderr().is_terminal();
    let target = if terminal { ProgressDrawTarget::stderr_with_hz(4) } else { ProgressDrawTarget::hidden() };
    let bar = ProgressBar::with_draw_target(total, target);
    let template = if total.is_some() {
        "{prefix:>9} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} {per_sec} · {eta} left {msg}"
    } else {
        "{prefix:>9} [{elapsed_precise}] {spinner} {human_pos} {per_sec} {msg}"
    };
    bar.set_style(ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()));
    bar.set_prefix(label.to_string());
    if !terminal {
        let watched = bar.downgrade();
        let every = plain_interval();
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(every);
                let Some(b) = watched.upgrade() else { break };
                if b.is_finished() {
                    break;
                }
                eprintln!("{}", plain_line(&b, unit));
            }
        });
    }
    bar
}

/// One plain progress line: "people: 1200 of 3000 rows (40 %), 950 rows/s, about 2 s left".
pub fn plain_line(b: &ProgressBar, unit: &str) -> String {
    let pos = b.position();
    let rate = b.per_sec();
    let mut line = format!("{}: {pos}", b.prefix());
    match b.length().filter(|l| *l > 0) {
        Some(len) => {
            let pct = (pos as f64 * 100.0 / len as f64).min(100.0);
            line.push_str(&format!(" of {len} {unit} ({pct:.0} %), {rate:.0} {unit}/s"));
            if rate > 0.0 && pos < len {
                line.push_str(&format!(", about {} s left", ((len - pos) as f64 / rate).ceil() as u64));
            }
        }
        None => line.push_str(&format!(" {unit}, {rate:.0} {unit}/s")),
    }
    let msg = b.message();
    if !msg.is_empty() {
        line.push_str(&format!(" [{msg}]"));
    }
    line
}
