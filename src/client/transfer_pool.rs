//! Worker threads for parallel chunk transfers. Jobs go out to `threads` workers; results come
//! back to the calling thread, which is the only one that runs callbacks: while it waits for a
//! result it forwards the workers' log lines (the `between_waits` hook drains the logger relay).

use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long the calling thread waits for a result before forwarding log lines again: it bounds
/// the delay of a worker's log line, not the speed of the transfer (results wake it at once).
const RELAY_INTERVAL: Duration = Duration::from_millis(20);

pub(crate) struct TransferPool<J, R> {
    jobs: Option<Sender<J>>,
    results: Receiver<std::thread::Result<R>>,
    workers: Vec<JoinHandle<()>>,
    in_flight: usize,
    between_waits: Box<dyn FnMut() + Send>,
}

impl<J: Send + 'static, R: Send + 'static> TransferPool<J, R> {
    /// Starts `threads` workers running `work` on each job.
    pub fn start(
        threads: usize,
        name: &str,
        between_waits: Box<dyn FnMut() + Send>,
        work: impl Fn(J) -> R + Send + Sync + 'static,
    ) -> std::io::Result<TransferPool<J, R>> {
        let (job_tx, job_rx) = mpsc::channel::<J>();
        let (res_tx, res_rx) = mpsc::channel::<std::thread::Result<R>>();
        let job_rx = Arc::new(Mutex::new(job_rx));
        let work = Arc::new(work);
        let mut pool = TransferPool {
            jobs: Some(job_tx),
            results: res_rx,
            workers: Vec::new(),
            in_flight: 0,
            between_waits,
        };
        for i in 0..threads.max(1) {
            let job_rx = job_rx.clone();
            let res_tx = res_tx.clone();
            let work = work.clone();
            let handle = std::thread::Builder::new()
                .name(format!("anaplan-{name}-{i}"))
                .spawn(move || loop {
                    // The lock is held only while waiting for the next job, never while working.
                    let job = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok(job) = job else { return };
                    // A panic is carried to the calling thread and resumed there, where the C
                    // boundary turns it into a status instead of losing a result.
                    let result = panic::catch_unwind(AssertUnwindSafe(|| work(job)));
                    if res_tx.send(result).is_err() {
                        return;
                    }
                })?;
            pool.workers.push(handle);
        }
        Ok(pool)
    }

    /// Hands a job to the next free worker.
    pub fn submit(&mut self, job: J) {
        if let Some(tx) = &self.jobs {
            // Workers only stop when the pool is dropped, so the send cannot fail here; if a
            // worker panicked, `next` reports the missing result.
            if tx.send(job).is_ok() {
                self.in_flight += 1;
            }
        }
    }

    /// Jobs submitted whose result has not been taken yet.
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// Waits for the next result (in completion order), forwarding log lines meanwhile. `None`
    /// when nothing is in flight. A panic of the job is resumed here, on the calling thread.
    pub fn next(&mut self) -> Option<R> {
        if self.in_flight == 0 {
            return None;
        }
        loop {
            match self.results.recv_timeout(RELAY_INTERVAL) {
                Ok(r) => {
                    self.in_flight -= 1;
                    (self.between_waits)();
                    return Some(r.unwrap_or_else(|payload| panic::resume_unwind(payload)));
                }
                Err(RecvTimeoutError::Timeout) => (self.between_waits)(),
                // Workers catch panics, so they all end only when the pool is dropped.
                Err(RecvTimeoutError::Disconnected) => return None,
            }
        }
    }
}

impl<J, R> Drop for TransferPool<J, R> {
    /// Lets the workers finish the job in hand (the caller cancels their requests first when it
    /// gives up) and waits for them, so no thread outlives the call that started it.
    fn drop(&mut self) {
        self.jobs = None;
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
        (self.between_waits)();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn runs_jobs_in_parallel_and_returns_every_result() {
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let (r, p) = (running.clone(), peak.clone());
        let mut pool = TransferPool::start(3, "test", Box::new(|| {}), move |n: u32| {
            let now = r.fetch_add(1, Ordering::SeqCst) + 1;
            p.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(30));
            r.fetch_sub(1, Ordering::SeqCst);
            n * 2
        })
        .unwrap();
        for n in 0..6 {
            pool.submit(n);
        }
        assert_eq!(pool.in_flight(), 6);
        let mut got: Vec<u32> = std::iter::from_fn(|| pool.next()).collect();
        got.sort();
        assert_eq!(got, [0, 2, 4, 6, 8, 10]);
        assert_eq!(pool.in_flight(), 0);
        // Lower bound only: three workers sleeping at the same time overlap at least twice.
        assert!(peak.load(Ordering::SeqCst) >= 2);
        assert!(peak.load(Ordering::SeqCst) <= 3);
    }

    #[test]
    fn the_hook_runs_on_the_calling_thread() {
        let me = std::thread::current().id();
        let calls = Arc::new(AtomicUsize::new(0));
        let c = calls.clone();
        let hook = Box::new(move || {
            assert_eq!(std::thread::current().id(), me);
            c.fetch_add(1, Ordering::SeqCst);
        });
        let mut pool = TransferPool::start(2, "test", hook, |n: u32| {
            std::thread::sleep(Duration::from_millis(50));
            n
        })
        .unwrap();
        pool.submit(1);
        assert_eq!(pool.next(), Some(1));
        assert!(
            calls.load(Ordering::SeqCst) >= 2,
            "waited through at least one interval"
        );
        assert_eq!(pool.next(), None);
    }

    #[test]
    fn a_panicking_job_panics_on_the_calling_thread() {
        let mut pool = TransferPool::start(2, "test", Box::new(|| {}), |n: u32| -> u32 {
            if n == 1 {
                panic!("boom in job {n}");
            }
            n
        })
        .unwrap();
        pool.submit(1);
        let caught = panic::catch_unwind(AssertUnwindSafe(|| pool.next()));
        let payload = caught.expect_err("the panic reaches the caller");
        assert_eq!(payload.downcast_ref::<String>().unwrap(), "boom in job 1");
        // The pool still works afterwards.
        pool.submit(2);
        assert_eq!(pool.next(), Some(2));
    }
}
