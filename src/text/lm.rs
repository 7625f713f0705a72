//! Syllable trigram language model with interpolated Kneser-Ney smoothing, stored as a
//! compact binary: a vocabulary, quantized continuation and backoff log-weights per word, and
//! three open-addressing hash tables (bigram probabilities, trigram probabilities, backoff
//! weights of bigram contexts) of 16-bit fingerprints with quantized log10 values.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::io::{BufRead, Write};

use super::TextError;
use super::token::{Kind, tokenize};

/// Sentence start.
pub const BOS: u32 = 0;
/// Sentence end.
pub const EOS: u32 = 1;
/// Unknown word.
pub const UNK: u32 = 2;
/// Any number.
pub const NUM: u32 = 3;
/// Any code (document number, date, address).
pub const CODE: u32 = 4;
/// Rare punctuation.
pub const PUNCT: u32 = 5;
const SPECIALS: [&str; 6] = ["<s>", "</s>", "<unk>", "<num>", "<code>", "<p>"];
const MAGIC: &[u8; 8] = b"DDLM0003";
/// Lowest log10 probability representable after quantization.
const FLOOR: f32 = -8.0;
/// Kneser-Ney discount of the bigram level.
const DISCOUNT2: f64 = 0.75;

fn quantize(logp: f32) -> u8 {
    let q = (logp.max(FLOOR) / FLOOR * 255.0).round();
    q.clamp(0.0, 255.0) as u8
}

fn dequantize(q: u8) -> f32 {
    f32::from(q) / 255.0 * FLOOR
}

fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn bigram_key(a: u32, b: u32) -> u64 {
    (u64::from(a) << 20) | u64::from(b) | (1 << 62)
}

fn trigram_key(a: u32, b: u32, c: u32) -> u64 {
    (u64::from(a) << 40) | (u64::from(b) << 20) | u64::from(c)
}

/// Share of a table's slots in use. Half-empty tables keep probe runs short: a word sequence
/// that was never seen meets few fingerprints before an empty slot, so it is rarely taken for
/// a seen one (with 16-bit fingerprints, about one lookup in 25,000 at this load, one in 5,000
/// at 0.8), and lookups are faster.
const LOAD_FACTOR: f64 = 0.5;

/// Open-addressing table of 16-bit fingerprints (0 = empty) and quantized values; the slot
/// is chosen by multiply-shift so any capacity works.
#[derive(Debug, Default)]
struct Table {
    keys: Vec<u16>,
    vals: Vec<u8>,
}

fn slot_and_fingerprint(k: u64, cap: usize) -> (usize, u16) {
    let h = mix(k);
    let slot = ((u128::from(h) * cap as u128) >> 64) as usize;
    let fp = ((h & 0xFFFF) as u16).max(1);
    (slot, fp)
}

impl Table {
    fn build(entries: &[(u64, f32)]) -> Table {
        let cap = ((entries.len() as f64 / LOAD_FACTOR) as usize).max(16);
        let mut t = Table {
            keys: vec![0; cap],
            vals: vec![0; cap],
        };
        for &(k, v) in entries {
            let (mut i, fp) = slot_and_fingerprint(k, cap);
            while t.keys[i] != 0 {
                i = (i + 1) % cap;
            }
            t.keys[i] = fp;
            t.vals[i] = quantize(v);
        }
        t
    }

    fn get(&self, k: u64) -> Option<f32> {
        let cap = self.keys.len();
        if cap == 0 {
            return None;
        }
        let (mut i, fp) = slot_and_fingerprint(k, cap);
        for _ in 0..cap {
            let key = *self.keys.get(i)?;
            if key == 0 {
                return None;
            }
            if key == fp {
                return self.vals.get(i).map(|q| dequantize(*q));
            }
            i += 1;
            if i == cap {
                i = 0;
            }
        }
        None
    }
}

/// A loaded syllable language model.
#[derive(Debug, Default)]
pub struct LanguageModel {
    vocab: Vec<String>,
    ids: HashMap<String, u32>,
    /// log10 continuation probability of each word.
    unigram: Vec<u8>,
    /// log10 backoff weight of each word as a bigram context.
    gamma1: Vec<u8>,
    bigram: Table,
    trigram: Table,
    /// log10 backoff weights of bigram contexts.
    gamma2: Table,
}

