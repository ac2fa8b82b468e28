//! Starting and stopping an emulator: listeners, the accept loop, and the handle tests hold.

use std::net::{SocketAddr, TcpListener as StdListener};
use std::thread::JoinHandle;

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use axum::http::Request;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::ServiceExt;

use crate::config::EmulatorConfig;
use crate::conn::{ConnControl, ConnStream};
use crate::state::{AppState, Urls};
use crate::tls::TlsAcceptor;

/// How long a client may take over the TLS handshake before its connection is dropped, so a
/// silent peer cannot hold a task forever.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A running emulator. Dropping it (or calling [`RunningEmulator::stop`]) shuts it down and
/// closes every connection.
pub struct RunningEmulator {
    /// Base URL of the auth service (`/token/*`), e.g. `http://127.0.0.1:41234` (`https://` when
    /// the emulator was given a TLS identity).
    pub auth_url: String,
    /// Base URL of the API host, without `/2/0`.
    pub api_url: String,
    /// Address of the main listener.
    pub addr: SocketAddr,
    /// Address of the separate auth listener, when `auth_port` was set.
    pub auth_addr: Option<SocketAddr>,
    /// What the facade (`facade.rs`) reads and changes.
    pub(crate) state: AppState,
    shutdown: Option<watch::Sender<bool>>,
    thread: Option<JoinHandle<()>>,
}

impl RunningEmulator {
    /// Stops the emulator and waits until its runtime has ended.
    pub fn stop(mut self) {
        self.shutdown_now();
    }

    fn shutdown_now(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(true);
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// Blocks until the emulator stops (it only stops when told to, so: forever).
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        self.shutdown_now();
    }
}

/// Starts an emulator on its own thread and runtime and returns once it is listening.
/// Errors: the address cannot be bound (`AddrInUse`, `PermissionDenied`, ...), or the fault
/// configuration or the TLS identity is invalid (`InvalidInput`).
pub fn start(config: EmulatorConfig) -> std::io::Result<RunningEmulator> {
    config
        .faults
        .validate()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let tls = config.tls.as_ref().map(|t| t.acceptor()).transpose()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    let main = StdListener::bind((config.bind, config.port))?;
    let auth = match config.auth_port {
        Some(port) => Some(StdListener::bind((config.bind, port))?),
        None => None,
    };
    main.set_nonblocking(true)?;
    if let Some(a) = &auth {
        a.set_nonblocking(true)?;
    }
    let addr = main.local_addr()?;
    let api_url = format!("{scheme}://{}", display_addr(addr));
    let auth_addr = auth.as_ref().map(StdListener::local_addr).transpose()?;
    let auth_url = match auth_addr {
        Some(a) => format!("{scheme}://{}", display_addr(a)),
        None => api_url.clone(),
    };
    let state = AppState::new(&config);
    *state.urls.write().unwrap_or_else(|p| p.into_inner()) = Urls {
        auth: auth_url.clone(),
        api: api_url.clone(),
    };
    let (tx, rx) = watch::channel(false);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("anaplan-emulator")
        .enable_all()
        .build()?;
    let serve_state = state.clone();
    let thread = std::thread::Builder::new()
        .name("anaplan-emulator".into())
        .spawn(move || {
            runtime.block_on(async move {
                let mut loops = Vec::new();
                for l in std::iter::once(main).chain(auth) {
                    match TcpListener::from_std(l) {
                        Ok(l) => loops.push(tokio::spawn(accept_loop(
                            l,
                            serve_state.clone(),
                            tls.clone(),
                            rx.clone(),
                        ))),
                        Err(e) => eprintln!("anaplan-emulator: cannot listen: {e}"),
                    }
                }
                let mut rx = rx;
                while !*rx.borrow() {
                    if rx.changed().await.is_err() {
                        break;
                    }
                }
                for l in loops {
                    l.abort();
                }
            });
            // Dropping the runtime here ends every connection task.
        })?;
    Ok(RunningEmulator {
        auth_url,
        api_url,
        addr,
        auth_addr,
        state,
        shutdown: Some(tx),
        thread: Some(thread),
    })
}

fn display_addr(addr: SocketAddr) -> String {
    match addr {
        SocketAddr::V4(a) => format!("{}:{}", a.ip(), a.port()),
        SocketAddr::V6(a) => format!("[{}]:{}", a.ip(), a.port()),
    }
}

async fn accept_loop(
    listener: TcpListener,
    state: AppState,
    tls: Option<TlsAcceptor>,
    mut shutdown: watch::Receiver<bool>,
) {
    let bandwidth = state.faults.bandwidth_limit();
    let app = crate::router::build(state);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, _peer)) => {
                    let _ = tcp.set_nodelay(true);
                    tokio::spawn(serve_connection(
                        tcp,
                        app.clone(),
                        bandwidth.clone(),
                        tls.clone(),
                    ));
                }
                // Out of file descriptors and the like: pause instead of spinning on the error.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            _ = shutdown.changed() => return,
        }
    }
}

/// Serves one connection through [`ConnStream`] (and TLS over it, when configured) until it ends
/// or a fault kills it. A failed or stalled handshake ends only this connection's task, never the
/// listener.
async fn serve_connection(
    tcp: TcpStream,
    app: Router,
    bandwidth: Arc<AtomicU64>,
    tls: Option<TlsAcceptor>,
) {
    let ctl = ConnControl::new(bandwidth);
    let stream = ConnStream::new(tcp, ctl.clone());
    match tls {
        None => serve_http(stream, app, ctl).await,
        Some(acceptor) => {
            let handshake = tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream));
            let tls_stream = tokio::select! {
                done = handshake => match done {
                    Ok(Ok(s)) => s,
                    // An untrusting client, plain HTTP on the HTTPS port, a timeout: the client
                    // learns from its side of the handshake; nothing to serve.
                    Ok(Err(_)) | Err(_) => return,
                },
                _ = ctl.killed() => return,
            };
            serve_http(tls_stream, app, ctl).await
        }
    }
}

/// HTTP/1.1 over `io`. Each request carries the connection's [`ConnControl`] in its extensions.
async fn serve_http<I>(io: I, app: Router, ctl: Arc<ConnControl>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let io = TokioIo::new(io);
    let per_request = ctl.clone();
    let service = service_fn(move |mut req: Request<Incoming>| {
        req.extensions_mut().insert(per_request.clone());
        if let Some(uri) = crate::router::without_trailing_slash(req.uri()) {
            *req.uri_mut() = uri;
        }
        app.clone().oneshot(req)
    });
    let conn = http1::Builder::new().serve_connection(io, service);
    tokio::select! {
        _ = conn => {}
        // Dropping `conn` drops the stream (and the TLS layer over it), which resets the socket
        // (see `ConnStream`).
        _ = ctl.killed() => {}
    }
}
