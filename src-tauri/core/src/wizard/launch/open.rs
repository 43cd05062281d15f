//! Opens a running task's address (`http://<public ip>:<port>`) in the user's browser. Only that
//! exact shape is accepted, so the webview cannot use this to open anything else.

use crate::error::{BerthError, Result};

/// Accepts `http://a.b.c.d:port` and nothing else.
pub fn check_address(url: &str) -> Result<()> {
    let bad = || BerthError::invalid("address", "format");
    let rest = url.strip_prefix("http://").ok_or_else(bad)?;
    let (host, port) = rest.split_once(':').ok_or_else(bad)?;
    let _: std::net::Ipv4Addr = host.parse().map_err(|_| bad())?;
    let port: u16 = port.parse().map_err(|_| bad())?;
    if port == 0 || port.to_string().len() != rest.len() - host.len() - 1 {
        return Err(bad());
    }
    Ok(())
}

/// Hands the address to the desktop's opener.
pub fn open_address(url: &str) -> Result<()> {
    check_address(url)?;
    crate::opener::open_url(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_task_address_can_be_opened() {
        assert!(check_address("http://203.0.113.7:8080").is_ok());
        for bad in [
            "https://203.0.113.7:80",
            "http://example.com:80",
            "http://203.0.113.7",
            "http://203.0.113.7:0",
            "http://203.0.113.7:80/path",
            "http://203.0.113.7:80?x",
            "file:///etc/passwd",
            "http://203.0.113.7:080",
        ] {
            assert!(check_address(bad).is_err(), "{bad}");
        }
    }
}
