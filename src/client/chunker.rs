//! Cuts an upload into chunks of exactly `chunk_size` bytes (the last one shorter), reusing a
//! bounded set of buffers.
//!
//! Chunks are cut at the byte, not at the last newline as Anaplan Connect does: Anaplan
//! concatenates the chunks of a file before it reads rows, so a row cut across two chunks arrives
//! whole, and fixed-size chunks make the chunk count a function of the length alone (the count is
//! announced before the first chunk for files and buffers, without scanning the data first).

use std::io::Read;

/// Number of chunks for `len` bytes. An empty upload is one empty chunk: the file then exists with
/// zero bytes and downloads as zero bytes, where a chunk count of 0 would leave it "without
/// content" (a 404 on download, and an import would fail for a missing file rather than read
/// an empty one).
pub(crate) fn chunk_count(len: u64, chunk_size: usize) -> u64 {
    len.div_ceil(chunk_size as u64).max(1)
}

/// A chunk ready to send: its 0-based number and its bytes.
#[derive(Debug)]
pub(crate) struct Chunk {
    pub index: u64,
    pub data: Vec<u8>,
}

/// The buffers of one upload. At most `max_buffers` exist at once, so memory stays at
/// `max_buffers * chunk_size` whatever the size of the upload.
#[derive(Debug)]
pub(crate) struct BufferPool {
    chunk_size: usize,
    max_buffers: usize,
    spare: Vec<Vec<u8>>,
    created: usize,
}

impl BufferPool {
    pub fn new(chunk_size: usize, max_buffers: usize) -> BufferPool {
        BufferPool {
            chunk_size,
            max_buffers: max_buffers.max(1),
            spare: Vec::new(),
            created: 0,
        }
    }

    /// An empty buffer with room for one chunk, or `None` when every buffer is in use (the
    /// caller then waits for one to come back).
    pub fn take(&mut self) -> Option<Vec<u8>> {
        if let Some(b) = self.spare.pop() {
            return Some(b);
        }
        if self.created < self.max_buffers {
            self.created += 1;
            return Some(Vec::with_capacity(self.chunk_size));
        }
        None
    }

    /// Gives a buffer back for reuse; `None` when it could not be recovered (the HTTP stack
    /// still held it), which frees its place for a new one.
    pub fn put(&mut self, buffer: Option<Vec<u8>>) {
        match buffer {
            Some(mut b) => {
                b.clear();
                self.spare.push(b);
            }
            None => self.created = self.created.saturating_sub(1),
        }
    }

    #[cfg(test)]
    /// How many buffers were ever allocated (never more than `max_buffers`).
    pub fn created(&self) -> usize {
        self.created
    }
}

/// Fills chunk buffers from pieces of any size.
#[derive(Debug)]
pub(crate) struct Chunker {
    chunk_size: usize,
    current: Option<Vec<u8>>,
    next_index: u64,
    bytes: u64,
}

impl Chunker {
    pub fn new(chunk_size: usize) -> Chunker {
        Chunker {
            chunk_size,
            current: None,
            next_index: 0,
            bytes: 0,
        }
    }

    /// Whether a buffer is needed before more data can be taken.
    pub fn needs_buffer(&self) -> bool {
        self.current.is_none()
    }

    pub fn set_buffer(&mut self, buffer: Vec<u8>) {
        debug_assert!(buffer.is_empty());
        self.current = Some(buffer);
    }

    /// Copies as much of `data` as fits into the current chunk and returns how much it took
    /// (0 when there is no buffer).
    pub fn fill(&mut self, data: &[u8]) -> usize {
        let Some(buf) = self.current.as_mut() else {
            return 0;
        };
        let n = data.len().min(self.chunk_size - buf.len());
        buf.extend_from_slice(&data[..n]);
        self.bytes += n as u64;
        n
    }

