//! The folders a BuildKit build reads, served over the session as the docker CLI serves them
//! (BuildKit's `FileSync.DiffCopy`, the fsutil protocol): the engine names a folder (`context`
//! or `dockerfile`) and what it wants of it (`followpaths`, `include-patterns`,
//! `exclude-patterns` — the latter read by the engine's Dockerfile frontend from
//! `<Dockerfile>.dockerignore` or `.dockerignore`); Berth sends one `STAT` packet per entry in
//! walk order, then the content of each file the engine asks for (`REQ` → `DATA`…), until `FIN`.
//!
//! Because the engine compares what it receives with what it kept from the last build of the
//! same folder, a rebuild sends only the files that changed. Owners are sent as 0:0, as the CLI
//! does; files excluded by the patterns are never opened.
//!
//! One file (about 540 lines of code) because it is one protocol exchange: the walk, the packet
//! order and the replies to `REQ` depend on each other, and split up they would be read apart.

use crate::image::dockerignore::{Dockerignore, ParentMatches};
use bollard_buildkit_proto::fsutil::types::packet::PacketType;
use bollard_buildkit_proto::fsutil::types::{Packet, Stat};
use bytes::Bytes;
use std::collections::HashMap;
use std::fs::Metadata;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;
use tonic::Status;

/// File content is sent in chunks of this size (fsutil's own buffer).
const CHUNK: usize = 32 * 1024;

/// A folder the engine may ask for.
#[derive(Debug, Clone)]
pub struct SyncedDir {
    pub root: PathBuf,
    /// Files served with other content than on disk, by relative path (the Dockerfile without
    /// its `# syntax=` line, when the user chose the engine's built-in frontend).
    pub overrides: HashMap<String, Bytes>,
}

/// What the engine asked for, from the request's metadata.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub follow: Vec<String>,
}

/// One entry to send.
#[derive(Debug, Clone)]
pub struct Entry {
    pub stat: Stat,
    /// Where its content is, for regular files.
    pub source: Option<Source>,
}

#[derive(Debug, Clone)]
pub enum Source {
    File(PathBuf),
    Memory(Bytes),
}

// Go's os.FileMode bits, which fsutil sends.
const MODE_DIR: u32 = 1 << 31;
const MODE_SYMLINK: u32 = 1 << 27;
const MODE_DEVICE: u32 = 1 << 26;
const MODE_NAMED_PIPE: u32 = 1 << 25;
const MODE_SETUID: u32 = 1 << 23;
const MODE_SETGID: u32 = 1 << 22;
const MODE_CHAR_DEVICE: u32 = 1 << 21;
const MODE_STICKY: u32 = 1 << 20;

/// Walks `dir` as fsutil's walker does for `request`: entries in lexical order, a folder before
/// what it holds, parents of included entries sent even when the folder itself is not included
/// or is excluded, excluded folders skipped unless an exception may bring something back.
pub fn walk(dir: &SyncedDir, request: &Request) -> std::io::Result<Vec<Entry>> {
    let excludes = Dockerignore::from_lines(request.exclude.clone())
        .map_err(|e| std::io::Error::other(format!("exclude patterns: {e}")))?;
    let mut include_patterns = request.include.clone();
    for path in &request.follow {
        include_patterns.extend(follow_links(&dir.root, path));
    }
    let includes = if include_patterns.is_empty() {
        None
    } else {
        Some(
            Dockerignore::from_lines(include_patterns.clone())
                .map_err(|e| std::io::Error::other(format!("include patterns: {e}")))?,
        )
    };
    let only_prefixes = include_patterns
        .iter()
        .all(|p| !p.contains(['*', '?', '[', '\\']));
    let mut walker = Walker {
        dir,
        excludes,
        includes,
        include_patterns,
        only_prefixes,
        out: Vec::new(),
        inodes: HashMap::new(),
    };
    walker.walk(
        &dir.root,
        None,
        &ParentMatches::default(),
        &ParentMatches::default(),
        false,
        &mut Vec::new(),
    )?;
    Ok(walker.out)
}

