//! The shape of Python model files that SQLAlchemy and Django share:
//! classes with their bases, the assignments in their bodies
//! (`name = call(…)`, `name: Annotation = call(…)`), nested classes such
//! as `Meta`, and calls with positional and keyword arguments.

use std::collections::HashMap;

use super::scan::{Kind, Toks};

pub struct Class<'a> {
    pub name: &'a str,
    /// Byte offset of the name.
    pub at: usize,
    /// The text of each base, as written: `models.Model`, `Base`.
    pub bases: Vec<&'a str>,
    pub body: Vec<Assign>,
    pub inner: Vec<Class<'a>>,
}

/// `name = value` or `name: annotation [= value]` in a class body.
pub struct Assign {
    /// Token index of the name.
    pub name: usize,
    /// Token range of the annotation.
    pub annotation: Option<(usize, usize)>,
    /// Token range of the value.
    pub value: Option<(usize, usize)>,
}

pub struct Call<'a> {
    /// The last segment of the called name: `CharField` for `models.CharField(`.
    pub func: &'a str,
    pub args: Vec<Arg<'a>>,
}

pub struct Arg<'a> {
    pub keyword: Option<&'a str>,
    /// Token range of the value.
    pub start: usize,
    pub end: usize,
}

impl<'a> Class<'a> {
    /// The assignment to `name` in the body.
    pub fn get<'c>(&'c self, t: &Toks<'a>, name: &str) -> Option<&'c Assign> {
        self.body.iter().find(|a| t.text(a.name) == name)
    }

    /// The string assigned to `name` (`__tablename__ = "members"`).
    pub fn string(&self, t: &Toks<'a>, name: &str) -> Option<&'a str> {
        self.get(t, name)
            .and_then(|a| a.value)
            .and_then(|(s, e)| single_string(t, s, e))
    }

    /// Whether `name = True` is in the body.
    pub fn flag(&self, t: &Toks<'a>, name: &str) -> bool {
        self.get(t, name)
            .and_then(|a| a.value)
            .is_some_and(|(s, _)| t.ident(s, "True"))
    }

    /// The nested class named `name` (`Meta`).
    pub fn inner(&self, name: &str) -> Option<&Class<'a>> {
        self.inner.iter().find(|c| c.name == name)
    }

    /// The last segment of each base: `Model` for `models.Model`.
    pub fn base_names(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.bases.iter().map(|b| b.rsplit('.').next().unwrap_or(b))
    }
}

impl<'a> Call<'a> {
    /// The `n`th positional argument when it is a string literal.
    pub fn positional_string(&self, t: &Toks<'a>, n: usize) -> Option<&'a str> {
        let arg = self.args.iter().filter(|a| a.keyword.is_none()).nth(n)?;
        single_string(t, arg.start, arg.end)
    }

    /// The keyword argument `name=` when it is a string literal.
    pub fn keyword_string(&self, t: &Toks<'a>, name: &str) -> Option<&'a str> {
        let arg = self.args.iter().find(|a| a.keyword == Some(name))?;
        single_string(t, arg.start, arg.end)
    }

    pub fn has_keyword(&self, name: &str) -> bool {
        self.args.iter().any(|a| a.keyword == Some(name))
    }
}

/// The string when the token range is exactly one string literal.
pub fn single_string<'a>(t: &Toks<'a>, start: usize, end: usize) -> Option<&'a str> {
    if end == start + 1 {
        t.string(start)
    } else {
        None
    }
}

/// The call at `i`: a dotted name followed by `(`.
pub fn call<'a>(t: &Toks<'a>, mut i: usize) -> Option<Call<'a>> {
    if !t.is(i, Kind::Ident) {
        return None;
    }
    while t.punct(i + 1, b'.') && t.is(i + 2, Kind::Ident) {
        i += 2;
    }
    if !t.punct(i + 1, b'(') {
        return None;
    }
    let args = t
        .items(i + 1)
        .into_iter()
        .map(|(start, end)| {
            if t.is(start, Kind::Ident) && t.punct(start + 1, b'=') && !t.punct(start + 2, b'=') {
                Arg {
                    keyword: Some(t.text(start)),
                    start: start + 2,
                    end,
                }
            } else {
                Arg {
                    keyword: None,
                    start,
                    end,
                }
            }
        })
        .collect();
    Some(Call { func: t.text(i), args })
}

