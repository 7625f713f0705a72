#!/usr/bin/env python3
"""Builds dictionaries/search-phrases.txt, the phrase list of the synthetic directive
generator, from the Bộ Pháp điển Markdown corpus (public-domain legal texts).

Usage: xz -dc ../shared/corpus/phap-dien.md.xz | python3 tools/search_phrases.py > dictionaries/search-phrases.txt
"""
import re
import sys
import unicodedata

SENTENCE_EVERY = 55   # keep every n-th eligible body line
MAX_SENTENCES = 2500
MAX_SUBJECTS = 600
ALLOWED = re.compile(r"^[\w\s,.;:()/%\-–]+$")

def clean(line):
    line = unicodedata.normalize("NFC", line.strip())
    return line if ALLOWED.match(line) and not re.search(r"[_\d]{12,}", line) else None

def main():
    sentences, subjects, seen = [], [], set()
    front, eligible = False, 0
    for raw in sys.stdin:
        line = raw.rstrip("\n")
        if line == "---":
            front = not front
            continue
        if front:
            if line.startswith("title: ") and len(subjects) < MAX_SUBJECTS:
                title = clean(line[7:].strip().strip('"'))
                if title and 30 <= len(title) <= 200 and title not in seen:
                    seen.add(title)
                    subjects.append(title)
            continue
        if not line or line[0] in "#|>*-+![" or not 60 <= len(line) <= 260:
            continue
        sentence = clean(line)
        if not sentence or re.match(r"^(\w{1,3}[.)]|Điều \d)", sentence):
            continue
        eligible += 1
        if eligible % SENTENCE_EVERY == 0 and len(sentences) < MAX_SENTENCES and sentence not in seen:
            seen.add(sentence)
            sentences.append(sentence)
    print("# Phrases for the synthetic directive generator (search benchmark).")
    print("# Source: Bộ Pháp điển Markdown (diepxuan/diepxuan.github.io, MIT; texts public domain,")
    print("# IP Law Art. 15). Regenerate: xz -dc phap-dien.md.xz | python3 search_phrases.py > search-phrases.txt")
    print("# Format: 's<TAB>sentence' body sentence, 't<TAB>title' directive subject.")
    for title in subjects:
        print("t\t" + title)
    for sentence in sentences:
        print("s\t" + sentence)

main()
