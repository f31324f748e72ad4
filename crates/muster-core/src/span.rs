//! Where things are in RON text: a tolerant scan that maps value paths (`injects[3].to[1]`) to byte spans.
//!
//! ron stops at the first syntax or type error and keeps no spans for the values it builds, so the
//! semantic checks look positions up here. The scan understands strings, raw strings, chars, comments
//! (nested block comments too) and nesting; it never fails and never panics, it just stops indexing
//! where the text stops making sense. It must never allocate without bound: depth is capped.

use std::collections::BTreeMap;

/// A byte range in the source text, `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct ByteSpan {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl ByteSpan {
    /// A span of `len` bytes at `start`.
    pub fn new(start: usize, end: usize) -> ByteSpan {
        ByteSpan { start, end: end.max(start) }
    }
}

/// Maps value paths to the spans of the values.
///
/// Paths: the root value is `""`; a named field `f` of `p` is `p.f` (or `f` at the root); element `i` of a
/// list is `p[i]`; positional element `i` of a tuple or variant is `p.i`.
#[derive(Debug, Default, Clone)]
pub struct SpanIndex {
    spans: BTreeMap<String, ByteSpan>,
}

const MAX_DEPTH: usize = 128;

impl SpanIndex {
    /// Scans `src`.
    pub fn build(src: &str) -> SpanIndex {
        // A leading byte-order mark is not part of the value; positions stay those of the whole text.
        let start = if src.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
        let mut scanner = Scanner { src: src.as_bytes(), pos: start, index: SpanIndex::default() };
        scanner.skip_trivia();
        scanner.skip_attributes();
        scanner.value(String::new(), 0);
        scanner.index
    }

    /// The span of the value at `path`, or of its nearest enclosing value that was indexed.
    pub fn get(&self, path: &str) -> ByteSpan {
        let mut path = path;
        loop {
            if let Some(span) = self.spans.get(path) {
                return *span;
            }
            match path.rfind(['.', '[']) {
                Some(cut) => path = &path[..cut],
                None => return self.spans.get("").copied().unwrap_or_default(),
            }
        }
    }
}

