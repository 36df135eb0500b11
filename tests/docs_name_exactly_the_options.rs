//! One option list: the table in src/opts.rs is the only place an option exists, and what
//! people read must name exactly its options and variables: `--help` under each name, the
//! man page (docs/boxinit.1) and the pages of docs/ (README.md may name none it lacks).
//! The man page must also render without a warning from mandoc, groff and man.
//!
//! The table is read from the source: its rows are regular data, one
//! `spec(Opt::X, "long", b's', "VARIABLE", WHO)` call each, and a row this test cannot read
//! fails it rather than being skipped.
//!
//! In the Markdown pages a name counts as boxinit's when it is in code: a span that starts
//! with an option (`--bind SRC:DST`) or with `boxinit`, a line of a code block from `boxinit`
//! to its `--`, or a table cell under a boxinit column (`option`, `boxinit`, `environment`,
//! `meaning`). Other programs' options are written after their program's name
//! (`bwrap --dev-bind`) or in a column headed by it, and are not boxinit's.

mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};
use support::{text, TempDir};

const PREFIXES: [&str; 4] = ["BOXINIT_", "TINI_", "DUMB_INIT_", "CATATONIT_"];

// The personalities' bits, as in the table.
const B: u8 = 1;
const T: u8 = 2;
const D: u8 = 4;
const C: u8 = 8;

/// One row of the option table.
struct Row {
    long: Option<String>,
    short: Option<char>,
    env: Option<String>,
    who: u8,
}

