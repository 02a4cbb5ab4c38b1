"""Chrome: headers, footers and contents generated from content and manifest."""

import shutil
from pathlib import Path

import nbformat

from rapport.content.chrome import (
    closing,
    footer,
    header,
    scaffold,
    stale_chrome,
    sync_all,
    sync_notebook,
)
from rapport.content.loading import load_manifest, load_module

from ..conftest import DATA, ROOT


def test_shipped_notebooks_are_in_step_with_their_content():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        if path.name in ("join.ipynb", "journal.ipynb"):
            continue  # an app page, with no module chrome
        assert stale_chrome(path, ROOT) == [], path.name


def test_the_header_carries_timing_questions_objectives_and_sources(listen):
    text = header(listen, load_manifest(ROOT))
    assert text.startswith("# 05 · Listen to understand")
    assert "About 60 minutes: 20 to teach, 40 for the exercises." in text
    assert "- What is the difference between hearing someone and listening to them?" in text
    assert "*The power of active listening* (Eight lessons from a former outsider)" in text


def test_the_footer_has_the_challenge_and_the_closing_key_points_and_navigation(listen):
    text = footer(listen, load_manifest(ROOT), ROOT)
    assert "## Practice this week: The one-sentence summary" in text
    end = closing(listen, load_manifest(ROOT), ROOT)
    assert end.count("\n- ") == len(listen.key_points)
    assert "[All modules](index.ipynb)" in end


def test_sync_lays_in_the_practice_widget_and_closing_cells(tmp_path: Path):
    shutil.copytree(DATA / "project", tmp_path / "p")
    root = tmp_path / "p"
    path = root / "notebooks/01-sample.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells = [
        c
        for c in nb.cells
        if not {"rapport:practice", "rapport:closing"} & set(c.metadata.get("tags", []))
    ]
    nbformat.write(nb, path)
    assert any("rapport:closing" in message for _, message in stale_chrome(path, root))
    assert sync_notebook(path, root)
    cells = nbformat.read(path, as_version=4).cells
    tags = [t for c in cells for t in c.metadata.get("tags", []) if t.startswith("rapport:")]
    has_challenge = load_module("01-sample", root).challenge is not None
    expected = ["rapport:footer", "rapport:practice", "rapport:closing"]
    assert tags[-3:] == expected if has_challenge else tags[-2:] == expected[::2]
    assert stale_chrome(path, root) == []


def test_sync_repairs_an_edited_header_and_is_idempotent(tmp_path: Path):
    shutil.copytree(DATA / "project", tmp_path / "p")
    root = tmp_path / "p"
    path = root / "notebooks/01-sample.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = "# hand-edited"
    nbformat.write(nb, path)
    assert stale_chrome(path, root) == [
        ("cells[0]", "the header is out of date; run `rapport sync`")
    ]
    assert sync_all(root) == [path]
    assert stale_chrome(path, root) == []
    assert sync_all(root) == []


def test_the_contents_follow_the_manifest(tmp_path: Path):
    shutil.copytree(DATA / "project", tmp_path / "p")
    index = nbformat.read(tmp_path / "p/notebooks/index.ipynb", as_version=4)
    assert "| 01 | [Sample](01-sample.ipynb) | 10 min |" in index.cells[0].source


def test_scaffold_lays_out_a_thin_notebook(tmp_path: Path):
    shutil.copytree(DATA / "project", tmp_path / "p")
    root = tmp_path / "p"
    (root / "notebooks/01-sample.ipynb").unlink()
    path = scaffold("01-sample", root)
    code = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    assert code == [
        'from rapport import open_module\nlesson = open_module("01-sample")\nlesson',
        'lesson.scenario("hello")',
        'lesson.reflection("note")',
        'lesson.activity("vote")',
    ]
    assert stale_chrome(path, root) == []
