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

/// `len` bytes of employee-like CSV (header, then name, code, department, e-mail, start date,
/// salary) with pseudo-random fields from a fixed seed: the same bytes on every run, and text that
/// compresses like a real export. Counter-made rows such as [`csv_bytes`] are unusually
/// repetitive, which makes zlib's higher levels several times slower than on real data; a
/// comparison of clients that gzip at different levels needs data like this instead.
pub fn employee_csv(len: usize) -> Vec<u8> {
    const FIRST: &[&str] = &[
        "Ada", "Bela", "Chen", "Dara", "Eli", "Fatima", "Goran", "Hana", "Ivo", "Jade", "Kofi",
        "Lena", "Milo", "Nia", "Omar", "Pia", "Quinn", "Rafa", "Sana", "Tomas",
    ];
    const LAST: &[&str] = &[
        "Abbott",
        "Bauer",
        "Cruz",
        "Dubois",
        "Eriksen",
        "Ferreira",
        "Gupta",
        "Horvat",
        "Ito",
        "Jansen",
        "Kowalski",
        "Lindqvist",
        "Mendes",
        "Novak",
        "Oyelaran",
        "Perez",
        "Quist",
        "Rahman",
        "Silva",
        "Turner",
    ];
    let mut out = Vec::with_capacity(len + 256);
    out.extend_from_slice(b"Name,Code,Department,Email,Start Date,Salary\n");
    // xorshift64: fast, deterministic, and good enough to keep gzip from seeing a pattern.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut row = 0u64;
    while out.len() < len {
        let (f, l) = (
            FIRST[(next() % FIRST.len() as u64) as usize],
            LAST[(next() % LAST.len() as u64) as usize],
        );
        let r = next();
        let line = format!(
            "{f} {l} {row:07},E{row:07},Dept {:02},{}.{}.{row}@example.com,20{:02}-{:02}-{:02},{}.{:02}\n",
            r % 40,
            f.to_lowercase(),
            l.to_lowercase(),
            10 + (r >> 8) % 15,
            1 + (r >> 16) % 12,
            1 + (r >> 24) % 28,
            30_000 + (r >> 32) % 120_000,
            (r >> 52) % 100
        );
        out.extend_from_slice(line.as_bytes());
        row += 1;
    }
    out.truncate(len);
    out
}
