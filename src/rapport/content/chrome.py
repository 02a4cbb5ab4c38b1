"""Generate the notebooks' repeated chrome (headers, footers, contents) from content and manifest.

Chrome lives in Markdown cells tagged ``rapport:<part>``; ``rapport sync`` rewrites them and
``rapport check`` reports any that drifted, so nobody edits twelve headers by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import nbformat

from rapport.content.loading import load_manifest, load_module, notebooks_dir
from rapport.content.schema import Manifest, Module

TAG = "rapport:"


def _md(text: str) -> str:
    """Content text made safe for a Markdown table cell or list item."""
    return " ".join(text.split()).replace("|", "\\|").replace("<", "&lt;")


def header(module: Module, manifest: Manifest) -> str:
    minutes = module.minutes
    lines = [
        f"# {module.label}",
        "",
        f"*About {minutes.total} minutes: {minutes.teaching} to teach, "
        f"{minutes.exercises} for the exercises.*",
        "",
    ]
    if module.care_note:
        lines += [f"> **Before you start:** {_md(module.care_note)}", ""]
    lines += ["**Questions to explore**", ""]
    lines += [f"- {_md(q)}" for q in module.questions]
    lines += ["", "**By the end you will be able to**", ""]
    lines += [f"- {_md(o)}" for o in module.objectives]
    if module.sources:
        titles = {
            (s.id, sec.id): (s.title, sec.title) for s in manifest.seeds for sec in s.sections
        }
        drawn = []
        for src in module.sources:
            article, section = titles.get(
                (src.seed, src.section), (f"article {src.seed}", src.section)
            )
            drawn.append(f"*{_md(section)}* ({_md(article)})")
        lines += ["", "<small>Draws on: " + "; ".join(drawn) + ".</small>"]
    return "\n".join(lines)


def footer(module: Module, manifest: Manifest, root: Path | None = None) -> str:
    """The practice challenge, introducing the widget that accepts it and checks in on it."""
    lines = ["---", ""]
    if module.challenge:
        lines += [
            f"## Practice this week: {_md(module.challenge.title)}",
            "",
            module.challenge.text.strip(),
        ]
    return "\n".join(lines).rstrip()


def closing(module: Module, manifest: Manifest, root: Path | None = None) -> str:
    """Key points and the way on to the neighbouring modules."""
    lines = []
    if module.key_points:
        lines += ["## Key points", ""]
        lines += [f"- {_md(k)}" for k in module.key_points]
        lines += [""]
    lines += ["---", "", navigation(module.id, manifest, root)]
    return "\n".join(lines)


PRACTICE = "lesson.challenge()"


def navigation(module_id: str, manifest: Manifest, root: Path | None = None) -> str:
    order = manifest.modules
    i = order.index(module_id)
    parts = []
    if i > 0:
        prev = load_module(order[i - 1], root)
        parts.append(f"[← {prev.label}]({prev.id}.ipynb)")
    parts.append("[All modules](index.ipynb)")
    if i + 1 < len(order):
        nxt = load_module(order[i + 1], root)
        parts.append(f"[{nxt.label} →]({nxt.id}.ipynb)")
    return " · ".join(parts)


def contents(manifest: Manifest, root: Path | None = None) -> str:
    lines = ["| No. | Module | Time | What you will practise |", "|---|---|---|---|"]
    for module_id in manifest.modules:
        module = load_module(module_id, root)
        lines.append(
            f"| {module.id[:2]} | [{_md(module.title)}]({module.id}.ipynb) "
            f"| {module.minutes.total} min | {_md(module.questions[0])} |"
        )
    total = sum(load_module(m, root).minutes.total for m in manifest.modules)
    lines += ["", f"*The whole course takes about {total} minutes.*"]
    return "\n".join(lines)


def expected_chrome_for(module_id: str, root: Path | None = None) -> dict:
    return expected_chrome(notebooks_dir(root) / f"{module_id}.ipynb", root)


def expected_chrome(notebook: Path, root: Path | None = None) -> dict[str, str]:
    """The chrome each tagged part of ``notebook`` should hold (the setup part: its outputs)."""
    manifest = load_manifest(root)
    if notebook.stem == "index":
        return {"contents": contents(manifest, root)}
    module = load_module(notebook.stem, root)
    parts = {
        "header": header(module, manifest),
        "setup": setup_outputs(module),
        "footer": footer(module, manifest, root),
        "closing": closing(module, manifest, root),
    }
    if module.challenge:
        parts["practice"] = PRACTICE
    return parts


def setup_outputs(module: Module) -> list:
    """The pinned output of a module's setup cell (``lesson``), checked by nbval."""
    return [
        nbformat.v4.new_output(
            "execute_result",
            data={
                "text/markdown": module.summary,
                "text/plain": f"Lesson({module.id!r})",
            },
            execution_count=1,
        )
    ]


def _tagged(nb) -> Iterator[tuple[int, str, object]]:
    for i, cell in enumerate(nb.cells):
        for tag in cell.get("metadata", {}).get("tags", []):
            if tag.startswith(TAG):
                yield i, tag.removeprefix(TAG), cell


