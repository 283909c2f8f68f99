//! Progress on standard error while a run goes: a bar on a terminal, plain lines otherwise.

use std::io::IsTerminal;

use super::results::Recorder;

/// Progress on standard error: a bar on a terminal, plain lines otherwise.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    plain: bool,
}

impl Progress {
    /// Progress output, or none when `enabled` is false.
    pub fn new(enabled: bool) -> Progress {
        let terminal = std::io::stderr().is_terminal();
        let bar = (enabled && terminal).then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} {pos} operation checks done {wide_msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            bar
        });
        Progress {
            bar,
            plain: enabled && !terminal,
        }
    }

    /// One more operation done.
    pub fn tick(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    /// The line for `check` on the operations of `tag`.
    pub fn line(&self, check: &str, tag: &str, operations: &[String], recorder: &Recorder) {
        if self.bar.is_none() && !self.plain {
            return;
        }
        let failed = recorder
            .results()
            .iter()
            .filter(|result| {
                result.check == check
                    && result.failed()
                    && operations.contains(&result.operation_id)
            })
            .count();
        let count = operations.len();
        let text = format!("{check:<20} {tag:<20} {count:>3} operations, {failed} failed");
        if let Some(bar) = &self.bar {
            bar.println(text);
        } else if self.plain {
            eprintln!("{text}");
        }
    }

    /// Clears the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
