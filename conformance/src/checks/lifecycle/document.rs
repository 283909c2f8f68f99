//! The full document a model expects of one slot: every writable property of the request
//! schema (as the contract lists it) with the value it must read back as. A write is then
//! compared on every field, not only on those it names, so that a write that drops, keeps or
//! leaks a field it did not name is seen on the next read.

use serde_json::{Map, Value};

use super::session::unlike;

/// The expected fields of one resource. `null` stands for a field never written (it reads
/// back absent or `null`); a field the document does not hold is not compared.
#[derive(Debug, Clone, Default)]
pub(crate) struct Document(Map<String, Value>);

impl Document {
    /// A document where each of `fields` was never written.
    pub fn blank(fields: &[String]) -> Document {
        Document(
            fields
                .iter()
                .map(|field| (field.clone(), Value::Null))
                .collect(),
        )
    }

    /// A document that knows only `fields` (what an earlier run left is unknown).
    pub fn known(fields: &Map<String, Value>) -> Document {
        Document(fields.clone())
    }

    /// Writes each of `fields` over what the document holds; a nested object replaces the
    /// stored one as a whole (the contract's `data` and `credentials` are not merged).
    pub fn write(&mut self, fields: &Map<String, Value>) {
        self.0.extend(
            fields
                .iter()
                .map(|(field, value)| (field.clone(), value.clone())),
        );
    }

    /// Sets one field.
    pub fn set(&mut self, field: &str, value: Value) {
        self.0.insert(field.to_owned(), value);
    }

    /// The expected value of `field` (`null` when never written or not compared).
    pub fn get(&self, field: &str) -> &Value {
        self.0.get(field).unwrap_or(&Value::Null)
    }

    /// The first field `stored` does not hold as the document expects it.
    pub fn differs(&self, stored: &Value) -> Option<String> {
        let (blank, written): (Map<String, Value>, Map<String, Value>) = self
            .0
            .iter()
            .map(|(field, value)| (field.clone(), value.clone()))
            .partition(|(_, value)| value.is_null());
        // An optional list written empty may be left out of the answer, as the contract's
        // generated bindings do.
        let mut stored = stored.clone();
        if let Some(fields) = stored.as_object_mut() {
            for (field, value) in &written {
                if value.as_array().is_some_and(Vec::is_empty)
                    && fields.get(field).is_none_or(Value::is_null)
                {
                    fields.insert(field.clone(), value.clone());
                }
            }
        }
        if let Some(problem) = unlike(&written, &stored) {
            return Some(problem);
        }
        blank.keys().find_map(|field| {
            let actual = stored.get(field).unwrap_or(&Value::Null);
            (!actual.is_null()).then(|| format!("{field} is {actual}, but it was never written"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_field_never_written_must_read_back_absent_or_null() {
        let document = Document::blank(&["email".to_owned(), "data".to_owned()]);
        assert_eq!(document.differs(&json!({})), None);
        assert_eq!(document.differs(&json!({"email": null})), None);
        assert_eq!(
            document.differs(&json!({"email": "a@b.c"})).as_deref(),
            Some("email is \"a@b.c\", but it was never written")
        );
    }

    #[test]
    fn a_nested_object_is_replaced_as_a_whole() {
        let mut document = Document::blank(&["data".to_owned()]);
        document.write(json!({"data": {"a": 1}}).as_object().unwrap());
        document.write(json!({"data": {"b": 2}}).as_object().unwrap());
        assert_eq!(document.differs(&json!({"data": {"b": 2}})), None);
        assert!(
            document
                .differs(&json!({"data": {"a": 1, "b": 2}}))
                .is_some()
        );
    }

    #[test]
    fn an_empty_list_may_be_left_out_but_not_another_one() {
        let mut document = Document::blank(&["variables".to_owned()]);
        document.write(json!({"variables": []}).as_object().unwrap());
        assert_eq!(document.differs(&json!({})), None);
        document.write(json!({"variables": [1]}).as_object().unwrap());
        assert!(document.differs(&json!({})).is_some());
    }
}
