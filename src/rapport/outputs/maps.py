"""Role-plays drawn as maps with Graphviz: what is said where, where each choice leads, and what
is cut off.

A map shows one scenario from top to bottom. Each box is a node, labelled with its id and the
first words the other person says there; an ending is a double octagon; an arrow is a choice,
labelled with its id, its tone and its first words. A choice whose way on depends on conditions
leads to a small diamond, and one arrow per route leaves it, saying when it is taken. Tone shows
three ways at once, so the map reads in black and white too: the colour, the line (solid,
dashed, dotted) and the word. A node no path reaches from the start, or from which no path
leads to an ending, is filled red and says which, found by the same functions ``rapport check``
uses (``rapport.content.graph``).

``dot`` (Debian's ``graphviz`` package) lays the maps out; without it, only ``.dot`` sources
can be written.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import graphviz

from rapport.content.graph import cut_off, links, node_index
from rapport.content.loading import load_manifest, load_module
from rapport.content.scenarios import Node, Scenario, conditions
from rapport.content.schema import Module
from rapport.errors import RapportError

FORMATS = (".svg", ".png", ".dot")
MAPS = Path("facilitator") / "maps"
INDEX = "README.md"
SAYS_CHARS = 40  # of what the other person says, on a node
CHOICE_CHARS = 32  # of a choice's words, on its arrow
FONT = "Helvetica"
INK = "#24292f"
CUT_FILL = "#ffd8d3"  # cut-off nodes: a red fill that black text stays readable on
CUT_LINE = "#a40e26"
BOX = {"shape": "box", "style": "rounded"}
ENDING = {"shape": "doubleoctagon", "style": "filled", "fillcolor": "#eaeef2"}


@dataclass(frozen=True)
class Tone:
    """How a tone is drawn: every colour reads on white (contrast 4.5:1 or more)."""

    colour: str
    style: str  # Graphviz's line style, so that tone shows without colour
    line: str  # the line style in words, for the legend and the index


TONES = {
    "helps": Tone("#1a7f37", "solid", "solid"),
    "mixed": Tone("#8a5a00", "dashed", "dashed"),
    "hurts": Tone("#cf222e", "dotted", "dotted"),
}
UNREACHED = "CUT OFF: no path from the start"
TRAPPED = "CUT OFF: no path to an ending"
MISSING = "MISSING: a choice leads here, but no such node exists"


class MapError(RapportError):
    """A map that cannot be drawn; the message says why and what to do."""


class GraphvizMissing(MapError):
    """Graphviz's ``dot`` program is not installed."""

    def __init__(self) -> None:
        super().__init__(
            "Drawing a map needs Graphviz's `dot` program, which is not installed here. "
            "Install Debian's graphviz package (sudo apt-get install graphviz, or "
            "`make system-packages`; on a Mac, brew install graphviz), then run the command "
            "again. A .dot file needs no Graphviz: --out FILE.dot writes the map's source."
        )