/// fsutil's `FollowLinks`: a path asked for by name, and the targets of the symlinks on it that
/// stay inside the folder.
fn follow_links(root: &Path, path: &str) -> Vec<String> {
    let mut out = vec![crate::image::dockerignore::clean(path)];
    let mut current = out[0].clone();
    for _ in 0..16 {
        let abs = root.join(&current);
        let Ok(meta) = std::fs::symlink_metadata(&abs) else {
            break;
        };
        if !meta.file_type().is_symlink() {
            break;
        }
        let Ok(target) = std::fs::read_link(&abs) else {
            break;
        };
        let target = target.to_string_lossy().replace('\\', "/");
        let next = if target.starts_with('/') {
            target
        } else {
            let parent = current.rsplit_once('/').map(|(p, _)| p).unwrap_or("");
            crate::image::dockerignore::clean(&format!("{parent}/{target}"))
        };
        let next = next.trim_start_matches('/').to_owned();
        if next.starts_with("..") || out.contains(&next) {
            break;
        }
        out.push(next.clone());
        current = next;
    }
    out
}

struct Walker<'a> {
    dir: &'a SyncedDir,
    excludes: Dockerignore,
    includes: Option<Dockerignore>,
    include_patterns: Vec<String>,
    only_prefixes: bool,
    out: Vec<Entry>,
    /// Inode → first path, to send later names of a hard-linked file as links.
    inodes: HashMap<(u64, u64), String>,
}

impl Walker<'_> {
    /// `pending`: folders above this one not sent yet (sent as soon as something below is).
    fn walk(
        &mut self,
        abs: &Path,
        rel: Option<&str>,
        parent_excludes: &ParentMatches,
        parent_includes: &ParentMatches,
        included_above: bool,
        pending: &mut Vec<Entry>,
    ) -> std::io::Result<()> {
        let mut names: Vec<_> = std::fs::read_dir(abs)?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<std::io::Result<_>>()?;
        names.sort_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
        for name in names {
            let name = name.to_string_lossy().into_owned();
            let child_rel = match rel {
                Some(r) => format!("{r}/{name}"),
                None => name.clone(),
            };
            let path = abs.join(&name);
            let meta = std::fs::symlink_metadata(&path)?;
            let is_dir = meta.is_dir();

            // Include patterns (and followpaths): an entry is sent when it, or a folder above
            // it, matches; a folder that does not match is still walked when something below it
            // may.
            let (included, include_info) = match &self.includes {
                None => (true, ParentMatches::default()),
                Some(_) if included_above => (true, ParentMatches::default()),
                Some(includes) => includes.excluded(&child_rel, parent_includes),
            };
            if !included {
                if is_dir && self.may_include_below(&child_rel) {
                    pending.push(self.entry(&path, &child_rel, &meta)?);
                    let (_, exclude_info) = self.excludes.excluded(&child_rel, parent_excludes);
                    self.walk(
                        &path,
                        Some(&child_rel),
                        &exclude_info,
                        &include_info,
                        false,
                        pending,
                    )?;
                    pending.pop();
                }
                continue;
            }

            let (excluded, exclude_info) = self.excludes.excluded(&child_rel, parent_excludes);
            if excluded {
                if is_dir
                    && self.excludes.has_exceptions()
                    && self.excludes.may_reinclude_below(&child_rel)
                {
                    pending.push(self.entry(&path, &child_rel, &meta)?);
                    self.walk(
                        &path,
                        Some(&child_rel),
                        &exclude_info,
                        &include_info,
                        included,
                        pending,
                    )?;
                    pending.pop();
                }
                continue;
            }
            let Some(entry) = self.maybe_entry(&path, &child_rel, &meta)? else {
                continue;
            };
            // Folders above that were held back go first.
            for parent in pending.iter_mut() {
                if !parent.stat.path.is_empty() {
                    self.out.push(parent.clone());
                    parent.stat.path.clear();
                }
            }
            self.out.push(entry);
            if is_dir {
                let mut fresh = Vec::new();
                self.walk(
                    &path,
                    Some(&child_rel),
                    &exclude_info,
                    &include_info,
                    true,
                    &mut fresh,
                )?;
            }
        }
        Ok(())
    }

    fn may_include_below(&self, dir: &str) -> bool {
        if !self.only_prefixes {
            return true;
        }
        let dir_slash = format!("{dir}/");
        self.include_patterns
            .iter()
            .any(|p| p.trim_start_matches('!').starts_with(&dir_slash))
    }

    fn entry(&mut self, path: &Path, rel: &str, meta: &Metadata) -> std::io::Result<Entry> {
        Ok(self
            .maybe_entry(path, rel, meta)?
            .expect("folders are always sent"))
    }

    /// The entry for `path`; `None` for what fsutil does not send (sockets).
    fn maybe_entry(
        &mut self,
        path: &Path,
        rel: &str,
        meta: &Metadata,
    ) -> std::io::Result<Option<Entry>> {
        let file_type = meta.file_type();
        let bits = unix_bits(meta);
        let mut stat = Stat {
            path: rel.to_owned(),
            mode: go_mode(meta, bits.mode),
            uid: 0,
            gid: 0,
            size: 0,
            mod_time: bits.mtime_nanos,
            linkname: String::new(),
            devmajor: 0,
            devminor: 0,
            xattrs: HashMap::new(),
        };
        let mut source = None;
        if file_type.is_symlink() {
            stat.linkname = std::fs::read_link(path)?.to_string_lossy().into_owned();
        } else if file_type.is_file() {
            if let Some(content) = self.dir.overrides.get(rel) {
                stat.size = content.len() as i64;
                source = Some(Source::Memory(content.clone()));
            } else {
                stat.size = meta.len() as i64;
                if bits.nlink > 1 {
                    if let Some(first) = self.inodes.get(&(bits.dev, bits.ino)) {
                        stat.linkname = first.clone();
                        stat.size = 0;
                    } else {
                        self.inodes.insert((bits.dev, bits.ino), rel.to_owned());
                    }
                }
                if stat.linkname.is_empty() {
                    source = Some(Source::File(path.to_owned()));
                }
            }
        } else if stat.mode & (MODE_DEVICE | MODE_NAMED_PIPE) != 0 {
            stat.devmajor = i64::from(bits.major);
            stat.devminor = i64::from(bits.minor);
        } else if !file_type.is_dir() {
            return Ok(None);
        }
        Ok(Some(Entry { stat, source }))
    }
}