fn repo(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// The rows of the option table (`ROWS`) in src/opts.rs.
fn table() -> Vec<Row> {
    let source = repo("src/opts.rs");
    let start = source
        .find("const ROWS: &[Row] = &[")
        .expect("src/opts.rs has no ROWS table");
    let body = &source[start..];
    let body = &body[body.find('\n').unwrap() + 1..body.find("\n];").unwrap()];
    let rows: Vec<Row> = body
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .map(|l| row(l).unwrap_or_else(|| panic!("a row of ROWS this test cannot read: {l}")))
        .collect();
    assert!(rows.len() > 50, "only {} rows read from ROWS", rows.len());
    rows
}

/// `with_value(spec(Opt::X, "long", b's', "ENV", B | T)),` or `spec(...),`.
fn row(line: &str) -> Option<Row> {
    let args = line.split_once("spec(")?.1;
    let args = args.trim_end_matches(',').trim_end_matches(')');
    let args = args.strip_suffix(')').unwrap_or(args);
    let parts: Vec<&str> = args.splitn(5, ',').map(str::trim).collect();
    let [opt, long, short, env, who] = parts[..] else {
        return None;
    };
    opt.strip_prefix("Opt::")?;
    let string = |s: &str| {
        let s = s.strip_prefix('"')?.strip_suffix('"')?;
        Some((!s.is_empty()).then(|| s.to_owned()))
    };
    let short = match short {
        "0" => None,
        s => Some(s.strip_prefix("b'")?.strip_suffix('\'')?.chars().next()?),
    };
    Some(Row {
        long: string(long)?,
        short,
        env: string(env)?,
        who: personalities(who)?,
    })
}

/// `ALL`, `B | T`, `ALL & !D`: evaluated left to right.
fn personalities(expr: &str) -> Option<u8> {
    let term = |t: &str| {
        let (not, name) = match t.strip_prefix('!') {
            Some(name) => (true, name),
            None => (false, t),
        };
        let bits = match name {
            "B" => B,
            "T" => T,
            "D" => D,
            "C" => C,
            "ALL" => B | T | D | C,
            _ => return None,
        };
        Some(if not { !bits } else { bits })
    };
    let mut words = expr.split_whitespace();
    let mut value = term(words.next()?)?;
    while let Some(op) = words.next() {
        let next = term(words.next()?)?;
        value = match op {
            "|" => value | next,
            "&" => value & next,
            _ => return None,
        };
    }
    Some(value)
}

fn longs(rows: &[Row], who: u8) -> BTreeSet<String> {
    let known = rows.iter().filter(|r| r.who & who != 0);
    known.filter_map(|r| r.long.clone()).collect()
}

fn shorts(rows: &[Row], who: u8) -> BTreeSet<char> {
    rows.iter()
        .filter(|r| r.who & who != 0)
        .filter_map(|r| r.short)
        .collect()
}

fn variables(rows: &[Row], who: u8) -> BTreeSet<String> {
    let known = rows.iter().filter(|r| r.who & who != 0);
    known.filter_map(|r| r.env.clone()).collect()
}

/// What a text names: long options (`join-` for a family such as `--join-KIND` or
/// `--join-*`), short options and variables.
#[derive(Default)]
struct Names {
    longs: BTreeSet<String>,
    families: BTreeSet<String>,
    shorts: BTreeSet<char>,
    variables: BTreeSet<String>,
}

impl Names {
    fn of(text: &str) -> Names {
        let mut names = Names::default();
        names.add(text);
        names
    }

    fn add(&mut self, text: &str) {
        let chars: Vec<char> = text.chars().collect();
        let word = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        for i in 0..chars.len() {
            let before = if i == 0 { ' ' } else { chars[i - 1] };
            if chars[i] != '-' || word(before) {
                continue;
            }
            let rest: String = chars[i + 1..].iter().collect();
            if let Some(long) = rest.strip_prefix('-') {
                let name: String = long
                    .chars()
                    .take_while(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    .collect();
                let after = long[name.len()..].chars().next().unwrap_or(' ');
                if name.ends_with('-') && (after == '*' || after.is_ascii_uppercase()) {
                    self.families.insert(name);
                } else if name.starts_with(|c: char| c.is_ascii_lowercase()) {
                    self.longs.insert(name.trim_end_matches('-').to_owned());
                }
            } else if matches!(before, ' ' | '/' | '(' | '[' | '`' | '"' | '\t')
                || i == 0
                || before == '\n'
            {
                let mut it = rest.chars();
                if let (Some(letter), next) = (it.next(), it.next().unwrap_or(' ')) {
                    if letter.is_ascii_alphabetic() && !word(next) {
                        self.shorts.insert(letter);
                    }
                }
            }
        }
        for prefix in PREFIXES {
            for (at, _) in text.match_indices(prefix) {
                let before = text[..at].chars().next_back().unwrap_or(' ');
                if before.is_ascii_alphanumeric() || before == '_' {
                    continue;
                }
                let name: String = text[at..]
                    .chars()
                    .take_while(|&c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                    .collect();
                let name = name.trim_end_matches('_');
                let words = name[prefix.len().min(name.len())..].split('_');
                // BOXINIT_* is the family; BOXINIT_X_Y a placeholder in the rule for names.
                let placeholder = words.clone().all(|w| w.len() <= 1);
                if name.len() > prefix.len() && !placeholder {
                    self.variables.insert(name.to_owned());
                }
            }
        }
    }

    fn longs_covered(&self, table: &BTreeSet<String>) -> BTreeSet<String> {
        let by_family = table
            .iter()
            .filter(|l| self.families.iter().any(|f| l.starts_with(f.as_str())));
        self.longs
            .iter()
            .cloned()
            .chain(by_family.cloned())
            .collect()
    }
}

/// `named` is exactly `table`: nothing of the table missing, nothing the table lacks.
#[track_caller]
fn assert_same<T: Ord + std::fmt::Debug + Clone>(
    what: &str,
    named: &BTreeSet<T>,
    table: &BTreeSet<T>,
) {
    let missing: Vec<&T> = table.difference(named).collect();
    assert!(missing.is_empty(), "{what}: missing {missing:?}");
    assert_known(what, named, table);
}

#[track_caller]
fn assert_known<T: Ord + std::fmt::Debug + Clone>(
    what: &str,
    named: &BTreeSet<T>,
    table: &BTreeSet<T>,
) {
    let unknown: Vec<&T> = named.difference(table).collect();
    assert!(
        unknown.is_empty(),
        "{what} names what src/opts.rs's table does not have: {unknown:?}"
    );
}

/// The help each name prints, stdout and stderr together (tini and boxinit use stdout,
/// dumb-init and catatonit stderr).
fn help(name: &str) -> String {
    let dir = TempDir::new("help");
    let link = dir.path().join(name);
    std::os::unix::fs::symlink(support::boxinit(), &link).unwrap();
    let flag = if name == "catatonit" { "-h" } else { "--help" };
    let mut cmd = Command::new(&link);
    support::strip_options_env(&mut cmd);
    let out: Output = support::run(cmd.arg(flag));
    assert!(out.status.success(), "{name} {flag}: {:?}", out.status);
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

#[test]
fn help_names_every_option_of_the_table_and_no_other() {
    let rows = table();
    let help = help("boxinit");
    let names = Names::of(&help);
    let table = longs(&rows, B);
    for family in &names.families {
        assert!(
            table.iter().any(|l| l.starts_with(family.as_str())),
            "boxinit --help names a family of options the table lacks: --{family}"
        );
    }
    assert_same(
        "boxinit --help, long options",
        &names.longs_covered(&table),
        &table,
    );
    assert_same(
        "boxinit --help, short options",
        &names.shorts,
        &shorts(&rows, B),
    );
}

#[test]
fn each_personalitys_help_names_its_own_flags_only() {
    let rows = table();
    for (name, who) in [("tini", T), ("dumb-init", D), ("catatonit", C)] {
        let names = Names::of(&help(name));
        let what = format!("{name} --help");
        assert_same(
            &format!("{what}, short options"),
            &names.shorts,
            &shorts(&rows, who),
        );
        assert_known(
            &format!("{what}, long options"),
            &names.longs,
            &longs(&rows, who),
        );
        assert_known(
            &format!("{what}, variables"),
            &names.variables,
            &variables(&rows, who),
        );
    }
}

/// A variable is in the help when the help names it, or when it is BOXINIT_ and its long
/// option's name, which boxinit's help gives as the rule.
#[test]
fn help_gives_every_variable_by_name_or_by_the_rule() {
    let rows = table();
    let boxinit = help("boxinit");
    assert!(
        boxinit.contains("--X-Y") && boxinit.contains("BOXINIT_X_Y"),
        "boxinit --help no longer states how variables are named:\n{boxinit}"
    );
    let mut named = Names::of(&boxinit).variables;
    assert_known("boxinit --help", &named, &variables(&rows, B));
    for (name, who) in [("tini", T), ("dumb-init", D), ("catatonit", C)] {
        let theirs = Names::of(&help(name)).variables;
        assert_known(&format!("{name} --help"), &theirs, &variables(&rows, who));
        named.extend(theirs);
    }
    for row in &rows {
        let Some(env) = &row.env else { continue };
        let by_rule = row.long.as_ref().is_some_and(|l| {
            *env == format!("BOXINIT_{}", l.to_ascii_uppercase().replace('-', "_"))
        });
        assert!(
            by_rule || named.contains(env),
            "{env} is neither named in a --help nor the rule's name of its option"
        );
    }
}

/// The man page's source as text: roff escapes and macro names taken away.
fn man_text(source: &str) -> Vec<(bool, String)> {
    let mut lines = Vec::new();
    for line in source.lines() {
        if line.starts_with(".\\\"") {
            continue;
        }
        let macro_line = line.starts_with('.');
        let mut text = line.to_owned();
        for (from, to) in [
            ("\\-", "-"),
            ("\\fB", ""),
            ("\\fI", ""),
            ("\\fR", ""),
            ("\\fP", ""),
            ("\\&", ""),
            ("\\%", ""),
            ("\\e", "\\"),
            ("\\(dq", "\""),
            ("\\(lq", "\""),
            ("\\(rq", "\""),
            ("\\(mu", "x"),
            ("\\(em", " "),
        ] {
            text = text.replace(from, to);
        }
        if macro_line {
            text = text
                .split_once(' ')
                .map_or(String::new(), |(_, args)| args.replace('"', " "));
        }
        lines.push((macro_line, text));
    }
    lines
}

/// The lines of section `name` (`.SH NAME` to the next `.SH`) of the man page's source.
fn man_section<'a>(source: &'a str, name: &str) -> Vec<&'a str> {
    let heading = format!(".SH {name}");
    let mut lines = source.lines().skip_while(|l| *l != heading);
    assert!(lines.next().is_some(), "the man page has no {heading}");
    lines.take_while(|l| !l.starts_with(".SH ")).collect()
}

#[test]
fn man_page_options_are_exactly_the_tables() {
    let rows = table();
    let source = repo("docs/boxinit.1");
    let options = man_section(&source, "OPTIONS");
    // An option's entry: the line after .TP is its tag.
    let tags: String = options
        .windows(2)
        .filter(|w| w[0].starts_with(".TP"))
        .map(|w| format!("{}\n", w[1]))
        .collect();
    let tags = Names::of(
        &man_text(&tags)
            .into_iter()
            .map(|(_, t)| t + "\n")
            .collect::<String>(),
    );
    assert_same(
        "man page OPTIONS entries, long options",
        &tags.longs,
        &longs(&rows, B),
    );
    assert_same(
        "man page OPTIONS entries, short options",
        &tags.shorts,
        &shorts(&rows, B),
    );
    assert!(
        tags.families.is_empty(),
        "an OPTIONS entry names a family: {:?}",
        tags.families
    );
    let section: String = man_text(&options.join("\n"))
        .into_iter()
        .map(|(_, t)| t + "\n")
        .collect();
    let all_variables = variables(&rows, B | T | D | C);
    assert_same(
        "man page OPTIONS, variables",
        &Names::of(&section).variables,
        &all_variables,
    );
    let page: String = man_text(&source)
        .into_iter()
        .map(|(_, t)| t + "\n")
        .collect();
    let page = Names::of(&page);
    assert_known("the man page", &page.longs, &longs(&rows, B));
    assert_known("the man page", &page.variables, &all_variables);
}

#[test]
fn man_page_has_the_sections_a_reader_looks_for() {
    let source = repo("docs/boxinit.1");
    for section in [
        "NAME",
        "SYNOPSIS",
        "DESCRIPTION",
        "OPTIONS",
        "PERSONALITIES",
        "EXIT STATUS",
        "ENVIRONMENT",
        "FILES",
        "EXAMPLES",
        "SEE ALSO",
    ] {
        man_section(&source, section);
    }
}

/// Run `program` with `args`; its stdout and stderr must hold nothing but `allowed` output.
fn quiet(program: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let out = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e} (tests/install-deps.sh installs it)"));
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{program} {args:?}: {:?}\n{}",
        out.status,
        text(&out.stderr)
    );
    out
}