    /// Reads up to the rest of the current chunk from `reader`; returns the bytes read (0 at end
    /// of input or when there is no buffer).
    pub fn fill_from(&mut self, reader: &mut impl Read) -> std::io::Result<usize> {
        let Some(buf) = self.current.as_mut() else {
            return Ok(0);
        };
        let room = (self.chunk_size - buf.len()) as u64;
        let n = reader.take(room).read_to_end(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    pub fn is_full(&self) -> bool {
        self.current
            .as_ref()
            .is_some_and(|b| b.len() >= self.chunk_size)
    }

    /// The current chunk, when it is full.
    pub fn take_full(&mut self) -> Option<Chunk> {
        if self.is_full() {
            self.take_current()
        } else {
            None
        }
    }

    /// The last chunk at the end of the input: the partly filled one, or an empty chunk when
    /// nothing at all was written (see [`chunk_count`]). `None` when the input ended exactly on
    /// a chunk boundary. The caller must have set a buffer when `needs_buffer` and no chunk
    /// was produced yet.
    pub fn finish(&mut self) -> Option<Chunk> {
        match &self.current {
            Some(b) if !b.is_empty() || self.next_index == 0 => self.take_current(),
            _ => None,
        }
    }

    /// Whether `finish` needs a buffer to produce the empty chunk of an empty upload.
    pub fn finish_needs_buffer(&self) -> bool {
        self.next_index == 0 && self.current.is_none()
    }

    /// Takes the leftover buffer back (after `finish`), for the pool.
    pub fn release_buffer(&mut self) -> Option<Vec<u8>> {
        self.current.take()
    }

    fn take_current(&mut self) -> Option<Chunk> {
        let data = self.current.take()?;
        let index = self.next_index;
        self.next_index += 1;
        Some(Chunk { index, data })
    }

    /// Bytes taken so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Chunks produced so far.
    pub fn chunks(&self) -> u64 {
        self.next_index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `data` in pieces of the given sizes (cycled) and returns the chunks.
    fn cut(data: &[u8], chunk: usize, pieces: &[usize]) -> Vec<Chunk> {
        let mut pool = BufferPool::new(chunk, 2);
        let mut c = Chunker::new(chunk);
        let mut out = Vec::new();
        let mut rest = data;
        let mut sizes = pieces.iter().cycle();
        while !rest.is_empty() {
            let n = (*sizes.next().unwrap()).min(rest.len());
            let mut piece = &rest[..n];
            rest = &rest[n..];
            while !piece.is_empty() {
                if c.needs_buffer() {
                    c.set_buffer(pool.take().expect("a buffer comes back before the next"));
                }
                let took = c.fill(piece);
                piece = &piece[took..];
                if let Some(ch) = c.take_full() {
                    // The "sender" copies and returns the buffer at once.
                    out.push(Chunk {
                        index: ch.index,
                        data: ch.data.clone(),
                    });
                    pool.put(Some(ch.data));
                }
            }
        }
        if c.finish_needs_buffer() {
            c.set_buffer(pool.take().unwrap());
        }
        if let Some(ch) = c.finish() {
            out.push(ch);
        }
        assert!(pool.created() <= 2);
        out
    }

    #[test]
    fn counts_chunks() {
        assert_eq!(chunk_count(0, 10), 1);
        assert_eq!(chunk_count(1, 10), 1);
        assert_eq!(chunk_count(10, 10), 1);
        assert_eq!(chunk_count(11, 10), 2);
        assert_eq!(chunk_count(300_000_000, 50_000_000), 6);
    }

    #[test]
    fn pieces_straddling_boundaries_give_exact_chunks() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
        for pieces in [&[1usize][..], &[3, 17, 64], &[99], &[1000], &[5000]] {
            let chunks = cut(&data, 100, pieces);
            assert_eq!(chunks.len(), 10, "pieces {pieces:?}");
            for (i, ch) in chunks.iter().enumerate() {
                assert_eq!(ch.index, i as u64);
                assert_eq!(ch.data, data[i * 100..(i + 1) * 100]);
            }
        }
        let chunks = cut(&data[..950], 100, &[33]);
        assert_eq!(chunks.len() as u64, chunk_count(950, 100));
        assert_eq!(chunks[9].data, data[900..950]);
    }

    #[test]
    fn empty_input_is_one_empty_chunk() {
        let chunks = cut(&[], 100, &[1]);
        assert_eq!(chunks.len(), 1);
        assert_eq!(chunks[0].index, 0);
        assert!(chunks[0].data.is_empty());
    }

    #[test]
    fn reads_from_a_reader_without_growing_buffers() {
        let data = vec![7u8; 250];
        let mut reader = &data[..];
        let mut pool = BufferPool::new(100, 1);
        let mut c = Chunker::new(100);
        let mut sizes = Vec::new();
        loop {
            if c.needs_buffer() {
                c.set_buffer(pool.take().unwrap());
            }
            let n = c.fill_from(&mut reader).unwrap();
            if let Some(ch) = c.take_full() {
                assert_eq!(ch.data.capacity(), 100);
                sizes.push(ch.data.len());
                pool.put(Some(ch.data));
            } else if n == 0 {
                break;
            }
        }
        sizes.push(c.finish().unwrap().data.len());
        assert_eq!(sizes, [100, 100, 50]);
        assert_eq!(c.bytes(), 250);
        assert_eq!(c.chunks(), 3);
    }

    #[test]
    fn pool_never_exceeds_its_bound() {
        let mut pool = BufferPool::new(10, 3);
        let held: Vec<_> = (0..3).map(|_| pool.take().unwrap()).collect();
        assert!(pool.take().is_none());
        let mut held = held.into_iter();
        pool.put(held.next());
        assert!(pool.take().is_some());
        assert_eq!(pool.created(), 3);
        // A buffer that is lost frees its place.
        pool.put(None);
        assert_eq!(pool.created(), 2);
        assert!(pool.take().is_some());
        assert!(pool.take().is_none());
    }
}
