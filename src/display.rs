//! Printing tensors the way PyTorch does, so that a notebook's output can be
//! compared with the course's line by line.
//!
//! ```
//! use apprentissage::prelude::*;
//! let a = tensor!([[1., 2.], [3., 4.]]);
//! assert_eq!(a.to_string(), "tensor([[1., 2.],\n        [3., 4.]])");
//! let x = tensor!([0.5, -1.25]).requires_grad_();
//! assert_eq!(x.to_string(), "tensor([ 0.5000, -1.2500], requires_grad=true)");
//! assert_eq!((&x * 2.0).to_string(), "tensor([ 1.0000, -2.5000], grad_fn=<MulBackward0>)");
//! ```
//!
//! The rules are PyTorch's: if every value is a whole number they print as
//! `1.`; otherwise with 4 decimals, or in scientific notation when the values
//! span more than three orders of magnitude (or go beyond 10⁸ or below 10⁻⁴).
//! All numbers are padded to the same width; tensors of more than 1000
//! elements show only their first and last three entries per dimension.

use std::fmt;

use ndarray::{ArrayViewD, Axis};

use crate::tensor::Tensor;

/// Above this many elements, a tensor is summarised with `...`.
const SUMMARY_THRESHOLD: usize = 1000;
/// Entries shown at each end of a summarised dimension.
const EDGE_ITEMS: usize = 3;
/// PyTorch's default line width.
const LINE_WIDTH: usize = 80;

/// How every number of one tensor is written.
#[derive(Clone, Copy)]
enum Style {
    /// `12.` — every finite value is a whole number.
    Whole,
    /// `0.1235` — four decimals.
    Fixed,
    /// `1.2346e+05`.
    Scientific,
}

impl Style {
    /// PyTorch's `_Formatter`: chosen from the finite values shown.
    fn choose(values: &[f32]) -> Style {
        let finite: Vec<f32> = values.iter().copied().filter(|v| v.is_finite()).collect();
        if finite.is_empty() {
            return Style::Fixed;
        }
        let abs_nonzero: Vec<f32> = finite
            .iter()
            .map(|v| v.abs())
            .filter(|&v| v > 0.0)
            .collect();
        let max = abs_nonzero.iter().copied().fold(0.0f32, f32::max);
        let min = abs_nonzero.iter().copied().fold(f32::INFINITY, f32::min);
        if finite.iter().all(|v| v.fract() == 0.0) {
            return if max > 1e8 {
                Style::Scientific
            } else {
                Style::Whole
            };
        }
        if abs_nonzero.is_empty() {
            return Style::Fixed;
        }
        if max / min > 1000.0 || max > 1e8 || min < 1e-4 {
            Style::Scientific
        } else {
            Style::Fixed
        }
    }

    fn format(self, v: f32) -> String {
        if v.is_nan() {
            return "nan".into();
        }
        if v.is_infinite() {
            return if v > 0.0 { "inf".into() } else { "-inf".into() };
        }
        match self {
            Style::Whole => format!("{v:.0}."),
            Style::Fixed => format!("{v:.4}"),
            Style::Scientific => {
                // Rust writes 1.2346e5; PyTorch writes 1.2346e+05.
                let s = format!("{v:.4e}");
                let (mantissa, exp) = s.split_once('e').expect("exponent");
                let exp: i32 = exp.parse().expect("integer exponent");
                let sign = if exp < 0 { '-' } else { '+' };
                format!("{mantissa}e{sign}{:02}", exp.abs())
            }
        }
    }
}

/// The values that will actually be printed (all, or the edges when summarised).
fn shown_values(a: &ArrayViewD<f32>, summarise: bool, out: &mut Vec<f32>) {
    if a.ndim() == 0 {
        out.push(a[[]]);
        return;
    }
    let n = a.len_of(Axis(0));
    for i in 0..n {
        if summarise && n > 2 * EDGE_ITEMS && i == EDGE_ITEMS {
            // skip to the last EDGE_ITEMS
            for j in n - EDGE_ITEMS..n {
                shown_values(&a.index_axis(Axis(0), j), summarise, out);
            }
            return;
        }
        shown_values(&a.index_axis(Axis(0), i), summarise, out);
    }
}

