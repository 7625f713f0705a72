//! Directory of agencies: canonical names, aliases, abbreviations, provinces and the 2025
//! succession of merged bodies, loaded from `dictionaries/agencies.tsv`.
//!
//! Matching is done on folded (diacritic-free, lowercase) text, so "Bo Thong tin va Truyen
//! thong" and "Bộ Thông tin và Truyền thông" resolve alike. Abbreviations ("VPCP", "Sở TT&TT")
//! are matched case-sensitively so that they do not fire on ordinary words.
//!
//! Canonical names of provincial bodies include their province: in a letter of a Kiên Giang
//! body, "Sở Thông tin và Truyền thông" and "Công an tỉnh" resolve to "Sở Thông tin và Truyền
//! thông tỉnh Kiên Giang" and "Công an tỉnh Kiên Giang". Without a known province the bare
//! name is kept. This keeps one stable key per real body.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::folded::{Folded, fold_lower, squash};
use super::re;

/// The level of government (or kind of row) of a directory entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// A body of the central State.
    Central,
    /// A body present in every province.
    Provincial,
    /// A body present in every district.
    District,
    /// A collective addressee such as "Các bộ, ngành, địa phương".
    Collective,
    /// A province-level unit ("tỉnh Kiên Giang").
    Province,
    /// An abbreviation and its expansion.
    Abbreviation,
}

/// One row of the directory.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Level of the row.
    pub level: Level,
    /// Canonical name (without locality for provincial and district bodies).
    pub canonical: String,
    /// Other spellings and abbreviations.
    pub aliases: Vec<String>,
    /// Canonical name of the body that took over, if any.
    pub successor: Option<String>,
    /// The name denotes a body only when followed by its locality ("Công an tỉnh").
    pub locality_required: bool,
}

/// Errors while loading a directory.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// A data line does not have five tab-separated columns.
    #[error("line {line}: expected 5 tab-separated columns, found {found}")]
    Columns {
        /// 1-based line number.
        line: usize,
        /// Number of columns found.
        found: usize,
    },
    /// The level column holds an unknown value.
    #[error("line {line}: unknown level {level:?}")]
    Level {
        /// 1-based line number.
        line: usize,
        /// The value found.
        level: String,
    },
    /// The patterns built from the aliases do not compile.
    #[error("agency pattern: {0}")]
    Pattern(#[from] regex::Error),
}

/// Where a text comes from, used to place provincial bodies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// Canonical province of the issuing body, e.g. "tỉnh Kiên Giang".
    pub province: Option<String>,
    /// District or commune of the issuing body, e.g. "huyện Mường Ảng", "xã Tân Phú": a
    /// district's or commune's own bodies ("Phòng Tài chính - Kế hoạch", "Công an xã")
    /// resolve in it.
    pub locality: Option<String>,
}

/// An agency found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// Byte offset of the start of the mention in the text searched.
    pub start: usize,
    /// Byte offset of the end of the mention (locality included).
    pub end: usize,
    /// The canonical name.
    pub canonical: String,
    /// Level of the body.
    pub level: Level,
}

/// The agency directory with its compiled matchers.
#[derive(Debug)]
pub struct Directory {
    entries: Vec<Entry>,
    lower_re: Option<Regex>,
    cased_re: Option<Regex>,
    lower_keys: HashMap<String, usize>,
    cased_keys: HashMap<String, usize>,
    province_keys: HashMap<String, usize>,
    abbr_re: Option<Regex>,
    abbr: HashMap<String, String>,
}

static DIRECTORY: LazyLock<Directory> = LazyLock::new(|| {
    Directory::from_tsv(include_str!("../../dictionaries/agencies.tsv"))
        .unwrap_or_else(|_| Directory::empty())
});

static LOCALITY_UNIT: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^[ \t]*\n?[ \t]*(tinh|thanh pho|tp\.?|huyen|thi xa|quan|xa|phuong|thi tran)\b")
});
static EVERY_PROVINCE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^[ \t]+(?P<branch>chi\s+nhanh\s+)?cac\s+tinh\s*,\s*(?:thanh\s+pho|tp)(?:\s+truc\s+thuoc\s+(?:trung\s+uong|tw))?\b",
    )
});
static COLLECTIVE_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:\s*,\s*doan\s+the)?(?:[ \t]+(?:cap\s+)?(?:tinh|huyen))?(?:[ \t]+(?:la\s+)?thanh\s+vien\s+ban\s+chi\s+dao)?",
    )
});
static LEADER: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^(?:thu\s+truong|giam\s+doc|chu\s+tich|lanh\s+dao)\s+(?:cac\s|uy\s+ban|ubnd)")
});
/// "các tỉnh" before a list of provinces named ("Ủy ban nhân dân các tỉnh Quảng Bình, ...").
static PROVINCE_LIST: LazyLock<Regex> = LazyLock::new(|| re(r"^[ \t]+cac\s+tinh(?:\s*:)?"));
/// A separator between the names of a list: a comma or "và" ("Quảng Nam và Quảng Ngãi").
static LIST_SEPARATOR: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*(?:,\s*va\b|,|va\b)"));
static NAME_WORD: LazyLock<Regex> = LazyLock::new(|| re(r"^[ \t]+([a-z0-9][a-z0-9']*)"));

/// The first words of agency names as OCR misreads them ("BG" for "Bộ"), from
/// `dictionaries/agency-heads-ocr.tsv`: (misread form as written, folded word it stands for).
static MISREAD_HEADS: LazyLock<Vec<(String, String)>> =
    LazyLock::new(|| misread_heads(include_str!("../../dictionaries/agency-heads-ocr.tsv")));

/// Reads the table of misread head words; rows whose two forms fold to different lengths are
/// left out (the repair must keep the folded text's offsets).
fn misread_heads(data: &str) -> Vec<(String, String)> {
    data.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let (bad, good) = l.split_once('\t')?;
            let (bad, good) = (bad.trim(), fold_lower(good.trim()));
            (!bad.is_empty() && fold_lower(bad).len() == good.len())
                .then(|| (bad.to_string(), good))
        })
        .collect()
}

