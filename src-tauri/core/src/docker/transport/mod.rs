//! Bytes to and from an engine, over every kind of address the docker CLI speaks: a unix socket,
//! a Windows named pipe, TCP (plain, or TLS with the client certificate of `DOCKER_CERT_PATH` or
//! of the context), and ssh — `ssh [-l user] [-p port] -T -- host docker system dial-stdio`, as
//! the CLI runs it, so the remote side needs only the docker CLI and the user's ssh setup.
//!
//! One [`Transport`] carries every request to one engine: bollard's (through its custom
//! transport), the push stream Berth reads itself (bollard drops each layer's id) and the
//! BuildKit session (an upgraded connection). So every operation works over every transport.
//! The ssh and TLS parts are in [`ssh`] and [`tls`].

mod ssh;
mod tls;

use super::discovery::{DockerEnv, Endpoint};
use bytes::Bytes;
use futures_util::Stream;
use http_body_util::{Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::{Request, Response, Uri};
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::ServerName;
use ssh::{ssh_args, CommandStream, SshCommand};
use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tls::tls_config;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The request body bollard sends (its `BodyType`), used for Berth's own requests too.
pub type EngineBody = http_body_util::Either<
    Full<Bytes>,
    StreamBody<Pin<Box<dyn Stream<Item = Result<Frame<Bytes>, io::Error>> + Send>>>,
>;

/// The authority of every request URI; engines ignore it (the CLI uses a dummy name too).
pub const BASE_URI: &str = "http://docker";

/// Idle connections are kept this long for the next request (an ssh connection is a process).
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// How an address is reached.
enum Target {
    Unix(PathBuf),
    #[cfg_attr(not(windows), allow(dead_code))]
    Pipe(String),
    Tcp {
        addr: String,
        tls: Option<(Arc<rustls::ClientConfig>, ServerName<'static>)>,
    },
    Ssh(SshCommand),
}

/// Why an address cannot be used at all (before anything is dialled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// The address's scheme is not one this platform speaks.
    Unsupported(String),
    /// The TLS material is unusable (`what` went wrong).
    Tls(String),
}

/// Requests to one engine, with a pool of idle connections.
#[derive(Clone)]
pub struct Transport {
    target: Arc<Target>,
    client: Client<Connector, EngineBody>,
    host: String,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("host", &self.host)
            .finish()
    }
}