/// Writes `a` (nested brackets) at column `indent`.
fn write_nested(
    out: &mut String,
    a: &ArrayViewD<f32>,
    style: Style,
    width: usize,
    indent: usize,
    summarise: bool,
) {
    if a.ndim() == 0 {
        out.push_str(&format!("{:>width$}", style.format(a[[]])));
        return;
    }
    let n = a.len_of(Axis(0));
    let skip = summarise && n > 2 * EDGE_ITEMS;
    let indices: Vec<Option<usize>> = if skip {
        (0..EDGE_ITEMS)
            .map(Some)
            .chain(std::iter::once(None))
            .chain((n - EDGE_ITEMS..n).map(Some))
            .collect()
    } else {
        (0..n).map(Some).collect()
    };
    out.push('[');
    if a.ndim() == 1 {
        // wrap long rows at LINE_WIDTH like PyTorch
        let per_line = (LINE_WIDTH.saturating_sub(indent) / (width + 2)).max(1);
        for (k, i) in indices.iter().enumerate() {
            if k > 0 {
                out.push(',');
                if k % per_line == 0 {
                    out.push('\n');
                    out.push_str(&" ".repeat(indent + 1));
                } else {
                    out.push(' ');
                }
            }
            match i {
                Some(i) => out.push_str(&format!("{:>width$}", style.format(a[[*i]]))),
                None => out.push_str(" ..."),
            }
        }
    } else {
        let separator = format!(",{}{}", "\n".repeat(a.ndim() - 1), " ".repeat(indent + 1));
        for (k, i) in indices.iter().enumerate() {
            if k > 0 {
                out.push_str(&separator);
            }
            match i {
                Some(i) => write_nested(
                    out,
                    &a.index_axis(Axis(0), *i),
                    style,
                    width,
                    indent + 1,
                    summarise,
                ),
                None => out.push_str("..."),
            }
        }
    }
    out.push(']');
}

impl fmt::Display for Tensor {
    /// `tensor([...])` with `requires_grad=true` or `grad_fn=<…>` as PyTorch prints them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let data = self.data();
        let view = data.view();
        let mut body = String::new();
        if data.is_empty() {
            body.push_str("[]");
        } else {
            let summarise = data.len() > SUMMARY_THRESHOLD;
            let mut values = Vec::new();
            shown_values(&view, summarise, &mut values);
            let style = Style::choose(&values);
            let width = values
                .iter()
                .map(|&v| style.format(v).len())
                .max()
                .unwrap_or(1);
            write_nested(&mut body, &view, style, width, "tensor(".len(), summarise);
        }
        let mut suffix = String::new();
        if data.is_empty() && data.ndim() > 1 {
            suffix.push_str(&format!(", size={:?}", data.shape()));
        }
        match self.grad_fn() {
            Some(name) => suffix.push_str(&format!(", grad_fn=<{name}>")),
            None if self.requires_grad() => suffix.push_str(", requires_grad=true"),
            None => {}
        }
        write!(f, "tensor({body}{suffix})")
    }
}

impl fmt::Debug for Tensor {
    /// Short form: shape and autograd state, e.g. `Tensor[2, 3] grad_fn=MulBackward0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tensor{:?}", self.shape())?;
        match self.grad_fn() {
            Some(name) => write!(f, " grad_fn={name}"),
            None if self.requires_grad() => write!(f, " requires_grad"),
            None => Ok(()),
        }
    }
}

