//! Colour arithmetic the bulbs need: the sim keeps hue and saturation, and speaks RGB, CIE xy
//! or HSV to whoever asks in that form. Brightness is always kept apart, so colours here are
//! at full value.

/// Hue (degrees, 0..360) and saturation (percent) of an RGB colour (0..=255 each).
pub fn rgb_to_hs(r: f64, g: f64, b: f64) -> (f64, f64) {
    let (r, g, b) = (r / 255.0, g / 255.0, b / 255.0);
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let delta = max - min;
    if max <= 0.0 || delta <= 0.0 {
        return (0.0, 0.0);
    }
    let hue = if max == r {
        60.0 * ((g - b) / delta).rem_euclid(6.0)
    } else if max == g {
        60.0 * ((b - r) / delta + 2.0)
    } else {
        60.0 * ((r - g) / delta + 4.0)
    };
    (hue.rem_euclid(360.0), delta / max * 100.0)
}

/// The full-value RGB colour (0..=255 each) of a hue and saturation.
pub fn hs_to_rgb(hue: f64, saturation: f64) -> (u8, u8, u8) {
    let s = (saturation / 100.0).clamp(0.0, 1.0);
    let h = hue.rem_euclid(360.0) / 60.0;
    let x = 1.0 - (h % 2.0 - 1.0).abs();
    let (r, g, b) = match h as u32 {
        0 => (1.0, x, 0.0),
        1 => (x, 1.0, 0.0),
        2 => (0.0, 1.0, x),
        3 => (0.0, x, 1.0),
        4 => (x, 0.0, 1.0),
        _ => (1.0, 0.0, x),
    };
    let channel = |c: f64| ((1.0 - s + s * c) * 255.0).round() as u8;
    (channel(r), channel(g), channel(b))
}

fn to_linear(c: f64) -> f64 {
    if c > 0.04045 {
        ((c + 0.055) / 1.055).powf(2.4)
    } else {
        c / 12.92
    }
}

fn from_linear(c: f64) -> f64 {
    if c <= 0.003_130_8 {
        12.92 * c
    } else {
        1.055 * c.powf(1.0 / 2.4) - 0.055
    }
}

/// CIE 1931 xy of a hue and saturation, through sRGB (D65), rounded to four places as
/// Zigbee bulbs report it.
pub fn hs_to_xy(hue: f64, saturation: f64) -> (f64, f64) {
    let (r, g, b) = hs_to_rgb(hue, saturation);
    let (r, g, b) = (
        to_linear(f64::from(r) / 255.0),
        to_linear(f64::from(g) / 255.0),
        to_linear(f64::from(b) / 255.0),
    );
    let x = r * 0.4124 + g * 0.3576 + b * 0.1805;
    let y = r * 0.2126 + g * 0.7152 + b * 0.0722;
    let z = r * 0.0193 + g * 0.1192 + b * 0.9505;
    let sum = x + y + z;
    if sum <= 0.0 {
        return (0.3127, 0.3290);
    }
    (round_to(x / sum, 4), round_to(y / sum, 4))
}

/// Hue and saturation of a CIE 1931 xy colour; `None` for a point that is no colour.
pub fn xy_to_hs(x: f64, y: f64) -> Option<(f64, f64)> {
    if !(x.is_finite() && y.is_finite()) || y <= 0.0 || x < 0.0 || x + y > 1.0 {
        return None;
    }
    let (big_x, big_y, big_z) = (x / y, 1.0, (1.0 - x - y) / y);
    let r = big_x * 3.2406 - big_y * 1.5372 - big_z * 0.4986;
    let g = -big_x * 0.9689 + big_y * 1.8758 + big_z * 0.0415;
    let b = big_x * 0.0557 - big_y * 0.2040 + big_z * 1.0570;
    let (r, g, b) = (r.max(0.0), g.max(0.0), b.max(0.0));
    let max = r.max(g).max(b);
    if max <= 0.0 {
        return None;
    }
    let channel = |c: f64| from_linear(c / max).clamp(0.0, 1.0) * 255.0;
    Some(rgb_to_hs(channel(r), channel(g), channel(b)))
}

/// `#RRGGBB` (or `RRGGBB`) as hue and saturation.
pub fn hex_to_hs(text: &str) -> Option<(f64, f64)> {
    let digits = text.trim().trim_start_matches('#');
    if digits.len() != 6 || !digits.is_ascii() {
        return None;
    }
    let channel = |i: usize| {
        u8::from_str_radix(&digits[i..i + 2], 16)
            .ok()
            .map(f64::from)
    };
    Some(rgb_to_hs(channel(0)?, channel(2)?, channel(4)?))
}

/// `value` rounded to `places` decimal places.
pub fn round_to(value: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (value * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pure_colours_convert_both_ways_between_rgb_and_hue_saturation() {
        assert_eq!(hs_to_rgb(0.0, 100.0), (255, 0, 0));
        assert_eq!(hs_to_rgb(120.0, 100.0), (0, 255, 0));
        assert_eq!(rgb_to_hs(0.0, 0.0, 255.0), (240.0, 100.0));
        assert_eq!(hs_to_rgb(200.0, 0.0), (255, 255, 255));
    }

    #[test]
    fn a_colour_sent_as_xy_comes_back_near_its_hue_and_saturation() {
        for (h, s) in [(0.0, 100.0), (120.0, 80.0), (240.0, 60.0), (30.0, 50.0)] {
            let (x, y) = hs_to_xy(h, s);
            let (h2, s2) = xy_to_hs(x, y).expect("a colour");
            let dh = (h2 - h).abs().min(360.0 - (h2 - h).abs());
            assert!(dh < 3.0 && (s2 - s).abs() < 3.0, "{h},{s} -> {h2},{s2}");
        }
    }

    #[test]
    fn hex_colours_are_read_with_or_without_a_hash() {
        assert_eq!(hex_to_hs("#00FF00"), Some((120.0, 100.0)));
        assert_eq!(hex_to_hs("0000ff"), Some((240.0, 100.0)));
        assert_eq!(hex_to_hs("#12345"), None);
        assert_eq!(hex_to_hs("#ééé"), None);
    }
}
