#!/usr/bin/env python3
"""Simulate OCR damage on clean Vietnamese text by rendering it and reading it back.

Usage: ``ocr_damage.py INPUT.txt OUTPUT.txt`` renders the clean UTF-8 text of
INPUT.txt onto A4 page images (DejaVu Serif, 12 pt at 300 dpi) and reads the
pages back with ``tesseract -l eng``, writing the OCR text to OUTPUT.txt; this
reproduces the damage seen when an English OCR engine reads Vietnamese
directives: diacritics dropped or turned into digits and look-alike letters
("Thông báo số" -> "Théng bdo s6", "của" -> "cia"/"cla", "Sở" -> "$6").
``--lang vie`` uses the Vietnamese model instead (much lighter damage).
Many files at once: ``ocr_damage.py --out-dir DIR A.txt B.txt ...`` writes
DIR/A.ocr.txt, DIR/B.ocr.txt ... (``--suffix`` changes ``.ocr.txt``); ``--jobs N``
runs N OCR processes in parallel; ``--keep-images DIR`` keeps the rendered
pages as PNG for inspection. The output depends only on the input text, the
options, the font file and the tesseract version/model, never on timing.

Rendering rules (deterministic):

* Page: A4 at the chosen dpi (2480 x 3508 px at 300 dpi), white background,
  black text, left margin 3 cm, right margin 2 cm, top and bottom margins
  2 cm, as in Vietnamese administrative documents.
* Font: DejaVu Serif (``--font`` to change), 12 pt; line pitch 1.4 x the font
  size. Text is rendered with anti-aliasing, as a 300 dpi scan would look.
* One image line per input line. An input line wider than the text width is
  wrapped: greedy word fill, breaking only at spaces, the width of each
  candidate line measured with the font itself; a single word wider than the
  text width stays on its own (overflowing) line. ``--no-wrap`` disables
  wrapping and instead widens every page to fit the longest line.
  Wrapped lines come back from OCR as separate lines, as in real scans.
* Scan simulation (default on): each page is shrunk to ``--scan-scale`` of its
  size (default 0.4, i.e. a 120 dpi scan) with bilinear filtering, binarised at
  grey level ``--threshold`` (default 128) and enlarged back with
  nearest-neighbour sampling. This thins strokes and merges diacritics the way
  a cheap office scan does; ``--scan-scale 1`` renders clean anti-aliased
  pages instead (lighter damage).
* Empty input lines are rendered as empty lines (OCR may drop them).
* Leading/trailing whitespace of each line is stripped before rendering;
  Markdown emphasis markers (``**``) are kept as text.
* A page break happens every N lines, N being what fits between the margins.
  Pages are read one by one with ``tesseract PAGE stdout -l LANG --psm 4``
  (psm 4: single column of text of variable sizes, so the line structure is
  kept) and ``OMP_THREAD_LIMIT=1``; the page texts are joined with a newline,
  form feeds removed, trailing spaces stripped.

Requirements: Python 3.11, Pillow (HPND licence, a tool-only dependency:
``pip install pillow``), tesseract-ocr with the eng (and optionally vie)
model (Apache-2.0), DejaVu fonts (Bitstream Vera/DejaVu free licence).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

try:
    from PIL import Image, ImageDraw, ImageFont
except ImportError:  # pragma: no cover - reported at run time
    Image = ImageDraw = ImageFont = None  # type: ignore[assignment]

DEFAULT_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
CM_PER_INCH = 2.54


def cm_to_px(cm: float, dpi: int) -> int:
    """Convert centimetres to pixels at the given resolution."""
    return round(cm / CM_PER_INCH * dpi)


class PageLayout:
    """Geometry of a rendered page for a given dpi, font size and font."""

    def __init__(self, dpi: int, font_path: str, font_pt: float) -> None:
        self.dpi = dpi
        self.font_px = round(font_pt / 72.0 * dpi)
        self.font = ImageFont.truetype(font_path, self.font_px)
        self.width = cm_to_px(21.0, dpi)
        self.height = cm_to_px(29.7, dpi)
        self.left = cm_to_px(3.0, dpi)
        self.right = cm_to_px(2.0, dpi)
        self.top = cm_to_px(2.0, dpi)
        self.bottom = cm_to_px(2.0, dpi)
        self.pitch = round(self.font_px * 1.4)
        self.text_width = self.width - self.left - self.right
        self.lines_per_page = max(1, (self.height - self.top - self.bottom) // self.pitch)

    def measure(self, text: str) -> float:
        """Advance width of `text` in pixels."""
        return self.font.getlength(text)


def wrap_line(line: str, layout: PageLayout) -> list[str]:
    """Greedy word wrap of one input line to the text width (see module doc)."""
    line = line.strip()
    if not line or layout.measure(line) <= layout.text_width:
        return [line]
    out: list[str] = []
    current = ""
    for word in line.split():
        candidate = f"{current} {word}" if current else word
        if current and layout.measure(candidate) > layout.text_width:
            out.append(current)
            current = word
        else:
            current = candidate
    if current:
        out.append(current)
    return out


def layout_lines(text: str, layout: PageLayout, wrap: bool) -> list[str]:
    """Split the input into image lines (wrapped unless `wrap` is false)."""
    lines: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if wrap:
            lines.extend(wrap_line(raw, layout))
        else:
            lines.append(raw.strip())
    while lines and not lines[-1]:
        lines.pop()
    return lines


def render_pages(lines: list[str], layout: PageLayout, wrap: bool) -> list["Image.Image"]:
    """Render image lines onto as many pages as needed."""
    width = layout.width
    if not wrap and lines:
        widest = max(layout.measure(line) for line in lines)
        width = max(width, layout.left + layout.right + int(widest) + 1)
    pages = []
    n = layout.lines_per_page
    for start in range(0, max(len(lines), 1), n):
        page = Image.new("L", (width, layout.height), 255)
        draw = ImageDraw.Draw(page)
        y = layout.top
        for line in lines[start : start + n]:
            if line:
                draw.text((layout.left, y), line, font=layout.font, fill=0)
            y += layout.pitch
        pages.append(page)
    return pages


def degrade(page: "Image.Image", scale: float, threshold: int) -> "Image.Image":
    """Simulate a low-resolution binarised scan (see module doc); scale >= 1 is a no-op."""
    if scale >= 1.0:
        return page
    small = page.resize(
        (max(1, round(page.width * scale)), max(1, round(page.height * scale))),
        Image.BILINEAR,
    )
    binary = small.point(lambda v: 0 if v < threshold else 255)
    return binary.resize(page.size, Image.NEAREST)


def ocr_page(png: Path, lang: str, tesseract: str) -> str:
    """Run tesseract on one page image and return its text."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    proc = subprocess.run(
        [tesseract, str(png), "stdout", "-l", lang, "--psm", "4", "--dpi", "300"],
        capture_output=True,
        env=env,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"tesseract failed on {png}: {proc.stderr.decode('utf-8', 'replace').strip()}"
        )
    return proc.stdout.decode("utf-8", "replace")


