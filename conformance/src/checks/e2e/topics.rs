//! Cases ported from Novu.

use super::Ported;

/// The ported cases of this folder.
pub const CASES: &[Ported] = &[];
