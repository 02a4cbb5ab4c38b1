"""Escaping, and the course's stylesheet: the HTML every view of Rapport is drawn with.

All text is escaped, never trusted: content and participant text alike.
"""

from __future__ import annotations

from html import escape

# Colours keep a contrast ratio of at least 4.5:1 (WCAG AA) on their backgrounds, and the
# tone of feedback is always written out, never shown by colour alone. Keyboard focus gets a
# 2px ring: ipywidgets' own is 1px of light blue (under 3:1 on white) on buttons, and none on
# text fields and dropdowns (``outline: none !important``, so only an important rule wins).
# Links in the notebooks' text keep their underline (JupyterLab leaves colour alone).
# A card that opens a section of a live page (join, dashboard) has an h2 under the page's h1;
# a card inside a module's Markdown section has an h3 under its "##" heading. Both look alike.
CSS = """
<style>
.rp-card { font-size: 15px; line-height: 1.5; color: #1f2937; background: #ffffff;
  border: 1px solid #d1d5db; border-radius: 8px; padding: 12px 16px; margin: 8px 0;
  max-width: 760px; box-sizing: border-box; }
.rp-card h2, .rp-card h3 { margin: 0 0 4px 0; font-size: 1.15em; color: #111827; }
.rp-meta { color: #4b5563; font-size: 0.9em; margin: 0 0 6px 0; }
.rp-says { background: #eef2ff; border-left: 4px solid #4338ca; padding: 8px 12px;
  margin: 8px 0; border-radius: 4px; color: #1e1b4b; }
.rp-you { background: #f3f4f6; border-left: 4px solid #6b7280; padding: 6px 12px;
  margin: 6px 0 6px 24px; border-radius: 4px; color: #1f2937; }
.rp-feedback { padding: 8px 12px; margin: 6px 0; border-radius: 4px; }
.rp-helps { background: #d1e7dd; color: #0f5132; }
.rp-mixed { background: #fff3cd; color: #664d03; }
.rp-hurts { background: #f8d7da; color: #842029; }
.rp-error { background: #f8d7da; color: #842029; padding: 6px 10px; border-radius: 4px; }
.rp-ok { background: #d1e7dd; color: #0f5132; padding: 6px 10px; border-radius: 4px; }
.rp-note { color: #4b5563; font-size: 0.9em; }
.rp-meter { display: inline-block; margin-right: 16px; color: #1f2937; }
.rp-meter-bar { display: inline-block; width: 90px; height: 10px; background: #e5e7eb;
  border-radius: 5px; vertical-align: middle; margin-left: 6px; overflow: hidden; }
.rp-meter-fill { display: block; height: 100%; background: #4338ca; }
.rp-transcript summary { cursor: pointer; color: #374151; }
.rp-cue { font-style: italic; color: #374151; margin: 0 0 4px 0; }
.rp-reaction { background: #f5f3ff; border-left-color: #6d28d9; }
.rp-own { background: #fefce8; border-left-color: #854d0e; }
.rp-path > li { margin: 10px 0 14px 0; }
.rp-turning { border-left: 4px solid #b45309; padding: 4px 10px; color: #1f2937;
  background: #fffbeb; margin: 6px 0; }
.rp-questions li { margin: 4px 0; }
.rp-skill h4 { margin: 12px 0 4px 0; font-size: 1em; color: #111827; }
.rp-sources { padding-left: 1.2em; color: #1f2937; }
.rp-cite { font-style: italic; }
.rp-stems li { margin: 2px 0; }
.rp-compare { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0; }
.rp-compare > div { flex: 1 1 260px; padding: 8px 12px; border-radius: 4px; }
.rp-weak { background: #f3f4f6; border-left: 4px solid #6b7280; }
.rp-strong { background: #ecfdf5; border-left: 4px solid #047857; }
.rp-label { font-weight: 700; margin: 0 0 4px 0; color: #111827; }
.rp-models > li { margin: 8px 0; }
.rp-debrief { border-top: 2px solid #4338ca; margin-top: 8px; padding-top: 8px; }
.widget-button.rp-choice, .jupyter-button.rp-choice { white-space: normal; height: auto;
  text-align: left; line-height: 1.4; padding: 8px 12px; margin: 3px 0; min-height: 36px; }
.rp-item { margin: 10px 0 2px 0; color: #1f2937; }
.rp-scores { border-collapse: collapse; margin: 8px 0; max-width: 760px; width: 100%; }
.rp-scores th, .rp-scores td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e5e7eb;
  color: #1f2937; }
.rp-scores caption { text-align: left; color: #4b5563; font-size: 0.9em; padding-bottom: 4px; }
.rp-bar-value { display: inline-block; width: 2.2em; }
.rp-bar { display: inline-block; width: 120px; height: 10px; background: #e5e7eb;
  border-radius: 5px; vertical-align: middle; overflow: hidden; }
.rp-bar-fill { display: block; height: 100%; }
.rp-bar-0 { background: #6b7280; }
.rp-bar-1 { background: #4338ca; }
.rp-box { max-width: 760px; width: 100%; }
.rp-box textarea { font-size: 15px; line-height: 1.5; min-height: 120px; }
.rp-box .widget-label { font-weight: 600; }
.rp-results { border-collapse: collapse; width: 100%; max-width: 760px; margin: 6px 0; }
.rp-results caption { text-align: left; color: #374151; padding-bottom: 6px; }
.rp-results th { text-align: left; font-weight: normal; padding: 4px 8px 4px 0;
  color: #1f2937; vertical-align: middle; }
.rp-res-bar { width: 45%; }
.rp-res-n { white-space: nowrap; padding-left: 8px; color: #1f2937; }
.rp-bar-wide { width: 100%; height: 16px; }
.rp-mean { font-size: 1.1em; color: #1f2937; }
.rp-words { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 4px 18px;
  color: #1e1b4b; }
.rp-words li { overflow-wrap: anywhere; }
.rp-texts { padding-left: 1.2em; }
.rp-texts li, .rp-text-row { overflow-wrap: anywhere; }
.rp-code { font-size: 2.6em; font-weight: 700; letter-spacing: 0.08em; color: #111827;
  font-family: ui-monospace, Menlo, Consolas, monospace; }
.rp-qr svg { width: 220px; height: 220px; }
.rp-timer { font-size: 2.2em; font-weight: 700; color: #1e1b4b;
  font-variant-numeric: tabular-nums; }
.rp-agenda { padding-left: 1.4em; margin: 4px 0; }
.rp-agenda li { color: #4b5563; margin: 2px 0; }
.rp-agenda li.rp-now { color: #111827; font-weight: 700; }
.rp-stage { width: 100%; max-width: 760px; box-sizing: border-box; }
.rp-stage .widget-button, .rp-stage .jupyter-button { max-width: 100%; }
.rp-box, .rp-stage { overflow-wrap: anywhere; }
.rp-box .widget-text input, .rp-box textarea { font-size: 16px; }
.rp-box .jupyter-button:focus-visible, .rp-box summary:focus-visible {
  outline: 2px solid #4338ca; outline-offset: 2px; }
.rp-box textarea:focus-visible, .rp-box input:focus-visible, .rp-box select:focus-visible {
  outline: 2px solid #4338ca !important; outline-offset: 1px; }
.jp-RenderedHTMLCommon p a:link, .jp-RenderedHTMLCommon p a:visited,
.jp-RenderedHTMLCommon li a:link, .jp-RenderedHTMLCommon li a:visited {
  text-decoration: underline; }
</style>
"""


def text(value: str) -> str:
    """Content or participant text as safe HTML: escaped, blank lines become paragraphs."""
    paragraphs = [p.strip() for p in value.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)


def inline(value: str) -> str:
    return escape(" ".join(value.split()))


def short(value: str, length: int = 70) -> str:
    """``value`` on one line, cut to ``length`` characters with an ellipsis (not escaped)."""
    flat = " ".join(value.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def notice(kind: str, message: str) -> str:
    """A short message: ``ok``, ``error`` (announced at once) or ``note``."""
    css = {"ok": "rp-ok", "error": "rp-error", "note": "rp-note"}[kind]
    role = "alert" if kind == "error" else "status"
    return f'<p class="{css}" role="{role}">{inline(message)}</p>'
