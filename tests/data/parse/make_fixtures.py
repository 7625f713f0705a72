"""Makes the PDF and image fixtures of the parse tests from directive.txt (clean text written for
these tests). Needs Python with reportlab (BSD) and Pillow (HPND), the DejaVu fonts, and the
tesseract binary with the eng model. Run in this directory:
    python3 make_fixtures.py
Writes:
  text.pdf       3 pages with a text layer; page 1 has the two-column heading of a directive
  scan.png       the first page rendered at 300 dpi (grey), as a scanner would deliver it
  scan.pdf       the same image as an image-only PDF
  bad-ocr.pdf    the image with a text layer from `tesseract -l eng` (damaged English OCR)
  encrypted.pdf  text.pdf's first page protected by a user password
  skewed.jpg     the scan turned by 3 degrees, with noise, as a JPEG
  pages.tif      a two-page bilevel (CCITT G4) TIFF of the scan
  legacy.pdf     body text in lower case written as TCVN3 font codes (as a PDF made with the
                 .VnTime font without a Unicode mapping reads), made with the PyPI package
                 `vietnamese` (only its output is used)
"""
import subprocess
import textwrap

from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"
lines = open("directive.txt", encoding="utf-8").read().splitlines()
left = lines[0:2]
right = lines[2:5]
title = lines[5:7]
body = lines[7:]
# Body paragraphs per page of text.pdf.
pages = [body[0:1], body[1:3], body[3:6]]


def wrap(text, width=85):
    return textwrap.wrap(text, width=width)


def draw_pdf(path, page_list, encrypt=None):
    pdfmetrics.registerFont(TTFont("DejaVuSerif", FONT))
    pdfmetrics.registerFont(TTFont("DejaVuSerif-Bold", BOLD))
    c = canvas.Canvas(path, pagesize=A4, encrypt=encrypt)
    width, height = A4
    for number, paragraphs in enumerate(page_list):
        y = height - 60
        if number == 0:
            c.setFont("DejaVuSerif-Bold", 11)
            for i, line in enumerate(left):
                c.drawCentredString(130, y - 16 * i, line)
            for i, line in enumerate(right):
                c.drawCentredString(400, y - 16 * i, line)
            y -= 16 * len(right) + 24
            for line in title:
                for part in wrap(line, 70):
                    c.drawCentredString(width / 2, y, part)
                    y -= 16
            y -= 10
        c.setFont("DejaVuSerif", 11)
        for paragraph in paragraphs:
            for part in wrap(paragraph):
                c.drawString(60, y, part)
                y -= 16
            y -= 6
        c.showPage()
    c.save()


def draw_image(path):
    dpi = 300
    scale = dpi / 72
    img = Image.new("L", (int(A4[0] * scale), int(560 * scale)), 255)
    d = ImageDraw.Draw(img)
    regular = ImageFont.truetype(FONT, int(11 * scale))
    bold = ImageFont.truetype(BOLD, int(11 * scale))
    y = 40 * scale
    for i, line in enumerate(left):
        d.text((130 * scale, y + 16 * i * scale), line, font=bold, fill=0, anchor="ma")
    for i, line in enumerate(right):
        d.text((400 * scale, y + 16 * i * scale), line, font=bold, fill=0, anchor="ma")
    y += (16 * len(right) + 24) * scale
    for line in title:
        for part in wrap(line, 70):
            d.text((A4[0] / 2 * scale, y), part, font=bold, fill=0, anchor="ma")
            y += 16 * scale
    y += 10 * scale
    for paragraph in body[0:3]:
        for part in wrap(paragraph):
            d.text((60 * scale, y), part, font=regular, fill=0)
            y += 16 * scale
        y += 6 * scale
    img.save(path, dpi=(dpi, dpi), optimize=True)
    img.save("scan.pdf", resolution=dpi)


def skew_and_tiff():
    import random

    scan = Image.open("scan.png")
    turned = scan.rotate(3, resample=Image.BICUBIC, expand=True, fillcolor=255)
    random.seed(7)
    noise = Image.effect_noise(turned.size, 40)
    noisy = Image.blend(turned, noise, 0.06)
    noisy.save("skewed.jpg", quality=50, dpi=(300, 300))
    bilevel = scan.point(lambda v: 255 if v > 128 else 0).convert("1")
    bilevel.save("pages.tif", compression="group4", save_all=True,
                 append_images=[bilevel], dpi=(300, 300))


def draw_legacy_pdf(path):
    import vietnamese

    conv = vietnamese.Converter()
    legacy = [conv.convert(p.lower(), "TCVN3", "UNICODE") for p in body[0:3]]
    draw_pdf_plain(path, legacy)


def draw_pdf_plain(path, paragraphs):
    c = canvas.Canvas(path, pagesize=A4)
    c.setFont("DejaVuSerif", 11)
    y = A4[1] - 60
    for paragraph in paragraphs:
        for part in wrap(paragraph):
            c.drawString(60, y, part)
            y -= 16
        y -= 6
    c.showPage()
    c.save()


draw_pdf("text.pdf", pages)
draw_legacy_pdf("legacy.pdf")
draw_pdf("encrypted.pdf", pages[:1], encrypt="mat-khau")
draw_image("scan.png")
subprocess.run(["tesseract", "scan.png", "bad-ocr", "-l", "eng", "pdf"], check=True)
skew_and_tiff()
# The lines the scan shows, in reading order, for the tests.
with open("scan.txt", "w", encoding="utf-8") as f:
    f.write("\n".join(left + right + title + body[0:3]) + "\n")
with open("legacy.txt", "w", encoding="utf-8") as f:
    f.write("\n".join(p.lower() for p in body[0:3]) + "\n")
