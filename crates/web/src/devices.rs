//! The paired devices file (`serve/devices`): each device's name, when it was paired, when it
//! was last seen, and its cookie only as a SHA-256 hash. Every change is made under a lock
//! file, from the file as it is on disk, so `serve unpair` in another process and a running
//! server never undo each other. A file from before names were kept (one token a line) is
//! read as devices named "Device 1", "Device 2", … with their tokens hashed, and written anew
//! at the next change.

use std::path::{Path, PathBuf};

use backstretch_core::time::Stamp;

/// The devices file in a data directory.
pub fn devices_file(home: &Path) -> PathBuf {
    home.join("serve").join("devices")
}

/// A paired device, as `serve devices` shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Device {
    /// Its name, unique among the devices ("Chrome on Android", "Chrome on Android 2").
    pub name: String,
    /// When it was paired (none for a device paired before this was kept).
    pub paired: Option<Stamp>,
    /// When it last made a request, to within a minute (none if never since it was kept).
    pub last_seen: Option<Stamp>,
}

/// A device as the file keeps it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Record {
    pub name: String,
    /// The SHA-256 of the device's cookie, in hex: the cookie itself is never kept.
    pub token_sha256: String,
    #[serde(default)]
    pub paired: Option<Stamp>,
    #[serde(default)]
    pub last_seen: Option<Stamp>,
}

impl Record {
    pub(crate) fn device(&self) -> Device {
        Device {
            name: self.name.clone(),
            paired: self.paired,
            last_seen: self.last_seen,
        }
    }
}

/// The file's shape.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
struct FileShape {
    devices: Vec<Record>,
}

/// Why the devices could not be read or changed.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum DevicesError {
    /// The file could not be read or written.
    #[error("cannot use the paired devices file {path}: {source}")]
    #[diagnostic(help("check that the data directory is yours and writable"))]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// The file is not a devices file.
    #[error("the paired devices file {path} is damaged: {message}")]
    #[diagnostic(help(
        "remove it to unpair every device (each pairs again with a new code from `backstretch serve --lan`)"
    ))]
    Damaged { path: String, message: String },
    /// No device has that name.
    #[error("no paired device is named `{name}`")]
    #[diagnostic(help("{}", known_names(.known)))]
    Unknown { name: String, known: Vec<String> },
}

fn known_names(known: &[String]) -> String {
    if known.is_empty() {
        "no device is paired".into()
    } else {
        let quoted: Vec<String> = known.iter().map(|n| format!("`{n}`")).collect();
        format!(
            "the paired devices are {} (see `backstretch serve devices`)",
            quoted.join(", ")
        )
    }
}

/// The SHA-256 of a cookie or a token, in hex (the web's paired devices, the sync server's codes and tokens).
pub fn token_hash(token: &str) -> String {
    ring::digest::digest(&ring::digest::SHA256, token.as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Reads the records in `file` (missing is none). A file from before names were kept is
/// migrated in memory.
pub(crate) fn read(file: &Path) -> Result<Vec<Record>, DevicesError> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(DevicesError::Io {
                path: file.display().to_string(),
                source,
            });
        }
    };
    if text.trim_start().starts_with('{') {
        return serde_json::from_str::<FileShape>(&text)
            .map(|f| f.devices)
            .map_err(|e| DevicesError::Damaged {
                path: file.display().to_string(),
                message: e.to_string(),
            });
    }
    // One token a line, as kept before names were.
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| l.len() >= 64)
        .enumerate()
        .map(|(i, token)| Record {
            name: format!("Device {}", i + 1),
            token_sha256: token_hash(token),
            paired: None,
            last_seen: None,
        })
        .collect())
}

/// Writes the records to `file` whole, readable by the user alone.
fn write(file: &Path, records: &[Record]) -> Result<(), DevicesError> {
    let shape = FileShape {
        devices: records.to_vec(),
    };
    let mut text = serde_json::to_string_pretty(&shape).map_err(|e| DevicesError::Damaged {
        path: file.display().to_string(),
        message: e.to_string(),
    })?;
    text.push('\n');
    crate::files::write_private(file, text.as_bytes()).map_err(|source| DevicesError::Io {
        path: file.display().to_string(),
        source,
    })
}

/// Changes the records in `file` under its lock file, from the file as it is now: `change`
/// returns what to give back, and whether to write.
pub(crate) fn change<T>(
    file: &Path,
    edit: impl FnOnce(&mut Vec<Record>) -> Result<(T, bool), DevicesError>,
) -> Result<(T, Vec<Record>), DevicesError> {
    let io = |source| DevicesError::Io {
        path: file.display().to_string(),
        source,
    };
    let dir = file.parent().unwrap_or(Path::new("."));
    crate::files::private_dir(dir).map_err(io)?;
    let lock_path = file.with_extension("lock");
    let mut open = std::fs::OpenOptions::new();
    open.create(true).truncate(false).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    let lock = open.open(&lock_path).map_err(io)?;
    lock.lock().map_err(io)?;
    let mut records = read(file)?;
    let (out, write_it) = edit(&mut records)?;
    if write_it {
        write(file, &records)?;
    }
    drop(lock);
    Ok((out, records))
}

