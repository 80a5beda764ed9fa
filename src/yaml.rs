//! YAML with positions: parses with saphyr-parser into a JSON value and a
//! map from JSON pointer to line and column, with limits against alias
//! bombs and deep nesting. Config and rollout manifests both load here.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError};
use serde_json::{Map, Number, Value};

/// 1-based line and column, and the byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
    pub offset: usize,
}

#[derive(Debug, Clone)]
pub struct YamlDoc {
    pub value: Value,
    /// JSON pointer → where the node's value starts.
    pub values: HashMap<String, Pos>,
    /// JSON pointer → where the mapping key of that node starts.
    pub keys: HashMap<String, Pos>,
}

impl YamlDoc {
    /// Position of the node at `pointer`, or of its nearest ancestor.
    pub fn locate(&self, pointer: &str) -> Pos {
        let mut p = pointer.to_string();
        loop {
            if let Some(pos) = self.values.get(&p) {
                return *pos;
            }
            match p.rfind('/') {
                Some(i) => p.truncate(i),
                None => {
                    return Pos {
                        line: 1,
                        column: 1,
                        offset: 0,
                    }
                }
            }
        }
    }
    /// Position of the key of `pointer` if it has one, else of its value.
    pub fn locate_key(&self, pointer: &str) -> Pos {
        self.keys.get(pointer).copied().unwrap_or_else(|| self.locate(pointer))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    pub pos: Pos,
}

/// Limits that keep hostile input from exhausting memory or stack.
pub const MAX_DEPTH: usize = 64;
pub const MAX_NODES: usize = 2_000_000;

pub fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

enum Frame {
    Map {
        map: Map<String, Value>,
        ptr: String,
        key: Option<(String, Pos)>,
        anchor: usize,
    },
    Seq {
        seq: Vec<Value>,
        ptr: String,
        anchor: usize,
    },
}

struct Builder<'s> {
    lines: Vec<usize>,
    src: &'s str,
    doc: YamlDoc,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Value>,
    nodes: usize,
    root: Option<Value>,
}

impl Builder<'_> {
    fn pos(&self, m: &saphyr_parser::Marker) -> Pos {
        let line = m.line().max(1);
        let start = self.lines.get(line - 1).copied().unwrap_or(self.src.len());
        let offset = self.src[start..]
            .char_indices()
            .nth(m.col())
            .map_or(self.src.len(), |(i, _)| start + i);
        Pos {
            line,
            column: m.col() + 1,
            offset,
        }
    }

    /// The pointer a new node gets, and whether it is a mapping key.
    fn child_ptr(&self) -> (String, bool) {
        match self.stack.last() {
            None => (String::new(), false),
            Some(Frame::Seq { seq, ptr, .. }) => (format!("{ptr}/{}", seq.len()), false),
            Some(Frame::Map {
                key: Some((k, _)), ptr, ..
            }) => (format!("{ptr}/{}", escape_pointer(k)), false),
            Some(Frame::Map { key: None, .. }) => (String::new(), true),
        }
    }

    fn count(&mut self, n: usize, pos: Pos) -> Result<(), YamlError> {
        self.nodes += n;
        if self.nodes > MAX_NODES {
            return Err(YamlError {
                message: format!("the document expands to more than {MAX_NODES} nodes (an alias bomb?)"),
                pos,
            });
        }
        Ok(())
    }

    fn push_value(&mut self, v: Value, pos: Pos, anchor: usize) -> Result<(), YamlError> {
        if anchor > 0 {
            self.anchors.insert(anchor, v.clone());
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(v);
                }
            }
            Some(Frame::Seq { seq, .. }) => seq.push(v),
            Some(Frame::Map { map, key, .. }) => match key.take() {
                Some((k, _)) => {
                    map.insert(k, v);
                }
                None => {
                    let k = match v {
                        Value::String(s) => s,
                        Value::Null => "null".to_string(),
                        Value::Bool(b) => b.to_string(),
                        Value::Number(n) => n.to_string(),
                        _ => {
                            return Err(YamlError {
                                message: "a mapping key must be a scalar".into(),
                                pos,
                            });
                        }
                    };
                    if map.contains_key(&k) {
                        return Err(YamlError {
                            message: format!("duplicate key `{k}`"),
                            pos,
                        });
                    }
                    *key = Some((k, pos));
                    if let Some(Frame::Map {
                        ptr, key: Some((k, p)), ..
                    }) = self.stack.last()
                    {
                        let child = format!("{ptr}/{}", escape_pointer(k));
                        self.doc.keys.insert(child, *p);
                    }
                }
            },
        }
        Ok(())
    }

    fn event(&mut self, ev: Event, span: saphyr_parser::Span) -> Result<bool, YamlError> {
        let pos = self.pos(&span.start);
        match ev {
            Event::DocumentStart(_) if self.root.is_some() => {
                return Err(YamlError {
                    message: "expected one YAML document, found several".into(),
                    pos,
                });
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.count(1, pos)?;
                let (ptr, is_key) = self.child_ptr();
                let v = scalar(&text, style, tag.as_deref().map(|t| t.suffix.as_str()));
                if !is_key {
                    self.doc.values.insert(ptr, pos);
                }
                self.push_value(v, pos, anchor)?;
            }
            Event::Alias(id) => {
                let (ptr, is_key) = self.child_ptr();
                let v = self.anchors.get(&id).cloned().ok_or(YamlError {
                    message: "alias to an unknown anchor".into(),
                    pos,
                })?;
                self.count(size(&v), pos)?;
                if !is_key {
                    self.doc.values.insert(ptr, pos);
                }
                self.push_value(v, pos, 0)?;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                self.count(1, pos)?;
                if self.stack.len() >= MAX_DEPTH {
                    return Err(YamlError {
                        message: format!("the document nests deeper than {MAX_DEPTH} levels"),
                        pos,
                    });
                }
                let (ptr, is_key) = self.child_ptr();
                if is_key {
                    return Err(YamlError {
                        message: "a mapping key must be a scalar".into(),
                        pos,
                    });
                }
                self.doc.values.insert(ptr.clone(), pos);
                self.stack.push(if matches!(ev, Event::SequenceStart(..)) {
                    Frame::Seq {
                        seq: Vec::new(),
                        ptr,
                        anchor,
                    }
                } else {
                    Frame::Map {
                        map: Map::new(),
                        ptr,
                        key: None,
                        anchor,
                    }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (v, anchor) = match self.stack.pop() {
                    Some(Frame::Seq { seq, anchor, .. }) => (Value::Array(seq), anchor),
                    Some(Frame::Map { map, anchor, .. }) => (Value::Object(map), anchor),
                    None => return Ok(true),
                };
                self.push_value(v, pos, anchor)?;
            }
            Event::StreamEnd => return Ok(false),
            _ => {}
        }
        Ok(true)
    }
}

fn size(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(size).sum::<usize>(),
        Value::Object(o) => 1 + o.values().map(size).sum::<usize>(),
        _ => 1,
    }
}

