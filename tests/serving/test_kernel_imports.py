"""What a participant's kernel loads: the pages must not pull in pandas, Voila or the server.

Every visitor gets a kernel, so every import is paid once per person in the room (time to the
first widget, and memory per participant). Heavy libraries load on first use only.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

HEAVY = ("pandas", "voila", "jupyter_server", "matplotlib")
PAGES = {
    "join page": "from rapport.pages.live import join_page; join_page()",
    # A spare kernel (rapport serve --pool) that waits for its visitor; here nobody answers.
    "join page in a spare kernel": (
        "import os; os.environ.update(VOILA_PREHEAT='True', VOILA_APP_PORT='1'); "
        "from rapport.pages.live import join_page; join_page()"
    ),
    "dashboard key gate": "from rapport.pages.live import dashboard; dashboard()",
    "module page": (
        "from rapport import open_module; lesson = open_module('05-listen'); "
        "lesson.scenario('the-mixer'); lesson.reflection('rehearsing'); "
        "lesson.activity('how-hard'); lesson.challenge()"
    ),
}
# Every code cell of the pages that show progress and the self-assessment (the welcome and
# closing modules, the landing page, the journal), run as the notebook runs them.
for name in ("index", "journal", "00-welcome", "13-be-open"):
    cells = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]
    PAGES[f"notebook {name}"] = "\n".join(
        "".join(c["source"]) for c in cells if c["cell_type"] == "code"
    )


@pytest.mark.parametrize("page", PAGES)
def test_a_page_loads_no_heavy_library(page):
    probe = f"{PAGES[page]}\nimport sys\nprint(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "", f"the {page} imported {result.stdout.strip()}"


def test_pandas_still_loads_when_a_tally_needs_it(store):
    from rapport.content.loading import load_module
    from rapport.room.tally import tally

    result = tally(load_module("05-listen").activity("how-hard"), ["2", "4"])
    assert result.mean == 3.0


def test_the_package_loads_its_names_on_first_use():
    probe = (
        "import sys, rapport\n"
        "print(sorted(m for m in ('sqlalchemy', 'pydantic', 'ipywidgets') if m in sys.modules))\n"
        "rapport.open_module\n"
        "print('sqlalchemy' in sys.modules, 'join_page' in dir(rapport))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.split("\n")[:2] == ["[]", "True True"]
