//! Schemas compared by structure. `$ref`s are followed and `allOf` members merged before
//! anything is compared, so renaming a component or wrapping it in a one-element `allOf`
//! changes nothing; descriptions, titles and examples are never looked at (lint checks the
//! examples, and `global` reports those that no longer validate).
//!
//! Every difference is reported once per operation and direction: a component reached twice
//! (or through a cycle) is compared the first time only.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::document::{Node, pointer};
use super::policy::Notice;
use super::rules::Rule;
use super::walk::{Direction, Subject, Walk};

mod shape;

use shape::{ANY, Extra, LOWER_BOUNDS, Shape, UPPER_BOUNDS, options};

impl<'a> Walk<'_, 'a> {
    /// Compares the `schema` of two parameters or media types (a missing one allows any
    /// value), reporting each difference as `subject`.
    pub fn schema(&mut self, subject: &Subject, old_owner: &Node<'a>, new_owner: &Node<'a>) {
        let member = |owner: &Node<'a>| {
            owner
                .member("schema")
                .unwrap_or_else(|| Node::new(&ANY, format!("{}/schema", owner.at)))
        };
        let old = Shape::build(self.old, &[member(old_owner)]);
        let new = Shape::build(self.new, &[member(new_owner)]);
        self.shapes(subject, "", &old, &new);
    }

    fn shapes(&mut self, subject: &Subject, path: &str, old: &Shape<'a>, new: &Shape<'a>) {
        let pair = (subject.direction, old.key.clone(), new.key.clone());
        if self.in_progress.contains(&pair) || !self.seen.insert(pair.clone()) {
            return;
        }
        self.in_progress.insert(pair.clone());
        self.nullable(subject, path, old, new);
        self.default(subject, path, old, new);
        self.discriminator(subject, path, old, new);
        match (&old.alternatives, &new.alternatives) {
            (None, None) => self.plain(subject, path, old, new),
            (Some(_), Some(_)) => {
                self.plain(subject, path, old, new);
                self.alternatives(subject, path, old, new);
            }
            _ => self.alternatives(subject, path, old, new),
        }
        self.in_progress.remove(&pair);
    }

    fn nullable(&mut self, subject: &Subject, path: &str, old: &Shape<'a>, new: &Shape<'a>) {
        let what = subject.describe(path);
        match (old.flag("nullable"), new.flag("nullable")) {
            (false, true) => self.report(
                subject.pick(Rule::RequestNullableAdded, Rule::ResponseNullableAdded),
                new.at("nullable"),
                match subject.direction {
                    Direction::Request => format!("{what} now accepts `null`"),
                    Direction::Response => format!("{what} may now be `null`"),
                },
            ),
            (true, false) => self.report(
                subject.pick(Rule::RequestNullableRemoved, Rule::ResponseNullableRemoved),
                new.at.clone(),
                match subject.direction {
                    Direction::Request => format!("{what} no longer accepts `null`"),
                    Direction::Response => format!("{what} is no longer `null`"),
                },
            ),
            _ => {}
        }
    }

    fn default(&mut self, subject: &Subject, path: &str, old: &Shape<'a>, new: &Shape<'a>) {
        let what = subject.describe(path);
        match (old.value("default"), new.value("default")) {
            (None, Some(after)) => self.report(
                Rule::DefaultAdded,
                new.at("default"),
                format!("{what}: default {} added", show(after)),
            ),
            (Some(before), None) => self.report(
                Rule::DefaultRemoved,
                new.at.clone(),
                format!("{what}: default {} removed", show(before)),
            ),
            (Some(before), Some(after)) if before != after => self.report(
                Rule::DefaultChanged,
                new.at("default"),
                format!(
                    "{what}: default changed from {} to {}",
                    show(before),
                    show(after)
                ),
            ),
            _ => {}
        }
    }

    fn discriminator(&mut self, subject: &Subject, path: &str, old: &Shape<'a>, new: &Shape<'a>) {
        let property = |shape: &Shape<'a>| {
            shape
                .discriminator
                .as_ref()
                .and_then(|node| node.value.get("propertyName"))
                .and_then(Value::as_str)
        };
        let what = subject.describe(path);
        let at = new
            .discriminator
            .as_ref()
            .map_or_else(|| new.at.clone(), |node| node.at.clone());
        match (property(old), property(new)) {
            (Some(before), Some(after)) if before != after => self.report(
                Rule::DiscriminatorPropertyChanged,
                format!("{at}/propertyName"),
                format!("{what}: discriminator changed from `{before}` to `{after}`"),
            ),
            (None, Some(after)) => self.report(
                Rule::DiscriminatorPropertyChanged,
                at.clone(),
                format!("{what}: discriminator `{after}` added"),
            ),
            (Some(before), None) => self.report(
                Rule::DiscriminatorPropertyChanged,
                at.clone(),
                format!("{what}: discriminator `{before}` removed"),
            ),
            _ => {}
        }
        let mapping = |shape: &Shape<'a>| {
            shape
                .discriminator
                .as_ref()
                .and_then(|node| node.value.get("mapping"))
                .and_then(Value::as_object)
                .map(|mapping| {
                    mapping
                        .iter()
                        .filter_map(|(key, target)| Some((key.as_str(), target.as_str()?)))
                        .collect::<BTreeMap<&'a str, &'a str>>()
                })
                .unwrap_or_default()
        };
        let (before, after) = (mapping(old), mapping(new));
        let target_name = |target: &str| target.rsplit('/').next().unwrap_or(target).to_owned();
        for (value, target) in &before {
            match after.get(value) {
                None => self.report(
                    Rule::DiscriminatorMappingChanged,
                    at.clone(),
                    format!(
                        "{what}: discriminator value `{value}` no longer maps to `{}`",
                        target_name(target)
                    ),
                ),
                Some(other) if other != target => self.report(
                    Rule::DiscriminatorMappingChanged,
                    pointer(&format!("{at}/mapping"), value),
                    format!(
                        "{what}: discriminator value `{value}` maps to `{}` instead of `{}`",
                        target_name(other),
                        target_name(target)
                    ),
                ),
                Some(_) => {}
            }
        }
        for (value, target) in &after {
            if !before.contains_key(value) {
                self.report(
                    Rule::DiscriminatorMappingAdded,
                    pointer(&format!("{at}/mapping"), value),
                    format!(
                        "{what}: discriminator value `{value}` now maps to `{}`",
                        target_name(target)
                    ),
                );
            }
        }
    }

    /// Everything but `nullable` and the alternatives.
    fn plain(&mut self, subject: &Subject, path: &str, old: &Shape<'a>, new: &Shape<'a>) {
        if !self.kinds(subject, path, old, new) {
            return;
        }
        self.format(subject, path, old, new);
        self.enumeration(subject, path, old, new);
        self.bounds(subject, path, old, new);
        self.properties(subject, path, old, new);
        self.additional_properties(subject, path, old, new);
        self.items(subject, path, old, new);
    }

    /// Reports a change of type; returns whether the values still overlap enough for their
    /// constraints to be compared.
    fn kinds(&mut self, subject: &Subject, path: &str, old: &Shape<'a>, new: &Shape<'a>) -> bool {
        let (before, after) = (old.kind(), new.kind());
        if before == after {
            return true;
        }
        let widened = matches!(
            (before, after),
            (Some("integer"), Some("number")) | (Some(_), None)
        );
        let narrowed = matches!(
            (before, after),
            (Some("number"), Some("integer")) | (None, Some(_))
        );
        let rule = match subject.direction {
            Direction::Request if widened => Rule::RequestTypeWidened,
            Direction::Request => Rule::RequestTypeChanged,
            Direction::Response if narrowed => Rule::ResponseTypeNarrowed,
            Direction::Response => Rule::ResponseTypeChanged,
        };
        let name =
            |kind: Option<&str>| kind.map_or_else(|| "any type".into(), |k| format!("`{k}`"));
        self.report(
            rule,
            new.at("type"),
            format!(
                "{}: type changed from {} to {}",
                subject.describe(path),
                name(before),
                name(after)
            ),
        );
        widened || narrowed
    }

    fn format(&mut self, subject: &Subject, path: &str, old: &Shape<'a>, new: &Shape<'a>) {
        let text = |shape: &Shape<'a>| shape.value("format").and_then(Value::as_str);
        match (text(old), text(new)) {
            (Some(before), Some(after)) if before != after => self.report(
                subject.pick(Rule::RequestTypeChanged, Rule::ResponseTypeChanged),
                new.at("format"),
                format!(
                    "{}: format changed from `{before}` to `{after}`",
                    subject.describe(path)
                ),
            ),
            (None, Some(after)) => self.constraint(
                subject,
                path,
                true,
                new.at("format"),
                format!("format `{after}` added"),
            ),
            (Some(before), None) => self.constraint(
                subject,
                path,
                false,
                new.at.clone(),
                format!("format `{before}` removed"),
            ),
            _ => {}
        }
    }

    fn enumeration(&mut self, subject: &Subject, path: &str, old: &Shape<'a>, new: &Shape<'a>) {
        let values = |shape: &Shape<'a>| shape.value("enum").and_then(Value::as_array);
        let what = subject.describe(path);
        let request = subject.direction == Direction::Request;
        let (narrower, wider) = (
            subject.pick(
                Rule::RequestEnumValueRemoved,
                Rule::ResponseEnumValueRemoved,
            ),
            subject.pick(Rule::RequestEnumValueAdded, Rule::ResponseEnumValueAdded),
        );
        match (values(old), values(new)) {
            (Some(before), Some(after)) => {
                for value in before.iter().filter(|value| !after.contains(value)) {
                    let message = if request {
                        format!("{what} no longer accepts {}", show(value))
                    } else {
                        format!("{what} is no longer {}", show(value))
                    };
                    self.report(narrower, new.at("enum"), message);
                }
                for (index, value) in after.iter().enumerate() {
                    if before.contains(value) {
                        continue;
                    }
                    let message = if request {
                        format!("{what} now accepts {}", show(value))
                    } else {
                        format!("{what} may now be {}", show(value))
                    };
                    self.report(wider, format!("{}/{index}", new.at("enum")), message);
                }
            }
            (None, Some(after)) => {
                let message = format!("{what} is now limited to {}", show_all(after));
                self.report(narrower, new.at("enum"), message);
            }
            (Some(before), None) => {
                let message = format!("{what} is no longer limited to {}", show_all(before));
                self.report(wider, new.at.clone(), message);
            }
            (None, None) => {}
        }
    }

    fn bounds(&mut self, subject: &Subject, path: &str, old: &Shape<'a>, new: &Shape<'a>) {
        for keyword in UPPER_BOUNDS {
            let (before, after) = (old.value(keyword), new.value(keyword));
            let stricter = match (number(before), number(after)) {
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (Some(before), Some(after)) if before != after => after < before,
                _ => continue,
            };
            let what = describe_bound(keyword, before, after);
            self.constraint(subject, path, stricter, new.at(keyword), what);
        }
        for (keyword, default) in LOWER_BOUNDS {
            let (before, after) = (old.value(keyword), new.value(keyword));
            let (low_before, low_after) = (number(before).or(default), number(after).or(default));
            if low_before == low_after {
                continue;
            }
            let stricter = match (low_before, low_after) {
                (Some(before), Some(after)) => after > before,
                (before, _) => before.is_none(),
            };
            let what = describe_bound(keyword, before, after);
            self.constraint(subject, path, stricter, new.at(keyword), what);
        }
        for keyword in ["exclusiveMaximum", "exclusiveMinimum", "uniqueItems"] {
            match (old.flag(keyword), new.flag(keyword)) {
                (false, true) => self.constraint(
                    subject,
                    path,
                    true,
                    new.at(keyword),
                    format!("`{keyword}` added"),
                ),
                (true, false) => self.constraint(
                    subject,
                    path,
                    false,
                    new.at.clone(),
                    format!("`{keyword}` removed"),
                ),
                _ => {}
            }
        }
        match (
            number(old.value("multipleOf")),
            number(new.value("multipleOf")),
        ) {
            (before, after) if before == after => {}
            (before, after) => {
                // A multiple of 10 is a multiple of 5: a divisor of the old step loosens.
                let stricter = match (before, after) {
                    (Some(before), Some(after)) => (before / after).fract() != 0.0,
                    (before, _) => before.is_none(),
                };
                let what = describe_bound(
                    "multipleOf",
                    old.value("multipleOf"),
                    new.value("multipleOf"),
                );
                self.constraint(subject, path, stricter, new.at("multipleOf"), what);
            }
        }
        let pattern = |shape: &Shape<'a>| shape.value("pattern").and_then(Value::as_str);
        // Whether a new pattern refuses values the old one let through cannot be known: in a
        // request it is a warning of its own.
        let tightened = |walk: &mut Self, what: String| match subject.direction {
            Direction::Request => walk.report(
                Rule::RequestPatternTightened,
                new.at("pattern"),
                format!("{}: {what}", subject.describe(path)),
            ),
            Direction::Response => walk.constraint(subject, path, true, new.at("pattern"), what),
        };
        match (pattern(old), pattern(new)) {
            (Some(before), Some(after)) if before != after => tightened(
                self,
                format!("pattern changed from `{before}` to `{after}`"),
            ),
            (None, Some(after)) => tightened(self, format!("pattern `{after}` added")),
            (Some(before), None) => self.constraint(
                subject,
                path,
                false,
                new.at.clone(),
                format!("pattern `{before}` removed"),
            ),
            _ => {}
        }
    }

    fn properties(&mut self, subject: &Subject, path: &str, old: &Shape<'a>, new: &Shape<'a>) {
        // A request never carries `readOnly` properties, a response never `writeOnly` ones.
        let hidden = match subject.direction {
            Direction::Request => "readOnly",
            Direction::Response => "writeOnly",
        };
        let names: BTreeSet<&str> = old
            .properties
            .keys()
            .chain(new.properties.keys())
            .copied()
            .collect();
        for name in names {
            let field = join(path, name);
            let what = subject.describe(&field);
            let before = old
                .properties
                .get(name)
                .map(|nodes| Shape::build(self.old, nodes));
            let after = new
                .properties
                .get(name)
                .map(|nodes| Shape::build(self.new, nodes));
            // Where the property is listed (its own schema may be a `$ref` elsewhere).
            let listed_at = new
                .properties
                .get(name)
                .and_then(|nodes| nodes.first())
                .map_or_else(|| new.at.clone(), |node| node.at.clone());
            let hidden_before = before.as_ref().is_some_and(|shape| shape.flag(hidden));
            let hidden_after = after.as_ref().is_some_and(|shape| shape.flag(hidden));
            if before.is_some() && after.is_some() && hidden_before != hidden_after {
                self.visibility(subject, &what, hidden_after, new, name, &listed_at);
                continue;
            }
            let before = before.filter(|_| !hidden_before);
            let after = after.filter(|_| !hidden_after);
            let required_before = old.required.contains_key(name);
            let required_after = new.required.get(name);
            match (before, after) {
                (Some(before), Some(after)) => {
                    match (required_before, required_after, subject.direction) {
                        (false, Some(list), Direction::Request) => self.report(
                            Rule::RequestFieldBecameRequired,
                            list.clone(),
                            format!("{what} is now required"),
                        ),
                        (true, None, Direction::Request) => self.report(
                            Rule::RequestFieldBecameOptional,
                            listed_at,
                            format!("{what} is now optional"),
                        ),
                        (false, Some(list), Direction::Response) => self.report(
                            Rule::ResponseFieldBecameRequired,
                            list.clone(),
                            format!("{what} is now always present"),
                        ),
                        (true, None, Direction::Response) => self.report(
                            Rule::ResponseFieldBecameOptional,
                            listed_at,
                            format!("{what} is now optional: it may be missing"),
                        ),
                        _ => {}
                    }
                    self.shapes(subject, &field, &before, &after);
                }
                (None, Some(_)) => {
                    let (rule, message) = match (subject.direction, required_after) {
                        (Direction::Request, Some(_)) => (
                            Rule::RequestFieldRequiredAdded,
                            format!("{what} was added as required"),
                        ),
                        (Direction::Request, None) => (
                            Rule::RequestFieldOptionalAdded,
                            format!("{what} was added as optional"),
                        ),
                        (Direction::Response, _) => {
                            (Rule::ResponseFieldAdded, format!("{what} was added"))
                        }
                    };
                    self.report(rule, listed_at, message);
                }
                (Some(_), None) => {
                    let at = new.properties_at.clone().unwrap_or_else(|| new.at.clone());
                    let (rule, message) = match subject.direction {
                        Direction::Request => {
                            (Rule::RequestFieldRemoved, format!("{what} was removed"))
                        }
                        Direction::Response => self.response_field_removal(&what, old, name),
                    };
                    self.report(rule, at, message);
                }
                (None, None) => {}
            }
        }
    }

    /// A property that became `readOnly` or `writeOnly` (`now_hidden`), or stopped being,
    /// which hides it from requests or responses, or shows it there.
    fn visibility(
        &mut self,
        subject: &Subject,
        what: &str,
        now_hidden: bool,
        new: &Shape<'a>,
        name: &str,
        listed_at: &str,
    ) {
        let (rule, message) = match (subject.direction, now_hidden) {
            (Direction::Request, true) => (
                Rule::PropertyBecameReadOnly,
                format!("{what} is now read-only: what clients send in it is ignored"),
            ),
            (Direction::Response, true) => (
                Rule::PropertyBecameWriteOnly,
                format!("{what} is now write-only: responses no longer carry it"),
            ),
            (Direction::Request, false) if new.required.contains_key(name) => (
                Rule::RequestFieldRequiredAdded,
                format!("{what} is no longer read-only and is required in requests"),
            ),
            (Direction::Request, false) => (
                Rule::PropertyNoLongerReadOnly,
                format!("{what} is no longer read-only: clients may send it"),
            ),
            (Direction::Response, false) => (
                Rule::PropertyNoLongerWriteOnly,
                format!("{what} is no longer write-only: responses carry it"),
            ),
        };
        self.report(rule, listed_at.to_owned(), message);
    }

    /// The rule and message for a response field gone from `old`: the deprecation policy
    /// decides when the older document had marked it `deprecated`.
    fn response_field_removal(&self, what: &str, old: &Shape<'a>, name: &str) -> (Rule, String) {
        let notice = old
            .properties
            .get(name)
            .into_iter()
            .flatten()
            .map(|node| self.policy.notice(self.old.resolve(node).value))
            .find(|notice| !matches!(notice, Notice::None))
            .unwrap_or(Notice::None);
        match notice {
            Notice::None => (Rule::ResponseFieldRemoved, format!("{what} was removed")),
            Notice::Served { why } => (
                Rule::ResponseFieldRemovedAfterDeprecation,
                format!("{what} was removed after its deprecation: {why}"),
            ),
            Notice::Short { why } => (
                Rule::ResponseFieldRemovedBeforeSunset,
                format!("{what} was removed too soon: {why}"),
            ),
        }
    }

    fn additional_properties(
        &mut self,
        subject: &Subject,
        path: &str,
        old: &Shape<'a>,
        new: &Shape<'a>,
    ) {
        let at = new
            .closed
            .clone()
            .or_else(|| new.additional.first().map(|node| node.at.clone()))
            .unwrap_or_else(|| new.at.clone());
        let (stricter, what) = match (Extra::of(old), Extra::of(new)) {
            (Extra::Any, Extra::Any) | (Extra::Closed, Extra::Closed) => return,
            (Extra::Schema(before), Extra::Schema(after)) => {
                let before = Shape::build(self.old, before);
                let after = Shape::build(self.new, after);
                self.shapes(subject, &join(path, "*"), &before, &after);
                return;
            }
            (Extra::Any | Extra::Schema(_), Extra::Closed) => {
                (true, "additional properties are no longer allowed")
            }
            (Extra::Any, Extra::Schema(_)) => {
                (true, "additional properties must now match a schema")
            }
            (Extra::Closed, Extra::Any) => (false, "additional properties are now allowed"),
            (Extra::Closed, Extra::Schema(_)) => (
                false,
                "additional properties matching a schema are now allowed",
            ),
            (Extra::Schema(_), Extra::Any) => (
                false,
                "additional properties no longer need to match a schema",
            ),
        };
        let rule = match (subject.direction, stricter) {
            (Direction::Request, true) => Rule::RequestAdditionalPropertiesTightened,
            (Direction::Request, false) => Rule::RequestAdditionalPropertiesLoosened,
            (Direction::Response, true) => Rule::ResponseAdditionalPropertiesTightened,
            (Direction::Response, false) => Rule::ResponseAdditionalPropertiesLoosened,
        };
        self.report(rule, at, format!("{}: {what}", subject.describe(path)));
    }

    fn items(&mut self, subject: &Subject, path: &str, old: &Shape<'a>, new: &Shape<'a>) {
        if old.items.is_empty() && new.items.is_empty() {
            return;
        }
        let or_any = |items: &[Node<'a>], owner: &str| {
            if items.is_empty() {
                vec![Node::new(&ANY, format!("{owner}/items"))]
            } else {
                items.to_vec()
            }
        };
        let before = Shape::build(self.old, &or_any(&old.items, &old.at));
        let after = Shape::build(self.new, &or_any(&new.items, &new.at));
        self.shapes(subject, &format!("{path}[]"), &before, &after);
    }

    /// Pairs the `oneOf`/`anyOf` alternatives of both sides (a schema without them is its own
    /// single alternative): identical ones first, then by component name, then by type, then
    /// a last one of each side. What stays unpaired was removed or added.
    fn alternatives(&mut self, subject: &Subject, path: &str, old: &Shape<'a>, new: &Shape<'a>) {
        let before = options(self.old, old);
        let after = options(self.new, new);
        let mut pairing = Pairing::new(before.len(), after.len());
        pairing.pair(&before, &after, |left, right| {
            self.equivalent(subject, left, right)
        });
        let identical = pairing.before.clone();
        pairing.pair(&before, &after, |left, right| {
            left.name.is_some() && left.name == right.name
        });
        pairing.pair(&before, &after, |left, right| left.kind() == right.kind());
        if pairing.unpaired() == (1, 1) {
            pairing.pair(&before, &after, |_, _| true);
        }

        let what = subject.describe(path);
        let list_at = new
            .alternatives
            .as_ref()
            .map_or_else(|| new.at.clone(), |(at, _)| at.clone());
        for (index, other) in pairing.before.iter().enumerate() {
            match other {
                Some(_) if identical[index].is_some() => {}
                Some(other) => self.shapes(subject, path, &before[index], &after[*other]),
                None => self.report(
                    subject.pick(Rule::RequestVariantRemoved, Rule::ResponseVariantRemoved),
                    list_at.clone(),
                    format!("{what}: alternative {} was removed", before[index].label()),
                ),
            }
        }
        for (option, paired) in after.iter().zip(&pairing.after) {
            if !paired {
                self.report(
                    subject.pick(Rule::RequestVariantAdded, Rule::ResponseVariantAdded),
                    option.at.clone(),
                    format!("{what}: alternative {} was added", option.label()),
                );
            }
        }
    }

    /// Whether comparing `old` with `new` finds nothing at all.
    fn equivalent(&self, subject: &Subject, old: &Shape<'a>, new: &Shape<'a>) -> bool {
        let mut scratch = self.scratch();
        scratch.shapes(subject, "", old, new);
        scratch.is_empty()
    }

    /// Reports a constraint that `stricter` tightened (or else loosened).
    fn constraint(
        &mut self,
        subject: &Subject,
        path: &str,
        stricter: bool,
        at: String,
        what: String,
    ) {
        let rule = match (subject.direction, stricter) {
            (Direction::Request, true) => Rule::RequestBoundsTightened,
            (Direction::Request, false) => Rule::RequestBoundsLoosened,
            (Direction::Response, true) => Rule::ResponseBoundsTightened,
            (Direction::Response, false) => Rule::ResponseBoundsLoosened,
        };
        self.report(rule, at, format!("{}: {what}", subject.describe(path)));
    }
}

