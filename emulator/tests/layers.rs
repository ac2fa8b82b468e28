//! The emulator in layers: no file under `src/` uses a file of a higher layer, or of another
//! component of its own layer (the table [`LAYERS`]; `src/lib.rs` says what each layer is for).
//! Every file must be in the table, so a new module has to be given its place, and `lib.rs`
//! keeps its modules private (callers get deliberate `pub use`s and the facade).
//!
//! The check reads paths: `use` trees, paths that start with `crate::`, `super::` or `self::`,
//! and paths through a child module or a module brought in by `use`. It cannot see methods of a
//! type whose `impl` block sits in a higher file (`impl Seed` in `seed/load.rs`,
//! `impl RunningEmulator` in `facade.rs`); only files at or above those call them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// `(file under src/, layer, component)`, lowest layer first. A file may use files of lower
/// layers and files of its own layer and component; nothing else.
const LAYERS: &[(&str, u32, &str)] = &[
    // 0: leaves, which depend on nothing of the emulator.
    ("ids.rs", 0, "ids"),
    ("clock.rs", 0, "clock"),
    ("admin_path.rs", 0, "admin_path"),
    ("trust.rs", 0, "trust"),
    ("conn.rs", 0, "conn"),
    ("seed/mod.rs", 0, "seed"),
    // 1: the wire shapes, TLS on a connection, and the rules and engines of the middlewares.
    ("wire.rs", 1, "wire"),
    ("tls.rs", 1, "tls"),
    ("faults/mod.rs", 1, "faults"),
    ("faults/rules.rs", 1, "faults"),
    ("faults/engine.rs", 1, "faults"),
    ("reqlog/mod.rs", 1, "reqlog"),
    ("reqlog/entry.rs", 1, "reqlog"),
    ("reqlog/log.rs", 1, "reqlog"),
    // 2: the model engine, with its own types.
    ("model/mod.rs", 2, "model"),
    ("model/files.rs", 2, "model"),
    ("model/csv.rs", 2, "model"),
    ("model/data.rs", 2, "model"),
    ("model/delete.rs", 2, "model"),
    ("model/details.rs", 2, "model"),
    ("model/dump.rs", 2, "model"),
    ("model/export.rs", 2, "model"),
    ("model/import.rs", 2, "model"),
    ("model/metadata.rs", 2, "model"),
    ("model/process.rs", 2, "model"),
    ("model/validate.rs", 2, "model"),
    ("model/values.rs", 2, "model"),
    ("model/tests.rs", 2, "model"),
    // 3: storage, loading a seed (which validates it with the engine) and the bundled seed's ids.
    ("store.rs", 3, "store"),
    ("seed/load.rs", 3, "seed_load"),
    ("bundled_seed.rs", 3, "seed_load"),
    // 4, 5: the configuration, and the state every request shares.
    ("config.rs", 4, "config"),
    ("state.rs", 5, "state"),
    // 6: the task runner, and the OAuth grants (codes and refresh tokens; access tokens are auth's).
    ("runner.rs", 6, "runner"),
    ("oauth_grants.rs", 6, "oauth_grants"),
    // 7: HTTP handlers and middleware layers; none of them uses another.
    ("auth/mod.rs", 7, "auth"),
    ("auth/cert.rs", 7, "auth"),
    ("auth/oauth.rs", 7, "auth"),
    ("auth/routes.rs", 7, "auth"),
    ("auth/tokens.rs", 7, "auth"),
    ("admin.rs", 7, "admin"),
    ("faults/layer.rs", 7, "faults_layer"),
    ("reqlog/layer.rs", 7, "reqlog_layer"),
    // 8: the Integration API (it uses auth's `Authed` and the runner).
    ("api/mod.rs", 8, "api"),
    ("api/listing.rs", 8, "api"),
    ("api/dumps.rs", 8, "api"),
    ("api/files.rs", 8, "api"),
    ("api/resources.rs", 8, "api"),
    ("api/tasks.rs", 8, "api"),
    // 9: putting it together.
    ("router.rs", 9, "assembly"),
    ("server.rs", 9, "assembly"),
    ("facade.rs", 9, "assembly"),
    // 10: the crate root.
    ("lib.rs", 10, "root"),
];

