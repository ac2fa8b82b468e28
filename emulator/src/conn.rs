//! The connection wrapper through which every accepted TCP stream is served.
//!
//! [`ConnStream`] caps bandwidth in both directions with a token bucket per direction (the wait
//! is a tokio timer, never a busy loop) and, when its [`ConnControl`] was told to kill the
//! connection, closes the socket with `SO_LINGER` 0 so the peer gets a TCP RST: a real dropped
//! connection, not a polite end of stream.
//!
//! The server puts an `Arc<ConnControl>` into every request's extensions, which is how the fault
//! middleware reaches the connection it runs on.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio::time::{Instant, Sleep};

/// The handle on one connection: kill it now, or once what was written so far is flushed.
pub struct ConnControl {
    killed: AtomicBool,
    kill_on_flush: AtomicBool,
    notify: Notify,
    /// Bytes per second per direction, 0 = unlimited; shared with the fault set.
    bandwidth: Arc<AtomicU64>,
}

impl ConnControl {
    pub fn new(bandwidth: Arc<AtomicU64>) -> Arc<ConnControl> {
        Arc::new(ConnControl {
            killed: AtomicBool::new(false),
            kill_on_flush: AtomicBool::new(false),
            notify: Notify::new(),
            bandwidth,
        })
    }

    /// Resets the connection: the serving task drops it, the socket goes out with an RST.
    pub fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
        // `notify_one` keeps a permit when nobody waits yet, so the kill is never missed.
        self.notify.notify_one();
    }

    /// Resets the connection once the bytes already handed to it have gone out.
    pub fn kill_after_flush(&self) {
        self.kill_on_flush.store(true, Ordering::SeqCst);
    }

    pub fn is_killed(&self) -> bool {
        self.killed.load(Ordering::SeqCst)
    }

    /// Completes when the connection has been told to die.
    pub async fn killed(&self) {
        while !self.is_killed() {
            self.notify.notified().await;
        }
    }

    fn rate(&self) -> u64 {
        self.bandwidth.load(Ordering::Relaxed)
    }
}

/// A token bucket for one direction. Holds at most 100 ms worth of bytes, so a capped link
/// never bursts far above its rate.
struct Bucket {
    tokens: f64,
    last: Instant,
    sleep: Option<Pin<Box<Sleep>>>,
}

impl Bucket {
    fn new() -> Bucket {
        Bucket {
            tokens: 0.0,
            last: Instant::now(),
            sleep: None,
        }
    }

    /// How many bytes may move now at `rate` bytes/second; `Pending` with a timer armed when none.
    fn poll_allowance(&mut self, cx: &mut Context<'_>, rate: u64) -> Poll<usize> {
        let rate = rate as f64;
        let capacity = (rate / 10.0).max(1.0);
        loop {
            if let Some(sleep) = &mut self.sleep {
                ready!(sleep.as_mut().poll(cx));
                self.sleep = None;
            }
            let now = Instant::now();
            let earned = now.duration_since(self.last).as_secs_f64() * rate;
            self.tokens = (self.tokens + earned).min(capacity);
            self.last = now;
            if self.tokens >= 1.0 {
                return Poll::Ready(self.tokens as usize);
            }
            // Wait for about 10 ms worth rather than a single byte, so a slow link moves in
            // reasonable pieces instead of waking the task for every byte.
            let want = (rate / 100.0).clamp(1.0, capacity);
            let wait = Duration::from_secs_f64((want - self.tokens) / rate);
            self.sleep = Some(Box::pin(tokio::time::sleep(wait)));
        }
    }

    fn spend(&mut self, n: usize) {
        self.tokens -= n as f64;
    }
}

/// A TCP stream with a bandwidth cap and a kill switch.
pub struct ConnStream {
    inner: TcpStream,
    ctl: Arc<ConnControl>,
    read: Bucket,
    write: Bucket,
}

impl ConnStream {
    pub fn new(inner: TcpStream, ctl: Arc<ConnControl>) -> ConnStream {
        ConnStream {
            inner,
            ctl,
            read: Bucket::new(),
            write: Bucket::new(),
        }
    }

    fn check_alive(&self) -> io::Result<()> {
        if self.ctl.is_killed() {
            Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "connection reset by an injected fault",
            ))
        } else {
            Ok(())
        }
    }
}

impl Drop for ConnStream {
    fn drop(&mut self) {
        if self.ctl.is_killed() {
            // Zero linger turns the close into an RST (and never blocks, unlike other values).
            let _ = self.inner.set_zero_linger();
        }
    }
}

impl AsyncRead for ConnStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.check_alive()?;
        let rate = this.ctl.rate();
        if rate == 0 {
            return Pin::new(&mut this.inner).poll_read(cx, buf);
        }
        let allowed = ready!(this.read.poll_allowance(cx, rate)).min(buf.remaining());
        let mut limited = ReadBuf::new(buf.initialize_unfilled_to(allowed));
        ready!(Pin::new(&mut this.inner).poll_read(cx, &mut limited))?;
        let n = limited.filled().len();
        buf.advance(n);
        this.read.spend(n);
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for ConnStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.check_alive()?;
        let rate = this.ctl.rate();
        if rate == 0 {
            return Pin::new(&mut this.inner).poll_write(cx, data);
        }
        let allowed = ready!(this.write.poll_allowance(cx, rate)).min(data.len());
        let n = ready!(Pin::new(&mut this.inner).poll_write(cx, &data[..allowed]))?;
        this.write.spend(n);
        Poll::Ready(Ok(n))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.ctl.rate() == 0 {
            this.check_alive()?;
            return Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        }
        // Under a cap, one buffer at a time is plenty.
        let first = bufs
            .iter()
            .find(|b| !b.is_empty())
            .map_or(&[][..], |b| &b[..]);
        Pin::new(this).poll_write(cx, first)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.check_alive()?;
        ready!(Pin::new(&mut this.inner).poll_flush(cx))?;
        if this.ctl.kill_on_flush.load(Ordering::SeqCst) {
            this.ctl.kill();
        }
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// A response body that sends `head` and then resets the connection (once `head` is flushed).
/// The response's `Content-Length` promises more, so the client sees a truncated body.
pub struct TruncatedBody {
    head: Option<Bytes>,
    ctl: Arc<ConnControl>,
}

impl TruncatedBody {
    pub fn new(head: Bytes, ctl: Arc<ConnControl>) -> TruncatedBody {
        TruncatedBody {
            head: Some(head).filter(|h| !h.is_empty()),
            ctl,
        }
    }
}

impl Body for TruncatedBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Some(head) = self.head.take() {
            return Poll::Ready(Some(Ok(Frame::data(head))));
        }
        // Never ends: the connection task is woken by the kill and drops everything.
        self.ctl.kill_after_flush();
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        false
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}
