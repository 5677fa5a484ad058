//! The configuration as written in `pyproject.toml` (`[tool.pitfall]`) or
//! `pitfall.toml`: plain data, checked for unknown keys by serde.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawConfig {
    pub select: Option<Vec<String>>,
    pub extend_select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub per_file_ignores: Option<BTreeMap<String, Vec<String>>>,
    pub exclude: Option<Vec<String>>,
    pub extend_exclude: Option<Vec<String>>,
    pub target_version: Option<String>,
    pub min_severity: Option<String>,
    pub src: Option<Vec<String>>,
    pub docs_url: Option<String>,
    /// Options of `assert-for-validation`.
    pub assert_for_validation: Option<AssertForValidationOptions>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AssertForValidationOptions {
    /// More globs of files whose asserts are tests (beyond `test_*.py` and friends).
    pub extra_test_files: Option<Vec<String>>,
}

/// `pyproject.toml`: only `[tool.pitfall]` is ours; everything else is ignored.
#[derive(Debug, Default, Deserialize)]
pub struct PyProject {
    pub tool: Option<Tools>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Tools {
    pub pitfall: Option<RawConfig>,
}
