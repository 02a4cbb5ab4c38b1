"""Widget models a page sends to the browser: widgets with the same unchanging look share
one layout and one style, and a shared one cannot be changed by mistake."""

from __future__ import annotations

import json

import ipywidgets as w
import pytest
from ipywidgets.widgets.widget import _instances

from rapport.content.loading import load_manifest, notebooks_dir
from rapport.widgets._html import button, html, plain, style, wide

# Before the sharing, a module page loaded 110-290 models: 01-know-yourself 292 (now 116),
# 13-be-open 291 (now 178: 24 of them the self-assessment's answer buttons, 29 its capstone
# role-play).
MOST_MODELS = 180


def models_on_page(module_id: str) -> int:
    """Widget models made by running the code cells of a module's notebook, as a page does."""
    cells = json.loads((notebooks_dir() / f"{module_id}.ipynb").read_text())["cells"]
    namespace: dict = {}
    before = set(_instances)
    for cell in cells:
        if cell["cell_type"] == "code":
            exec("".join(cell["source"]), namespace)
    return len(set(_instances) - before)


@pytest.fixture
def private_stores(monkeypatch, tmp_path):
    monkeypatch.setenv("RAPPORT_DB_URL", f"sqlite:///{tmp_path / 'rooms.sqlite3'}")
    monkeypatch.setenv("RAPPORT_JOURNAL_URL", f"sqlite:///{tmp_path / 'journal.sqlite3'}")


def test_every_module_page_loads_few_widget_models(private_stores):
    style()  # the stylesheet and the shared looks, made once per kernel
    counts = {module_id: models_on_page(module_id) for module_id in load_manifest().modules}
    assert all(count <= MOST_MODELS for count in counts.values()), counts
    assert counts["01-know-yourself"] < 130, counts


def test_widgets_that_look_alike_share_one_layout_and_style():
    first, second = html("one"), html("two")
    assert first.layout is second.layout is plain()
    assert first.style is second.style
    assert button("A").style is button("B").style
    assert style() is style()  # one stylesheet widget, in every view


def test_a_shared_layout_cannot_change_and_says_what_to_do():
    hidden_by_mistake = html("shown everywhere")
    with pytest.raises(AttributeError, match=r"shared by many widgets.*of its own"):
        hidden_by_mistake.layout.display = "none"
    with pytest.raises(AttributeError, match="its width cannot change"):
        wide().width = "50%"
    assert plain().display is None and wide().width == "100%"
    own = html("hidden alone", layout=w.Layout())
    own.layout.display = "none"  # a layout of its own changes freely
    assert plain().display is None