/// The folded text with the head words of agency names that OCR misread put right ("bg quoc
/// phong" → "bo quoc phong"): a misread form written as a whole word and followed by a
/// capitalised word. Offsets are those of `folded.text`.
fn repaired_heads<'a>(text: &str, folded: &'a Folded) -> std::borrow::Cow<'a, str> {
    let mut out: Option<String> = None;
    for (bad, good) in MISREAD_HEADS.iter() {
        let bad_f = fold_lower(bad);
        for (at, _) in folded.cased.match_indices(crate::text::fold(bad).as_str()) {
            let end = at + bad_f.len();
            let before_ok = folded.cased[..at]
                .chars()
                .next_back()
                .is_none_or(|c| c.is_whitespace() || matches!(c, '(' | ',' | ';' | ':' | '-'));
            let mut after = folded.cased[end..].chars();
            let after_ok = after.next().is_some_and(|c| c == ' ')
                && after.next().is_some_and(char::is_uppercase);
            // Only where the original is the misread form itself (the fold drops marks).
            let (os, oe) = folded.orig_range(at, end);
            if before_ok && after_ok && text.get(os..oe) == Some(bad.as_str()) {
                let buf = out.get_or_insert_with(|| folded.text.clone());
                buf.replace_range(at..end, good);
            }
        }
    }
    match out {
        Some(s) => std::borrow::Cow::Owned(s),
        None => std::borrow::Cow::Borrowed(&folded.text),
    }
}

fn key(s: &str) -> String {
    fold_lower(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == '–' { '-' } else { c })
        .collect()
}

/// Key of an abbreviated alias: abbreviation tokens keep their case, other words are lowered.
fn cased_key(s: &str) -> String {
    crate::text::fold(s)
        .split_whitespace()
        .map(|w| {
            if is_abbreviation(w) {
                w.to_string()
            } else {
                w.to_lowercase()
            }
        })
        .collect::<String>()
        .replace('–', "-")
}

/// An alias is an abbreviation when one of its tokens is an all-capital word of 2+ letters.
fn is_abbreviation(alias: &str) -> bool {
    alias.split_whitespace().any(|w| {
        let letters: Vec<char> = w.chars().filter(|c| c.is_alphabetic()).collect();
        letters.len() >= 2
            && letters.iter().filter(|c| c.is_uppercase()).count() >= 2
            && !letters.iter().skip(1).all(|c| c.is_lowercase())
    })
}

/// Pattern of an alias; in an abbreviated alias, only the abbreviation tokens keep their case.
fn cased_alias_pattern(folded: &str) -> String {
    let mut out = String::new();
    for (i, w) in folded.split_whitespace().enumerate() {
        if i > 0 {
            out.push_str(r"\s*");
        }
        let p = alias_pattern(w);
        if is_abbreviation(w) {
            out.push_str(&p);
        } else {
            out.push_str(&format!("(?i:{p})"));
        }
    }
    out
}

fn alias_pattern(folded: &str) -> String {
    let mut out = String::new();
    let words: Vec<&str> = folded.split_whitespace().collect();
    let mut prev_sep = true;
    for w in words {
        if w == "-" || w == "–" {
            out.push_str(r"\s*[-–,]?\s*");
            prev_sep = true;
            continue;
        }
        if !prev_sep {
            out.push_str(r"\s+");
        }
        for c in w.chars() {
            match c {
                '&' => out.push_str(r"\s*&\s*"),
                '-' | '–' => out.push_str(r"\s*[-–]\s*"),
                ',' => out.push_str(r"\s*,\s*"),
                '.' => out.push_str(r"\.?\s*"),
                _ => out.push_str(&regex::escape(c.encode_utf8(&mut [0u8; 4]))),
            }
        }
        prev_sep = w.ends_with(',');
    }
    out
}

fn build_regex(mut alts: Vec<(String, String)>) -> Result<Option<Regex>, regex::Error> {
    if alts.is_empty() {
        return Ok(None);
    }
    alts.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
    alts.dedup_by(|a, b| a.0 == b.0);
    let body: Vec<String> = alts.into_iter().map(|(_, p)| p).collect();
    let pattern = super::ascii_boundaries(&format!(r"\b(?:{})\b", body.join("|")));
    regex::RegexBuilder::new(&pattern)
        .size_limit(64 << 20)
        .dfa_size_limit(64 << 20)
        .build()
        .map(Some)
}