struct UnixBits {
    mode: u32,
    mtime_nanos: i64,
    nlink: u64,
    dev: u64,
    ino: u64,
    major: u32,
    minor: u32,
}

#[cfg(unix)]
fn unix_bits(meta: &Metadata) -> UnixBits {
    use std::os::unix::fs::MetadataExt;
    let rdev = meta.rdev();
    UnixBits {
        mode: meta.mode(),
        mtime_nanos: meta.mtime() * 1_000_000_000 + meta.mtime_nsec(),
        nlink: meta.nlink(),
        dev: meta.dev(),
        ino: meta.ino(),
        major: (((rdev >> 8) & 0xfff) | ((rdev >> 32) & !0xfff)) as u32,
        minor: ((rdev & 0xff) | ((rdev >> 12) & !0xff)) as u32,
    }
}

#[cfg(not(unix))]
fn unix_bits(meta: &Metadata) -> UnixBits {
    // fsutil on Windows: 0755 for everything (it adds the x bits).
    let mtime_nanos = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos() as i64)
        .unwrap_or_default();
    UnixBits {
        mode: if meta.is_dir() { 0o040755 } else { 0o100755 },
        mtime_nanos,
        nlink: 1,
        dev: 0,
        ino: 0,
        major: 0,
        minor: 0,
    }
}

/// A unix `st_mode` as Go's `os.FileMode`.
fn go_mode(meta: &Metadata, unix_mode: u32) -> u32 {
    let mut mode = unix_mode & 0o777;
    let file_type = meta.file_type();
    if file_type.is_dir() {
        mode |= MODE_DIR;
    } else if file_type.is_symlink() {
        mode |= MODE_SYMLINK;
    } else {
        match unix_mode & 0o170000 {
            0o010000 => mode |= MODE_NAMED_PIPE,
            0o020000 => mode |= MODE_DEVICE | MODE_CHAR_DEVICE,
            0o060000 => mode |= MODE_DEVICE,
            0o140000 => mode |= 1 << 24, // socket: not sent
            _ => {}
        }
    }
    if unix_mode & 0o4000 != 0 {
        mode |= MODE_SETUID;
    }
    if unix_mode & 0o2000 != 0 {
        mode |= MODE_SETGID;
    }
    if unix_mode & 0o1000 != 0 {
        mode |= MODE_STICKY;
    }
    mode
}

