//! One thing wrong with a spec, as `cargo xtask lint` prints it: what the checks of
//! `validate.rs` and `pagination.rs` report.

use crate::spec::display_pointer;

/// One thing wrong with the document.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub pointer: String,
    pub message: String,
}

impl Problem {
    pub(crate) fn new(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            message: message.into(),
        }
    }

    /// `spec/novu.yaml: /paths/~1v1~1x/get: message`.
    pub fn display(&self, file: &str) -> String {
        format!(
            "{file}: {}: {}",
            display_pointer(&self.pointer),
            self.message
        )
    }
}
