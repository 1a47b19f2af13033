//! [`Animation`]: frames collected during training, shown as an animated GIF.

use std::cell::RefCell;
use std::fmt;
use std::io;
use std::path::Path;
use std::rc::Rc;

use base64::Engine;

use super::figure::{evcxr_block, extension, html_page, unknown_extension, Figure};

/// Frames (figures) played in a loop as an animated GIF: the course's
/// "watch the regions adapt live" (7.5.1), in a notebook.
///
/// Push a figure every few iterations of a training loop, then make the
/// animation the last expression of the cell. It shows as an HTML
/// `<img src="data:image/gif;base64,…">` (the form Jupyter accepts for GIFs).
/// Every frame is drawn at the size of the first one. The last frame stays
/// on screen longer (at least 1.5 s) so the final state can be seen.
///
/// ```
/// use apprentissage::prelude::*;
/// let mut anim = Animation::new().delay_ms(200);
/// for k in 1..=3 {
///     let x = Tensor::linspace(0.0, 1.0, 20);
///     let y = x.pow(k as f32);
///     anim.push(Chart::new().title(&format!("x^{k}")).line(&x, &y, "").size(200, 150));
/// }
/// assert_eq!(anim.len(), 3);
/// assert!(anim.to_gif().starts_with(b"GIF89a"));
/// assert!(anim.evcxr_content().starts_with(
///     "EVCXR_BEGIN_CONTENT text/html\n<img src=\"data:image/gif;base64,R0lGOD"));
/// ```
#[derive(Clone)]
pub struct Animation {
    frames: Vec<Figure>,
    delay_ms: u32,
    gif: RefCell<Option<Rc<[u8]>>>,
}

impl Default for Animation {
    fn default() -> Self {
        Animation::new()
    }
}

impl Animation {
    /// An empty animation, 300 ms per frame.
    pub fn new() -> Animation {
        Animation {
            frames: Vec::new(),
            delay_ms: 300,
            gif: RefCell::new(None),
        }
    }

    /// Time each frame stays on screen, in milliseconds (GIF counts in
    /// hundredths of a second).
    pub fn delay_ms(mut self, ms: u32) -> Animation {
        self.delay_ms = ms;
        self.gif.replace(None);
        self
    }

    /// Adds a frame: a [`Figure`] or any plot (`DecisionMap`, `Chart`…),
    /// which is rendered now.
    pub fn push(&mut self, frame: impl Into<Figure>) {
        self.frames.push(frame.into());
        self.gif.replace(None);
    }

    /// Number of frames.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// True when no frame was pushed.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// Size of the frames (that of the first frame); `(0, 0)` when empty.
    pub fn size(&self) -> (u32, u32) {
        self.frames.first().map_or((0, 0), Figure::size)
    }

    /// The GIF file's bytes (encoded once, then cached).
    ///
    /// Panics when the animation has no frame.
    pub fn to_gif(&self) -> Vec<u8> {
        self.gif_bytes().to_vec()
    }

    fn gif_bytes(&self) -> Rc<[u8]> {
        if let Some(bytes) = self.gif.borrow().as_ref() {
            return bytes.clone();
        }
        let bytes: Rc<[u8]> = self.encode().into();
        self.gif.replace(Some(bytes.clone()));
        bytes
    }

    fn encode(&self) -> Vec<u8> {
        assert!(
            !self.frames.is_empty(),
            "Animation: no frame to show; push figures into it first"
        );
        let (w, h) = self.size();
        assert!(
            w <= u16::MAX as u32 && h <= u16::MAX as u32,
            "Animation: frames of {w}×{h} are too large for a GIF"
        );
        let mut out = Vec::new();
        {
            let mut encoder =
                gif::Encoder::new(&mut out, w as u16, h as u16, &[]).expect("GIF header");
            encoder.set_repeat(gif::Repeat::Infinite).expect("GIF loop");
            let delay = (self.delay_ms + 5) / 10;
            let last = self.frames.len() - 1;
            for (i, frame) in self.frames.iter().enumerate() {
                let rgb = frame.rgb_at((w, h));
                let mut f = gif::Frame::from_rgb_speed(w as u16, h as u16, &rgb, 10);
                f.delay = if i == last { delay.max(150) } else { delay } as u16;
                encoder.write_frame(&f).expect("GIF frame into memory");
            }
        }
        out
    }