def damage_text(
    text: str,
    *,
    lang: str = "eng",
    scan_scale: float = 0.4,
    threshold: int = 128,
    dpi: int = 300,
    font: str = DEFAULT_FONT,
    font_pt: float = 12.0,
    wrap: bool = True,
    keep_images: Path | None = None,
    image_stem: str = "page",
    tesseract: str = "tesseract",
) -> str:
    """Render `text` to pages and return what tesseract reads back."""
    layout = PageLayout(dpi, font, font_pt)
    lines = layout_lines(text, layout, wrap)
    pages = [degrade(p, scan_scale, threshold) for p in render_pages(lines, layout, wrap)]
    texts = []
    with tempfile.TemporaryDirectory(prefix="ocr_damage_") as tmp:
        for i, page in enumerate(pages, start=1):
            png = Path(tmp) / f"{image_stem}-{i:03d}.png"
            page.save(png, dpi=(dpi, dpi))
            if keep_images is not None:
                keep_images.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(png, keep_images / png.name)
            texts.append(ocr_page(png, lang, tesseract))
    out_lines = []
    for page_text in texts:
        for line in page_text.replace("\f", "").split("\n"):
            out_lines.append(line.rstrip())
    while out_lines and not out_lines[-1]:
        out_lines.pop()
    return "\n".join(out_lines) + "\n"


def output_name(inp: Path, out_dir: Path, suffix: str) -> Path:
    """DIR/stem + suffix, with a trailing ``.txt`` of the input dropped."""
    name = inp.name[:-4] if inp.name.endswith(".txt") else inp.name
    return out_dir / (name + suffix)


