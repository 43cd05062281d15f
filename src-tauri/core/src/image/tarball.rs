//! A tar writer for the build context, with the headers Go's `archive/tar` writes for the docker
//! CLI: USTAR when the entry fits (names split into prefix/name at a `/`), a PAX record for long
//! or non-ASCII names and huge sizes. Its own rather than a crate's so the context's exact size
//! is known before the first byte is sent.

pub const BLOCK: u64 = 512;

/// What an entry is, with what its header needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryType {
    Regular { size: u64 },
    Directory,
    Symlink { target: String },
    HardLink { target: String },
    Fifo,
    CharDevice { major: u32, minor: u32 },
    BlockDevice { major: u32, minor: u32 },
}

/// One entry's header fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Slash-separated, relative; directories end with `/`.
    pub name: String,
    pub kind: EntryType,
    /// Permission bits with setuid/setgid/sticky.
    pub mode: u32,
    /// Seconds since the epoch.
    pub mtime: i64,
}

const NAME_LEN: usize = 100;
const PREFIX_LEN: usize = 155;
const MAX_OCTAL_SIZE: u64 = 0o777_7777_7777;

impl Header {
    fn size(&self) -> u64 {
        match self.kind {
            EntryType::Regular { size } => size,
            _ => 0,
        }
    }

    fn link(&self) -> &str {
        match &self.kind {
            EntryType::Symlink { target } | EntryType::HardLink { target } => target,
            _ => "",
        }
    }

    /// PAX records this entry needs (empty when USTAR can hold it).
    fn pax_records(&self) -> Vec<(&'static str, String)> {
        let mut records = Vec::new();
        if split_ustar_name(&self.name).is_none() {
            records.push(("path", self.name.clone()));
        }
        let link = self.link();
        if link.len() > NAME_LEN || !link.is_ascii() {
            records.push(("linkpath", link.to_owned()));
        }
        if self.size() > MAX_OCTAL_SIZE {
            records.push(("size", self.size().to_string()));
        }
        records
    }

    /// Bytes this entry takes in the archive: headers, content and padding.
    pub fn archived_len(&self) -> u64 {
        let records = self.pax_records();
        let pax = if records.is_empty() {
            0
        } else {
            BLOCK + padded(pax_body(&records).len() as u64)
        };
        pax + BLOCK + padded(self.size())
    }

    /// The header block(s) that precede the content.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(BLOCK as usize * 3);
        let records = self.pax_records();
        if !records.is_empty() {
            let body = pax_body(&records);
            let pax_name = pax_header_name(&self.name);
            out.extend_from_slice(&block(
                &pax_name,
                "",
                b'x',
                0o644,
                body.len() as u64,
                self.mtime,
                (0, 0),
            ));
            out.extend_from_slice(&body);
            out.resize(
                out.len() + (padded(body.len() as u64) as usize - body.len()),
                0,
            );
        }
        let (typeflag, devices) = match &self.kind {
            EntryType::Regular { .. } => (b'0', (0, 0)),
            EntryType::HardLink { .. } => (b'1', (0, 0)),
            EntryType::Symlink { .. } => (b'2', (0, 0)),
            EntryType::CharDevice { major, minor } => (b'3', (*major, *minor)),
            EntryType::BlockDevice { major, minor } => (b'4', (*major, *minor)),
            EntryType::Directory => (b'5', (0, 0)),
            EntryType::Fifo => (b'6', (0, 0)),
        };
        out.extend_from_slice(&block(
            &self.name,
            self.link(),
            typeflag,
            self.mode,
            self.size().min(MAX_OCTAL_SIZE),
            self.mtime,
            devices,
        ));
        out
    }
}

/// The two zero blocks that end an archive.
pub const END: [u8; 1024] = [0; 1024];

/// `len` rounded up to whole blocks.
pub fn padded(len: u64) -> u64 {
    len.div_ceil(BLOCK) * BLOCK
}

/// Go's splitUSTARPath: the name as (prefix, name) if USTAR can hold it.
fn split_ustar_name(name: &str) -> Option<(&str, &str)> {
    if !name.is_ascii() {
        return None;
    }
    if name.len() <= NAME_LEN {
        return Some(("", name));
    }
    let limit = name.len().min(PREFIX_LEN + 1);
    let slash = name[..limit].rfind('/')?;
    let (prefix, rest) = (&name[..slash], &name[slash + 1..]);
    (slash > 0 && !rest.is_empty() && rest.len() <= NAME_LEN).then_some((prefix, rest))
}

fn pax_header_name(name: &str) -> String {
    let trimmed = name.trim_end_matches('/');
    let (dir, base) = match trimmed.rfind('/') {
        Some(i) => (&trimmed[..i], &trimmed[i + 1..]),
        None => ("", trimmed),
    };
    let mut full = if dir.is_empty() {
        format!("PaxHeaders.0/{base}")
    } else {
        format!("{dir}/PaxHeaders.0/{base}")
    };
    // The name field of the extended header itself is informational; keep it within USTAR.
    while full.len() > NAME_LEN || !full.is_ascii() {
        full.pop();
    }
    full
}

