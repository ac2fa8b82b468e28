//! Delimited text in and out: decoding a source file with its metadata (separator, text delimiter,
//! encoding), reading it record by record, and writing CSV for dumps and exports.
//!
//! Reading is streaming and never fails: a file can be up to about 1 GiB, may hold invalid byte
//! sequences, ragged rows or an unterminated quote. Bytes that do not decode become U+FFFD (what
//! Anaplan's Java readers do with malformed input) and a record whose quote never closes is
//! flagged as malformed so that the import can reject that row.

use crate::store::FileMeta;

/// Text encodings the emulator reads and writes. Labels are matched loosely; an unknown label is
/// read as UTF-8, which keeps ASCII data intact rather than failing the whole import.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Latin1,
    Utf16Le,
    Utf16Be,
}

impl Encoding {
    pub fn from_label(label: &str) -> Encoding {
        let l: String = label
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_uppercase();
        match l.as_str() {
            "ISO88591" | "LATIN1" | "ISOLATIN1" | "CP1252" | "WINDOWS1252" | "L1" => {
                Encoding::Latin1
            }
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

    /// Encodes text for an export file. Latin-1 cannot hold every character: those become `?`,
    /// as Java's encoders do.
    pub fn encode(self, text: &str) -> Vec<u8> {
        match self {
            Encoding::Utf8 => text.as_bytes().to_vec(),
            Encoding::Latin1 => text
                .chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect(),
            Encoding::Utf16Le => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            Encoding::Utf16Be => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
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
            separator: meta.separator.as_deref().map_or(Some(','), one_char),
            quote: meta.delimiter.as_deref().map_or(Some('"'), one_char),
            encoding: meta
                .encoding
                .as_deref()
                .map_or(Encoding::Utf8, Encoding::from_label),
        }
    }
}

/// The character a separator or delimiter setting names. Clients send a tab either as the
/// character itself or spelled out (`\t`, `tab`), so both are accepted.
pub fn one_char(setting: &str) -> Option<char> {
    match setting {
        "\\t" | "tab" | "TAB" | "Tab" => Some('\t'),
        s => s.chars().next(),
    }
}

/// Characters of a byte buffer in a given encoding; undecodable sequences become U+FFFD.
struct Chars<'a> {
    bytes: &'a [u8],
    pos: usize,
    encoding: Encoding,
}

impl<'a> Chars<'a> {
    fn new(bytes: &'a [u8], encoding: Encoding) -> Chars<'a> {
        let mut chars = Chars {
            bytes,
            pos: 0,
            encoding,
        };
        chars.skip_bom();
        chars
    }

    fn skip_bom(&mut self) {
        let b = self.bytes;
        match self.encoding {
            Encoding::Utf8 if b.starts_with(&[0xEF, 0xBB, 0xBF]) => self.pos = 3,
            Encoding::Utf16Le if b.starts_with(&[0xFF, 0xFE]) => self.pos = 2,
            Encoding::Utf16Be if b.starts_with(&[0xFE, 0xFF]) => self.pos = 2,
            // A little-endian mark on a file declared "UTF-16" wins, as in Java.
            Encoding::Utf16Be if b.starts_with(&[0xFF, 0xFE]) => {
                self.encoding = Encoding::Utf16Le;
                self.pos = 2;
            }
            _ => {}
        }
    }

    fn next_utf8(&mut self) -> Option<char> {
        let rest = self.bytes.get(self.pos..)?;
        let first = *rest.first()?;
        if first < 0x80 {
            self.pos += 1;
            return Some(char::from(first));
        }
        let len = match first {
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => 1,
        };
        let candidate = &rest[..len.min(rest.len())];
        match std::str::from_utf8(candidate) {
            Ok(s) => {
                self.pos += candidate.len();
                s.chars().next()
            }
            Err(e) => {
                self.pos += e.error_len().unwrap_or(candidate.len()).max(1);
                Some(char::REPLACEMENT_CHARACTER)
            }
        }
    }

    fn unit(&mut self, little: bool) -> Option<Result<u16, ()>> {
        let rest = self.bytes.get(self.pos..)?;
        match rest {
            [] => None,
            [_] => {
                self.pos += 1;
                Some(Err(()))
            }
            [a, b, ..] => {
                self.pos += 2;
                Some(Ok(if little {
                    u16::from_le_bytes([*a, *b])
                } else {
                    u16::from_be_bytes([*a, *b])
                }))
            }
        }
    }

    fn next_utf16(&mut self, little: bool) -> Option<char> {
        let Ok(first) = self.unit(little)? else {
            return Some(char::REPLACEMENT_CHARACTER);
        };
        if !(0xD800..0xDC00).contains(&first) {
            return Some(char::from_u32(u32::from(first)).unwrap_or(char::REPLACEMENT_CHARACTER));
        }
        let before = self.pos;
        match self.unit(little) {
            Some(Ok(second)) if (0xDC00..0xE000).contains(&second) => {
                let c =
                    0x10000 + ((u32::from(first) - 0xD800) << 10) + (u32::from(second) - 0xDC00);
                Some(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER))
            }
            _ => {
                // A lone high surrogate: report it and re-read the next unit on its own.
                self.pos = before;
                Some(char::REPLACEMENT_CHARACTER)
            }
        }
    }
}

impl Iterator for Chars<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        match self.encoding {
            Encoding::Utf8 => self.next_utf8(),
            Encoding::Latin1 => {
                let b = *self.bytes.get(self.pos)?;
                self.pos += 1;
                Some(char::from(b))
            }
            Encoding::Utf16Le => self.next_utf16(true),
            Encoding::Utf16Be => self.next_utf16(false),
        }
    }
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
}

