//! Vietnamese text repair: Unicode layer, syllables, language model and restoration of
//! damaged (OCR-read or mark-stripped) directive text.
//!
//! Pipeline of [`normalize`]: [`unicode::repair_unicode`] (NFC, invisible and look-alike
//! characters, VIQR, tone placement hòa/thủy/Ủy), then [`restore::Restorer`]: every word gets
//! candidate syllables (same letters with other marks; digits and symbols read as letters;
//! misread letters by weighted edit distance; the learned OCR confusion table; two syllables
//! glued by OCR), scored by a channel cost and the syllable trigram model, best sequence by
//! beam search. Numbers, codes, e-mail addresses, acronyms, punctuation, case and line breaks
//! are kept. A document that is mostly correctly marked is treated as clean: only unknown words
//! are repaired there.
//!
//! Data in `dictionaries/` (derived from the public-domain legal corpus Bộ Pháp điển, with the
//! place names of `places.txt` and the abbreviations of `acronyms.txt` and `agencies.tsv`):
//! - `vi-syllable-lm.bin`: the language model, from [`train_language_model`] over
//!   `xz -dc phap-dien.md.xz`; compiled in and parsed once on first use (a file named by
//!   `$DONDOC_LANGUAGE_MODEL` replaces it, see [`language_model_path`]).
//! - `ocr-confusions.tsv`: observed word → intended syllable counts, from
//!   [`sample_channel_lines`] → rendering and reading back with `tesseract -l eng`
//!   (`corpus/tools/ocr_damage.py`) → [`learn_ocr_channel`]; compiled in.
//!
//! Held-out documents (every 10th document of at most 400,000 characters, see
//! [`lm::TrainOptions`]) never enter the model or the channel pairs.

pub mod channel;
pub mod eval;
pub mod layout;
pub mod legacy;
pub mod lm;
pub mod names;
pub mod restore;
pub mod syllable;
pub mod token;
pub mod unicode;

use std::sync::OnceLock;

pub use eval::syllable_error_rate;
pub use unicode::{fold, nfc};

/// Errors of the text module.
#[derive(Debug, thiserror::Error)]
pub enum TextError {
    /// Reading the corpus or writing the model failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// A model file is malformed.
    #[error("bad language model: {0}")]
    BadModel(String),
}

/// File name of the syllable language model in `dictionaries/`.
pub const LANGUAGE_MODEL_FILE: &str = "vi-syllable-lm.bin";

/// The language model compiled into the program.
static EMBEDDED_MODEL: &[u8] = include_bytes!("../../dictionaries/vi-syllable-lm.bin");

/// Where a replacement language model is read from: `$DONDOC_LANGUAGE_MODEL`, if set; the
/// model compiled in from `dictionaries/vi-syllable-lm.bin` is used otherwise.
pub fn language_model_path() -> Option<std::path::PathBuf> {
    std::env::var_os("DONDOC_LANGUAGE_MODEL").map(Into::into)
}

/// The restorer over the language model, loaded once; `None` when the model is unreadable
/// (then [`normalize`] does the Unicode repair only).
pub fn restorer() -> Option<&'static restore::Restorer> {
    static RESTORER: OnceLock<Option<restore::Restorer>> = OnceLock::new();
    RESTORER
        .get_or_init(|| {
            let model = match language_model_path() {
                Some(p) => lm::LanguageModel::from_bytes(&std::fs::read(p).ok()?),
                None => lm::LanguageModel::from_bytes(EMBEDDED_MODEL),
            };
            model.ok().map(restore::Restorer::new)
        })
        .as_ref()
}

