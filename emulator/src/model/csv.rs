//! Delimited text in and out: decoding a source file with its metadata (separator, text delimiter,
//! encoding), reading it record by record, and writing CSV for dumps and exports.
//!
//! Reading is streaming and never fails: a file can be up to about 1 GiB, may hold invalid byte
//! sequences, ragged rows or an unterminated quote. Bytes that do not decode become U+FFFD (what
//! Anaplan's Java readers do with malformed input) and a record whose quote never closes is
//! flagged as malformed so that the import can reject that row.
//!
//! The file is decoded to UTF-8 a block at a time by `encoding_rs`, and the decoded bytes are
//! split into records by `csv_core`. The driver here adds the three things csv-core does not do:
//! an empty line is a record, records carry their physical line number, and a quote left open at
//! the end of the file is reported.

use csv_core::ReadRecordResult;

use super::FileMeta;

/// Input bytes decoded at a time: enough to make the decoder calls cheap, and the decoded window
/// stays a few hundred KiB whatever the size of the file.
const BLOCK_SIZE: usize = 64 * 1024;

/// The least room given to an encoding_rs decoder, which needs at least 4 bytes to make progress.
const MIN_WINDOW: usize = 16;

/// The csv-core delimiter for "no separator": a byte that never occurs in UTF-8, so the decoded
/// text is never split into fields.
const NO_SEPARATOR: u8 = 0xFF;

/// Text encodings the emulator reads and writes. Labels are matched loosely; an unknown label is
/// read as UTF-8, which keeps ASCII data intact rather than failing the whole import.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// ISO-8859-1: every byte is the code point of the same value.
    Latin1,
    /// Windows-1252 (CP1252): ISO-8859-1 except for 0x80–0x9F, which hold € ‚ „ … “ ” – — ™ etc.
    Windows1252,
    Utf16Le,
    Utf16Be,
}

impl Encoding {
    /// The encoding a label names, by our own table rather than encoding_rs's WHATWG labels,
    /// which would read ISO-8859-1 as windows-1252 and "UTF-16" as little-endian, unlike Java.
    pub fn from_label(label: &str) -> Encoding {
        let l: String = label
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_uppercase();
        match l.as_str() {
            "ISO88591" | "LATIN1" | "ISOLATIN1" | "L1" => Encoding::Latin1,
            // Java's and WHATWG's names for it.
            "CP1252" | "WINDOWS1252" | "XCP1252" | "IBM1252" => Encoding::Windows1252,
            "UTF16LE" | "UNICODELITTLEUNMARKED" => Encoding::Utf16Le,
            // Java's "UTF-16" reads big-endian unless a byte-order mark says otherwise.
            "UTF16BE" | "UTF16" | "UNICODE" => Encoding::Utf16Be,
            _ => Encoding::Utf8,
        }
    }

    /// Whether `label` names an encoding the emulator knows (used by seed validation).
    pub fn is_known(label: &str) -> bool {
        let l = label.to_ascii_uppercase();
        Encoding::from_label(label) != Encoding::Utf8 || l == "UTF-8" || l == "UTF8"
    }

    /// Encodes text for an export file. Latin-1 and windows-1252 cannot hold every character:
    /// those become `?`, as Java's encoders do. UTF-16 is written without a byte-order mark.
    pub fn encode(self, text: &str) -> Vec<u8> {
        match self {
            Encoding::Utf8 => text.as_bytes().to_vec(),
            Encoding::Latin1 => text
                .chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect(),
            Encoding::Windows1252 => encode_windows_1252(text),
            // encoding_rs has no UTF-16 encoder: its UTF-16 encodings encode to UTF-8.
            Encoding::Utf16Le => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            Encoding::Utf16Be => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        }
    }
}

/// Windows-1252 through encoding_rs, with `?` for each character it cannot hold. Not
/// `encoding_rs::Encoding::encode`: that writes HTML references (`&#26085;`) instead.
fn encode_windows_1252(text: &str) -> Vec<u8> {
    let mut encoder = encoding_rs::WINDOWS_1252.new_encoder();
    let mut out = Vec::with_capacity(text.len());
    let mut buffer = [0u8; 4096];
    let mut rest = text;
    loop {
        let (result, read, written) =
            encoder.encode_from_utf8_without_replacement(rest, &mut buffer, true);
        out.extend_from_slice(buffer.get(..written).unwrap_or_default());
        // `read` is on a character boundary (the unmappable character included), so `get`
        // never fails; if it did, ending the text is better than a panic.
        rest = rest.get(read..).unwrap_or_default();
        match result {
            encoding_rs::EncoderResult::InputEmpty => return out,
            encoding_rs::EncoderResult::Unmappable(_) => out.push(b'?'),
            encoding_rs::EncoderResult::OutputFull => {}
        }
    }
}

/// How a source file is laid out: column separator, text delimiter (quote) and encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Format {
    /// `None`: the file has a single column (Anaplan allows an empty separator).
    pub separator: Option<char>,
    /// `None`: no quoting; quote characters are data.
    pub quote: Option<char>,
    pub encoding: Encoding,
}

