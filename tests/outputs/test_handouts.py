"""Take-home handouts: what each page says, that it is escaped, and that it prints on one page."""

from __future__ import annotations

import re
import stat
import time
import unicodedata
import zlib
from html import escape
from pathlib import Path

import pytest

from rapport.content.loading import load_manifest, load_module
from rapport.content.schema import Challenge, ReflectionPrompt
from rapport.outputs import handouts
from rapport.outputs.handouts import (
    chromium_path,
    handout_html,
    html_to_pdf,
    workbook_html,
    write_handouts,
)

from ..conftest import ROOT

MANIFEST = load_manifest(ROOT)
MODULE_IDS = MANIFEST.modules
ALL_FILES = [*MODULE_IDS, "workbook"]
# PDF page sizes in points, as Chromium writes them.
PAGE_SIZES = {"A4": (595.0, 842.0), "Letter": (612.0, 792.0)}


def modules():
    return [load_module(m, ROOT) for m in MODULE_IDS]


# -- the HTML --------------------------------------------------------------------------------


@pytest.mark.parametrize("module_id", MODULE_IDS)
def test_each_handout_carries_its_module(module_id: str):
    module = load_module(module_id, ROOT)
    page = handout_html(module, MANIFEST)
    assert page.startswith("<!doctype html>")
    assert '<html lang="en">' in page
    assert '<meta charset="utf-8">' in page
    assert f"<title>{escape(module.label)}" in page
    assert f"<h1>{escape(module.label)}</h1>" in page
    assert escape(module.questions[0]) in page
    for point in module.key_points:
        assert escape(point) in page
    for reflection in module.reflections[: handouts.PROMPTS]:  # with room to write
        assert escape(reflection.prompt) in page
        if reflection.hint:
            assert escape(reflection.hint) in page
    if module.challenge:
        assert "Practice this week" in page
        assert escape(module.challenge.title) in page
        assert escape(module.challenge.text) in page
    else:
        assert "Practice this week" not in page
    if module.skill:
        assert f"The skill: {escape(module.skill.name)}" in page
        assert all(escape(step) in page for step in module.skill.steps)
        assert all(escape(stem) in page for stem in module.skill.stems[: handouts.STEMS])
    assert "Rapport · a workshop on real connection" in page


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_handouts_are_self_contained(listen, paper: str):
    page = handout_html(listen, MANIFEST, paper)
    for outside in ("<script", "<link", "<img", "@import", "url(", "http://", "https://"):
        assert outside not in page
    assert "@page { size: " + ("A4" if paper == "A4" else "letter") in page


def test_framing_modules_have_no_challenge_yet_still_print():
    welcome = load_module("00-welcome", ROOT)
    assert welcome.kind == "framing" and welcome.challenge is None
    page = handout_html(welcome, MANIFEST)
    assert "Key points" in page and "Reflect" in page
    assert "Practice this week" not in page
    bare = welcome.model_copy(update={"key_points": [], "reflections": [], "care_note": None})
    page = handout_html(bare, MANIFEST)
    assert "<h1>00 · Welcome</h1>" in page
    assert "Key points" not in page and "Reflect" not in page


def test_content_is_escaped(listen):
    tricky = listen.model_copy(
        update={
            "title": "Tags <b>bold</b> & more",
            "questions": ["Is 1 < 2 & 3 > 2?"],
            "key_points": ["<script>alert('point')</script>"],
            "care_note": "Fish & <chips>",
            "reflections": [
                ReflectionPrompt(id="payload", prompt="<img src=x onerror=alert(1)>", hint="a&b")
            ],
            "challenge": Challenge(title="<i>Try</i> this", text='Say "hi" & <wave>'),
        }
    )
    page = handout_html(tricky, MANIFEST)
    for raw in ("<b>bold</b>", "<script>", "<img", "<chips>", "<i>Try", "<wave>", "1 < 2 &"):
        assert raw not in page
    assert "Tags &lt;b&gt;bold&lt;/b&gt; &amp; more" in page
    assert "Is 1 &lt; 2 &amp; 3 &gt; 2?" in page
    assert "&lt;script&gt;alert(&#x27;point&#x27;)&lt;/script&gt;" in page
    assert "Fish &amp; &lt;chips&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "a&amp;b" in page
    assert "&lt;i&gt;Try&lt;/i&gt; this." in page
    assert "Say &quot;hi&quot; &amp; &lt;wave&gt;" in page
    book = workbook_html(MANIFEST, [tricky])
    assert "<b>bold</b>" not in book and "Tags &lt;b&gt;bold&lt;/b&gt; &amp; more" in book


