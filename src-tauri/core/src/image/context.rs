//! The build context: which files of the folder a build sees, for the summary shown before a
//! build and for the tar stream the classic builder takes. The walk is the docker CLI's
//! (`archive.TarWithOptions` with the ignore patterns): lexical order, symlinks not followed, an
//! excluded directory skipped unless an exception names something below it, the Dockerfile and
//! the ignore file always sent. The ignore file is the one BuildKit reads:
//! `<Dockerfile>.dockerignore` beside the Dockerfile, else `.dockerignore`. Excluded files are
//! never opened, so their bytes are never sent. (BuildKit builds get their files over the
//! session instead: [`super::buildkit::filesync`].)

use super::dockerignore::{Dockerignore, ParentMatches};
use super::tarball::{self, EntryType, Header};
use crate::error::{BerthError, Result};
use bytes::Bytes;
use futures_util::Stream;
use serde::Serialize;
use std::collections::HashMap;
use std::fs::Metadata;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use ts_rs::TS;

/// What the user sees before building: how much of the folder will be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ContextSummary {
    /// Files (and links) that will be sent.
    #[ts(type = "number")]
    pub files: u64,
    /// Their content, in bytes.
    #[ts(type = "number")]
    pub bytes: u64,
    /// Files `.dockerignore` keeps out.
    #[ts(type = "number")]
    pub excluded_files: u64,
    #[ts(type = "number")]
    pub excluded_bytes: u64,
    /// Lines of the ignore file that are patterns (0 when there is none).
    pub ignore_patterns: u32,
    /// The ignore file that applies: `.dockerignore`, or `<Dockerfile>.dockerignore` beside the
    /// Dockerfile, which replaces it; `None` when there is neither.
    pub ignore_file: Option<String>,
}

/// A context ready to be streamed.
#[derive(Debug)]
pub struct BuildContext {
    pub root: PathBuf,
    /// The Dockerfile, relative to `root`, with `/` separators.
    pub dockerfile: String,
    entries: Vec<Entry>,
    pub summary: ContextSummary,
    /// The exact size of the tar stream, in bytes.
    pub tar_size: u64,
}

#[derive(Debug)]
struct Entry {
    path: PathBuf,
    header: Header,
}

/// Chunks sent to the engine at a time; a few are buffered ahead of the socket.
const CHUNK: usize = 256 * 1024;
const CHUNKS_AHEAD: usize = 8;

/// The folder the user named, absolute with symlinks resolved (as the CLI does).
pub fn resolve_folder(dir: &str) -> Result<PathBuf> {
    let dir = dir.trim();
    if dir.is_empty() {
        return Err(BerthError::invalid("contextDir", "required"));
    }
    let path = PathBuf::from(expand_home(dir));
    if !path.is_absolute() {
        return Err(BerthError::invalid("contextDir", "absolute"));
    }
    let resolved = std::fs::canonicalize(&path).map_err(|e| {
        let rule = if e.kind() == std::io::ErrorKind::NotFound {
            "notFound"
        } else {
            "unreadable"
        };
        BerthError::invalid("contextDir", rule)
            .with("path", dir)
            .details(e)
    })?;
    if !resolved.is_dir() {
        return Err(BerthError::invalid("contextDir", "notADirectory").with("path", dir));
    }
    Ok(resolved)
}

fn expand_home(path: &str) -> String {
    match (path.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(home)) => format!("{home}/{rest}"),
        _ => path.to_owned(),
    }
}