/// Full repair of a directive's text: Unicode repair (NFC, invisible and look-alike
/// characters, legacy VIQR, one tone-placement convention), then restoration of missing
/// marks and OCR damage when the language model is available. The output has as many lines
/// as the input; clean Vietnamese passes through unchanged.
pub fn normalize(input: &str) -> String {
    let text = input.replace("\r\n", "\n");
    let repaired = unicode::repair_unicode(&text);
    let lines = |s: &str| s.split('\n').count();
    if lines(&repaired) != lines(&text) {
        return text;
    }
    match restorer() {
        Some(r) => {
            let restored = r.restore(&repaired);
            if lines(&restored) == lines(&text) {
                match r.mode_of(&repaired) {
                    restore::Mode::Damaged => layout::keep_place_names(
                        &repaired,
                        &names::keep_signer_letters(r, &repaired, &restored),
                    ),
                    restore::Mode::Stripped => layout::keep_place_names(&repaired, &restored),
                    restore::Mode::Clean => restored,
                }
            } else {
                repaired
            }
        }
        None => repaired,
    }
}

/// Trains the syllable language model from a Markdown corpus read from `corpus` (e.g.
/// `xz -dc phap-dien.md.xz`) with default [`lm::TrainOptions`] and writes it to `out`.
/// Held-out documents are excluded; when `held_out` is given their lines (minus any sharing
/// a 6-gram with training text) are written there for evaluation.
/// `extra` adds in-domain lines and removes near-duplicates of the evaluation text.
pub fn train_language_model(
    corpus: impl std::io::BufRead,
    extra: &lm::ExtraText,
    out: &std::path::Path,
    held_out: Option<&std::path::Path>,
) -> Result<lm::TrainSummary, TextError> {
    train_language_model_with(corpus, extra, out, held_out, &lm::TrainOptions::default())
}

/// [`train_language_model`] with explicit options.
pub fn train_language_model_with(
    corpus: impl std::io::BufRead,
    extra: &lm::ExtraText,
    out: &std::path::Path,
    held_out: Option<&std::path::Path>,
    options: &lm::TrainOptions,
) -> Result<lm::TrainSummary, TextError> {
    let (model, summary) = match held_out {
        Some(p) => {
            let mut w = std::io::BufWriter::new(std::fs::File::create(p)?);
            let r = lm::train(corpus, options, extra, Some(&mut w))?;
            std::io::Write::flush(&mut w)?;
            r
        }
        None => lm::train(corpus, options, extra, None)?,
    };
    std::fs::write(out, model.to_bytes())?;
    Ok(summary)
}

/// Clean prose lines of the training part of a corpus for building OCR training pairs
/// (every `every`-th line, at most `max`), one per line in the result.
pub fn sample_channel_lines(
    corpus: impl std::io::BufRead,
    every: usize,
    max: usize,
) -> Result<String, TextError> {
    let lines = lm::sample_training_lines(corpus, &lm::TrainOptions::default(), every, max)?;
    Ok(lines.join("\n") + "\n")
}

