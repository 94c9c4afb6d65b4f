//! Decimal text read as `f64`, correctly rounded, without core's float parser.
//!
//! `str::parse::<f64>` compiles core's `dec2flt`: the Eisel-Lemire algorithm with its table of
//! 128-bit powers of five and a big-decimal fallback, about 15 KB of WebAssembly after gzip.
//! Every correctly rounded parser gives the same `f64` for the same decimal (there is only one
//! nearest, ties to even), so this one gives exactly what `parse::<f64>` gives, for the same
//! grammar: an optional sign, then `inf`, `infinity` or `nan` in any case, or digits with an
//! optional `.` and fraction (`1.`, `.5`) and an optional exponent (`e`/`E`, sign, digits).
//!
//! Most numbers devices send have at most 15 digits and a small exponent: those are exact
//! `f64` operands, and one division or multiplication by an exact power of ten rounds them
//! correctly (Clinger's fast path). The rest (17-digit floats from JavaScript, huge or tiny
//! exponents) go through exact integer arithmetic: the digits as a big integer `B` and the
//! power of ten as `10^e = 5^e * 2^e`, then either `B * 5^e` or a long division `B / 5^-e` to 66
//! significant bits, and one rounding of those bits with a sticky bit for whatever was left
//! below them. Only the first 800 significant digits are kept exactly: a value halfway between
//! two `f64`s has at most 767, so later digits can only say "a little more", which the sticky
//! bit carries.

/// Significant digits kept exactly; see the module documentation.
const KEPT_DIGITS: usize = 800;

