//! The schema: one `.sql` file per migration under `migrations/`, applied in order.
//!
//! `PRAGMA user_version` counts the migrations a database has applied, so a database file made
//! by an older server gets only the ones it lacks. A migration, once released, never changes:
//! a change to the schema is a new file with the next number.

use rusqlite::Connection;

/// The migrations, in the order they apply.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_layouts.sql"),
    include_str!("migrations/0003_workflows.sql"),
    include_str!("migrations/0004_workflow_overrides.sql"),
    include_str!("migrations/0005_subscriber_preferences.sql"),
    include_str!("migrations/0006_changes.sql"),
    include_str!("migrations/0007_notifications_jobs_messages.sql"),
    include_str!("migrations/0008_job_due_times.sql"),
    include_str!("migrations/0009_topic_subscriber_ids.sql"),
    include_str!("migrations/0010_change_base.sql"),
    include_str!("migrations/0011_change_filing.sql"),
    include_str!("migrations/0012_change_list_index.sql"),
];

/// Applies the migrations the database has not applied yet, each in its own transaction.
pub(super) fn migrate(connection: &mut Connection) -> rusqlite::Result<()> {
    let applied: usize = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(applied) {
        let transaction = connection.transaction()?;
        transaction.execute_batch(migration)?;
        transaction.pragma_update(None, "user_version", index + 1)?;
        transaction.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::MIGRATIONS;

    /// Every file under `migrations/` is applied, in the order of its number, so a new
    /// migration cannot be left out of the list by mistake.
    #[test]
    fn every_migration_file_is_applied_in_order() {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store/migrations");
        let mut names: Vec<String> = std::fs::read_dir(&folder)
            .expect("the migrations folder is readable")
            .map(|entry| {
                entry
                    .expect("a migrations entry is readable")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|name| name.ends_with(".sql"))
            .collect();
        names.sort();
        assert_eq!(names.len(), MIGRATIONS.len(), "{names:?}");
        for (index, name) in names.iter().enumerate() {
            assert!(
                name.starts_with(&format!("{:04}_", index + 1)),
                "`{name}` is out of sequence"
            );
            let text = std::fs::read_to_string(folder.join(name)).expect("the file is readable");
            assert_eq!(
                text, MIGRATIONS[index],
                "`{name}` is applied as number {index}"
            );
        }
    }
}
