//! Finds where a JSON pointer is written in a document's text, for annotations that point at a
//! line: a reader of indentation, which is how block YAML and pretty-printed JSON both nest.
//! What it cannot follow (a flow mapping, minified JSON, a value removed from the newer side)
//! ends the walk at the nearest parent it found.

/// A line and column, both from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// A stretch of a line: the node's content that starts at `column` (bytes) of line `line`.
#[derive(Debug, Clone, Copy)]
struct Piece {
    line: usize,
    column: usize,
}

/// The text split into lines, with where each line's content starts.
pub struct Source<'t> {
    lines: Vec<&'t str>,
}

impl<'t> Source<'t> {
    pub fn new(text: &'t str) -> Self {
        Self {
            lines: text.lines().collect(),
        }
    }

    /// Where the value at `pointer` is written, or its nearest parent that could be found.
    pub fn locate(&self, pointer: &str) -> Position {
        let mut body: Vec<Piece> = (0..self.lines.len())
            .filter_map(|line| self.piece(line, 0))
            .filter(|piece| !self.content(*piece).starts_with("---"))
            .collect();
        // A JSON document's opening brace holds the root's members.
        if body
            .first()
            .is_some_and(|piece| opens(self.content(*piece)))
        {
            body.remove(0);
        }
        let mut found = Position { line: 1, column: 1 };
        for segment in pointer.split('/').skip(1) {
            let segment = segment.replace("~1", "/").replace("~0", "~");
            let Some((at, child)) = self.child(&body, &segment) else {
                break;
            };
            found = Position {
                line: at.line + 1,
                column: self.lines[at.line][..at.column].chars().count() + 1,
            };
            body = child;
        }
        found
    }

    /// The content of `line` from `column`, when it is neither blank nor a comment.
    fn piece(&self, line: usize, column: usize) -> Option<Piece> {
        let text = self.lines[line].get(column..)?;
        let trimmed = text.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return None;
        }
        Some(Piece {
            line,
            column: column + text.len() - trimmed.len(),
        })
    }

    fn content(&self, piece: Piece) -> &'t str {
        &self.lines[piece.line][piece.column..]
    }

    /// The member `segment` of the node whose content is `body`: where it is written and its
    /// own content.
    fn child(&self, body: &[Piece], segment: &str) -> Option<(Piece, Vec<Piece>)> {
        let first = body.first()?;
        let column = first.column;
        let index = segment.parse::<usize>().ok();
        let mut items = 0;
        for (position, piece) in body.iter().enumerate() {
            if piece.column != column {
                continue;
            }
            let content = self.content(*piece);
            if let Some(wanted) = index
                && is_item(content)
            {
                if items == wanted {
                    return Some(self.item(body, position));
                }
                items += 1;
                continue;
            }
            if let Some(value_at) = key_end(content, segment) {
                let mut child = Vec::new();
                if let Some(inline) = self.piece(piece.line, piece.column + value_at)
                    && !opens(self.content(inline))
                {
                    child.push(inline);
                }
                child.extend(self.below(body, position, true));
                return Some((*piece, child));
            }
        }
        None
    }

    /// The `position`-th piece of `body` as a sequence item, and its content.
    fn item(&self, body: &[Piece], position: usize) -> (Piece, Vec<Piece>) {
        let piece = body[position];
        let content = self.content(piece);
        let mut child = Vec::new();
        let mut at = piece;
        if let Some(rest) = content.strip_prefix('-') {
            let skipped = content.len() - rest.trim_start().len();
            if let Some(inline) = self.piece(piece.line, piece.column + skipped) {
                at = inline;
                child.push(inline);
            }
        } else if !opens(content) {
            child.push(piece);
        }
        child.extend(self.below(body, position, false));
        (at, child)
    }

    /// The pieces after `body[position]` that belong to it: deeper ones, and (for a key whose
    /// value is a YAML sequence written at the key's own indentation) `- ` items.
    fn below(&self, body: &[Piece], position: usize, dashes_too: bool) -> Vec<Piece> {
        let column = body[position].column;
        body[position + 1..]
            .iter()
            .take_while(|piece| {
                piece.column > column
                    || (dashes_too && piece.column == column && is_dash(self.content(**piece)))
            })
            .copied()
            .collect()
    }
}