fn packet(kind: PacketType) -> Packet {
    Packet {
        r#type: kind as i32,
        stat: None,
        id: 0,
        data: Vec::new(),
    }
}

/// Serves one `DiffCopy` call: the stats, then the files asked for, until the engine says FIN.
/// `sent` counts the file bytes sent (the context progress).
pub async fn serve(
    dir: SyncedDir,
    request: Request,
    mut incoming: tonic::Streaming<Packet>,
    tx: mpsc::Sender<Result<Packet, Status>>,
    sent: Arc<AtomicU64>,
) {
    let walked = {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || walk(&dir, &request)).await
    };
    let entries = match walked {
        Ok(Ok(entries)) => entries,
        Ok(Err(e)) => {
            let mut p = packet(PacketType::PacketErr);
            p.data = format!("Berth could not read {}: {e}", dir.root.display()).into_bytes();
            let _ = tx.send(Ok(p)).await;
            return;
        }
        Err(e) => {
            let _ = tx.send(Err(Status::internal(e.to_string()))).await;
            return;
        }
    };
    let sources: Arc<Vec<Option<Source>>> =
        Arc::new(entries.iter().map(|e| e.source.clone()).collect());

    // Stats go out while the engine's requests are read: it asks for files as soon as it has
    // seen their stat, and must never wait on a full window of unread requests.
    let stats_tx = tx.clone();
    let stats = tokio::spawn(async move {
        for entry in entries {
            let mut p = packet(PacketType::PacketStat);
            p.stat = Some(entry.stat);
            if stats_tx.send(Ok(p)).await.is_err() {
                return;
            }
        }
        let _ = stats_tx.send(Ok(packet(PacketType::PacketStat))).await;
    });

    let mut served = vec![false; sources.len()];
    loop {
        let message = match incoming.message().await {
            Ok(Some(message)) => message,
            Ok(None) | Err(_) => break,
        };
        match PacketType::try_from(message.r#type) {
            Ok(PacketType::PacketReq) => {
                let id = message.id as usize;
                let source = sources.get(id).cloned().flatten();
                let Some(source) = source.filter(|_| !served[id]) else {
                    let mut p = packet(PacketType::PacketErr);
                    p.data = format!("invalid file request {id}").into_bytes();
                    let _ = tx.send(Ok(p)).await;
                    break;
                };
                served[id] = true;
                if let Err(e) = send_file(message.id, source, &tx, &sent).await {
                    let mut p = packet(PacketType::PacketErr);
                    p.data = e.to_string().into_bytes();
                    let _ = tx.send(Ok(p)).await;
                    break;
                }
            }
            Ok(PacketType::PacketFin) => {
                let _ = stats.await;
                let _ = tx.send(Ok(packet(PacketType::PacketFin))).await;
                break;
            }
            Ok(PacketType::PacketErr) => break,
            _ => {}
        }
    }
}

