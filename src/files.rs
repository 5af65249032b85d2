//! Reading specs from disk: the engine crate does no I/O, so loading a directory is done here.

use std::path::{Path, PathBuf};

use crate::{Engine, LoadError, SpecError};

/// The spec files (`*.yaml`, `*.yml`) of a directory, sorted by path.
pub fn spec_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "yaml" || e == "yml") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Compiles every spec file of a directory into an engine; every error of every file is
/// reported, located.
pub fn load_dir(dir: impl AsRef<Path>) -> Result<Engine, LoadError> {
    let dir = dir.as_ref();
    let io_err = |file: String, e: std::io::Error| LoadError {
        errors: vec![SpecError {
            file,
            line: 0,
            column: 0,
            key: String::new(),
            message: e.to_string(),
        }],
    };
    let mut sources = Vec::new();
    for path in spec_files(dir).map_err(|e| io_err(dir.display().to_string(), e))? {
        let text =
            std::fs::read_to_string(&path).map_err(|e| io_err(path.display().to_string(), e))?;
        sources.push((path.display().to_string(), text));
    }
    Engine::from_sources(sources)
}