/// Lowercased, tone-normalized LM key of a word.
pub fn word_key(word: &str) -> String {
    super::syllable::place_tone(&word.to_lowercase())
}

impl LanguageModel {
    /// Id of a word key (see [`word_key`]) or punctuation.
    pub fn id(&self, key: &str) -> Option<u32> {
        self.ids.get(key).copied()
    }

    /// Vocabulary entry of an id.
    pub fn word(&self, id: u32) -> &str {
        self.vocab.get(id as usize).map_or("", String::as_str)
    }

    /// Number of vocabulary entries.
    pub fn vocab_len(&self) -> usize {
        self.vocab.len()
    }

    /// log10 P(c | a b), interpolated Kneser-Ney.
    pub fn score(&self, a: u32, b: u32, c: u32) -> f32 {
        if let Some(p) = self.trigram.get(trigram_key(a, b, c)) {
            return p;
        }
        let p2 = match self.bigram.get(bigram_key(b, c)) {
            Some(p) => p,
            None => {
                let g = self.gamma1.get(b as usize).map_or(0.0, |q| dequantize(*q));
                g + self
                    .unigram
                    .get(c as usize)
                    .map_or(FLOOR, |q| dequantize(*q))
            }
        };
        match self.gamma2.get(bigram_key(a, b)) {
            Some(g) => g + p2,
            None => p2,
        }
    }

    /// Id for a token of `kind` whose text is `text`.
    pub fn token_id(&self, kind: Kind, text: &str) -> u32 {
        match kind {
            Kind::Number => NUM,
            Kind::Code => CODE,
            Kind::Punct => self.id(text).unwrap_or(PUNCT),
            Kind::Word => self.id(&word_key(text)).unwrap_or(UNK),
        }
    }

    /// Serializes the model.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(self.vocab.len() as u32).to_le_bytes());
        for w in &self.vocab {
            let b = w.as_bytes();
            out.push(b.len().min(255) as u8);
            out.extend_from_slice(&b[..b.len().min(255)]);
        }
        out.extend_from_slice(&self.unigram);
        out.extend_from_slice(&self.gamma1);
        for t in [&self.bigram, &self.trigram, &self.gamma2] {
            out.extend_from_slice(&(t.keys.len() as u32).to_le_bytes());
            for k in &t.keys {
                out.extend_from_slice(&k.to_le_bytes());
            }
            out.extend_from_slice(&t.vals);
        }
        out
    }

    /// Reads a model written by [`LanguageModel::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<LanguageModel, TextError> {
        let mut r = Reader { bytes, pos: 0 };
        if r.take(8)? != MAGIC {
            return Err(TextError::BadModel("wrong magic".into()));
        }
        let n = r.u32()? as usize;
        let mut vocab = Vec::with_capacity(n.min(1 << 20));
        for _ in 0..n {
            let len = usize::from(r.take(1)?[0]);
            let s = std::str::from_utf8(r.take(len)?)
                .map_err(|e| TextError::BadModel(e.to_string()))?;
            vocab.push(s.to_string());
        }
        let unigram = r.take(n)?.to_vec();
        let gamma1 = r.take(n)?.to_vec();
        let mut tables = Vec::new();
        for _ in 0..3 {
            let cap = r.u32()? as usize;
            let raw = r.take(
                cap.checked_mul(2)
                    .ok_or_else(|| TextError::BadModel("size".into()))?,
            )?;
            let keys = raw
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            let vals = r.take(cap)?.to_vec();
            tables.push(Table { keys, vals });
        }
        let gamma2 = tables.pop().unwrap_or_default();
        let trigram = tables.pop().unwrap_or_default();
        let bigram = tables.pop().unwrap_or_default();
        let ids = vocab
            .iter()
            .enumerate()
            .map(|(i, w)| (w.clone(), i as u32))
            .collect();
        Ok(LanguageModel {
            vocab,
            ids,
            unigram,
            gamma1,
            bigram,
            trigram,
            gamma2,
        })
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], TextError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.bytes.len())
            .ok_or_else(|| TextError::BadModel("truncated".into()))?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn u32(&mut self) -> Result<u32, TextError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