impl Format {
    pub fn of_file(meta: &FileMeta) -> Format {
        Format {
            separator: readable_char(meta.separator.as_deref(), ','),
            quote: readable_char(meta.delimiter.as_deref(), '"'),
            encoding: meta
                .encoding
                .as_deref()
                .map_or(Encoding::Utf8, Encoding::from_label),
        }
    }
}

/// A separator or delimiter setting as the reader can use it: absent gives `default`, empty gives
/// none. The reader splits decoded bytes, so a non-ASCII character (several bytes in UTF-8) cannot
/// be matched. Seed validation refuses one; one set through the API also gives none: the file is
/// read as a single column, or without quoting, rather than split at a character nobody asked
/// for, so that the import reports the missing columns instead of loading shifted data.
fn readable_char(setting: Option<&str>, default: char) -> Option<char> {
    setting
        .map_or(Some(default), one_char)
        .filter(char::is_ascii)
}

/// The character a separator or delimiter setting names. Clients send a tab either as the
/// character itself or spelled out (`\t`, `tab`), so both are accepted.
pub fn one_char(setting: &str) -> Option<char> {
    match setting {
        "\\t" | "tab" | "TAB" | "Tab" => Some('\t'),
        s => s.chars().next(),
    }
}

/// How a file's bytes become UTF-8.
///
/// Malformed input becomes U+FFFD by the WHATWG rules that encoding_rs follows: one per maximal
/// invalid UTF-8 subpart, lone UTF-16 surrogate or odd trailing byte, as the hand-written decoder
/// this replaces did, but for two corners:
/// - a lone high surrogate followed by an odd last byte gives one U+FFFD, not two;
/// - windows-1252 bytes 0x81, 0x8D, 0x8F, 0x90 and 0x9D, which Microsoft leaves undefined, decode
///   to U+0081, U+008D, U+008F, U+0090 and U+009D as WHATWG specifies (Java's decoder may make
///   them U+FFFD instead). We follow WHATWG: the bytes survive an import and export unchanged.
enum TextDecoder {
    /// True ISO-8859-1, which WHATWG (and so encoding_rs) folds into windows-1252.
    Latin1,
    /// An encoding_rs decoder that removes a byte-order mark only when it matches its encoding.
    Whatwg(encoding_rs::Decoder),
}

impl TextDecoder {
    /// The decoder for a file declared in `encoding`. A mark of another encoding is data, as
    /// before: `new_decoder_with_bom_removal` does no sniffing, while `new_decoder` would let the
    /// mark override the declared encoding. The one exception is Java's: a file declared
    /// big-endian UTF-16 that starts with a little-endian mark is little-endian.
    fn for_file(encoding: Encoding, bytes: &[u8]) -> TextDecoder {
        let whatwg = match encoding {
            Encoding::Latin1 => return TextDecoder::Latin1,
            Encoding::Utf8 => encoding_rs::UTF_8,
            Encoding::Windows1252 => encoding_rs::WINDOWS_1252,
            Encoding::Utf16Le => encoding_rs::UTF_16LE,
            Encoding::Utf16Be if bytes.starts_with(&[0xFF, 0xFE]) => encoding_rs::UTF_16LE,
            Encoding::Utf16Be => encoding_rs::UTF_16BE,
        };
        TextDecoder::Whatwg(whatwg.new_decoder_with_bom_removal())
    }
}

/// Physical line numbers, counted over every decoded byte as they go by, inside quotes too: a
/// line ends at each `\r`, and at each `\n` that does not complete a `\r\n`. Only whether the last
/// byte was a `\r` is kept, so a `\r\n` split across blocks counts once.
struct LineCounter {
    line: u64,
    after_cr: bool,
}

impl LineCounter {
    fn count(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if b == b'\r' || (b == b'\n' && !self.after_cr) {
                self.line += 1;
            }
            self.after_cr = b == b'\r';
        }
    }
}

/// The decoded text of a file, produced a block at a time into a reused window, so that no
/// decoded copy of the whole file is ever made.
struct DecodedText<'a> {
    undecoded: &'a [u8],
    decoder: TextDecoder,
    block_size: usize,
    window: Vec<u8>,
    /// Decoded bytes in `window`.
    filled: usize,
    /// Bytes of `window` already handed on.
    consumed: usize,
    /// The decoder has seen the end of the input and given all its output.
    finished: bool,
    lines: LineCounter,
}