def snippet(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word boundary to about ``limit`` characters with '…'."""
    words = " ".join(text.split())
    if len(words) <= limit:
        return words
    cut = words[: limit + 1].rsplit(" ", 1)[0] if " " in words[:limit] else words[:limit]
    return cut.rstrip(" ,;:.-–—") + "…"


def _label(*lines: str) -> str:
    # Backslashes in content stay literal; "\n" between lines is Graphviz's centred line break.
    return "\\n".join(graphviz.escape(line) for line in lines)


def scenario_graph(scenario: Scenario, module: Module | None = None) -> graphviz.Digraph:
    """The map of one scenario, as a Graphviz graph (its ``.source`` is the DOT text)."""
    title = f"{scenario.title} ({scenario.id}), with {scenario.character.name}"
    if module is not None:
        title = f"{module.label}: {title}"
    graph = graphviz.Digraph(
        name=scenario.id,
        graph_attr={
            "label": _label(title),
            "labelloc": "t",
            "fontname": FONT,
            "fontsize": "16",
            "rankdir": "TB",
            "nodesep": "0.35",
            "ranksep": "0.7",
            "bgcolor": "white",
            "tooltip": _label(title),
        },
        node_attr={"fontname": FONT, "fontsize": "11", "color": INK, "fontcolor": INK},
        edge_attr={"fontname": FONT, "fontsize": "9", "arrowsize": "0.7"},
    )
    unreached, trapped = cut_off(scenario, links(scenario))
    index = node_index(scenario)
    for node in scenario.nodes:
        _draw_node(graph, node, unreached, trapped)
    graph.node(
        "_start",
        label="START",
        shape="box",
        style="rounded,filled",
        fillcolor=INK,
        fontcolor="white",
        tooltip="where the conversation starts",
        id="start",
    )
    graph.edge("_start", scenario.start, penwidth="2", color=INK)
    missing = sorted(
        {r.to for n in scenario.nodes for c in n.choices for r in c.routes if r.to not in index}
        | ({scenario.start} - set(index))
    )
    for node_id in missing:
        attrs = BOX | _cut(BOX)
        graph.node(
            node_id, _label(node_id, MISSING), _attributes={"class": "missing cut-off"}, **attrs
        )
    for node in scenario.nodes:
        _draw_choices(graph, node)
    _draw_legend(graph)
    return graph


def _draw_node(graph: graphviz.Digraph, node: Node, unreached: list, trapped: list) -> None:
    lines = [f"{node.id} (ending)" if node.is_ending else node.id, snippet(node.says, SAYS_CHARS)]
    attrs = dict(ENDING if node.is_ending else BOX)
    kind = "ending" if node.is_ending else "turn"
    if node.id in unreached or node.id in trapped:
        lines.append(UNREACHED if node.id in unreached else TRAPPED)
        attrs |= _cut(attrs)
        kind += " cut-off"
    graph.node(
        node.id,
        _label(*lines),
        _attributes={"class": kind},
        **attrs,
        tooltip=" ".join(node.says.split()),
        id=f"node-{node.id}",
    )


def _cut(attrs: dict[str, str]) -> dict[str, str]:
    """What marks a node as cut off, on top of its shape."""
    style = "rounded,filled,bold" if "rounded" in attrs.get("style", "") else "filled,bold"
    return {"style": style, "fillcolor": CUT_FILL, "color": CUT_LINE, "penwidth": "2.5"}


def _draw_choices(graph: graphviz.Digraph, node: Node) -> None:
    """One arrow per choice. A choice whose way on depends on conditions goes to a small
    diamond, and from there one arrow per route says when it is taken."""
    for choice in node.choices:
        tone = TONES[choice.tone]
        look = {"color": tone.colour, "fontcolor": tone.colour, "style": tone.style}
        routes = choice.routes
        head = routes[0].to if len(routes) == 1 else f"_via_{choice.id}"
        graph.edge(
            node.id,
            head,
            _label(f"{choice.id} ({choice.tone})", snippet(choice.text, CHOICE_CHARS)),
            _attributes={"class": f"choice tone-{choice.tone}"},
            **look,
            penwidth="1.6",
            tooltip=" ".join(choice.text.split()),
            id=f"choice-{choice.id}",
        )
        if len(routes) == 1:
            continue
        graph.node(
            head,
            "",
            _attributes={"class": "routes"},
            shape="diamond",
            width="0.22",
            height="0.22",
            style="filled",
            fillcolor=tone.colour,
            color=tone.colour,
            tooltip=f"where {choice.id} leads depends on the conversation so far",
        )
        for r, route in enumerate(routes):
            when = conditions(route.when)
            words = " and ".join(" ".join(c.split()) for c in when) if when else "otherwise"
            graph.edge(
                head,
                route.to,
                _label(f"if {words}" if when else words),
                _attributes={"class": f"route tone-{choice.tone}"},
                **look,
                id=f"route-{choice.id}-{r}",
            )


def _draw_legend(graph: graphviz.Digraph) -> None:
    """A key beside the map: a sample arrow of each tone, an ending and a cut-off node, one
    under the other (invisible arrows keep them in a column)."""
    with graph.subgraph(name="cluster_key") as key:
        key.attr(label="Key", tooltip="Key", fontsize="11", color="#8c959f", style="rounded")
        key.attr("node", shape="plaintext", label="", width="0.1", height="0.1")
        column = []
        for name, tone in TONES.items():
            with key.subgraph() as row:
                row.attr(rank="same")
                row.edge(
                    f"_key_{name}",
                    f"_key_{name}_end",
                    f"{name} ({tone.line})",
                    color=tone.colour,
                    fontcolor=tone.colour,
                    fontsize="10",
                    style=tone.style,
                    penwidth="1.6",
                    minlen="2",
                )
            column.append(f"_key_{name}")
        key.node("_key_ending", "an ending", **ENDING)
        key.node("_key_cut", "cut off (see its note)", **(BOX | _cut(BOX)))
        column += ["_key_ending", "_key_cut"]
        key.attr("edge", style="invis")
        key.edges(pairwise(column))


def _suffix(out: Path) -> str:
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise MapError(
            f"{out}: a map is written as .svg, .png or .dot; give --out a file name ending in "
            "one of those."
        )
    return suffix


def render(graph: graphviz.Digraph, out: Path) -> Path:
    """Write ``graph`` to ``out``: its DOT source, or an SVG or PNG drawn by ``dot``."""
    suffix = _suffix(out)
    if suffix == ".dot":
        data: str | bytes = graph.source
    else:
        try:
            data = graph.pipe(format=suffix[1:], quiet=True)
        except graphviz.ExecutableNotFound:
            raise GraphvizMissing() from None
        except graphviz.CalledProcessError as err:
            detail = (err.stderr or b"").decode(errors="replace").strip()
            raise MapError(f"Graphviz could not draw {out.name}: {detail}") from None
    out.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        out.write_text(data, encoding="utf-8")
    else:
        out.write_bytes(data)
    return out


def find_module(module_id: str, root: Path) -> Module:
    """A module of the manifest, or a MapError naming the modules there are."""
    modules = load_manifest(root).modules
    if module_id not in modules:
        raise MapError(
            f"There is no module {module_id!r} in exercises/manifest.yaml. The modules are: "
            f"{', '.join(modules)}."
        )
    module = load_module(module_id, root)
    if not module.scenarios:
        with_roleplays = [m for m in modules if load_module(m, root).scenarios]
        raise MapError(
            f"Module {module_id!r} has no role-plays to map. These do: {', '.join(with_roleplays)}."
        )
    return module


def write_map(root: Path, module_id: str, scenario_id: str | None, out: Path) -> list[Path]:
    """Draw one scenario to ``out``; without ``scenario_id``, every scenario of the module,
    each to its own file named after ``out`` with the scenario's id added
    (``--out listen.svg``: ``listen-the-mixer.svg``, ``listen-after-the-shift.svg``)."""
    _suffix(out)
    module = find_module(module_id, root)
    if scenario_id is None:
        return [
            render(scenario_graph(s, module), out.with_name(f"{out.stem}-{s.id}{out.suffix}"))
            for s in module.scenarios
        ]
    for scenario in module.scenarios:
        if scenario.id == scenario_id:
            return [render(scenario_graph(scenario, module), out)]
    raise MapError(
        f"Module {module_id!r} has no role-play {scenario_id!r}. Its role-plays are: "
        f"{', '.join(s.id for s in module.scenarios)}."
    )


def write_maps(root: Path, folder: Path | None = None) -> list[Path]:
    """One SVG map per scenario of every module (``NN-module-scenario.svg``) in ``folder``
    (default ``facilitator/maps/``), and an index ``README.md`` linking them; returns the
    files written. Maps of scenarios that no longer exist are left in place, and listed
    in the index as such so they can be removed."""
    folder = folder or root / MAPS
    if folder.suffix.lower() in FORMATS:
        raise MapError(
            f"{folder}: --all writes a map of every role-play and an index, so --out names a "
            f"folder (default {MAPS.as_posix()}), not a file."
        )
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    written = []
    for module_id in load_manifest(root).modules:
        module = load_module(module_id, root)
        for scenario in module.scenarios:
            graph = scenario_graph(scenario, module)
            path = render(graph, folder / f"{module.id}-{scenario.id}.svg")
            unreached, trapped = cut_off(scenario, links(scenario))
            rows.append((module, scenario, path.name, len(unreached) + len(trapped)))
            written.append(path)
    stale = sorted(p.name for p in folder.glob("*.svg") if p not in written)
    index = folder / INDEX
    index.write_text(_index(rows, stale), encoding="utf-8")
    return [*written, index]


def _index(rows: list, stale: list[str]) -> str:
    lines = [
        "# Role-play maps",
        "",
        "One map per role-play: each box is a point in the conversation (its id and the first",
        "words said there), each arrow a choice (its id, tone and first words; green solid",
        "helps, amber dashed mixed, red dotted hurts), double octagons are endings, and a red",
        "box is cut off from the start or from every ending. Hover over a box or an arrow in a",
        "browser to read the full words.",
        "",
        "These files are generated: do not edit them. After changing a module's role-plays,",
        "draw them all again with `rapport map --all` (it writes to facilitator/maps/; one",
        "role-play: `rapport map 05-listen the-mixer --out mixer.svg`).",
        "",
        "| Module | Role-play | Map | Cut off |",
        "| --- | --- | --- | --- |",
    ]
    for module, scenario, name, cut in rows:
        note = f"**{cut} node{'s' if cut != 1 else ''}**" if cut else "none"
        lines.append(f"| {module.label} | {scenario.title} | [{name}]({name}) | {note} |")
    if stale:
        lines += ["", "Maps of role-plays that no longer exist (delete them):", ""]
        lines += [f"- {name}" for name in stale]
    return "\n".join(lines) + "\n"
