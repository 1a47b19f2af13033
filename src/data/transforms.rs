//! Transforms applied to images when a batch is built (course 8.2.3):
//! [`ToTensor`], [`Normalize`], [`Lambda`] and [`Compose`], with PyTorch's names.
//!
//! Images stay `u8` in memory (course 8.3.3). A transform only says what each
//! pixel value of each channel becomes, so a chain of transforms is evaluated
//! once for the 256 possible values of every channel when it is attached to a
//! dataset ([`PixelTable`](crate::data::PixelTable)); building a batch is then
//! one table look-up per pixel, whatever the chain.
//!
//! ```
//! use apprentissage::prelude::*;
//!
//! // transforms.Compose([transforms.ToTensor(), transforms.Normalize(0.1307, 0.3081)])
//! let trs = compose![ToTensor, Normalize::new(0.1307, 0.3081)];
//! assert_eq!(trs.apply(255.0, 0), (1.0 - 0.1307) / 0.3081);
//! println!("{trs}");
//! ```

use std::fmt;
use std::sync::Arc;

/// One step of image preparation: what a value of channel `channel` becomes.
///
/// The first step receives the raw pixel value (0 to 255, as `f32`), each
/// next step the previous step's result. Implement it for your own pixel-wise
/// transform, or use [`Lambda`] with a closure.
///
/// ```
/// use apprentissage::data::Transform;
/// use std::fmt;
///
/// /// Inverts a grey image: 255 − v.
/// struct Invert;
/// impl fmt::Display for Invert {
///     fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result { write!(f, "Invert()") }
/// }
/// impl Transform for Invert {
///     fn apply(&self, value: f32, _channel: usize) -> f32 { 255.0 - value }
/// }
/// assert_eq!(Invert.apply(0.0, 0), 255.0);
/// ```
pub trait Transform: fmt::Display + Send + Sync {
    /// The value that `value`, in channel `channel`, becomes.
    fn apply(&self, value: f32, channel: usize) -> f32;

    /// Checks that the transform suits images of `channels` channels; the error
    /// says what is wrong. [`Normalize`] uses it to check its number of means.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert!(Normalize::new([0.5, 0.5, 0.5], [0.2, 0.2, 0.2]).check(1).is_err());
    /// assert!(Normalize::new(0.5, 0.2).check(3).is_ok());
    /// ```
    fn check(&self, channels: usize) -> Result<(), String> {
        let _ = channels;
        Ok(())
    }
}

/// `transforms.ToTensor()`: pixel values 0–255 become `f32` in [0, 1].
///
/// Images are already stored channels first, (C, H, W), so the only work left
/// is the division by 255.
///
/// ```
/// use apprentissage::prelude::*;
/// assert_eq!(ToTensor.apply(255.0, 0), 1.0);
/// assert_eq!(ToTensor.to_string(), "ToTensor()");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct ToTensor;

impl Transform for ToTensor {
    fn apply(&self, value: f32, _channel: usize) -> f32 {
        value / 255.0
    }
}

impl fmt::Display for ToTensor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ToTensor()")
    }
}

/// One value for every channel, or one per channel: what [`Normalize::new`]
/// accepts (`0.5`, `[0.5, 0.4, 0.3]`, `vec![…]`, `&[…]`).
///
/// ```
/// use apprentissage::data::PerChannel;
/// assert_eq!(0.5.into_channels(), vec![0.5]);
/// assert_eq!([0.1, 0.2].into_channels(), vec![0.1, 0.2]);
/// ```
pub trait PerChannel {
    /// The values, one per channel (or a single one for all channels).
    fn into_channels(self) -> Vec<f32>;
}

impl PerChannel for f32 {
    fn into_channels(self) -> Vec<f32> {
        vec![self]
    }
}

impl<const N: usize> PerChannel for [f32; N] {
    fn into_channels(self) -> Vec<f32> {
        self.to_vec()
    }
}

impl PerChannel for &[f32] {
    fn into_channels(self) -> Vec<f32> {
        self.to_vec()
    }
}

impl PerChannel for Vec<f32> {
    fn into_channels(self) -> Vec<f32> {
        self
    }
}