impl<'a> DecodedText<'a> {
    fn new(bytes: &'a [u8], encoding: Encoding, block_size: usize) -> DecodedText<'a> {
        DecodedText {
            undecoded: bytes,
            decoder: TextDecoder::for_file(encoding, bytes),
            block_size: block_size.max(1),
            window: Vec::new(),
            filled: 0,
            consumed: 0,
            finished: false,
            lines: LineCounter {
                line: 1,
                after_cr: false,
            },
        }
    }

    /// Makes sure decoded bytes are waiting, decoding further blocks as needed; false at the end.
    fn fill(&mut self) -> bool {
        while self.consumed >= self.filled {
            if self.finished {
                return false;
            }
            self.decode_next_block();
        }
        true
    }

    /// The decoded bytes not yet consumed (empty until `fill` has been called).
    fn unread(&self) -> &[u8] {
        self.window
            .get(self.consumed..self.filled)
            .unwrap_or_default()
    }

    fn peek(&mut self) -> Option<u8> {
        if self.fill() {
            self.unread().first().copied()
        } else {
            None
        }
    }

    /// Hands on `n` unread bytes, counting the line ends among them.
    fn consume(&mut self, n: usize) {
        let end = self.consumed.saturating_add(n).min(self.filled);
        if let Some(bytes) = self.window.get(self.consumed..end) {
            self.lines.count(bytes);
        }
        self.consumed = end;
    }

    /// The line the next unread byte is on.
    fn line(&self) -> u64 {
        self.lines.line
    }

    /// Consumes the `\n` of a `\r\n` whose `\r` ended the previous record (csv-core stops right
    /// after the `\r`), so that it is not taken for an empty line.
    fn skip_rest_of_crlf(&mut self) {
        if self.lines.after_cr && self.peek() == Some(b'\n') {
            self.consume(1);
        }
    }

    /// Replaces the window's content with the next block's decoded text.
    fn decode_next_block(&mut self) {
        let undecoded: &'a [u8] = self.undecoded;
        let (block, rest) = undecoded.split_at(self.block_size.min(undecoded.len()));
        // The last block is the rest of the file, so the decoder can flush a truncated sequence.
        let last = rest.is_empty();
        self.consumed = 0;
        let read = match &mut self.decoder {
            TextDecoder::Latin1 => {
                self.filled = latin1_to_utf8(block, &mut self.window);
                self.finished = last;
                block.len()
            }
            TextDecoder::Whatwg(decoder) => {
                let decoded = whatwg_to_utf8(decoder, block, last, &mut self.window);
                self.filled = decoded.written;
                self.finished = decoded.finished;
                decoded.read
            }
        };
        self.undecoded = undecoded.get(read..).unwrap_or_default();
    }
}

/// Decodes ISO-8859-1 into `window`, made twice the block first: the most UTF-8 that Latin-1 can
/// need, and what `convert_latin1_to_utf8` requires. Returns the bytes written.
fn latin1_to_utf8(block: &[u8], window: &mut Vec<u8>) -> usize {
    ensure_len(window, block.len().saturating_mul(2));
    encoding_rs::mem::convert_latin1_to_utf8(block, window)
}

/// What one call of an encoding_rs decoder did.
struct Decoded {
    read: usize,
    written: usize,
    /// The end of the input has been decoded: the decoder must not be called again.
    finished: bool,
}

/// Decodes `block` into `window`, sized first for the worst case so that the decoder never stops
/// for room (it also relies on room for each U+FFFD it writes).
fn whatwg_to_utf8(
    decoder: &mut encoding_rs::Decoder,
    block: &[u8],
    last: bool,
    window: &mut Vec<u8>,
) -> Decoded {
    // `None` means the length overflows, which a block cannot cause; were it to, the window
    // would grow on `OutputFull` below.
    let worst_case = decoder.max_utf8_buffer_length(block.len()).unwrap_or(0);
    ensure_len(window, worst_case.max(MIN_WINDOW));
    let (result, read, written, _replaced) = decoder.decode_to_utf8(block, window, last);
    let finished = match result {
        encoding_rs::CoderResult::InputEmpty => last,
        encoding_rs::CoderResult::OutputFull => {
            // Not expected with a worst-case window; more room lets the next call progress.
            if written == 0 {
                grow(window);
            }
            false
        }
    };
    Decoded {
        read,
        written,
        finished,
    }
}

fn ensure_len(buffer: &mut Vec<u8>, len: usize) {
    if buffer.len() < len {
        buffer.resize(len, 0);
    }
}

/// Doubles a buffer that csv-core or a decoder has filled.
fn grow<T: Clone + Default>(buffer: &mut Vec<T>) {
    let len = buffer.len().saturating_mul(2).max(MIN_WINDOW);
    buffer.resize(len, T::default());
}

/// An ASCII separator or quote as the byte csv-core matches. A non-ASCII one cannot be matched in
/// UTF-8 bytes and counts as none (see `readable_char`).
fn ascii_byte(c: Option<char>) -> Option<u8> {
    c.and_then(|c| u8::try_from(c).ok()).filter(u8::is_ascii)
}

fn is_line_end(b: u8) -> bool {
    b == b'\r' || b == b'\n'
}

/// What feeding decoded text to the splitter did.
struct Fed {
    /// Bytes of the input that csv-core took.
    used: usize,
    /// A record ended (at a line end, which csv-core took).
    ended: bool,
}

/// csv-core's record splitter and the buffers it fills: the unquoted field bytes of the current
/// record, one after the other, and where each field ends among them. Both grow as needed.
struct Splitter {
    parser: csv_core::Reader,
    out: Vec<u8>,
    out_len: usize,
    ends: Vec<usize>,
    ends_len: usize,
    /// Nothing has been fed since the last reset.
    fresh: bool,
}

impl Splitter {
    /// csv-core set up as the old reader behaved: quotes only at the start of a field, `""` inside
    /// quotes is one quote, text after a closing quote is kept, no escapes, no comments, records
    /// end at `\n`, `\r\n` or a lone `\r`, and the field count may vary.
    fn new(format: Format) -> Splitter {
        let quote = ascii_byte(format.quote);
        let parser = csv_core::ReaderBuilder::new()
            .delimiter(ascii_byte(format.separator).unwrap_or(NO_SEPARATOR))
            .quote(quote.unwrap_or(b'"'))
            .quoting(quote.is_some())
            .double_quote(true)
            .escape(None)
            .comment(None)
            .terminator(csv_core::Terminator::CRLF)
            .build();
        Splitter {
            parser,
            out: vec![0; 1024],
            out_len: 0,
            ends: vec![0; 32],
            ends_len: 0,
            fresh: true,
        }
    }