impl Directory {
    /// The directory shipped in `dictionaries/agencies.tsv`.
    pub fn global() -> &'static Directory {
        &DIRECTORY
    }

    fn empty() -> Directory {
        Directory {
            entries: Vec::new(),
            lower_re: None,
            cased_re: None,
            lower_keys: HashMap::new(),
            cased_keys: HashMap::new(),
            province_keys: HashMap::new(),
            abbr_re: None,
            abbr: HashMap::new(),
        }
    }

    /// Parses a directory in the format of `agencies.tsv` (see its header comment).
    pub fn from_tsv(data: &str) -> Result<Directory, DirectoryError> {
        let mut dir = Directory::empty();
        for (n, line) in data.lines().enumerate() {
            let line_no = n + 1;
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            if cols.len() != 5 {
                return Err(DirectoryError::Columns {
                    line: line_no,
                    found: cols.len(),
                });
            }
            let level = match cols[0].trim() {
                "central" => Level::Central,
                "provincial" => Level::Provincial,
                "district" => Level::District,
                "collective" => Level::Collective,
                "province" => Level::Province,
                "abbr" => Level::Abbreviation,
                other => {
                    return Err(DirectoryError::Level {
                        line: line_no,
                        level: other.to_string(),
                    });
                }
            };
            let aliases: Vec<String> = cols[2]
                .split('|')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect();
            let successor = Some(cols[3].trim())
                .filter(|s| !s.is_empty())
                .map(str::to_string);
            dir.entries.push(Entry {
                level,
                canonical: cols[1].trim().to_string(),
                aliases,
                successor,
                locality_required: cols[4].contains("locality-required"),
            });
        }
        // Every province has its newspaper named after it ("Báo Hưng Yên").
        let newspapers: Vec<Entry> = dir
            .entries
            .iter()
            .filter(|e| e.level == Level::Province)
            .filter_map(|e| {
                let bare = e
                    .canonical
                    .strip_prefix("tỉnh ")
                    .or_else(|| e.canonical.strip_prefix("thành phố "))?;
                Some(Entry {
                    level: Level::Central,
                    canonical: format!("Báo {bare}"),
                    aliases: Vec::new(),
                    successor: None,
                    locality_required: false,
                })
            })
            .collect();
        dir.entries.extend(newspapers);
        // Abbreviations first, so that abbreviated aliases also match written out in full.
        let abbr_rows: Vec<(String, Vec<String>)> = dir
            .entries
            .iter()
            .filter(|e| e.level == Level::Abbreviation)
            .map(|e| (e.canonical.clone(), e.aliases.clone()))
            .collect();
        let expand = |alias: &str| -> String {
            alias
                .split(' ')
                .map(|w| {
                    let core = w.trim_end_matches([',', ';']);
                    let tail = &w[core.len()..];
                    match abbr_rows
                        .iter()
                        .find(|(_, abs)| abs.iter().any(|a| a == core))
                    {
                        Some((exp, _)) => format!("{exp}{tail}"),
                        None => w.to_string(),
                    }
                })
                .collect::<Vec<String>>()
                .join(" ")
        };
        for e in dir.entries.iter_mut() {
            if matches!(e.level, Level::Abbreviation | Level::Province) {
                continue;
            }
            let extra: Vec<String> = e
                .aliases
                .iter()
                .filter(|a| is_abbreviation(a))
                .map(|a| expand(a))
                .filter(|x| !is_abbreviation(x))
                .collect();
            for x in extra {
                if !e.aliases.contains(&x) && x != e.canonical {
                    e.aliases.push(x);
                }
            }
        }
        let mut lower_alts = Vec::new();
        let mut cased_alts = Vec::new();
        let mut abbr_alts = Vec::new();
        for (i, e) in dir.entries.iter().enumerate() {
            match e.level {
                Level::Abbreviation => {
                    for a in &e.aliases {
                        for form in [a.clone(), crate::text::fold(a)] {
                            dir.abbr.insert(form.clone(), e.canonical.clone());
                            abbr_alts.push((form.clone(), regex::escape(&form)));
                        }
                    }
                    continue;
                }
                Level::Province => {
                    let bare = e
                        .canonical
                        .strip_prefix("tỉnh ")
                        .or_else(|| e.canonical.strip_prefix("thành phố "))
                        .unwrap_or(&e.canonical);
                    dir.province_keys.insert(key(bare), i);
                    for a in &e.aliases {
                        dir.province_keys.insert(key(a), i);
                    }
                    continue;
                }
                _ => {}
            }
            for name in std::iter::once(&e.canonical).chain(e.aliases.iter()) {
                if is_abbreviation(name) {
                    let f = crate::text::fold(name);
                    dir.cased_keys.insert(cased_key(name), i);
                    cased_alts.push((f.clone(), cased_alias_pattern(&f)));
                } else {
                    let f = fold_lower(name);
                    dir.lower_keys.insert(key(name), i);
                    lower_alts.push((f.clone(), alias_pattern(&f)));
                }
            }
        }
        dir.lower_re = build_regex(lower_alts)?;
        dir.cased_re = build_regex(cased_alts)?;
        dir.abbr_re = build_regex(abbr_alts)?;
        Ok(dir)
    }

    /// All entries of the directory.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Finds the province named by `name` ("Kiên Giang", "tỉnh Kiên Giang", "TP.HCM") and returns
    /// its canonical form ("tỉnh Kiên Giang").
    pub fn province(&self, name: &str) -> Option<&str> {
        let k = key(name);
        let k = k
            .strip_prefix("tinh")
            .or_else(|| k.strip_prefix("thanhpho"))
            .filter(|rest| self.province_keys.contains_key(*rest))
            .unwrap_or(&k);
        self.province_keys
            .get(k)
            .and_then(|&i| self.entries.get(i))
            .map(|e| e.canonical.as_str())
    }

    /// Finds the province whose name is closest to `name` as misread by OCR ("Hà NG@i" →
    /// "thành phố Hà Nội"): within two edits when the name holds a character that is not a
    /// letter, one edit otherwise; `None` when two provinces are as close.
    pub fn province_near(&self, name: &str) -> Option<&str> {
        let k = key(name);
        if k.chars().count() < 5 {
            return None;
        }
        let max = if k.chars().all(char::is_alphabetic) {
            1
        } else {
            2
        };
        let mut best: Option<(usize, usize)> = None;
        let mut tie = false;
        for (pk, &i) in &self.province_keys {
            let d = edit_distance(&k, pk, max);
            if d > max {
                continue;
            }
            match best {
                Some((bd, bi)) if d == bd && bi != i => tie = true,
                Some((bd, _)) if d >= bd => {}
                _ => {
                    best = Some((d, i));
                    tie = false;
                }
            }
        }
        if tie {
            return None;
        }
        best.and_then(|(_, i)| self.entries.get(i))
            .map(|e| e.canonical.as_str())
    }

    /// Finds every agency mentioned in `text`, left to right, without overlaps.
    pub fn find_mentions(&self, text: &str, ctx: &Context) -> Vec<Mention> {
        let folded = Folded::new(text);
        self.find_mentions_folded(text, &folded, ctx)
    }

    /// Like [`Directory::find_mentions`] on a text already folded.
    pub fn find_mentions_folded(&self, text: &str, folded: &Folded, ctx: &Context) -> Vec<Mention> {
        let mut raw: Vec<(usize, usize, usize)> = Vec::new();
        let heads = repaired_heads(text, folded);
        if let Some(re) = &self.lower_re {
            for m in re.find_iter(&heads) {
                if let Some(&i) = self.lower_keys.get(&key(m.as_str())) {
                    raw.push((m.start(), m.end(), i));
                }
            }
        }
        if let Some(re) = &self.cased_re {
            for m in re.find_iter(&folded.cased) {
                if let Some(&i) = self.cased_keys.get(&cased_key(m.as_str())) {
                    raw.push((m.start(), m.end(), i));
                }
            }
        }
        raw.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(&a.1)));
        let mut out: Vec<Mention> = Vec::new();
        let mut last_end = 0usize;
        for (s, e, i) in raw {
            if s < last_end {
                continue;
            }
            let Some(entry) = self.entries.get(i) else {
                continue;
            };
            let every = EVERY_PROVINCE.captures(folded.text.get(e..).unwrap_or(""));
            let (canonical, end) = if entry.level == Level::Collective {
                self.collective_words(text, folded, s, e, entry)
            } else if let Some(c) = every.filter(|c| {
                entry.level == Level::Provincial
                    || (entry.level == Level::Central && c.name("branch").is_some())
            }) {
                // "Sở Y tế các tỉnh, thành phố trực thuộc Trung ương": that body of every
                // province, written in its own words.
                let tail_end = e + c.get(0).map(|m| m.end()).unwrap_or(0);
                let (os, oe) = folded.orig_range(s, e);
                let base = if entry.level == Level::Provincial {
                    entry.canonical.clone()
                } else {
                    self.expand_abbreviations(&squash(text.get(os..oe).unwrap_or("")))
                };
                let (ts, te) = folded.orig_range(e, tail_end);
                let tail = self.expand_abbreviations(&squash(text.get(ts..te).unwrap_or("")));
                (format!("{base} {tail}"), tail_end)
            } else {
                let Some(x) = self.place(text, folded, e, entry, ctx) else {
                    continue;
                };
                x
            };
            last_end = end;
            let (os, oe) = folded.orig_range(s, end);
            out.push(Mention {
                start: os,
                end: oe,
                canonical,
                level: entry.level,
            });
        }
        out
    }

    /// A collective addressee in its own words ("UBND các huyện, thành phố" → "Ủy ban nhân
    /// dân các huyện, thành phố"): abbreviations expanded, an office holder standing for the
    /// body dropped ("Thủ trưởng các sở, ban, ngành"), a level word or "đoàn thể" after it
    /// kept; the canonical name when the words are the same. Returns the name and the folded
    /// end of the mention.
    fn collective_words(
        &self,
        text: &str,
        folded: &Folded,
        start: usize,
        end: usize,
        entry: &Entry,
    ) -> (String, usize) {
        let tail = COLLECTIVE_TAIL
            .find(folded.text.get(end..).unwrap_or(""))
            .map(|m| m.end())
            .unwrap_or(0);
        let end = end + tail;
        let mut from = start;
        let head = folded.text.get(start..end).unwrap_or("");
        if LEADER.is_match(head) {
            let skip = ["thu truong ", "giam doc ", "chu tich ", "lanh dao "]
                .iter()
                .find(|w| head.starts_with(*w))
                .map(|w| w.len())
                .unwrap_or(0);
            from = start + skip;
        }
        let rest = folded.text.get(from..end).unwrap_or("");
        if rest.contains("thu truong") || rest.contains("giam doc") {
            return (entry.canonical.clone(), end);
        }
        let (os, oe) = folded.orig_range(from, end);
        let written = self.expand_abbreviations(&squash(text.get(os..oe).unwrap_or("")));
        if key(&written) == key(&entry.canonical) || written.is_empty() {
            return (entry.canonical.clone(), end);
        }
        let mut cs = written.chars();
        let name = match cs.next() {
            Some(f) => f.to_uppercase().chain(cs).collect(),
            None => written,
        };
        (name, end)
    }

    /// Completes a provincial or district body with its locality; returns the canonical name
    /// and the folded end of the mention.
    fn place(
        &self,
        text: &str,
        folded: &Folded,
        end: usize,
        entry: &Entry,
        ctx: &Context,
    ) -> Option<(String, usize)> {
        match entry.level {
            Level::Provincial | Level::District => {}
            _ => return Some((entry.canonical.clone(), end)),
        }
        let rest = folded.text.get(end..).unwrap_or("");
        let unit_in_name = ["huyen", "thi xa", "thanh pho"]
            .iter()
            .any(|u| fold_lower(&entry.canonical).ends_with(u));
        let (unit, mut pos) = if unit_in_name {
            (None, end)
        } else if let Some(c) = LOCALITY_UNIT.captures(rest) {
            let m = c.get(1)?;
            (Some(m.as_str().to_string()), end + c.get(0)?.end())
        } else if let Some(c) = PROVINCE_LIST.captures(rest) {
            // "Ủy ban nhân dân các tỉnh Quảng Bình, Quảng Trị": the body of each province
            // named, listed by the caller ([`Directory::province_list`]).
            let all = c.get(0)?;
            let first = self.province_list(text, folded, end + all.end());
            if first.is_empty() {
                return None;
            }
            return Some((format!("{} các tỉnh", entry.canonical), end + all.end()));
        } else {
            // "Đài Phát thanh - Truyền hình Hà Tĩnh": the province named without "tỉnh".
            if entry.level == Level::Provincial
                && let Some((p, we)) = self.province_after(text, folded, end)
            {
                return Some((format!("{} {p}", entry.canonical), we));
            }
            if entry.locality_required {
                return None;
            }
            return Some(match (&ctx.province, &ctx.locality, entry.level) {
                (Some(p), _, Level::Provincial) => (format!("{} {}", entry.canonical, p), end),
                (_, Some(l), Level::District) => (format!("{} {}", entry.canonical, l), end),
                _ => (entry.canonical.clone(), end),
            });
        };
        // Capitalised words after the unit form the place name.
        let mut words: Vec<(usize, usize)> = Vec::new();
        while words.len() < 4 {
            let Some(c) = NAME_WORD.captures(folded.text.get(pos..).unwrap_or("")) else {
                break;
            };
            let Some(w) = c.get(1) else { break };
            let (ws, we) = (pos + w.start(), pos + w.end());
            let first = text[folded.orig(ws)..].chars().next().unwrap_or('a');
            if !(first.is_uppercase() || first.is_ascii_digit()) {
                break;
            }
            words.push((ws, we));
            pos = we;
        }
        // Longest prefix of the words that names a province.
        let mut province: Option<(String, usize)> = None;
        for n in (1..=words.len()).rev() {
            let (ws, _) = words[0];
            let we = words[n - 1].1;
            let name = folded.text.get(ws..we).unwrap_or("");
            if let Some(p) = self.province(name) {
                province = Some((p.to_string(), we));
                break;
            }
        }
        // "UBND thành phố Thái Bình" is the province's city of that name, not the province.
        let says_city = match unit.as_deref() {
            Some(u) => u == "thanh pho" || u.starts_with("tp"),
            None => unit_in_name && fold_lower(&entry.canonical).ends_with("thanh pho"),
        };
        let city_named_as_province = says_city
            && province
                .as_ref()
                .is_some_and(|(p, _)| p.starts_with("tỉnh "));
        if city_named_as_province {
            province = None;
        }
        let is_district_unit = city_named_as_province
            || matches!(
                unit.as_deref(),
                Some("huyen" | "thi xa" | "quan" | "xa" | "phuong" | "thi tran")
            );
        if let Some((p, we)) = province {
            let base = if unit_in_name {
                strip_unit(&entry.canonical)
            } else {
                entry.canonical.clone()
            };
            return Some((format!("{base} {p}"), we));
        }
        let unit_end = end
            + LOCALITY_UNIT
                .captures(rest)
                .and_then(|c| c.get(0))
                .map(|m| m.end())
                .unwrap_or(0);
        // "Phòng Dân tộc huyện", "Công an xã", "Công an thành phố" without a name: the
        // issuer's own district or commune when it is of that kind.
        if words.is_empty()
            && let Some(loc) = &ctx.locality
        {
            let lf = fold_lower(loc);
            let own = match unit.as_deref() {
                Some(u) => lf.starts_with(&format!("{u} ")),
                None => {
                    let cf = fold_lower(&entry.canonical);
                    ["huyen", "thi xa", "thanh pho"]
                        .iter()
                        .any(|u| cf.ends_with(u) && lf.starts_with(&format!("{u} ")))
                }
            };
            if own {
                let base = if unit_in_name {
                    strip_unit(&entry.canonical)
                } else {
                    entry.canonical.clone()
                };
                return Some((format!("{base} {loc}"), unit_end));
            }
        }
        if unit_in_name || is_district_unit {
            let (os, oe) = match (words.first(), words.last()) {
                (Some(f), Some(l)) => folded.orig_range(f.0, l.1),
                _ => {
                    if entry.locality_required || unit_in_name {
                        return None;
                    }
                    return Some((entry.canonical.clone(), end));
                }
            };
            let name = squash(&title_case_words(&text[os..oe]));
            let unit_word = if unit_in_name {
                String::new()
            } else {
                let (us, ue) = folded.orig_range(
                    end,
                    end + LOCALITY_UNIT
                        .captures(rest)
                        .and_then(|c| c.get(0))
                        .map(|m| m.end())
                        .unwrap_or(0),
                );
                format!("{} ", squash(&text[us..ue]).to_lowercase())
            };
            return Some((format!("{} {}{}", entry.canonical, unit_word, name), pos));
        }
        // "tỉnh"/"thành phố" without a recognised name: the document's own province.
        match &ctx.province {
            Some(p) => Some((format!("{} {}", entry.canonical, p), unit_end)),
            None => {
                let u = match unit.as_deref() {
                    Some("tinh") => "tỉnh",
                    _ => "thành phố",
                };
                Some((format!("{} {}", entry.canonical, u), unit_end))
            }
        }
    }

    /// The province named by the capitalised words starting at folded offset `pos` (at most
    /// four, the longest prefix that is a province) and the folded end of its name.
    fn province_after(&self, text: &str, folded: &Folded, pos: usize) -> Option<(String, usize)> {
        let mut words: Vec<(usize, usize)> = Vec::new();
        let mut at = pos;
        while words.len() < 4 {
            let Some(c) = NAME_WORD.captures(folded.text.get(at..).unwrap_or("")) else {
                break;
            };
            let Some(w) = c.get(1) else { break };
            let (ws, we) = (at + w.start(), at + w.end());
            let first = text
                .get(folded.orig(ws)..)
                .and_then(|t| t.chars().next())
                .unwrap_or('a');
            if !first.is_uppercase() {
                break;
            }
            words.push((ws, we));
            at = we;
        }
        (1..=words.len()).rev().find_map(|n| {
            let name = folded.text.get(words[0].0..words[n - 1].1)?;
            self.province(name).map(|p| (p.to_string(), words[n - 1].1))
        })
    }

    /// The provinces listed from folded offset `pos` ("Quảng Bình, Quảng Trị và Quảng Nam"),
    /// each with the folded end of its name; the list stops at the first name that is not a
    /// province.
    pub fn province_list(&self, text: &str, folded: &Folded, pos: usize) -> Vec<(String, usize)> {
        let mut out: Vec<(String, usize)> = Vec::new();
        let mut at = pos;
        while let Some((p, we)) = self.province_after(text, folded, at) {
            out.push((p, we));
            let rest = folded.text.get(we..).unwrap_or("");
            let Some(sep) = LIST_SEPARATOR.find(rest) else {
                break;
            };
            at = we + sep.end();
        }
        out
    }

    /// Resolves a whole mention (e.g. a recipient line) to a canonical name, if the mention is
    /// one agency (trailing punctuation and a parenthesised note allowed).
    pub fn resolve(&self, mention: &str, ctx: &Context) -> Option<String> {
        let trimmed = mention.trim().trim_end_matches([';', '.', ',', ':']).trim();
        let ms = self.find_mentions(trimmed, ctx);
        let first = ms.first()?;
        let before = trimmed.get(..first.start).unwrap_or("");
        let after = trimmed.get(first.end..).unwrap_or("").trim();
        let before_ok = before.trim().is_empty();
        let after_ok = after.is_empty() || after.starts_with('(');
        if before_ok && after_ok {
            Some(first.canonical.clone())
        } else {
            None
        }
    }

    /// Resolves a line of an issuer block that OCR damaged past [`Directory::resolve`]: words
    /// glued ("SONOIVU"), a letter misread or lost ("BỘ TƯ’ PHÁP", "Q) NÔNG NGHIỆP ..." for
    /// "SỞ NÔNG NGHIỆP ..."). Its letters are compared with those of each body's name, with
    /// and without the name's first word: the one body within one edit (two for names of 12
    /// letters or more) is taken, a provincial one when `ctx` has a province and a central one
    /// otherwise.
    pub fn resolve_near(&self, line: &str, ctx: &Context) -> Option<String> {
        let letters = |s: &str| -> String {
            fold_lower(s)
                .chars()
                .filter(|c| c.is_alphabetic())
                .collect()
        };
        let k = letters(line);
        let n = k.chars().count();
        if n < 5 {
            return None;
        }
        let max = if n >= 12 { 2 } else { 1 };
        let wanted = |l: Level| match (&ctx.locality, &ctx.province) {
            (Some(_), _) => l == Level::District,
            (None, Some(_)) => l == Level::Provincial,
            (None, None) => l == Level::Central,
        };
        let mut best: Option<(usize, &str)> = None;
        let mut tie = false;
        for e in self.entries.iter().filter(|e| wanted(e.level)) {
            let whole = letters(&e.canonical);
            let headless = e
                .canonical
                .split_once(' ')
                .map(|(_, rest)| letters(rest))
                .unwrap_or_default();
            let d = [whole, headless]
                .iter()
                .filter(|c| c.chars().count() >= 5)
                .map(|c| edit_distance(&k, c, max))
                .min()
                .unwrap_or(max + 1);
            if d > max {
                continue;
            }
            match best {
                Some((bd, bn)) if d == bd && bn != e.canonical => tie = true,
                Some((bd, _)) if d >= bd => {}
                _ => {
                    best = Some((d, e.canonical.as_str()));
                    tie = false;
                }
            }
        }
        if tie {
            return None;
        }
        let (_, name) = best?;
        Some(self.resolve(name, ctx).unwrap_or_else(|| name.to_string()))
    }

    /// The body that now holds the functions of `name` after the 2025 reorganisation,
    /// following the chain of successions; `None` if the body was not succeeded.
    pub fn successor(&self, name: &str) -> Option<String> {
        let ctx = Context::default();
        let ms = self.find_mentions(name, &ctx);
        let m = ms.first()?;
        // Split the locality off a provincial name.
        let (entry, province) = self.entry_of(&m.canonical)?;
        let mut current = entry;
        let mut changed = false;
        for _ in 0..8 {
            match current.successor.as_deref() {
                Some(s) if s != current.canonical => {
                    let next = self
                        .entries
                        .iter()
                        .find(|e| e.canonical == s && e.level == current.level);
                    match next {
                        Some(n) => {
                            current = n;
                            changed = true;
                        }
                        None => return Some(s.to_string()),
                    }
                }
                _ => break,
            }
        }
        let new_province = province.map(|p| {
            self.entries
                .iter()
                .find(|e| e.level == Level::Province && e.canonical == p)
                .and_then(|e| e.successor.clone())
                .unwrap_or(p)
        });
        let province_changed = match (&new_province, self.entry_of(&m.canonical).and_then(|x| x.1))
        {
            (Some(a), Some(b)) => *a != b,
            _ => false,
        };
        if !changed && !province_changed {
            return None;
        }
        Some(match new_province {
            Some(p) => format!("{} {}", current.canonical, p),
            None => current.canonical.clone(),
        })
    }

    /// Splits a canonical name into its directory entry and province, if any.
    fn entry_of(&self, canonical: &str) -> Option<(&Entry, Option<String>)> {
        let mut best: Option<(&Entry, Option<String>)> = None;
        for e in &self.entries {
            if matches!(e.level, Level::Abbreviation | Level::Province) {
                continue;
            }
            if e.canonical == canonical {
                return Some((e, None));
            }
            if let Some(rest) = canonical.strip_prefix(&e.canonical) {
                let rest = rest.trim();
                if let Some(p) = self.province(rest) {
                    let better = best
                        .as_ref()
                        .is_none_or(|(b, _)| b.canonical.len() < e.canonical.len());
                    if better {
                        best = Some((e, Some(p.to_string())));
                    }
                }
            }
        }
        best
    }

    /// Expands abbreviations ("UBND các tỉnh, thành phố trực thuộc TW" → "Ủy ban nhân dân các
    /// tỉnh, thành phố trực thuộc Trung ương"). Tokens joined to a document code by '-' or '/'
    /// are left alone.
    pub fn expand_abbreviations(&self, s: &str) -> String {
        let Some(re) = &self.abbr_re else {
            return s.to_string();
        };
        let mut out = String::with_capacity(s.len() + 16);
        let mut last = 0;
        for m in re.find_iter(s) {
            let prev = s[..m.start()].chars().next_back();
            let next = s[m.end()..].chars().next();
            if matches!(prev, Some('-' | '/')) || matches!(next, Some('-' | '/')) {
                continue;
            }
            if let Some(exp) = self.abbr.get(m.as_str()) {
                out.push_str(&s[last..m.start()]);
                out.push_str(exp);
                last = m.end();
            }
        }
        out.push_str(&s[last..]);
        out
    }
}