/// `transforms.Normalize(mean, std)`: `(value − mean[c]) / std[c]` in each
/// channel `c` (course 8.2.2). One mean and one std serve every channel.
///
/// ```
/// use apprentissage::prelude::*;
/// let n = Normalize::new([0.5, 0.25, 0.0], [0.5, 0.5, 2.0]);
/// assert_eq!(n.apply(1.0, 0), 1.0);
/// assert_eq!(n.apply(1.0, 1), 1.5);
/// assert_eq!(n.apply(1.0, 2), 0.5);
/// assert_eq!(n.to_string(), "Normalize(mean=(0.5, 0.25, 0), std=(0.5, 0.5, 2))");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Normalize {
    mean: Vec<f32>,
    std: Vec<f32>,
}

impl Normalize {
    /// A normalisation by `mean` and `std` (a number, or one per channel).
    ///
    /// Panics when a std is zero or not finite, when a mean is not finite, or
    /// when `mean` and `std` are empty.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let mnist = Normalize::new(0.1307, 0.3081);
    /// assert_eq!(mnist.mean(), &[0.1307]);
    /// ```
    pub fn new(mean: impl PerChannel, std: impl PerChannel) -> Normalize {
        let (mean, std) = (mean.into_channels(), std.into_channels());
        assert!(
            !mean.is_empty() && !std.is_empty(),
            "Normalize: mean and std need at least one value each"
        );
        assert!(
            mean.iter().all(|m| m.is_finite()),
            "Normalize: every mean must be a finite number, got {mean:?}"
        );
        assert!(
            std.iter().all(|s| s.is_finite() && *s != 0.0),
            "Normalize: std evaluated to zero or is not finite ({std:?}), division by zero"
        );
        Normalize { mean, std }
    }

    /// The means, as given.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(Normalize::new([0.1, 0.2], 1.0).mean(), &[0.1, 0.2]);
    /// ```
    pub fn mean(&self) -> &[f32] {
        &self.mean
    }

    /// The standard deviations, as given.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(Normalize::new(0.0, [2.0, 4.0]).std(), &[2.0, 4.0]);
    /// ```
    pub fn std(&self) -> &[f32] {
        &self.std
    }
}

/// The value for channel `c` in a list holding one value or one per channel.
fn per_channel(values: &[f32], c: usize) -> f32 {
    if values.len() == 1 {
        values[0]
    } else {
        values[c]
    }
}

impl Transform for Normalize {
    fn apply(&self, value: f32, channel: usize) -> f32 {
        (value - per_channel(&self.mean, channel)) / per_channel(&self.std, channel)
    }

    fn check(&self, channels: usize) -> Result<(), String> {
        for (what, values) in [("means", &self.mean), ("stds", &self.std)] {
            if values.len() != 1 && values.len() != channels {
                return Err(format!(
                    "{self} has {} {what} but the images have {channels} channel{}: give one value, or one per channel",
                    values.len(),
                    if channels == 1 { "" } else { "s" }
                ));
            }
        }
        Ok(())
    }
}

/// Writes `0.5` for one value and `(0.5, 0.4)` for several, like Python's repr.
fn write_values(f: &mut fmt::Formatter<'_>, values: &[f32]) -> fmt::Result {
    match values {
        [one] => write!(f, "{one}"),
        _ => {
            let parts: Vec<String> = values.iter().map(|v| v.to_string()).collect();
            write!(f, "({})", parts.join(", "))
        }
    }
}

impl fmt::Display for Normalize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Normalize(mean=")?;
        write_values(f, &self.mean)?;
        write!(f, ", std=")?;
        write_values(f, &self.std)?;
        write!(f, ")")
    }
}

/// `transforms.Lambda(f)`: your own pixel-wise transform from a closure
/// `|value, channel| …`, with a name for display.
///
/// ```
/// use apprentissage::prelude::*;
/// let double = Lambda::new("double", |v, _c| 2.0 * v);
/// assert_eq!(double.apply(3.0, 0), 6.0);
/// assert_eq!(double.to_string(), "Lambda(double)");
/// ```
#[derive(Clone)]
pub struct Lambda {
    name: String,
    f: Arc<dyn Fn(f32, usize) -> f32 + Send + Sync>,
}

impl Lambda {
    /// A transform applying `f(value, channel)`.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let clip = Lambda::new("clip", |v, _| v.min(0.5));
    /// assert_eq!(clip.apply(0.9, 0), 0.5);
    /// ```
    pub fn new(
        name: impl Into<String>,
        f: impl Fn(f32, usize) -> f32 + Send + Sync + 'static,
    ) -> Lambda {
        Lambda {
            name: name.into(),
            f: Arc::new(f),
        }
    }
}