pub const UNTERMINATED_QUOTE: &str = "Unterminated quoted value: missing closing text delimiter";

/// Reads records one at a time. Records end at `\n`, `\r\n` or a lone `\r` outside quotes.
/// Quotes are honoured at the start of a field; `""` inside quotes is one quote; characters after
/// a closing quote are kept (lenient, like spreadsheet tools).
pub struct Records<'a> {
    chars: std::iter::Peekable<Chars<'a>>,
    format: Format,
    line: u64,
}

impl<'a> Records<'a> {
    pub fn new(bytes: &'a [u8], format: Format) -> Records<'a> {
        Records {
            chars: Chars::new(bytes, format.encoding).peekable(),
            format,
            line: 1,
        }
    }

    /// Takes the next character, keeping the line count.
    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' || (c == '\r' && self.chars.peek() != Some(&'\n')) {
            self.line += 1;
        }
        Some(c)
    }

    /// Reads a quoted section (after its opening quote) into `field`. False if it never closes.
    fn quoted(&mut self, quote: char, field: &mut String) -> bool {
        while let Some(c) = self.bump() {
            if c != quote {
                field.push(c);
            } else if self.chars.peek() == Some(&quote) {
                self.bump();
                field.push(quote);
            } else {
                return true;
            }
        }
        false
    }
}

impl Iterator for Records<'_> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        self.chars.peek()?;
        let line = self.line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut malformed = None;
        let mut at_field_start = true;
        while let Some(c) = self.bump() {
            if at_field_start && Some(c) == self.format.quote {
                at_field_start = false;
                if !self.quoted(c, &mut field) {
                    malformed = Some(UNTERMINATED_QUOTE);
                    break;
                }
                continue;
            }
            at_field_start = false;
            if Some(c) == self.format.separator {
                fields.push(std::mem::take(&mut field));
                at_field_start = true;
            } else if c == '\n' {
                break;
            } else if c == '\r' {
                if self.chars.peek() == Some(&'\n') {
                    self.bump();
                }
                break;
            } else {
                field.push(c);
            }
        }
        fields.push(field);
        Some(Record {
            fields,
            line,
            malformed,
        })
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
}