#[test]
fn man_page_renders_without_a_warning() {
    let lint = quiet("mandoc", &["-T", "lint", "docs/boxinit.1"], &[]);
    assert!(lint.stdout.is_empty(), "{}", text(&lint.stdout));
    quiet("groff", &["-ww", "-man", "-z", "docs/boxinit.1"], &[]);
    let man = quiet(
        "man",
        &["--warnings", "-l", "docs/boxinit.1"],
        &[
            ("MANWIDTH", "80"),
            ("MANPAGER", "cat"),
            ("LC_ALL", "C.UTF-8"),
        ],
    );
    let page = text(&man.stdout);
    assert!(page.contains("--rootfs DIR, BOXINIT_ROOTFS=DIR"), "{page}");
}

/// The names a Markdown page gives as boxinit's (see the top of this file).
fn markdown_names(page: &str) -> Names {
    let mut names = Names::default();
    let mut in_block = false;
    let mut continued = false;
    let mut columns: Vec<bool> = Vec::new();
    for line in page.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continued = false;
            continue;
        }
        if in_block {
            let from = if continued {
                Some(0)
            } else {
                line.find("boxinit").map(|at| at + "boxinit".len())
            };
            if let Some(from) = from {
                let rest = &line[from..];
                let end = rest
                    .split_whitespace()
                    .position(|w| matches!(w.trim_matches(|c| c == '"' || c == ','), "--"));
                let words: Vec<&str> = rest.split_whitespace().collect();
                names.add(&words[..end.unwrap_or(words.len())].join(" "));
                continued = line.ends_with('\\') && end.is_none();
            }
            names.add_variables_only(line);
            continue;
        }
        if line.starts_with('|') {
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            if cells
                .iter()
                .all(|c| c.chars().all(|ch| ch == '-' || ch == ':'))
            {
                continue;
            }
            if columns.is_empty() {
                columns = cells
                    .iter()
                    .map(|h| {
                        let h = h.to_ascii_lowercase();
                        matches!(h.as_str(), "option" | "boxinit" | "environment" | "meaning")
                    })
                    .collect();
                continue;
            }
            for (cell, ours) in cells.iter().zip(&columns) {
                if *ours {
                    names.add_spans(cell);
                } else {
                    names.add_variables_only(cell);
                }
            }
            continue;
        }
        columns.clear();
        names.add_spans(line);
    }
    names
}

