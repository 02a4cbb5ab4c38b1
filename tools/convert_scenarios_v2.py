"""Convert the course's role-plays to the conversation format (run once, 2026-12-01).

What changes, with no text lost:
- every choice gets an ``id`` (``<node>-a``, ``<node>-b``, ...), so plans and conditions can
  name it;
- a choice's ``feedback`` becomes its ``coaching`` (the words are kept as they were);
- each scenario gets ``debrief.questions``: the first two debrief questions of its facilitator
  notes, for the learner's journal (the notes keep all of theirs);
- each scenario gets ``plans``: one for every ending, the shortest way there (found by walking
  every path), expecting that ending.

Usage (from the project folder, with ruamel.yaml installed, which keeps the files' layout):
    .venv/bin/pip install 'ruamel.yaml>=0.18'
    .venv/bin/python tools/convert_scenarios_v2.py exercises/*.yaml
It refuses a file already converted (a choice with an ``id``).
"""

from __future__ import annotations

import string
import sys
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

ROOT = Path(__file__).resolve().parents[1]


def yaml() -> YAML:
    loader = YAML()
    loader.preserve_quotes = True
    loader.width = 4096  # never re-wrap a line the authors wrote
    loader.indent(mapping=2, sequence=4, offset=2)
    return loader


def convert_file(path: Path) -> bool:
    """Convert one module file in place; False if it has no scenarios or is already done."""
    data = yaml().load(path.read_text(encoding="utf-8"))
    scenarios = data.get("scenarios") or []
    if not scenarios:
        return False
    if any("id" in choice for s in scenarios for n in s["nodes"] for choice in n.get("choices", [])):
        raise SystemExit(f"{path} is already converted")
    notes_path = ROOT / "facilitator" / path.name
    notes = yaml().load(notes_path.read_text(encoding="utf-8")) if notes_path.exists() else {}
    for scenario in scenarios:
        for node in scenario["nodes"]:
            for letter, choice in zip(string.ascii_lowercase, node.get("choices", []), strict=False):
                choice.insert(0, "id", f"{node['id']}-{letter}")
                keys = list(choice)
                choice.insert(keys.index("feedback"), "coaching", choice.pop("feedback"))
        questions = list((notes.get("debrief") or {}).get(scenario["id"], []))[:2]
        if questions:
            scenario["debrief"] = CommentedMap(questions=CommentedSeq(questions))
    path.write_text(_dump(data), encoding="utf-8")
    try:
        _add_plans(path)
    except Exception as err:  # a deliberately broken test fixture: ids and coaching only
        print(f"{path}: no plans added ({type(err).__name__})")
    return True


def _dump(data) -> str:
    import re
    from io import StringIO

    out = StringIO()
    yaml().dump(data, out)
    # ruamel writes a one-key mapping inside a flow list as `[..., to: x]`; keep the braces
    return re.sub(r"(\[.*, )(to: [a-z0-9-]+)\]$", r"\1{\2}]", out.getvalue(), flags=re.M)


def _add_plans(path: Path) -> None:
    """A plan for every ending: the shortest way there, found with the engine."""
    sys.path.insert(0, str(ROOT / "src"))
    from rapport.content.loading import parse, read_yaml
    from rapport.content.schema import Module
    from rapport.course.paths import walk

    module = parse(Module, read_yaml(path, ROOT))
    data = yaml().load(path.read_text(encoding="utf-8"))
    for scenario, raw in zip(module.scenarios, data["scenarios"], strict=True):
        paths = walk(scenario).paths
        plans = CommentedSeq()
        for ending in scenario.endings:
            ways = [p for p in paths if p.ending == ending.id]
            if not ways:
                continue  # no path reaches it: `rapport check` will say so
            way = min(ways, key=lambda p: (p.decisions, p.choices))
            plan = CommentedMap()
            plan["name"] = f"reaches {ending.id}"
            plan["choose"] = CommentedSeq(way.choices)
            plan["choose"].fa.set_flow_style()
            plan["expect"] = CommentedMap(ending=ending.id)
            plan["expect"].fa.set_flow_style()
            plans.append(plan)
        raw["plans"] = plans
    path.write_text(_dump(data), encoding="utf-8")


def main(argv: list[str]) -> int:
    for name in argv:
        if convert_file(Path(name)):
            print(f"converted {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
