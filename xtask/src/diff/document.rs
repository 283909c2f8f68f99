//! One side of a diff: the raw JSON tree of a loaded spec, with local `$ref`s followed. Every
//! value handed out comes with the JSON pointer where it is written, so that a reported change
//! points at the text a reviewer would read.

use serde_json::Value;

use crate::spec::Spec;

/// How many `$ref`s in a row are followed before the chain is called a cycle.
const MAX_REFERENCE_CHAIN: usize = 64;

/// A value of the document and the JSON pointer it is written at.
#[derive(Clone, Debug)]
pub struct Node<'a> {
    pub value: &'a Value,
    pub at: String,
}

impl<'a> Node<'a> {
    pub fn new(value: &'a Value, at: impl Into<String>) -> Self {
        Self {
            value,
            at: at.into(),
        }
    }

    /// The member `key` of this object, if there is one.
    pub fn member(&self, key: &str) -> Option<Node<'a>> {
        self.value
            .get(key)
            .map(|value| Node::new(value, pointer(&self.at, key)))
    }

    /// The members of the object under `key`, in key order.
    pub fn entries(&self, key: &str) -> Vec<(&'a str, Node<'a>)> {
        let Some(map) = self.value.get(key).and_then(Value::as_object) else {
            return Vec::new();
        };
        let base = pointer(&self.at, key);
        let mut entries: Vec<_> = map
            .iter()
            .map(|(name, value)| (name.as_str(), Node::new(value, pointer(&base, name))))
            .collect();
        entries.sort_by(|left, right| left.0.cmp(right.0));
        entries
    }

    /// The elements of the array under `key`.
    pub fn elements(&self, key: &str) -> Vec<Node<'a>> {
        let Some(items) = self.value.get(key).and_then(Value::as_array) else {
            return Vec::new();
        };
        let base = pointer(&self.at, key);
        items
            .iter()
            .enumerate()
            .map(|(index, value)| Node::new(value, pointer(&base, &index.to_string())))
            .collect()
    }

    /// The `$ref` of this value, when it is one.
    pub fn reference(&self) -> Option<&'a str> {
        self.value.get("$ref").and_then(Value::as_str)
    }
}

/// The pointer `at` followed by the segment `key`, escaped. Pointers are built for every value
/// compared, so this avoids the intermediate strings of `format!` and `spec::escape`.
pub fn pointer(at: &str, key: &str) -> String {
    let mut pointer = String::with_capacity(at.len() + key.len() + 1);
    pointer.push_str(at);
    pointer.push('/');
    for character in key.chars() {
        match character {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            other => pointer.push(other),
        }
    }
    pointer
}

/// A loaded spec seen as a tree of pointers.
pub struct Document<'a> {
    pub name: &'a str,
    root: &'a Value,
}

impl<'a> Document<'a> {
    /// Wraps `spec`, refusing it when a `$ref` is not local, does not resolve or only leads to
    /// other `$ref`s: the comparison follows them all and must find something.
    pub fn new(spec: &'a Spec) -> anyhow::Result<Self> {
        let document = Self {
            name: &spec.name,
            root: &spec.raw,
        };
        document.check_references(&Node::new(&spec.raw, ""))?;
        Ok(document)
    }

    pub fn root(&self) -> Node<'a> {
        Node::new(self.root, "")
    }

    /// Follows `node`'s `$ref`s to the value they name. `check_references` made sure the chain
    /// ends; should it not, the node is returned as it is.
    pub fn resolve(&self, node: &Node<'a>) -> Node<'a> {
        let mut current = node.clone();
        for _ in 0..MAX_REFERENCE_CHAIN {
            let Some(target) = current
                .reference()
                .and_then(|reference| self.target(reference))
            else {
                return current;
            };
            current = target;
        }
        node.clone()
    }

    fn target(&self, reference: &str) -> Option<Node<'a>> {
        let pointer = reference.strip_prefix('#')?;
        self.root
            .pointer(pointer)
            .map(|value| Node::new(value, pointer))
    }

    fn check_references(&self, node: &Node<'a>) -> anyhow::Result<()> {
        match node.value {
            Value::Object(object) => {
                if let Some(reference) = object.get("$ref") {
                    self.check_reference(node, reference)?;
                }
                for (key, child) in object {
                    let child = Node::new(child, pointer(&node.at, key));
                    self.check_references(&child)?;
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    self.check_references(&Node::new(item, format!("{}/{index}", node.at)))?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn check_reference(&self, node: &Node<'a>, reference: &Value) -> anyhow::Result<()> {
        let at = format!("{}/$ref", node.at);
        let Some(reference) = reference.as_str() else {
            anyhow::bail!("{}: {at}: `$ref` must be a string", self.name);
        };
        if !reference.starts_with("#/") {
            anyhow::bail!(
                "{}: {at}: `{reference}` is not a local reference: diff compares self-contained documents",
                self.name
            );
        }
        let mut current = node.clone();
        for _ in 0..MAX_REFERENCE_CHAIN {
            let Some(next) = current.reference() else {
                return Ok(());
            };
            current = self.target(next).ok_or_else(|| {
                anyhow::anyhow!(
                    "{}: {at}: `{next}` does not resolve: define it or fix the name",
                    self.name
                )
            })?;
        }
        anyhow::bail!(
            "{}: {at}: `{reference}` only leads to further `$ref`s (a cycle)",
            self.name
        )
    }
}
