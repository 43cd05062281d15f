//! What bollard does not cover: reading the engine's streaming JSON answers line by line (the
//! push stream with each layer's id, which bollard 0.21 drops), and plain HTTP/1.1 requests to
//! the practice registry for the manifest it serves.

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

/// A registry spoken to over plain HTTP (the practice registry on loopback, where the engine
/// allows plain HTTP too). Requests to the engine go through its
/// [`Transport`](crate::docker::transport::Transport) instead.
#[derive(Debug, Clone)]
pub struct HttpTarget {
    address: String,
}

impl HttpTarget {
    /// `http://host:port` or `host:port`.
    pub fn new(address: &str) -> Self {
        HttpTarget {
            address: address.trim().to_owned(),
        }
    }

    /// Sends one request on a fresh connection; the connection lives as long as the response.
    pub async fn send(
        &self,
        mut request: Request<Full<Bytes>>,
    ) -> std::io::Result<Response<Incoming>> {
        let host = self
            .address
            .trim_start_matches("http://")
            .trim_end_matches('/');
        request.headers_mut().insert(
            hyper::header::HOST,
            host.parse().map_err(std::io::Error::other)?,
        );
        let stream = tokio::net::TcpStream::connect(host).await?;
        exchange(stream, request).await
    }
}

async fn exchange<S>(
    stream: S,
    request: Request<Full<Bytes>>,
) -> std::io::Result<Response<Incoming>>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(std::io::Error::other)?;
    // The connection task ends with the response body (or when the response is dropped).
    tokio::spawn(async move {
        let _ = connection.await;
    });
    sender
        .send_request(request)
        .await
        .map_err(std::io::Error::other)
}

/// Reads a whole (small) response body.
pub async fn read_body(response: Response<Incoming>) -> std::io::Result<Bytes> {
    Ok(response
        .into_body()
        .collect()
        .await
        .map_err(std::io::Error::other)?
        .to_bytes())
}

/// The engine's streaming answers: one JSON object per line.
pub struct JsonLines {
    body: Incoming,
    buf: BytesMut,
    done: bool,
}

impl JsonLines {
    pub fn new(response: Response<Incoming>) -> Self {
        JsonLines {
            body: response.into_body(),
            buf: BytesMut::new(),
            done: false,
        }
    }

    /// The next object, `None` at the end of the stream.
    pub async fn next(&mut self) -> Option<std::io::Result<serde_json::Value>> {
        loop {
            if let Some(pos) = self.buf.iter().position(|&b| b == b'\n') {
                let line = self.buf.split_to(pos + 1);
                let text = String::from_utf8_lossy(&line);
                let text = text.trim();
                if text.is_empty() {
                    continue;
                }
                return Some(serde_json::from_str(text).map_err(std::io::Error::other));
            }
            if self.done {
                let rest = std::mem::take(&mut self.buf);
                let text = String::from_utf8_lossy(&rest);
                let text = text.trim();
                return (!text.is_empty())
                    .then(|| serde_json::from_str(text).map_err(std::io::Error::other));
            }
            match self.body.frame().await {
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        self.buf.extend_from_slice(&data);
                    }
                }
                Some(Err(e)) => return Some(Err(std::io::Error::other(e))),
                None => self.done = true,
            }
        }
    }
}