/// PAX records: `"<len> <key>=<value>\n"`, where `<len>` counts the whole record.
fn pax_body(records: &[(&str, String)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (key, value) in records {
        let rest = format!(" {key}={value}\n");
        let mut len = rest.len() + 1;
        while len.to_string().len() + rest.len() != len {
            len = len.to_string().len() + rest.len();
        }
        body.extend_from_slice(format!("{len}{rest}").as_bytes());
    }
    body
}

fn block(
    name: &str,
    link: &str,
    typeflag: u8,
    mode: u32,
    size: u64,
    mtime: i64,
    (major, minor): (u32, u32),
) -> [u8; BLOCK as usize] {
    let mut b = [0u8; BLOCK as usize];
    let (prefix, short) = split_ustar_name(name).unwrap_or(("", ""));
    let short = if short.is_empty() {
        ascii_cut(name, NAME_LEN)
    } else {
        short.to_owned()
    };
    put(&mut b[0..100], short.as_bytes());
    octal(&mut b[100..108], u64::from(mode));
    octal(&mut b[108..116], 0);
    octal(&mut b[116..124], 0);
    octal(&mut b[124..136], size);
    octal(&mut b[136..148], mtime.max(0) as u64);
    b[156] = typeflag;
    put(&mut b[157..257], ascii_cut(link, NAME_LEN).as_bytes());
    put(&mut b[257..263], b"ustar\0");
    put(&mut b[263..265], b"00");
    if matches!(typeflag, b'3' | b'4') {
        octal(&mut b[329..337], u64::from(major));
        octal(&mut b[337..345], u64::from(minor));
    }
    put(&mut b[345..500], prefix.as_bytes());
    // The checksum is computed with its own field as spaces.
    b[148..156].fill(b' ');
    let sum: u64 = b.iter().map(|&x| u64::from(x)).sum();
    let digits = format!("{sum:06o}\0 ");
    put(&mut b[148..156], digits.as_bytes());
    b
}

fn ascii_cut(text: &str, max: usize) -> String {
    text.chars().filter(char::is_ascii).take(max).collect()
}

fn put(field: &mut [u8], value: &[u8]) {
    let n = value.len().min(field.len());
    field[..n].copy_from_slice(&value[..n]);
}

/// Zero-padded octal with a trailing NUL, as Go writes numeric fields.
fn octal(field: &mut [u8], value: u64) {
    let digits = format!("{value:0width$o}", width = field.len() - 1);
    put(field, digits.as_bytes());
    field[field.len() - 1] = 0;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(name: &str, kind: EntryType) -> Header {
        Header {
            name: name.into(),
            kind,
            mode: 0o644,
            mtime: 1_700_000_000,
        }
    }

    #[test]
    fn a_short_name_is_one_ustar_block() {
        let h = header("app/main.go", EntryType::Regular { size: 10 });
        let bytes = h.encode();
        assert_eq!(bytes.len(), 512);
        assert_eq!(&bytes[0..11], b"app/main.go");
        assert_eq!(&bytes[124..136], b"00000000012\0");
        assert_eq!(&bytes[257..263], b"ustar\0");
        assert_eq!(h.archived_len(), 1024);
        let sum: u64 = bytes
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    u64::from(x)
                }
            })
            .sum();
        let written = std::str::from_utf8(&bytes[148..154]).unwrap();
        assert_eq!(u64::from_str_radix(written, 8).unwrap(), sum);
    }

    #[test]
    fn long_names_split_at_a_slash_or_get_a_pax_record() {
        let split = format!("{}/{}", "d".repeat(120), "f".repeat(90));
        let h = header(&split, EntryType::Regular { size: 0 });
        assert_eq!(h.encode().len(), 512, "prefix + name hold it");
        let long = "x".repeat(150);
        let h = header(&long, EntryType::Regular { size: 1 });
        let bytes = h.encode();
        assert_eq!(bytes[156], b'x');
        let body = String::from_utf8_lossy(&bytes[512..1024]);
        assert!(body.starts_with(&format!("160 path={long}\n")), "{body}");
        assert_eq!(h.archived_len(), bytes.len() as u64 + 512);
        let korean = header("한글.txt", EntryType::Regular { size: 0 });
        assert_eq!(
            korean.encode().len(),
            1536,
            "non-ASCII names take a PAX header"
        );
    }

    #[test]
    fn pax_record_lengths_count_themselves() {
        let body = pax_body(&[("path", "a".repeat(92))]);
        let text = String::from_utf8(body).unwrap();
        let (len, _) = text.split_once(' ').unwrap();
        assert_eq!(len.parse::<usize>().unwrap(), text.len());
    }
}
