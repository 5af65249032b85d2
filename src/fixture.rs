//! Fixture files on disk: the engine crate's [`Fixture`] type and matching, plus reading the
//! files of a connector's directory or of a whole fixture tree.

use std::path::{Path, PathBuf};

pub use hooknorm_core::fixture::{subset, Fixture};

/// Reads one fixture file.
pub fn read(path: &Path) -> Result<Fixture, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Fixture::from_json(&path.display().to_string(), &text)
}

/// The fixture files (`*.json`) of a directory, sorted by name.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// The fixture files of every connector directory under `root` (`<root>/<connector>/*.json`),
/// sorted by directory, then name.
pub fn tree(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs.iter().flat_map(|d| files(d)).collect()
}