    /// An HTML `<img>` element with the GIF inline.
    pub fn to_html(&self) -> String {
        let (w, h) = self.size();
        format!(
            "<img src=\"data:image/gif;base64,{}\" width=\"{w}\" height=\"{h}\" alt=\"animation\">",
            base64::engine::general_purpose::STANDARD.encode(self.gif_bytes())
        )
    }

    /// Exactly what [`Animation::evcxr_display`] prints: a `text/html` block
    /// holding the `<img>`.
    pub fn evcxr_content(&self) -> String {
        evcxr_block("text/html", &self.to_html())
    }

    /// Shows the animation under the cell in a notebook (evcxr kernel).
    pub fn evcxr_display(&self) {
        print!("{}", self.evcxr_content());
    }

    /// Writes the animation to `path`: `.gif`, or `.html` (a page with it).
    pub fn save(&self, path: impl AsRef<Path>) -> io::Result<()> {
        let path = path.as_ref();
        match extension(path).as_str() {
            "gif" => std::fs::write(path, self.gif_bytes()),
            "html" | "htm" => std::fs::write(path, html_page(&self.to_html())),
            _ => Err(unknown_extension(path, ".gif or .html")),
        }
    }
}

impl fmt::Debug for Animation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (w, h) = self.size();
        write!(
            f,
            "Animation({} frames, {w}×{h}, {} ms)",
            self.len(),
            self.delay_ms
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::Chart;

    fn frame(k: i32) -> Chart {
        let xs: Vec<f64> = (0..10).map(|i| i as f64).collect();
        let ys: Vec<f64> = xs.iter().map(|x| x * k as f64).collect();
        Chart::new().line(&xs, &ys, "").size(120, 90)
    }

    #[test]
    fn frames_become_a_looping_gif() {
        let mut anim = Animation::new().delay_ms(100);
        anim.push(frame(1));
        anim.push(frame(2).render());
        anim.push(frame(3).render().resized(200, 100)); // redrawn at 120×90
        assert_eq!(anim.size(), (120, 90));
        let gif = anim.to_gif();
        assert!(gif.starts_with(b"GIF89a"));
        let mut options = gif::DecodeOptions::new();
        options.set_color_output(gif::ColorOutput::RGBA);
        let mut decoder = options.read_info(gif.as_slice()).unwrap();
        assert_eq!((decoder.width(), decoder.height()), (120, 90));
        let mut delays = Vec::new();
        while let Some(f) = decoder.read_next_frame().unwrap() {
            assert_eq!((f.width, f.height), (120, 90));
            // not blank: some pixels are far from white
            let dark = f
                .buffer
                .chunks(4)
                .filter(|p| p[0] < 128 || p[2] < 128)
                .count();
            assert!(dark > 50, "frame nearly blank ({dark} dark pixels)");
            delays.push(f.delay);
        }
        assert_eq!(delays, vec![10, 10, 150]);
        assert_eq!(format!("{anim:?}"), "Animation(3 frames, 120×90, 100 ms)");
    }

    #[test]
    fn html_and_display_format() {
        let mut anim = Animation::new();
        anim.push(frame(1));
        let text = anim.evcxr_content();
        assert!(
            text.starts_with("EVCXR_BEGIN_CONTENT text/html\n<img src=\"data:image/gif;base64,")
        );
        assert!(
            text.ends_with("width=\"120\" height=\"90\" alt=\"animation\">\nEVCXR_END_CONTENT\n")
        );
        let path =
            std::env::temp_dir().join(format!("apprentissage-anim-{}.gif", std::process::id()));
        anim.save(&path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), anim.to_gif());
        std::fs::remove_file(&path).unwrap();
        assert!(anim.save("x.png").is_err());
    }

    #[test]
    #[should_panic(expected = "no frame to show")]
    fn an_empty_animation_says_so() {
        Animation::new().to_gif();
    }
}
