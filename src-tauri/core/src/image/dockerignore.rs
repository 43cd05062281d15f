//! `.dockerignore`, read and matched exactly as the docker CLI does (moby/patternmatcher and its
//! `ignorefile` reader): `*`, `?`, `[...]`, `**`, `!` exceptions, the last matching line wins, and
//! a pattern that matches a directory excludes everything under it. Quirks are kept on purpose —
//! the user's folder must become the same image with Berth as with `docker build`.

use crate::error::{BerthError, Result};
use regex::Regex;
use std::path::Path;

/// The patterns of one `.dockerignore`, in file order.
#[derive(Debug, Clone, Default)]
pub struct Dockerignore {
    patterns: Vec<Pattern>,
    exclusions: bool,
}

#[derive(Debug, Clone)]
struct Pattern {
    /// The cleaned pattern without its `!`.
    text: String,
    exception: bool,
    /// How many `/`-separated parts it has (used by the legacy matcher).
    dirs: usize,
    kind: MatchKind,
}

#[derive(Debug, Clone)]
enum MatchKind {
    Exact,
    /// `dir/**`: anything under `dir/`.
    Prefix(String),
    /// `**/name`: `name` at any depth.
    Suffix(String),
    Regex(Regex),
}

/// Per pattern, whether a directory matched it: passed down to its entries during a walk, like
/// patternmatcher's `MatchInfo`.
#[derive(Debug, Clone, Default)]
pub struct ParentMatches(Vec<bool>);

impl Dockerignore {
    /// Reads `dir/.dockerignore`; no file means no patterns.
    pub fn read(dir: &Path) -> Result<Self> {
        Self::read_file(dir, ".dockerignore")
    }