/// The Dockerfile's path relative to the folder: `given` (relative to the folder), else
/// `Dockerfile`, else `dockerfile` like the CLI. It must be inside the folder.
pub fn resolve_dockerfile(root: &Path, given: Option<&str>) -> Result<String> {
    let given = given.map(str::trim).filter(|g| !g.is_empty());
    let candidate = match given {
        Some(name) => root.join(name),
        None => {
            let default = root.join("Dockerfile");
            let lower = root.join("dockerfile");
            if !default.exists() && lower.exists() {
                lower
            } else {
                default
            }
        }
    };
    let shown = given.unwrap_or("Dockerfile");
    // No path given: the folder is what lacks a Dockerfile, so the error belongs to the folder.
    let missing = || match given {
        Some(_) => BerthError::invalid("dockerfile", "notFound").with("path", shown),
        None => BerthError::invalid("contextDir", "noDockerfile")
            .with("path", root.display().to_string()),
    };
    let resolved = std::fs::canonicalize(&candidate).map_err(|e| missing().details(e))?;
    let relative = resolved
        .strip_prefix(root)
        .map_err(|_| BerthError::invalid("dockerfile", "outsideContext").with("path", shown))?;
    if !resolved.is_file() {
        return Err(missing());
    }
    Ok(slash_path(relative))
}