def test_workbook_has_a_cover_then_one_page_per_module():
    mods = modules()
    book = workbook_html(MANIFEST, mods)
    assert "<h1>Rapport workbook</h1>" in book
    assert book.count('class="sheet cover"') == 1
    assert book.count('class="sheet handout"') == len(mods) == 14
    assert "break-before: page" in book
    contents = book.split('<ol class="contents">')[1].split("</ol>")[0]
    for number, module in enumerate(mods, start=2):
        assert f'<a href="#module-{module.id}">{escape(module.label)}</a>' in contents
        assert f"page {number}" in contents
        assert f'id="module-{module.id}"' in book
        assert f"<h1>{escape(module.label)}</h1>" in book
    # The cover comes first and the modules follow in course order.
    places = [book.index(f'id="module-{m.id}"') for m in mods]
    assert book.index('id="cover"') < places[0] and places == sorted(places)


@pytest.mark.parametrize("paper", ["a4", "letter", "A5", ""])
def test_an_unknown_paper_size_is_refused_clearly(listen, tmp_path: Path, paper: str):
    message = re.escape(f"paper must be 'A4' or 'Letter', not {paper!r}")
    with pytest.raises(ValueError, match=message):
        handout_html(listen, MANIFEST, paper)
    with pytest.raises(ValueError, match=message):
        workbook_html(MANIFEST, [listen], paper)
    with pytest.raises(ValueError, match=message):
        write_handouts(tmp_path / "out", ROOT, pdf=False, paper=paper)
    assert not (tmp_path / "out").exists()


def test_write_handouts_without_pdf(tmp_path: Path):
    out = tmp_path / "new" / "folder"
    written = write_handouts(out, ROOT, pdf=False, paper="Letter")
    assert [p.name for p in written] == [f"{name}.html" for name in ALL_FILES]
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in written)
    assert "size: letter" in (out / "05-listen.html").read_text(encoding="utf-8")


def test_without_chromium_pdfs_are_left_out_unless_asked_for(monkeypatch, tmp_path: Path):
    monkeypatch.setattr(handouts, "chromium_path", lambda: None)
    written = write_handouts(tmp_path / "auto", ROOT)  # pdf=None: print only if we can
    assert all(p.suffix == ".html" for p in written) and len(written) == 15
    with pytest.raises(RuntimeError, match="Chromium was not found"):
        write_handouts(tmp_path / "asked", ROOT, pdf=True)
    assert not (tmp_path / "asked").exists()


def _fake_browser(tmp_path: Path, script: str) -> Path:
    fake = tmp_path / "fake-chromium"
    fake.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    return fake


def test_a_failing_chromium_names_the_file(tmp_path: Path):
    page = tmp_path / "05-listen.html"
    page.write_text("<!doctype html><p>hello</p>", encoding="utf-8")
    broken = _fake_browser(tmp_path, 'echo "no display, no luck" >&2; exit 3')
    with pytest.raises(RuntimeError, match=r"(?s)05-listen\.html.*exit code 3.*no luck"):
        html_to_pdf(page, tmp_path / "05-listen.pdf", chromium=broken)
    silent = _fake_browser(tmp_path, "exit 0")  # claims success but writes nothing
    with pytest.raises(RuntimeError, match=r"could not print .*05-listen\.html"):
        html_to_pdf(page, tmp_path / "05-listen.pdf", chromium=silent)


