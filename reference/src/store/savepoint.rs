//! Savepoints inside a request's transaction, for work whose failure must leave nothing behind
//! without failing the whole request (one event of a bulk trigger, a broadcast, an inline
//! subscriber).

use rusqlite::Transaction;

use crate::failure::{Failure, Outcome, Status};

/// Runs `work` in a savepoint named `name`. Success releases the savepoint; a failure with a
/// status of its own (not a 500) rolls back what `work` did and comes back as `Ok(Err(_))` for
/// the caller to answer and go on. An internal failure is passed up untouched: the request
/// fails, and its own savepoint rolls everything back.
pub(crate) fn savepoint<T>(
    transaction: &Transaction,
    name: &str,
    work: impl FnOnce(&Transaction) -> Outcome<T>,
) -> Outcome<Result<T, Failure>> {
    transaction.execute_batch(&format!("SAVEPOINT {name}"))?;
    match work(transaction) {
        Ok(value) => {
            transaction.execute_batch(&format!("RELEASE {name}"))?;
            Ok(Ok(value))
        }
        Err(failure) if failure.status != Status::InternalServerError => {
            transaction.execute_batch(&format!("ROLLBACK TO {name}; RELEASE {name}"))?;
            Ok(Err(failure))
        }
        Err(failure) => Err(failure),
    }
}