impl Transport {
    /// The transport for `endpoint`; `env` gives ssh the agent socket of the snapshot.
    pub fn new(endpoint: &Endpoint, env: &DockerEnv) -> Result<Self, TransportError> {
        let host = endpoint.host.as_str();
        let target = if let Some(path) = host.strip_prefix("unix://") {
            if cfg!(windows) {
                // Windows has AF_UNIX, but engines there listen on pipes; tokio has no client.
                return Err(TransportError::Unsupported(
                    "unix sockets are not supported on Windows; use npipe://".to_owned(),
                ));
            }
            Target::Unix(PathBuf::from(path))
        } else if let Some(pipe) = host.strip_prefix("npipe://") {
            if !cfg!(windows) {
                return Err(TransportError::Unsupported(
                    "named pipes (npipe://) exist only on Windows".to_owned(),
                ));
            }
            // npipe:////./pipe/docker_engine → \\.\pipe\docker_engine
            Target::Pipe(pipe.replace('/', "\\"))
        } else if let Some(addr) = host.strip_prefix("tcp://") {
            let tls = match &endpoint.tls {
                Some(material) => {
                    let config = tls_config(material).map_err(TransportError::Tls)?;
                    let name = addr
                        .rsplit_once(':')
                        .map(|(h, _)| h)
                        .unwrap_or(addr)
                        .trim_start_matches('[')
                        .trim_end_matches(']');
                    let name = ServerName::try_from(name.to_owned())
                        .map_err(|e| TransportError::Tls(format!("{name}: {e}")))?;
                    Some((Arc::new(config), name))
                }
                None => None,
            };
            Target::Tcp {
                addr: addr.to_owned(),
                tls,
            }
        } else if host.starts_with("ssh://") {
            Target::Ssh(SshCommand {
                args: ssh_args(host).map_err(TransportError::Unsupported)?,
                env: ["SSH_AUTH_SOCK"]
                    .iter()
                    .filter_map(|n| env.var(n).map(|v| ((*n).to_owned(), v.to_owned())))
                    .collect(),
                last_stderr: Arc::new(Mutex::new(String::new())),
            })
        } else {
            return Err(TransportError::Unsupported(format!(
                "{host} is not an address Berth can connect to"
            )));
        };
        let target = Arc::new(target);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(IDLE_TIMEOUT)
            .build(Connector(target.clone()));
        Ok(Transport {
            target,
            client,
            host: endpoint.host.clone(),
        })
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn is_ssh(&self) -> bool {
        matches!(*self.target, Target::Ssh(_))
    }

    /// Opens one raw connection (for the environment check, which tells a missing socket from
    /// a refused one and a bad certificate from a silent host).
    pub async fn dial(&self) -> io::Result<EngineStream> {
        self.target.dial().await
    }

    /// Sends one request; `uri` paths start with `/v1.41/…` (the authority is ignored).
    pub async fn request(&self, request: Request<EngineBody>) -> io::Result<Response<Incoming>> {
        let request = with_absolute_uri(request)?;
        self.client
            .request(request)
            .await
            .map_err(|e| self.explain(&e))
    }

    /// The deepest I/O error of a client error (its kind tells what happened), with what ssh
    /// printed when the transport is ssh.
    fn explain(&self, err: &hyper_util::client::legacy::Error) -> io::Error {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
        let mut kind = io::ErrorKind::Other;
        while let Some(e) = source {
            if let Some(io) = e.downcast_ref::<io::Error>() {
                kind = io.kind();
            }
            source = e.source();
        }
        let mut text = error_chain(err);
        if let Target::Ssh(ssh) = &*self.target {
            let stderr = ssh
                .last_stderr
                .lock()
                .map(|s| s.clone())
                .unwrap_or_default();
            if !stderr.trim().is_empty() {
                text = format!("{text}; ssh said: {}", stderr.trim());
            }
        }
        io::Error::new(kind, text)
    }

    /// What ssh last printed on stderr (empty for other transports).
    pub fn ssh_stderr(&self) -> String {
        match &*self.target {
            Target::Ssh(ssh) => ssh
                .last_stderr
                .lock()
                .map(|s| s.clone())
                .unwrap_or_default(),
            _ => String::new(),
        }
    }

    /// A bollard client whose every request goes through this transport.
    pub fn bollard(&self, timeout_secs: u64) -> Result<bollard::Docker, bollard::errors::Error> {
        let transport = self.clone();
        bollard::Docker::connect_with_custom_transport(
            move |request: bollard::BollardRequest| {
                let transport = transport.clone();
                async move {
                    transport
                        .request(request)
                        .await
                        .map_err(bollard::errors::Error::from)
                }
            },
            Some(BASE_URI),
            timeout_secs,
            bollard::API_DEFAULT_VERSION,
        )
    }
}

/// `error: source: source…` on one line.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        let next = e.to_string();
        if !text.contains(&next) {
            text = format!("{text}: {next}");
        }
        source = e.source();
    }
    text
}

fn with_absolute_uri(request: Request<EngineBody>) -> io::Result<Request<EngineBody>> {
    if request.uri().scheme().is_some() {
        return Ok(request);
    }
    let (mut parts, body) = request.into_parts();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    parts.uri = format!("{BASE_URI}{path}")
        .parse()
        .map_err(io::Error::other)?;
    Ok(Request::from_parts(parts, body))
}

