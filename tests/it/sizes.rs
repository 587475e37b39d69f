//! Issue 26, "Done when": no function in `src/` is over 200 lines, and none takes more
//! than five parameters besides its context.
//!
//! The rule, exactly as `measure` applies it to every `.rs` file under `src/`, after
//! comments, string literals and character literals are blanked out:
//! - a function is every `fn name(...)` with a body; its length counts the lines from the
//!   `fn` keyword's line to the line of its closing brace, both included (a nested
//!   function counts inside the one around it, and on its own too);
//! - its parameters are the ones between its top-level parentheses; a parameter is
//!   *context*, and not counted, when it is `self` in any form, or its type names
//!   `Connection` or `Transaction` (the transaction), `Switchboard` (the switchboard),
//!   `Tx` (the switchboard's context of one transaction), `Timestamp` (the clock's value)
//!   or `Outbound` (the commands to carry out after the commit);
//! - an offender is over 200 lines, or has more than five parameters that are not context.
//!
//! The offenders not fixed yet are listed in `KNOWN` with their figures today: a new
//! offender fails the test, so does a listed one that grew, and so does a listed one that
//! is no longer an offender (take it off the list).

use std::collections::BTreeMap;
use std::path::Path;

const MAX_LINES: usize = 200;
const MAX_PARAMS: usize = 5;
const CONTEXT_TYPES: &[&str] = &["Connection", "Transaction", "Switchboard", "Tx", "Timestamp", "Outbound"];

/// (file under `src/`, function, lines, parameters besides context): not fixed yet.
const KNOWN: &[(&str, &str, usize, usize)] = &[];

/// One function: where it is, its length in lines and its parameters besides context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measured {
    pub file: String,
    pub line: usize,
    pub name: String,
    pub lines: usize,
    pub params: usize,
}

impl Measured {
    fn offends(&self) -> bool {
        self.lines > MAX_LINES || self.params > MAX_PARAMS
    }
}