    /// Reads the ignore file `rel` (relative to the folder `dir`); no file means no patterns.
    pub fn read_file(dir: &Path, rel: &str) -> Result<Self> {
        match std::fs::read(dir.join(rel)) {
            Ok(bytes) => Self::parse(&String::from_utf8_lossy(&bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(BerthError::invalid("dockerignore", "unreadable").details(e)),
        }
    }

    /// Parses the text of a `.dockerignore` (ignorefile.ReadAll, then patternmatcher.New).
    pub fn parse(text: &str) -> Result<Self> {
        Self::from_lines(read_lines(text))
    }

    /// Builds a matcher from patterns as `ignorefile.ReadAll` returns them.
    pub fn from_lines(lines: Vec<String>) -> Result<Self> {
        let mut patterns = Vec::new();
        let mut exclusions = false;
        for line in lines {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let cleaned = clean(line);
            let (exception, text) = match cleaned.strip_prefix('!') {
                Some("") => {
                    return Err(BerthError::invalid("dockerignore", "pattern").with("pattern", "!"))
                }
                Some(rest) => (true, rest.to_owned()),
                None => (false, cleaned),
            };
            exclusions |= exception;
            let invalid = || BerthError::invalid("dockerignore", "pattern").with("pattern", line);
            check_syntax(&text).map_err(|_| invalid())?;
            let kind = compile(&text).map_err(|e| invalid().details(e))?;
            patterns.push(Pattern {
                dirs: text.split('/').count(),
                text,
                exception,
                kind,
            });
        }
        Ok(Dockerignore {
            patterns,
            exclusions,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    /// Whether any line is a `!` exception.
    pub fn has_exceptions(&self) -> bool {
        self.exclusions
    }

    /// Adds `!path` at the end (the CLI keeps the Dockerfile and `.dockerignore` this way).
    pub fn keep(&mut self, path: &str) {
        let text = clean(path);
        self.patterns.push(Pattern {
            dirs: text.split('/').count(),
            kind: compile(&text).unwrap_or(MatchKind::Exact),
            text,
            exception: true,
        });
        self.exclusions = true;
    }

    /// patternmatcher's `MatchesUsingParentResults`: whether `path` (slash-separated, relative to
    /// the context) is excluded, given its parent directory's results (empty for top-level
    /// entries). Also returns this entry's results, to pass to its children if it is a directory.
    pub fn excluded(&self, path: &str, parent: &ParentMatches) -> (bool, ParentMatches) {
        let mut matched = false;
        let mut info = vec![false; self.patterns.len()];
        for (i, pattern) in self.patterns.iter().enumerate() {
            let mut hit = parent.0.get(i).copied().unwrap_or(false);
            if !hit {
                // An exception only matters once something matched, a plain pattern only until.
                if pattern.exception != matched {
                    continue;
                }
                hit = pattern.matches(path);
                if !hit && parent.0.is_empty() {
                    hit = parent_dirs(path).any(|dir| pattern.matches(dir));
                }
            }
            info[i] = hit;
            if hit {
                matched = !pattern.exception;
            }
        }
        (matched, ParentMatches(info))
    }

    /// patternmatcher's `MatchesOrParentMatches`, without results from a walk.
    pub fn excluded_path(&self, path: &str) -> bool {
        let path = clean(path);
        path != "." && self.excluded(&path, &ParentMatches::default()).0
    }

    /// The deprecated `patternmatcher.Matches` that the CLI still uses to decide whether the
    /// Dockerfile and `.dockerignore` must be kept: it only checks the parent directory at the
    /// pattern's own depth.
    pub fn excluded_legacy(&self, path: &str) -> bool {
        let path = clean(path);
        if path == "." {
            return false;
        }
        let parent = go_dir(&path);
        let parent_dirs: Vec<&str> = parent.split('/').collect();
        let mut matched = false;
        for pattern in &self.patterns {
            if pattern.exception != matched {
                continue;
            }
            let mut hit = pattern.matches(&path);
            if !hit && parent != "." && pattern.dirs <= parent_dirs.len() {
                hit = pattern.matches(&parent_dirs[..pattern.dirs].join("/"));
            }
            if hit {
                matched = !pattern.exception;
            }
        }
        matched
    }

    /// Whether an excluded directory must still be walked because an exception may re-include
    /// something below it. Like the CLI, this looks only at exceptions that start with the
    /// directory's path (`!dir/keep.txt`), not at ones like `!**/keep.txt`.
    pub fn may_reinclude_below(&self, dir: &str) -> bool {
        let dir_slash = format!("{dir}/");
        self.patterns
            .iter()
            .filter(|p| p.exception)
            .any(|p| format!("{}/", p.text).starts_with(&dir_slash))
    }
}

impl Pattern {
    fn matches(&self, path: &str) -> bool {
        match &self.kind {
            MatchKind::Exact => path == self.text,
            MatchKind::Prefix(prefix) => path.starts_with(prefix.as_str()),
            MatchKind::Suffix(suffix) => {
                path.ends_with(suffix.as_str())
                    || suffix.strip_prefix('/').is_some_and(|rest| path == rest)
            }
            MatchKind::Regex(re) => re.is_match(path),
        }
    }
}

/// The ignore file a build of `dockerfile` (relative to the folder `root`) reads, as BuildKit's
/// Dockerfile frontend chooses it: `<Dockerfile>.dockerignore` beside the Dockerfile if there is
/// one (it then replaces `.dockerignore`), else `.dockerignore` at the root; `None` when neither
/// exists.
pub fn ignore_file_for(root: &Path, dockerfile: &str) -> Option<String> {
    let specific = format!("{dockerfile}.dockerignore");
    if root.join(&specific).is_file() {
        return Some(specific);
    }
    root.join(".dockerignore")
        .is_file()
        .then(|| ".dockerignore".to_owned())
}

/// `a/b/c` → `a`, `a/b` (the parent directories, outermost first).
fn parent_dirs(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(move |(i, _)| &path[..i])
}

/// ignorefile.ReadAll: strips a BOM, skips `#` comment lines (only when `#` is the very first
/// character), trims, cleans each pattern and drops leading `/`.
pub fn read_lines(text: &str) -> Vec<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    for raw in text.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.starts_with('#') {
            continue;
        }
        let mut pattern = line.trim();
        if pattern.is_empty() {
            continue;
        }
        let invert = pattern.starts_with('!');
        if invert {
            pattern = pattern[1..].trim();
        }
        let mut cleaned = String::new();
        if !pattern.is_empty() {
            cleaned = clean(pattern);
            if cleaned.len() > 1 && cleaned.starts_with('/') {
                cleaned.remove(0);
            }
        }
        out.push(if invert {
            format!("!{cleaned}")
        } else {
            cleaned
        });
    }
    out
}

/// Go's `path.Clean`: the shortest equivalent path, by purely lexical processing.
pub fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_owned();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

/// Go's `filepath.Dir` for a cleaned relative path.
fn go_dir(path: &str) -> String {
    match path.rfind('/') {
        Some(i) => clean(&path[..i]),
        None => ".".to_owned(),
    }
}

/// The syntax check patternmatcher does with `filepath.Match(pattern, ".")`: an unclosed or
/// malformed `[...]` class or a trailing `\` is a bad pattern.
fn check_syntax(pattern: &str) -> std::result::Result<(), ()> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                if i + 1 >= chars.len() {
                    return Err(());
                }
                i += 2;
            }
            '[' => {
                i += 1;
                if chars.get(i) == Some(&'^') {
                    i += 1;
                }
                let mut ranges = 0;
                loop {
                    match chars.get(i) {
                        None => return Err(()),
                        Some(']') if ranges > 0 => {
                            i += 1;
                            break;
                        }
                        _ => {}
                    }
                    i = class_char(&chars, i)?;
                    if chars.get(i) == Some(&'-') {
                        i = class_char(&chars, i + 1)?;
                    }
                    ranges += 1;
                }
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// One (possibly escaped) character of a class; `-` and `]` may not start a range.
fn class_char(chars: &[char], i: usize) -> std::result::Result<usize, ()> {
    match chars.get(i) {
        None | Some('-') | Some(']') => Err(()),
        Some('\\') if i + 1 < chars.len() => Ok(i + 2),
        Some('\\') => Err(()),
        Some(_) => Ok(i + 1),
    }
}

/// patternmatcher's `Pattern.compile` (for `/` as the separator), including its shortcuts for
/// exact, `dir/**` and `**/name` patterns, whose results differ from the regex in corner cases.
fn compile(pattern: &str) -> std::result::Result<MatchKind, regex::Error> {
    #[derive(PartialEq)]
    enum Kind {
        Exact,
        Prefix,
        Suffix,
        Regex,
    }
    let chars: Vec<char> = pattern.chars().collect();
    let mut re = String::from("^");
    let mut kind = Kind::Exact;
    let mut i = 0;
    let mut index = 0;
    while i < chars.len() {
        let ch = chars[i];
        i += 1;
        if ch == '*' {
            if chars.get(i) == Some(&'*') {
                i += 1;
                if chars.get(i) == Some(&'/') {
                    i += 1;
                }
                if i >= chars.len() {
                    if kind == Kind::Exact {
                        kind = Kind::Prefix;
                    } else {
                        re.push_str(".*");
                        kind = Kind::Regex;
                    }
                } else {
                    re.push_str("(.*/)?");
                    kind = Kind::Regex;
                }
                if index == 0 {
                    kind = Kind::Suffix;
                }
            } else {
                re.push_str("[^/]*");
                kind = Kind::Regex;
            }
        } else if ch == '?' {
            re.push_str("[^/]");
            kind = Kind::Regex;
        } else if ".+()|{}$".contains(ch) {
            re.push('\\');
            re.push(ch);
        } else if ch == '\\' {
            if let Some(&next) = chars.get(i) {
                i += 1;
                re.push('\\');
                re.push(next);
                kind = Kind::Regex;
            } else {
                re.push('\\');
            }
        } else if ch == '[' || ch == ']' {
            re.push(ch);
            kind = Kind::Regex;
        } else {
            re.push(ch);
        }
        index += 1;
    }
    Ok(match kind {
        Kind::Exact => MatchKind::Exact,
        Kind::Prefix => MatchKind::Prefix(pattern[..pattern.len() - 2].to_owned()),
        Kind::Suffix => MatchKind::Suffix(pattern[2..].to_owned()),
        Kind::Regex => {
            re.push('$');
            MatchKind::Regex(Regex::new(&re)?)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ignore(text: &str) -> Dockerignore {
        Dockerignore::parse(text).unwrap()
    }

    #[test]
    fn reads_lines_like_the_cli() {
        assert_eq!(
            read_lines(
                "\u{feff}# comment\n  # not a comment\r\n/abs/path\n!  keep.txt \n\n./a/../b//c/\n"
            ),
            ["# not a comment", "abs/path", "!keep.txt", "b/c"]
        );
    }

    #[test]
    fn cleans_paths_like_go() {
        assert_eq!(clean(""), ".");
        assert_eq!(clean("a//b/./c/.."), "a/b");
        assert_eq!(clean("../x"), "../x");
        assert_eq!(clean("/../x"), "/x");
        assert_eq!(clean("!a/../b"), "b");
    }

    #[test]
    fn stars_stay_within_one_directory_and_double_stars_cross_them() {
        let ig = ignore("*.log\n**/*.tmp\nbuild/**\ndocs/*/draft\n");
        assert!(ig.excluded_path("app.log"));
        assert!(!ig.excluded_path("logs/app.log"), "*.log is top-level only");
        assert!(ig.excluded_path("a/b/c.tmp"));
        assert!(ig.excluded_path("c.tmp"));
        assert!(ig.excluded_path("build/out/x"));
        assert!(
            !ig.excluded_path("build"),
            "build/** does not match build itself"
        );
        assert!(ig.excluded_path("docs/v1/draft"));
        assert!(!ig.excluded_path("docs/v1/v2/draft"));
    }

    #[test]
    fn a_directory_pattern_excludes_what_is_below_it() {
        let ig = ignore("node_modules\n");
        assert!(ig.excluded_path("node_modules"));
        assert!(ig.excluded_path("node_modules/x/y.js"));
        assert!(!ig.excluded_path("src/node_modules"), "only at the top");
    }

    #[test]
    fn the_last_matching_line_wins_and_exceptions_reinclude() {
        let ig = ignore("big\n!big/keep.txt\n*.md\n!README.md\n");
        assert!(ig.excluded_path("big/blob.bin"));
        assert!(!ig.excluded_path("big/keep.txt"));
        assert!(ig.excluded_path("NOTES.md"));
        assert!(!ig.excluded_path("README.md"));
        assert!(ig.may_reinclude_below("big"));
        assert!(!ig.may_reinclude_below("other"));
        let again = ignore("!README.md\n*.md\n");
        assert!(
            again.excluded_path("README.md"),
            "an earlier exception is overridden"
        );
    }

    #[test]
    fn suffix_shortcut_keeps_patternmatchers_behaviour() {
        // patternmatcher matches `**foo` as a plain suffix, so `barfoo` is excluded too.
        let ig = ignore("**foo\n**/bar\n");
        assert!(ig.excluded_path("x/barfoo"));
        assert!(ig.excluded_path("bar"));
        assert!(ig.excluded_path("a/b/bar"));
        assert!(!ig.excluded_path("a/xbar"));
    }

    #[test]
    fn classes_and_escapes_work_and_malformed_patterns_are_refused() {
        let ig = ignore("file[0-9].txt\nq\\?\n");
        assert!(ig.excluded_path("file7.txt"));
        assert!(!ig.excluded_path("filex.txt"));
        assert!(ig.excluded_path("q?"));
        assert!(!ig.excluded_path("qx"));
        for bad in ["[abc", "a\\", "[]", "[a-]", "!"] {
            let err = Dockerignore::parse(bad).unwrap_err();
            assert_eq!(err.param("field"), Some("dockerignore"), "{bad}");
            assert_eq!(err.param("rule"), Some("pattern"), "{bad}");
        }
    }

    #[test]
    fn the_legacy_matcher_only_checks_the_parent_at_the_patterns_depth() {
        let ig = ignore("a\n");
        assert!(ig.excluded_legacy("a/b/Dockerfile"));
        let deep = ignore("a/b\n");
        assert!(deep.excluded_legacy("a/b/c/Dockerfile"));
        assert!(!ignore("b\n").excluded_legacy("a/b/Dockerfile"));
        assert!(!ig.excluded_legacy("."));
    }
}
