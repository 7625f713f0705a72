#!/usr/bin/env python3
"""Build the text-repair tuning set from held-out documents of the legal corpus.

Usage: ``xz -dc ../shared/corpus/phap-dien.md.xz | python3 corpus/tools/dev_text.py OUT_DIR``
writes OUT_DIR/NN.txt files of clean, directive-like prose lines taken only from the
documents that language-model training keeps out (every tenth document, counting from the
fourth, of at most 400,000 characters: ``TrainOptions`` in src/text/lm.rs). A line is taken
only when it shares no 6-gram of words with the training documents (no near-duplicates of
training text), has 10 to 60 words, reads like the body of an administrative directive (at
least two words of the list ``CUES``), and carries no old-style tone placement ("hoà",
"thuỷ") that the Unicode layer would rewrite. Lines are picked at random (seed 42) up to
``--syllables`` words, and cut into files of about ``--per-file`` words.

Then ``python3 corpus/tools/ocr_damage.py --jobs 2 --out-dir OUT_DIR OUT_DIR/*.txt``
renders and reads them back (NN.ocr.txt), so that ``dondoc eval restore --dir OUT_DIR``
measures the repair on them. The output depends only on the corpus and the options.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import unicodedata
from pathlib import Path

HELD_OUT_EVERY = 10
HELD_OUT_OFFSET = 3
HELD_OUT_MAX_BYTES = 400_000

CUES = [
    "giao", "đề nghị", "chủ trì", "phối hợp", "báo cáo", "triển khai", "thực hiện",
    "ủy ban", "bộ", "sở", "tỉnh", "thành phố", "kiểm tra", "hướng dẫn", "tổ chức",
    "trách nhiệm", "chỉ đạo", "kịp thời", "đôn đốc", "cơ quan", "địa phương", "đơn vị",
    "khẩn trương", "tăng cường", "rà soát", "đảm bảo", "bảo đảm", "theo dõi", "tham mưu",
]
OLD_TONE = re.compile(r"[oO][àáảãạèéẻẽẹÀÁẢÃẠÈÉẺẼẸ](?![a-zđăâêôơưA-Z])|[uU][ỳýỷỹỵỲÝỶỸỴ](?![a-zA-Z])")
# A whole sentence or list item: opens with a capital, a digit, "-" or "a)", ends with . ; :
SENTENCE = re.compile(r"^(?:[-+•]\s|[a-zđ]\)\s|\d|[A-ZĐÀ-Ỹ])[^&]*[.;:]$")
CODE_CHARS = set("/@-.:_\\=+%#–")
TRIM = "([{\"'“‘«*•–—-`´.,;:!?)]}”’»…"


def clean_line(line: str) -> str | None:
    """The prose of one Markdown body line, as src/text/lm.rs `clean_line` keeps it."""
    t = line.strip()
    if not t or t.startswith("|") or t.startswith("---") or t.startswith("```") or "http" in t:
        return None
    t = t.lstrip("#>").strip()
    t = "".join(c for c in t if c not in "*`")
    t = unicodedata.normalize("NFC", t).strip()
    if sum(c.isalpha() for c in t) < 2:
        return None
    return t


def documents(stream):
    """Documents of the corpus (lists of cleaned lines), split at YAML front matter."""
    doc: list[str] = []
    started = in_front = pending_rule = False
    for raw in stream:
        line = raw.rstrip("\n")
        if in_front:
            if line.strip() == "---":
                in_front = False
            continue
        if pending_rule:
            pending_rule = False
            key = line.split(":", 1)[0] if ":" in line else None
            if key and all(c.islower() and c.isascii() or c == "_" for c in key):
                if started:
                    yield doc
                    doc = []
                started = in_front = True
                continue
        if line.strip() == "---":
            pending_rule = True
            continue
        c = clean_line(line)
        if c is not None:
            doc.append(c)
    if started or doc:
        yield doc


def word_keys(line: str) -> list[str]:
    """Lowercased words of a line (tokens with letters that are not codes)."""
    out = []
    for chunk in line.split():
        w = chunk.strip(TRIM)
        if not w or not any(c.isalpha() for c in w) or w[0].isdigit():
            continue
        if any(c in CODE_CHARS for c in w):
            continue
        out.append(w.lower())
    return out


def grams(keys: list[str], n: int):
    return {hash(tuple(keys[i:i + n])) for i in range(len(keys) - n + 1)}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out_dir", type=Path)
    p.add_argument("--syllables", type=int, default=8000)
    p.add_argument("--per-file", type=int, default=500)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--ngram", type=int, default=8,
                   help="drop lines sharing an n-gram of this many words with training (default 8)")
    a = p.parse_args()
    stream = (b.decode("utf-8", "replace") for b in sys.stdin.buffer)
    train6: set[int] = set()
    counts: dict[str, int] = {}
    held: list[str] = []
    for i, doc in enumerate(documents(stream)):
        size = sum(len(l.encode()) for l in doc)
        if i % HELD_OUT_EVERY == HELD_OUT_OFFSET % HELD_OUT_EVERY and size <= HELD_OUT_MAX_BYTES:
            held.extend(doc)
        else:
            for l in doc:
                keys = word_keys(l)
                train6 |= grams(keys, a.ngram)
                for k in keys:
                    counts[k] = counts.get(k, 0) + 1

    def rare(k: str) -> bool:
        """A word seen fewer than twice in training: mostly typos of the corpus."""
        return counts.get(k, 0) < 2
    seen: set[str] = set()
    pool = []
    for l in held:
        if l in seen:
            continue
        seen.add(l)
        keys = word_keys(l)
        n = len(l.split())
        if not 10 <= n <= 60 or len(keys) < 8 or OLD_TONE.search(l) or not SENTENCE.match(l):
            continue
        if any(rare(k) for k in keys):
            continue
        if grams(keys, a.ngram) & train6:
            continue
        low = l.lower()
        if sum(1 for c in CUES if re.search(r"(?<!\w)" + c + r"(?!\w)", low)) < 2:
            continue
        pool.append(l)
    random.Random(a.seed).shuffle(pool)
    a.out_dir.mkdir(parents=True, exist_ok=True)
    total, files, cur, cur_n = 0, 0, [], 0
    for l in pool:
        if total >= a.syllables:
            break
        cur.append(l)
        cur_n += len(l.split())
        total += len(l.split())
        if cur_n >= a.per_file:
            files += 1
            (a.out_dir / f"{files:02d}.txt").write_text("\n".join(cur) + "\n", encoding="utf-8")
            cur, cur_n = [], 0
    if cur:
        files += 1
        (a.out_dir / f"{files:02d}.txt").write_text("\n".join(cur) + "\n", encoding="utf-8")
    print(f"{len(held)} held-out lines, {len(pool)} eligible, {total} words in {files} files",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
