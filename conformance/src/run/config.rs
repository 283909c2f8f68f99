//! `novu-conformance.toml`: the options of a run kept in a file, so a CI job's command line
//! stays short. Keys are the long flags' names; a flag given on the command line wins over the
//! file. The API key is never in the file: `api-key-env` names the environment variable that
//! holds it. Relative paths are read from the file's folder. An unknown key is an error.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::baseline::toml_error;
use crate::error::{Error, Result};

/// The file's name, looked for in the current directory when `--config` is not given.
pub const CONFIG_FILE: &str = "novu-conformance.toml";

/// What a config file may say; every key is optional.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    /// `--base-url`.
    pub base_url: Option<String>,
    /// The environment variable holding the API key (`--api-key` wins over it).
    pub api_key_env: Option<String>,
    /// `--spec`.
    pub spec: Option<PathBuf>,
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--tag`.
    pub tags: Option<Vec<String>>,
    /// `--operation`.
    pub operations: Option<Vec<String>>,
    /// `--exclude-operation`.
    pub exclude_operations: Option<Vec<String>>,
    /// `--check`.
    pub checks: Option<Vec<String>>,
    /// `--cases`.
    pub cases: Option<u32>,
    /// `--jobs`.
    pub jobs: Option<usize>,
    /// `--timeout`, in seconds.
    pub timeout: Option<f64>,
    /// `--read-only`.
    pub read_only: Option<bool>,
    /// `--junit`.
    pub junit: Option<PathBuf>,
    /// `--json`.
    pub json: Option<PathBuf>,
    /// `--har`.
    pub har: Option<PathBuf>,
    /// `--baseline`.
    pub baseline: Option<PathBuf>,
    /// `--coverage`.
    pub coverage: Option<PathBuf>,
    /// `--require`.
    pub require: Option<Vec<String>>,
    /// `--require-status-coverage`, e.g. `"80%"`.
    pub require_status_coverage: Option<String>,
    /// `--max-failures`.
    pub max_failures: Option<u32>,
    /// `--strict`.
    pub strict: Option<bool>,
    /// `--no-recheck`.
    pub no_recheck: Option<bool>,
    /// `--allow-lasting-objects`.
    pub allow_lasting_objects: Option<bool>,
}

impl ConfigFile {
    /// Reads the config file at `path`.
    pub fn read(path: &Path) -> Result<ConfigFile> {
        let text = std::fs::read_to_string(path).map_err(|error| {
            Error::Usage(format!(
                "cannot read the config file {}: {error}",
                path.display()
            ))
        })?;
        let mut config = ConfigFile::parse(&path.display().to_string(), &text)?;
        let folder = path.parent().unwrap_or(Path::new(""));
        for file in [
            &mut config.spec,
            &mut config.junit,
            &mut config.json,
            &mut config.har,
            &mut config.baseline,
            &mut config.coverage,
        ]
        .into_iter()
        .flatten()
        {
            if file.is_relative() {
                *file = folder.join(&*file);
            }
        }
        Ok(config)
    }

    /// Reads the config `text` of the file `name`; an error names the line.
    pub fn parse(name: &str, text: &str) -> Result<ConfigFile> {
        let usage = |message: String| Error::Usage(format!("config file {name}: {message}"));
        if let Ok(table) = text.parse::<toml::Table>()
            && table.contains_key("api-key")
        {
            return Err(usage(
                "`api-key` is not read from a file: set `api-key-env` to the name of the \
                 environment variable that holds the key"
                    .into(),
            ));
        }
        toml::from_str(text).map_err(|error| usage(toml_error(text, &error)))
    }

    /// The API key from the variable `api-key-env` names, if it names one.
    pub fn api_key(&self) -> Result<Option<String>> {
        let Some(variable) = &self.api_key_env else {
            return Ok(None);
        };
        match std::env::var(variable) {
            Ok(key) if !key.is_empty() => Ok(Some(key)),
            _ => Err(Error::Usage(format!(
                "the config file's api-key-env names {variable}, which is not set: export it or \
                 pass --api-key"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_and_a_key_in_the_file_are_refused() {
        let error = ConfigFile::parse("c.toml", "seed = 1\ncolour = \"red\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("line 2") && error.contains("colour"),
            "{error}"
        );
        let error = ConfigFile::parse("c.toml", "api-key = \"secret\"\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("api-key-env"), "{error}");
        let config = ConfigFile::parse("c.toml", "jobs = 2\nrequire = [\"status:404\"]\n").unwrap();
        assert_eq!(config.jobs, Some(2));
        assert_eq!(config.require, Some(vec!["status:404".to_owned()]));
        let config = ConfigFile::parse("c.toml", "allow-lasting-objects = true\n").unwrap();
        assert_eq!(config.allow_lasting_objects, Some(true));
        let error = ConfigFile::parse("c.toml", "allow-lasting-objects = \"yes\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("line 1") && error.contains("boolean"),
            "{error}"
        );
    }
}
