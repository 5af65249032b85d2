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
    let (engine, errors) = load_dir_lenient(dir)?;
    if errors.is_empty() {
        Ok(engine)
    } else {
        Err(LoadError { errors })
    }
}

/// Compiles the spec files of a directory that are valid into an engine, and returns the
/// located errors of the others beside it (as the service's registry does): one broken file
/// does not take the other connectors down. A directory that cannot be read is an error.
pub fn load_dir_lenient(dir: impl AsRef<Path>) -> Result<(Engine, Vec<SpecError>), LoadError> {
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
    let mut errors = Vec::new();
    let mut connectors: Vec<std::sync::Arc<hooknorm_core::Connector>> = Vec::new();
    for (file, text) in sources {
        match Engine::compile_one(&file, &text) {
            Ok(c) if connectors.iter().any(|x| x.name == c.name) => errors.push(SpecError {
                file,
                line: 1,
                column: 1,
                key: "connector".into(),
                message: format!("connector `{}` is defined twice", c.name),
            }),
            Ok(c) => connectors.push(c),
            Err(es) => errors.extend(es),
        }
    }
    Ok((Engine::from_compiled(connectors), errors))
}