/// The binary is a crate of its own: it uses the library's public items only.
const NOT_IN_THE_LIBRARY: &[&str] = &["main.rs"];

/// One file of the crate: where it is, and its module path (`auth/mod.rs` is `["auth"]`).
struct SourceFile {
    rel: String,
    module: Vec<String>,
    text: String,
}

fn module_of(rel: &str) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .trim_end_matches(".rs")
        .split('/')
        .map(String::from)
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

fn read_sources(dir: &Path, prefix: &str, out: &mut Vec<SourceFile>) {
    for entry in std::fs::read_dir(dir).expect("emulator/src is readable") {
        let path = entry.expect("a directory entry").path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            read_sources(&path, &format!("{prefix}{name}/"), out);
        } else if name.ends_with(".rs") {
            let rel = format!("{prefix}{name}");
            out.push(SourceFile {
                module: module_of(&rel),
                text: std::fs::read_to_string(&path).expect("a source file"),
                rel,
            });
        }
    }
}

/// The source with comments and the contents of string and char literals blanked (newlines
/// kept, so line numbers stay right).
fn strip(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let blank = |out: &mut String, chars: &[char]| {
        out.extend(chars.iter().map(|&ch| if ch == '\n' { '\n' } else { ' ' }))
    };
    let mut i = 0;
    while i < c.len() {
        let rest = &c[i..];
        let end = if rest.starts_with(&['/', '/']) {
            rest.iter().position(|&ch| ch == '\n').unwrap_or(rest.len())
        } else if rest.starts_with(&['/', '*']) {
            let mut depth = 0;
            let mut k = 0;
            loop {
                if k + 1 >= rest.len() {
                    break rest.len();
                }
                if rest[k] == '/' && rest[k + 1] == '*' {
                    depth += 1;
                    k += 2;
                } else if rest[k] == '*' && rest[k + 1] == '/' {
                    depth -= 1;
                    k += 2;
                    if depth == 0 {
                        break k;
                    }
                } else {
                    k += 1;
                }
            }
        } else if rest[0] == 'r' && (rest.get(1) == Some(&'"') || rest.get(1) == Some(&'#')) {
            let hashes = rest[1..].iter().take_while(|&&ch| ch == '#').count();
            if rest.get(1 + hashes) != Some(&'"') {
                out.push(rest[0]);
                i += 1;
                continue;
            }
            let close: Vec<char> = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let body = 2 + hashes;
            rest[body..]
                .windows(close.len())
                .position(|w| w == close.as_slice())
                .map_or(rest.len(), |p| body + p + close.len())
        } else if rest[0] == '"' {
            let mut k = 1;
            while k < rest.len() && rest[k] != '"' {
                k += if rest[k] == '\\' { 2 } else { 1 };
            }
            (k + 1).min(rest.len())
        } else if rest[0] == '\'' {
            // A char literal ('a', '\n', '\u{..}'), or a lifetime ('a), which is kept.
            if rest.get(1) == Some(&'\\') {
                rest[2..]
                    .iter()
                    .position(|&ch| ch == '\'')
                    .map_or(rest.len(), |p| p + 3)
            } else if rest.get(2) == Some(&'\'') {
                3
            } else {
                out.push('\'');
                i += 1;
                continue;
            }
        } else {
            out.push(rest[0]);
            i += 1;
            continue;
        };
        blank(&mut out, &rest[..end]);
        i += end;
    }
    out
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Ident(String),
    PathSep,
    Punct(char),
}

