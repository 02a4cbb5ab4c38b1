"""rapport map: role-plays drawn with Graphviz, their tones, their cut-off nodes, and the
facilitator's maps kept in step with the content."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from rapport.cli import main
from rapport.content.loading import load_manifest, load_module
from rapport.content.scenarios import conditions
from rapport.outputs.maps import CUT_FILL, MAPS, snippet

from ..conftest import DATA, ROOT

SVG = "{http://www.w3.org/2000/svg}"
EDGE = re.compile(r'^\s*("[^"]+"|\S+) -> ("[^"]+"|\S+) \[(.*)\]$')
ATTR = re.compile(r'([\w-]+)=("(?:[^"\\]|\\.)*"|[^\s"]+)')
STYLES = {"helps": "solid", "mixed": "dashed", "hurts": "dotted"}


def project_with(case: Path, tmp_path: Path) -> Path:
    """A project holding one module file (a fixture of tests/data) as 01-sample."""
    exercises = tmp_path / "project" / "exercises"
    exercises.mkdir(parents=True)
    shutil.copy(DATA / "audit" / "exercises" / "manifest.yaml", exercises)
    shutil.copy(case, exercises / "01-sample.yaml")
    return tmp_path / "project"


def svg_groups(path: Path, kind: str) -> dict[str, ET.Element]:
    """The SVG's node or edge groups by their id."""
    tree = ET.parse(path)
    return {
        g.get("id"): g
        for g in tree.iter(f"{SVG}g")
        if kind in (g.get("class") or "").split() and g.get("id")
    }


def text_of(group: ET.Element) -> list[str]:
    return [t.text or "" for t in group.iter(f"{SVG}text")]


def dot_edges(source: str) -> list[tuple[str, str, dict[str, str]]]:
    """(tail, head, attributes) of every arrow in a DOT source."""
    found = []
    for line in source.splitlines():
        if match := EDGE.match(line):
            attrs = {k: v.strip('"') for k, v in ATTR.findall(match[3])}
            found.append((match[1].strip('"'), match[2].strip('"'), attrs))
    return found