    /// Starts a record from a clean parser state; the caller feeds no line end first (csv-core
    /// would skip it, where an empty line must be a record).
    fn start_record(&mut self) {
        self.parser.reset();
        self.out_len = 0;
        self.ends_len = 0;
        self.fresh = true;
    }

    /// Feeds non-empty `input` (csv-core takes empty input for the end of the file) until it is
    /// used up or the record ends, growing the buffers when csv-core fills them.
    fn feed(&mut self, input: &[u8]) -> Fed {
        let input = if std::mem::take(&mut self.fresh) {
            shield_from_bom_strip(input)
        } else {
            input
        };
        let mut used = 0;
        loop {
            let (result, nin, nout, nend) = self.parser.read_record(
                input.get(used..).unwrap_or_default(),
                self.out.get_mut(self.out_len..).unwrap_or_default(),
                self.ends.get_mut(self.ends_len..).unwrap_or_default(),
            );
            used += nin;
            self.out_len += nout;
            self.ends_len += nend;
            match result {
                ReadRecordResult::InputEmpty => return Fed { used, ended: false },
                ReadRecordResult::OutputFull => grow(&mut self.out),
                ReadRecordResult::OutputEndsFull => grow(&mut self.ends),
                ReadRecordResult::Record | ReadRecordResult::End => {
                    return Fed { used, ended: true };
                }
            }
        }
    }

    /// Ends the record at the end of the file and tells whether a quote was left open, which
    /// csv-core does not report. A line feed is fed as a probe: outside quotes it ends the record;
    /// inside quotes it is copied into the field, which is then unterminated, and is taken back.
    fn end_of_input(&mut self) -> Option<&'static str> {
        let copied_before = self.out_len;
        if self.feed(b"\n").ended {
            return None;
        }
        let probe_copied = self.out_len > copied_before;
        self.finish();
        if !probe_copied {
            return None;
        }
        let last_end = self
            .ends
            .get_mut(..self.ends_len)
            .and_then(|ends| ends.last_mut());
        if let Some(end) = last_end {
            *end = end.saturating_sub(1);
        }
        Some(UNTERMINATED_QUOTE)
    }

    /// Tells csv-core the input has ended, which closes the last field of the record.
    fn finish(&mut self) {
        loop {
            let (result, _, _, nend) = self.parser.read_record(
                &[],
                self.out.get_mut(self.out_len..).unwrap_or_default(),
                self.ends.get_mut(self.ends_len..).unwrap_or_default(),
            );
            self.ends_len += nend;
            if result != ReadRecordResult::OutputEndsFull {
                return;
            }
            grow(&mut self.ends);
        }
    }

    /// The record read since `start_record`.
    fn take_record(&self, line: u64, malformed: Option<&'static str>) -> Record {
        let ends = self.ends.get(..self.ends_len).unwrap_or_default();
        let mut fields = Vec::with_capacity(ends.len().max(1));
        let mut start = 0;
        for &end in ends {
            fields.push(field_text(self.out.get(start..end).unwrap_or_default()));
            start = end;
        }
        if fields.is_empty() {
            fields.push(String::new());
        }
        Record {
            fields,
            line,
            malformed,
        }
    }
}

/// csv-core drops a UTF-8 byte-order mark at the start of its first read after a reset. The
/// decoder has already removed the file's own mark, and a U+FEFF that starts a record is data (as
/// before), so a record starting with its first byte, 0xEF, is fed that byte alone first: csv-core
/// only strips the three bytes together.
fn shield_from_bom_strip(input: &[u8]) -> &[u8] {
    if input.first() == Some(&0xEF) {
        input.get(..1).unwrap_or(input)
    } else {
        input
    }
}

/// A field's text. It is valid UTF-8 (decoder output, cut at ASCII separators), so the lossy
/// conversion copies it as is; it only guards against a broken invariant instead of panicking.
fn field_text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// One record of a source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub fields: Vec<String>,
    /// 1-based line of the file on which the record starts.
    pub line: u64,
    /// Set when the record could not be read cleanly (a quote that never closes).
    pub malformed: Option<&'static str>,
}

