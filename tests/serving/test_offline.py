"""No page of the served workshop asks any host but the workshop server for anything.

A training room may have no internet: Voila's ``lab`` template linked Font Awesome from a CDN,
which failed there. ``rapport serve`` renders with Rapport's template (``voila_templates/``),
``lab`` less those links; the icons' font comes with Voila's own bundle, from the server.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from jupyter_core.paths import jupyter_path

from rapport.serving.serve import TEMPLATE, TEMPLATES, use_rapport_templates, voila_argv

from ..browsing import FACILITATOR_KEY, WIDGET_ERRORS

OURS = TEMPLATES / "voila" / "templates" / TEMPLATE
CDN_LINK = re.compile(r'^\s*<link rel="stylesheet" href="https://cdn\.jsdelivr\.net/.*\n', re.M)


def installed_voila_template(*parts: str) -> Path:
    """A file of the templates Voila installed (under share/jupyter/voila/templates/)."""
    for folder in jupyter_path("voila", "templates"):
        path = Path(folder, *parts)
        if path.exists():
            return path
    raise AssertionError(f"Voila's template file {'/'.join(parts)} is not installed")


def block(source: str, name: str) -> str:
    start = source.index(f"{{%- block {name} -%}}")
    end = source.index(f"{{%- endblock {name} -%}}", start)
    return source[start:end]


# -- the template, without a browser ----------------------------------------------------------
def test_the_template_is_based_on_lab_and_links_to_no_other_host():
    assert json.loads((OURS / "conf.json").read_text()) == {"base_template": "lab"}
    for path in OURS.iterdir():
        assert "://" not in path.read_text(), path.name


def test_the_css_block_is_labs_less_the_cdn_links():
    """Guards a Voila upgrade: our copy of lab's block must follow lab's, links aside."""
    lab = installed_voila_template("lab", "index.html.j2").read_text()
    theirs = block(lab, "notebook_css")
    assert len(CDN_LINK.findall(theirs)) == 2  # all.min.css and v4-shims.min.css
    expected = CDN_LINK.sub("", theirs).replace("{{ super() }}", "{{ super.super() }}")
    ours = block((OURS / "index.html.j2").read_text(), "notebook_css")
    assert re.sub(r"\s+", " ", ours) == re.sub(r"\s+", " ", expected)


def test_the_error_page_frame_is_voilas_less_the_cdn_link():
    """Voila's frame, less the link, with a language and a <main> landmark (axe-core)."""
    theirs = installed_voila_template("base", "page.html").read_text()
    assert len(CDN_LINK.findall(theirs)) == 1  # Font Awesome 4.5
    expected = re.sub(r"\s+", " ", CDN_LINK.sub("", theirs))
    body = "{% block body %} {% endblock %}"
    for old, new in [
        ("<html>", '<html lang="en">'),
        (f"<div> {body} </div>", f"<main> {body} </main>"),
    ]:
        assert expected.count(old) == 1, old
        expected = expected.replace(old, new)
    ours = re.sub(r"\{#-.*?-#\}\n", "", (OURS / "page.html").read_text(), flags=re.S)
    assert re.sub(r"\s+", " ", ours) == expected


def test_voila_finds_the_template_through_the_jupyter_path(monkeypatch):
    from voila.paths import collect_static_paths, collect_template_paths

    monkeypatch.setenv("JUPYTER_PATH", os.pathsep.join(["/elsewhere", str(TEMPLATES)]))
    use_rapport_templates()
    use_rapport_templates()  # once is enough: the folder is not added twice
    assert os.environ["JUPYTER_PATH"].split(os.pathsep) == [str(TEMPLATES), "/elsewhere"]
    paths = collect_template_paths(["voila", "nbconvert"], TEMPLATE, prune=True)
    assert paths[0] == str(OURS)
    assert str(installed_voila_template("lab")) in paths  # and on through lab to base
    assert str(installed_voila_template("base")) in paths
    # the static files (voila-style.js and its fonts) are found for the template's URLs too
    statics = [Path(p) for p in collect_static_paths(["voila", "nbconvert"], TEMPLATE)]
    assert any((p / "voila-style.js").exists() for p in statics)