fn slash_path(path: &Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Walks the folder as the CLI would for `docker build -f dockerfile root`.
pub fn prepare(root: &Path, dockerfile: &str) -> Result<BuildContext> {
    walk(root, dockerfile, false)
}

/// How much would be sent and how much `.dockerignore` keeps out (walks excluded folders too,
/// to count them; the build itself never does).
pub fn summarize(root: &Path, dockerfile: &str) -> Result<ContextSummary> {
    walk(root, dockerfile, true).map(|c| c.summary)
}

fn walk(root: &Path, dockerfile: &str, count_excluded: bool) -> Result<BuildContext> {
    let ignore_file = super::dockerignore::ignore_file_for(root, dockerfile);
    let mut ignore = match &ignore_file {
        Some(file) => Dockerignore::read_file(root, file)?,
        None => Dockerignore::default(),
    };
    let patterns = ignore.len() as u32;
    // TrimBuildFilesFromExcludes: the engine needs both files even when they are excluded (it
    // leaves them out of the image itself).
    let file = ignore_file.as_deref().unwrap_or(".dockerignore");
    if ignore.excluded_legacy(file) {
        ignore.keep(file);
    }
    if ignore.excluded_legacy(dockerfile) {
        ignore.keep(dockerfile);
    }
    let mut walker = Walker {
        ignore,
        count_excluded,
        entries: Vec::new(),
        hard_links: HashMap::new(),
        summary: ContextSummary {
            files: 0,
            bytes: 0,
            excluded_files: 0,
            excluded_bytes: 0,
            ignore_patterns: patterns,
            ignore_file,
        },
    };
    walker.dir(root, None, &ParentMatches::default())?;
    let tar_size = walker
        .entries
        .iter()
        .map(|e| e.header.archived_len())
        .sum::<u64>()
        + tarball::END.len() as u64;
    Ok(BuildContext {
        root: root.to_owned(),
        dockerfile: dockerfile.to_owned(),
        entries: walker.entries,
        summary: walker.summary,
        tar_size,
    })
}

struct Walker {
    ignore: Dockerignore,
    count_excluded: bool,
    entries: Vec<Entry>,
    /// Inode → first name, to send later names of a hard-linked file as links (as the CLI).
    hard_links: HashMap<u64, String>,
    summary: ContextSummary,
}

impl Walker {
    fn dir(&mut self, abs: &Path, rel: Option<&str>, parent: &ParentMatches) -> Result<()> {
        let unreadable = |e: std::io::Error| {
            BerthError::invalid("contextDir", "unreadable")
                .with("path", rel.unwrap_or("."))
                .details(e)
        };
        let mut names: Vec<_> = std::fs::read_dir(abs)
            .map_err(unreadable)?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<std::io::Result<_>>()
            .map_err(unreadable)?;
        // filepath.WalkDir visits names in byte order.
        names.sort_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
        for name in names {
            let name = name.to_string_lossy().into_owned();
            let child_rel = match rel {
                Some(r) => format!("{r}/{name}"),
                None => name,
            };
            let path = abs.join(
                child_rel
                    .rsplit('/')
                    .next()
                    .expect("a path has a last component"),
            );
            let meta = std::fs::symlink_metadata(&path).map_err(|e| {
                BerthError::invalid("contextDir", "unreadable")
                    .with("path", &child_rel)
                    .details(e)
            })?;
            let (excluded, info) = self.ignore.excluded(&child_rel, parent);
            if excluded {
                if !meta.is_dir() {
                    self.count_out(&meta);
                } else if self.ignore.has_exceptions()
                    && self.ignore.may_reinclude_below(&child_rel)
                {
                    // Walked for what an exception re-includes; the directory entry itself
                    // is not sent (the engine creates it).
                    self.dir(&path, Some(&child_rel), &info)?;
                } else if self.count_excluded {
                    self.count_out_tree(&path);
                }
                continue;
            }
            self.add(&path, &child_rel, &meta)?;
            if meta.is_dir() {
                self.dir(&path, Some(&child_rel), &info)?;
            }
        }
        Ok(())
    }

    fn count_out(&mut self, meta: &Metadata) {
        self.summary.excluded_files += 1;
        if meta.is_file() {
            self.summary.excluded_bytes += meta.len();
        }
    }

    fn count_out_tree(&mut self, dir: &Path) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let Ok(meta) = entry.path().symlink_metadata() else {
                continue;
            };
            if meta.is_dir() {
                self.count_out_tree(&entry.path());
            } else {
                self.count_out(&meta);
            }
        }
    }

    fn add(&mut self, path: &Path, rel: &str, meta: &Metadata) -> Result<()> {
        let bits = UnixBits::of(meta);
        let file_type = meta.file_type();
        let mut kind = if file_type.is_dir() {
            EntryType::Directory
        } else if file_type.is_symlink() {
            let target = std::fs::read_link(path).map_err(|e| {
                BerthError::invalid("contextDir", "unreadable")
                    .with("path", rel)
                    .details(e)
            })?;
            EntryType::Symlink {
                target: target.to_string_lossy().into_owned(),
            }
        } else if file_type.is_file() {
            // Checked now, like the CLI, so an unreadable file stops the build before it starts.
            std::fs::File::open(path).map_err(|e| {
                BerthError::invalid("contextDir", "unreadable")
                    .with("path", rel)
                    .details(e)
            })?;
            EntryType::Regular { size: meta.len() }
        } else if let Some(special) = special_kind(meta, bits.rdev) {
            special
        } else {
            // Sockets: Go's tar refuses them and the CLI skips them.
            return Ok(());
        };
        if !file_type.is_dir() && bits.nlink > 1 {
            match self.hard_links.get(&bits.ino) {
                Some(first) => {
                    kind = EntryType::HardLink {
                        target: first.clone(),
                    }
                }
                None => {
                    self.hard_links.insert(bits.ino, rel.to_owned());
                }
            }
        }
        if !file_type.is_dir() {
            self.summary.files += 1;
            if let EntryType::Regular { size } = kind {
                self.summary.bytes += size;
            }
        }
        let name = if file_type.is_dir() {
            format!("{rel}/")
        } else {
            rel.to_owned()
        };
        self.entries.push(Entry {
            path: path.to_owned(),
            header: Header {
                name,
                kind,
                mode: bits.mode,
                mtime: bits.mtime,
            },
        });
        Ok(())
    }
}

/// The stat fields a tar header needs.
struct UnixBits {
    mode: u32,
    mtime: i64,
    nlink: u64,
    ino: u64,
    rdev: u64,
}

impl UnixBits {
    #[cfg(unix)]
    fn of(meta: &Metadata) -> Self {
        use std::os::unix::fs::MetadataExt;
        UnixBits {
            mode: meta.mode() & 0o7777,
            mtime: meta.mtime(),
            nlink: meta.nlink(),
            ino: meta.ino(),
            rdev: meta.rdev(),
        }
    }

