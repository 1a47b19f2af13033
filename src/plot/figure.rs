//! [`Figure`]: a rendered picture (PNG or SVG) that shows itself in a
//! notebook, and [`Figures`](super::Figures): several pictures shown together.
//!
//! # How a picture reaches the notebook
//!
//! When the last expression of an evcxr cell has a method `evcxr_display`, the
//! kernel calls it and turns what it prints between
//! `EVCXR_BEGIN_CONTENT <mime type>` and `EVCXR_END_CONTENT` into the cell's
//! output: base64 for a PNG, the text itself for SVG or HTML. Jupyter keeps
//! only ONE output of each MIME type per cell (the last), so a cell that wants
//! to show two charts must combine them into one HTML block: that is
//! [`Figures`](super::Figures).

use std::fmt;
use std::io;
use std::path::Path;
use std::rc::Rc;

use base64::Engine;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::font;

/// The two formats a [`Figure`] can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A bitmap, encoded as PNG (the default: small, and exact for colour maps).
    Png,
    /// Vector graphics, as SVG text (the default of the computation graph).
    Svg,
}

impl Format {
    /// The MIME type: `image/png` or `image/svg+xml`.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Png => "image/png",
            Format::Svg => "image/svg+xml",
        }
    }
}

/// A drawing failure (plotters reports them; with in-memory backends they
/// should not happen).
#[derive(Debug)]
pub(crate) struct PlotError(pub(crate) String);

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for PlotError {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        PlotError(e.to_string())
    }
}

pub(crate) type PlotResult = Result<(), PlotError>;

/// Which kind of backend a figure is being drawn on: colour maps are drawn
/// pixel by pixel on a bitmap, as merged rectangles on SVG.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    Bitmap,
    Vector,
}

/// A figure's drawing code, independent of the backend. Each plotting type
/// prepares its data (samples a function, runs a model…) into a value that
/// implements `Draw`; a [`Figure`] keeps that value to redraw itself in the
/// other format or at another size.
pub(crate) trait Draw: 'static {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, target: Target)
        -> PlotResult;
}

/// The object-safe face of [`Draw`].
trait Render {
    fn rgb(&self, width: u32, height: u32) -> Vec<u8>;
    fn svg(&self, width: u32, height: u32) -> String;
}

impl<T: Draw> Render for T {
    fn rgb(&self, width: u32, height: u32) -> Vec<u8> {
        font::ensure_registered();
        let mut buffer = vec![255u8; width as usize * height as usize * 3];
        {
            let root = BitMapBackend::with_buffer(&mut buffer, (width, height)).into_drawing_area();
            let result = root
                .fill(&WHITE)
                .map_err(PlotError::from)
                .and_then(|_| self.draw(&root, Target::Bitmap))
                .and_then(|_| root.present().map_err(PlotError::from));
            if let Err(PlotError(e)) = result {
                panic!("drawing the figure failed: {e}");
            }
        }
        buffer
    }

    fn svg(&self, width: u32, height: u32) -> String {
        font::ensure_registered();
        let mut text = String::new();
        {
            let root = SVGBackend::with_string(&mut text, (width, height)).into_drawing_area();
            let result = root
                .fill(&WHITE)
                .map_err(PlotError::from)
                .and_then(|_| self.draw(&root, Target::Vector))
                .and_then(|_| root.present().map_err(PlotError::from));
            if let Err(PlotError(e)) = result {
                panic!("drawing the figure failed: {e}");
            }
        }
        text
    }
}

/// Encodes an RGB buffer as PNG.
pub(crate) fn encode_png(rgb: &[u8], width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        // adaptive filters + default deflate: 5 to 10 times smaller than the
        // fastest setting (flat colours, anti-aliased lines), for a few ms
        encoder.set_compression(png::Compression::Default);
        encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
        let mut writer = encoder.write_header().expect("PNG header into memory");
        writer.write_image_data(rgb).expect("PNG data into memory");
    }
    out
}

fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A rendered figure: PNG bytes or SVG text, and its size in pixels.
///
/// Every plotting type of [`crate::plot`] gives one with `.render()`. As the
/// last expression of a notebook cell it shows itself under the cell
/// ([`Figure::evcxr_display`]); [`Figure::save`] writes it to a file. A figure
/// remembers how it was drawn, so it can be redrawn as SVG ([`Figure::to_svg`]),
/// as PNG ([`Figure::to_png`]) or at another size ([`Figure::resized`]).
///
/// ```
/// use apprentissage::prelude::*;
/// let fig = Chart::new().line(&[0.0, 1.0, 2.0], &[0.0, 1.0, 4.0], "x²").render();
/// assert_eq!(fig.format(), Format::Png);
/// assert_eq!(fig.size(), (640, 480));
/// assert!(fig.bytes().starts_with(b"\x89PNG"));
/// assert!(fig.to_svg().bytes().starts_with(b"<svg"));
/// let path = std::env::temp_dir().join("apprentissage-doc-figure.png");
/// fig.save(&path).unwrap();
/// ```
#[derive(Clone)]
pub struct Figure {
    width: u32,
    height: u32,
    format: Format,
    bytes: Rc<[u8]>,
    source: Rc<dyn Render>,
}