/// Training settings.
#[derive(Debug, Clone)]
pub struct TrainOptions {
    /// Minimum count of a word to enter the vocabulary.
    pub min_word: u32,
    /// Minimum count of a kept bigram.
    pub min_bigram: u32,
    /// Minimum count of a kept trigram.
    pub min_trigram: u32,
    /// Every `held_out_every`-th document (counting from `held_out_offset`) of at most
    /// `held_out_max_chars` is kept out of training for evaluation.
    pub held_out_every: usize,
    /// See `held_out_every`.
    pub held_out_offset: usize,
    /// See `held_out_every`.
    pub held_out_max_chars: usize,
    /// How many times each line of the extra (in-domain) training text counts.
    pub extra_weight: u32,
    /// Training lines sharing a word n-gram of this length with the excluded text are dropped.
    pub exclude_ngram: usize,
}

/// Training text beside the Markdown corpus: in-domain lines (directives written for the
/// project, agency names) and text that must not be trained on (the evaluation set), whose
/// near-duplicates are removed from the extra lines.
#[derive(Debug, Clone, Default)]
pub struct ExtraText {
    /// Extra training lines.
    pub lines: Vec<String>,
    /// Texts kept out: no extra line may share a word n-gram of
    /// [`TrainOptions::exclude_ngram`] words with them.
    pub exclude: Vec<String>,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            min_word: 3,
            min_bigram: 1,
            min_trigram: 1,
            held_out_every: 10,
            held_out_offset: 3,
            held_out_max_chars: 400_000,
            extra_weight: 15,
            exclude_ngram: 8,
        }
    }
}

/// Figures about a training run.
#[derive(Debug, Clone, Default)]
pub struct TrainSummary {
    /// Documents read.
    pub documents: usize,
    /// Documents kept out for evaluation.
    pub held_out_documents: usize,
    /// Distinct training lines.
    pub lines: usize,
    /// Training tokens (words, numbers, codes, punctuation).
    pub tokens: usize,
    /// Vocabulary size.
    pub vocab: usize,
    /// Kept bigrams.
    pub bigrams: usize,
    /// Kept trigrams.
    pub trigrams: usize,
    /// Held-out lines written (after dropping lines sharing a 6-gram with training).
    pub held_out_lines: usize,
    /// Extra in-domain lines trained on.
    pub extra_lines: usize,
    /// Extra lines dropped for sharing an n-gram with the excluded text.
    pub excluded_lines: usize,
}

/// Cleans one Markdown body line into prose; `None` for tables, rules and empty lines.
fn clean_line(line: &str) -> Option<String> {
    let t = line.trim();
    if t.is_empty()
        || t.starts_with('|')
        || t.starts_with("---")
        || t.starts_with("```")
        || t.contains("http")
    {
        return None;
    }
    let t = t.trim_start_matches(['#', '>']).trim();
    let t: String = t.chars().filter(|c| !matches!(c, '*' | '`')).collect();
    let t = super::unicode::repair_unicode(&t);
    let t = t.trim();
    if t.chars().filter(|c| c.is_alphabetic()).count() < 2 {
        None
    } else {
        Some(t.to_string())
    }
}

/// True for a line of at least six small words of which fewer than one in seven carries a
/// mark: Vietnamese typed without marks (file names of attachments, "Phu luc kem theo Nghi
/// dinh so ...") or a foreign language, which would teach the model unmarked spellings.
fn unmarked(line: &str) -> bool {
    let (mut words, mut marked) = (0usize, 0usize);
    for w in line.split(|c: char| !c.is_alphabetic()) {
        if w.chars().count() >= 2 && w.chars().any(char::is_lowercase) {
            words += 1;
            if !w.is_ascii() {
                marked += 1;
            }
        }
    }
    words >= 6 && marked * 7 < words
}

/// Splits a Markdown corpus (documents opening with YAML front matter) into documents of
/// cleaned prose lines and hands each to `f` with its index.
fn for_each_document<R: BufRead>(
    corpus: R,
    mut f: impl FnMut(usize, Vec<String>),
) -> Result<usize, TextError> {
    let mut doc: Vec<String> = Vec::new();
    let mut index = 0usize;
    let mut started = false;
    let mut in_front = false;
    let mut pending_rule = false;
    for line in corpus.lines() {
        let line = line?;
        if in_front {
            if line.trim() == "---" {
                in_front = false;
            }
            continue;
        }
        if pending_rule {
            pending_rule = false;
            let is_key = line.split_once(':').is_some_and(|(k, _)| {
                !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            });
            if is_key {
                if started {
                    f(index, std::mem::take(&mut doc));
                    index += 1;
                }
                started = true;
                in_front = true;
                continue;
            }
        }
        if line.trim() == "---" {
            pending_rule = true;
            continue;
        }
        if let Some(c) = clean_line(&line) {
            doc.push(c);
        }
    }
    if started || !doc.is_empty() {
        f(index, doc);
        index += 1;
    }
    Ok(index)
}

