"""Printable take-home handouts: one page per module, and a workbook that binds them together.

Every handout is a self-contained HTML page (inline CSS, nothing fetched from anywhere) sized
to fill exactly one sheet of A4 or US Letter: the key points, the reflection prompts with ruled
space to write in, and the week's practice challenge. Headless Chromium prints them to PDF
when it is installed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from html import escape
from pathlib import Path
from string import Template

from rapport.content.loading import load_manifest, load_module
from rapport.content.schema import Manifest, Module

CHROMIUM = Path("/usr/bin/chromium")
# How Rapport runs Chromium anywhere (these handouts, and the browser tests): no sandbox (it
# may run as root), no GPU, and nothing that reaches out to the network on its own.
BROWSER_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)
CHROMIUM_FLAGS = (
    "--headless",
    *BROWSER_FLAGS,
    "--no-pdf-header-footer",  # Chromium 156 ignores the older --print-to-pdf-no-header
)
PRINT_TIMEOUT = 60.0  # seconds for one file
# Chromiums printing at once: each spends most of its ~2 s starting up, so two at a time
# halve the wait; beyond one per processor they only fight over the CPU.
PRINT_WORKERS = max(1, min(3, os.cpu_count() or 1))

FOOTER = "Rapport · a workshop on real connection"
MARGIN_MM = 12
# Width and height of the sheet in millimetres, and the name CSS gives it.
PAPERS = {"A4": (210.0, 297.0, "A4"), "Letter": (215.9, 279.4, "letter")}
SLACK_MM = 2  # keeps rounding in the layout from pushing a handout onto a second page
LINE_MM = 8  # one ruled line: comfortable for handwriting
MAX_LINES = 16  # drawn per prompt; the writing area shows as many as fit
PROMPTS = 3  # reflection prompts on a page, with room to write (the journal has them all)
STEMS = 4  # ways to start, of the skill's (the notebook and slides show them all)

_CSS = Template(
    """