impl Record {
    /// True for a record with no data at all (an empty line or only separators).
    pub fn is_blank(&self) -> bool {
        self.fields.iter().all(|f| f.trim().is_empty())
    }

    /// The field at `index`, empty when the row is shorter.
    pub fn field(&self, index: usize) -> &str {
        self.fields.get(index).map_or("", String::as_str)
    }

    fn empty_line(line: u64) -> Record {
        Record {
            fields: vec![String::new()],
            line,
            malformed: None,
        }
    }
}

pub const UNTERMINATED_QUOTE: &str = "Unterminated quoted value: missing closing text delimiter";

/// Reads records one at a time. Records end at `\n`, `\r\n` or a lone `\r` outside quotes, and an
/// empty line is a record of one empty field. Quotes are honoured at the start of a field; `""`
/// inside quotes is one quote; characters after a closing quote are kept (lenient, like
/// spreadsheet tools).
pub struct Records<'a> {
    text: DecodedText<'a>,
    splitter: Splitter,
}

impl<'a> Records<'a> {
    pub fn new(bytes: &'a [u8], format: Format) -> Records<'a> {
        Records::with_block_size(bytes, format, BLOCK_SIZE)
    }

    /// As `new`, decoding `block_size` input bytes at a time (tests use tiny blocks, so that line
    /// ends and characters straddle block boundaries).
    fn with_block_size(bytes: &'a [u8], format: Format, block_size: usize) -> Records<'a> {
        Records {
            text: DecodedText::new(bytes, format.encoding, block_size),
            splitter: Splitter::new(format),
        }
    }

    /// Reads a record whose first byte, not a line end, is the next unread byte.
    fn read_record(&mut self, line: u64) -> Record {
        self.splitter.start_record();
        while self.text.fill() {
            let fed = self.splitter.feed(self.text.unread());
            self.text.consume(fed.used);
            if fed.ended {
                return self.splitter.take_record(line, None);
            }
        }
        let malformed = self.splitter.end_of_input();
        self.splitter.take_record(line, malformed)
    }
}

impl Iterator for Records<'_> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        self.text.skip_rest_of_crlf();
        let first = self.text.peek()?;
        let line = self.text.line();
        if is_line_end(first) {
            // csv-core skips empty lines; here an empty line is a record, as it always was (the
            // import counts it as ignored, and it counts for headerRow and firstDataRow). Its
            // `\r` or `\n` is consumed here; the `\n` of a `\r\n` goes at the next record.
            self.text.consume(1);
            return Some(Record::empty_line(line));
        }
        Some(self.read_record(line))
    }
}

/// The header names and data records of a source file, per its `headerRow` and `firstDataRow`
/// (both 1-based record numbers; `headerRow` 0 means no header).
pub struct Source<'a> {
    pub headers: Vec<String>,
    records: Records<'a>,
    /// Data records read while looking for a header placed after the first data row.
    early: std::collections::VecDeque<Record>,
    index: u64,
    first_data_row: u64,
    header_row: u64,
}

impl<'a> Source<'a> {
    pub fn open(
        bytes: &'a [u8],
        format: Format,
        header_row: i64,
        first_data_row: i64,
    ) -> Source<'a> {
        let header_row = u64::try_from(header_row).unwrap_or(0);
        let first_data_row = u64::try_from(first_data_row).unwrap_or(1).max(1);
        let mut source = Source {
            headers: Vec::new(),
            records: Records::new(bytes, format),
            early: std::collections::VecDeque::new(),
            index: 0,
            first_data_row,
            header_row,
        };
        while source.index < header_row {
            let Some(record) = source.records.next() else {
                break;
            };
            source.index += 1;
            if source.index == header_row {
                source.headers = record.fields;
            } else if source.index >= first_data_row {
                source.early.push_back(record);
            }
        }
        source
    }

    /// The display name of column `index` (0-based): its header, or `Column N` when unnamed.
    pub fn column_name(&self, index: usize) -> String {
        match self.headers.get(index) {
            Some(h) if !h.trim().is_empty() => h.clone(),
            _ => format!("Column {}", index + 1),
        }
    }

    /// The index of the column a mapping names: by header first, then as `Column N`.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        if let Some(i) = self.headers.iter().position(|h| h == name) {
            return Some(i);
        }
        if let Some(i) = self.headers.iter().position(|h| h.trim() == name.trim()) {
            return Some(i);
        }
        let n: usize = name.strip_prefix("Column ")?.trim().parse().ok()?;
        let i = n.checked_sub(1)?;
        match self.headers.get(i) {
            Some(h) if !h.trim().is_empty() => None,
            _ => Some(i),
        }
    }
}

impl Iterator for Source<'_> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        if let Some(r) = self.early.pop_front() {
            return Some(r);
        }
        loop {
            let record = self.records.next()?;
            self.index += 1;
            if self.index >= self.first_data_row && self.index != self.header_row {
                return Some(record);
            }
        }
    }
}

/// Appends one dump row: every field quoted, `"` doubled, comma separated, LF ended.
pub fn write_quoted_row<'s>(out: &mut Vec<u8>, fields: impl IntoIterator<Item = &'s str>) {
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'"');
        out.extend_from_slice(f.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    }
    out.push(b'\n');
}