/// The `f64` nearest to `text`, as `text.parse::<f64>().ok()` gives it.
pub(crate) fn parse_f64(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let (negative, rest) = match bytes.first() {
        Some(b'-') => (true, &bytes[1..]),
        Some(b'+') => (false, &bytes[1..]),
        _ => (false, bytes),
    };
    let magnitude = match rest.first() {
        Some(b'i' | b'I' | b'n' | b'N') => special(rest)?,
        _ => decimal(rest)?,
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// `inf`, `infinity` or `nan`, in any case.
fn special(word: &[u8]) -> Option<f64> {
    let is = |w: &str| word.eq_ignore_ascii_case(w.as_bytes());
    if is("inf") || is("infinity") {
        Some(f64::INFINITY)
    } else if is("nan") {
        Some(f64::NAN)
    } else {
        None
    }
}

/// Digits, an optional fraction and an optional exponent, without a sign.
fn decimal(text: &[u8]) -> Option<f64> {
    let mut digits = Big::default();
    let mut kept = 0;
    let mut dropped_nonzero = false;
    // The value is `digits * 10^exponent`.
    let mut exponent: i64 = 0;
    let mut seen_digit = false;
    let mut in_fraction = false;
    let mut at = 0;
    while let Some(&b) = text.get(at) {
        match b {
            b'0'..=b'9' => {
                seen_digit = true;
                let d = b - b'0';
                if kept < KEPT_DIGITS && (kept > 0 || d != 0) {
                    digits.mul_add(10, u32::from(d));
                    kept += 1;
                    if in_fraction {
                        exponent -= 1;
                    }
                } else if kept >= KEPT_DIGITS {
                    dropped_nonzero |= d != 0;
                    if !in_fraction {
                        exponent += 1;
                    }
                } else if in_fraction {
                    // A leading zero of the fraction.
                    exponent -= 1;
                }
            }
            b'.' if !in_fraction => in_fraction = true,
            _ => break,
        }
        at += 1;
    }
    if !seen_digit {
        return None;
    }
    if let Some(b'e' | b'E') = text.get(at) {
        at += 1;
        let negative = text.get(at) == Some(&b'-');
        if matches!(text.get(at), Some(b'-' | b'+')) {
            at += 1;
        }
        let mut written: i64 = 0;
        let start = at;
        while let Some(&b @ b'0'..=b'9') = text.get(at) {
            // Far beyond any f64 either way; saturating keeps it so.
            written = written
                .saturating_mul(10)
                .saturating_add(i64::from(b - b'0'));
            at += 1;
        }
        if at == start {
            return None;
        }
        exponent = exponent.saturating_add(if negative { -written } else { written });
    }
    if at != text.len() {
        return None;
    }
    if kept == 0 {
        return Some(0.0);
    }
    if let Some(n) = fast_path(&digits, kept, exponent, dropped_nonzero) {
        return Some(n);
    }
    // The value lies in [10^(magnitude-1), 10^magnitude).
    let magnitude = exponent.saturating_add(kept as i64);
    if magnitude > 310 {
        return Some(f64::INFINITY);
    }
    if magnitude < -324 {
        // Below 10^-324, under half the smallest subnormal (4.9e-324).
        return Some(0.0);
    }
    // Both bounds above keep the exponent within a few hundred.
    let exponent = exponent as i32;
    if exponent >= 0 {
        let mut n = digits;
        for _ in 0..exponent {
            n.mul_add(10, 0);
        }
        let (bits, shift, sticky) = n.leading_bits();
        Some(round(bits, shift, sticky || dropped_nonzero))
    } else {
        let mut divisor = Big::default();
        divisor.mul_add(1, 1);
        for _ in 0..-exponent {
            divisor.mul_add(5, 0);
        }
        // B / 10^q = (B / 5^q) * 2^-q, with B or 5^q shifted so the quotient has 66 bits.
        let extra = digits.bit_len() as i32 - divisor.bit_len() as i32 - 66;
        if extra >= 0 {
            divisor.shift_left(extra as usize);
        } else {
            digits.shift_left((-extra) as usize);
        }
        let (quotient, remainder_nonzero) = digits.divide(&divisor);
        Some(round(
            quotient,
            extra + exponent,
            remainder_nonzero || dropped_nonzero,
        ))
    }
}

/// Up to 15 digits and a power of ten up to 10^22 are exact `f64`s, and so is their
/// correctly rounded product or quotient.
fn fast_path(digits: &Big, kept: usize, exponent: i64, dropped: bool) -> Option<f64> {
    if kept > 15 || dropped || !(-22..=22).contains(&exponent) {
        return None;
    }
    let mut n: u64 = 0;
    for limb in digits.limbs.iter().rev() {
        n = (n << 32) | u64::from(*limb);
    }
    let mut power = 1.0;
    for _ in 0..exponent.abs() {
        power *= 10.0;
    }
    Some(if exponent < 0 {
        n as f64 / power
    } else {
        n as f64 * power
    })
}

/// The `f64` nearest to `(bits + s) * 2^shift`, where `s` is in `[0, 1)` and not zero exactly
/// when `sticky`; ties to even. `bits` has at most 67 bits.
fn round(bits: u128, shift: i32, sticky: bool) -> f64 {
    let len = 128 - bits.leading_zeros() as i32;
    // How many low bits to drop: down to 53, or fewer where only a subnormal is left.
    let drop = (len - 53).max(-1074 - shift);
    let (mut kept, half, below) = if drop <= 0 {
        (bits << -drop, false, sticky)
    } else {
        let kept = bits.checked_shr(drop as u32).unwrap_or(0);
        let half = bits.checked_shr(drop as u32 - 1).unwrap_or(0) & 1 == 1;
        let mask = 1u128
            .checked_shl(drop as u32 - 1)
            .map_or(u128::MAX, |b| b - 1);
        (kept, half, bits & mask != 0 || sticky)
    };
    if half && (below || kept & 1 == 1) {
        kept += 1;
    }
    let mut unit = shift + drop;
    if kept == 1 << 53 {
        kept >>= 1;
        unit += 1;
    }
    if kept < 1 << 52 {
        // Subnormal (or zero): the unit is 2^-1074.
        return f64::from_bits(kept as u64);
    }
    let biased = unit + 1075;
    if biased >= 2047 {
        return f64::INFINITY;
    }
    f64::from_bits(((biased as u64) << 52) | (kept as u64 & ((1 << 52) - 1)))
}

/// An unsigned integer of any size, as 32-bit limbs, least significant first.
#[derive(Default)]
struct Big {
    limbs: Vec<u32>,
}

impl Big {
    /// `self = self * factor + add`.
    fn mul_add(&mut self, factor: u32, add: u32) {
        let mut carry = u64::from(add);
        for limb in &mut self.limbs {
            let v = u64::from(*limb) * u64::from(factor) + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry > 0 {
            self.limbs.push(carry as u32);
        }
    }

    fn bit_len(&self) -> usize {
        match self.limbs.last() {
            Some(top) => self.limbs.len() * 32 - top.leading_zeros() as usize,
            None => 0,
        }
    }

    fn bit(&self, i: usize) -> bool {
        self.limbs
            .get(i / 32)
            .is_some_and(|l| l >> (i % 32) & 1 == 1)
    }

    fn shift_left(&mut self, by: usize) {
        let mut shifted = vec![0; by / 32];
        let mut carry = 0;
        for &limb in &self.limbs {
            let v = (u64::from(limb) << (by % 32)) | carry;
            shifted.push(v as u32);
            carry = v >> 32;
        }
        if carry > 0 {
            shifted.push(carry as u32);
        }
        self.limbs = shifted;
    }

    /// The top 66 bits (or all, if fewer), the power of two they are to be multiplied by, and
    /// whether any bit below them is set.
    fn leading_bits(&self) -> (u128, i32, bool) {
        let len = self.bit_len();
        let low = len.saturating_sub(66);
        let mut bits = 0u128;
        for i in (low..len).rev() {
            bits = (bits << 1) | u128::from(self.bit(i));
        }
        let sticky = (0..low).any(|i| self.bit(i));
        (bits, low as i32, sticky)
    }

    /// `self / divisor` when the quotient is below 2^67, and whether a remainder is left.
    /// Long division, one bit at a time: rare, and these numbers are small.
    fn divide(&mut self, divisor: &Big) -> (u128, bool) {
        let mut quotient = 0u128;
        for i in (0..67).rev() {
            let mut shifted = Big {
                limbs: divisor.limbs.clone(),
            };
            shifted.shift_left(i);
            if !self.less_than(&shifted) {
                self.subtract(&shifted);
                quotient |= 1 << i;
            }
        }
        (quotient, self.limbs.iter().any(|l| *l != 0))
    }

    fn less_than(&self, other: &Big) -> bool {
        let len = self.limbs.len().max(other.limbs.len());
        for i in (0..len).rev() {
            let a = self.limbs.get(i).copied().unwrap_or(0);
            let b = other.limbs.get(i).copied().unwrap_or(0);
            if a != b {
                return a < b;
            }
        }
        false
    }

    /// `self -= other`, where `other <= self`.
    fn subtract(&mut self, other: &Big) {
        let mut borrow = 0i64;
        for (i, limb) in self.limbs.iter_mut().enumerate() {
            let v = i64::from(*limb) - i64::from(other.limbs.get(i).copied().unwrap_or(0)) - borrow;
            *limb = v as u32;
            borrow = i64::from(v < 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same `f64`, bit for bit (NaN included), or the same refusal, as core's parser.
    fn same_as_core(text: &str) {
        let ours = parse_f64(text).map(f64::to_bits);
        let core = text.parse::<f64>().ok().map(f64::to_bits);
        assert_eq!(
            ours,
            core,
            "{text:?}: {:?} vs {:?}",
            parse_f64(text),
            text.parse::<f64>()
        );
    }

    /// A small deterministic generator: the tests must not depend on a clock or a crate.
    fn numbers() -> impl Iterator<Item = u64> {
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        core::iter::repeat_with(move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        })
    }

    #[test]
    fn reads_what_devices_send_as_core_does() {
        for text in [
            "0",
            "21.5",
            "0.1",
            "1e3",
            "-3.25",
            "254",
            "0.4573",
            "-0",
            "0.30000000000000004",
            "0.45730000734329224",
            "1.7976931348623157e308",
            "5e-324",
            "2.2250738585072014e-308",
            "123456789012345678901234567890",
            "9007199254740993",
            "1e23",
            "8.98846567431158e307",
        ] {
            same_as_core(text);
        }
    }

    #[test]
    fn accepts_and_refuses_what_core_does() {
        for text in [
            "",
            "+",
            "-",
            ".",
            "e1",
            "1e",
            "1e+",
            "1.e5",
            ".e5",
            "+.5",
            "0x10",
            "1_000",
            " 1",
            "1 ",
            "infinity",
            "INF",
            "-Infinity",
            "nan",
            "NaN",
            "+nan",
            "-nan",
            "infx",
            "inf",
            "+inf",
            "in",
            "infinit",
            "1.",
            ".5",
            "-.5E+3",
            "1E5",
            "++1",
            "+-1",
            "1e5.5",
            "1..2",
            "1.2.3",
            "0001",
            "1ee5",
            "1e05",
            "iNfInItY",
            "nAn",
            "1e-99999999999999999999",
            "1e99999999999999999999",
            "0e99999999999999999999",
            "-0.0e-5",
            "00.000",
            "1,5",
            "1e1e1",
            "١",
        ] {
            same_as_core(text);
        }
    }

    #[test]
    fn long_and_extreme_decimals_round_as_core_rounds_them() {
        for r in numbers().take(6_000) {
            let digit_count = 1 + (r % 40) as usize;
            let mut digits = String::new();
            let mut x = r;
            for i in 0..digit_count {
                if i % 12 == 0 {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                }
                digits.push(char::from(b'0' + ((x >> (4 * (i % 12))) % 10) as u8));
            }
            let exponent = ((r >> 40) % 700) as i64 - 350;
            let point = ((r >> 52) % (digit_count as u64 + 1)) as usize;
            let (whole, fraction) = digits.split_at(point);
            let sign = if r >> 63 == 1 { "-" } else { "" };
            same_as_core(&format!("{sign}{whole}.{fraction}e{exponent}"));
            same_as_core(&format!("{digits}e{exponent}"));
        }
    }

    #[test]
    fn every_f64_written_out_reads_back_as_itself() {
        for bits in numbers().take(4_000) {
            let n = f64::from_bits(bits);
            same_as_core(&format!("{n:e}"));
            same_as_core(&format!("{n:.25e}"));
            same_as_core(&format!("{n:.3e}"));
        }
    }

    /// Adds two decimal digit strings of equal length (most significant first).
    fn add_digits(a: &[u8], b: &[u8]) -> Vec<u8> {
        let mut out = vec![0; a.len() + 1];
        let mut carry = 0;
        for i in (0..a.len()).rev() {
            let s = a[i] + b[i] + carry;
            out[i + 1] = s % 10;
            carry = s / 10;
        }
        out[0] = carry;
        out
    }

    /// Halves a decimal digit string, appending one more digit for the remainder.
    fn halve_digits(a: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut rest = 0;
        for &d in a.iter().chain(&[0]) {
            let v = rest * 10 + d;
            out.push(v / 2);
            rest = v % 2;
        }
        out
    }

    #[test]
    fn values_halfway_between_two_f64s_and_just_beside_round_as_core_rounds_them() {
        // The exact decimal of each f64 has at most 1074 fractional digits.
        for bits in numbers().take(600) {
            let low = f64::from_bits(bits & !(1 << 63));
            if !low.is_finite() || !(low.next_up()).is_finite() {
                continue;
            }
            let exact = |n: f64| -> Vec<u8> {
                let text = format!("{n:.1100}");
                let (whole, fraction) = text.split_once('.').expect("a point");
                let whole = format!("{whole:0>310}");
                whole
                    .bytes()
                    .chain(fraction.bytes())
                    .map(|b| b - b'0')
                    .collect()
            };
            let halfway = halve_digits(&add_digits(&exact(low), &exact(low.next_up())));
            let text: String = halfway.iter().map(|d| char::from(b'0' + d)).collect();
            // Digits: 1 carry + 310 whole + 1100 fraction + 1 from halving.
            let fraction_digits = 1101;
            let trimmed = text.trim_end_matches('0');
            let exponent = -(fraction_digits as i64 - (text.len() - trimmed.len()) as i64);
            same_as_core(&format!("{trimmed}e{exponent}"));
            same_as_core(&format!("{trimmed}1e{}", exponent - 1));
            // Past the 800 digits kept exactly, a last 1 still tips it over halfway.
            let zeros = "0".repeat(KEPT_DIGITS);
            same_as_core(&format!("{trimmed}{zeros}1e{}", exponent - 801));
            let mut below = trimmed.as_bytes().to_vec();
            let last = below.len() - 1;
            below[last] -= 1;
            let below = String::from_utf8(below).expect("digits");
            same_as_core(&format!("{below}9e{}", exponent - 1));
        }
    }
}