@page { size: $size; margin: ${margin}mm; }
* { box-sizing: border-box; }
html { background: #fff; color: #1b1b1b; }
body {
  margin: 0;
  font: 10.5pt/1.38 "Liberation Sans", Arial, Helvetica, sans-serif;
  overflow-wrap: anywhere;
  -webkit-print-color-adjust: exact;
  print-color-adjust: exact;
}
.sheet { height: ${height}mm; display: flex; flex-direction: column; }
.sheet + .sheet { break-before: page; }
.eyebrow {
  margin: 0; font-size: 8.5pt; letter-spacing: 0.06em; text-transform: uppercase;
  color: #4a4a4a;
}
h1 {
  margin: 0.5mm 0 0; font: bold 19pt/1.15 "Liberation Serif", Georgia, "Times New Roman", serif;
  color: #111;
}
.subtitle { margin: 1mm 0 0; font-size: 11pt; font-style: italic; color: #333; }
header { padding-bottom: 2.5mm; border-bottom: 0.6mm solid #1b1b1b; }
h2 {
  margin: 2.5mm 0 1mm; font-size: 12pt; letter-spacing: 0.02em; color: #111;
}
ul.points { margin: 0; padding-left: 5.5mm; }
ul.points li { margin: 0 0 0.5mm; }
.columns { display: flex; gap: 6mm; font-size: 10pt; line-height: 1.25; }
.columns > div { flex: 1 1 0; min-width: 0; }
ol.steps { margin: 0; padding-left: 5.5mm; }
ol.steps li { margin: 0 0 0.4mm; }
.stems { margin: 1mm 0 0; font-size: 9.5pt; line-height: 1.3; }
.care {
  margin: 3mm 0 0; padding: 0.5mm 0 0.5mm 3mm; font-size: 8.5pt; line-height: 1.3;
  color: #2b2b2b;
  border-left: 1mm solid #777;
}
.reflect { flex: 1 0 auto; display: flex; flex-direction: column; }
.prompt { flex: 1 0 auto; display: flex; flex-direction: column; margin-bottom: 2mm; }
.question { margin: 0; font-weight: bold; }
.hint { margin: 0.5mm 0 0; font-size: 9.5pt; font-style: italic; color: #404040; }
.lines { flex: 1 0 auto; height: ${lines_min}mm; overflow: hidden; }
.lines div { height: ${line}mm; border-bottom: 0.3mm solid #8c8c8c; }
.practice {
  margin-top: 1mm; padding: 0 4mm 2.5mm; border: 0.5mm solid #1b1b1b; border-radius: 2mm;
}
.practice h2 { margin-top: 2mm; }
.practice p { margin: 0; }
footer {
  margin-top: auto; padding-top: 1.5mm; display: flex; justify-content: space-between;
  gap: 4mm; font-size: 8.5pt; color: #4a4a4a;
}
.cover h1 { margin-top: 30mm; font-size: 32pt; }
.cover .subtitle { font-size: 13pt; }
.cover .intro { margin: 8mm 0 0; max-width: 150mm; }
.cover .name { margin: 10mm 0 0; display: flex; gap: 3mm; align-items: flex-end; }
.cover h2 { margin-top: 10mm; }
.cover .name span { flex: 0 0 70mm; border-bottom: 0.3mm solid #8c8c8c; height: 7mm; }
ol.contents { margin: 0; padding: 0; list-style: none; }
ol.contents li {
  display: flex; gap: 2mm; padding: 1.6mm 0; border-bottom: 0.2mm solid #c8c8c8;
}
ol.contents a { color: inherit; text-decoration: none; flex: 1; }
ol.contents .page { color: #4a4a4a; }
@media screen {
  html { background: #e6e6e6; }
  .sheet {
    box-sizing: content-box; width: ${width}mm; padding: ${margin}mm; margin: 8mm auto;
    background: #fff; box-shadow: 0 1mm 4mm rgba(0, 0, 0, 0.25);
  }
}
"""
)


def _paper(paper: str) -> tuple[float, float, str]:
    if paper not in PAPERS:
        raise ValueError(f"paper must be 'A4' or 'Letter', not {paper!r}")
    return PAPERS[paper]


def _css(paper: str) -> str:
    width, height, size = _paper(paper)
    return _CSS.substitute(
        size=size,
        margin=MARGIN_MM,
        width=f"{width - 2 * MARGIN_MM:g}",
        height=f"{height - 2 * MARGIN_MM - SLACK_MM:g}",
        line=LINE_MM,
        lines_min=LINE_MM,  # at least one ruled line each; most pages have room for more
    )


def _document(title: str, body: str, paper: str) -> str:
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{_css(paper)}</style>\n</head>\n"
        f"<body>\n{body}</body>\n</html>\n"
    )


def _anchor(module: Module) -> str:
    return f"module-{module.id}"


def _sheet(module: Module, manifest: Manifest) -> str:
    """One module's page, as a ``<section>`` that a handout or the workbook wraps."""
    parts = [
        f'<section class="sheet handout" id="{escape(_anchor(module))}">',
        "<header>",
        '<p class="eyebrow">Take-home page</p>',
        f"<h1>{escape(module.label)}</h1>",
        f'<p class="subtitle">{escape(module.questions[0])}</p>',
        "</header>",
    ]
    # Key points and the skill side by side: one page holds them with room left to write.
    columns = []
    if module.key_points:
        columns += ['<div><h2>Key points</h2>\n<ul class="points">']
        columns += [f"<li>{escape(point)}</li>" for point in module.key_points]
        columns += ["</ul></div>"]
    if module.skill:
        columns += ["<div>", *_skill(module), "</div>"]
    if columns:
        parts += ['<div class="columns">', *columns, "</div>"]
    if module.care_note:
        parts.append(f'<p class="care"><strong>Go gently.</strong> {escape(module.care_note)}</p>')
    if module.reflections:
        ruled = '<div class="lines">' + "<div></div>" * MAX_LINES + "</div>"
        parts += ['<div class="reflect">', "<h2>Reflect</h2>"]
        for reflection in module.reflections[:PROMPTS]:
            parts.append(f'<div class="prompt"><p class="question">{escape(reflection.prompt)}</p>')
            if reflection.hint:
                parts.append(f'<p class="hint">{escape(reflection.hint)}</p>')
            parts += [ruled, "</div>"]
        parts.append("</div>")
    if module.challenge:
        parts += [
            '<div class="practice">',
            "<h2>Practice this week</h2>",
            f'<p><strong class="challenge">{escape(_sentence(module.challenge.title))}</strong> '
            f"{escape(module.challenge.text)}</p>",
            "</div>",
        ]
    parts += [
        f"<footer><span>{escape(FOOTER)}</span><span>{escape(module.label)}</span></footer>",
        "</section>\n",
    ]
    return "\n".join(parts)


def _skill(module: Module) -> list[str]:
    """The module's skill in brief: its steps, and ways to start."""
    skill = module.skill
    stems = " · ".join(f"“{escape(stem)}”" for stem in skill.stems[:STEMS])
    return [
        f'<h2>The skill: {escape(skill.name)}</h2>\n<ol class="steps">',
        *(f"<li>{escape(step)}</li>" for step in skill.steps),
        f'</ol>\n<p class="stems"><strong>Ways to start:</strong> {stems}</p>',
    ]


def _sentence(title: str) -> str:
    """A title run into the text after it: ``One true answer`` -> ``One true answer.``"""
    return title if title[-1] in ".!?…" else title + "."


def handout_html(module: Module, manifest: Manifest, paper: str = "A4") -> str:
    """A one-page take-home handout for ``module``, as a complete HTML document."""
    _paper(paper)
    return _document(f"{module.label} · {manifest.title}", _sheet(module, manifest), paper)


def workbook_html(manifest: Manifest, modules: list[Module], paper: str = "A4") -> str:
    """Every module's handout behind a cover page with the contents, one module per page."""
    _paper(paper)
    contents = "\n".join(
        f'<li><a href="#{escape(_anchor(m))}">{escape(m.label)}</a>'
        f'<span class="page">page {i}</span></li>'
        for i, m in enumerate(modules, start=2)
    )
    cover = "\n".join(
        [
            '<section class="sheet cover" id="cover">',
            f'<p class="eyebrow">{escape(manifest.title)}</p>',
            "<h1>Rapport workbook</h1>",
            '<p class="subtitle">A page for every module, with room to write your own.</p>',
            '<p class="intro">Keep this workbook close during the course and for a while '
            "after it. Each page gathers what a module is about, a few questions to think "
            "over at your own pace, and one small thing to try in the week ahead. There are "
            "no right answers here, and nobody else needs to read what you write.</p>",
            '<p class="name">This workbook belongs to <span></span></p>',
            "<h2>Contents</h2>",
            f'<ol class="contents">\n{contents}\n</ol>',
            f"<footer><span>{escape(FOOTER)}</span></footer>",
            "</section>\n",
        ]
    )
    body = cover + "".join(_sheet(m, manifest) for m in modules)
    return _document(f"Rapport workbook · {manifest.title}", body, paper)


def chromium_path() -> Path | None:
    """Debian's Chromium, or another ``chromium`` on the PATH; None if there is none."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    found = shutil.which("chromium")
    return Path(found) if found else None


def html_to_pdf(
    html: Path, pdf: Path, chromium: Path | None = None, timeout: float = PRINT_TIMEOUT
) -> Path:
    """Print ``html`` to ``pdf`` with headless Chromium, on the paper its CSS asks for."""
    browser = chromium or chromium_path()
    if browser is None:
        raise RuntimeError(
            f"cannot print {html.name} to PDF: Chromium was not found at {CHROMIUM} "
            "(install Debian's chromium package, or write the HTML handouts only)"
        )
    pdf = pdf.resolve()
    pdf.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(
        prefix="rapport-chromium-", ignore_cleanup_errors=True
    ) as profile:
        command = [
            str(browser),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",  # a fresh profile, so several can print at once
            f"--print-to-pdf={pdf}",
            html.resolve().as_uri(),
        ]
        # Its own session, so a Chromium that hangs can be ended with all its helpers.
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            _, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise RuntimeError(
                f"Chromium took longer than {timeout:g} s to print {html} to PDF"
            ) from None
    if process.returncode != 0 or not _is_pdf(pdf):
        said = [line for line in err.decode(errors="replace").splitlines() if line.strip()]
        detail = "\n".join(said[-5:]) or "no message"
        raise RuntimeError(
            f"Chromium could not print {html} to {pdf} (exit code {process.returncode}):\n{detail}"
        )
    return pdf


def _is_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(5) == b"%PDF-"
    except FileNotFoundError:
        return False


def write_handouts(
    out: Path, root: Path | None = None, pdf: bool | None = None, paper: str = "A4"
) -> list[Path]:
    """Write ``NN-slug.html`` for every module and ``workbook.html`` into ``out``.

    With ``pdf`` True (or None and Chromium installed) each is printed to PDF beside it.
    Returns the paths written: the HTML files in course order, then the PDFs.
    """
    _paper(paper)
    browser = chromium_path()
    if pdf is None:
        pdf = browser is not None
    if pdf and browser is None:
        raise RuntimeError(
            f"cannot print the handouts to PDF: Chromium was not found at {CHROMIUM} "
            "(install Debian's chromium package, or ask for HTML only)"
        )
    manifest = load_manifest(root)
    modules = [load_module(module_id, root) for module_id in manifest.modules]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    pages = {f"{m.id}.html": handout_html(m, manifest, paper) for m in modules}
    pages["workbook.html"] = workbook_html(manifest, modules, paper)
    written = []
    for name, text in pages.items():
        path = out / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    if pdf:
        pdfs = [path.with_suffix(".pdf") for path in written]
        with ThreadPoolExecutor(max_workers=PRINT_WORKERS) as pool:
            jobs = [
                pool.submit(html_to_pdf, h, p, browser) for h, p in zip(written, pdfs, strict=True)
            ]
            try:
                for job in jobs:
                    job.result()
            except BaseException:
                pool.shutdown(cancel_futures=True)
                raise
        written += pdfs
    return written