/// A JSON object or array opened and left open on its line.
fn opens(content: &str) -> bool {
    matches!(content.trim_end(), "{" | "[")
}

fn is_dash(content: &str) -> bool {
    content == "-" || content.starts_with("- ")
}

/// A sequence item: a YAML `- ` entry, or an element of a pretty-printed JSON array.
fn is_item(content: &str) -> bool {
    is_dash(content) || !(content.starts_with(['}', ']']) || key_like(content))
}

/// Whether `content` opens with `key:` (a JSON member or a YAML mapping entry).
fn key_like(content: &str) -> bool {
    let unquoted = match content.chars().next() {
        Some(quote @ ('"' | '\'')) => content[1..]
            .find(quote)
            .map_or(content, |end| &content[end + 2..]),
        _ => content.split(": ").next().unwrap_or(content),
    };
    unquoted.starts_with(':') || content.contains(": ") || content.ends_with(':')
}

/// When `content` opens with the key `key` (bare, 'single' or "double" quoted) and a colon: the
/// byte offset of what follows the colon.
fn key_end(content: &str, key: &str) -> Option<usize> {
    let candidates = [
        key.to_owned(),
        format!("'{}'", key.replace('\'', "''")),
        format!("\"{}\"", key.replace('\\', "\\\\").replace('"', "\\\"")),
    ];
    for candidate in candidates {
        if let Some(rest) = content.strip_prefix(candidate.as_str()) {
            let after = rest.trim_start_matches(' ');
            if let Some(value) = after.strip_prefix(':')
                && (value.is_empty() || value.starts_with([' ', '\t']))
            {
                return Some(content.len() - value.len());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "openapi: 3.0.3
# a comment
paths:
  /v1/topics/{topicKey}:
    get:
      parameters:
      - name: topicKey
        in: path
      - name: limit
        in: query
      responses:
        '200':
          description: |
            name: not a key
components:
  schemas:
    Topic:
      required:
        - key
        - name
";

    fn at(text: &str, pointer: &str) -> (usize, usize) {
        let position = Source::new(text).locate(pointer);
        (position.line, position.column)
    }

    #[test]
    fn yaml_keys_items_and_quoted_keys() {
        assert_eq!(at(YAML, "/paths/~1v1~1topics~1{topicKey}/get"), (5, 5));
        assert_eq!(
            at(YAML, "/paths/~1v1~1topics~1{topicKey}/get/parameters/1/in"),
            (10, 9)
        );
        assert_eq!(
            at(YAML, "/paths/~1v1~1topics~1{topicKey}/get/parameters/1"),
            (9, 9)
        );
        assert_eq!(
            at(YAML, "/paths/~1v1~1topics~1{topicKey}/get/responses/200"),
            (12, 9)
        );
        assert_eq!(at(YAML, "/components/schemas/Topic/required/1"), (20, 11));
    }

    #[test]
    fn a_missing_member_points_at_its_nearest_parent() {
        assert_eq!(
            at(YAML, "/paths/~1v1~1topics~1{topicKey}/get/responses/404"),
            (11, 7)
        );
        assert_eq!(
            at(
                YAML,
                "/paths/~1v1~1topics~1{topicKey}/get/responses/200/description/name"
            ),
            (13, 11)
        );
        assert_eq!(at(YAML, "/info"), (1, 1));
    }

    #[test]
    fn pretty_json_is_followed_too() {
        let json = "{\n  \"openapi\": \"3.0.3\",\n  \"paths\": {\n    \"/v1/x\": {\n      \"get\": {\n        \"parameters\": [\n          {\n            \"name\": \"a\"\n          },\n          {\n            \"name\": \"b\"\n          }\n        ]\n      }\n    }\n  }\n}\n";
        assert_eq!(at(json, "/paths/~1v1~1x/get"), (5, 7));
        assert_eq!(at(json, "/paths/~1v1~1x/get/parameters/1/name"), (11, 13));
    }
}
