//! A forgiving scan of policy text into words, numbers, quoted texts and
//! comments. The parser stops at the first mistake; an editor needs the
//! words of half-typed text all the same (the name under the cursor, the
//! names to colour), so this scan never fails. It knows no grammar.

/// What a token is, as far as a scan can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// A name or a keyword: letters, digits and `_`, not starting with a digit.
    Word,
    Number,
    /// A quoted text, quotes included; it may run over lines, as the grammar's do
    /// (unclosed, it runs to the end of the text, as the parser reads it).
    Text,
    Comment,
    /// Any other character.
    Punct,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

impl Token {
    pub fn text(self, text: &str) -> &str {
        text.get(self.start..self.end).unwrap_or("")
    }
}

/// The keywords of the grammar (`grammar/policy.pest`), and the words its
/// rules spell out (`example`, `expect`, header keys).
pub const KEYWORDS: [&str; 42] = [
    "policy",
    "enum",
    "profile",
    "param",
    "table",
    "bands",
    "rule",
    "conditions",
    "condition",
    "replace",
    "remove",
    "amend",
    "base",
    "requires",
    "message",
    "output",
    "when",
    "if",
    "then",
    "else",
    "match",
    "and",
    "or",
    "note",
    "not",
    "in",
    "above",
    "from",
    "up",
    "to",
    "below",
    "over",
    "source",
    "established",
    "secondary",
    "assumed",
    "true",
    "false",
    "example",
    "expect",
    "amends",
    "effective",
];

pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// Every token of `text`, in order; white space is left out.
pub fn tokens(text: &str) -> Vec<Token> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        let start = at;
        let kind = match byte {
            b' ' | b'\t' | b'\r' | b'\n' => {
                at += 1;
                continue;
            }
            b'#' => {
                at = line_end(bytes, at);
                TokenKind::Comment
            }
            b'"' => {
                at += 1;
                while let Some(&inner) = bytes.get(at) {
                    match inner {
                        b'\\' => at += 2,
                        b'"' => {
                            at += 1;
                            break;
                        }
                        _ => at += 1,
                    }
                }
                TokenKind::Text
            }
            b'0'..=b'9' => {
                while bytes.get(at).is_some_and(|byte| byte.is_ascii_digit() || *byte == b'.') {
                    at += 1;
                }
                TokenKind::Number
            }
            byte if byte.is_ascii_alphabetic() || byte == b'_' => {
                at = word_end(bytes, at);
                TokenKind::Word
            }
            _ => {
                at += text.get(at..).and_then(|rest| rest.chars().next()).map_or(1, char::len_utf8);
                TokenKind::Punct
            }
        };
        let end = at.min(text.len());
        tokens.push(Token { kind, start, end });
        at = end;
    }
    tokens
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes.iter().skip(from).position(|byte| *byte == b'\n').map_or(bytes.len(), |length| from + length)
}

fn word_end(bytes: &[u8], from: usize) -> usize {
    let is_word = |byte: &u8| byte.is_ascii_alphanumeric() || *byte == b'_';
    bytes.iter().skip(from).position(|byte| !is_word(byte)).map_or(bytes.len(), |length| from + length)
}

/// The word at or just before `offset` (a cursor at a word's end is on it).
pub fn word_at(tokens: &[Token], offset: usize) -> Option<Token> {
    tokens.iter().copied().find(|token| token.kind == TokenKind::Word && token.start <= offset && offset <= token.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_typed_text_still_yields_its_words() {
        let text = "rule x = percentiles[spe # note\nparam y \"unclosed é\nz";
        let words: Vec<&str> = tokens(text)
            .into_iter()
            .filter(|token| token.kind == TokenKind::Word)
            .map(|token| token.text(text))
            .collect();
        assert_eq!(words, ["rule", "x", "percentiles", "spe", "param", "y"]);
        let spe = text.find("spe").unwrap_or(0);
        assert_eq!(word_at(&tokens(text), spe + 3).map(|token| token.text(text)), Some("spe"));
    }
}