def stale_chrome(notebook: Path, root: Path | None = None) -> list[tuple[str, str]]:
    """(place, message) for every chrome cell that is missing or out of step."""
    nb = nbformat.read(notebook, as_version=4)
    want = expected_chrome(notebook, root)
    found = {part: (i, cell) for i, part, cell in _tagged(nb)}
    out = []
    for part, text in want.items():
        if part not in found:
            out.append(("", f"has no cell tagged '{TAG}{part}'; run `rapport sync`"))
        elif part == "setup":
            if _output_data(found[part][1]) != _output_data(text):
                out.append(
                    (
                        f"cells[{found[part][0]}]",
                        "the pinned setup output is out of date; run `rapport sync`",
                    )
                )
        elif found[part][1].source != text:
            out.append(
                (f"cells[{found[part][0]}]", f"the {part} is out of date; run `rapport sync`")
            )
    return out


def _output_data(cell_or_outputs) -> list:
    outputs = (
        cell_or_outputs if isinstance(cell_or_outputs, list) else cell_or_outputs.get("outputs", [])
    )
    return [dict(o.get("data", {})) for o in outputs]


def sync_notebook(notebook: Path, root: Path | None = None) -> bool:
    """Rewrite the chrome cells of ``notebook``; True when anything changed."""
    nb = nbformat.read(notebook, as_version=4)
    want = expected_chrome(notebook, root)
    changed = _add_missing_parts(nb, want)
    for _, part, cell in _tagged(nb):
        if part == "setup":
            # nbval compares a cell's stored outputs only if it was run, hence the count.
            if _output_data(cell) != _output_data(want[part]) or cell.execution_count != 1:
                cell.outputs = want[part]
                cell.execution_count = 1
                changed = True
        elif part in want and cell.source != want[part]:
            cell.source = want[part]
            changed = True
    if changed:
        nbformat.write(nb, notebook)
    return changed


def _add_missing_parts(nb, want: dict) -> bool:
    """Lay in the practice widget and closing cells after the footer when a notebook lacks them."""
    found = {part for _, part, _ in _tagged(nb)}
    footer_at = next((i for i, part, _ in _tagged(nb) if part == "footer"), None)
    if footer_at is None:
        return False
    new = []
    if "practice" in want and "practice" not in found:
        new.append(nbformat.v4.new_code_cell(PRACTICE, metadata={"tags": [f"{TAG}practice"]}))
    if "closing" in want and "closing" not in found:
        new.append(nbformat.v4.new_markdown_cell("", metadata={"tags": [f"{TAG}closing"]}))
    nb.cells[footer_at + 1 : footer_at + 1] = new
    return bool(new)


def sync_all(root: Path | None = None) -> list[Path]:
    """Sync every notebook the manifest lists, plus the landing page; return those changed."""
    manifest = load_manifest(root)
    folder = notebooks_dir(root)
    paths = [folder / "index.ipynb", *(folder / f"{m}.ipynb" for m in manifest.modules)]
    return [p for p in paths if p.exists() and sync_notebook(p, root)]


def scaffold(module_id: str, root: Path | None = None) -> Path:
    """Write a new module notebook laid out from its content file (never overwrites)."""
    path = notebooks_dir(root) / f"{module_id}.ipynb"
    if path.exists():
        raise FileExistsError(f"{path} already exists; edit it instead")
    module = load_module(module_id, root)
    v4 = nbformat.v4
    cells = [
        v4.new_markdown_cell("", metadata={"tags": [f"{TAG}header"]}),
        v4.new_code_cell(
            f'from rapport import open_module\nlesson = open_module("{module_id}")\nlesson',
            metadata={"tags": [f"{TAG}setup", "nbval-check-output"]},
        ),
        v4.new_markdown_cell("## The idea\n\nTODO: the teaching prose."),
    ]
    for scenario in module.scenarios:
        cells += [
            v4.new_markdown_cell(f"## Role-play: {scenario.title}\n\nTODO: set the scene."),
            v4.new_code_cell(f'lesson.scenario("{scenario.id}")'),
        ]
    for reflection in module.reflections:
        cells += [
            v4.new_markdown_cell("## Reflect\n\nTODO: introduce the prompt."),
            v4.new_code_cell(f'lesson.reflection("{reflection.id}")'),
        ]
    for activity in module.activities:
        cells += [
            v4.new_markdown_cell("## With the group\n\nTODO: introduce the activity."),
            v4.new_code_cell(f'lesson.activity("{activity.id}")'),
        ]
    cells.append(v4.new_markdown_cell("", metadata={"tags": [f"{TAG}footer"]}))
    nb = v4.new_notebook(cells=cells, metadata=NOTEBOOK_METADATA)
    _add_missing_parts(nb, expected_chrome_for(module_id, root))
    nbformat.write(nb, path)
    sync_notebook(path, root)
    return path


NOTEBOOK_METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}
