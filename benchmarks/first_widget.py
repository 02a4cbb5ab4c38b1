"""Time to first widget in Chromium, for every course notebook against a bare one.

A temporary project root is served by ``rapport --root ROOT serve`` (content still comes from
this checkout, through ``RAPPORT_HOME``): ``notebooks/`` holds links to the module notebooks
and ``join.ipynb`` plus ``bare.ipynb``, one code cell showing one button; ``exercises/`` and
``facilitator/`` are links to this checkout's. Every visit is a fresh browser context, so a
cold page and a fresh kernel (the server keeps no kernels warm). A visit's time is from
navigation start to the first visible ``.widget-button, .rp-box, .jupyter-widgets``, as the
page recorded it. After one warm-up visit each, ``--runs`` visits per notebook are timed,
in passes over all notebooks; the figure is the median, and its ratio to the bare notebook's.

    .venv/bin/python benchmarks/first_widget.py             # all notebooks, 1 + 5 visits each
    .venv/bin/python benchmarks/first_widget.py --quick     # a few notebooks, 1 visit each
    .venv/bin/python benchmarks/first_widget.py --check     # exit 1 if a target is missed

Target: every module notebook within 1.3x the bare notebook's median, cold.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import (
    ROOT,
    SEEN,
    WorkshopServer,
    add_pool_option,
    finish,
    first_visible_script,
    launch_chromium,
    result_line,
    rounded,
    selector_test,
    table,
    terminate_cleanly,
    verdict,
)

WIDGET = ".widget-button, .rp-box, .jupyter-widgets"
BARE = "bare"
JOIN = "join"
RATIO_TARGET = 1.3
QUICK = ("00-welcome", "05-listen", JOIN)
BARE_NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "bare-button",
            "metadata": {},
            "outputs": [],
            "source": ["import ipywidgets as w\n", 'w.Button(description="Go")'],
        }
    ],
    "metadata": {
        "kernelspec": {
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
            "name": "python3",
        },
        "language_info": {"name": "python"},
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}


def course_notebooks() -> list[str]:
    """The module notebooks in course order (from the manifest), then the join page."""
    from rapport.content.loading import load_manifest

    return [*load_manifest(ROOT).modules, JOIN]


def build_root(folder: Path, names: list[str]) -> Path:
    """A project root serving ``names`` (links to this checkout's notebooks) and the bare one."""
    root = folder / "root"
    notebooks = root / "notebooks"
    notebooks.mkdir(parents=True)
    for name in names:
        source = ROOT / "notebooks" / f"{name}.ipynb"
        if not source.is_file():
            raise FileNotFoundError(f"no notebook {source}")
        (notebooks / source.name).symlink_to(source)
    (notebooks / f"{BARE}.ipynb").write_text(json.dumps(BARE_NOTEBOOK, indent=1))
    for folder_name in ("exercises", "facilitator"):
        (root / folder_name).symlink_to(ROOT / folder_name, target_is_directory=True)
    return root


def visit(
    browser, server: WorkshopServer, name: str, timeout: float, spare: int = 0
) -> tuple[float, str]:
    """One cold visit: ms from navigation start to the first visible widget, and what it was."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    try:
        context.add_init_script(first_visible_script(selector_test(WIDGET)))
        page = context.new_page()
        page.goto(
            f"{server.base}/voila/render/notebooks/{name}.ipynb",
            wait_until="commit",
            timeout=timeout * 1000,
        )
        page.wait_for_function(SEEN, polling=100, timeout=timeout * 1000)
        at, what = page.evaluate("[window.__rpFirstAt, window.__rpFirstWhat]")
        at = float(at)  # a whole number of ms comes back as an int
        page.close(run_before_unload=True)  # the page asks the server to end its kernel
        return at, what
    finally:
        context.close()
        # The visit's kernel gone (and a used spare join kernel replaced), all idle: the
        # next visit starts on a quiet server.
        server.settle(kernels=spare, seconds=60)


def measure(
    names: list[str],
    runs: int,
    warmup: int,
    timeout: float,
    pool: int | None = None,
    fork: bool = True,
) -> dict:
    from playwright.sync_api import sync_playwright

    order = [BARE, *names]
    times: dict[str, list[float]] = {name: [] for name in order}
    first: dict[str, str] = {}
    errors: dict[str, list[str]] = {name: [] for name in order}
    with tempfile.TemporaryDirectory(prefix="rapport-bench-") as tmp:
        root = build_root(Path(tmp), names)
        with WorkshopServer(
            Path(tmp), root=root, env={"RAPPORT_HOME": str(ROOT)}, pool=pool, fork=fork
        ) as server:
            server.wait()
            spare = server.pool_size()  # join kernels the server keeps started
            server.settle(kernels=spare, seconds=240)
            with sync_playwright() as p:
                browser = launch_chromium(p)
                try:
                    visit(browser, server, BARE, timeout, spare)  # the first page: templates
                    passes = [(False, i) for i in range(warmup)] + [(True, i) for i in range(runs)]
                    for timed, i in passes:
                        label = "run" if timed else "warm-up"
                        print(f"{label} {i + 1} ...", file=sys.stderr, flush=True)
                        # alternate the direction, so a slow drift of the machine evens out
                        for name in order if i % 2 == 0 else order[::-1]:
                            try:
                                ms, what = visit(browser, server, name, timeout, spare)
                            except Exception as err:
                                errors[name].append(f"{type(err).__name__}: {str(err)[:120]}")
                                continue
                            if timed:
                                times[name].append(ms)
                                first.setdefault(name, what)
                finally:
                    browser.close()
    return {"times": times, "first": first, "errors": errors, "pool": spare}


def results(measured: dict) -> list[dict]:
    times = measured["times"]
    bare = statistics.median(times[BARE]) if times[BARE] else float("nan")
    rows = []
    for name, values in times.items():
        median = statistics.median(values) if values else float("nan")
        rows.append(
            {
                "notebook": name,
                "median_ms": median,
                "min_ms": min(values) if values else float("nan"),
                "max_ms": max(values) if values else float("nan"),
                "ratio": median / bare if values and bare else float("nan"),
                "runs": len(values),
                "failed": len(measured["errors"][name]),
                "first": measured["first"].get(name, "-"),
                "module": name not in (BARE, JOIN),
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed visits per notebook")
    parser.add_argument("--warmup", type=int, default=1, help="untimed visits per notebook")
    parser.add_argument(
        "--notebooks", nargs="+", metavar="NAME", help="only these (e.g. 05-listen join)"
    )
    parser.add_argument(
        "--quick", action="store_true", help=f"1 visit each of {', '.join(QUICK)} and bare"
    )
    parser.add_argument("--timeout", type=float, default=120, help="seconds per visit")
    add_pool_option(parser)
    parser.add_argument(
        "--no-fork",
        action="store_true",
        help="rapport serve --no-fork: every page's kernel starts from scratch",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    names = args.notebooks or (list(QUICK) if args.quick else course_notebooks())
    names = [n.removesuffix(".ipynb") for n in names if n.removesuffix(".ipynb") != BARE]
    runs, warmup = (1, 0) if args.quick else (args.runs, args.warmup)

    with terminate_cleanly():
        measured = measure(names, runs, warmup, args.timeout, args.pool, not args.no_fork)
    rows = results(measured)
    print(
        table(
            ("notebook", "median ms", "min ms", "max ms", "x bare", "runs", "failed", "first"),
            [
                (
                    r["notebook"] + ("" if r["module"] or r["notebook"] == BARE else " (page)"),
                    r["median_ms"],
                    r["min_ms"],
                    r["max_ms"],
                    f"{r['ratio']:.2f}",
                    r["runs"],
                    r["failed"],
                    r["first"],
                )
                for r in rows
            ],
        )
    )
    for name, errors in measured["errors"].items():
        for error in errors[:2]:
            print(f"  {name}: {error}")
    modules = [r for r in rows if r["module"]]
    over = [r["notebook"] for r in modules if not r["ratio"] <= RATIO_TARGET]
    worst = max((r["ratio"] for r in modules), default=float("nan"))
    targets = {
        f"every module notebook within {RATIO_TARGET}x bare (worst {worst:.2f}x"
        + (f"; over: {', '.join(over)})" if over else ")"): not over and bool(modules),
        "no visit failed": not any(r["failed"] for r in rows),
    }
    print("\ntargets:\n" + verdict(targets))
    print(
        result_line(
            "first_widget",
            runs=runs,
            warmup=warmup,
            join_pool=measured["pool"],
            fork=not args.no_fork,
            bare_median_ms=rounded(rows[0]["median_ms"]),
            notebooks={
                r["notebook"]: {
                    "median_ms": rounded(r["median_ms"]),
                    "ratio": rounded(r["ratio"], 2),
                }
                for r in rows[1:]
            },
            worst_module_ratio=rounded(worst, 2),
            targets_met=all(targets.values()),
        )
    )
    return finish(targets, args.check)


if __name__ == "__main__":
    sys.exit(main())