/// Tokens with their line numbers.
fn tokens(text: &str) -> Vec<(Token, usize)> {
    let mut out = Vec::new();
    let mut line = 1;
    let c: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch.is_alphanumeric() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            out.push((Token::Ident(c[start..i].iter().collect()), line));
        } else if ch == ':' && c.get(i + 1) == Some(&':') {
            out.push((Token::PathSep, line));
            i += 2;
        } else {
            out.push((Token::Punct(ch), line));
            i += 1;
        }
    }
    out
}

/// A path the file refers to: its segments as written, its line, and the absolute module path
/// it stands for.
#[derive(Debug)]
struct Reference {
    segments: Vec<String>,
    line: usize,
    absolute: Vec<String>,
}

/// Reads a `use` tree at `toks[*i]` (after `use`), adding every full path it names.
fn use_tree(
    toks: &[(Token, usize)],
    i: &mut usize,
    prefix: Vec<String>,
    out: &mut Vec<(Vec<String>, Option<String>, usize)>,
) {
    let mut path = prefix;
    loop {
        match toks.get(*i) {
            Some((Token::Ident(name), line)) => {
                let line = *line;
                *i += 1;
                if name == "self" && !path.is_empty() {
                    // `a::{self, b}`: `a` itself.
                } else {
                    path.push(name.clone());
                }
                if toks.get(*i).map(|t| &t.0) == Some(&Token::PathSep) {
                    *i += 1;
                    continue;
                }
                let alias = if toks.get(*i).map(|t| &t.0) == Some(&Token::Ident("as".into())) {
                    *i += 1;
                    match toks.get(*i) {
                        Some((Token::Ident(a), _)) => {
                            *i += 1;
                            Some(a.clone())
                        }
                        _ => None,
                    }
                } else {
                    path.last().cloned()
                };
                out.push((path, alias, line));
                return;
            }
            Some((Token::Punct('*'), line)) => {
                out.push((path, None, *line));
                *i += 1;
                return;
            }
            Some((Token::Punct('{'), _)) => {
                *i += 1;
                loop {
                    match toks.get(*i).map(|t| &t.0) {
                        Some(Token::Punct('}')) => {
                            *i += 1;
                            return;
                        }
                        Some(Token::Punct(',')) => *i += 1,
                        None => return,
                        _ => use_tree(toks, i, path.clone(), out),
                    }
                }
            }
            _ => return,
        }
    }
}