struct Scanner<'a> {
    src: &'a [u8],
    pos: usize,
    index: SpanIndex,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.src.get(self.pos + ahead).copied()
    }

    fn skip_trivia(&mut self) {
        loop {
            match (self.peek(), self.peek_at(1)) {
                (Some(c), _) if c.is_ascii_whitespace() => self.pos += 1,
                (Some(b'/'), Some(b'/')) => {
                    while let Some(c) = self.peek() {
                        if c == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                (Some(b'/'), Some(b'*')) => {
                    self.pos += 2;
                    let mut depth = 1usize;
                    while depth > 0 {
                        match (self.peek(), self.peek_at(1)) {
                            (None, _) => return,
                            (Some(b'*'), Some(b'/')) => {
                                depth -= 1;
                                self.pos += 2;
                            }
                            (Some(b'/'), Some(b'*')) => {
                                depth += 1;
                                self.pos += 2;
                            }
                            _ => self.pos += 1,
                        }
                    }
                }
                _ => return,
            }
        }
    }

    /// Skips `#![enable(...)]` lines at the top of a file.
    fn skip_attributes(&mut self) {
        while self.peek() == Some(b'#') {
            while let Some(c) = self.peek() {
                self.pos += 1;
                if c == b']' {
                    break;
                }
            }
            self.skip_trivia();
        }
    }

    fn is_ident_byte(c: u8) -> bool {
        c.is_ascii_alphanumeric() || c == b'_'
    }

    fn ident(&mut self) -> Option<(usize, usize)> {
        let start = self.pos;
        // Raw identifiers: r#name
        if self.peek() == Some(b'r') && self.peek_at(1) == Some(b'#') {
            self.pos += 2;
        }
        while self.peek().is_some_and(Self::is_ident_byte) {
            self.pos += 1;
        }
        (self.pos > start).then_some((start, self.pos))
    }

    /// Scans one value at the current position and records its span under `path`.
    fn value(&mut self, path: String, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        self.skip_trivia();
        let start = self.pos;
        let ok = match self.peek() {
            None => false,
            Some(b'"') => self.string(),
            Some(b'\'') => self.char_lit(),
            Some(b'r') if matches!(self.peek_at(1), Some(b'"' | b'#')) && self.raw_string_ahead() => {
                self.pos += 1;
                self.raw_string()
            }
            Some(b'b') if self.peek_at(1) == Some(b'"') => {
                self.pos += 1;
                self.string()
            }
            Some(b'(') => self.body(&path, depth),
            Some(b'[') => self.list(&path, depth),
            Some(b'{') => self.map(&path, depth),
            Some(c) if Self::is_ident_byte(c) || c == b'-' || c == b'+' || c == b'.' => {
                if c.is_ascii_alphabetic() || c == b'_' {
                    self.ident();
                    self.skip_trivia();
                    if self.peek() == Some(b'(') { self.body(&path, depth) } else { true }
                } else {
                    // A number: digits, signs, dots, exponents, suffixes, underscores.
                    while self
                        .peek()
                        .is_some_and(|c| Self::is_ident_byte(c) || matches!(c, b'.' | b'+' | b'-'))
                    {
                        self.pos += 1;
                    }
                    true
                }
            }
            Some(_) => false,
        };
        if self.pos > start {
            self.index.spans.insert(path, ByteSpan::new(start, self.pos));
        }
        ok
    }

    fn raw_string_ahead(&self) -> bool {
        let mut i = self.pos + 1;
        while self.src.get(i) == Some(&b'#') {
            i += 1;
        }
        self.src.get(i) == Some(&b'"')
    }

    fn string(&mut self) -> bool {
        self.pos += 1; // opening quote
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                b'\\' => self.pos += 1,
                b'"' => return true,
                _ => {}
            }
        }
        self.pos = self.pos.min(self.src.len());
        false
    }

    fn raw_string(&mut self) -> bool {
        let mut hashes = 0;
        while self.peek() == Some(b'#') {
            hashes += 1;
            self.pos += 1;
        }
        self.pos += 1; // opening quote
        while let Some(c) = self.peek() {
            self.pos += 1;
            if c == b'"' && (0..hashes).all(|k| self.peek_at(k) == Some(b'#')) {
                self.pos += hashes;
                return true;
            }
        }
        false
    }

    fn char_lit(&mut self) -> bool {
        self.pos += 1;
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                b'\\' => self.pos += 1,
                b'\'' => return true,
                _ => {}
            }
        }
        self.pos = self.pos.min(self.src.len());
        false
    }

    /// `( ... )`: named fields (`name: value`) or positional elements.
    fn body(&mut self, path: &str, depth: usize) -> bool {
        self.pos += 1; // (
        let mut n_positional = 0usize;
        loop {
            self.skip_trivia();
            match self.peek() {
                None => return false,
                Some(b')') => {
                    self.pos += 1;
                    return true;
                }
                Some(b',') => {
                    self.pos += 1;
                    continue;
                }
                _ => {}
            }
            let before = self.pos;
            if let Some((ks, ke)) = self.field_name() {
                let key = String::from_utf8_lossy(&self.src[ks..ke]).into_owned();
                let child = join_field(path, &key);
                if !self.value(child, depth + 1) {
                    return false;
                }
            } else {
                self.pos = before;
                let child = join_field(path, &n_positional.to_string());
                n_positional += 1;
                if !self.value(child, depth + 1) {
                    return false;
                }
            }
            if self.pos == before {
                return false;
            }
        }
    }

    /// If an identifier followed by a single `:` is next, consumes both and returns the name's span.
    fn field_name(&mut self) -> Option<(usize, usize)> {
        let start = self.pos;
        let name = self.ident();
        self.skip_trivia();
        if name.is_some() && self.peek() == Some(b':') && self.peek_at(1) != Some(b':') {
            self.pos += 1;
            return name;
        }
        self.pos = start;
        None
    }

    /// `[ ... ]` or `{ ... }`: elements indexed `p[i]`, or `p{i}` for map keys and values alike.
    fn list(&mut self, path: &str, depth: usize) -> bool {
        self.sequence(path, depth, b']', ("[", "]"))
    }

    fn map(&mut self, path: &str, depth: usize) -> bool {
        self.sequence(path, depth, b'}', ("{", "}"))
    }

    fn sequence(&mut self, path: &str, depth: usize, close: u8, (open_idx, close_idx): (&str, &str)) -> bool {
        self.pos += 1; // the opening bracket
        let mut idx = 0usize;
        loop {
            self.skip_trivia();
            match self.peek() {
                None => return false,
                Some(c) if c == close => {
                    self.pos += 1;
                    return true;
                }
                // `:` separates a map's key from its value; both are elements here.
                Some(b',') => {
                    self.pos += 1;
                    continue;
                }
                Some(b':') if close == b'}' => {
                    self.pos += 1;
                    continue;
                }
                _ => {}
            }
            let before = self.pos;
            if !self.value(format!("{path}{open_idx}{idx}{close_idx}"), depth + 1) || self.pos == before {
                return false;
            }
            idx += 1;
        }
    }
}

fn join_field(path: &str, field: &str) -> String {
    if path.is_empty() { field.to_owned() } else { format!("{path}.{field}") }
}

/// A text's lines, indexed once (rust-analyzer's `line-index`), so that each position lookup costs a
/// binary search rather than a scan from the start: showing many diagnostics of one large file stays
/// linear in its size.
#[derive(Debug, Clone)]
pub struct Lines<'a> {
    src: &'a str,
    index: line_index::LineIndex,
}

impl<'a> Lines<'a> {
    /// Indexes `src`.
    pub fn new(src: &'a str) -> Lines<'a> {
        // line-index counts in u32; texts here are capped far below (`validate::MAX_FILE_BYTES`), and a
        // longer one is indexed up to that point only rather than refused with a panic.
        let indexed = &src[..floor_char_boundary(src, src.len().min(u32::MAX as usize - 1))];
        Lines { src, index: line_index::LineIndex::new(indexed) }
    }

    /// 1-based line and column (in chars) of a byte offset; offsets past the end map to the end.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(self.src, offset.min(self.index.len().into()));
        let at = line_index::TextSize::new(offset as u32);
        let Some(lc) = self.index.try_line_col(at) else { return (1, 1) };
        let wide = self.index.to_wide(line_index::WideEncoding::Utf32, lc);
        let col = wide.map_or(lc.col, |w| w.col);
        (lc.line as usize + 1, col as usize + 1)
    }