    #[cfg(not(unix))]
    fn of(meta: &Metadata) -> Self {
        // What the CLI sends from Windows: 0755 for folders and executables' lack of a bit.
        let mode = if meta.is_dir() { 0o755 } else { 0o644 };
        let mtime = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs() as i64)
            .unwrap_or_default();
        UnixBits {
            mode,
            mtime,
            nlink: 1,
            ino: 0,
            rdev: 0,
        }
    }
}

#[cfg(unix)]
fn special_kind(meta: &Metadata, rdev: u64) -> Option<EntryType> {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    // glibc's major()/minor().
    let major = (((rdev >> 8) & 0xfff) | ((rdev >> 32) & !0xfff)) as u32;
    let minor = ((rdev & 0xff) | ((rdev >> 12) & !0xff)) as u32;
    if t.is_fifo() {
        Some(EntryType::Fifo)
    } else if t.is_char_device() {
        Some(EntryType::CharDevice { major, minor })
    } else if t.is_block_device() {
        Some(EntryType::BlockDevice { major, minor })
    } else {
        None
    }
}

#[cfg(not(unix))]
fn special_kind(_meta: &Metadata, _rdev: u64) -> Option<EntryType> {
    None
}

impl BuildContext {
    /// The names that will be sent, in order (for tests and the preview).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.header.name.as_str())
    }

    /// The tar stream. A thread reads the files; `sent` counts the bytes handed to the engine.
    /// Dropping the stream (a cancelled build) stops the thread at its next chunk.
    pub fn into_stream(
        self,
        sent: Arc<AtomicU64>,
    ) -> impl Stream<Item = std::io::Result<Bytes>> + Send + 'static {
        let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(CHUNKS_AHEAD);
        std::thread::spawn(move || {
            let mut out = ChunkWriter {
                tx: &tx,
                buf: Vec::with_capacity(CHUNK),
            };
            if let Err(e) = self.write_tar(&mut out).and_then(|_| out.flush()) {
                let _ = tx.blocking_send(Err(e));
            }
        });
        futures_util::stream::unfold(rx, move |mut rx| {
            let sent = sent.clone();
            async move {
                let item = rx.recv().await?;
                if let Ok(chunk) = &item {
                    sent.fetch_add(chunk.len() as u64, Ordering::Relaxed);
                }
                Some((item, rx))
            }
        })
    }

    fn write_tar(&self, out: &mut ChunkWriter<'_>) -> std::io::Result<()> {
        let mut buf = vec![0u8; CHUNK];
        for entry in &self.entries {
            out.write(&entry.header.encode())?;
            let EntryType::Regular { size } = entry.header.kind else {
                continue;
            };
            let mut file = std::fs::File::open(&entry.path)?.take(size);
            let mut copied = 0u64;
            loop {
                let n = file.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                out.write(&buf[..n])?;
                copied += n as u64;
            }
            if copied != size {
                return Err(std::io::Error::other(format!(
                    "{} changed while it was being sent",
                    entry.header.name
                )));
            }
            out.write(&vec![0u8; (tarball::padded(size) - size) as usize])?;
        }
        out.write(&tarball::END)
    }
}

struct ChunkWriter<'a> {
    tx: &'a tokio::sync::mpsc::Sender<std::io::Result<Bytes>>,
    buf: Vec<u8>,
}

