//! The font every figure is written with, bundled in the crate.
//!
//! plotters' default `ttf` feature looks fonts up through the system's
//! fontconfig, which a fresh machine (or a student's laptop) may not have. The
//! crate therefore enables plotters' `ab_glyph` feature instead and registers
//! DejaVu Sans (`assets/fonts/DejaVuSans.ttf`, Bitstream Vera license, see
//! `assets/fonts/LICENSE-DejaVu.txt`) under every generic family name, once,
//! before the first figure is drawn. DejaVu Sans covers the accents of French
//! and the symbols the figures use (∂, ∇, →, ×, θ…).

use std::sync::Once;

use plotters::style::{register_font, FontStyle};

/// DejaVu Sans 2.37, embedded in the library (760 kB).
static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The family name the figures ask for.
pub(crate) const FONT: &str = "sans-serif";

/// Registers the bundled font with plotters (the first call only).
pub(crate) fn ensure_registered() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for family in ["sans-serif", "serif", "monospace", "DejaVu Sans"] {
            if register_font(family, FontStyle::Normal, DEJAVU_SANS).is_err() {
                panic!("the font bundled with apprentissage (DejaVu Sans) could not be read");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    use plotters::style::{IntoFont, TextStyle};

    #[test]
    fn the_bundled_font_measures_text() {
        super::ensure_registered();
        super::ensure_registered(); // idempotent
        let style: TextStyle = (super::FONT, 20).into_font().into();
        let style = style.pos(Pos::new(HPos::Left, VPos::Top));
        let (w, h) = style.font.box_size("Itération ∂f/∂x").unwrap();
        assert!(w > 100 && h > 10, "{w}×{h}");
    }
}
