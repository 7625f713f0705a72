#!/usr/bin/env python3
"""Validate the gold annotations of the directive corpus.

Usage: ``check_gold.py [DIR_OR_FILES...]`` (default: ../directives next to this
script). For every ``NN-slug.gold.json`` it checks that

* the JSON parses and has exactly the shape of the ``dondoc extract`` output
  contract: ``{"documents": [{kind, number, issuer, place, issued_on, subject,
  recipients, references, signer, tasks}]}``, each task with ``lead``,
  ``support``, ``text``, ``deadline``, ``deadline_text`` and optionally
  ``recurrence`` (monthly | quarterly | yearly);
* every date is a valid ISO date, issue dates and deadlines lie in 2019-2026,
  no deadline precedes its document's issue date, ``deadline`` and
  ``deadline_text`` are both null or both set;
* agency names are spelled out (no "UBND", "TT&TT", "HĐND" ... abbreviations);
* against the sibling ``NN-slug.txt`` (whitespace-normalised): the number of
  documents matches the national-motto headers, and each document's number,
  signer, task texts and deadline texts occur in the text, in file order;
* where a deadline text has a recognisable form (dd/mm/yyyy, "ngày d tháng m
  năm y", "tháng m/yyyy", "Quý III năm 2020", "cuối năm 2023", "6 tháng đầu
  năm 2025", "N ngày kể từ ngày ký"), the ISO deadline equals the date that
  form denotes (for recurring tasks: only the day of month is checked).

Exit status 0 when every file passes; problems are listed on stderr.
Standard library only.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
import sys
from pathlib import Path

KINDS = {"Công văn", "Thông báo", "Kế hoạch", "Quyết định", "Chỉ thị", "Báo cáo", "Tờ trình", "Công điện", "Nghị quyết"}
DOC_KEYS = ["kind", "number", "issuer", "place", "issued_on", "subject", "recipients", "references", "signer", "tasks"]
TASK_KEYS = {"lead", "support", "text", "deadline", "deadline_text"}
RECURRENCES = {"monthly", "quarterly", "yearly"}
ABBREVIATIONS = re.compile(r"\b(UBND|HĐND|TT&TT|TTTT|KH&ĐT|TN&MT|NN&PTNT|GD&ĐT|LĐTB&XH|VPCP|TW|CP)\b")
ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"


def norm(text: str) -> str:
    """Collapse all whitespace runs to one space."""
    return " ".join(text.split())


def parse_date(value: object) -> dt.date | None:
    """ISO date or None when invalid."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def month_end(year: int, month: int) -> dt.date:
    """Last day of a month."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def expected_deadline(text: str, issued: dt.date) -> dt.date | None:
    """The date a recognisable deadline phrase denotes, else None."""
    t = text.lower()
    m = re.search(r"(\d+)\s*ngày\s*(?:làm việc\s*)?kể từ ngày (?:ký|ban hành)", t)
    if m and "làm việc" not in t:
        return issued + dt.timedelta(days=int(m.group(1)))
    m = re.search(r"quý\s+(iv|iii|ii|i)\s+(?:năm\s+)?(\d{4})", t)
    if m:
        return month_end(int(m.group(2)), 3 * ROMAN[m.group(1).upper()])
    m = re.search(r"6 tháng đầu năm\s+(\d{4})", t)
    if m:
        return dt.date(int(m.group(1)), 6, 30)
    m = re.search(r"cuối năm\s+(\d{4})", t)
    if m:
        return dt.date(int(m.group(1)), 12, 31)
    m = re.search(r"(\d{1,2})/(\d{1,2})/(\d{4})", t)
    if m:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    m = re.search(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", t)
    if m:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    m = re.search(r"tháng\s+(\d{1,2})\s*(?:/|năm)\s*(\d{4})", t)
    if m:
        return month_end(int(m.group(2)), int(m.group(1)))
    m = re.search(r"(?:năm|trong năm)\s+(\d{4})$", t)
    if m:
        return dt.date(int(m.group(1)), 12, 31)
    return None


def check_names(where: str, names: object, problems: list[str], allow_empty: bool) -> None:
    """A list of non-empty, unabbreviated agency names."""
    if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
        problems.append(f"{where}: must be a list of non-empty strings")
        return
    if not names and not allow_empty:
        problems.append(f"{where}: empty")
    for n in names:
        if ABBREVIATIONS.search(n):
            problems.append(f"{where}: abbreviation in {n!r}")
        if n != n.strip() or "  " in n:
            problems.append(f"{where}: stray whitespace in {n!r}")


def check_file(path: Path) -> tuple[list[str], int, int]:
    """Problems found in one gold file, its document count and task count."""
    problems: list[str] = []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        return [f"{path.name}: cannot read JSON: {err}"], 0, 0
    if not isinstance(data, dict) or list(data) != ["documents"] or not isinstance(data["documents"], list):
        return [f"{path.name}: top level must be {{\"documents\": [...]}}"], 0, 0
    docs = data["documents"]
    txt_path = path.with_name(path.name.replace(".gold.json", ".txt"))
    text = norm(txt_path.read_text(encoding="utf-8")) if txt_path.exists() else None
    if text is None:
        problems.append(f"{path.name}: missing {txt_path.name}")
    elif text.count(MOTTO) != len(docs):
        problems.append(f"{path.name}: {len(docs)} documents but {text.count(MOTTO)} headers in text")
    n_tasks = 0
    cursor = 0
    for i, doc in enumerate(docs):
        w = f"{path.name}#{i}"
        if not isinstance(doc, dict) or list(doc) != DOC_KEYS:
            problems.append(f"{w}: keys must be exactly {DOC_KEYS} in that order")
            continue
        if doc["kind"] not in KINDS:
            problems.append(f"{w}: unknown kind {doc['kind']!r}")
        for key in ("number", "issuer", "place", "subject", "signer"):
            if not isinstance(doc[key], str) or not doc[key].strip():
                problems.append(f"{w}: {key} must be a non-empty string")
        issued = parse_date(doc["issued_on"])
        if issued is None or not 2019 <= issued.year <= 2026:
            problems.append(f"{w}: bad issued_on {doc['issued_on']!r}")
            issued = dt.date(2019, 1, 1)
        check_names(f"{w}.issuer", [doc["issuer"]], problems, False)
        check_names(f"{w}.recipients", doc["recipients"], problems, True)
        if not isinstance(doc["references"], list):
            problems.append(f"{w}: references must be a list")
        else:
            for ref in doc["references"]:
                if not isinstance(ref, dict) or set(ref) != {"number", "issued_on"} or not isinstance(ref["number"], str):
                    problems.append(f"{w}: bad reference {ref!r}")
                elif ref["issued_on"] is not None and parse_date(ref["issued_on"]) is None:
                    problems.append(f"{w}: bad reference date {ref!r}")
                elif text is not None and ref["number"] not in text:
                    problems.append(f"{w}: reference {ref['number']} not in text")
        if text is not None:
            for key in ("number", "signer"):
                if isinstance(doc[key], str) and doc[key] not in text:
                    problems.append(f"{w}: {key} {doc[key]!r} not in text")
        if not isinstance(doc["tasks"], list):
            problems.append(f"{w}: tasks must be a list")
            continue
        for j, task in enumerate(doc["tasks"]):
            tw = f"{w}.tasks[{j}]"
            n_tasks += 1
            if not isinstance(task, dict) or not TASK_KEYS <= set(task) or not set(task) <= TASK_KEYS | {"recurrence"}:
                problems.append(f"{tw}: bad keys")
                continue
            check_names(f"{tw}.lead", task["lead"], problems, False)
            check_names(f"{tw}.support", task["support"], problems, True)
            if not isinstance(task["text"], str) or not task["text"].strip():
                problems.append(f"{tw}: empty text")
                continue
            if text is not None:
                pos = text.find(norm(task["text"]), cursor)
                if pos < 0:
                    problems.append(f"{tw}: text not found (in order): {task['text'][:60]!r}")
                else:
                    cursor = pos
            deadline, dl_text = task["deadline"], task["deadline_text"]
            if (deadline is None) != (dl_text is None):
                problems.append(f"{tw}: deadline and deadline_text must both be null or both set")
                continue
            if "recurrence" in task and (task["recurrence"] not in RECURRENCES or deadline is None):
                problems.append(f"{tw}: bad recurrence")
            if deadline is None:
                continue
            d = parse_date(deadline)
            if d is None or not 2019 <= d.year <= 2026:
                problems.append(f"{tw}: bad deadline {deadline!r}")
                continue
            if d < issued:
                problems.append(f"{tw}: deadline {deadline} before issue date {doc['issued_on']}")
            if text is not None and norm(dl_text) not in text:
                problems.append(f"{tw}: deadline_text not in text: {dl_text!r}")
            exp = expected_deadline(dl_text, issued)
            if "recurrence" in task:
                m = re.search(r"trước ngày (\d{1,2})\b", dl_text)
                if m and int(m.group(1)) != d.day:
                    problems.append(f"{tw}: recurring deadline day {d.day} != {m.group(1)}")
            elif exp is not None and exp != d:
                problems.append(f"{tw}: deadline {deadline} but {dl_text!r} denotes {exp}")
    return problems, len(docs), n_tasks


def main(argv: list[str]) -> int:
    """Check the given gold files/directories; print a summary."""
    targets = [Path(a) for a in argv] or [Path(__file__).resolve().parent.parent / "directives"]
    files: list[Path] = []
    for t in targets:
        files.extend(sorted(t.glob("*.gold.json")) if t.is_dir() else [t])
    all_problems: list[str] = []
    n_docs = n_tasks = 0
    for f in files:
        problems, d, t = check_file(f)
        all_problems += problems
        n_docs += d
        n_tasks += t
    for p in all_problems:
        print(p, file=sys.stderr)
    print(f"{len(files)} files, {n_docs} documents, {n_tasks} tasks, {len(all_problems)} problems")
    return 1 if all_problems or not files else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