/// Every class in the file that is not inside another class.
pub fn classes<'a>(t: &Toks<'a>) -> Vec<Class<'a>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        if t.t[i].line_start && t.ident(i, "class") {
            if let Some((class, end)) = class(t, i, true) {
                out.push(class);
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// The class whose `class` keyword is at `i`, and the token index after it.
/// Only an outer class reads the classes nested in it (`Meta`), so deep
/// nesting costs no recursion.
fn class<'a>(t: &Toks<'a>, i: usize, outer: bool) -> Option<(Class<'a>, usize)> {
    if !t.is(i + 1, Kind::Ident) {
        return None;
    }
    let mut j = i + 2;
    let mut bases = Vec::new();
    if t.punct(j, b'(') {
        for (s, e) in t.items(j) {
            if e > s {
                bases.push(&t.src[t.start(s)..t.t[e - 1].end]);
            }
        }
        j = t.close(j) + 1;
    }
    if !t.punct(j, b':') {
        return None;
    }
    let indent = t.t[i].indent;
    let first = j + 1;
    let end = (first..t.len())
        .find(|&k| t.t[k].line_start && t.t[k].indent <= indent)
        .unwrap_or(t.len());
    let mut c = Class {
        name: t.text(i + 1),
        at: t.start(i + 1),
        bases,
        body: Vec::new(),
        inner: Vec::new(),
    };
    // Statements: the tokens that begin a line at the body's indentation
    // (or the one statement after the colon, `class A: x = 1`).
    let body_indent = t.t.get(first).map_or(0, |k| k.indent);
    let starts: Vec<usize> = (first..end)
        .filter(|&k| k == first || (t.t[k].line_start && t.t[k].indent == body_indent))
        .collect();
    for (n, &s) in starts.iter().enumerate() {
        let stop = starts.get(n + 1).copied().unwrap_or(end);
        if t.ident(s, "class") {
            if let Some((inner, _)) = outer.then(|| class(t, s, false)).flatten() {
                c.inner.push(inner);
            }
        } else if let Some(assign) = assignment(t, s, stop) {
            c.body.push(assign);
        }
    }
    Some((c, end))
}

/// `name = value` or `name: annotation [= value]` in tokens `s..stop`.
fn assignment(t: &Toks<'_>, s: usize, stop: usize) -> Option<Assign> {
    if !t.is(s, Kind::Ident) {
        return None;
    }
    let equals = |k: usize| t.punct(k, b'=') && !t.punct(k + 1, b'=');
    if equals(s + 1) {
        return Some(Assign {
            name: s,
            annotation: None,
            value: Some((s + 2, stop)),
        });
    }
    if !t.punct(s + 1, b':') {
        return None;
    }
    let mut eq = s + 2;
    while eq < stop && !equals(eq) {
        let c = t.close(eq);
        eq = if c > eq { c + 1 } else { eq + 1 };
    }
    let eq = eq.min(stop);
    Some(Assign {
        name: s,
        annotation: Some((s + 2, eq)),
        value: (eq < stop).then_some((eq + 1, stop)),
    })
}

/// Most assignments a class collects from the bases it inherits them from
/// (a guard against long chains in generated or broken files).
const MAX_INHERITED: usize = 1000;

/// For each class, the classes before it in the file that it names as bases
/// (Python defines a base before the class that uses it), by index.
pub fn parents(classes: &[Class<'_>]) -> Vec<Vec<usize>> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut out = Vec::with_capacity(classes.len());
    for (k, c) in classes.iter().enumerate() {
        out.push(c.base_names().filter_map(|b| seen.get(b).copied()).collect());
        seen.entry(c.name).or_insert(k);
    }
    out
}

/// For each class: its own assignments, then those of the bases for which
/// `inherits` holds (mixins, abstract models), transitively.
pub fn bodies<'c>(
    classes: &'c [Class<'_>],
    parents: &[Vec<usize>],
    inherits: impl Fn(usize) -> bool,
) -> Vec<Vec<&'c Assign>> {
    let mut out: Vec<Vec<&Assign>> = Vec::with_capacity(classes.len());
    for (k, c) in classes.iter().enumerate() {
        let mut body: Vec<&Assign> = c.body.iter().collect();
        for &p in &parents[k] {
            if inherits(p) {
                let room = MAX_INHERITED.saturating_sub(body.len());
                body.extend(out[p].iter().take(room).copied());
            }
        }
        out.push(body);
    }
    out
}