def test_a_hanging_chromium_is_stopped(tmp_path: Path):
    page = tmp_path / "05-listen.html"
    page.write_text("<!doctype html><p>hello</p>", encoding="utf-8")
    hanging = _fake_browser(tmp_path, "sleep 30")
    started = time.monotonic()
    with pytest.raises(RuntimeError, match=r"longer than 0\.5 s to print .*05-listen\.html"):
        html_to_pdf(page, tmp_path / "05-listen.pdf", chromium=hanging, timeout=0.5)
    assert time.monotonic() - started < 10


# -- reading the PDFs Chromium writes ---------------------------------------------------------


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Every ``N 0 obj`` as (dictionary, decoded stream or None)."""
    if b"/ObjStm" in data:
        raise AssertionError("this PDF packs objects into streams; the test cannot read it")
    found = {}
    for match in re.finditer(rb"(\d+) 0 obj\s*", data):
        start = match.end()
        end = data.index(b"endobj", start)
        head, stream = data[start:end], None
        at = head.find(b"stream")
        length = re.search(rb"/Length (\d+)", head[:at]) if at >= 0 else None
        if length:
            body_start = start + at + len(b"stream")
            body_start += 2 if data[body_start : body_start + 2] == b"\r\n" else 1
            raw = data[body_start : body_start + int(length.group(1))]
            stream = zlib.decompress(raw) if b"/FlateDecode" in head[:at] else raw
            head = head[:at]
        found[int(match.group(1))] = (head, stream)
    return found


def _to_unicode(cmap: bytes) -> dict[int, str]:
    def text(hexes: bytes) -> str:
        return bytes.fromhex(hexes.decode()).decode("utf-16-be")

    table = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, value in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            table[int(code, 16)] = text(value)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, value in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]+>|\[[^\]]*\])", block
        ):
            codes = range(int(low, 16), int(high, 16) + 1)
            if value.startswith(b"["):
                for code, each in zip(codes, re.findall(rb"<([0-9A-Fa-f]+)>", value), strict=False):
                    table[code] = text(each)
            else:
                first = text(value[1:-1])
                for step, code in enumerate(codes):
                    table[code] = first[:-1] + chr(ord(first[-1]) + step)
    return table


def pdf_pages(data: bytes) -> list[str]:
    """The text on each page of a PDF from Chromium (Skia), pages in order.

    Enough of PDF for what Skia writes: type 0 fonts with a ToUnicode map, text shown with
    ``Tj`` in hex. Spaces between words are not always drawn, so compare without them.
    """
    objects = _objects(data)
    fonts = {}
    for number, (head, _) in objects.items():
        if b"/Type /Font" in head and (ref := re.search(rb"/ToUnicode (\d+) 0 R", head)):
            fonts[number] = _to_unicode(objects[int(ref.group(1))][1] or b"")

    def refs(head: bytes, key: bytes) -> list[int]:
        found = re.search(rb"/" + key + rb"\s*(\[[^\]]*\]|\d+ 0 R)", head)
        return [int(n) for n in re.findall(rb"(\d+) 0 R", found.group(1))] if found else []

    def leaves(number: int) -> list[int]:
        head = objects[number][0]
        if re.search(rb"/Type\s*/Pages\b", head):
            return [page for kid in refs(head, b"Kids") for page in leaves(kid)]
        return [number]

    catalog = next(h for h, _ in objects.values() if re.search(rb"/Type\s*/Catalog\b", h))
    pages = []
    for number in leaves(refs(catalog, b"Pages")[0]):
        head = objects[number][0]
        if resources := refs(head, b"Resources"):
            head = objects[resources[0]][0]
        fonts_here = re.search(rb"/Font\s*<<(.*?)>>", head, re.S)
        names = dict(re.findall(rb"/(\w+) (\d+) 0 R", fonts_here.group(1))) if fonts_here else {}
        stream = b"\n".join(objects[n][1] or b"" for n in refs(objects[number][0], b"Contents"))
        table: dict[int, str] = {}
        text = []
        for font, hexes in re.findall(rb"/(\w+) [\d.]+ Tf|<([0-9A-Fa-f]+)>", stream):
            if font:
                table = fonts.get(int(names.get(font, b"0")), {})
            else:
                codes = bytes.fromhex(hexes.decode())
                for i in range(0, len(codes) - 1, 2):
                    text.append(table.get(int.from_bytes(codes[i : i + 2], "big"), "\ufffd"))
        pages.append(unicodedata.normalize("NFKC", "".join(text)))
    return pages


def squeeze(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def media_box(data: bytes) -> tuple[float, float]:
    box = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", data)
    assert box, "the PDF names no page size"
    return float(box.group(1)), float(box.group(2))


def check_pdf(path: Path, paper: str, pages: int = 1) -> list[str]:
    data = path.read_bytes()
    assert data.startswith(b"%PDF-"), f"{path.name} is not a PDF"
    text = pdf_pages(data)
    assert len(text) == pages, f"{path.name} printed on {len(text)} pages, not {pages}"
    width, height = media_box(data)
    want = PAGE_SIZES[paper]
    assert abs(width - want[0]) < 2 and abs(height - want[1]) < 2, (path.name, width, height)
    return text


# -- printing with Chromium ------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> Path:
    found = chromium_path()
    if found is None:
        pytest.fail(
            f"{handouts.CHROMIUM} is missing, so handouts cannot be printed to PDF: "
            "install Debian's chromium package (make test does)."
        )
    return found


@pytest.mark.browser
@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_one_handout_prints_on_one_page(chromium, listen, tmp_path: Path, paper: str):
    page = tmp_path / "05-listen.html"
    page.write_text(handout_html(listen, MANIFEST, paper), encoding="utf-8")
    pdf = html_to_pdf(page, tmp_path / "05-listen.pdf", chromium=chromium)
    [text] = check_pdf(pdf, paper)
    assert squeeze(listen.label) in squeeze(text)
    assert squeeze(listen.challenge.title) in squeeze(text)
    assert squeeze(listen.reflections[-1].prompt) in squeeze(text)
    assert squeeze("Rapport · a workshop on real connection") in squeeze(text)
    # No header or footer of Chromium's own (date, file name, page number).
    assert "05-listen.html" not in text and "1/1" not in text


@pytest.fixture(scope="module", params=["A4", "Letter"])
def printed(request, chromium, tmp_path_factory):
    """Every handout and the workbook, written and printed once per paper size."""
    out = tmp_path_factory.mktemp(f"handouts-{request.param}")
    started = time.monotonic()
    written = write_handouts(out, ROOT, pdf=True, paper=request.param)
    seconds = time.monotonic() - started
    print(f"\n{request.param}: wrote and printed {len(written)} files in {seconds:.1f} s")
    return request.param, out, written


@pytest.mark.browser
def test_write_handouts_prints_every_file(printed):
    _, out, written = printed
    names = [f"{name}.html" for name in ALL_FILES] + [f"{name}.pdf" for name in ALL_FILES]
    assert [p.name for p in written] == names
    assert sorted(p.name for p in out.iterdir()) == sorted(names)
    assert all(p.parent == out and p.stat().st_size > 1000 for p in written)


@pytest.mark.browser
@pytest.mark.parametrize("module_id", MODULE_IDS)
def test_every_handout_fits_on_one_page(printed, module_id: str):
    paper, out, _ = printed
    module = load_module(module_id, ROOT)
    [text] = check_pdf(out / f"{module_id}.pdf", paper)
    assert squeeze(module.label) in squeeze(text)
    for point in module.key_points:
        assert squeeze(point) in squeeze(text)
    if module.challenge:
        assert squeeze(module.challenge.text) in squeeze(text)


@pytest.mark.browser
def test_workbook_prints_a_cover_and_a_page_per_module(printed):
    paper, out, _ = printed
    mods = modules()
    pages = check_pdf(out / "workbook.pdf", paper, pages=1 + len(mods))
    assert squeeze("Rapport workbook") in squeeze(pages[0])
    for module, text in zip(mods, pages[1:], strict=True):
        assert squeeze(module.label) in squeeze(text), f"{module.label} is not on its page"
