"""Escaping and shared styling for the widgets' HTML (all text is escaped, never trusted)."""

from __future__ import annotations

from html import escape

import ipywidgets as w

# Colours keep a contrast ratio of at least 4.5:1 (WCAG AA) on their backgrounds, and the
# tone of feedback is always written out, never shown by colour alone.
CSS = """
<style>
.rp-card { font-size: 15px; line-height: 1.5; color: #1f2937; background: #ffffff;
  border: 1px solid #d1d5db; border-radius: 8px; padding: 12px 16px; margin: 8px 0;
  max-width: 760px; box-sizing: border-box; }
.rp-card h3 { margin: 0 0 4px 0; font-size: 1.15em; color: #111827; }
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
</style>
"""


def style() -> w.HTML:
    """A widget carrying the shared stylesheet; include one in every top-level view."""
    return w.HTML(CSS, layout=w.Layout(display="none"))


def text(value: str) -> str:
    """Content or participant text as safe HTML: escaped, blank lines become paragraphs."""
    paragraphs = [p.strip() for p in value.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)


def inline(value: str) -> str:
    return escape(" ".join(value.split()))