fn hash_of<T: Hash>(t: &T) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    t.hash(&mut h);
    h.finish()
}

/// Every `every`-th prose line (at least 40 characters) of the training documents of a
/// Markdown corpus (held-out documents of `options` skipped), at most `max` lines: clean text
/// to render and read back with OCR for learning the channel model.
pub fn sample_training_lines<R: BufRead>(
    corpus: R,
    options: &TrainOptions,
    every: usize,
    max: usize,
) -> Result<Vec<String>, TextError> {
    let mut out = Vec::new();
    let mut n = 0usize;
    let every = every.max(1);
    let held = options.held_out_every.max(1);
    for_each_document(corpus, |i, doc| {
        let size: usize = doc.iter().map(String::len).sum();
        if i % held == options.held_out_offset % held && size <= options.held_out_max_chars {
            return;
        }
        for l in doc {
            if l.chars().count() < 40 || l.contains("..") || out.len() >= max {
                continue;
            }
            n += 1;
            if n % every == every / 2 {
                out.push(l);
            }
        }
    })?;
    Ok(out)
}

/// An abbreviation in capitals ("UBND", "HĐND"): kept in the vocabulary as a word.
fn is_acronym(s: &str) -> bool {
    s.chars().count() >= 2 && s.chars().all(char::is_uppercase) && !super::syllable::is_valid(s)
}

/// Word keys of a line, as used for the 6-gram overlap test.
fn line_keys(line: &str) -> Vec<u64> {
    tokenize(line)
        .iter()
        .filter(|t| t.kind == Kind::Word)
        .map(|t| hash_of(&word_key(&line[t.start..t.end])))
        .collect()
}

