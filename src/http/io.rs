//! A socket wrapper that gives up on stalled connections: a write that makes
//! no progress for the write timeout, or a connection on which no byte moves
//! for the idle timeout while the server waits to read, fails with
//! `TimedOut`, which ends the connection.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{sleep, Instant, Sleep};

/// One restartable deadline.
struct Deadline {
    limit: Duration,
    timer: Pin<Box<Sleep>>,
    armed: bool,
}

impl Deadline {
    fn new(limit: Duration) -> Self {
        Deadline {
            limit,
            timer: Box::pin(sleep(limit)),
            armed: false,
        }
    }

    /// Called when the operation would block: starts the clock if it is not
    /// running and reports whether it has run out.
    fn expired(&mut self, cx: &mut Context<'_>) -> bool {
        if !self.armed {
            self.timer.as_mut().reset(Instant::now() + self.limit);
            self.armed = true;
        }
        self.timer.as_mut().poll(cx).is_ready()
    }

    fn progress(&mut self) {
        self.armed = false;
    }
}

fn timed_out(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::TimedOut,
        format!("{what} made no progress in time"),
    )
}

/// `inner` with an idle deadline on reads and a deadline on stalled writes.
pub(crate) struct Timed<T> {
    inner: T,
    idle: Deadline,
    write: Deadline,
}

impl<T> Timed<T> {
    pub(crate) fn new(inner: T, idle: Duration, write: Duration) -> Self {
        Timed {
            inner,
            idle: Deadline::new(idle),
            write: Deadline::new(write),
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Timed<T> {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Pending if this.idle.expired(cx) => Poll::Ready(Err(timed_out("the connection"))),
            Poll::Pending => Poll::Pending,
            ready => {
                this.idle.progress();
                ready
            }
        }
    }
}

impl<T: AsyncWrite + Unpin> Timed<T> {
    /// Runs a write-side operation under the write deadline; progress on
    /// writes also counts as activity for the idle deadline.
    fn write_op<R>(
        &mut self,
        cx: &mut Context<'_>,
        op: impl FnOnce(Pin<&mut T>, &mut Context<'_>) -> Poll<io::Result<R>>,
    ) -> Poll<io::Result<R>> {
        match op(Pin::new(&mut self.inner), cx) {
            Poll::Pending if self.write.expired(cx) => Poll::Ready(Err(timed_out("a write"))),
            Poll::Pending => Poll::Pending,
            ready => {
                self.write.progress();
                self.idle.progress();
                ready
            }
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Timed<T> {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.get_mut().write_op(cx, |inner, cx| inner.poll_write(cx, buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.get_mut()
            .write_op(cx, |inner, cx| inner.poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().write_op(cx, |inner, cx| inner.poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().write_op(cx, |inner, cx| inner.poll_shutdown(cx))
    }
}
