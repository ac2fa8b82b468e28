//! What the bench binaries share: the generated test data.

/// `len` bytes of deterministic CSV rows that compress like real data (not zeros), so that gzip
/// costs and saves what it would on an export.
pub fn csv_bytes(len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 128);
    let mut row = 0usize;
    while out.len() < len {
        let line = format!(
            "{row:010},Employee {:08},Dept {:03},{}\n",
            row.wrapping_mul(7919) % 100_000_000,
            row % 997,
            row.wrapping_mul(31)
        );
        out.extend_from_slice(line.as_bytes());
        row += 1;
    }
    out.truncate(len);
    out
}