def process(job: tuple[Path, Path, dict]) -> str:
    """Damage one file; returns a one-line status message."""
    inp, out, opts = job
    text = inp.read_text(encoding="utf-8")
    keep = opts.pop("keep_images", None)
    result = damage_text(
        text,
        keep_images=keep,
        image_stem=out.name.rsplit(".", 2)[0] if keep else "page",
        **opts,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(result, encoding="utf-8")
    return f"{inp} -> {out}"


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        description=(
            "Render clean UTF-8 text to A4 page images (DejaVu Serif 12 pt) and read "
            "them back with tesseract, producing realistic OCR damage. Long lines are "
            "wrapped greedily at spaces to the 16 cm text width (measured with the "
            "font); --no-wrap widens the page instead. Output is deterministic."
        ),
        epilog=(
            "examples:\n"
            "  ocr_damage.py doc.txt doc.ocr.txt\n"
            "  ocr_damage.py --lang vie doc.txt doc.vie.txt\n"
            "  ocr_damage.py --jobs 2 --out-dir out/ a.txt b.txt   # out/a.ocr.txt ...\n"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="INPUT.txt OUTPUT.txt, or with --out-dir: one or more inputs")
    parser.add_argument("--out-dir", type=Path,
                        help="write each INPUT as OUT_DIR/<stem><suffix> (many inputs allowed)")
    parser.add_argument("--suffix", default=".ocr.txt",
                        help="output name suffix with --out-dir (default .ocr.txt)")
    parser.add_argument("--lang", default="eng", choices=["eng", "vie"],
                        help="tesseract language model (default eng: heavy damage)")
    parser.add_argument("--dpi", type=int, default=300, help="render resolution (default 300)")
    parser.add_argument("--font", default=DEFAULT_FONT, help="TrueType font (default DejaVu Serif)")
    parser.add_argument("--font-size", type=float, default=12.0, help="font size in pt (default 12)")
    parser.add_argument("--scan-scale", type=float, default=0.4,
                        help="simulated scan: shrink pages to this fraction, binarise, enlarge "
                             "back (default 0.4; 1 = clean render)")
    parser.add_argument("--threshold", type=int, default=128,
                        help="binarisation grey level for the simulated scan (default 128)")
    parser.add_argument("--no-wrap", action="store_true",
                        help="do not wrap long lines; widen the page to the longest line")
    parser.add_argument("--keep-images", type=Path, metavar="DIR",
                        help="keep the rendered page images (PNG) in DIR")
    parser.add_argument("--jobs", type=int, default=1, help="parallel OCR processes (default 1)")
    parser.add_argument("--tesseract", default="tesseract", help="tesseract executable")
    args = parser.parse_args(argv)

    if Image is None:
        parser.error("Pillow is required: pip install pillow")
    if shutil.which(args.tesseract) is None:
        parser.error(f"{args.tesseract} not found: apt-get install tesseract-ocr tesseract-ocr-eng")
    if not 72 <= args.dpi <= 1200:
        parser.error("--dpi must be between 72 and 1200")
    if not 0.1 <= args.scan_scale <= 1.0:
        parser.error("--scan-scale must be between 0.1 and 1")
    if not 1 <= args.threshold <= 254:
        parser.error("--threshold must be between 1 and 254")
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")

    if args.out_dir is not None:
        pairs = [(Path(p), output_name(Path(p), args.out_dir, args.suffix)) for p in args.paths]
    elif len(args.paths) == 2:
        pairs = [(Path(args.paths[0]), Path(args.paths[1]))]
    else:
        parser.error("give INPUT.txt OUTPUT.txt, or --out-dir DIR with one or more inputs")

    opts = dict(lang=args.lang, dpi=args.dpi, font=args.font, font_pt=args.font_size,
                wrap=not args.no_wrap, tesseract=args.tesseract,
                scan_scale=args.scan_scale, threshold=args.threshold)
    jobs = [(inp, out, dict(opts, keep_images=args.keep_images)) for inp, out in pairs]
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(process, job): job[0] for job in jobs}
        for fut in concurrent.futures.as_completed(futures):
            try:
                print(fut.result(), file=sys.stderr)
            except (OSError, RuntimeError, UnicodeDecodeError) as err:
                failed += 1
                print(f"error: {futures[fut]}: {err}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
