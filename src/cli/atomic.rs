//! Files a user owns, written whole or not at all: every file avenant writes
//! (`--out`, `--errors`, `population --out`, `fmt` in place) goes through
//! here. Nothing else in the crate may create or truncate a user's file.
//!
//! A file is written to a temporary file beside its target, flushed to disk,
//! and renamed over the target only when the run has succeeded, as git and
//! rustfmt do. A run that fails, is interrupted (SIGINT, SIGTERM, SIGHUP) or
//! meets a full disk leaves the previous file as it was. Outputs that are the
//! same file as an input, or as each other, are refused before anything is
//! read, compared by identity (device and inode), not by spelling.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Temporary files not yet renamed over their targets, removed by the signal
/// handler when a run is interrupted (a destructor does not run then).
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> MutexGuard<'static, Vec<PathBuf>> {
    // A panic while the list was held leaves it usable: it is a list of paths.
    PENDING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// On SIGINT, SIGTERM or SIGHUP: remove the temporary files, leave the
/// targets as they were, and exit as a shell expects of an interrupted
/// command (128 + SIGINT). Installing twice is harmless (the second is refused).
pub fn remove_pending_on_interrupt() {
    let _ = ctrlc::set_handler(|| {
        let mut pending = pending();
        if !pending.is_empty() {
            for path in pending.drain(..) {
                let _ = std::fs::remove_file(path);
            }
            let _ =
                writeln!(std::io::stderr(), "interrupted: no file was written; those there before are as they were");
        }
        std::process::exit(130);
    });
}

/// A file being written: bytes go to a temporary file beside the target,
/// which replaces the target at [`AtomicFile::commit`]. Dropped without a
/// commit, the temporary file is removed and the target is untouched.
pub struct AtomicFile {
    file: std::io::BufWriter<Destination>,
}

/// Where the bytes go: a temporary file for a regular file, or the target
/// itself when it is a stream (`/dev/stdout`, a named pipe, a terminal),
/// which cannot be replaced and holds nothing to lose.
enum Destination {
    Temporary { file: tempfile::NamedTempFile, target: PathBuf, listed: Listed },
    Stream(std::fs::File),
}

/// A temporary file's place in [`PENDING`], left when it is renamed or removed.
struct Listed(PathBuf);

impl Drop for Listed {
    fn drop(&mut self) {
        pending().retain(|pending| *pending != self.0);
    }
}

impl AtomicFile {
    /// Starts writing `target`. Its folder must exist; the target itself is
    /// not opened, created or truncated. Where the target is a symbolic link,
    /// the file it points to is the one replaced, so the link stays a link.
    pub fn create(target: &Path) -> std::io::Result<AtomicFile> {
        let existing = std::fs::metadata(target).ok();
        if let Some(metadata) = &existing {
            if metadata.is_dir() {
                return Err(std::io::Error::new(std::io::ErrorKind::IsADirectory, "it is a folder; name a file"));
            }
            if !metadata.is_file() {
                let stream = std::fs::OpenOptions::new().write(true).open(target)?;
                return Ok(AtomicFile {
                    file: std::io::BufWriter::with_capacity(1 << 20, Destination::Stream(stream)),
                });
            }
        }
        let target = std::fs::canonicalize(target).unwrap_or_else(|_| target.to_path_buf());
        let folder = match target.parent() {
            Some(folder) if !folder.as_os_str().is_empty() => folder.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".avenant-tmp");
        // The list is held while the file is made and listed: the interrupt
        // handler (a thread of its own) waits for it, so it never finds a
        // temporary file made but not yet listed, which it would leave behind.
        let mut listing = pending();
        // tempfile's error names its temporary file, which the user never asked for.
        let file = builder.tempfile_in(&folder).map_err(|error| {
            let kind = error.kind();
            std::io::Error::new(kind, format!("no file can be made in `{}`: {kind}", folder.display()))
        })?;
        let listed = Listed(file.path().to_path_buf());
        listing.push(listed.0.clone());
        drop(listing);
        // A replaced file keeps its permissions; a new one gets those any new
        // file gets here, not the temporary file's owner-only ones.
        if let Some(permissions) = existing.map(|metadata| metadata.permissions()).or_else(new_file) {
            file.as_file().set_permissions(permissions)?;
        }
        let destination = Destination::Temporary { file, target, listed };
        Ok(AtomicFile { file: std::io::BufWriter::with_capacity(1 << 20, destination) })
    }

