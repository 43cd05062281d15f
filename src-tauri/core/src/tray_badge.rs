//! The tray icon's badge: the number of running tasks in a disc on the icon's lower right, green
//! while all is well and red when a service fails (or AWS cannot be checked). A tray host shows
//! only the picture (XEmbed hosts show no label or tooltip), so the picture carries the state.

/// What the badge says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Badge {
    /// Running tasks; None before the first check.
    pub running: Option<u32>,
    pub failing: bool,
}

pub const GREEN: [u8; 3] = [0x2e, 0x7d, 0x32];
pub const RED: [u8; 3] = [0xd3, 0x2f, 0x2f];

/// 3×5 digits, one row per 3 bits (MSB left).
const DIGITS: [[u8; 5]; 10] = [
    [7, 5, 5, 5, 7],
    [2, 6, 2, 2, 7],
    [7, 1, 7, 4, 7],
    [7, 1, 7, 1, 7],
    [5, 5, 7, 1, 1],
    [7, 4, 7, 1, 7],
    [7, 4, 7, 5, 7],
    [7, 1, 1, 1, 1],
    [7, 5, 7, 5, 7],
    [7, 5, 7, 1, 7],
];
const PLUS: [u8; 5] = [0, 2, 7, 2, 0];

/// `icon` (RGBA, `size`×`size`) with the badge drawn on it; the icon unchanged before the first
/// check unless it failed.
pub fn draw(icon: &[u8], size: u32, badge: Badge) -> Vec<u8> {
    let mut out = icon.to_vec();
    if badge.running.is_none() && !badge.failing {
        return out;
    }
    let s = size as i64;
    // The disc covers the lower right 60% of the icon.
    let radius = s * 3 / 10;
    let (cx, cy) = (s - radius - 1, s - radius - 1);
    let color = if badge.failing { RED } else { GREEN };
    for y in 0..s {
        for x in 0..s {
            let (dx, dy) = (x - cx, y - cy);
            let d2 = dx * dx + dy * dy;
            if d2 <= radius * radius {
                put(&mut out, size, x, y, color);
            } else if d2 <= (radius + 1) * (radius + 1) {
                // A white rim parts the disc from the icon beneath.
                put(&mut out, size, x, y, [255, 255, 255]);
            }
        }
    }
    let glyphs: Vec<[u8; 5]> = match badge.running {
        None => vec![[2, 2, 2, 0, 2]], // "!" : could not check
        Some(n) if n <= 9 => vec![DIGITS[n as usize]],
        Some(n) if n <= 99 => vec![DIGITS[(n / 10) as usize], DIGITS[(n % 10) as usize]],
        Some(_) => vec![DIGITS[9], PLUS],
    };
    // Each glyph is 3×5 cells with one cell between glyphs, scaled to fit the disc.
    let cells_w = glyphs.len() as i64 * 4 - 1;
    let scale = ((radius * 2 * 7 / 10) / cells_w)
        .min((radius * 2 * 7 / 10) / 5)
        .max(1);
    let (w, h) = (cells_w * scale, 5 * scale);
    let (x0, y0) = (cx - w / 2, cy - h / 2);
    for (i, glyph) in glyphs.iter().enumerate() {
        for (row, bits) in glyph.iter().enumerate() {
            for col in 0..3 {
                if bits & (4 >> col) == 0 {
                    continue;
                }
                let gx = x0 + (i as i64 * 4 + col) * scale;
                let gy = y0 + row as i64 * scale;
                for y in gy..gy + scale {
                    for x in gx..gx + scale {
                        put(&mut out, size, x, y, [255, 255, 255]);
                    }
                }
            }
        }
    }
    out
}

fn put(rgba: &mut [u8], size: u32, x: i64, y: i64, [r, g, b]: [u8; 3]) {
    if x < 0 || y < 0 || x >= size as i64 || y >= size as i64 {
        return;
    }
    let i = ((y as usize) * size as usize + x as usize) * 4;
    if let Some(px) = rgba.get_mut(i..i + 4) {
        px.copy_from_slice(&[r, g, b, 255]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pixel(rgba: &[u8], size: u32, x: u32, y: u32) -> [u8; 3] {
        let i = ((y * size + x) * 4) as usize;
        [rgba[i], rgba[i + 1], rgba[i + 2]]
    }

    #[test]
    fn the_disc_is_green_when_well_red_when_failing_and_absent_before_the_first_check() {
        let size = 32;
        let blank = vec![0u8; (size * size * 4) as usize];
        assert_eq!(
            draw(
                &blank,
                size,
                Badge {
                    running: None,
                    failing: false
                }
            ),
            blank
        );
        // A point of the disc off the digit (its left edge, mid-height).
        let (x, y) = (size - 32 * 3 / 10 * 2 + 1, size - 32 * 3 / 10 - 1);
        let well = draw(
            &blank,
            size,
            Badge {
                running: Some(3),
                failing: false,
            },
        );
        assert_eq!(pixel(&well, size, x, y), GREEN);
        let failing = draw(
            &blank,
            size,
            Badge {
                running: Some(3),
                failing: true,
            },
        );
        assert_eq!(pixel(&failing, size, x, y), RED);
        // Different counts draw different pictures.
        let two = draw(
            &blank,
            size,
            Badge {
                running: Some(2),
                failing: false,
            },
        );
        assert_ne!(well, two);
        let many = draw(
            &blank,
            size,
            Badge {
                running: Some(120),
                failing: false,
            },
        );
        assert_ne!(many, two);
    }
}
