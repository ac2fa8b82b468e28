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
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::ServiceExt;

use crate::config::EmulatorConfig;
use crate::conn::{ConnControl, ConnStream};
use crate::state::{AppState, Urls};

/// A running emulator. Dropping it (or calling [`RunningEmulator::stop`]) shuts it down and
/// closes every connection.
pub struct RunningEmulator {
    /// Base URL of the auth service (`/token/*`), e.g. `http://127.0.0.1:41234`.
    pub auth_url: String,
    /// Base URL of the API host, without `/2/0`.
    pub api_url: String,
    /// Address of the main listener.
    pub addr: SocketAddr,
    /// Address of the separate auth listener, when `auth_port` was set.
    pub auth_addr: Option<SocketAddr>,
    /// The emulator's state, for in-process tests that want to look inside.
    pub state: AppState,
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
/// configuration is invalid (`InvalidInput`).
pub fn start(config: EmulatorConfig) -> std::io::Result<RunningEmulator> {
    config
        .faults
        .validate()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
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
    let api_url = format!("http://{}", display_addr(addr));
    let auth_addr = auth.as_ref().map(StdListener::local_addr).transpose()?;
    let auth_url = match auth_addr {
        Some(a) => format!("http://{}", display_addr(a)),
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

async fn accept_loop(listener: TcpListener, state: AppState, mut shutdown: watch::Receiver<bool>) {
    let bandwidth = state.faults.bandwidth_limit();
    let app = crate::router::build(state);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, _peer)) => {
                    let _ = tcp.set_nodelay(true);
                    tokio::spawn(serve_connection(tcp, app.clone(), bandwidth.clone()));
                }
                // Out of file descriptors and the like: pause instead of spinning on the error.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            _ = shutdown.changed() => return,
        }
    }
}

/// Serves one connection through [`ConnStream`] until it ends or a fault kills it. Each request
/// carries the connection's [`ConnControl`] in its extensions.
async fn serve_connection(tcp: TcpStream, app: Router, bandwidth: Arc<AtomicU64>) {
    let ctl = ConnControl::new(bandwidth);
    let io = TokioIo::new(ConnStream::new(tcp, ctl.clone()));
    let per_request = ctl.clone();
    let service = service_fn(move |mut req: Request<Incoming>| {
        req.extensions_mut().insert(per_request.clone());
        app.clone().oneshot(req)
    });
    let conn = http1::Builder::new().serve_connection(io, service);
    tokio::select! {
        _ = conn => {}
        // Dropping `conn` drops the stream, which resets the socket (see `ConnStream`).
        _ = ctl.killed() => {}
    }
}
