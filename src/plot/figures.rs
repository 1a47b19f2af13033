//! [`Figures`]: several figures (and animations) in one output block, and
//! the `evcxr_display` given to every plotting type.

use std::io;
use std::path::Path;

use super::figure::{evcxr_block, extension, html_page, unknown_extension, Figure};

/// One element of [`Figures`]: a figure or an animation, as HTML.
#[derive(Clone, Debug)]
pub struct Panel(String);

impl From<&Figure> for Panel {
    fn from(f: &Figure) -> Panel {
        Panel(f.to_html())
    }
}

impl From<Figure> for Panel {
    fn from(f: Figure) -> Panel {
        Panel(f.to_html())
    }
}

impl From<&super::Animation> for Panel {
    fn from(a: &super::Animation) -> Panel {
        Panel(a.to_html())
    }
}

impl From<super::Animation> for Panel {
    fn from(a: super::Animation) -> Panel {
        Panel(a.to_html())
    }
}

/// Several figures (and animations) shown side by side in ONE output block,
/// since a notebook cell keeps only one picture of each type.
///
/// ```
/// use apprentissage::prelude::*;
/// let a = Chart::new().line(&[0.0, 1.0], &[0.0, 1.0], "montée").render();
/// let b = Chart::new().line(&[0.0, 1.0], &[1.0, 0.0], "descente").render();
/// let both = Figures::new().with(&a).with(&b);
/// assert_eq!(both.len(), 2);
/// let text = both.evcxr_content();
/// assert!(text.starts_with("EVCXR_BEGIN_CONTENT text/html\n<div"));
/// assert_eq!(text.matches("<img src=\"data:image/png;base64,").count(), 2);
/// // or from an iterator:
/// let all: Figures = vec![a, b].into_iter().collect();
/// assert_eq!(all.len(), 2);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Figures {
    panels: Vec<Panel>,
    columns: Option<usize>,
}

impl Figures {
    /// An empty row of figures.
    pub fn new() -> Figures {
        Figures::default()
    }

    /// Adds a figure or an animation (builder style).
    pub fn with(mut self, panel: impl Into<Panel>) -> Figures {
        self.panels.push(panel.into());
        self
    }

    /// Adds a figure or an animation.
    pub fn push(&mut self, panel: impl Into<Panel>) {
        self.panels.push(panel.into());
    }

    /// Lays the figures out on a grid of `n` columns (by default they flow
    /// left to right and wrap at the notebook's width).
    pub fn columns(mut self, n: usize) -> Figures {
        assert!(n > 0, "Figures::columns: at least one column");
        self.columns = Some(n);
        self
    }

    /// Number of figures.
    pub fn len(&self) -> usize {
        self.panels.len()
    }

    /// True when there is no figure.
    pub fn is_empty(&self) -> bool {
        self.panels.is_empty()
    }

    /// The HTML block: the figures' `<img>` elements in a flex or grid `<div>`.
    pub fn to_html(&self) -> String {
        let style = match self.columns {
            Some(n) => format!(
                "display:grid;grid-template-columns:repeat({n},max-content);gap:8px;align-items:start"
            ),
            None => "display:flex;flex-wrap:wrap;gap:8px;align-items:flex-start".to_string(),
        };
        let mut html = format!("<div style=\"{style}\">");
        for Panel(p) in &self.panels {
            html.push_str(p);
        }
        html.push_str("</div>");
        html
    }

    /// Exactly what [`Figures::evcxr_display`] prints (one `text/html` block).
    pub fn evcxr_content(&self) -> String {
        evcxr_block("text/html", &self.to_html())
    }

    /// Shows all the figures under the cell, in one output block.
    pub fn evcxr_display(&self) {
        print!("{}", self.evcxr_content());
    }

    /// Writes an HTML page with all the figures (`.html` only).
    pub fn save(&self, path: impl AsRef<Path>) -> io::Result<()> {
        let path = path.as_ref();
        match extension(path).as_str() {
            "html" | "htm" => std::fs::write(path, html_page(&self.to_html())),
            _ => Err(unknown_extension(path, ".html")),
        }
    }
}

impl<P: Into<Panel>> FromIterator<P> for Figures {
    fn from_iter<I: IntoIterator<Item = P>>(iter: I) -> Figures {
        Figures {
            panels: iter.into_iter().map(Into::into).collect(),
            columns: None,
        }
    }
}

/// Gives a plotting type `evcxr_display` (so it shows itself when it is the
/// last expression of a cell) and conversions into [`Figure`] and [`Panel`].
macro_rules! displayable {
    ($t:ty) => {
        impl $t {
            /// Shows the figure under the cell in a notebook (evcxr kernel):
            /// the same as `.render().evcxr_display()`.
            pub fn evcxr_display(&self) {
                self.render().evcxr_display();
            }
        }
        impl From<&$t> for $crate::plot::Figure {
            fn from(p: &$t) -> $crate::plot::Figure {
                p.render()
            }
        }
        impl From<$t> for $crate::plot::Figure {
            fn from(p: $t) -> $crate::plot::Figure {
                p.render()
            }
        }
        impl From<&$t> for $crate::plot::Panel {
            fn from(p: &$t) -> $crate::plot::Panel {
                (&p.render()).into()
            }
        }
        impl From<$t> for $crate::plot::Panel {
            fn from(p: $t) -> $crate::plot::Panel {
                (&p.render()).into()
            }
        }
    };
}
pub(crate) use displayable;