impl Target {
    async fn dial(&self) -> io::Result<EngineStream> {
        match self {
            #[cfg(unix)]
            Target::Unix(path) => Ok(EngineStream::Unix(
                tokio::net::UnixStream::connect(path).await?,
            )),
            #[cfg(not(unix))]
            Target::Unix(_) => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "unix sockets need a unix system",
            )),
            #[cfg(windows)]
            Target::Pipe(name) => open_pipe(name).await.map(EngineStream::Pipe),
            #[cfg(not(windows))]
            Target::Pipe(_) => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "named pipes exist only on Windows",
            )),
            Target::Tcp { addr, tls } => {
                let tcp = tokio::net::TcpStream::connect(addr.as_str()).await?;
                let _ = tcp.set_nodelay(true);
                match tls {
                    None => Ok(EngineStream::Tcp(tcp)),
                    Some((config, name)) => {
                        let connector = tokio_rustls::TlsConnector::from(config.clone());
                        let stream = connector.connect(name.clone(), tcp).await.map_err(|e| {
                            io::Error::new(
                                io::ErrorKind::InvalidData,
                                format!("TLS handshake with {addr} failed: {e}"),
                            )
                        })?;
                        Ok(EngineStream::Tls(Box::new(stream)))
                    }
                }
            }
            Target::Ssh(ssh) => ssh.spawn().map(|c| EngineStream::Command(Box::new(c))),
        }
    }
}

#[cfg(windows)]
async fn open_pipe(name: &str) -> io::Result<tokio::net::windows::named_pipe::NamedPipeClient> {
    use tokio::net::windows::named_pipe::ClientOptions;
    // ERROR_PIPE_BUSY: every instance is in use; the server makes another soon.
    const ERROR_PIPE_BUSY: i32 = 231;
    let mut tries = 0;
    loop {
        match ClientOptions::new().open(name) {
            Ok(client) => return Ok(client),
            Err(e) if e.raw_os_error() == Some(ERROR_PIPE_BUSY) && tries < 50 => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// One connection to an engine, whatever carries it.
pub enum EngineStream {
    #[cfg(unix)]
    Unix(tokio::net::UnixStream),
    #[cfg(windows)]
    Pipe(tokio::net::windows::named_pipe::NamedPipeClient),
    Tcp(tokio::net::TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<tokio::net::TcpStream>>),
    Command(Box<CommandStream>),
}

macro_rules! each_stream {
    ($self:ident, $s:ident => $body:expr) => {
        match $self.get_mut() {
            #[cfg(unix)]
            EngineStream::Unix($s) => $body,
            #[cfg(windows)]
            EngineStream::Pipe($s) => $body,
            EngineStream::Tcp($s) => $body,
            EngineStream::Tls($s) => $body,
            EngineStream::Command(c) => {
                let $s = c;
                $body
            }
        }
    };
}

impl AsyncRead for EngineStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        each_stream!(self, s => Pin::new(s).poll_read(cx, buf))
    }
}

impl AsyncWrite for EngineStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        each_stream!(self, s => Pin::new(s).poll_write(cx, buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        each_stream!(self, s => Pin::new(s).poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        each_stream!(self, s => Pin::new(s).poll_shutdown(cx))
    }
}

impl Connection for EngineStream {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

/// Opens connections for hyper's pool.
#[derive(Clone)]
struct Connector(Arc<Target>);

impl tower_service::Service<Uri> for Connector {
    type Response = TokioIo<EngineStream>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Self::Response>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _uri: Uri) -> Self::Future {
        let target = self.0.clone();
        Box::pin(async move { target.dial().await.map(TokioIo::new) })
    }
}

/// A whole body as bollard's body type.
pub fn full_body(bytes: impl Into<Bytes>) -> EngineBody {
    bollard::body_full(bytes.into())
}

/// A streamed body as bollard's body type.
pub fn stream_body(stream: impl Stream<Item = io::Result<Bytes>> + Send + 'static) -> EngineBody {
    bollard::body_try_stream(stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_this_platform_cannot_speak_are_refused_up_front() {
        let endpoint = |host: &str| Endpoint {
            host: host.to_owned(),
            tls: None,
            context: "default".to_owned(),
            source: super::super::discovery::HostSource::Default,
            product: None,
        };
        let env = DockerEnv::default();
        let err = Transport::new(&endpoint("npipe:////./pipe/docker_engine"), &env);
        if cfg!(windows) {
            assert!(err.is_ok());
        } else {
            assert!(matches!(err, Err(TransportError::Unsupported(_))));
        }
        assert!(Transport::new(&endpoint("tcp://127.0.0.1:2375"), &env).is_ok());
        assert!(Transport::new(&endpoint("ssh://box"), &env).is_ok());
    }
}
