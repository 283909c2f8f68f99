//! The ids a sequence draws: each is the play's prefix and an index followed by a suffix with
//! the characters routers trip on, or (subscribers) exactly a static segment of a neighbouring
//! route.

use proptest::prelude::*;

/// How a drawn id ends: ids are `<run prefix><model><attempt>-<index><suffix>`, so that
/// they round-trip through path parameters with the characters routers trip on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// The prefixed id followed by this text.
    Suffix(&'static str),
    /// Exactly this text: a static segment of a neighbouring route (`bulk`, `removal`).
    Exact(&'static str),
}

/// Suffixes every user-chosen id may end with; the plain one first, as it shrinks that way.
const SUFFIXES: &[&str] = &[
    "",
    "-bulk",
    "-removal",
    "-preferences",
    "-é",
    "-日本",
    " with space",
    "-100%",
    "-%41",
    "-a+b=c&d",
    "-~!$'()*,;:@",
];

/// Prefixed ids in every shape.
pub(crate) fn suffixed() -> BoxedStrategy<Shape> {
    proptest::sample::select(
        SUFFIXES
            .iter()
            .map(|suffix| Shape::Suffix(suffix))
            .collect::<Vec<_>>(),
    )
    .boxed()
}
