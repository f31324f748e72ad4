//! Control characters in text from files and people: which ones are refused, and how any that reach a
//! terminal are made harmless.
//!
//! A terminal obeys escape sequences (ESC `[2J` clears the screen, OSC 0 sets the window title, OSC 8
//! makes a hyperlink, OSC 52 writes the clipboard), so text from a scenario file, a plan or a participant
//! must never reach one raw. Validation refuses control characters where they have no business (ids,
//! titles, labels, names, plan fields); every text a terminal shows goes through [`neutralize`] anyway.
//! Pure functions of their input; nothing here does I/O.

use std::borrow::Cow;

/// Whether `c` is a control character that a single-line text (an id, a title, a label, a name) must not
/// hold: every C0 and C1 control, DEL, and the line and paragraph separators.
pub fn is_refused_in_line(c: char) -> bool {
    c.is_control() || c == '\u{2028}' || c == '\u{2029}'
}

/// Whether `c` is a control character that a multi-line text (an inject's body, an attachment, a
/// description) must not hold: as [`is_refused_in_line`], except line feed, carriage return and tab.
pub fn is_refused_in_block(c: char) -> bool {
    !matches!(c, '\n' | '\r' | '\t') && is_refused_in_line(c)
}

/// The first refused character of a single-line text and its byte offset.
pub fn first_refused_in_line(text: &str) -> Option<(usize, char)> {
    text.char_indices().find(|&(_, c)| is_refused_in_line(c))
}

/// The first refused character of a multi-line text and its byte offset.
pub fn first_refused_in_block(text: &str) -> Option<(usize, char)> {
    text.char_indices().find(|&(_, c)| is_refused_in_block(c))
}

/// How a refused character is named in a message: `U+001B (escape)`.
pub fn describe(c: char) -> String {
    let name = match c {
        '\u{1b}' => " (escape)",
        '\u{7}' => " (bell)",
        '\u{8}' => " (backspace)",
        '\u{0}' => " (null)",
        '\u{7f}' => " (delete)",
        '\u{9b}' => " (control sequence introducer)",
        '\u{9d}' => " (operating system command)",
        '\n' => " (line feed)",
        '\r' => " (carriage return)",
        '\t' => " (tab)",
        _ => "",
    };
    format!("U+{:04X}{name}", u32::from(c))
}

/// `text` with every control character a terminal would obey written out as a visible escape
/// (`\u{1b}`), so that it prints as text. Line feeds and tabs stay; a carriage return stays only before
/// a line feed (a lone one would let a line overwrite itself). Borrowed when there is nothing to change.
pub fn neutralize(text: &str) -> Cow<'_, str> {
    let mut escapes = escapes(text).peekable();
    if escapes.peek().is_none() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut from = 0;
    for (i, c) in escapes {
        out.push_str(&text[from..i]);
        out.push_str(&escape(c));
        from = i + c.len_utf8();
    }
    out.push_str(&text[from..]);
    Cow::Owned(out)
}

/// The characters [`neutralize`] writes out, with their byte offsets, in order.
pub fn escapes(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    text.char_indices().filter(move |&(i, c)| {
        is_refused_in_block(c) || (c == '\r' && text.as_bytes().get(i + 1) != Some(&b'\n'))
    })
}

/// How [`neutralize`] writes out one character: `\u{1b}`.
pub fn escape(c: char) -> String {
    format!("\\u{{{:x}}}", u32::from(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralize_writes_out_what_a_terminal_would_obey() {
        let hostile = "a\u{1b}[2J\u{1b}]0;pwned\u{7}b\u{9b}31m\r\nline\tend\rover\u{2028}";
        assert_eq!(
            neutralize(hostile),
            "a\\u{1b}[2J\\u{1b}]0;pwned\\u{7}b\\u{9b}31m\r\nline\tend\\u{d}over\\u{2028}"
        );
        assert!(!neutralize(hostile).contains('\u{1b}'));
        assert!(matches!(neutralize("plain\ntext\twith é"), Cow::Borrowed(_)));
    }

    #[test]
    fn lines_refuse_more_than_blocks() {
        assert_eq!(first_refused_in_line("ab\ncd"), Some((2, '\n')));
        assert_eq!(first_refused_in_block("ab\ncd\t"), None);
        assert_eq!(first_refused_in_block("ab\u{1b}c"), Some((2, '\u{1b}')));
        assert_eq!(describe('\u{1b}'), "U+001B (escape)");
    }
}
