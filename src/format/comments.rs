//! Comments: the grammar drops `#` comments, so the formatter finds them in
//! the source (outside strings) and puts each back next to the code it was
//! written next to: a comment on a line of code stays at the end of that
//! line; a comment on lines of its own stays above the code that follows it,
//! or below the code that precedes it when it hangs from that code (no blank
//! line before it, a blank line after it).

use super::Line;

/// One `#` comment as written.
#[derive(Debug, Clone)]
pub(super) struct Comment {
    pub start: u32,
    /// Where its source line starts.
    pub line_start: u32,
    /// From `#` to the end of its line, trailing spaces removed.
    pub text: String,
    /// Nothing but white space before it on its line.
    pub own_line: bool,
    /// A blank line separates it from what comes before.
    pub blank_before: bool,
    /// A blank line follows it.
    pub blank_after: bool,
    /// Code (not a comment, not the start of the file) ends the line before it.
    pub after_code: bool,
}

/// Every comment of `text`, in order.
pub(super) fn scan(text: &str) -> Vec<Comment> {
    let mut comments = Vec::new();
    let mut in_string = false;
    let mut chars = text.char_indices().peekable();
    while let Some((offset, c)) = chars.next() {
        match (in_string, c) {
            (true, '\\') => {
                chars.next();
            }
            (true, '"') | (false, '"') => in_string = !in_string,
            (false, '#') => {
                let end = text[offset..].find('\n').map_or(text.len(), |newline| offset + newline);
                let line_start = text[..offset].rfind('\n').map_or(0, |newline| newline + 1);
                // A byte-order mark is white space to the grammar, so to us too.
                let own_line = text[line_start..offset].trim_matches(is_space).is_empty();
                let before = &text[..line_start];
                let content_before = before.trim_end_matches(is_space);
                let blank_before =
                    own_line && !content_before.is_empty() && before[content_before.len()..].matches('\n').count() >= 2;
                // The line before is a comment's own only if a comment found
                // already starts it: a line of a text can begin with `#` too.
                let previous_line = content_before.rfind('\n').map_or(0, |newline| newline + 1);
                let previous_is_comment = comments
                    .last()
                    .is_some_and(|comment: &Comment| comment.own_line && comment.line_start as usize == previous_line);
                let after_code = own_line && !content_before.is_empty() && !previous_is_comment;
                // A blank line, then more: the end of the file is not a separation.
                let after = &text[end..];
                let blank_after = after.split('\n').nth(1).is_some_and(|line| line.trim_matches(is_space).is_empty())
                    && !after.trim_matches(is_space).is_empty();
                comments.push(Comment {
                    start: u32::try_from(offset).unwrap_or(u32::MAX),
                    line_start: u32::try_from(line_start).unwrap_or(u32::MAX),
                    text: text[offset..end].trim_end().to_owned(),
                    own_line,
                    blank_before,
                    blank_after,
                    after_code,
                });
                while chars.peek().is_some_and(|(next, _)| *next < end) {
                    chars.next();
                }
            }
            _ => {}
        }
    }
    comments
}

/// White space as the grammar reads it: a byte-order mark included.
fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// Puts the comments back among the formatted lines.
pub(super) fn attach(lines: Vec<Line>, comments: &[Comment]) -> Vec<Line> {
    let mut lines = lines;
    let mut placed: Vec<Comment> = Vec::with_capacity(comments.len());
    // Comments on a line of code first: they do not move lines around. One
    // ends the printed line only if it was written on the source line where
    // that printed line's code starts; inside a construct printed on fewer
    // lines than it was written on, it goes on a line of its own, like the
    // comments around it, so that comments keep their order.
    for comment in comments {
        if comment.own_line {
            placed.push(comment.clone());
            continue;
        }
        let target = lines.iter().rposition(|line| line.origin.is_some_and(|origin| origin < comment.start));
        let same_line = target
            .and_then(|index| lines.get(index))
            .and_then(|line| line.origin)
            .is_some_and(|origin| origin >= comment.line_start);
        match target.and_then(|index| lines.get_mut(index)) {
            Some(line) if same_line => line.trailing.push(comment.text.clone()),
            // It hangs below the code it was written in (see `hangs` below).
            _ => placed.push(Comment {
                own_line: true,
                blank_before: false,
                blank_after: true,
                after_code: true,
                ..comment.clone()
            }),
        }
    }
    let comments = placed.as_slice();
    let groups = own_line_groups(comments);
    // From the last group to the first, so that earlier insertions do not shift later ones.
    for group in groups.iter().rev() {
        let (Some(first), Some(last)) = (group.first(), group.last()) else { continue };
        let hangs = first.after_code && !first.blank_before && last.blank_after;
        // Comments that end the file close it at the margin, however they came there.
        // Comments placed already do not count: only code follows a block.
        let at_end = !lines
            .iter()
            .any(|line| !line.text.starts_with('#') && line.origin.is_some_and(|origin| origin > last.start));
        let mut block = Vec::new();
        for (position, comment) in group.iter().enumerate() {
            if position > 0 && comment.blank_before {
                block.push(Line::blank());
            }
            // The comment's own place, so that an earlier group goes above it.
            block.push(Line {
                indent: 0,
                text: comment.text.clone(),
                origin: Some(comment.start),
                trailing: Vec::new(),
            });
        }
        if hangs {
            let after = lines
                .iter()
                .rposition(|line| line.origin.is_some_and(|origin| origin < first.start))
                .map_or(0, |index| index + 1);
            let indent = match (lines.get(after), after.checked_sub(1).and_then(|index| lines.get(index))) {
                // Right above more lines of the same code (the blank line between
                // was dropped), it will read as theirs: indented as they are.
                (Some(next), _) if !next.text.is_empty() && next.origin.is_some() => {
                    next.indent + if next.text.starts_with('}') { 2 } else { 0 }
                }
                // Below a line that opens a block, a comment belongs to the block's inside.
                (_, Some(line)) if !at_end => line.indent + if line.text.ends_with('{') { 2 } else { 0 },
                _ => 0,
            };
            block.iter_mut().for_each(|line| line.indent = indent);
            lines.splice(after..after, block);
            continue;
        }
        let before =
            lines.iter().position(|line| line.origin.is_some_and(|origin| origin > first.start)).unwrap_or(lines.len());
        // Above a closing brace, a comment belongs to the block's inside.
        let indent = lines.get(before).map_or(0, |line| line.indent + if line.text.starts_with('}') { 2 } else { 0 });
        block.iter_mut().for_each(|line| line.indent = indent);
        if last.blank_after && before < lines.len() {
            block.push(Line::blank());
        }
        let previous_is_open = before
            .checked_sub(1)
            .and_then(|index| lines.get(index))
            .is_none_or(|line| line.text.is_empty() || line.text.ends_with('{'));
        if first.blank_before && !previous_is_open {
            block.insert(0, Line::blank());
        }
        lines.splice(before..before, block);
    }
    lines
}

/// Comments on lines of their own, grouped when no code comes between them.
fn own_line_groups(comments: &[Comment]) -> Vec<Vec<&Comment>> {
    let mut groups: Vec<Vec<&Comment>> = Vec::new();
    for comment in comments {
        if !comment.own_line {
            groups.push(Vec::new());
            continue;
        }
        let joins = groups.last().and_then(|group| group.last()).is_some_and(|_| !comment.after_code);
        match groups.last_mut() {
            Some(group) if joins => group.push(comment),
            _ => groups.push(vec![comment]),
        }
    }
    groups.retain(|group| !group.is_empty());
    groups
}