fn scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> Value {
    if style != ScalarStyle::Plain || tag == Some("str") {
        return Value::String(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Ok(i) = text.parse::<i64>() {
        return Value::Number(i.into());
    }
    let looks_numeric = text
        .bytes()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || c == b'-' || c == b'+' || c == b'.');
    if looks_numeric {
        if let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64) {
            return Value::Number(n);
        }
    }
    Value::String(text.to_string())
}

/// Parses one YAML document.
pub fn parse(src: &str) -> Result<YamlDoc, YamlError> {
    let mut lines = vec![0];
    lines.extend(src.bytes().enumerate().filter(|&(_, c)| c == b'\n').map(|(i, _)| i + 1));
    let mut b = Builder {
        lines,
        src,
        doc: YamlDoc {
            value: Value::Null,
            values: HashMap::new(),
            keys: HashMap::new(),
        },
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        root: None,
    };
    let mut parser = Parser::new_from_str(src);
    loop {
        // saphyr-parser recurses for flow collections; a hostile file must not crash us.
        let next = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parser.next_event()));
        match next {
            Ok(None) => break,
            Ok(Some(Ok((ev, span)))) => {
                if !b.event(ev, span)? {
                    break;
                }
            }
            Ok(Some(Err(e))) => return Err(scan_error(&b, &e)),
            Err(_) => {
                return Err(YamlError {
                    message: "the YAML parser failed on this input".into(),
                    pos: Pos {
                        line: 1,
                        column: 1,
                        offset: 0,
                    },
                })
            }
        }
    }
    b.doc.value = b.root.take().unwrap_or(Value::Null);
    Ok(b.doc)
}

fn scan_error(b: &Builder, e: &ScanError) -> YamlError {
    YamlError {
        message: e.info().to_string(),
        pos: b.pos(e.marker()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_by_pointer() {
        let d = parse("a: 1\nb:\n  - x\n  - y: 2\n").unwrap();
        assert_eq!(
            d.locate("/b/1/y"),
            Pos {
                line: 4,
                column: 8,
                offset: 21
            }
        );
        assert_eq!(d.locate_key("/b").line, 2);
        assert_eq!(d.value["b"][1]["y"], 2);
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            s.push_str(&format!("a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"));
        }
        let e = parse(&s).unwrap_err();
        assert!(e.message.contains("alias bomb"), "{e:?}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let s = "[".repeat(10_000);
        assert!(parse(&s).is_err());
    }

    #[test]
    fn syntax_errors_have_positions() {
        let e = parse("a: 1\nb: [1, 2\n").unwrap_err();
        assert!(e.pos.line >= 2, "{e:?}");
    }

    #[test]
    fn duplicate_keys_are_errors() {
        assert!(parse("a: 1\na: 2\n").is_err());
    }
}