/// Appends one export row, quoting a field only when it holds the separator, the quote or a
/// line break (or has edge spaces), which is how CSV exports usually look.
pub fn write_row<'s>(
    out: &mut String,
    fields: impl IntoIterator<Item = &'s str>,
    separator: char,
    quote: Option<char>,
) {
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(separator);
        }
        let needs_quotes = f.contains(separator)
            || f.contains('\n')
            || f.contains('\r')
            || quote.is_some_and(|q| f.contains(q))
            || f.starts_with(' ')
            || f.ends_with(' ');
        match quote {
            Some(q) if needs_quotes => {
                out.push(q);
                for c in f.chars() {
                    if c == q {
                        out.push(q);
                    }
                    out.push(c);
                }
                out.push(q);
            }
            _ => out.push_str(f),
        }
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: Format = Format {
        separator: Some(','),
        quote: Some('"'),
        encoding: Encoding::Utf8,
    };

    fn read(bytes: &[u8], format: Format) -> Vec<Record> {
        Records::new(bytes, format).collect()
    }

    fn fields(records: &[Record]) -> Vec<Vec<&str>> {
        records
            .iter()
            .map(|r| r.fields.iter().map(String::as_str).collect())
            .collect()
    }

    #[test]
    fn quoting_and_line_endings() {
        let text = b"a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"multi\nline\",x\rlast,\n";
        let records = read(text, CSV);
        assert_eq!(
            fields(&records),
            vec![
                vec!["a", "b,c", "say \"hi\""],
                vec!["multi\nline", "x"],
                vec!["last", ""]
            ]
        );
        assert_eq!(
            records.iter().map(|r| r.line).collect::<Vec<_>>(),
            vec![1, 2, 4]
        );
        assert!(records.iter().all(|r| r.malformed.is_none()));
    }

    #[test]
    fn unterminated_quote_is_flagged_not_fatal() {
        let records = read(b"ok,1\n\"broken,2\nmore", CSV);
        assert_eq!(records.len(), 2);
        assert_eq!(records[1].malformed, Some(UNTERMINATED_QUOTE));
        assert_eq!(records[1].fields, vec!["broken,2\nmore".to_string()]);
    }

    #[test]
    fn text_after_closing_quote_is_kept_and_quotes_mid_field_are_data() {
        let records = read(b"\"ab\"cd,e\"f\n", CSV);
        assert_eq!(fields(&records), vec![vec!["abcd", "e\"f"]]);
    }

    #[test]
    fn tab_separator_without_quoting() {
        let format = Format {
            separator: Some('\t'),
            quote: None,
            encoding: Encoding::Utf8,
        };
        let records = read(b"\"a\"\tb,c\n", format);
        assert_eq!(fields(&records), vec![vec!["\"a\"", "b,c"]]);
    }

    #[test]
    fn empty_separator_gives_one_column() {
        let format = Format {
            separator: None,
            quote: Some('"'),
            encoding: Encoding::Utf8,
        };
        assert_eq!(fields(&read(b"a,b\n", format)), vec![vec!["a,b"]]);
    }

    #[test]
    fn encodings_decode() {
        let latin1 = b"Ren\xe9,Z\xfcrich\n";
        let format = Format {
            encoding: Encoding::Latin1,
            ..CSV
        };
        assert_eq!(fields(&read(latin1, format)), vec![vec!["René", "Zürich"]]);

        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(Encoding::Utf16Le.encode("Zoë,😀\n"));
        let format = Format {
            encoding: Encoding::Utf16Le,
            ..CSV
        };
        assert_eq!(fields(&read(&utf16, format)), vec![vec!["Zoë", "😀"]]);

        let bom_utf8 = b"\xEF\xBB\xBFName\n";
        assert_eq!(fields(&read(bom_utf8, CSV)), vec![vec!["Name"]]);
    }

    #[test]
    fn invalid_bytes_become_replacement_characters() {
        let records = read(b"a\xff\xc3,\xe2\x82\n\xf0\x9f", CSV);
        assert_eq!(
            fields(&records),
            vec![vec!["a\u{FFFD}\u{FFFD}", "\u{FFFD}"], vec!["\u{FFFD}"]]
        );
        let format = Format {
            encoding: Encoding::Utf16Le,
            ..CSV
        };
        // A lone surrogate and an odd trailing byte.
        let records = read(&[0x00, 0xD8, b'a', 0, b'b'], format);
        assert_eq!(fields(&records), vec![vec!["\u{FFFD}a\u{FFFD}"]]);
    }

    #[test]
    fn source_headers_and_rows() {
        let text = b"title line\nName,,Code\nA,x,1\nB,y,2\n";
        let mut source = Source::open(text, CSV, 2, 3);
        assert_eq!(source.headers, vec!["Name", "", "Code"]);
        assert_eq!(source.column_name(1), "Column 2");
        assert_eq!(source.column_name(5), "Column 6");
        assert_eq!(source.column_index("Code"), Some(2));
        assert_eq!(source.column_index("Column 2"), Some(1));
        assert_eq!(source.column_index("Column 1"), None);
        assert_eq!(source.column_index("Column 9"), Some(8));
        let lines: Vec<u64> = source.by_ref().map(|r| r.line).collect();
        assert_eq!(lines, vec![3, 4]);
    }

    #[test]
    fn header_after_first_data_row_is_not_data() {
        let text = b"A,1\nName,Code\nB,2\n";
        let source = Source::open(text, CSV, 2, 1);
        assert_eq!(source.headers, vec!["Name", "Code"]);
        let names: Vec<String> = source.map(|r| r.fields[0].clone()).collect();
        assert_eq!(names, vec!["A", "B"]);
    }

    #[test]
    fn writers_quote_as_documented() {
        let mut dump = Vec::new();
        write_quoted_row(&mut dump, ["E", "say \"x\"", ""]);
        assert_eq!(dump, b"\"E\",\"say \"\"x\"\"\",\"\"\n");
        let mut export = String::new();
        write_row(&mut export, ["plain", "a,b", "q\"", ""], ',', Some('"'));
        assert_eq!(export, "plain,\"a,b\",\"q\"\"\",\n");
    }

    #[test]
    fn encoding_labels() {
        assert_eq!(Encoding::from_label("ISO-8859-1"), Encoding::Latin1);
        assert_eq!(Encoding::from_label("utf-16le"), Encoding::Utf16Le);
        assert_eq!(Encoding::from_label("UTF-8"), Encoding::Utf8);
        assert!(Encoding::is_known("UTF-8"));
        assert!(!Encoding::is_known("EBCDIC"));
        assert_eq!(Encoding::Latin1.encode("é€"), vec![0xE9, b'?']);
    }

    fn in_encoding(encoding: Encoding) -> Format {
        Format { encoding, ..CSV }
    }

    /// Reads `bytes` whole, then with every block size from 1 to past its length, so that a block
    /// boundary falls at every position once; all the readings must agree.
    fn read_in_blocks(bytes: &[u8], format: Format) -> Vec<Record> {
        let whole = read(bytes, format);
        for block_size in 1..=bytes.len() + 1 {
            let records: Vec<Record> =
                Records::with_block_size(bytes, format, block_size).collect();
            assert_eq!(records, whole, "block size {block_size}");
        }
        whole
    }

    #[test]
    fn windows_1252_decodes_its_own_characters() {
        let records = read(
            b"\x80 5,\x93hi\x94,\xe9,\x81\n",
            in_encoding(Encoding::Windows1252),
        );
        // 0x81 is undefined in windows-1252; WHATWG (and encoding_rs) make it U+0081.
        assert_eq!(
            fields(&records),
            vec![vec!["€ 5", "\u{201C}hi\u{201D}", "é", "\u{81}"]]
        );
    }

    #[test]
    fn windows_1252_encodes_what_it_cannot_hold_as_question_marks() {
        assert_eq!(
            Encoding::Windows1252.encode("€\u{201C}日\u{201D}é"),
            vec![0x80, 0x93, b'?', 0x94, 0xE9]
        );
    }

    #[test]
    fn windows_1252_labels_are_not_latin1() {
        let windows_1252 = [
            "CP1252",
            "cp1252",
            "windows-1252",
            "Windows-1252",
            "x-cp1252",
        ];
        for label in windows_1252 {
            let encoding = Encoding::from_label(label);
            assert_eq!(encoding, Encoding::Windows1252, "{label}");
            assert!(Encoding::is_known(label), "{label}");
        }
        for label in ["ISO-8859-1", "iso8859-1", "latin1", "L1", "ISO_Latin_1"] {
            assert_eq!(Encoding::from_label(label), Encoding::Latin1, "{label}");
        }
    }

    #[test]
    fn utf16_label_reads_little_endian_after_a_little_endian_mark() {
        let format = in_encoding(Encoding::from_label("UTF-16"));
        assert_eq!(format.encoding, Encoding::Utf16Be);
        let mut little = vec![0xFF, 0xFE];
        little.extend(Encoding::Utf16Le.encode("Zoë,😀\n"));
        assert_eq!(fields(&read(&little, format)), vec![vec!["Zoë", "😀"]]);
        let mut big = vec![0xFE, 0xFF];
        big.extend(Encoding::Utf16Be.encode("Zoë,😀\n"));
        assert_eq!(fields(&read(&big, format)), vec![vec!["Zoë", "😀"]]);
        let unmarked = Encoding::Utf16Be.encode("Zoë,😀\n");
        assert_eq!(fields(&read(&unmarked, format)), vec![vec!["Zoë", "😀"]]);
    }

    #[test]
    fn a_mark_of_another_encoding_is_data() {
        let latin1 = read(b"\xEF\xBB\xBFName\n", in_encoding(Encoding::Latin1));
        assert_eq!(fields(&latin1), vec![vec!["ï»¿Name"]]);
        let mut utf16 = vec![0xFE, 0xFF];
        utf16.extend(Encoding::Utf16Le.encode("A\n"));
        let records = read(&utf16, in_encoding(Encoding::Utf16Le));
        assert_eq!(fields(&records), vec![vec!["\u{FFFE}A"]]);
        // Only the file's first mark goes: csv-core's own stripping at each record start is kept
        // from removing a U+FEFF that is data.
        let twice = read_in_blocks(b"\xEF\xBB\xBF\xEF\xBB\xBFName\n\xEF\xBB\xBFNext\n", CSV);
        assert_eq!(
            fields(&twice),
            vec![vec!["\u{FEFF}Name"], vec!["\u{FEFF}Next"]]
        );
    }

    #[test]
    fn end_of_file_inside_quotes_is_told_from_a_closed_quote() {
        let cases: [(&[u8], Vec<&str>, bool); 7] = [
            (b"\"ab\"\"", vec!["ab\""], true),
            (b"\"ab", vec!["ab"], true),
            (b"x,\"", vec!["x", ""], true),
            (b"\"ab\"", vec!["ab"], false),
            (b"\"ab\"\"\"", vec!["ab\""], false),
            (b"a,", vec!["a", ""], false),
            (b"a", vec!["a"], false),
        ];
        for (bytes, expected, malformed) in cases {
            let records = read_in_blocks(bytes, CSV);
            assert_eq!(fields(&records), vec![expected], "{bytes:?}");
            let flag = malformed.then_some(UNTERMINATED_QUOTE);
            assert_eq!(records[0].malformed, flag, "{bytes:?}");
        }
    }

    #[test]
    fn line_ends_split_across_blocks() {
        let text = b"a,b\r\nc\r\n\r\nd\re\n\"x\r\ny\"\r\n\n";
        let records = read_in_blocks(text, CSV);
        assert_eq!(
            fields(&records),
            vec![
                vec!["a", "b"],
                vec!["c"],
                vec![""],
                vec!["d"],
                vec!["e"],
                vec!["x\r\ny"],
                vec![""]
            ]
        );
        assert_eq!(
            records.iter().map(|r| r.line).collect::<Vec<_>>(),
            vec![1, 2, 3, 4, 5, 6, 8]
        );
        assert!(records.iter().all(|r| r.malformed.is_none()));
    }

    #[test]
    fn characters_split_across_blocks() {
        let text = "Zoë,日本\r\n😀,\"q\"\"x\"\n";
        let expected = vec![vec!["Zoë", "日本"], vec!["😀", "q\"x"]];
        for encoding in [Encoding::Utf8, Encoding::Utf16Le, Encoding::Utf16Be] {
            let records = read_in_blocks(&encoding.encode(text), in_encoding(encoding));
            assert_eq!(fields(&records), expected, "{encoding:?}");
        }
        let windows_1252 = in_encoding(Encoding::Windows1252);
        let records = read_in_blocks(&Encoding::Windows1252.encode("Zoë,€\n"), windows_1252);
        assert_eq!(fields(&records), vec![vec!["Zoë", "€"]]);
        let records = read_in_blocks(b"Ren\xe9,Z\xfcrich\n", in_encoding(Encoding::Latin1));
        assert_eq!(fields(&records), vec![vec!["René", "Zürich"]]);
        // Malformed sequences cut by a boundary give the same U+FFFD as when whole.
        read_in_blocks(b"a\xff\xc3,\xe2\x82\n\xf0\x9f", CSV);
        read_in_blocks(&[0x00, 0xD8, b'a', 0, b'b'], in_encoding(Encoding::Utf16Le));
    }

    #[test]
    fn lone_high_surrogate_before_an_odd_last_byte_is_one_replacement() {
        // The old decoder gave two U+FFFD here; encoding_rs (WHATWG) gives one.
        let records = read(&[0x00, 0xD8, b'b'], in_encoding(Encoding::Utf16Le));
        assert_eq!(fields(&records), vec![vec!["\u{FFFD}"]]);
    }

    #[test]
    fn records_larger_than_the_buffers_grow_them() {
        let wide = ["x"; 100].join(",");
        let long = "y".repeat(10_000);
        let text = format!("{wide}\n\"{long}\",z\n");
        let records = read(text.as_bytes(), CSV);
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].fields.len(), 100);
        assert_eq!(records[1].fields, vec![long, "z".to_string()]);
    }

    #[test]
    fn non_ascii_separator_or_quote_is_not_used() {
        assert_eq!(readable_char(Some("§"), ','), None);
        assert_eq!(readable_char(Some("«"), '"'), None);
        assert_eq!(readable_char(Some(";"), ','), Some(';'));
        assert_eq!(readable_char(Some("tab"), ','), Some('\t'));
        assert_eq!(readable_char(Some(""), ','), None);
        assert_eq!(readable_char(None, ','), Some(','));
        // A format built by hand with them reads one column without quoting.
        let format = Format {
            separator: Some('§'),
            quote: Some('«'),
            encoding: Encoding::Utf8,
        };
        assert_eq!(
            fields(&read("«a§b»\n".as_bytes(), format)),
            vec![vec!["«a§b»"]]
        );
    }
}
