//! A stand-in for AWS Sign-In, for the browser sign-in tests: no emulator has the service. A
//! real HTTP server on 127.0.0.1 plays the authorization page (`GET /v1/authorize`: it checks
//! the CLI's parameters and redirects the browser to the loopback address with a code) and the
//! token endpoint (`POST /v1/token`: it checks the code, the PKCE verifier against the challenge
//! of the authorize request, and the DPoP proof, then issues the credentials it was given). A
//! small HTTP client plays the browser.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the stand-in issues, and how it behaves.
#[derive(Clone, Debug)]
pub struct Issue {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    /// The ID token's `sub`: the console session.
    pub session: String,
    /// The authorization page answers `error=access_denied` (the user cancelled there).
    pub deny: bool,
    /// The token endpoint refuses the code as expired.
    pub code_expired: bool,
}

impl Issue {
    pub fn new(session: &str, key_id: &str, secret: &str) -> Self {
        Issue {
            access_key_id: key_id.into(),
            secret_access_key: secret.into(),
            session_token: "stand-in-session-token".into(),
            session: session.into(),
            deny: false,
            code_expired: false,
        }
    }
}

/// What the stand-in saw.
#[derive(Default, Debug, Clone)]
pub struct Seen {
    pub authorize: Option<HashMap<String, String>>,
    pub token_body: Option<serde_json::Value>,
    pub dpop_checked: bool,
    pub token_calls: u32,
    /// The public key the code exchange's proof was signed with: refreshes must use it too.
    pub dpop_jwk: Option<serde_json::Value>,
    /// Refreshes (grantType refresh_token) answered, by the SDK's login provider.
    pub refresh_calls: u32,
}

pub struct StandIn {
    pub url: String,
    pub seen: Arc<Mutex<Seen>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for StandIn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

const CODE: &str = "stand-in-code/+=";

impl StandIn {
    pub async fn start(issue: Issue) -> StandIn {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let seen = Arc::new(Mutex::new(Seen::default()));
        let (s, u) = (seen.clone(), url.clone());
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (issue, seen, url) = (issue.clone(), s.clone(), u.clone());
                tokio::spawn(async move { serve(stream, &issue, &seen, &url).await });
            }
        });
        StandIn { url, seen, task }
    }

    pub fn seen(&self) -> Seen {
        self.seen.lock().unwrap().clone()
    }
}

pub struct Request {
    pub method: String,
    pub target: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

pub async fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let (method, target) = (first.next()?.to_owned(), first.next()?.to_owned());
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = data[head_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&buf[..n]);
    }
    Some(Request {
        method,
        target,
        headers,
        body,
    })
}

pub fn query_of(target: &str) -> HashMap<String, String> {
    let query = target.split_once('?').map(|(_, q)| q).unwrap_or("");
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let d = |s: &str| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (d(k), d(v))
        })
        .collect()
}

async fn respond(stream: &mut TcpStream, status: &str, headers: &[(&str, String)], body: &str) {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(body);
    let _ = stream.write_all(out.as_bytes()).await;
    let _ = stream.shutdown().await;
}

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

