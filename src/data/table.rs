//! [`PixelTable`]: a transform evaluated once for the 256 values of a pixel,
//! what a batch builder looks up for every pixel.

use std::sync::Arc;

use crate::data::transforms::Transform;

/// A transform evaluated once for the 256 pixel values of each channel: what a
/// batch builder looks up for every pixel. [`crate::data::Dataset::pixel_table`]
/// returns one.
///
/// ```
/// use apprentissage::prelude::*;
/// use apprentissage::data::PixelTable;
/// let table = PixelTable::new(Some(&ToTensor), 3);
/// assert_eq!(table.channel(2)[255], 1.0);
/// assert_eq!(PixelTable::identity().channel(0)[7], 7.0);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct PixelTable {
    /// 256 values per channel, channel after channel.
    values: Arc<[f32]>,
}

impl PixelTable {
    /// The table of `transform` for images of `channels` channels (raw
    /// values when `transform` is `None`). Panics when `channels` is 0.
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// use apprentissage::data::PixelTable;
    /// let t = PixelTable::new(Some(&Normalize::new([0.0, 10.0], 1.0)), 2);
    /// assert_eq!((t.channel(0)[10], t.channel(1)[10]), (10.0, 0.0));
    /// ```
    pub fn new(transform: Option<&dyn Transform>, channels: usize) -> PixelTable {
        assert!(channels > 0, "PixelTable: images need at least one channel");
        let values = (0..channels)
            .flat_map(|c| {
                (0..256).map(move |p| match transform {
                    Some(t) => t.apply(p as f32, c),
                    None => p as f32,
                })
            })
            .collect();
        PixelTable { values }
    }

    /// The table that keeps raw values (0 to 255), for every channel.
    ///
    /// ```
    /// use apprentissage::data::PixelTable;
    /// assert_eq!(PixelTable::identity().channel(5)[255], 255.0);
    /// ```
    pub fn identity() -> PixelTable {
        PixelTable::new(None, 1)
    }

    /// The 256 values of channel `c` (a one-channel table serves every channel).
    ///
    /// ```
    /// use apprentissage::prelude::*;
    /// use apprentissage::data::PixelTable;
    /// assert_eq!(PixelTable::new(Some(&ToTensor), 1).channel(0)[0], 0.0);
    /// ```
    #[inline]
    pub fn channel(&self, c: usize) -> &[f32; 256] {
        let channels = self.values.len() / 256;
        let c = if channels == 1 { 0 } else { c };
        assert!(
            c < channels,
            "PixelTable: channel {c} asked, the table has {channels}"
        );
        self.values[c * 256..(c + 1) * 256]
            .try_into()
            .expect("256 values per channel")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose;
    use crate::data::{Normalize, ToTensor};

    #[test]
    fn table_matches_the_transform_exactly() {
        let trs = compose![
            ToTensor,
            Normalize::new([0.4914, 0.4822, 0.4465], [0.2470, 0.2435, 0.2616])
        ];
        let table = PixelTable::new(Some(&trs), 3);
        for c in 0..3 {
            for p in 0..256 {
                assert_eq!(table.channel(c)[p], trs.apply(p as f32, c));
            }
        }
    }
}
