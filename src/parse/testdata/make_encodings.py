"""Writes the legacy-encoding test inputs from sentence.txt with the reference converter
(PyPI package `vietnamese` 0.0.8, used only as an independent reference; its licence is not
stated, so none of its code is used, only its output for our own sentence) and Python's own
cp1258 codec.
Run: python3 make_encodings.py  (in this directory, with `pip install vietnamese`)."""
import unicodedata
import vietnamese

text = open("sentence.txt", encoding="utf-8").read().rstrip("\n")
conv = vietnamese.Converter()
for name, charset in [("tcvn3", "TCVN3"), ("vni", "VNI_WIN")]:
    legacy = conv.convert(text, charset, "UNICODE")
    open(f"sentence.{name}", "wb").write(legacy.encode("cp1252"))

out = bytearray()
for ch in text:
    try:
        out += ch.encode("cp1258")
        continue
    except UnicodeEncodeError:
        pass
    parts = unicodedata.normalize("NFD", ch)
    tones = [c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323"]
    base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
    out += base.encode("cp1258") + "".join(tones).encode("cp1258")
open("sentence.cp1258", "wb").write(bytes(out))
