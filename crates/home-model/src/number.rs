//! Numbers written as text for payloads, without core's float formatting.
//!
//! `format!("{}", f64)` brings in core's shortest-float algorithms (Grisu with a Dragon4
//! fallback and their big-number arithmetic, some 16 KB of WebAssembly). The numbers this
//! crate writes are brightness steps, mireds, percentages, temperatures such as 21.5 and colour
//! coordinates: integers or short decimals. Those are written here exactly as `{}` writes them.
//!
//! The method: for `k` = 0, 1, 2... fractional digits, take `m = round(|n| * 10^k)` and stop at
//! the first `k` where `m / 10^k == |n|`. While `m` is below 2^53 and `k` at most 22, both `m`
//! and `10^k` are exact `f64`s, so the division is the correctly rounded value of the decimal
//! `m * 10^-k`, which is also what reading that decimal gives: the text reads back as `n`
//! (Clinger's fast path). The first such `k` is the fewest digits that do, which is what `{}`
//! prints. When `|n| * 10^k` stays below 2^51 the rounding of `m` cannot be off by one and only
//! one `m` can read back, so for every number whose shortest form has up to 15 significant
//! digits the text is the same as `{}`'s.
//!
//! Beyond that (a fraction that needs 16 or 17 digits, like `f64::from(0.4573_f32)`), the text
//! has one digit more than can be checked, and reads back to within one unit in the last place
//! rather than always exactly. Integers below 2^64 are written with all their digits, which
//! read back exactly (`{}` writes zeros past the 17th). Numbers below 10^-7 that need more than
//! 22 fractional digits, and integers of 2^64 and more, read back to within a few units in the
//! last place: no device is sent such a number.

use crate::decimal::parse_f64;

/// A number in `text` (surrounding whitespace allowed) that is finite: Rust's parser also
/// accepts `NaN` and `inf`, which no reading means.
pub fn parse_finite(text: &str) -> Option<f64> {
    parse_f64(text.trim()).filter(|n| n.is_finite())
}

/// `text` read as an `f32`, through the `f64` parser so that only one parser is compiled.
///
/// Reading as `f64` and rounding to `f32` rounds twice, which can differ from rounding once
/// only when the `f64` lands exactly halfway between two `f32`s while the decimal does not.
/// A decimal with at most 8 fractional digits below 2^24 (or an integer below 2^53) is either
/// exactly such a halfway point or further from it than half an `f64` step, so for those,
/// which include every colour and coordinate devices send, the result is `parse::<f32>`'s.
pub(crate) fn parse_f32(text: &str) -> Option<f32> {
    parse_f64(text).map(|n| n as f32)
}

/// 2^53: every integer below it is an exact `f64`.
const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0;
/// 2^64, the first integer a `u64` cannot hold.
const U64_END: f64 = 18_446_744_073_709_551_616.0;

/// Appends `n` as `{}` would write it, in plain decimal notation, and `null` for NaN and the
/// infinities, which JSON cannot express. Negative zero is written `0`.
pub fn push_number(out: &mut String, n: f64) {
    if !n.is_finite() {
        out.push_str("null");
        return;
    }
    if n < 0.0 {
        out.push('-');
    }
    let mut a = n.abs();
    if a.fract() == 0.0 {
        push_integer(out, a);
        return;
    }
    let mut fraction_digits = 0;
    let mut scale = 1.0;
    let mut m = a.round();
    while m / scale != a {
        let scaled = a * (scale * 10.0);
        if scaled >= EXACT_INTEGERS {
            // One more digit cannot be checked, but gets as close as a 17th digit can.
            if scaled < U64_END {
                (m, fraction_digits) = (scaled, fraction_digits + 1);
            }
            break;
        }
        if scale == 1e22 {
            // Past 10^22 the powers of ten are not exact. A number this small is moved 22
            // places (rounding once) and its digits sought again.
            a *= 1e22;
            (scale, m) = (1.0, a.round());
            continue;
        }
        scale *= 10.0;
        fraction_digits += 1;
        m = scaled.round();
    }
    let digits = Digits::of(m as u64);
    let text = digits.as_bytes();
    let (whole, fraction, padding) = match text.len().checked_sub(fraction_digits) {
        Some(split) if split > 0 => (&text[..split], &text[split..], 0),
        _ => (&b"0"[..], text, fraction_digits - text.len()),
    };
    push_ascii(out, whole);
    // Digits past what could be checked may end in zeros; `{}` never writes those.
    let mut shown = fraction.len();
    while shown > 0 && fraction[shown - 1] == b'0' {
        shown -= 1;
    }
    if shown > 0 {
        out.push('.');
        for _ in 0..padding {
            out.push('0');
        }
        push_ascii(out, &fraction[..shown]);
    }
}

/// An integer-valued `a >= 0`: every digit while a `u64` holds it (exactly `{}`'s text below
/// 2^53; above, `{}` writes zeros for the digits past the 17th), then the leading 17 digits
/// and zeros.
fn push_integer(out: &mut String, a: f64) {
    let mut lead = a;
    let mut zeros = 0;
    if a >= U64_END {
        while lead >= 1e17 {
            lead /= 10.0;
            zeros += 1;
        }
    }
    push_ascii(out, Digits::of(lead.round() as u64).as_bytes());
    for _ in 0..zeros {
        out.push('0');
    }
}

