//! Test helpers: decode a figure's PNG and look at its pixels.

use super::Figure;

/// A decoded RGB picture.
pub(crate) struct Image {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) rgb: Vec<u8>,
}

/// Decodes the PNG of `fig` (drawn as PNG first if it is SVG).
pub(crate) fn decode(fig: &Figure) -> Image {
    let png = fig.to_png();
    let decoder = png::Decoder::new(png.bytes());
    let mut reader = decoder.read_info().expect("a valid PNG");
    let mut rgb = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut rgb).expect("one frame");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    rgb.truncate(info.buffer_size());
    Image {
        width: info.width,
        height: info.height,
        rgb,
    }
}

impl Image {
    pub(crate) fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        let i = (y * self.width + x) as usize * 3;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }

    /// Fraction of the pixels for which `pred` holds.
    pub(crate) fn pixel_fraction(&self, pred: impl Fn([u8; 3]) -> bool) -> f64 {
        let n = self.rgb.len() / 3;
        let hits = self
            .rgb
            .chunks(3)
            .filter(|p| pred([p[0], p[1], p[2]]))
            .count();
        hits as f64 / n as f64
    }

    /// Number of distinct colours.
    pub(crate) fn distinct_colors(&self) -> usize {
        let mut set = std::collections::HashSet::new();
        for p in self.rgb.chunks(3) {
            set.insert([p[0], p[1], p[2]]);
        }
        set.len()
    }
}

/// Asserts that `fig` has `size`, is not blank (many colours, enough ink).
pub(crate) fn assert_drawn(fig: &Figure, size: (u32, u32)) -> Image {
    assert_eq!(fig.size(), size);
    let img = decode(fig);
    assert_eq!((img.width, img.height), size);
    let colors = img.distinct_colors();
    assert!(colors > 20, "only {colors} colours: nearly blank");
    let ink = img.pixel_fraction(|p| p != [255, 255, 255]);
    assert!(
        ink > 0.02,
        "only {:.1}% of the pixels are not white",
        ink * 100.0
    );
    img
}