/// Every path of a file into the crate's modules, before resolution.
fn references(file: &SourceFile) -> Vec<Reference> {
    let toks = tokens(&strip(&file.text));
    let mut out = Vec::new();
    // Names that stand for modules in this file: child modules and modules brought in by `use`.
    let mut aliases: BTreeMap<String, Vec<String>> = BTreeMap::new();
    // Inline modules we are in, with the brace depth each opened at.
    let mut scope = file.module.clone();
    let mut inline: Vec<usize> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while i < toks.len() {
        let (tok, line) = &toks[i];
        match tok {
            Token::Punct('{') => depth += 1,
            Token::Punct('}') => {
                depth -= 1;
                if inline.last() == Some(&depth) {
                    inline.pop();
                    scope.pop();
                }
            }
            Token::Ident(w) if w == "mod" => {
                if let Some((Token::Ident(name), _)) = toks.get(i + 1) {
                    let mut child = scope.clone();
                    child.push(name.clone());
                    aliases.insert(name.clone(), child);
                    if toks.get(i + 2).map(|t| &t.0) == Some(&Token::Punct('{')) {
                        scope.push(name.clone());
                        inline.push(depth);
                        depth += 1;
                        i += 3;
                        continue;
                    }
                }
            }
            Token::Ident(w) if w == "use" => {
                let mut j = i + 1;
                let mut found = Vec::new();
                use_tree(&toks, &mut j, Vec::new(), &mut found);
                for (segments, alias, line) in found {
                    let rooted = matches!(
                        segments.first().map(String::as_str),
                        Some("crate" | "super" | "self")
                    );
                    let through_alias = segments.first().is_some_and(|s| aliases.contains_key(s));
                    if rooted || through_alias {
                        let abs = absolute(&segments, &scope, &aliases);
                        if let Some(a) = alias {
                            aliases.insert(a, abs.clone());
                        }
                        out.push(Reference {
                            segments,
                            line,
                            absolute: abs,
                        });
                    }
                }
                i = j;
                continue;
            }
            Token::Ident(w) if toks.get(i + 1).map(|t| &t.0) == Some(&Token::PathSep) => {
                let preceded_by_sep = i > 0 && toks[i - 1].0 == Token::PathSep;
                let rooted =
                    matches!(w.as_str(), "crate" | "super" | "self") || aliases.contains_key(w);
                if rooted && !preceded_by_sep {
                    let mut segments = vec![w.clone()];
                    let mut j = i + 1;
                    while toks.get(j).map(|t| &t.0) == Some(&Token::PathSep) {
                        match toks.get(j + 1) {
                            Some((Token::Ident(s), _)) => segments.push(s.clone()),
                            _ => break,
                        }
                        j += 2;
                    }
                    let abs = absolute(&segments, &scope, &aliases);
                    out.push(Reference {
                        segments,
                        line: *line,
                        absolute: abs,
                    });
                    i = j;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The absolute module path a path written in `scope` stands for.
fn absolute(
    segments: &[String],
    scope: &[String],
    aliases: &BTreeMap<String, Vec<String>>,
) -> Vec<String> {
    let mut rest = segments.iter().peekable();
    let mut base: Vec<String> = match rest.peek().map(|s| s.as_str()) {
        Some("crate") => {
            rest.next();
            Vec::new()
        }
        Some("self") => {
            rest.next();
            scope.to_vec()
        }
        Some("super") => {
            let mut b = scope.to_vec();
            while rest.peek().map(|s| s.as_str()) == Some("super") {
                rest.next();
                b.pop();
            }
            b
        }
        Some(name) if aliases.contains_key(name) => {
            let b = aliases[name].clone();
            rest.next();
            b
        }
        _ => scope.to_vec(),
    };
    base.extend(rest.cloned());
    base
}

/// The file a module path lands in: the longest prefix that is a file of the crate.
fn resolve<'a>(path: &[String], files: &'a BTreeMap<Vec<String>, String>) -> Option<&'a String> {
    (0..=path.len()).rev().find_map(|n| files.get(&path[..n]))
}

/// Every import of a file that breaks the layering, as messages.
fn violations(sources: &[SourceFile], layers: &[(&str, u32, &str)]) -> Vec<String> {
    let place: BTreeMap<&str, (u32, &str)> =
        layers.iter().map(|(f, l, c)| (*f, (*l, *c))).collect();
    let files: BTreeMap<Vec<String>, String> = sources
        .iter()
        .map(|s| (s.module.clone(), s.rel.clone()))
        .collect();
    let mut problems = BTreeSet::new();
    for file in sources {
        let Some(&(layer, component)) = place.get(file.rel.as_str()) else {
            continue;
        };
        for r in references(file) {
            let Some(target) = resolve(&r.absolute, &files) else {
                continue;
            };
            if *target == file.rel {
                continue;
            }
            let Some(&(t_layer, t_component)) = place.get(target.as_str()) else {
                continue;
            };
            let allowed = t_layer < layer || (t_layer == layer && t_component == component);
            if !allowed {
                problems.insert(format!(
                    "src/{}:{} ({component}, layer {layer}) uses src/{target} ({t_component}, layer {t_layer}): {}",
                    file.rel,
                    r.line,
                    r.segments.join("::")
                ));
            }
        }
    }
    problems.into_iter().collect()
}

fn sources() -> Vec<SourceFile> {
    let mut out = Vec::new();
    read_sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        "",
        &mut out,
    );
    out.retain(|s| !NOT_IN_THE_LIBRARY.contains(&s.rel.as_str()));
    out
}

#[test]
fn every_file_has_a_layer_and_every_layer_entry_a_file() {
    let sources = sources();
    let on_disk: BTreeSet<&str> = sources.iter().map(|s| s.rel.as_str()).collect();
    let listed: BTreeSet<&str> = LAYERS.iter().map(|(f, _, _)| *f).collect();
    let unlisted: Vec<_> = on_disk.difference(&listed).collect();
    let missing: Vec<_> = listed.difference(&on_disk).collect();
    assert!(
        unlisted.is_empty(),
        "give these files a layer in LAYERS: {unlisted:?}"
    );
    assert!(
        missing.is_empty(),
        "LAYERS names files that do not exist: {missing:?}"
    );
    let mut last = 0;
    for (file, layer, _) in LAYERS {
        assert!(*layer >= last, "LAYERS is not in layer order at {file}");
        last = *layer;
    }
}

#[test]
fn no_module_imports_from_a_layer_above_it() {
    let problems = violations(&sources(), LAYERS);
    assert!(
        problems.is_empty(),
        "imports against the layering:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_crate_root_keeps_its_modules_private() {
    let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs"))
        .expect("src/lib.rs is readable");
    let public: Vec<&str> = lib
        .lines()
        .filter(|l| l.trim_start().starts_with("pub mod "))
        .collect();
    assert!(
        public.is_empty(),
        "public modules in lib.rs (re-export items instead): {public:?}"
    );
}

/// The check itself catches what it is for, and leaves alone what looks like a path but is not.
#[test]
fn the_check_finds_upward_imports_in_every_form() {
    let file = |rel: &str, text: &str| SourceFile {
        rel: rel.into(),
        module: module_of(rel),
        text: text.into(),
    };
    let layers = &[
        ("low.rs", 0, "low"),
        ("high/mod.rs", 1, "high"),
        ("high/part.rs", 1, "high"),
        ("other.rs", 1, "other"),
        ("lib.rs", 2, "root"),
    ];
    let upward = [
        "use crate::high::part::Thing;",
        "use crate::{other, high::{self as h}};",
        "fn f() { crate::other::g(); }",
        "use crate::high; fn f() { high::part::g(); }",
        "fn f() -> crate::Root { todo!() }",
    ];
    for text in upward {
        let sources = vec![
            file("low.rs", text),
            file("high/mod.rs", "mod part;"),
            file("high/part.rs", ""),
            file("other.rs", ""),
            file("lib.rs", "mod low; mod high; mod other;"),
        ];
        assert!(
            !violations(&sources, layers).is_empty(),
            "not caught: {text}"
        );
    }
    // Sideways within one layer but another component; and fine: down, own component, own file,
    // comments, strings, other crates.
    let sideways = vec![
        file("low.rs", ""),
        file("high/mod.rs", "mod part;"),
        file("high/part.rs", "use crate::other::X;"),
        file("other.rs", ""),
        file("lib.rs", ""),
    ];
    assert_eq!(violations(&sideways, layers).len(), 1);
    let fine = vec![
        file(
            "low.rs",
            "// use crate::other;\nconst S: &str = \"crate::other::x\";\nuse std::fmt;\n\
             mod tests { use super::*; fn f<'a>(_: &'a str) -> char { 'x' } }",
        ),
        file(
            "high/mod.rs",
            "mod part; use part::Y; fn f() { part::g(); crate::low::h(); }",
        ),
        file("high/part.rs", "use super::Z; use crate::low::{self, W};"),
        file("other.rs", "/* crate::high */ use crate::low::Q;"),
        file("lib.rs", "mod low; pub use high::part::Y;"),
    ];
    assert_eq!(violations(&fine, layers), Vec::<String>::new());
}