/// Trains the model from a Markdown corpus; held-out documents (see [`TrainOptions`]) are not
/// used and, when `held_out` is given, their lines that share no 6-gram with training text
/// are written there, one per line.
pub fn train<R: BufRead>(
    corpus: R,
    options: &TrainOptions,
    extra: &ExtraText,
    held_out: Option<&mut dyn Write>,
) -> Result<(LanguageModel, TrainSummary), TextError> {
    let mut summary = TrainSummary::default();
    let mut seen = HashSet::new();
    let mut lines: Vec<String> = Vec::new();
    let mut held: Vec<String> = Vec::new();
    summary.documents = for_each_document(corpus, |i, doc| {
        let size: usize = doc.iter().map(String::len).sum();
        let every = options.held_out_every.max(1);
        if i % every == options.held_out_offset % every && size <= options.held_out_max_chars {
            summary.held_out_documents += 1;
            held.extend(doc);
            return;
        }
        for l in doc {
            if !unmarked(&l) && seen.insert(hash_of(&l)) {
                lines.push(l);
            }
        }
    })?;
    drop(seen);
    // In-domain lines, then near-duplicates of the excluded text out of everything.
    let n_corpus = lines.len();
    lines.extend(
        extra
            .lines
            .iter()
            .filter_map(|l| clean_line(l))
            .filter(|l| !unmarked(l)),
    );
    let mut excluded = vec![false; lines.len()];
    if !extra.exclude.is_empty() {
        let n = options.exclude_ngram.max(1);
        let mut grams: HashSet<u64> = HashSet::new();
        for text in &extra.exclude {
            for l in text.lines() {
                for w in line_keys(l).windows(n) {
                    grams.insert(hash_of(&w));
                }
            }
        }
        // The corpus predates the excluded text; only the in-domain lines, written beside
        // it, could carry copies of it.
        for (l, x) in lines.iter().zip(excluded.iter_mut()).skip(n_corpus) {
            *x = line_keys(l)
                .windows(n)
                .any(|g| grams.contains(&hash_of(&g)));
        }
        summary.excluded_lines = excluded.iter().filter(|x| **x).count();
    }
    let weights: Vec<u32> = (0..lines.len())
        .map(|i| match (excluded[i], i < n_corpus) {
            (true, _) => 0,
            (false, true) => 1,
            (false, false) => options.extra_weight.max(1),
        })
        .collect();
    summary.extra_lines = weights[n_corpus..].iter().filter(|w| **w > 0).count();
    summary.lines = lines.len();
    // Vocabulary.
    let mut counts: HashMap<String, u32> = HashMap::new();
    let mut acronyms: HashSet<String> = HashSet::new();
    for (l, &wt) in lines.iter().zip(&weights) {
        if wt == 0 {
            continue;
        }
        for t in tokenize(l) {
            let s = &l[t.start..t.end];
            match t.kind {
                Kind::Word if s.chars().all(char::is_alphabetic) => {
                    *counts.entry(word_key(s)).or_default() += wt;
                    if is_acronym(s) {
                        acronyms.insert(word_key(s));
                    }
                }
                Kind::Punct => *counts.entry(s.to_string()).or_default() += wt,
                _ => {}
            }
        }
    }
    let mut words: Vec<(String, u32)> = counts
        .into_iter()
        .filter(|(w, c)| {
            *c >= options.min_word
                && (super::syllable::is_valid(w) || w.chars().count() == 1 || acronyms.contains(w))
        })
        .collect();
    words.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    words.truncate((1 << 20) - 1 - SPECIALS.len());
    let mut vocab: Vec<String> = SPECIALS.iter().map(|s| s.to_string()).collect();
    vocab.extend(words.into_iter().map(|(w, _)| w));
    let ids: HashMap<String, u32> = vocab
        .iter()
        .enumerate()
        .map(|(i, w)| (w.clone(), i as u32))
        .collect();
    let mut model = LanguageModel {
        vocab,
        ids,
        ..LanguageModel::default()
    };
    // N-gram counts.
    let mut uni = vec![0u64; model.vocab.len()];
    let mut bi: HashMap<u64, u32> = HashMap::new();
    let mut tri: HashMap<u64, u32> = HashMap::new();
    let mut grams6: HashSet<u64> = HashSet::new();
    let want6 = held_out.is_some();
    for (l, &wt) in lines.iter().zip(&weights) {
        if wt == 0 {
            continue;
        }
        let toks = tokenize(l);
        let mut seq = Vec::with_capacity(toks.len() + 2);
        seq.push(BOS);
        seq.extend(
            toks.iter()
                .map(|t| model.token_id(t.kind, &l[t.start..t.end])),
        );
        seq.push(EOS);
        summary.tokens += toks.len();
        for (i, &w) in seq.iter().enumerate().skip(1) {
            uni[w as usize] += u64::from(wt);
            *bi.entry(bigram_key(seq[i - 1], w)).or_default() += wt;
            if i >= 2 {
                *tri.entry(trigram_key(seq[i - 2], seq[i - 1], w))
                    .or_default() += wt;
            }
        }
        if want6 {
            for w in line_keys(l).windows(6) {
                grams6.insert(hash_of(&w));
            }
        }
    }
    let _ = &uni;
    let nv = model.vocab.len();
    let b_of = |k: u64| ((k >> 20) & 0xFFFFF) as usize;
    let c_of = |k: u64| (k & 0xFFFFF) as usize;
    // Continuation counts N1+(. b c) of each bigram, from distinct trigrams; bigrams opening
    // a line keep their plain counts.
    let mut cont2: HashMap<u64, u32> = HashMap::with_capacity(bi.len());
    for &k in tri.keys() {
        let b = ((k >> 20) & 0xFFFFF) as u32;
        let c = (k & 0xFFFFF) as u32;
        *cont2.entry(bigram_key(b, c)).or_default() += 1;
    }
    for (&k, &c) in &bi {
        if b_of(k) == BOS as usize {
            cont2.insert(k, c);
        }
    }
    // Per word b: sum and number of distinct continuations; per word c: N1+(. c).
    let mut cont_sum = vec![0u64; nv];
    let mut cont_distinct = vec![0u64; nv];
    let mut left_distinct = vec![0u64; nv];
    for (&k, &n) in &cont2 {
        if let (Some(s), Some(d)) = (cont_sum.get_mut(b_of(k)), cont_distinct.get_mut(b_of(k))) {
            *s += u64::from(n);
            *d += 1;
        }
    }
    for &k in bi.keys() {
        if let Some(x) = left_distinct.get_mut(c_of(k)) {
            *x += 1;
        }
    }
    let all_bigram_types = bi.len().max(1) as f64;
    let pcont: Vec<f64> = left_distinct
        .iter()
        .map(|&n| (n.max(1) as f64) / all_bigram_types)
        .collect();
    let gamma1: Vec<f64> = (0..nv)
        .map(|b| {
            if cont_sum[b] == 0 {
                1.0
            } else {
                DISCOUNT2 * cont_distinct[b] as f64 / cont_sum[b] as f64
            }
        })
        .collect();
    let p2 = |b: usize, c: usize| -> f64 {
        let n = cont2
            .get(&bigram_key(b as u32, c as u32))
            .copied()
            .unwrap_or(0);
        let lower = gamma1.get(b).copied().unwrap_or(1.0) * pcont.get(c).copied().unwrap_or(1e-9);
        match cont_sum.get(b).copied().unwrap_or(0) {
            0 => lower,
            s => (f64::from(n) - DISCOUNT2).max(0.0) / s as f64 + lower,
        }
    };
    // Trigram level: discount from count-of-counts.
    let (mut n1, mut n2) = (0f64, 0f64);
    for &c in tri.values() {
        if c == 1 {
            n1 += 1.0;
        } else if c == 2 {
            n2 += 1.0;
        }
    }
    let d3 = if n1 + 2.0 * n2 > 0.0 {
        (n1 / (n1 + 2.0 * n2)).clamp(0.3, 0.95)
    } else {
        0.75
    };
    let mut ctx: HashMap<u64, (u64, u64)> = HashMap::with_capacity(bi.len());
    for (&k, &c) in &tri {
        let a = ((k >> 40) & 0xFFFFF) as u32;
        let b = ((k >> 20) & 0xFFFFF) as u32;
        let e = ctx.entry(bigram_key(a, b)).or_default();
        e.0 += u64::from(c);
        e.1 += 1;
    }
    model.unigram = pcont.iter().map(|p| quantize(p.log10() as f32)).collect();
    model.gamma1 = gamma1.iter().map(|g| quantize(g.log10() as f32)).collect();
    let mut bi_entries = Vec::new();
    for &k in bi.keys() {
        if bi.get(&k).copied().unwrap_or(0) >= options.min_bigram {
            bi_entries.push((k, p2(b_of(k), c_of(k)).log10() as f32));
        }
    }
    let mut tri_entries = Vec::new();
    for (&k, &c) in &tri {
        if c >= options.min_trigram {
            let a = ((k >> 40) & 0xFFFFF) as u32;
            let b = ((k >> 20) & 0xFFFFF) as usize;
            let cc = (k & 0xFFFFF) as usize;
            let (sum, distinct) = ctx.get(&bigram_key(a, b as u32)).copied().unwrap_or((1, 1));
            let p = (f64::from(c) - d3).max(0.0) / sum.max(1) as f64
                + d3 * distinct as f64 / sum.max(1) as f64 * p2(b, cc);
            tri_entries.push((k, p.log10() as f32));
        }
    }
    let mut gamma2_entries: Vec<(u64, f32)> = ctx
        .iter()
        .map(|(&k, &(sum, distinct))| {
            (k, (d3 * distinct as f64 / sum.max(1) as f64).log10() as f32)
        })
        .collect();
    drop(tri);
    drop(bi);
    summary.vocab = model.vocab.len();
    summary.bigrams = bi_entries.len();
    summary.trigrams = tri_entries.len();
    // Sorted, so that the table layout (and the file) depends only on the training text.
    bi_entries.sort_unstable_by_key(|e| e.0);
    tri_entries.sort_unstable_by_key(|e| e.0);
    gamma2_entries.sort_unstable_by_key(|e| e.0);
    model.bigram = Table::build(&bi_entries);
    model.trigram = Table::build(&tri_entries);
    model.gamma2 = Table::build(&gamma2_entries);
    if let Some(w) = held_out {
        for l in &held {
            let keys = line_keys(l);
            if keys.len() < 4 || keys.windows(6).any(|g| grams6.contains(&hash_of(&g))) {
                continue;
            }
            writeln!(w, "{l}")?;
            summary.held_out_lines += 1;
        }
    }
    Ok((model, summary))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CORPUS: &str = "---\nlayout: vanban\ntitle: \"x\"\n---\n\n# QUYẾT ĐỊNH\n\n| a | b |\n|---|---|\n\nThông báo số 339/TB-VPCP của Văn phòng Chính phủ.\nThông báo số 12/TB-VPCP của Văn phòng Chính phủ.\nThông báo số 7/TB-VPCP của Văn phòng Chính phủ.\nThông báo số 7/TB-VPCP của Văn phòng Chính phủ.\n";

    fn small_options() -> TrainOptions {
        TrainOptions {
            min_word: 1,
            min_bigram: 1,
            min_trigram: 1,
            held_out_every: 1000,
            held_out_offset: 999,
            ..TrainOptions::default()
        }
    }

    #[test]
    fn trains_and_round_trips() -> Result<(), TextError> {
        let (m, s) = train(
            CORPUS.as_bytes(),
            &small_options(),
            &ExtraText::default(),
            None,
        )?;
        assert_eq!(s.documents, 1);
        assert_eq!(s.lines, 4); // heading + three distinct prose lines
        let bytes = m.to_bytes();
        let m2 = LanguageModel::from_bytes(&bytes)?;
        assert_eq!(m2.vocab_len(), m.vocab_len());
        let (a, b, c) = (
            m2.id("văn").unwrap_or(UNK),
            m2.id("phòng").unwrap_or(UNK),
            m2.id("chính").unwrap_or(UNK),
        );
        assert!(c != UNK);
        let seen = m2.score(a, b, c);
        let unseen = m2.score(c, b, a);
        assert!(seen > unseen, "{seen} {unseen}");
        assert!((seen - m.score(a, b, c)).abs() < 1e-6);
        Ok(())
    }

    #[test]
    fn extra_text_is_weighted_and_evaluation_text_excluded() -> Result<(), TextError> {
        let extra = ExtraText {
            lines: vec![
                "Độc lập - Tự do - Hạnh phúc".to_string(),
                "Giao UBND tỉnh chủ trì thực hiện việc rà soát các nhiệm vụ được giao".to_string(),
            ],
            exclude: vec!["Giao UBND tỉnh chủ trì thực hiện việc rà soát.".to_string()],
        };
        let (m, s) = train(CORPUS.as_bytes(), &small_options(), &extra, None)?;
        assert_eq!(s.extra_lines, 1);
        assert_eq!(s.excluded_lines, 1);
        assert!(m.id("hạnh").is_some());
        // The excluded line's words never entered the model.
        assert!(m.id("soát").is_none());
        Ok(())
    }

    #[test]
    fn acronyms_are_words_of_the_model() -> Result<(), TextError> {
        let extra = ExtraText {
            lines: vec!["Giao UBND tỉnh và HĐND tỉnh".to_string()],
            exclude: Vec::new(),
        };
        let (m, _) = train(CORPUS.as_bytes(), &small_options(), &extra, None)?;
        assert!(m.id("ubnd").is_some());
        assert!(m.id("hđnd").is_some());
        Ok(())
    }

    #[test]
    fn unmarked_lines_are_not_trained_on() -> Result<(), TextError> {
        assert!(unmarked(
            "Phu luc kem theo Nghi dinh so 91.2016.NĐ-CP da sua doi.doc"
        ));
        assert!(!unmarked(
            "Thông báo số 339/TB-VPCP của Văn phòng Chính phủ."
        ));
        // Short lines and lines of abbreviations are no evidence either way.
        assert!(!unmarked("Dieu 7. Quy dinh chung"));
        assert!(!unmarked("UBND, HĐND, TTHC, CSDL"));
        let extra = ExtraText {
            lines: vec!["Phu luc kem theo Nghi dinh so 91 da sua doi".to_string()],
            exclude: Vec::new(),
        };
        let (m, s) = train(CORPUS.as_bytes(), &small_options(), &extra, None)?;
        assert_eq!(s.extra_lines, 0);
        assert!(m.id("luc").is_none());
        Ok(())
    }

    #[test]
    fn truncated_model_is_an_error() {
        assert!(LanguageModel::from_bytes(b"DDLM0003\xff\xff").is_err());
        assert!(LanguageModel::from_bytes(b"nonsense").is_err());
    }
}
