"""Loading content: finding the project, reading YAML, locating problems."""

from pathlib import Path

import pytest

from rapport.content.loading import ContentError, load_manifest, load_module, place_of, project_root

from ..conftest import DATA, ROOT


def test_the_project_root_is_found_from_the_installed_package():
    assert project_root() == ROOT


def test_rapport_home_overrides_the_root(monkeypatch):
    monkeypatch.setenv("RAPPORT_HOME", str(DATA / "project"))
    assert project_root() == (DATA / "project").resolve()
    assert load_manifest().modules == ["01-sample"]


def test_the_manifest_orders_the_shipped_modules():
    manifest = load_manifest(ROOT)
    assert "05-listen" in manifest.modules
    assert manifest.modules == sorted(manifest.modules)  # NN- prefixes follow the course order
    assert {s.id for s in manifest.seeds} == {"000", "004"}


def test_a_missing_module_is_a_clear_error():
    with pytest.raises(ContentError, match=r"exercises/99-nothing\.yaml: file not found"):
        load_module("99-nothing", ROOT)


def test_an_edited_file_is_read_again(tmp_path: Path):
    import shutil

    shutil.copytree(DATA / "project", tmp_path / "p")
    root = tmp_path / "p"
    assert load_module("01-sample", root).title == "Sample"
    path = root / "exercises/01-sample.yaml"
    path.write_text(path.read_text().replace("title: Sample", "title: Renamed"))
    assert load_module("01-sample", root).title == "Renamed"


def test_invalid_content_raises_naming_file_place_and_line(tmp_path: Path):
    (tmp_path / "exercises").mkdir()
    broken = (DATA / "broken/missing-field/01-sample.yaml").read_text()
    (tmp_path / "exercises/01-sample.yaml").write_text(broken)
    with pytest.raises(ContentError) as err:
        load_module("01-sample", tmp_path)
    assert [str(p) for p in err.value.problems] == [
        "exercises/01-sample.yaml:27: scenarios[0].nodes[0].choices[1].coaching: "
        "required field is missing"
    ]


def test_places_read_like_paths():
    assert place_of(("scenarios", 0, "nodes", 2, "says")) == "scenarios[0].nodes[2].says"


def test_valid_content_is_read_without_building_the_line_number_tree():
    # Every page's kernel reads its module as it starts; the node tree (for line numbers in
    # error messages) costs as much again as the data, so only a problem builds it.
    from rapport.content.loading import exercises_dir, parse, read_yaml
    from rapport.content.schema import Module

    source = read_yaml(exercises_dir(ROOT) / "05-listen.yaml", ROOT)
    parse(Module, source)
    assert "tree" not in vars(source)
    assert source.problem(("scenarios", 0), "x").line > 1  # and it is there when asked for