/// The source with comments, strings and character literals replaced by spaces (line
/// breaks kept), so braces and parentheses in them count for nothing.
fn blank(src: &str) -> Vec<u8> {
    let s = src.as_bytes();
    let mut out = s.to_vec();
    let mut i = 0;
    let wipe = |out: &mut Vec<u8>, from: usize, to: usize| {
        for b in &mut out[from..to.min(s.len())] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    };
    let ident = |i: usize| i > 0 && (s[i - 1].is_ascii_alphanumeric() || s[i - 1] == b'_');
    while i < s.len() {
        if s[i..].starts_with(b"//") {
            let end = s[i..].iter().position(|&b| b == b'\n').map_or(s.len(), |p| i + p);
            wipe(&mut out, i, end);
            i = end;
        } else if s[i..].starts_with(b"/*") {
            let mut depth = 0;
            let mut j = i;
            while j < s.len() {
                if s[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if s[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            wipe(&mut out, i, j);
            i = j;
        } else if (s[i] == b'r' || (s[i] == b'b' && s.get(i + 1) == Some(&b'r'))) && !ident(i) && {
            let k = if s[i] == b'b' { i + 2 } else { i + 1 };
            let hashes = s[k..].iter().take_while(|&&b| b == b'#').count();
            s.get(k + hashes) == Some(&b'"')
        } {
            let k = if s[i] == b'b' { i + 2 } else { i + 1 };
            let hashes = s[k..].iter().take_while(|&&b| b == b'#').count();
            let mut close = vec![b'"'];
            close.extend(std::iter::repeat_n(b'#', hashes));
            let body = k + hashes + 1;
            let end = s[body..]
                .windows(close.len())
                .position(|w| w == close.as_slice())
                .map_or(s.len(), |p| body + p + close.len());
            wipe(&mut out, i, end);
            i = end;
        } else if s[i] == b'"' {
            let mut j = i + 1;
            while j < s.len() && s[j] != b'"' {
                j += if s[j] == b'\\' { 2 } else { 1 };
            }
            wipe(&mut out, i, j + 1);
            i = j + 1;
        } else if s[i] == b'\'' {
            // A character literal ('x', '\n', '\u{..}'), not a lifetime ('a).
            let len = if s.get(i + 1) == Some(&b'\\') {
                s[i + 2..].iter().position(|&b| b == b'\'').map(|p| p + 3)
            } else if s.get(i + 2) == Some(&b'\'') {
                Some(3)
            } else {
                std::str::from_utf8(&s[i + 1..(i + 6).min(s.len())])
                    .ok()
                    .or_else(|| std::str::from_utf8(&s[i + 1..(i + 5).min(s.len())]).ok())
                    .and_then(|t| t.chars().next())
                    .filter(|c| c.len_utf8() > 1 && s.get(i + 1 + c.len_utf8()) == Some(&b'\''))
                    .map(|c| c.len_utf8() + 2)
            };
            match len {
                Some(n) => {
                    wipe(&mut out, i, i + n);
                    i += n;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    out
}

/// Splits a parameter list at its top-level commas.
fn params(list: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    let mut prev = ' ';
    for c in list.chars() {
        match c {
            '(' | '<' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            '>' if prev != '-' => depth -= 1,
            _ => {}
        }
        if c == ',' && depth == 0 {
            parts.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
        prev = c;
    }
    parts.push(cur);
    parts.into_iter().map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()
}

fn is_context(param: &str) -> bool {
    let words =
        |t: &str| -> bool { t.split(|c: char| !(c.is_alphanumeric() || c == '_')).any(|w| CONTEXT_TYPES.contains(&w)) };
    match param.split_once(':') {
        None => param.split_whitespace().any(|w| w == "self" || w == "&self"),
        Some((_, ty)) => words(ty),
    }
}

/// Every function of one file.
pub fn measure_file(file: &str, src: &str) -> Vec<Measured> {
    let s = blank(src);
    let text = String::from_utf8_lossy(&s).into_owned();
    let b = text.as_bytes();
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(p) = text[at..].find("fn ") {
        let start = at + p;
        at = start + 3;
        if start > 0 && (b[start - 1].is_ascii_alphanumeric() || b[start - 1] == b'_') {
            continue;
        }
        let rest = &text[at..];
        let name: String = rest.trim_start().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        if name.is_empty() {
            continue;
        }
        // The parameter list: the first '(' at the generics' depth 0.
        let mut i = at + rest.find(&name).unwrap() + name.len();
        let mut angle = 0i32;
        while i < b.len() && !(b[i] == b'(' && angle == 0) {
            match b[i] {
                b'<' => angle += 1,
                b'>' => angle -= 1,
                _ => {}
            }
            i += 1;
        }
        let open = i;
        let mut depth = 0i32;
        while i < b.len() {
            match b[i] {
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        let list = &text[open + 1..i];
        // The body: the first '{' or ';' after the parameters at depth 0 of () and <>.
        let mut j = i + 1;
        let mut d = 0i32;
        while j < b.len() {
            match b[j] {
                b'(' | b'[' => d += 1,
                b')' | b']' => d -= 1,
                b'{' | b';' if d == 0 => break,
                _ => {}
            }
            j += 1;
        }
        if j >= b.len() || b[j] == b';' {
            continue;
        }
        let mut depth = 0i32;
        let mut k = j;
        while k < b.len() {
            match b[k] {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            k += 1;
        }
        let line = text[..start].matches('\n').count() + 1;
        let lines = text[start..=k.min(b.len() - 1)].matches('\n').count() + 1;
        let params = params(list).iter().filter(|p| !is_context(p)).count();
        found.push(Measured { file: file.to_string(), line, name, lines, params });
    }
    found
}

fn walk(dir: &Path, root: &Path, out: &mut Vec<Measured>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let src = std::fs::read_to_string(&path).unwrap();
            let file = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            out.extend(measure_file(&file, &src));
        }
    }
}

/// Every offender in `src/`, in file order.
pub fn offenders() -> Vec<Measured> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    walk(&root, &root, &mut all);
    all.into_iter().filter(Measured::offends).collect()
}

#[test]
fn no_function_in_src_is_over_200_lines_or_takes_more_than_five_parameters_besides_its_context() {
    let found = offenders();
    for m in &found {
        eprintln!("{}:{} {} lines={} params={}", m.file, m.line, m.name, m.lines, m.params);
    }
    let known: BTreeMap<(&str, &str), (usize, usize)> = KNOWN.iter().map(|&(f, n, l, p)| ((f, n), (l, p))).collect();
    let mut problems = Vec::new();
    for m in &found {
        match known.get(&(m.file.as_str(), m.name.as_str())) {
            None => problems.push(format!(
                "{}:{} `{}`: {} lines, {} parameters besides context (at most {MAX_LINES} and {MAX_PARAMS})",
                m.file, m.line, m.name, m.lines, m.params
            )),
            Some(&(lines, params)) if m.lines > lines.max(MAX_LINES) || m.params > params.max(MAX_PARAMS) => problems
                .push(format!(
                    "{}:{} `{}` grew: {} lines, {} parameters (listed as {lines}, {params})",
                    m.file, m.line, m.name, m.lines, m.params
                )),
            Some(_) => {}
        }
    }
    for &(file, name, _, _) in KNOWN {
        if !found.iter().any(|m| m.file == file && m.name == name) {
            problems.push(format!("{file} `{name}` keeps the limits now: take it off `KNOWN`"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_measure_counts_lines_and_leaves_context_comments_and_strings_out() {
    let src = r#"
/// fn in_a_comment(a: u8, b: u8, c: u8, d: u8, e: u8, f: u8) {
fn five(tx: &Connection, sb: &Switchboard, a: u8, b: Vec<(u8, u8)>, c: &str, d: u8, e: u8, now: jiff::Timestamp, out: &mut Outbound) -> u8 {
    let s = "fn fake(a, b, c, d, e, f) { {";
    let c = '{';
    1
}
impl X {
    fn method(&self, a: impl Fn(u8) -> u8, b: u8, c: u8, d: u8, e: u8) {}
    fn declared(a: u8, b: u8, c: u8, d: u8, e: u8, f: u8);
}
"#;
    let found = measure_file("x.rs", src);
    let got: Vec<(&str, usize, usize)> = found.iter().map(|m| (m.name.as_str(), m.lines, m.params)).collect();
    assert_eq!(got, vec![("five", 5, 5), ("method", 1, 5)]);
    let mut five = found[0].clone();
    assert!(!five.offends());
    five.params = 6;
    assert!(five.offends());
    five.params = 0;
    five.lines = 201;
    assert!(five.offends());
}