impl Transform for Lambda {
    fn apply(&self, value: f32, channel: usize) -> f32 {
        (self.f)(value, channel)
    }
}

impl fmt::Display for Lambda {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Lambda({})", self.name)
    }
}

/// `transforms.Compose([...])`: transforms applied in order. The
/// [`compose!`](crate::compose) macro writes it without the boxes.
///
/// ```
/// use apprentissage::prelude::*;
/// let trs = Compose::new(vec![Box::new(ToTensor), Box::new(Normalize::new(0.5, 0.5))]);
/// assert_eq!(trs.apply(255.0, 0), 1.0);
/// assert_eq!(trs.len(), 2);
/// ```
#[derive(Default)]
pub struct Compose {
    steps: Vec<Box<dyn Transform>>,
}

impl Compose {
    /// The composition of `steps`, first to last.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// let trs = Compose::new(vec![Box::new(ToTensor)]);
    /// assert_eq!(trs.apply(51.0, 0), 0.2);
    /// ```
    pub fn new(steps: Vec<Box<dyn Transform>>) -> Compose {
        Compose { steps }
    }

    /// The number of steps.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert_eq!(compose![ToTensor].len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// True when there is no step (the identity).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// assert!(Compose::new(vec![]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
}

impl Transform for Compose {
    fn apply(&self, value: f32, channel: usize) -> f32 {
        self.steps.iter().fold(value, |v, t| t.apply(v, channel))
    }

    fn check(&self, channels: usize) -> Result<(), String> {
        self.steps.iter().try_for_each(|t| t.check(channels))
    }
}

impl fmt::Display for Compose {
    /// PyTorch's layout: `Compose(`, one indented line per step, `)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Compose(")?;
        for step in &self.steps {
            for line in step.to_string().lines() {
                writeln!(f, "    {line}")?;
            }
        }
        write!(f, ")")
    }
}

impl fmt::Debug for Compose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// `Compose` without the boxes: `compose![ToTensor, Normalize::new(0.1307, 0.3081)]`
/// is `transforms.Compose([transforms.ToTensor(), transforms.Normalize(0.1307, 0.3081)])`.
///
/// ```
/// use apprentissage::prelude::*;
/// let trs = compose![ToTensor, Normalize::new(0.5, 0.5)];
/// assert_eq!(trs.apply(0.0, 0), -1.0);
/// ```
#[macro_export]
macro_rules! compose {
    ($($step:expr),* $(,)?) => {
        $crate::data::Compose::new(vec![
            $(::std::boxed::Box::new($step) as ::std::boxed::Box<dyn $crate::data::Transform>),*
        ])
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_applies_in_order_and_prints_like_pytorch() {
        let trs = compose![ToTensor, Normalize::new(0.1307, 0.3081)];
        let expected = (200.0 / 255.0 - 0.1307) / 0.3081;
        assert_eq!(trs.apply(200.0, 0), expected);
        assert_eq!(
            trs.to_string(),
            "Compose(\n    ToTensor()\n    Normalize(mean=0.1307, std=0.3081)\n)"
        );
        // Nested compositions indent their own steps.
        let nested = compose![compose![ToTensor], Lambda::new("neg", |v, _| -v)];
        assert_eq!(nested.apply(255.0, 0), -1.0);
        assert_eq!(
            nested.to_string(),
            "Compose(\n    Compose(\n        ToTensor()\n    )\n    Lambda(neg)\n)"
        );
    }

    #[test]
    fn normalize_checks_channels() {
        let n = Normalize::new([0.1, 0.2, 0.3], 0.5);
        assert!(n.check(3).is_ok());
        let err = n.check(1).unwrap_err();
        assert!(
            err.contains("has 3 means but the images have 1 channel"),
            "{err}"
        );
        let err = compose![ToTensor, Normalize::new(0.0, [1.0, 2.0])]
            .check(3)
            .unwrap_err();
        assert!(
            err.contains("2 stds") && err.contains("3 channels"),
            "{err}"
        );
    }

    #[test]
    #[should_panic(expected = "std evaluated to zero")]
    fn normalize_refuses_zero_std() {
        Normalize::new(0.5, [1.0, 0.0]);
    }
}