impl Figure {
    /// Draws `plot` at `size` in `format`.
    pub(crate) fn render<T: Draw>(plot: T, size: (u32, u32), format: Format) -> Figure {
        Figure::from_source(Rc::new(plot), size, format)
    }

    fn from_source(source: Rc<dyn Render>, (width, height): (u32, u32), format: Format) -> Figure {
        assert!(
            width > 0 && height > 0,
            "a figure needs a positive size, got {width}×{height}"
        );
        let bytes: Rc<[u8]> = match format {
            Format::Png => encode_png(&source.rgb(width, height), width, height).into(),
            Format::Svg => source.svg(width, height).into_bytes().into(),
        };
        Figure {
            width,
            height,
            format,
            bytes,
            source,
        }
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// `(width, height)` in pixels.
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// PNG or SVG.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The file's content: PNG bytes, or the SVG text as UTF-8.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The same figure as PNG (redrawn if it was SVG).
    pub fn to_png(&self) -> Figure {
        self.converted(Format::Png)
    }

    /// The same figure as SVG (redrawn if it was PNG).
    pub fn to_svg(&self) -> Figure {
        self.converted(Format::Svg)
    }

    fn converted(&self, format: Format) -> Figure {
        if format == self.format {
            self.clone()
        } else {
            Figure::from_source(self.source.clone(), self.size(), format)
        }
    }

    /// The figure redrawn at another size (text keeps its size in pixels).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let fig = Chart::new().line(&[0.0, 1.0], &[1.0, 0.0], "").render();
    /// assert_eq!(fig.resized(320, 240).size(), (320, 240));
    /// ```
    pub fn resized(&self, width: u32, height: u32) -> Figure {
        Figure::from_source(self.source.clone(), (width, height), self.format)
    }

    /// The raw RGB pixels (row by row, 3 bytes a pixel) of the figure drawn
    /// at `size`; used for animation frames.
    pub(crate) fn rgb_at(&self, (width, height): (u32, u32)) -> Vec<u8> {
        self.source.rgb(width, height)
    }

    /// An HTML `<img>` element with the picture inline (a `data:` URI), for
    /// pages and for [`Figures`](super::Figures).
    pub fn to_html(&self) -> String {
        format!(
            "<img src=\"data:{};base64,{}\" width=\"{}\" height=\"{}\" alt=\"figure\">",
            self.format.mime(),
            base64(&self.bytes),
            self.width,
            self.height
        )
    }

    /// Exactly what [`Figure::evcxr_display`] prints: the evcxr output block
    /// (base64 PNG, or SVG text).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let text = Chart::new().line(&[0.0, 1.0], &[0.0, 1.0], "").render().evcxr_content();
    /// assert!(text.starts_with("EVCXR_BEGIN_CONTENT image/png\niVBORw0KGgo"));
    /// assert!(text.ends_with("\nEVCXR_END_CONTENT\n"));
    /// ```
    pub fn evcxr_content(&self) -> String {
        let body = match self.format {
            Format::Png => base64(&self.bytes),
            Format::Svg => String::from_utf8_lossy(&self.bytes).trim_end().to_string(),
        };
        evcxr_block(self.format.mime(), &body)
    }

    /// Shows the figure under the cell in a Jupyter notebook (evcxr kernel),
    /// when it is the cell's last expression.
    pub fn evcxr_display(&self) {
        print!("{}", self.evcxr_content());
    }

    /// Writes the figure to `path`; the extension chooses the format:
    /// `.png`, `.svg` (redrawn if needed) or `.html` (a page with the picture).
    pub fn save(&self, path: impl AsRef<Path>) -> io::Result<()> {
        let path = path.as_ref();
        match extension(path).as_str() {
            "png" => std::fs::write(path, self.to_png().bytes()),
            "svg" => std::fs::write(path, self.to_svg().bytes()),
            "html" | "htm" => std::fs::write(path, html_page(&self.to_html())),
            _ => Err(unknown_extension(path, ".png, .svg or .html")),
        }
    }
}

impl fmt::Debug for Figure {
    /// `Figure(png, 640×480, 23.1 kB)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.format {
            Format::Png => "png",
            Format::Svg => "svg",
        };
        write!(
            f,
            "Figure({kind}, {}×{}, {:.1} kB)",
            self.width,
            self.height,
            self.bytes.len() as f64 / 1000.0
        )
    }
}