/// The content of one file as DATA packets, ended by an empty one.
async fn send_file(
    id: u32,
    source: Source,
    tx: &mpsc::Sender<Result<Packet, Status>>,
    sent: &AtomicU64,
) -> std::io::Result<()> {
    let data = |bytes: Vec<u8>| {
        let mut p = packet(PacketType::PacketData);
        p.id = id;
        p.data = bytes;
        p
    };
    let closed = || std::io::Error::other("the engine closed the session");
    match source {
        Source::Memory(bytes) => {
            for chunk in bytes.chunks(CHUNK) {
                sent.fetch_add(chunk.len() as u64, Ordering::Relaxed);
                tx.send(Ok(data(chunk.to_vec())))
                    .await
                    .map_err(|_| closed())?;
            }
        }
        Source::File(path) => {
            let (chunks_tx, mut chunks) = mpsc::channel::<std::io::Result<Vec<u8>>>(4);
            tokio::task::spawn_blocking(move || {
                let mut file = match std::fs::File::open(&path) {
                    Ok(f) => f,
                    Err(e) => {
                        let _ = chunks_tx.blocking_send(Err(e));
                        return;
                    }
                };
                loop {
                    let mut buf = vec![0u8; CHUNK];
                    match file.read(&mut buf) {
                        Ok(0) => return,
                        Ok(n) => {
                            buf.truncate(n);
                            if chunks_tx.blocking_send(Ok(buf)).is_err() {
                                return;
                            }
                        }
                        Err(e) => {
                            let _ = chunks_tx.blocking_send(Err(e));
                            return;
                        }
                    }
                }
            });
            while let Some(chunk) = chunks.recv().await {
                let chunk = chunk?;
                sent.fetch_add(chunk.len() as u64, Ordering::Relaxed);
                tx.send(Ok(data(chunk))).await.map_err(|_| closed())?;
            }
        }
    }
    tx.send(Ok(data(Vec::new()))).await.map_err(|_| closed())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, content) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, content).unwrap();
        }
        dir
    }

    fn paths(dir: &tempfile::TempDir, request: Request) -> Vec<String> {
        let synced = SyncedDir {
            root: dir.path().to_owned(),
            overrides: HashMap::new(),
        };
        walk(&synced, &request)
            .unwrap()
            .into_iter()
            .map(|e| {
                let kind = if e.stat.mode & MODE_DIR != 0 { "/" } else { "" };
                format!("{}{kind}", e.stat.path)
            })
            .collect()
    }

    #[test]
    fn entries_come_in_fsutil_order_with_folders_first() {
        let dir = folder(&[("a.b", "1"), ("a/b", "2"), ("a/c/d", "3"), ("B", "4")]);
        assert_eq!(
            paths(&dir, Request::default()),
            ["B", "a/", "a/b", "a/c/", "a/c/d", "a.b"]
        );
    }

    #[test]
    fn exclude_patterns_apply_with_their_exceptions() {
        let dir = folder(&[
            ("Dockerfile", "FROM scratch"),
            ("node_modules/x/index.js", "x"),
            ("logs/a.log", "a"),
            ("logs/keep.log", "k"),
            ("src/app.js", "app"),
        ]);
        let request = Request {
            exclude: vec![
                "node_modules".into(),
                "logs".into(),
                "!logs/keep.log".into(),
                "Dockerfile".into(),
            ],
            ..Default::default()
        };
        assert_eq!(
            paths(&dir, request),
            ["logs/", "logs/keep.log", "src/", "src/app.js"]
        );
    }

    #[test]
    fn followpaths_send_only_those_files_and_their_folders() {
        let dir = folder(&[
            ("docker/Dockerfile", "FROM scratch"),
            ("docker/Dockerfile.dockerignore", "*"),
            ("docker/other", "x"),
            ("src/main.rs", "fn main() {}"),
        ]);
        std::os::unix::fs::symlink("docker/Dockerfile", dir.path().join("Dockerfile")).unwrap();
        let request = Request {
            follow: vec![
                "Dockerfile".into(),
                "Dockerfile.dockerignore".into(),
                "dockerfile".into(),
            ],
            ..Default::default()
        };
        assert_eq!(
            paths(&dir, request),
            ["Dockerfile", "docker/", "docker/Dockerfile"]
        );
    }

    #[test]
    fn stats_carry_go_file_modes_and_no_owner() {
        use std::os::unix::fs::PermissionsExt;
        let dir = folder(&[("run.sh", "#!/bin/sh"), ("sub/x", "x")]);
        std::fs::set_permissions(
            dir.path().join("run.sh"),
            std::fs::Permissions::from_mode(0o4755),
        )
        .unwrap();
        std::fs::hard_link(dir.path().join("sub/x"), dir.path().join("sub/y")).unwrap();
        let synced = SyncedDir {
            root: dir.path().to_owned(),
            overrides: HashMap::from([("sub/x".to_owned(), Bytes::from_static(b"other"))]),
        };
        let entries = walk(&synced, &Request::default()).unwrap();
        let by = |p: &str| entries.iter().find(|e| e.stat.path == p).unwrap();
        assert_eq!(by("run.sh").stat.mode, 0o755 | MODE_SETUID);
        assert_eq!(by("run.sh").stat.size, 9);
        assert_eq!((by("run.sh").stat.uid, by("run.sh").stat.gid), (0, 0));
        assert_eq!(by("sub").stat.mode & MODE_DIR, MODE_DIR);
        assert!(matches!(by("sub/x").source, Some(Source::Memory(_))));
        assert_eq!(by("sub/x").stat.size, 5);
    }
}