    /// Flushes everything to disk, then renames the temporary file over the
    /// target. An error here (a full disk, say) leaves the target untouched.
    pub fn commit(self) -> std::io::Result<()> {
        match self.file.into_inner().map_err(std::io::IntoInnerError::into_error)? {
            Destination::Stream(_) => Ok(()),
            Destination::Temporary { file, target, listed } => {
                file.as_file().sync_all()?;
                file.persist(&target).map_err(|error| error.error)?;
                drop(listed);
                // The rename itself is durable once the folder is on disk.
                if let Some(folder) = target.parent()
                    && let Ok(folder) = std::fs::File::open(folder)
                {
                    let _ = folder.sync_all();
                }
                Ok(())
            }
        }
    }
}

impl Write for Destination {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match self {
            Destination::Temporary { file, .. } => file.write(bytes),
            Destination::Stream(stream) => stream.write(bytes),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Destination::Temporary { file, .. } => file.flush(),
            Destination::Stream(stream) => stream.flush(),
        }
    }
}

/// 0666 less the umask, as `open(2)` would give a new file.
#[cfg(unix)]
fn new_file() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt as _;
    Some(std::fs::Permissions::from_mode(0o666 & !umask()))
}

/// Elsewhere a temporary file already has ordinary permissions.
#[cfg(not(unix))]
fn new_file() -> Option<std::fs::Permissions> {
    None
}

/// The process's umask, read where Linux publishes it; 022 where it does not.
#[cfg(unix)]
fn umask() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| status.lines().find_map(|line| Some(line.strip_prefix("Umask:")?.trim().to_string())))
        .and_then(|mask| u32::from_str_radix(&mask, 8).ok())
        .unwrap_or(0o022)
}

impl Write for AtomicFile {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.file.write(bytes)
    }

    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.file.write_all(bytes)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// What a run reads and what it writes, checked before anything is read or
/// written: an output that is an input would be read while it is replaced
/// (or emptied, by a shell's redirection), and two outputs on one file would
/// overwrite each other.
#[derive(Default)]
pub struct Files<'a> {
    inputs: Vec<(&'static str, &'a Path)>,
    outputs: Vec<(&'static str, &'a Path)>,
}

impl<'a> Files<'a> {
    pub fn input(mut self, role: &'static str, path: &'a Path) -> Self {
        self.inputs.push((role, path));
        self
    }

    pub fn inputs(mut self, role: &'static str, paths: impl IntoIterator<Item = &'a Path>) -> Self {
        self.inputs.extend(paths.into_iter().map(|path| (role, path)));
        self
    }

    pub fn output(mut self, role: &'static str, path: Option<&'a Path>) -> Self {
        self.outputs.extend(path.map(|path| (role, path)));
        self
    }

    /// The first clash, in words: `Err` names both arguments and the file.
    pub fn check(&self) -> Result<(), String> {
        for (index, &(role, output)) in self.outputs.iter().enumerate() {
            for &(input_role, input) in &self.inputs {
                if same_file(output, input) {
                    return Err(format!(
                        "{role} `{}` is the {input_role} `{}`: writing it would destroy what is read; name another file",
                        output.display(),
                        input.display()
                    ));
                }
            }
            for &(other_role, other) in self.outputs.iter().skip(index + 1) {
                if same_file(output, other) {
                    return Err(format!(
                        "{role} and {other_role} are both `{}`: one would overwrite the other; name two files",
                        output.display()
                    ));
                }
            }
        }
        // A shell's `>` has already emptied a file that is also read; `>>`
        // would make the run read what it writes, without end.
        if let Ok(stdout) = same_file::Handle::stdout() {
            for &(input_role, input) in &self.inputs {
                if same_file::Handle::from_path(input).is_ok_and(|input| input == stdout) {
                    return Err(format!(
                        "standard output is the {input_role} `{}`: a shell redirection has emptied or would grow it; write the output to another file",
                        input.display()
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Whether two paths name one file: the same device and inode where both
/// exist (hard links and symbolic links included), else the same resolved
/// folder and name.
fn same_file(one: &Path, other: &Path) -> bool {
    if let (Ok(one), Ok(other)) = (same_file::Handle::from_path(one), same_file::Handle::from_path(other)) {
        return one == other;
    }
    resolved(one).is_some_and(|one| resolved(other).is_some_and(|other| one == other))
}

/// A path's folder resolved, and its name: how a file that does not exist yet is named.
fn resolved(path: &Path) -> Option<PathBuf> {
    if let Ok(path) = std::fs::canonicalize(path) {
        return Some(path);
    }
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(folder).ok()?.join(path.file_name()?))
}