/// Appends the decimal digits of `n`, as `{}` writes an integer.
pub(crate) fn push_u64(out: &mut String, n: u64) {
    push_ascii(out, Digits::of(n).as_bytes());
}

fn push_ascii(out: &mut String, digits: &[u8]) {
    for &d in digits {
        out.push(char::from(d));
    }
}

/// The decimal digits of a `u64`, without core's integer formatting.
struct Digits {
    buf: [u8; 20],
    start: usize,
}

impl Digits {
    fn of(mut n: u64) -> Digits {
        let mut buf = [b'0'; 20];
        let mut start = buf.len();
        loop {
            start -= 1;
            buf[start] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                return Digits { buf, start };
            }
        }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.buf[self.start..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(n: f64) -> String {
        let mut out = String::new();
        push_number(&mut out, n);
        out
    }

    #[test]
    fn writes_integers_and_short_decimals_as_display_does() {
        for n in [
            0.0,
            1.0,
            -1.0,
            254.0,
            21.5,
            -3.25,
            0.1,
            0.5,
            33.3,
            0.4573,
            1e3,
            1e-7,
            123456.789,
            0.3127,
            -0.0001,
            9.0e15,
            1e16,
            1e20,
            4503599627370496.5,
            0.000123,
            2.5e-5,
            1e21,
        ] {
            assert_eq!(text(n), format!("{n}"), "{n:e}");
        }
    }

    #[test]
    fn writes_what_json_cannot_hold_as_null_and_negative_zero_as_zero() {
        assert_eq!(text(f64::NAN), "null");
        assert_eq!(text(f64::INFINITY), "null");
        assert_eq!(text(f64::NEG_INFINITY), "null");
        assert_eq!(text(-0.0), "0");
    }

    /// A small deterministic generator: the tests must not depend on a clock or a crate.
    fn numbers() -> impl Iterator<Item = u64> {
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        core::iter::repeat_with(move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        })
    }

    #[test]
    fn decimals_of_up_to_fifteen_digits_are_written_as_display_writes_them() {
        for (i, r) in numbers().take(200_000).enumerate() {
            let digits = 1 + (r % 15) as u32;
            let mantissa = (r >> 8) % 10u64.pow(digits);
            let exponent = ((r >> 4) % 24) as i32 - 12;
            // `{}` writes negative zero as `-0`; this crate's JSON always wrote `0`.
            let sign = if i % 2 == 0 || mantissa == 0 { "" } else { "-" };
            let text_in = format!("{sign}{mantissa}e{exponent}");
            let n: f64 = text_in.parse().expect("a number");
            if n.abs() < EXACT_INTEGERS {
                assert_eq!(text(n), format!("{n}"), "{text_in}");
            }
        }
    }

    #[test]
    fn any_number_from_ten_to_the_minus_seven_to_two_to_the_sixty_four_reads_back_to_within_one_unit_in_the_last_place()
     {
        for bits in numbers().take(200_000) {
            let n = f64::from_bits(bits);
            if !n.is_finite() {
                continue;
            }
            let back: f64 = text(n).parse().expect("a number");
            let ulps = (back.to_bits() as i64).wrapping_sub(n.to_bits() as i64);
            let close = if (1e-7..U64_END).contains(&n.abs()) {
                ulps.abs() <= 1
            } else {
                (n - back).abs() <= n.abs() * 1e-14
            };
            assert!(close, "{n:e} -> {} -> {back:e}", text(n));
        }
    }

    #[test]
    fn short_decimals_read_as_f32_as_the_f32_parser_reads_them() {
        for (i, r) in numbers().take(200_000).enumerate() {
            let fraction_digits = (r % 9) as usize;
            let mantissa = (r >> 8) % 10u64.pow(7 + (r >> 60) as u32 % 3);
            let whole = mantissa / 10u64.pow(fraction_digits as u32);
            let fraction = mantissa % 10u64.pow(fraction_digits as u32);
            let sign = if i % 2 == 0 { "" } else { "-" };
            let text = if fraction_digits == 0 {
                format!("{sign}{whole}")
            } else {
                format!("{sign}{whole}.{fraction:0fraction_digits$}")
            };
            let expected = text.parse::<f32>().ok();
            assert_eq!(
                parse_f32(&text).map(f32::to_bits),
                expected.map(f32::to_bits),
                "{text}"
            );
        }
        for text in ["NaN", "inf", "-inf", "1e39", "1e-50", "x", "", " 1"] {
            let expected = text.parse::<f32>().ok();
            assert_eq!(
                parse_f32(text).map(f32::to_bits),
                expected.map(f32::to_bits),
                "{text}"
            );
        }
    }

    #[test]
    fn finite_numbers_are_read_and_the_rest_refused() {
        assert_eq!(parse_finite(" 21.5 "), Some(21.5));
        assert_eq!(parse_finite("-3e2"), Some(-300.0));
        for text in ["NaN", "inf", "1e999", "", "21,5"] {
            assert_eq!(parse_finite(text), None, "{text}");
        }
    }

    #[test]
    fn integers_that_a_u64_holds_are_written_whole() {
        assert_eq!(text(335277383952460000.0), "335277383952460032");
        assert_eq!(text(-(2f64.powi(63))), "-9223372036854775808");
        assert_eq!(text(1e20), "100000000000000000000");
    }
}