impl Tensor {
    /// Shows the tensor in a Jupyter notebook (evcxr kernel) as PyTorch prints
    /// it, when it is the last expression of a cell.
    pub fn evcxr_display(&self) {
        println!("EVCXR_BEGIN_CONTENT text/plain\n{self}\nEVCXR_END_CONTENT");
    }
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;

    // Each expected string below is what PyTorch 2.x prints for the same tensor.

    #[test]
    fn whole_numbers() {
        // print(torch.tensor([[1., 2.], [3., 4.]]))
        assert_eq!(
            tensor!([[1., 2.], [3., 4.]]).to_string(),
            "tensor([[1., 2.],\n        [3., 4.]])"
        );
        // print(torch.tensor([[0,0,0],[10,10,10]]).float() + 7)
        assert_eq!(
            (tensor!([[0, 0, 0], [10, 10, 10]]) + 7.0).to_string(),
            "tensor([[ 7.,  7.,  7.],\n        [17., 17., 17.]])"
        );
        assert_eq!(tensor!(3.).to_string(), "tensor(3.)");
        assert_eq!(tensor!([-1., 0.]).to_string(), "tensor([-1.,  0.])");
    }

    #[test]
    fn decimals_and_scientific_notation() {
        // torch.softmax(torch.tensor([-1., 1., 3.]), 0)
        assert_eq!(
            tensor!([0.0159, 0.1173, 0.8668]).to_string(),
            "tensor([0.0159, 0.1173, 0.8668])"
        );
        // torch.tensor([1e-5, 1.])
        assert_eq!(
            tensor!([1e-5, 1.]).to_string(),
            "tensor([1.0000e-05, 1.0000e+00])"
        );
        // torch.tensor([123456.5, 1.5])
        assert_eq!(
            tensor!([123456.5, 1.5]).to_string(),
            "tensor([1.2346e+05, 1.5000e+00])"
        );
        assert_eq!(
            tensor!([f32::NAN, 1.5, f32::INFINITY]).to_string(),
            "tensor([   nan, 1.5000,    inf])"
        );
    }

    #[test]
    fn three_dimensions_are_separated_by_a_blank_line() {
        // print(torch.zeros(2, 1, 2))
        assert_eq!(
            Tensor::zeros(&[2, 1, 2]).to_string(),
            "tensor([[[0., 0.]],\n\n        [[0., 0.]]])"
        );
    }

    #[test]
    fn autograd_suffixes() {
        let x = tensor!([1.]).requires_grad_();
        assert_eq!(x.to_string(), "tensor([1.], requires_grad=true)");
        assert_eq!(
            (&x + 1.0).to_string(),
            "tensor([2.], grad_fn=<AddBackward0>)"
        );
        assert_eq!(format!("{:?}", &x * 2.0), "Tensor[1] grad_fn=MulBackward0");
        assert_eq!(format!("{:?}", Tensor::zeros(&[2, 3])), "Tensor[2, 3]");
    }

    #[test]
    fn long_tensors_are_summarised_and_wrapped() {
        // print(torch.arange(2000.))
        let s = Tensor::arange(0.0, 2000.0, 1.0).to_string();
        assert_eq!(
            s,
            "tensor([   0.,    1.,    2.,  ..., 1997., 1998., 1999.])"
        );
        // print(torch.arange(30.)) wraps at 80 columns, 14 numbers a line
        let s = Tensor::arange(0.0, 30.0, 1.0).to_string();
        assert_eq!(
            s,
            "tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,\n\
             \x20       14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,\n\
             \x20       28., 29.])"
        );
        let big = Tensor::zeros(&[100, 100]).to_string();
        assert_eq!(big.lines().count(), 7, "{big}");
        assert!(big.contains("        ...,\n"), "{big}");
    }

    #[test]
    fn empty_tensors() {
        assert_eq!(Tensor::zeros(&[0]).to_string(), "tensor([])");
        assert_eq!(
            Tensor::zeros(&[2, 0]).to_string(),
            "tensor([], size=[2, 0])"
        );
    }
}
