//! Documents as the code inside a transaction reads them: each table keeps the wire document
//! as JSON next to the indexed key columns it is looked up by.

use rusqlite::{OptionalExtension, Transaction};
use serde_json::Value;

use crate::failure::{Failure, Outcome};

/// Reads one JSON document column.
fn document(row: &rusqlite::Row<'_>, index: usize) -> rusqlite::Result<Value> {
    let text: String = row.get(index)?;
    serde_json::from_str(&text).map_err(|error| {
        rusqlite::Error::FromSqlConversionFailure(
            index,
            rusqlite::types::Type::Text,
            Box::new(error),
        )
    })
}

/// The documents a query returns, in order.
pub(crate) fn documents<P: rusqlite::Params>(
    transaction: &Transaction,
    sql: &str,
    params: P,
) -> Outcome<Vec<Value>> {
    let mut statement = transaction.prepare_cached(sql)?;
    let rows = statement.query_map(params, |row| document(row, 0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The first document a query returns, if any.
pub(crate) fn first_document<P: rusqlite::Params>(
    transaction: &Transaction,
    sql: &str,
    params: P,
) -> Outcome<Option<Value>> {
    let mut statement = transaction.prepare_cached(sql)?;
    Ok(statement
        .query_row(params, |row| document(row, 0))
        .optional()?)
}

/// Converts a stored or built document into a generated response type.
pub(crate) fn typed<T: serde::de::DeserializeOwned>(value: Value) -> Outcome<T> {
    serde_json::from_value(value)
        .map_err(|error| Failure::internal(format!("response shape: {error}")))
}
