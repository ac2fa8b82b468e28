//! Puts chunks that arrive in any order back in order, holding at most a fixed window of them.

use std::collections::BTreeMap;

/// Chunks `next .. next + window` may be fetched; the ones that arrive early wait here until
/// every earlier chunk was written, so at most `window` chunks are held at once.
#[derive(Debug)]
pub(crate) struct Reorder<T> {
    next: usize,
    window: usize,
    pending: BTreeMap<usize, T>,
}

impl<T> Reorder<T> {
    pub fn new(window: usize) -> Reorder<T> {
        Reorder {
            next: 0,
            window: window.max(1),
            pending: BTreeMap::new(),
        }
    }

    /// Whether chunk `index` may be fetched now without the buffer growing past the window.
    pub fn may_fetch(&self, index: usize) -> bool {
        index < self.next + self.window
    }

    pub fn insert(&mut self, index: usize, data: T) {
        self.pending.insert(index, data);
    }

    /// The next chunk in order, when it has arrived.
    pub fn pop_ready(&mut self) -> Option<T> {
        let data = self.pending.remove(&self.next)?;
        self.next += 1;
        Some(data)
    }

    /// Chunks written so far.
    pub fn written(&self) -> usize {
        self.next
    }

    #[cfg(test)]
    pub fn held(&self) -> usize {
        self.pending.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_in_order_within_the_window() {
        let mut r = Reorder::new(3);
        assert!(r.may_fetch(2) && !r.may_fetch(3));
        r.insert(2, vec![2]);
        r.insert(1, vec![1]);
        assert_eq!(r.pop_ready(), None, "chunk 0 has not arrived");
        r.insert(0, vec![0]);
        let got: Vec<_> = std::iter::from_fn(|| r.pop_ready()).collect();
        assert_eq!(got, [vec![0], vec![1], vec![2]]);
        assert_eq!(r.written(), 3);
        assert_eq!(r.held(), 0);
        assert!(r.may_fetch(5) && !r.may_fetch(6));
    }
}