/// The paired devices in `file`, in the order they were paired.
pub fn list(file: &Path) -> Result<Vec<Device>, DevicesError> {
    Ok(read(file)?.iter().map(Record::device).collect())
}

/// Unpairs the device named `name` (case does not matter): a running server refuses its next
/// request. An unknown name is an error that lists the names there are.
pub fn unpair(file: &Path, name: &str) -> Result<Device, DevicesError> {
    if !file.exists() {
        return Err(DevicesError::Unknown {
            name: name.to_string(),
            known: Vec::new(),
        });
    }
    let (gone, _) = change(file, |records| {
        let Some(i) = records.iter().position(|r| r.name == name).or_else(|| {
            records
                .iter()
                .position(|r| r.name.eq_ignore_ascii_case(name.trim()))
        }) else {
            return Err(DevicesError::Unknown {
                name: name.to_string(),
                known: records.iter().map(|r| r.name.clone()).collect(),
            });
        };
        Ok((records.remove(i).device(), true))
    })?;
    Ok(gone)
}

/// A device's name from its browser's `User-Agent`: "Chrome on Android", "Safari on iPhone".
pub(crate) fn name_from_agent(agent: &str) -> String {
    let has = |s: &str| agent.contains(s);
    let browser = if has("Edg") {
        "Edge"
    } else if has("OPR/") || has("Opera") {
        "Opera"
    } else if has("SamsungBrowser") {
        "Samsung Internet"
    } else if has("Firefox/") || has("FxiOS") {
        "Firefox"
    } else if has("Chrome/") || has("CriOS") || has("Chromium") {
        "Chrome"
    } else if has("Safari/") {
        "Safari"
    } else {
        "A browser"
    };
    let system = if has("iPhone") {
        Some("iPhone")
    } else if has("iPad") {
        Some("iPad")
    } else if has("Android") {
        Some("Android")
    } else if has("Windows") {
        Some("Windows")
    } else if has("CrOS") {
        Some("ChromeOS")
    } else if has("Macintosh") || has("Mac OS X") {
        Some("Mac")
    } else if has("Linux") {
        Some("Linux")
    } else {
        None
    };
    match system {
        Some(s) => format!("{browser} on {s}"),
        None => browser.to_string(),
    }
}

/// `base`, or `base 2`, `base 3`, … whichever no record has yet.
pub(crate) fn unique_name(base: &str, records: &[Record]) -> String {
    let taken = |n: &str| records.iter().any(|r| r.name.eq_ignore_ascii_case(n));
    if !taken(base) {
        return base.to_string();
    }
    (2..)
        .map(|k| format!("{base} {k}"))
        .find(|n| !taken(n))
        .unwrap_or_else(|| base.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_browser_and_are_made_unique() {
        let android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36";
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        assert_eq!(name_from_agent(android), "Chrome on Android");
        assert_eq!(name_from_agent(iphone), "Safari on iPhone");
        assert_eq!(name_from_agent(firefox), "Firefox on Linux");
        assert_eq!(name_from_agent(""), "A browser");
        let rec = |name: &str| Record {
            name: name.into(),
            token_sha256: String::new(),
            paired: None,
            last_seen: None,
        };
        let records = vec![rec("Chrome on Android"), rec("chrome on android 2")];
        assert_eq!(
            unique_name("Chrome on Android", &records),
            "Chrome on Android 3"
        );
        assert_eq!(
            unique_name("Safari on iPhone", &records),
            "Safari on iPhone"
        );
    }

    #[test]
    fn a_file_of_bare_tokens_reads_as_named_devices_with_hashed_tokens() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("devices");
        let a = "a".repeat(64);
        let b = "b".repeat(64);
        std::fs::write(&file, format!("{a}\n{b}\n")).unwrap();
        let records = read(&file).unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].name, "Device 1");
        assert_eq!(records[1].token_sha256, token_hash(&b));
        assert_eq!(token_hash(&b).len(), 64);
        // An unknown name lists the names there are, and changes nothing.
        let e = unpair(&file, "Phone").unwrap_err();
        assert!(matches!(&e, DevicesError::Unknown { known, .. } if known.len() == 2));
        let gone = unpair(&file, "device 2").unwrap();
        assert_eq!(gone.name, "Device 2");
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            !text.contains(&a) && text.contains(&token_hash(&a)),
            "{text}"
        );
        assert_eq!(list(&file).unwrap().len(), 1);
    }
}