def contrast_on_white(colour: str) -> float:
    """The WCAG contrast ratio of ``#rrggbb`` on white."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


@pytest.fixture(scope="module")
def mixer(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("maps") / "mixer.svg"
    assert main(["--root", str(ROOT), "map", "05-listen", "the-mixer", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def mixer_source(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("maps") / "mixer.dot"
    assert main(["--root", str(ROOT), "map", "05-listen", "the-mixer", "--out", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def the_mixer():
    return next(s for s in load_module("05-listen", ROOT).scenarios if s.id == "the-mixer")


def test_the_map_names_every_node_with_its_first_words(mixer):
    nodes = svg_groups(mixer, "node")
    for node in the_mixer().nodes:
        lines = text_of(nodes[f"node-{node.id}"])
        assert lines[0].split(" ")[0] == node.id
        assert lines[1] == snippet(node.says, 40)
        assert len(lines[1]) <= 41


def test_endings_have_their_own_shape_and_the_start_is_marked(mixer, mixer_source):
    scenario = the_mixer()
    nodes = svg_groups(mixer, "node")
    for node in scenario.nodes:
        polygons = nodes[f"node-{node.id}"].findall(f".//{SVG}polygon")
        # a double octagon is two polygons of eight corners; a rounded box is a path
        assert (len(polygons) == 2) is node.is_ending, node.id
        assert ("ending" in nodes[f"node-{node.id}"].get("class")) is node.is_ending
    starts = [(t, h) for t, h, _ in dot_edges(mixer_source) if t == "_start"]
    assert starts == [("_start", scenario.start)]
    assert text_of(nodes["start"]) == ["START"]


def test_each_choice_is_one_arrow_drawn_in_its_tone(mixer_source):
    edges = dot_edges(mixer_source)
    by_id = {attrs.get("id"): (tail, attrs) for tail, _head, attrs in edges}
    colours: dict[str, set[str]] = {}
    for node in the_mixer().nodes:
        for choice in node.choices:
            tail, attrs = by_id[f"choice-{choice.id}"]
            assert tail == node.id
            assert attrs["style"] == STYLES[choice.tone], choice.id
            assert attrs["label"].startswith(f"{choice.id} ({choice.tone})")
            colours.setdefault(choice.tone, set()).add(attrs["color"])
    assert set(colours) == set(STYLES)
    assert all(len(c) == 1 for c in colours.values()), colours  # one colour per tone
    distinct = {c.pop() for c in colours.values()}
    assert len(distinct) == 3
    assert all(contrast_on_white(c) >= 4.5 for c in distinct), distinct


def test_routes_with_a_condition_say_it(mixer_source):
    labels = {a.get("id"): a.get("label", "") for _t, _h, a in dot_edges(mixer_source)}
    routed = 0
    for node in the_mixer().nodes:
        for choice in node.choices:
            if len(choice.routes) == 1:
                continue
            for r, route in enumerate(choice.routes):
                words = " and ".join(conditions(route.when)) or "otherwise"
                assert words in labels[f"route-{choice.id}-{r}"]
                routed += 1
    assert routed > 0  # the-mixer routes on Dana's openness


def test_the_key_shows_each_tone_without_colour(mixer_source):
    keys = [a for t, _h, a in dot_edges(mixer_source) if t.startswith("_key_") and "label" in a]
    assert {(a["label"], a["style"]) for a in keys} == {
        (f"{tone} ({style})", style) for tone, style in STYLES.items()
    }


@pytest.mark.parametrize(
    ("case", "node", "note"),
    [
        ("unreachable", "lonely", "no path from the start"),
        ("dead-loop", "cool", "no path to an ending"),
    ],
)
def test_cut_off_nodes_are_highlighted(case, node, note, tmp_path):
    root = project_with(DATA / "broken" / case / "01-sample.yaml", tmp_path)
    out = tmp_path / "hello.svg"
    assert main(["--root", str(root), "map", "01-sample", "hello", "--out", str(out)]) == 0
    nodes = svg_groups(out, "node")
    cut = {name for name, g in nodes.items() if "cut-off" in g.get("class").split()}
    assert f"node-{node}" in cut
    assert "node-greet" not in cut and "node-end-good" not in cut
    group = nodes[f"node-{node}"]
    assert any(note in line for line in text_of(group))
    assert any(shape.get("fill") == CUT_FILL for shape in group.iter() if shape.get("fill"))


def test_without_dot_the_message_says_what_to_install(tmp_path, monkeypatch, capsys):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    out = tmp_path / "mixer.svg"
    assert main(["--root", str(ROOT), "map", "05-listen", "the-mixer", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "Graphviz's `dot` program" in err and "apt-get install graphviz" in err
    assert not out.exists()
    # the DOT source needs no Graphviz
    dot = tmp_path / "mixer.dot"
    assert main(["--root", str(ROOT), "map", "05-listen", "the-mixer", "--out", str(dot)]) == 0
    assert dot.read_text(encoding="utf-8").startswith('digraph "the-mixer"')


def test_a_png_can_be_written(tmp_path):
    out = tmp_path / "mixer.png"
    assert main(["--root", str(ROOT), "map", "05-listen", "the-mixer", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["05-lisen", "the-mixer"], ["There is no module '05-lisen'", "05-listen", "01-"]),
        (["05-listen", "the-mixr"], ["no role-play 'the-mixr'", "the-mixer"]),
        (["00-welcome"], ["has no role-plays", "05-listen"]),
    ],
)
def test_an_unknown_module_or_role_play_names_what_exists(argv, named, tmp_path, capsys):
    out = tmp_path / "map.svg"
    assert main(["--root", str(ROOT), "map", *argv, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert all(word in err for word in named), err
    assert list(tmp_path.iterdir()) == []


def test_a_file_name_it_cannot_write_is_refused(tmp_path, capsys):
    out = tmp_path / "map.pdf"
    assert main(["--root", str(ROOT), "map", "05-listen", "--out", str(out)]) == 1
    assert ".svg, .png or .dot" in capsys.readouterr().err
    assert main(["--root", str(ROOT), "map", "--out", str(out)]) == 2
    assert "--all" in capsys.readouterr().err


def test_without_a_role_play_each_gets_its_own_file(tmp_path, capsys):
    out = tmp_path / "listen.dot"
    assert main(["--root", str(ROOT), "map", "05-listen", "--out", str(out)]) == 0
    expected = {f"listen-{s.id}.dot" for s in load_module("05-listen", ROOT).scenarios}
    assert {p.name for p in tmp_path.iterdir()} == expected
    assert len(capsys.readouterr().out.splitlines()) == len(expected)


def test_all_maps_and_their_index(tmp_path):
    root = project_with(DATA / "audit" / "exercises" / "01-sample.yaml", tmp_path)
    folder = tmp_path / "maps"
    folder.mkdir()
    (folder / "01-sample-gone.svg").write_text("<svg/>", encoding="utf-8")
    assert main(["--root", str(root), "map", "--all", "--out", str(folder)]) == 0
    index = (folder / "README.md").read_text(encoding="utf-8")
    name = "01-sample-the-stairs.svg"
    assert f"| 01 · Sample | The stairs | [{name}]({name}) |" in index
    assert "- 01-sample-gone.svg" in index  # named for removal, never deleted
    assert (folder / "01-sample-gone.svg").exists()
    assert svg_groups(folder / "01-sample-the-stairs.svg", "node")


def test_the_facilitator_maps_are_in_step_with_the_content():
    folder = ROOT / MAPS
    index = (folder / "README.md").read_text(encoding="utf-8")
    again = "run `rapport map --all --out facilitator/maps` to draw the maps again"
    for module_id in load_manifest(ROOT).modules:
        module = load_module(module_id, ROOT)
        for scenario in module.scenarios:
            name = f"{module.id}-{scenario.id}.svg"
            assert f"| {module.label} | {scenario.title} | [{name}]({name}) |" in index, again
            drawn = {g.removeprefix("node-") for g in svg_groups(folder / name, "node")}
            assert {n.id for n in scenario.nodes} <= drawn, f"{name}: {again}"


def test_snippets_are_cut_at_a_word_with_an_ellipsis():
    assert snippet("  Hi   there\n you ", 40) == "Hi there you"
    cut = snippet("The hardest month was when our flour supplier shut down", 40)
    assert cut == "The hardest month was when our flour…"
    assert snippet("x" * 50, 40) == "x" * 40 + "…"