impl Names {
    /// The code spans of `line` that are boxinit's: those that start with an option or
    /// `boxinit`; variables anywhere.
    fn add_spans(&mut self, line: &str) {
        for (i, span) in line.split('`').enumerate() {
            if i % 2 == 1 {
                let first = span.split_whitespace().next().unwrap_or("");
                if first.starts_with('-') || first == "boxinit" {
                    self.add(span);
                }
            }
        }
        self.add_variables_only(line);
    }

    fn add_variables_only(&mut self, text: &str) {
        let only = Names::of(text);
        self.variables.extend(only.variables);
    }
}

fn docs_pages() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let mut pages: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    pages.sort();
    assert!(pages.len() >= 6, "docs/ has only {} pages", pages.len());
    pages
}

#[test]
fn docs_name_every_option_and_variable_of_the_table_and_no_other() {
    let rows = table();
    let table_longs = longs(&rows, B);
    let all_variables = variables(&rows, B | T | D | C);
    let mut all = Names::default();
    for (name, page) in docs_pages() {
        let names = markdown_names(&page);
        assert_known(&format!("docs/{name}"), &names.longs, &table_longs);
        assert_known(&format!("docs/{name}"), &names.variables, &all_variables);
        all.longs.extend(names.longs);
        all.variables.extend(names.variables);
    }
    assert_same("docs/, long options", &all.longs, &table_longs);
    assert_same("docs/, variables", &all.variables, &all_variables);
}

#[test]
fn readme_names_no_option_the_table_lacks() {
    let rows = table();
    let names = markdown_names(&repo("README.md"));
    assert_known("README.md", &names.longs, &longs(&rows, B));
    assert_known(
        "README.md",
        &names.variables,
        &variables(&rows, B | T | D | C),
    );
}

#[test]
fn readme_stays_short() {
    let lines = repo("README.md").lines().count();
    assert!(
        lines <= 200,
        "README.md has {lines} lines: move detail to docs/"
    );
}