    /// Byte offset of a 1-based line and char column (as ron reports them), clamped to the line and the
    /// text.
    pub fn offset_of(&self, line: usize, col: usize) -> usize {
        let line0 = u32::try_from(line.saturating_sub(1)).unwrap_or(u32::MAX);
        let Some(range) = self.index.line(line0) else { return self.src.len() };
        let (start, end) = (usize::from(range.start()), usize::from(range.end()));
        let col0 = u32::try_from(col.saturating_sub(1)).unwrap_or(u32::MAX);
        let wide = line_index::WideLineCol { line: line0, col: col0 };
        let within = self
            .index
            .to_utf8(line_index::WideEncoding::Utf32, wide)
            .map_or(end, |lc| start.saturating_add(lc.col as usize));
        // The line's range includes its newline; a column past the last character stops before it.
        let line_end = if self.src[start..end].ends_with('\n') { end - 1 } else { end };
        floor_char_boundary(self.src, within.min(line_end))
    }

    /// The text of a 1-based line, without its line break; `None` past the last line (the empty "line"
    /// after a final line break included, as [`str::lines`] has it).
    pub fn line(&self, line: usize) -> Option<&'a str> {
        let line0 = u32::try_from(line.checked_sub(1)?).ok()?;
        let range = self.index.line(line0)?;
        if line0 > 0 && usize::from(range.start()) >= self.src.len() {
            return None;
        }
        let text = self.src.get(usize::from(range.start())..usize::from(range.end()))?;
        Some(text.strip_suffix('\n').map_or(text, |t| t.strip_suffix('\r').unwrap_or(t)))
    }
}

/// 1-based line and column (in chars) of a byte offset; offsets past the end map to the end. Indexes the
/// whole text: for more than one lookup in the same text, build [`Lines`] once.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    Lines::new(src).line_col(offset)
}

fn floor_char_boundary(src: &str, mut offset: usize) -> usize {
    while offset > 0 && !src.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(src: &str, paths: &[&str], expect: expect_test::Expect) {
        let index = SpanIndex::build(src);
        let actual: Vec<String> = paths
            .iter()
            .map(|p| {
                let s = index.get(p);
                format!("{p} => {:?}", &src[s.start..s.end])
            })
            .collect();
        expect.assert_eq(&actual.join("\n"));
    }

    #[test]
    fn paths_to_spans() {
        let src = r####"#![enable(implicit_some)]
// comment with "quote
Scenario(
    id: "x", /* nested /* block */ comment */
    injects: [
        Inject(id: "a", to: ["dev", "ops"], trigger: At("5m")),
        (id: r#"raw "quoted""#, trigger: AfterInject(inject: "a", delay: "2m"), n: -1.5e3),
    ],
    map: { "k": (v: 'c') },
)"####;
        check(
            src,
            &[
                "id",
                "injects[0].to[1]",
                "injects[0].trigger.0",
                "injects[1].id",
                "injects[1].trigger.inject",
                "injects[1].n",
                "injects[1].missing",
                "map",
            ],
            expect_test::expect![[r####"
                id => "\"x\""
                injects[0].to[1] => "\"ops\""
                injects[0].trigger.0 => "\"5m\""
                injects[1].id => "r#\"raw \"quoted\"\"#"
                injects[1].trigger.inject => "\"a\""
                injects[1].n => "-1.5e3"
                injects[1].missing => "(id: r#\"raw \"quoted\"\"#, trigger: AfterInject(inject: \"a\", delay: \"2m\"), n: -1.5e3)"
                map => "{ \"k\": (v: 'c') }""####]],
        );
    }

    #[test]
    fn truncated_text_never_panics() {
        let src = "Scenario(id: \"x\", injects: [(id: \"a\", body: \"unterminated";
        let index = SpanIndex::build(src);
        assert_eq!(index.get("id"), ByteSpan::new(13, 16));
        let _ = index.get("injects[0].body");
    }

    #[test]
    fn line_and_column() {
        let src = "ab\ncdé\nf";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 5), (2, 3));
        assert_eq!(line_col(src, 8), (3, 1));
        let lines = Lines::new(src);
        assert_eq!(lines.offset_of(2, 3), 5);
        assert_eq!(lines.offset_of(3, 1), 8);
        assert_eq!(lines.offset_of(1, 9), 2, "a column past the line's end stops before its newline");
        assert_eq!(lines.offset_of(9, 9), src.len());
        assert_eq!(lines.line(2), Some("cdé"));
        assert_eq!(lines.line(4), None);
        assert_eq!(Lines::new("a\n").line(2), None);
        assert_eq!(lines.line_col(99), (3, 2));
    }
}