impl ChunkWriter<'_> {
    fn write(&mut self, mut data: &[u8]) -> std::io::Result<()> {
        while !data.is_empty() {
            let room = CHUNK - self.buf.len();
            let n = room.min(data.len());
            self.buf.extend_from_slice(&data[..n]);
            data = &data[n..];
            if self.buf.len() == CHUNK {
                self.flush()?;
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::other("the build was stopped"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, content) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        dir
    }

    fn names(dir: &tempfile::TempDir) -> Vec<String> {
        let root = resolve_folder(dir.path().to_str().unwrap()).unwrap();
        let dockerfile = resolve_dockerfile(&root, None).unwrap();
        prepare(&root, &dockerfile)
            .unwrap()
            .names()
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn excluded_files_are_left_out_and_exceptions_come_back() {
        let dir = folder(&[
            ("Dockerfile", "FROM scratch"),
            (
                ".dockerignore",
                "big\n!big/keep.txt\n*.log\nDockerfile\n.dockerignore\n",
            ),
            ("big/blob.bin", "xxxx"),
            ("big/keep.txt", "k"),
            ("app/main.sh", "echo"),
            ("app.log", "log"),
        ]);
        assert_eq!(
            names(&dir),
            [
                ".dockerignore",
                "Dockerfile",
                "app/",
                "app/main.sh",
                "big/keep.txt"
            ]
        );
    }

    #[test]
    fn the_summary_counts_what_is_kept_out() {
        let dir = folder(&[
            ("Dockerfile", "FROM scratch"),
            (".dockerignore", "# comment\nvendor\n"),
            ("vendor/a/b.bin", "0123456789"),
            ("main.go", "package main"),
        ]);
        let root = resolve_folder(dir.path().to_str().unwrap()).unwrap();
        let summary = summarize(&root, "Dockerfile").unwrap();
        assert_eq!(summary.files, 3);
        assert_eq!(summary.bytes, 12 + 17 + 12);
        assert_eq!(summary.excluded_files, 1);
        assert_eq!(summary.excluded_bytes, 10);
        assert_eq!(summary.ignore_patterns, 1);
    }

    #[test]
    fn the_dockerfile_must_exist_inside_the_folder() {
        let dir = folder(&[("app/Dockerfile.prod", "FROM scratch"), ("dockerfile", "x")]);
        let root = resolve_folder(dir.path().to_str().unwrap()).unwrap();
        assert_eq!(resolve_dockerfile(&root, None).unwrap(), "dockerfile");
        assert_eq!(
            resolve_dockerfile(&root, Some("app/Dockerfile.prod")).unwrap(),
            "app/Dockerfile.prod"
        );
        let rule = |given| {
            resolve_dockerfile(&root, Some(given))
                .unwrap_err()
                .param("rule")
                .unwrap()
                .to_owned()
        };
        assert_eq!(rule("nope"), "notFound");
        // Without a path, the folder itself has no Dockerfile: said of the folder.
        let empty = folder(&[("app.js", "x")]);
        let bare = resolve_folder(empty.path().to_str().unwrap()).unwrap();
        let err = resolve_dockerfile(&bare, None).unwrap_err();
        assert_eq!(err.param("field"), Some("contextDir"));
        assert_eq!(err.param("rule"), Some("noDockerfile"));
        assert_eq!(rule("../../etc/hostname"), "outsideContext");
        assert_eq!(
            resolve_folder("relative/path").unwrap_err().param("rule"),
            Some("absolute")
        );
        assert_eq!(
            resolve_folder(&format!("{}/missing", dir.path().display()))
                .unwrap_err()
                .param("rule"),
            Some("notFound")
        );
    }

    #[tokio::test]
    async fn the_stream_is_exactly_as_long_as_announced() {
        let dir = folder(&[
            ("Dockerfile", "FROM scratch"),
            (
                &format!("{}/{}", "d".repeat(60), "f".repeat(120)),
                "long name",
            ),
            ("odd.bin", &"z".repeat(1000)),
        ]);
        let root = resolve_folder(dir.path().to_str().unwrap()).unwrap();
        let context = prepare(&root, "Dockerfile").unwrap();
        let announced = context.tar_size;
        let sent = Arc::new(AtomicU64::new(0));
        let chunks: Vec<_> = context.into_stream(sent.clone()).collect().await;
        let total: usize = chunks.iter().map(|c| c.as_ref().unwrap().len()).sum();
        assert_eq!(total as u64, announced);
        assert_eq!(sent.load(Ordering::Relaxed), announced);
        assert_eq!(announced % 512, 0);
    }
}
