//! Text made safe for a terminal: what a user, a cluster or a GPU supplied is shown with its
//! control characters escaped, and an error quotes a value cut to a readable length.
//!
//! Escapes (display only; JSON and CSV carry the exact string):
//! `\n` `\r` `\t` `\e` (ESC) for those four, `\xNN` for the other C0 controls and DEL,
//! `\u{NN}` for the C1 controls U+0080–U+009F (which some terminals obey as ESC sequences).
//! A backslash is left as it is: the escapes are for a reader, not a parser.

use std::borrow::Cow;

/// How many characters of an offending value an error quotes.
pub(crate) const QUOTE_MAX_CHARS: usize = 200;

/// How many characters of one error or warning line are printed at most, whatever it quotes.
pub(crate) const LINE_MAX_CHARS: usize = 1_000;

/// True for a character a terminal may act on rather than show: C0, DEL and C1.
pub(crate) fn is_control(c: char) -> bool {
    c.is_control()
}

/// `text` with every control character escaped, newlines included: one line.
pub(crate) fn escape(text: &str) -> Cow<'_, str> {
    if !has_control(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_control(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether `text` holds a control character; ASCII text is checked byte by byte, without
/// decoding (a table of 8,000 rows checks 80,000 cells).
fn has_control(text: &str) -> bool {
    if text.is_ascii() {
        text.bytes().any(|b| b < 0x20 || b == 0x7f)
    } else {
        text.chars().any(is_control)
    }
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x1b' => out.push_str("\\e"),
        c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
        c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
    }
}

/// `text` escaped, and cut after `max` characters with `… (N characters)` saying how long
/// it was.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    let length = text.chars().count();
    if length <= max {
        return escape(text).into_owned();
    }
    let head: String = text.chars().take(max).collect();
    format!("{}… ({length} characters)", escape(&head))
}

/// An offending value as an error quotes it: `'value'`, escaped, at most
/// [`QUOTE_MAX_CHARS`] characters of it.
pub(crate) fn quote(value: &str) -> String {
    format!("'{}'", shorten(value, QUOTE_MAX_CHARS))
}

/// One line of an error, warning or hint as printed: escaped, at most [`LINE_MAX_CHARS`].
pub(crate) fn line(text: &str) -> String {
    shorten(text, LINE_MAX_CHARS)
}

/// Text a command wrote for a terminal (a show view, notes): control characters escaped
/// except newlines and, where `keep_sgr`, the colour and bold sequences (`ESC [ … m`) that
/// the output module itself writes. A cell's text was escaped when the cell was made, so a
/// sequence left here is gpuctl's own.
pub(crate) fn sanitize(text: &str, keep_sgr: bool) -> Cow<'_, str> {
    if !text.chars().any(|c| is_control(c) && c != '\n') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if keep_sgr && c == '\x1b' {
            if let Some(length) = sgr_length(rest) {
                out.push_str(&rest[..length]);
                rest = &rest[length..];
                continue;
            }
        }
        if is_control(c) && c != '\n' {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(out)
}

/// The length of the Select Graphic Rendition sequence `ESC [ digits/semicolons m` at the
/// start of `text`, if one is there.
fn sgr_length(text: &str) -> Option<usize> {
    let params = text.strip_prefix("\x1b[")?;
    let digits = params
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b';')
        .count();
    (params.as_bytes().get(digits) == Some(&b'm')).then_some(2 + digits + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_readably() {
        assert_eq!(escape("plain ノード"), "plain ノード");
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
        assert_eq!(
            escape("\x1b]52;c;cHduZWQ=\x07\x1b[2J"),
            r"\e]52;c;cHduZWQ=\x07\e[2J"
        );
        assert_eq!(escape("a\r\nb\tc\x00\x7f"), r"a\r\nb\tc\x00\x7f");
        assert_eq!(escape("\u{9b}31m\u{85}"), r"\u{9b}31m\u{85}");
    }

    #[test]
    fn long_values_are_cut_and_say_how_long_they_were() {
        let long = "A".repeat(100_000);
        let quoted = quote(&long);
        assert_eq!(
            quoted.chars().count(),
            200 + "''… (100000 characters)".chars().count()
        );
        assert!(quoted.ends_with("… (100000 characters)'"), "{quoted}");
        assert_eq!(quote("short"), "'short'");
        assert_eq!(quote(&"é".repeat(200)), format!("'{}'", "é".repeat(200)));
        assert_eq!(shorten("abc\x1bdef", 4), r"abc\e… (7 characters)");
    }

    #[test]
    fn sanitize_keeps_newlines_and_only_our_colour_sequences() {
        let text = "\x1b[38;5;10mready\x1b[39m\n\x1b[1mNAME\x1b[0m";
        assert_eq!(sanitize(text, true), text);
        assert_eq!(
            sanitize(text, false),
            r"\e[38;5;10mready\e[39m".to_string() + "\n" + r"\e[1mNAME\e[0m"
        );
        assert_eq!(sanitize("\x1b[2J\x1b]0;t\x07", true), r"\e[2J\e]0;t\x07");
        assert_eq!(sanitize("tab\there", true), r"tab\there");
    }
}

#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn escaped_text_has_no_control_character_and_clean_text_is_unchanged(text in "\\PC{0,40}|[\\x00-\\x7f\u{80}-\u{a0}]{0,40}") {
            let escaped = escape(&text);
            prop_assert!(!escaped.chars().any(is_control));
            if !text.chars().any(is_control) {
                prop_assert_eq!(escaped.as_ref(), text.as_str());
            }
            let sanitized = sanitize(&text, false);
            prop_assert!(!sanitized.chars().any(|c| is_control(c) && c != '\n'));
            let quoted = quote(&text);
            prop_assert!(quoted.chars().count() <= QUOTE_MAX_CHARS * 12 + 40);
        }
    }
}