/// Edit distance between two strings by characters, cut off above `max` (returns `max + 1`).
pub(super) fn edit_distance(a: &str, b: &str, max: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return max + 1;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        if cur.iter().min().is_some_and(|m| *m > max) {
            return max + 1;
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0).min(max + 1)
}

fn strip_unit(canonical: &str) -> String {
    for u in [" huyện", " thị xã", " thành phố"] {
        if let Some(b) = canonical.strip_suffix(u) {
            return b.to_string();
        }
    }
    canonical.to_string()
}

/// Capitalises the first letter of each word and lowercases the rest ("KIÊN GIANG" →
/// "Kiên Giang"); used for place names written in capitals.
pub fn title_case_words(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f
                    .to_uppercase()
                    .chain(cs.flat_map(|c| c.to_lowercase()))
                    .collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<String>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kg() -> Context {
        Context {
            province: Some("tỉnh Kiên Giang".to_string()),
            locality: None,
        }
    }

    #[test]
    fn directory_loads() {
        let d = Directory::global();
        assert!(d.entries().len() > 150);
        assert!(d.lower_re.is_some());
    }

    #[test]
    fn resolves_central_bodies_and_abbreviations() {
        let d = Directory::global();
        let c = Context::default();
        assert_eq!(d.resolve("Bộ Công an", &c).as_deref(), Some("Bộ Công an"));
        assert_eq!(
            d.resolve("VPCP", &c).as_deref(),
            Some("Văn phòng Chính phủ")
        );
        assert_eq!(
            d.resolve("Bộ TT&TT", &c).as_deref(),
            Some("Bộ Thông tin và Truyền thông")
        );
        assert_eq!(
            d.resolve("Bo Thong tin va Truyen thong;", &c).as_deref(),
            Some("Bộ Thông tin và Truyền thông")
        );
        assert_eq!(
            d.resolve("Bộ Lao động, Thương binh và Xã hội", &c)
                .as_deref(),
            Some("Bộ Lao động - Thương binh và Xã hội")
        );
        assert_eq!(
            d.resolve("bộ tài nguyên và môi trường", &c).as_deref(),
            Some("Bộ Tài nguyên và Môi trường")
        );
        assert_eq!(d.resolve("Bộ Công an đẩy nhanh", &c), None);
    }

    #[test]
    fn resolves_collectives() {
        let d = Directory::global();
        let c = Context::default();
        assert_eq!(
            d.resolve("UBND các tỉnh, thành phố trực thuộc TW", &c)
                .as_deref(),
            Some("Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương")
        );
        assert_eq!(
            d.resolve("Các Bộ, cơ quan ngang bộ, cơ quan thuộc CP;", &c)
                .as_deref(),
            Some("Các bộ, cơ quan ngang bộ, cơ quan thuộc Chính phủ")
        );
        assert_eq!(
            d.resolve("các bộ, ngành, địa phương", &c).as_deref(),
            Some("Các bộ, ngành, địa phương")
        );
        assert_eq!(
            d.resolve("Thủ trưởng các sở, ban, ngành", &c).as_deref(),
            Some("Các sở, ban, ngành")
        );
    }

    #[test]
    fn provincial_bodies_take_the_province() {
        let d = Directory::global();
        assert_eq!(
            d.resolve("Sở Thông tin và Truyền thông", &kg()).as_deref(),
            Some("Sở Thông tin và Truyền thông tỉnh Kiên Giang")
        );
        assert_eq!(
            d.resolve("Công an tỉnh.", &kg()).as_deref(),
            Some("Công an tỉnh Kiên Giang")
        );
        assert_eq!(
            d.resolve("UBND TỈNH KIÊN GIANG", &Context::default())
                .as_deref(),
            Some("Ủy ban nhân dân tỉnh Kiên Giang")
        );
        assert_eq!(
            d.resolve(
                "Văn phòng Ủy ban nhân dân tỉnh (Trung tâm Phục vụ Hành chính công tỉnh)",
                &kg()
            )
            .as_deref(),
            Some("Văn phòng Ủy ban nhân dân tỉnh Kiên Giang")
        );
        assert_eq!(
            d.resolve("Sở Y tế tỉnh Nghệ An", &kg()).as_deref(),
            Some("Sở Y tế tỉnh Nghệ An")
        );
        assert_eq!(
            d.resolve("UBND huyện Châu Thành", &kg()).as_deref(),
            Some("Ủy ban nhân dân huyện Châu Thành")
        );
        // A bank's provincial branch is named with its province.
        assert_eq!(
            d.resolve("Ngân hàng Chính sách xã hội chi nhánh tỉnh", &kg())
                .as_deref(),
            Some("Ngân hàng Chính sách xã hội chi nhánh tỉnh Kiên Giang")
        );
        assert_eq!(
            d.resolve("Chi nhánh NHCSXH tỉnh Nghệ An", &kg()).as_deref(),
            Some("Ngân hàng Chính sách xã hội chi nhánh tỉnh Nghệ An")
        );
        assert_eq!(
            d.resolve("Ngân hàng Chính sách xã hội", &kg()).as_deref(),
            Some("Ngân hàng Chính sách xã hội")
        );
        // A province's city of the province's name is not the province; a city that is a
        // province is.
        assert_eq!(
            d.resolve("UBND thành phố Thái Bình", &kg()).as_deref(),
            Some("Ủy ban nhân dân thành phố Thái Bình")
        );
        assert_eq!(
            d.resolve("UBND tỉnh Thái Bình", &kg()).as_deref(),
            Some("Ủy ban nhân dân tỉnh Thái Bình")
        );
        assert_eq!(
            d.resolve("UBND thành phố Hải Phòng", &kg()).as_deref(),
            Some("Ủy ban nhân dân thành phố Hải Phòng")
        );
        assert_eq!(
            d.resolve("Sở Y tế thành phố Hà Nội", &kg()).as_deref(),
            Some("Sở Y tế thành phố Hà Nội")
        );
        // "công an" alone is not a body.
        assert_eq!(d.resolve("công an", &Context::default()), None);
    }

    #[test]
    fn collectives_keep_their_own_words() {
        let d = Directory::global();
        let c = Context::default();
        assert_eq!(
            d.resolve("UBND các huyện, thành phố", &c).as_deref(),
            Some("Ủy ban nhân dân các huyện, thành phố")
        );
        assert_eq!(
            d.resolve("UBND các xã, thị trấn", &c).as_deref(),
            Some("Ủy ban nhân dân các xã, thị trấn")
        );
        assert_eq!(
            d.resolve("Các sở, ban, ngành, đoàn thể tỉnh", &c)
                .as_deref(),
            Some("Các sở, ban, ngành, đoàn thể tỉnh")
        );
        assert_eq!(
            d.resolve("Chủ tịch UBND các huyện, thị xã, thành phố", &c)
                .as_deref(),
            Some("Ủy ban nhân dân các huyện, thị xã, thành phố")
        );
    }

    #[test]
    fn a_body_of_every_province() {
        let d = Directory::global();
        let c = Context::default();
        assert_eq!(
            d.resolve("Sở NN&MT các tỉnh, thành phố trực thuộc TW", &c)
                .as_deref(),
            Some("Sở Nông nghiệp và Môi trường các tỉnh, thành phố trực thuộc Trung ương")
        );
        assert_eq!(
            d.resolve("Công an các tỉnh, thành phố trực thuộc Trung ương", &c)
                .as_deref(),
            Some("Công an các tỉnh, thành phố trực thuộc Trung ương")
        );
    }

    #[test]
    fn district_and_commune_bodies_resolve_in_the_issuers_locality() {
        let d = Directory::global();
        let district = Context {
            province: Some("tỉnh Điện Biên".to_string()),
            locality: Some("huyện Mường Ảng".to_string()),
        };
        assert_eq!(
            d.resolve("Phòng Tài chính - Kế hoạch", &district)
                .as_deref(),
            Some("Phòng Tài chính - Kế hoạch huyện Mường Ảng")
        );
        assert_eq!(
            d.resolve("Phòng Dân tộc huyện", &district).as_deref(),
            Some("Phòng Dân tộc huyện Mường Ảng")
        );
        // A provincial body stays the province's.
        assert_eq!(
            d.resolve("Sở Y tế", &district).as_deref(),
            Some("Sở Y tế tỉnh Điện Biên")
        );
        let commune = Context {
            province: Some("tỉnh Đồng Nai".to_string()),
            locality: Some("xã Tân Phú".to_string()),
        };
        assert_eq!(
            d.resolve("Công an xã", &commune).as_deref(),
            Some("Công an xã Tân Phú")
        );
    }

    #[test]
    fn misread_province_names() {
        let d = Directory::global();
        assert_eq!(d.province_near("Hà NG@i"), Some("thành phố Hà Nội"));
        assert_eq!(d.province_near("Mường Ảng"), None);
    }

    #[test]
    fn succession_after_2025() {
        let d = Directory::global();
        assert_eq!(
            d.successor("Bộ Thông tin và Truyền thông").as_deref(),
            Some("Bộ Khoa học và Công nghệ")
        );
        assert_eq!(
            d.successor("Bộ Kế hoạch và Đầu tư").as_deref(),
            Some("Bộ Tài chính")
        );
        assert_eq!(
            d.successor("Bộ Tài nguyên và Môi trường").as_deref(),
            Some("Bộ Nông nghiệp và Môi trường")
        );
        assert_eq!(d.successor("Bộ Công an"), None);
        assert_eq!(
            d.successor("Sở Thông tin và Truyền thông tỉnh Kiên Giang")
                .as_deref(),
            Some("Sở Khoa học và Công nghệ tỉnh An Giang")
        );
    }

    #[test]
    fn abbreviations_expand_but_not_inside_codes() {
        let d = Directory::global();
        assert_eq!(
            d.expand_abbreviations("UBND các tỉnh, thành phố trực thuộc TW"),
            "Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương"
        );
        assert_eq!(
            d.expand_abbreviations("Nghị quyết 01/NQ-CP"),
            "Nghị quyết 01/NQ-CP"
        );
    }

    #[test]
    fn head_words_misread_by_ocr() {
        let d = Directory::global();
        let names = |t: &str| -> Vec<String> {
            d.find_mentions(t, &Context::default())
                .into_iter()
                .map(|m| m.canonical)
                .collect()
        };
        assert_eq!(
            names("2. BG Quốc phòng chủ trì, phối hợp với Bộ Ngoại giao, BG Công an."),
            vec!["Bộ Quốc phòng", "Bộ Ngoại giao", "Bộ Công an"]
        );
        // Only before a capitalised word, and only the misread form itself.
        assert!(names("mã bg công an").is_empty());
        assert!(names("BG công an").is_empty());
        // Rows whose two forms fold to different lengths are left out.
        let rows = misread_heads("# note\nBG\tBộ\nBGX\tBộ\n");
        assert_eq!(rows, vec![("BG".to_string(), "bo".to_string())]);
    }

    #[test]
    fn finds_mentions_in_running_text() {
        let d = Directory::global();
        let t = "Giao Bộ Thông tin và Truyền thông chủ trì, phối hợp với Văn phòng Chính phủ và các bộ, cơ quan liên quan";
        let names: Vec<String> = d
            .find_mentions(t, &Context::default())
            .into_iter()
            .map(|m| m.canonical)
            .collect();
        assert_eq!(
            names,
            vec![
                "Bộ Thông tin và Truyền thông",
                "Văn phòng Chính phủ",
                "Các bộ, cơ quan liên quan"
            ]
        );
    }
}