/// One evcxr output block.
pub(crate) fn evcxr_block(mime: &str, body: &str) -> String {
    format!("EVCXR_BEGIN_CONTENT {mime}\n{body}\nEVCXR_END_CONTENT\n")
}

pub(crate) fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

pub(crate) fn unknown_extension(path: &Path, expected: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "cannot tell the format of {} from its extension; use {expected}",
            path.display()
        ),
    )
}

pub(crate) fn html_page(body: &str) -> String {
    format!("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n{body}\n</body></html>\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::Figures;

    /// A red square on white, to test the machinery without a chart.
    struct Square;
    impl Draw for Square {
        fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>, _: Target) -> PlotResult {
            root.draw(&Rectangle::new([(10, 10), (30, 30)], RED.filled()))?;
            root.draw(&Text::new("ok", (40, 10), super::super::style::text(14.0)))?;
            Ok(())
        }
    }

    fn square() -> Figure {
        Figure::render(Square, (60, 40), Format::Png)
    }

    #[test]
    fn png_bytes_and_size() {
        let fig = square();
        assert_eq!(fig.size(), (60, 40));
        let img = crate::plot::testing::decode(&fig);
        assert_eq!((img.width, img.height), (60, 40));
        assert_eq!(img.pixel(20, 20), [255, 0, 0]);
        assert_eq!(img.pixel(5, 5), [255, 255, 255]);
        assert!(img.pixel_fraction(|p| p != [255, 255, 255]) > 0.1);
        assert_eq!(format!("{fig:?}").split(',').next(), Some("Figure(png"));
    }

    #[test]
    fn evcxr_output_is_one_block_of_base64_png() {
        let text = square().evcxr_content();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], "EVCXR_BEGIN_CONTENT image/png");
        assert_eq!(lines[2], "EVCXR_END_CONTENT");
        let png = base64::engine::general_purpose::STANDARD
            .decode(lines[1])
            .unwrap();
        assert_eq!(png, square().bytes());
    }

    #[test]
    fn svg_output_is_text() {
        let svg = square().to_svg();
        assert_eq!(svg.format(), Format::Svg);
        let text = svg.evcxr_content();
        assert!(text.starts_with("EVCXR_BEGIN_CONTENT image/svg+xml\n<svg"));
        assert!(text.contains("</svg>\nEVCXR_END_CONTENT\n"));
        assert!(text.contains(">\nok\n</text>"), "{text}");
        // and back
        assert_eq!(svg.to_png().bytes(), square().bytes());
    }

    #[test]
    fn html_and_combined_figures() {
        let html = square().to_html();
        assert!(html.starts_with("<img src=\"data:image/png;base64,iVBORw0KGgo"));
        assert!(html.ends_with("width=\"60\" height=\"40\" alt=\"figure\">"));
        let two = Figures::new().with(square()).with(square().to_svg());
        let text = two.evcxr_content();
        assert_eq!(text.matches("EVCXR_BEGIN_CONTENT").count(), 1);
        assert!(text.starts_with("EVCXR_BEGIN_CONTENT text/html\n<div style=\"display:flex"));
        assert!(text.contains("data:image/svg+xml;base64,"));
        let grid = two.columns(1).to_html();
        assert!(grid.contains("grid-template-columns:repeat(1,max-content)"));
    }

    #[test]
    fn save_by_extension() {
        let dir = std::env::temp_dir().join(format!("apprentissage-fig-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fig = square();
        fig.save(dir.join("a.png")).unwrap();
        fig.save(dir.join("a.SVG")).unwrap();
        fig.save(dir.join("a.html")).unwrap();
        assert!(std::fs::read(dir.join("a.png"))
            .unwrap()
            .starts_with(b"\x89PNG"));
        assert!(std::fs::read_to_string(dir.join("a.SVG"))
            .unwrap()
            .starts_with("<svg"));
        assert!(std::fs::read_to_string(dir.join("a.html"))
            .unwrap()
            .contains("<img"));
        let err = fig.save(dir.join("a.jpg")).unwrap_err();
        assert!(err.to_string().contains("use .png, .svg or .html"), "{err}");
        assert!(Figures::new().save(dir.join("x.png")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn resized_redraws() {
        let small = square().resized(30, 20);
        assert_eq!(crate::plot::testing::decode(&small).width, 30);
    }
}
