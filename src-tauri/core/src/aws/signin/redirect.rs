//! The local address the sign-in page sends the browser back to, as the AWS CLI's: an HTTP
//! listener on 127.0.0.1 at a port the system picks, path `/oauth/callback`. It answers the
//! browser with a short page and hands Berth the authorization code, but only with the `state`
//! Berth sent (a page elsewhere cannot push a code of its own choosing).

use crate::error::{BerthError, ErrorKind, Result};
use secrecy::SecretString;
use std::io::ErrorKind as IoKind;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const CALLBACK_PATH: &str = "/oauth/callback";
/// A request head larger than this is not a browser coming back from sign-in.
const MAX_HEAD: usize = 16 * 1024;
/// A connection that sends nothing (a browser's speculative preconnect) is dropped after this.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

pub struct RedirectListener {
    listener: TcpListener,
    port: u16,
}

impl RedirectListener {
    /// Listens on 127.0.0.1:`port` (0: a free port the system picks, as the CLI does).
    pub async fn bind(port: u16) -> Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| {
            let kind = if e.kind() == IoKind::AddrInUse {
                ErrorKind::SignInPortInUse
            } else {
                ErrorKind::Internal
            };
            BerthError::new(kind)
                .with("port", port.to_string())
                .details(e)
        })?;
        let port = listener.local_addr().map_err(BerthError::internal)?.port();
        Ok(RedirectListener { listener, port })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT/oauth/callback`.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CALLBACK_PATH}", self.port)
    }

    /// Answers requests until one comes back from the sign-in page with `expected_state`: its
    /// code, or the refusal the page sent (the user cancelled there).
    pub async fn wait_for_code(&self, expected_state: &str) -> Result<SecretString> {
        loop {
            let (stream, _) = self.listener.accept().await.map_err(BerthError::internal)?;
            if let Some(outcome) = answer(stream, expected_state).await {
                return outcome;
            }
        }
    }
}

/// Reads one request and answers it; `Some` when it ended the sign-in.
async fn answer(mut stream: TcpStream, expected_state: &str) -> Option<Result<SecretString>> {
    let target = match tokio::time::timeout(READ_TIMEOUT, read_target(&mut stream)).await {
        Ok(Some(target)) => target,
        _ => return None,
    };
    let (path, query) = target.split_once('?').unwrap_or((target.as_str(), ""));
    if path != CALLBACK_PATH {
        respond(&mut stream, "404 Not Found", PAGE_NOT_HERE).await;
        return None;
    }
    let mut code = None;
    let mut state = None;
    let mut error = None;
    for (name, value) in url_pairs(query) {
        match name.as_str() {
            "code" => code = Some(SecretString::from(value)),
            "state" => state = Some(value),
            "error" => error = Some(value),
            _ => {}
        }
    }
    if state.as_deref() != Some(expected_state) {
        // Not the answer to Berth's request (an old tab, or another page): keep waiting.
        respond(&mut stream, "400 Bad Request", PAGE_NOT_OURS).await;
        return None;
    }
    if let Some(error) = error {
        respond(&mut stream, "200 OK", PAGE_REFUSED).await;
        return Some(Err(BerthError::new(ErrorKind::SignInDenied)
            .details(format!("the sign-in page answered {error}"))));
    }
    match code {
        Some(code) => {
            respond(&mut stream, "200 OK", PAGE_DONE).await;
            Some(Ok(code))
        }
        None => {
            respond(&mut stream, "400 Bad Request", PAGE_NOT_OURS).await;
            None
        }
    }
}

/// The request target of a GET, once the whole head has arrived.
async fn read_target(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 || head.len() + n > MAX_HEAD {
            return None;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let line = head.split(|b| *b == b'\r').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut words = line.split(' ');
    match (words.next(), words.next()) {
        (Some("GET"), Some(target)) => Some(target.to_owned()),
        _ => None,
    }
}

fn url_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query.split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(k), decode(v))
    })
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

async fn respond(stream: &mut TcpStream, status: &str, body: &str) {
    let page = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(page.as_bytes()).await;
    let _ = stream.shutdown().await;
}

// The browser shows these; the app's language is not known here, so both of Berth's languages.
const PAGE_DONE: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Berth</title></head>\
<body style=\"font-family:sans-serif;max-width:36rem;margin:4rem auto\">\
<h1>Signed in</h1><p>Berth has your sign-in. You can close this tab and return to Berth.</p>\
<h1 lang=\"ko\">로그인 완료</h1><p lang=\"ko\">Berth에서 로그인을 받았습니다. 이 탭을 닫고 Berth로 돌아가세요.</p>\
</body></html>";
const PAGE_REFUSED: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Berth</title></head>\
<body style=\"font-family:sans-serif;max-width:36rem;margin:4rem auto\">\
<h1>Sign-in cancelled</h1><p>Nothing was signed in. You can close this tab; Berth says what to do next.</p>\
<h1 lang=\"ko\">로그인 취소됨</h1><p lang=\"ko\">로그인하지 않았습니다. 이 탭을 닫아도 됩니다. 다음에 할 일은 Berth에 나옵니다.</p>\
</body></html>";
const PAGE_NOT_OURS: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Berth</title></head>\
<body style=\"font-family:sans-serif;max-width:36rem;margin:4rem auto\">\
<h1>Not Berth's sign-in</h1><p>This page doesn't belong to the sign-in Berth is waiting for. Start it again from Berth.</p>\
</body></html>";
const PAGE_NOT_HERE: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Berth</title></head><body>Not found</body></html>";

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    async fn get(port: u16, target: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        s.write_all(format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        out
    }

    #[tokio::test]
    async fn only_a_callback_with_berths_state_ends_the_wait() {
        let listener = RedirectListener::bind(0).await.unwrap();
        let port = listener.port();
        assert_eq!(
            listener.redirect_uri(),
            format!("http://127.0.0.1:{port}/oauth/callback")
        );
        let wait = tokio::spawn(async move { listener.wait_for_code("s-1").await });
        assert!(get(port, "/favicon.ico").await.starts_with("HTTP/1.1 404"));
        assert!(get(port, "/oauth/callback?code=evil&state=other")
            .await
            .starts_with("HTTP/1.1 400"));
        // A connection that sends nothing does not block the next one.
        let _idle = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let page = get(port, "/oauth/callback?code=a%2Fb+c&state=s-1").await;
        assert!(page.starts_with("HTTP/1.1 200"), "{page}");
        assert!(page.contains("Signed in"));
        let code = wait.await.unwrap().unwrap();
        assert_eq!(code.expose_secret(), "a/b c");
    }

    #[tokio::test]
    async fn a_refusal_on_the_sign_in_page_is_said_as_such() {
        let listener = RedirectListener::bind(0).await.unwrap();
        let port = listener.port();
        let wait = tokio::spawn(async move { listener.wait_for_code("s-2").await });
        let page = get(port, "/oauth/callback?error=access_denied&state=s-2").await;
        assert!(page.contains("cancelled"));
        let err = wait.await.unwrap().unwrap_err();
        assert_eq!(err.kind, ErrorKind::SignInDenied);
    }

    #[tokio::test]
    async fn a_port_in_use_is_named() {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();
        let err = RedirectListener::bind(port).await.err().unwrap();
        assert_eq!(err.kind, ErrorKind::SignInPortInUse);
        assert_eq!(err.param("port"), Some(port.to_string().as_str()));
    }
}
