"""The ``rapport`` command: check content, keep notebooks in step, serve the workshop."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rapport.content import ContentError, load_manifest, load_module, project_root


def _root(args: argparse.Namespace) -> Path:
    return Path(args.root).resolve() if args.root else project_root()


def cmd_check(args: argparse.Namespace) -> int:
    from rapport.check import check_project

    root = _root(args)
    problems = check_project(root)
    for problem in problems:
        print(problem)
    if problems:
        print(
            f"\n{len(problems)} problem{'s' if len(problems) != 1 else ''} found.", file=sys.stderr
        )
        return 1
    manifest = load_manifest(root)
    modules = [load_module(m, root) for m in manifest.modules]
    print(
        f"All content is valid: {len(modules)} modules, "
        f"{sum(len(m.scenarios) for m in modules)} scenarios, "
        f"{sum(len(m.reflections) for m in modules)} reflection prompts, "
        f"{sum(len(m.activities) for m in modules)} group activities."
    )
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from rapport.agenda import AGENDAS, AGENDAS_MD, write_agendas
    from rapport.chrome import sync_all

    root = _root(args)
    changed = sync_all(root)
    for path in changed:
        print(f"updated {path.name}")
    if (root / AGENDAS).exists() and write_agendas(root):
        print(f"updated {AGENDAS_MD}")
    print(f"{len(changed)} notebook{'s' if len(changed) != 1 else ''} updated.")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from rapport.chrome import scaffold

    try:
        path = scaffold(args.module, _root(args))
    except FileExistsError as err:
        print(err, file=sys.stderr)
        return 1
    print(f"wrote {path}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from rapport.serve import UnsafeHost, serve

    try:
        serve(_root(args), host=args.host, port=args.port, open_browser=args.open)
    except UnsafeHost as err:
        print(err, file=sys.stderr)
        return 2
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rapport", description=__doc__)
    parser.add_argument("--root", help="the project folder (default: found automatically)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="validate all content and notebooks").set_defaults(func=cmd_check)
    sub.add_parser(
        "sync", help="regenerate the notebooks' headers, footers and contents"
    ).set_defaults(func=cmd_sync)
    new = sub.add_parser("new", help="lay out a new module notebook from its content file")
    new.add_argument("module", help="module id, e.g. 05-listen")
    new.set_defaults(func=cmd_new)
    serve = sub.add_parser("serve", help="serve the workshop with Voila")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to bind (loopback only, for now)"
    )
    serve.add_argument("--port", type=int, default=8866)
    serve.add_argument("--open", action="store_true", help="open a browser")
    serve.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ContentError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
