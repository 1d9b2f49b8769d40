//! Files only Tally's own user may read: the SQLite database and its
//! journals, the vault's key file, the demo login.
//!
//! Exists so every file holding secrets or customer data is created the same
//! way: folders Tally creates are `0700`, files `0600`, whatever the
//! process's umask. A database file that already exists is tightened to
//! `0600` too (SQLite gives its `-wal` and `-shm` files the database file's
//! mode); folders that already exist are left as their owner set them.

use std::{
    io::Write as _,
    path::{Path, PathBuf},
};

use anyhow::Context as _;

/// Creates `dir` and any missing parents as `0700`.
pub fn create_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.as_os_str().is_empty() || dir.exists() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .with_context(|| format!("creating {}", dir.display()))
}

/// How [`write`] treats an existing file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    /// Refuse to touch it (a key file is never overwritten).
    Keep,
    /// Replace its contents.
    Replace,
}

/// Writes `text` to a `0600` file, creating its folder as in [`create_dir`].
pub fn write(path: &Path, text: &str, existing: Existing) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        create_dir(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    match existing {
        Existing::Keep => options.create_new(true),
        Existing::Replace => options.create(true).truncate(true),
    };
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    tighten(path)?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

/// Makes the SQLite database at `path` (created empty when missing) and any
/// journal beside it `0600`, before SQLite opens it.
pub fn prepare_database(path: &Path) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        create_dir(dir)?;
    }
    if !path.exists() {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options
            .open(path)
            .with_context(|| format!("creating {}", path.display()))?;
    }
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let file = PathBuf::from(name);
        if file.exists() {
            tighten(&file)?;
        }
    }
    Ok(())
}

/// Sets `0600` on a file that exists.
fn tighten(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("protecting {}", path.display()))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(all(test, unix))]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn folders_and_files_are_private_whatever_the_umask() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("a/b/key.txt");
        write(&file, "secret", Existing::Keep).unwrap();
        assert_eq!(mode(&root.path().join("a")), 0o700);
        assert_eq!(mode(&root.path().join("a/b")), 0o700);
        assert_eq!(mode(&file), 0o600);
        assert!(write(&file, "other", Existing::Keep).is_err());
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "secret");
        write(&file, "other", Existing::Replace).unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "other");
    }

    #[test]
    fn an_existing_database_and_its_journals_are_tightened() {
        let root = tempfile::tempdir().unwrap();
        let db = root.path().join("tally.db");
        for name in ["tally.db", "tally.db-wal"] {
            let path = root.path().join(name);
            std::fs::write(&path, "").unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        prepare_database(&db).unwrap();
        assert_eq!(mode(&db), 0o600);
        assert_eq!(mode(&root.path().join("tally.db-wal")), 0o600);
        let fresh = root.path().join("new/tally.db");
        prepare_database(&fresh).unwrap();
        assert_eq!(mode(&fresh), 0o600);
        assert_eq!(mode(&root.path().join("new")), 0o700);
    }
}
