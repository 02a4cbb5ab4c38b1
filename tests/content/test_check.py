"""rapport check: every broken fixture is caught, named by file, place and line."""

from pathlib import Path

import pytest

from rapport.cli import main
from rapport.content.check import check_module_file, check_project

from ..conftest import DATA, ROOT

BROKEN = DATA / "broken"


def problems_of(case: str) -> list[str]:
    folder = BROKEN / case
    return [str(p) for p in check_module_file(folder / "01-sample.yaml", folder)]


def test_the_sample_project_is_valid():
    assert check_project(DATA / "project") == []


def test_the_shipped_content_is_valid():
    assert [str(p) for p in check_project(ROOT) if not p.warning] == []


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (
            "missing-field",
            "01-sample.yaml:27: scenarios[0].nodes[0].choices[1].coaching: required field is missing",
        ),
        (
            "bad-target",
            "01-sample.yaml:43: scenarios[0].nodes[2].choices[1].to: scenario 'hello': choice 'cool-b' of node 'cool' points to node 'nowhere', which does not exist",
        ),
        (
            "unreachable",
            "01-sample.yaml:50: scenarios[0].nodes[5]: scenario 'hello': node 'lonely' cannot be reached from the start",
        ),
        (
            "no-debrief",
            "01-sample.yaml:47: scenarios[0].nodes[4]: scenario 'hello': node 'end-bad' ends the conversation without a debrief",
        ),
        ("duplicate-ids", "01-sample.yaml:59: reflections[1].id: duplicate id 'note'"),
        ("bad-yaml", "01-sample.yaml:12: not valid YAML"),
        (
            "unknown-field",
            "01-sample.yaml:14: scenarios[0].intor: unknown field (check its spelling)",
        ),
        ("dead-loop", "scenario 'hello': from node 'cool' no path leads to an ending"),
        ("unknown-meter", "choice 'greet-a' changes 'trsut', which is not a meter"),
    ],
)
def test_each_broken_fixture_is_reported(case, expected):
    found = problems_of(case)
    assert any(expected in p for p in found), found


def test_every_broken_fixture_has_a_case():
    tested = {
        "missing-field",
        "bad-target",
        "unreachable",
        "no-debrief",
        "duplicate-ids",
        "bad-yaml",
        "unknown-field",
        "dead-loop",
        "unknown-meter",
    }
    assert {p.name for p in BROKEN.iterdir()} == tested


def test_a_module_in_the_manifest_without_a_notebook():
    problems = [str(p) for p in check_project(DATA / "manifest-no-notebook")]
    assert problems == [
        "exercises/manifest.yaml:2: modules[0]: module '01-sample' has no notebook "
        "notebooks/01-sample.ipynb"
    ]


def test_a_notebook_missing_from_the_manifest():
    problems = [str(p) for p in check_project(DATA / "manifest-stray-notebook")]
    assert problems == ["notebooks/02-stray.ipynb: module '02-stray' is not in the manifest"]


def test_principle_modules_must_meet_the_curriculum_minimums(tmp_path: Path):
    text = (
        (DATA / "project/exercises/01-sample.yaml")
        .read_text()
        .replace("kind: framing", "kind: principle")
    )
    (tmp_path / "01-sample.yaml").write_text(text)
    found = [str(p) for p in check_module_file(tmp_path / "01-sample.yaml", tmp_path)]
    for expected in (
        "questions: needs 2-3 guiding questions",
        "key_points: needs 3-5 key points",
        "scenarios: needs at least 2 scenarios",
        "challenge: needs a practice challenge",
        "its shortest path has 2 decisions; every path needs at least 3",
        "node 'greet' needs at least 3 choices",
    ):
        assert any(expected in p for p in found), (expected, found)


def test_thick_notebooks_are_reported(tmp_path: Path):
    import shutil

    import nbformat

    shutil.copytree(DATA / "project", tmp_path / "p")
    path = tmp_path / "p/notebooks/01-sample.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("def helper():\n    return 1"))
    nb.cells.append(nbformat.v4.new_code_cell("a = 1\nb = 2\nc = 3\nd = 4"))
    nbformat.write(nb, path)
    found = [str(p) for p in check_project(tmp_path / "p")]
    assert any("defines a function or class" in p for p in found), found
    assert any("code cell has 4 lines; keep it to 3" in p for p in found), found


def test_the_command_exits_non_zero_and_names_the_problem(capsys):
    assert main(["--root", str(DATA / "manifest-stray-notebook"), "check"]) == 1
    out = capsys.readouterr()
    assert "notebooks/02-stray.ipynb: module '02-stray' is not in the manifest" in out.out
    assert "1 problem found." in out.err


def test_the_command_passes_on_valid_content(capsys):
    assert main(["--root", str(DATA / "project"), "check"]) == 0
    assert "All content is valid: 1 modules, 1 scenarios" in capsys.readouterr().out


def test_situations_for_a_slide_need_a_pair_exercise_to_sit_beside(tmp_path: Path):
    import shutil

    shutil.copytree(DATA / "project", tmp_path / "p")
    notes = tmp_path / "p/facilitator/01-sample.yaml"
    notes.write_text(notes.read_text() + "situations:\n  - A friend who is always late\n")
    found = [str(p) for p in check_project(tmp_path / "p")]
    assert found == [
        "facilitator/01-sample.yaml:11: situations: the situations go on a slide beside a pair "
        "exercise, and this module has none: add a pair activity or remove them"
    ], found


def test_facilitator_notes_must_add_up_and_cover_every_scenario(tmp_path: Path):
    import shutil

    shutil.copytree(DATA / "project", tmp_path / "p")
    notes = tmp_path / "p/facilitator/01-sample.yaml"
    notes.write_text(
        notes.read_text()
        .replace("minutes: 5, what: Talk", "minutes: 7, what: Talk")
        .replace("hello:", "goodbye:")
    )
    found = [str(p) for p in check_project(tmp_path / "p")]
    assert any(
        "the timing plan adds up to 12 minutes, but the module takes 10" in p for p in found
    ), found
    assert any("needs debrief questions for exactly the scenarios hello" in p for p in found), found
    notes.unlink()
    assert [str(p) for p in check_project(tmp_path / "p")] == [
        "facilitator/01-sample.yaml: facilitator notes are missing"
    ]