/// Learns the OCR confusion table from pairs of (clean text, its OCR reading) and writes it to
/// `out` (normally `dictionaries/ocr-confusions.tsv`), keeping pairs seen `min_count` times.
pub fn learn_ocr_channel(
    pairs: &[(String, String)],
    min_count: u32,
    out: &std::path::Path,
) -> Result<usize, TextError> {
    let mut counts = std::collections::HashMap::new();
    for (reference, ocr) in pairs {
        channel::count_confusions(reference, ocr, &mut counts);
    }
    let mut w = std::io::BufWriter::new(std::fs::File::create(out)?);
    channel::write_table(&counts, min_count, &mut w)?;
    std::io::Write::flush(&mut w)?;
    Ok(counts.values().filter(|c| **c >= min_count).count())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shared sample directives, if present beside the project.
    fn samples() -> Vec<(String, String)> {
        let dirs = [
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/samples"),
            std::path::PathBuf::from("/work/shared/samples"),
        ];
        for d in dirs {
            if let Ok(entries) = std::fs::read_dir(&d) {
                let mut out: Vec<(String, String)> = entries
                    .filter_map(Result::ok)
                    .filter_map(|e| {
                        let name = e.file_name().to_string_lossy().to_string();
                        std::fs::read_to_string(e.path()).ok().map(|t| (name, t))
                    })
                    .collect();
                out.sort();
                return out;
            }
        }
        Vec::new()
    }

    #[test]
    fn normalize_keeps_the_line_count_of_every_sample() {
        for (name, text) in samples() {
            let out = normalize(&text);
            assert_eq!(out.split('\n').count(), text.split('\n').count(), "{name}");
        }
    }

    #[test]
    fn normalize_leaves_the_clean_sample_almost_unchanged() {
        let Some((_, clean)) = samples().into_iter().find(|(n, _)| n.starts_with("001")) else {
            return;
        };
        let out = normalize(&clean);
        let changed = clean
            .split('\n')
            .zip(out.split('\n'))
            .filter(|(a, b)| a != b)
            .count();
        let lines = clean.split('\n').count();
        // Only tone placement ("CỘNG HOÀ" → "CỘNG HÒA") may change in clean text.
        assert!(changed * 50 <= lines, "{changed} of {lines} lines changed");
    }

    #[test]
    fn normalize_keeps_lines_and_trailing_newline_on_odd_input() {
        for input in [
            "",
            "\n",
            "a\n\nb\n",
            "x\r\ny",
            "\u{200B}\n\u{FEFF}",
            "t6i S¢& 46 §$ ¢",
            "ĐĐĐ\n\n\n",
        ] {
            let out = normalize(input);
            assert_eq!(
                out.split('\n').count(),
                input.split('\n').count(),
                "{input:?}"
            );
            assert!(!input.ends_with('\n') || out.ends_with('\n'));
        }
    }

    #[test]
    fn clean_vietnamese_passes_through() {
        let s = "Thông báo số 339/TB-VPCP ngày 22/9/2020 của Văn phòng Chính phủ.\nỦy ban nhân dân tỉnh Kiên Giang";
        assert_eq!(normalize(s), s);
    }

    #[test]
    fn damaged_text_is_repaired_when_the_model_is_present() {
        if restorer().is_none() {
            return;
        }
        let out = normalize("Thong bdo sb 339/TB-VPCP ngay 22/9/2020 cla Vin phong Chinh pht");
        let errors = eval::syllable_errors(
            "Thông báo số 339/TB-VPCP ngày 22/9/2020 của Văn phòng Chính phủ",
            &out,
            true,
        )
        .0;
        assert!(errors <= 2, "{out}");
        let stripped =
            normalize("Uy ban nhan dan tinh thong bao y kien chi dao cua Thu tuong Chinh phu");
        assert_eq!(
            stripped,
            "Ủy ban nhân dân tỉnh thông báo ý kiến chỉ đạo của Thủ tướng Chính phủ"
        );
    }
}

#[cfg(test)]
mod damage_tests {
    use super::*;

    /// Restores `input` with the shipped model and counts syllable errors against `expected`.
    fn errors(input: &str, expected: &str) -> Option<(usize, String)> {
        restorer()?;
        let out = normalize(input);
        Some((eval::syllable_errors(expected, &out, true).0, out))
    }

    #[test]
    fn learned_misreadings_of_numbers_and_capitals_are_read_back() {
        let input = "Mua 1én gay 10 quét, sat 16 dat tai cdc huyén mién nui; BG Néng nghiép va \
                     Mé6i trudng chu tri, phéi hop véi BG Tai chinh trong vong 10 ngay.";
        let expected = "Mưa lớn gây lũ quét, sạt lở đất tại các huyện miền núi; Bộ Nông nghiệp và \
                        Môi trường chủ trì, phối hợp với Bộ Tài chính trong vòng 10 ngày.";
        let Some((_, out)) = errors(input, expected) else {
            return;
        };
        assert!(out.contains("gây lũ quét"), "{out}");
        assert!(out.contains("Bộ Nông nghiệp"), "{out}");
        assert!(out.contains("Bộ Tài chính"), "{out}");
        assert!(out.contains("trong vòng 10 ngày"), "{out}");
    }