def test_serve_renders_with_the_template_and_allows_no_other():
    argv = voila_argv(Path("/course"), "127.0.0.1", 8866, open_browser=False)
    assert f"--VoilaConfiguration.template={TEMPLATE}" in argv
    assert "--VoilaConfiguration.allow_template_override=NO" in argv


# -- the served pages in Chromium --------------------------------------------------------------
PAGES = {
    "landing": ("/", "heading:The modules"),
    "module": ("/voila/render/notebooks/05-listen.ipynb", ".rp-box"),
    "join": ("/join", "button:Join"),
    "facilitator gate": ("/facilitator", "input[type=password]"),
    "dashboard": (f"/facilitator?key={FACILITATOR_KEY}", "button:Create a room"),
    "journal": ("/voila/render/notebooks/journal.ipynb", ".rp-box"),
    "missing notebook": ("/voila/render/notebooks/no-such-module.ipynb", "heading:404"),
}


def open_and_record(browser, url: str, ready: str):
    """Open ``url`` in a fresh context, recording every request, until ``ready`` renders."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page.on("websocket", lambda ws: requests.append(ws.url))
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    page.goto(url, timeout=90_000)
    kind, _, name = ready.partition(":")
    if kind in ("heading", "button"):
        page.get_by_role(kind, name=name).first.wait_for(timeout=90_000)
    else:
        page.locator(ready).first.wait_for(timeout=90_000)
    page.wait_for_load_state("networkidle", timeout=30_000)  # late fonts and stylesheets
    return context, page, requests, console


def off_host(requests: list[str], server: str) -> list[str]:
    here = urlsplit(server).netloc
    return [
        url
        for url in requests
        if not url.startswith(("data:", "blob:")) and urlsplit(url).netloc != here
    ]


@pytest.mark.browser
@pytest.mark.parametrize("name", list(PAGES))
def test_a_page_asks_no_other_host(browser, server, name):
    path, ready = PAGES[name]
    context, _page, requests, console = open_and_record(browser, server + path, ready)
    try:
        assert requests, "nothing was recorded"
        assert off_host(requests, server) == []
        assert not [line for line in console if any(e in line for e in WIDGET_ERRORS)]
    finally:
        context.close()


ICON_FONT = """async (selector) => {
    const icon = document.querySelector(selector);
    await document.fonts.ready;
    const faces = [...document.fonts].filter(
        (f) => f.family.replace(/"/g, "") === "Font Awesome 5 Free"
    );
    return {
        family: getComputedStyle(icon).fontFamily,
        glyph: getComputedStyle(icon, '::before').content,
        width: icon.getBoundingClientRect().width,
        loaded: faces.filter(f => f.status === 'loaded').map(f => f.weight),
        ready: document.fonts.check('900 16px "Font Awesome 5 Free"'),
    };
}"""


@pytest.mark.browser
def test_the_join_buttons_icon_is_drawn_with_font_awesome_from_the_server(browser, server):
    context, page, requests, _ = open_and_record(browser, server + "/join", "button:Join")
    try:
        icon = "button i.fa.fa-sign-in"
        page.locator(icon).wait_for(timeout=30_000)
        font = page.evaluate(ICON_FONT, icon)
        assert "Font Awesome" in font["family"]
        assert font["glyph"] not in ("", "none", "normal")  # the v4 name maps to a glyph
        assert font["width"] > 0
        assert "900" in font["loaded"] and font["ready"]  # the solid face, fetched and in use
        fonts = [url for url in requests if urlsplit(url).path.endswith((".woff2", ".woff"))]
        assert fonts and off_host(fonts, server) == []
    finally:
        context.close()