/// Which old alternative is paired with which new one.
struct Pairing {
    /// For each old alternative, the new one it is paired with.
    before: Vec<Option<usize>>,
    /// For each new alternative, whether it is paired.
    after: Vec<bool>,
}

impl Pairing {
    fn new(before: usize, after: usize) -> Self {
        Self {
            before: vec![None; before],
            after: vec![false; after],
        }
    }

    /// Pairs each unpaired old alternative with the first unpaired new one that is `same`.
    fn pair<T>(&mut self, before: &[T], after: &[T], mut same: impl FnMut(&T, &T) -> bool) {
        for (index, option) in before.iter().enumerate() {
            if self.before[index].is_some() {
                continue;
            }
            let found =
                (0..after.len()).find(|&other| !self.after[other] && same(option, &after[other]));
            if let Some(other) = found {
                self.before[index] = Some(other);
                self.after[other] = true;
            }
        }
    }

    /// How many alternatives of each side are unpaired.
    fn unpaired(&self) -> (usize, usize) {
        (
            self.before.iter().filter(|other| other.is_none()).count(),
            self.after.iter().filter(|paired| !**paired).count(),
        )
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn number(value: Option<&Value>) -> Option<f64> {
    value.and_then(Value::as_f64)
}

fn describe_bound(keyword: &str, before: Option<&Value>, after: Option<&Value>) -> String {
    match (before, after) {
        (None, Some(after)) => format!("`{keyword}` {after} added"),
        (Some(before), None) => format!("`{keyword}` {before} removed"),
        (Some(before), Some(after)) => {
            let direction = if number(Some(after)) < number(Some(before)) {
                "lowered"
            } else {
                "raised"
            };
            format!("`{keyword}` {direction} from {before} to {after}")
        }
        (None, None) => format!("`{keyword}` unchanged"),
    }
}

/// An enum value as messages quote it.
fn show(value: &Value) -> String {
    match value {
        Value::String(text) => format!("`{text}`"),
        other => format!("`{other}`"),
    }
}

fn show_all(values: &[Value]) -> String {
    values.iter().map(show).collect::<Vec<_>>().join(", ")
}