    #[test]
    fn digits_and_symbols_inside_words_are_read_as_letters() {
        let cases = [
            (
                "tai Hoi nghi trye tuyén d4y nhanh cung c4p dich vu c6ng truc tuyén",
                "tại Hội nghị trực tuyến đẩy nhanh cung cấp dịch vụ công trực tuyến",
            ),
            (
                "Giao S¢& Thong tin va Truyén théng chu tri",
                "Giao Sở Thông tin và Truyền thông chủ trì",
            ),
            (
                "Thong bdo sb 339/TB-VPCP ngay 22/9/2020 cla Vin phong Chinh pht",
                "Thông báo số 339/TB-VPCP ngày 22/9/2020 của Văn phòng Chính phủ",
            ),
        ];
        for (input, expected) in cases {
            let Some((e, out)) = errors(input, expected) else {
                return;
            };
            let n = expected.split_whitespace().count();
            assert!(e * 5 <= n, "{e} errors: {out}");
        }
    }

    #[test]
    fn debris_words_glued_words_and_signature_blocks_are_read() {
        let cases = [
            (
                // "$6" and "1a" are words, not codes; a lone "6" is "ổ"; OCR's capital A
                // inside a sentence is a small letter.
                "$6: 4512/BNNMT-CNTY\nNguyén nhan chu yéu 1a chan nudi, 214 6 dich\nkip thoi phan Anh vé Bé Tai chinh",
                "Số: 4512/BNNMT-CNTY\nNguyên nhân chủ yếu là chăn nuôi, 214 ổ dịch\nkịp thời phản ánh về Bộ Tài chính",
            ),
            (
                // Two syllables glued by OCR; a signature block in capitals.
                "Doc lap - Tudo - Hanh phuc\nphéi hop xtrly vi pham\nKT: BO TRUONG\nTHU TRUONG",
                "Độc lập - Tự do - Hạnh phúc\nphối hợp xử lý vi phạm\nKT: BỘ TRƯỞNG\nTHỨ TRƯỞNG",
            ),
        ];
        for (input, expected) in cases {
            let Some((e, out)) = errors(input, expected) else {
                return;
            };
            assert!(e <= 1, "{e} errors: {out}");
        }
    }

    #[test]
    fn ir_is_read_as_u_with_a_horn() {
        let Some(r) = restorer() else {
            return;
        };
        let readings = r.explain("hirdéng", restore::Mode::Damaged);
        assert!(readings.iter().any(|(w, _)| w == "hướng"), "{readings:?}");
    }

    #[test]
    fn codes_abbreviations_and_addresses_are_kept() {
        if restorer().is_none() {
            return;
        }
        let out = normalize(
            "Thong bao cua UBND tinh va HDND tinh, CSDL, TTHC, gui vanthu@kiengiang.gov.vn so 97/NQ-CP ngay 15/3/2021",
        );
        for kept in [
            "UBND",
            "HĐND",
            "CSDL",
            "TTHC",
            "vanthu@kiengiang.gov.vn",
            "97/NQ-CP",
            "15/3/2021",
        ] {
            assert!(out.contains(kept), "{kept}: {out}");
        }
    }

    #[test]
    fn capitals_are_restored_with_their_case() {
        let Some((e, out)) = errors(
            "CONG HOA XA HOI CHU NGHIA VIET NAM\nVin phong Chinh pht",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nVăn phòng Chính phủ",
        ) else {
            return;
        };
        assert!(e <= 2, "{out}");
        assert!(
            out.lines().next().is_some_and(|l| l == l.to_uppercase()),
            "{out}"
        );
    }
}

#[cfg(test)]
mod robustness_tests {
    use super::*;

    #[test]
    fn arbitrary_input_never_panics_and_keeps_lines() {
        let alphabet: Vec<char> = "aăâeêioôơuưyđĐAÊƠ bcdghklmnpqrstvx0123456789¢&§$@¥'’‘`´.,;:()/-\n\r\t\u{200B}\u{0301}\u{0323}\u{00A0}^+~?ﬁ😀"
            .chars()
            .collect();
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..300 {
            let mut s = String::new();
            let len = (state % 80) as usize;
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                s.push(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            let out = normalize(&s);
            let expected = s.replace("\r\n", "\n");
            assert_eq!(
                out.split('\n').count(),
                expected.split('\n').count(),
                "{s:?}"
            );
            let _ = fold(&s);
            let _ = syllable_error_rate(&s, &out, false);
        }
    }
}
