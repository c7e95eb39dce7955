//! Small random helpers shared by the pillars.

use rand::Rng;
use time::{Date, Duration};

/// Picks from `(item, weight)` pairs in proportion to the weights.
pub fn weighted<'a, T, R: Rng>(rng: &mut R, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| *w).sum();
    let mut x = rng.random_range(0..total.max(1));
    for (item, w) in items {
        if x < *w {
            return item;
        }
        x -= *w;
    }
    &items[items.len() - 1].0
}

/// Uniform pick from a non-empty slice.
pub fn one<'a, T, R: Rng>(rng: &mut R, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// A date `lo..=hi` days after `d`.
pub fn after<R: Rng>(rng: &mut R, d: Date, lo: i64, hi: i64) -> Date {
    d + Duration::days(rng.random_range(lo..=hi))
}

/// A uniformly random date between `from` and `to` (inclusive).
pub fn between<R: Rng>(rng: &mut R, from: Date, to: Date) -> Date {
    let a = from.to_julian_day();
    let b = to.to_julian_day().max(a);
    Date::from_julian_day(rng.random_range(a..=b)).unwrap_or(from)
}

/// Digits for a number of `n` digits, the first not zero.
pub fn digits<R: Rng>(rng: &mut R, n: usize) -> String {
    let mut s = String::with_capacity(n);
    s.push(char::from(b'1' + rng.random_range(0..9u8)));
    for _ in 1..n {
        s.push(char::from(b'0' + rng.random_range(0..10u8)));
    }
    s
}

/// An Indonesian mobile number: 08 and ten more digits.
pub fn phone<R: Rng>(rng: &mut R) -> String {
    let prefix = one(rng, &["0812", "0813", "0821", "0822", "0852", "0853", "0857", "0878", "0896", "0838"]);
    format!("{prefix}{}", digits(rng, 8))
}
