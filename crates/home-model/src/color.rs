//! Colour conversions between what devices speak (RGB, CIE xy) and what the model holds
//! (hue in degrees, saturation in percent). Brightness stays separate everywhere, so colours
//! are converted at full value.

/// Hue (degrees) and saturation (percent) of an RGB colour (0..=255 each).
pub fn rgb_to_hs(r: f32, g: f32, b: f32) -> (f32, f32) {
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

/// The full-brightness RGB colour (0..=255 each) of a hue and saturation.
pub fn hs_to_rgb(hue: f32, saturation: f32) -> (u8, u8, u8) {
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
    // Desaturate towards white: v = 1, chroma = s.
    let channel = |c: f32| ((1.0 - s + s * c) * 255.0).round() as u8;
    (channel(r), channel(g), channel(b))
}

fn to_linear(c: f32) -> f32 {
    if c > 0.04045 {
        ((c + 0.055) / 1.055).powf(2.4)
    } else {
        c / 12.92
    }
}

fn from_linear(c: f32) -> f32 {
    if c <= 0.003_130_8 {
        12.92 * c
    } else {
        1.055 * c.powf(1.0 / 2.4) - 0.055
    }
}

/// CIE 1931 xy of a hue and saturation, through sRGB (D65), as Zigbee and Hue expect.
pub fn hs_to_xy(hue: f32, saturation: f32) -> (f32, f32) {
    let (r, g, b) = hs_to_rgb(hue, saturation);
    let (r, g, b) = (
        to_linear(f32::from(r) / 255.0),
        to_linear(f32::from(g) / 255.0),
        to_linear(f32::from(b) / 255.0),
    );
    let x = r * 0.4124 + g * 0.3576 + b * 0.1805;
    let y = r * 0.2126 + g * 0.7152 + b * 0.0722;
    let z = r * 0.0193 + g * 0.1192 + b * 0.9505;
    let sum = x + y + z;
    if sum <= 0.0 {
        return (0.3127, 0.3290);
    }
    (round4(x / sum), round4(y / sum))
}

/// Hue and saturation of a CIE 1931 xy colour; `None` for a point no colour has.
pub fn xy_to_hs(x: f32, y: f32) -> Option<(f32, f32)> {
    if !(x.is_finite() && y.is_finite()) || y <= 0.0 || x < 0.0 || x + y > 1.0 {
        return None;
    }
    let big_y = 1.0;
    let big_x = x / y * big_y;
    let big_z = (1.0 - x - y) / y * big_y;
    let r = big_x * 3.2406 - big_y * 1.5372 - big_z * 0.4986;
    let g = -big_x * 0.9689 + big_y * 1.8758 + big_z * 0.0415;
    let b = big_x * 0.0557 - big_y * 0.2040 + big_z * 1.0570;
    // Out-of-gamut points give negative channels: clip, then scale so the largest is 1.
    let (r, g, b) = (r.max(0.0), g.max(0.0), b.max(0.0));
    let max = r.max(g).max(b);
    if max <= 0.0 {
        return None;
    }
    let (r, g, b) = (
        from_linear(r / max),
        from_linear(g / max),
        from_linear(b / max),
    );
    Some(rgb_to_hs(r * 255.0, g * 255.0, b * 255.0))
}

fn round4(v: f32) -> f32 {
    (v * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: (f32, f32), b: (f32, f32), tolerance: f32) -> bool {
        (a.0 - b.0).abs() <= tolerance && (a.1 - b.1).abs() <= tolerance
    }

    #[test]
    fn pure_colours_have_the_expected_hue() {
        assert_eq!(rgb_to_hs(255.0, 0.0, 0.0), (0.0, 100.0));
        assert_eq!(rgb_to_hs(0.0, 255.0, 0.0), (120.0, 100.0));
        assert_eq!(rgb_to_hs(0.0, 0.0, 255.0), (240.0, 100.0));
        assert_eq!(rgb_to_hs(255.0, 255.0, 255.0), (0.0, 0.0));
        assert_eq!(hs_to_rgb(0.0, 100.0), (255, 0, 0));
        assert_eq!(hs_to_rgb(240.0, 50.0), (128, 128, 255));
    }

    #[test]
    fn hue_and_saturation_survive_a_trip_through_xy() {
        for hs in [(0.0, 100.0), (120.0, 80.0), (240.0, 60.0), (30.0, 50.0)] {
            let (x, y) = hs_to_xy(hs.0, hs.1);
            let back = xy_to_hs(x, y).expect("in gamut");
            assert!(close(back, hs, 2.0), "{hs:?} -> ({x}, {y}) -> {back:?}");
        }
    }

    #[test]
    fn white_point_is_unsaturated() {
        let (_, s) = xy_to_hs(0.3127, 0.3290).expect("white");
        assert!(s < 2.0, "{s}");
        assert_eq!(xy_to_hs(0.5, 0.0), None);
    }
}