async fn serve(mut stream: TcpStream, issue: &Issue, seen: &Mutex<Seen>, base: &str) {
    let Some(req) = read_request(&mut stream).await else {
        return;
    };
    let path = req.target.split('?').next().unwrap_or("").to_owned();
    match (req.method.as_str(), path.as_str()) {
        ("GET", "/v1/authorize") => {
            let q = query_of(&req.target);
            seen.lock().unwrap().authorize = Some(q.clone());
            let redirect = q.get("redirect_uri").cloned().unwrap_or_default();
            let state = enc(q.get("state").map(String::as_str).unwrap_or(""));
            let location = if issue.deny {
                format!("{redirect}?error=access_denied&state={state}")
            } else {
                format!("{redirect}?code={}&state={state}", enc(CODE))
            };
            respond(&mut stream, "302 Found", &[("Location", location)], "").await;
        }
        ("POST", "/v1/token") => {
            let body: serde_json::Value =
                serde_json::from_slice(&req.body).unwrap_or(serde_json::Value::Null);
            let authorize = seen.lock().unwrap().authorize.clone().unwrap_or_default();
            let dpop_ok = req
                .headers
                .get("dpop")
                .is_some_and(|proof| dpop_valid(proof, &format!("{base}/v1/token")));
            let jwk = req.headers.get("dpop").and_then(|proof| proof_jwk(proof));
            if body["grantType"] == "refresh_token" {
                // The SDK's login provider renewing the credentials: same client, the refresh
                // token issued below, and a proof made with the key of the sign-in.
                let valid = dpop_ok
                    && body["clientId"] == "arn:aws:signin:::devtools/same-device"
                    && body["refreshToken"] == "stand-in-refresh-token"
                    && jwk.is_some()
                    && jwk == seen.lock().unwrap().dpop_jwk;
                if !valid {
                    let body = serde_json::json!({ "error": "INVALID_REQUEST", "message": "stand-in: the refresh did not check out" });
                    respond(
                        &mut stream,
                        "400 Bad Request",
                        &[
                            ("Content-Type", "application/json".into()),
                            ("x-amzn-errortype", "ValidationException".into()),
                        ],
                        &body.to_string(),
                    )
                    .await;
                    return;
                }
                seen.lock().unwrap().refresh_calls += 1;
                let out = serde_json::json!({
                    "accessToken": {
                        "accessKeyId": issue.access_key_id,
                        "secretAccessKey": issue.secret_access_key,
                        "sessionToken": issue.session_token,
                    },
                    "tokenType": "aws_sigv4",
                    "expiresIn": 900,
                    "refreshToken": "stand-in-refresh-token",
                });
                respond(
                    &mut stream,
                    "200 OK",
                    &[("Content-Type", "application/json".into())],
                    &out.to_string(),
                )
                .await;
                return;
            }
            let verifier = body["codeVerifier"].as_str().unwrap_or("");
            let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
            let valid = dpop_ok
                && body["clientId"] == "arn:aws:signin:::devtools/same-device"
                && body["grantType"] == "authorization_code"
                && body["code"] == CODE
                && body["redirectUri"].as_str()
                    == authorize.get("redirect_uri").map(String::as_str)
                && authorize.get("code_challenge") == Some(&challenge);
            {
                let mut s = seen.lock().unwrap();
                s.token_body = Some(body.clone());
                s.dpop_checked = dpop_ok;
                s.token_calls += 1;
                s.dpop_jwk = jwk;
            }
            if issue.code_expired || !valid {
                let (code, message) = if issue.code_expired {
                    ("AUTHCODE_EXPIRED", "The authorization code has expired")
                } else {
                    ("INVALID_REQUEST", "stand-in: the request did not check out")
                };
                let body = serde_json::json!({ "error": code, "message": message }).to_string();
                let status = if issue.code_expired {
                    "401 Unauthorized"
                } else {
                    "400 Bad Request"
                };
                let kind = if issue.code_expired {
                    "AccessDeniedException"
                } else {
                    "ValidationException"
                };
                respond(
                    &mut stream,
                    status,
                    &[
                        ("Content-Type", "application/json".into()),
                        ("x-amzn-errortype", kind.into()),
                    ],
                    &body,
                )
                .await;
                return;
            }
            let claims = serde_json::json!({ "sub": issue.session, "aud": "arn:aws:signin:::devtools/same-device" });
            let id_token = format!(
                "eyJhbGciOiJSUzI1NiJ9.{}.c2lnbmF0dXJl",
                URL_SAFE_NO_PAD.encode(claims.to_string())
            );
            let out = serde_json::json!({
                "accessToken": {
                    "accessKeyId": issue.access_key_id,
                    "secretAccessKey": issue.secret_access_key,
                    "sessionToken": issue.session_token,
                },
                "tokenType": "aws_sigv4",
                "expiresIn": 900,
                "refreshToken": "stand-in-refresh-token",
                "idToken": id_token,
            });
            respond(
                &mut stream,
                "200 OK",
                &[("Content-Type", "application/json".into())],
                &out.to_string(),
            )
            .await;
        }
        _ => respond(&mut stream, "404 Not Found", &[], "").await,
    }
}

/// The public key in a DPoP proof's header.
fn proof_jwk(proof: &str) -> Option<serde_json::Value> {
    let header = URL_SAFE_NO_PAD.decode(proof.split('.').next()?).ok()?;
    let header: serde_json::Value = serde_json::from_slice(&header).ok()?;
    Some(header["jwk"].clone())
}

/// Whether `proof` is an ES256 DPoP JWT for a POST to `htu`, signed by the key in its header.
pub fn dpop_valid(proof: &str, htu: &str) -> bool {
    let parts: Vec<&str> = proof.split('.').collect();
    if parts.len() != 3 {
        return false;
    }
    let json = |s: &str| -> Option<serde_json::Value> {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(s).ok()?).ok()
    };
    let (Some(header), Some(payload)) = (json(parts[0]), json(parts[1])) else {
        return false;
    };
    if header["typ"] != "dpop+jwt"
        || header["alg"] != "ES256"
        || payload["htm"] != "POST"
        || payload["htu"] != htu
    {
        return false;
    }
    let coord = |name: &str| {
        header["jwk"][name]
            .as_str()
            .and_then(|s| URL_SAFE_NO_PAD.decode(s).ok())
    };
    let (Some(x), Some(y)) = (coord("x"), coord("y")) else {
        return false;
    };
    if x.len() != 32 || y.len() != 32 {
        return false;
    }
    let point = p256::EncodedPoint::from_affine_coordinates(
        x.as_slice().into(),
        y.as_slice().into(),
        false,
    );
    let Ok(key) = VerifyingKey::from_encoded_point(&point) else {
        return false;
    };
    let Some(signature) = URL_SAFE_NO_PAD
        .decode(parts[2])
        .ok()
        .and_then(|b| Signature::from_slice(&b).ok())
    else {
        return false;
    };
    key.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature)
        .is_ok()
}

/// Plays the browser: GETs `url` and follows redirects (to the loopback address); answers the
/// last page's status line and body.
pub async fn browse(url: &str) -> (String, String) {
    let mut url = url.to_owned();
    for _ in 0..5 {
        let rest = url.strip_prefix("http://").expect("http URL");
        let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let mut stream = TcpStream::connect(host).await.unwrap();
        stream
            .write_all(
                format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
            )
            .await
            .unwrap();
        let mut out = Vec::new();
        stream.read_to_end(&mut out).await.unwrap();
        let text = String::from_utf8_lossy(&out).to_string();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head.lines().next().unwrap_or("").to_owned();
        let location = head.lines().find_map(|l| {
            l.strip_prefix("Location: ")
                .or_else(|| l.strip_prefix("location: "))
        });
        match location {
            Some(next) if status.contains(" 30") => url = next.to_owned(),
            _ => return (status, body.to_owned()),
        }
    }
    panic!("too many redirects");
}
