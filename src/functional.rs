//! (being written)

/// How a loss combines the per-sample values (PyTorch's `reduction=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reduction {
    /// The average over the samples (PyTorch's default).
    #[default]
    Mean,
    /// The sum over the samples.
    Sum,
}
