"""The ``rapport`` command: check content, keep notebooks in step, serve the workshop."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from rapport.content.loading import ContentError, load_manifest, load_module, project_root
from rapport.serving import limits


def _root(args: argparse.Namespace) -> Path:
    return Path(args.root).resolve() if args.root else project_root()


def cmd_check(args: argparse.Namespace) -> int:
    from rapport.content.check import check_project
    from rapport.course.audit import audit_project

    root = _root(args)
    # Plans and transparency run for every module whose own file is valid, whatever else is
    # wrong elsewhere (a stale agenda must not hide a failing plan).
    problems = check_project(root) + audit_project(root)
    errors = [p for p in problems if args.strict or not p.warning]
    warnings = [p for p in problems if p not in errors]
    for problem in errors:
        print(replace(problem, warning=False) if args.strict else problem)
    for problem in warnings:
        print(problem)
    if warnings:
        print(
            f"\n{_count(warnings, 'warning')}: fix them, or run `rapport check --strict` to "
            "treat them as errors.",
            file=sys.stderr,
        )
    if errors:
        print(f"\n{_count(errors, 'problem')} found.", file=sys.stderr)
        return 1
    manifest = load_manifest(root)
    modules = [load_module(m, root) for m in manifest.modules]
    print(
        f"All content is valid: {len(modules)} modules, "
        f"{sum(len(m.scenarios) for m in modules)} scenarios, "
        f"{sum(len(s.plans) for m in modules for s in m.scenarios)} test plans, "
        f"{sum(len(m.reflections) for m in modules)} reflection prompts, "
        f"{sum(len(m.activities) for m in modules)} group activities."
    )
    return 0


def _count(items: list, word: str) -> str:
    return f"{len(items)} {word}{'s' if len(items) != 1 else ''}"


def cmd_sync(args: argparse.Namespace) -> int:
    from rapport.content.agenda import AGENDAS, AGENDAS_MD, write_agendas
    from rapport.content.chrome import sync_all

    root = _root(args)
    changed = sync_all(root)
    for path in changed:
        print(f"updated {path.name}")
    if (root / AGENDAS).exists() and write_agendas(root):
        print(f"updated {AGENDAS_MD}")
    print(f"{len(changed)} notebook{'s' if len(changed) != 1 else ''} updated.")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from rapport.content.chrome import scaffold

    try:
        path = scaffold(args.module, _root(args))
    except FileExistsError as err:
        print(err, file=sys.stderr)
        return 1
    print(f"wrote {path}")
    return 0


def public_address(url: str) -> str:
    """``rapport serve --public-url``: ``http(s)://host[:port]/``, ending in one slash."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/"):
        raise argparse.ArgumentTypeError(
            f"{url!r} is not an address participants can open. Give the address they reach "
            "the workshop at (the reverse proxy's, for several servers), such as "
            "https://workshop.example.org/ or http://192.168.1.20:8080/: http or https, no path."
        )
    return f"{parts.scheme}://{parts.netloc}/"


def cmd_serve(args: argparse.Namespace) -> int:
    from rapport.serving.serve import UnsafeHost, serve

    try:
        serve(
            _root(args),
            host=args.host,
            port=args.port,
            open_browser=args.open,
            identity=args.identity,
            pool=args.pool,
            fork=not args.no_fork,
            public_url=args.public_url or "",
            limits=limits.Limits(
                max_kernels=args.max_kernels or 0,  # 0: worked out from the free memory
                max_per_browser=args.max_per_browser,
                cull_unconnected=args.cull_unconnected,
                cull_idle_minutes=args.cull_idle,
            ),
        )
    except (UnsafeHost, limits.BadLimits) as err:
        print(err, file=sys.stderr)
        return 2
    return 0


def cmd_lab(args: argparse.Namespace) -> int:
    from rapport.serving.lab import run_lab

    return run_lab(_root(args), port=args.port, open_browser=not args.no_browser)


def cmd_room(args: argparse.Namespace) -> int:
    from rapport.errors import RapportError
    from rapport.store.database import get_store
    from rapport.store.rooms import Rooms

    rooms = Rooms(get_store())
    try:
        if args.action == "list":
            listed = rooms.list()
            if not listed:
                print("No rooms yet. Create one on the facilitator dashboard.")
            for room in listed:
                status = f"ended {room.ended_at:%Y-%m-%d %H:%M}" if room.ended else "open"
                answers = sum(rooms.answer_counts(room.code).values())
                print(
                    f"{room.code}  {room.module:<24} created {room.created_at:%Y-%m-%d %H:%M} UTC"
                    f"  {status:<22} {answers} answer{'s' if answers != 1 else ''}"
                )
            return 0
        if args.code is None:
            print(f"rapport room {args.action} needs a room code, e.g. K7Q-4M2", file=sys.stderr)
            return 2
        if args.action == "export":
            from rapport.outputs.report import answers_frame

            frame = answers_frame(rooms, args.code)
            room = rooms.get(args.code)
            out = Path(args.out or f"room-{room.code}.csv")
            if out.exists() and not args.force:
                print(f"{out} exists; pass --force to replace it", file=sys.stderr)
                return 1
            frame.to_csv(out, index=False)
            print(f"wrote {len(frame)} answers to {out}")
            return 0
        if args.action == "report":
            from rapport.outputs.evaluation_report import report_command

            return report_command(rooms, args.code, Path(args.out or "."))
        room = rooms.get(args.code)
        if not args.yes:
            print(
                f"This deletes room {room.code} and all its answers for good. "
                f"Run again with --yes to do it.",
                file=sys.stderr,
            )
            return 1
        gone = rooms.delete(room.code)
        print(f"deleted room {room.code} and its {gone} answer{'s' if gone != 1 else ''}")
        return 0
    except RapportError as err:  # an unknown code, a store out of reach...
        print(err, file=sys.stderr)
        return 1


def cmd_journal(args: argparse.Namespace) -> int:
    from rapport.course.journal import export_html, export_markdown
    from rapport.course.learner import current_learner
    from rapport.store.journal import Journal

    items = Journal(current_learner()).items()
    suffix = {"md": ".md", "html": ".html"}[args.format]
    out = Path(args.out or f"rapport-journal{suffix}")
    if out.exists() and not args.force:
        print(f"{out} exists; pass --force to replace it", file=sys.stderr)
        return 1
    body = export_markdown(items) if args.format == "md" else export_html(items)
    out.write_text(body, encoding="utf-8")
    out.chmod(0o600)  # the learner's private words: readable by them alone
    print(f"wrote {len(items)} journal entr{'y' if len(items) == 1 else 'ies'} to {out}")
    return 0


def cmd_handouts(args: argparse.Namespace) -> int:
    from rapport.outputs.handouts import write_handouts

    out = Path(args.out)
    pdf = True if args.pdf else (False if args.no_pdf else None)
    try:
        written = write_handouts(out, _root(args), pdf=pdf, paper=args.paper)
    except RuntimeError as err:
        print(err, file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    pdfs = sum(p.suffix == ".pdf" for p in written)
    if not pdfs:
        print("HTML only: print the pages from a browser, or install Chromium for PDFs.")
    elif stale := [p for p in out.glob("*.pdf") if p not in written]:
        print(f"note: {len(stale)} older PDF file(s) in {out} were left as they were")
    return 0


def cmd_slides(args: argparse.Namespace) -> int:
    from rapport.outputs.slides_commands import slides_command

    return slides_command(args.module, Path(args.out), pdf=not args.no_pdf, root=_root(args))


def cmd_support(args: argparse.Namespace) -> int:
    from rapport.outputs.slides_commands import support_command

    return support_command(args.set, args.clear)


def cmd_map(args: argparse.Namespace) -> int:
    from rapport.outputs.maps import MapError, write_map, write_maps

    if args.all == bool(args.module) or not (args.all or args.out):
        print(
            "Give a module and a file (rapport map 05-listen the-mixer --out mixer.svg), or "
            "--all to draw every role-play into facilitator/maps/.",
            file=sys.stderr,
        )
        return 2
    out = Path(args.out) if args.out else None
    try:
        if args.all:
            written = write_maps(_root(args), out)
        else:
            written = write_map(_root(args), args.module, args.scenario, out)
    except MapError as err:  # no Graphviz, an unknown module or role-play, a bad file name
        print(err, file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rapport", description=__doc__)
    parser.add_argument("--root", help="the project folder (default: found automatically)")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="validate all content and notebooks, and run test plans")
    check.add_argument(
        "--strict",
        action="store_true",
        help="treat warnings (the role-plays' transparency checks) as errors",
    )
    check.set_defaults(func=cmd_check)
    sub.add_parser(
        "sync", help="regenerate the notebooks' headers, footers and contents"
    ).set_defaults(func=cmd_sync)
    new = sub.add_parser("new", help="lay out a new module notebook from its content file")
    new.add_argument("module", help="module id, e.g. 05-listen")
    new.set_defaults(func=cmd_new)
    serve = sub.add_parser("serve", help="serve the workshop with Voila")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind: 127.0.0.1 for this computer, 0.0.0.0 for a room on the network",
    )
    serve.add_argument("--port", type=int, default=8866)
    serve.add_argument("--open", action="store_true", help="open a browser")
    serve.add_argument(
        "--identity",
        choices=("auto", "browser", "account"),
        default="auto",
        help="whose journal a page uses: each browser's own, or this account's "
        "(auto: the account's on 127.0.0.1, each browser's on a network address)",
    )
    serve.add_argument(
        "--pool",
        type=int,
        help="join pages kept ready ahead of people arriving, about 70 MB each (default: 30 "
        "on a network address, none on 127.0.0.1; size it to the room, 0 turns it off)",
    )
    serve.add_argument(
        "--no-fork",
        action="store_true",
        help="start each page's kernel from scratch instead of forking it from a process "
        "that has imported what pages use (slower; for working on the package's code)",
    )
    serve.add_argument(
        "--public-url",
        type=public_address,
        help="the address participants reach the workshop at, when it is not this host and "
        "port (a reverse proxy in front of several servers, see deploy/README.md): the join "
        "link and QR code show it, e.g. https://workshop.example.org/",
    )
    serve.add_argument(
        "--max-kernels",
        type=limits.kernel_count,
        metavar="N",
        help="pages open at once, spare join pages included (each holds a kernel of about "
        f"{limits.KERNEL_MB} MB); past it people see 'The workshop is full right now' "
        "(default: as many as fit in three quarters of the memory free at start; the "
        "facilitator's dashboard is never turned away)",
    )
    serve.add_argument(
        "--max-per-browser",
        type=limits.per_browser,
        default=limits.MAX_PER_BROWSER,
        metavar="N",
        help=f"pages one browser may have open at once (default {limits.MAX_PER_BROWSER})",
    )
    serve.add_argument(
        "--cull-unconnected",
        type=limits.unconnected_seconds,
        default=limits.CULL_UNCONNECTED,
        metavar="SECONDS",
        help="close a page's kernel if the page has not connected this long after it was "
        f"asked for (default {limits.CULL_UNCONNECTED:g}; {limits.SHORTEST_UNCONNECTED:g} "
        "or more)",
    )
    serve.add_argument(
        "--cull-idle",
        type=limits.idle_minutes,
        default=limits.CULL_IDLE_MINUTES,
        metavar="MINUTES",
        help="close a page's kernel when the page has been gone this long (a phone asleep, a "
        "browser quit); coming back, the page offers a reload that keeps everything saved "
        f"(default {limits.CULL_IDLE_MINUTES:g}; 0: never)",
    )
    serve.set_defaults(func=cmd_serve)
    lab = sub.add_parser("lab", help="study on your own: JupyterLab on the welcome notebook")
    lab.add_argument("--port", type=int, help="port (default: JupyterLab's, 8888 or the next free)")
    lab.add_argument("--no-browser", action="store_true", help="do not open a browser")
    lab.set_defaults(func=cmd_lab)
    room = sub.add_parser("room", help="list, export, report on or delete live rooms")
    room.add_argument("action", choices=("list", "export", "report", "delete"))
    room.add_argument("code", nargs="?", help="the room code, e.g. K7Q-4M2")
    room.add_argument(
        "--out",
        help="export: the CSV file to write (default room-CODE.csv); report: the folder for "
        "the evaluation report (HTML, PDF, CSV; default: here)",
    )
    room.add_argument("--force", action="store_true", help="export: replace an existing file")
    room.add_argument("--yes", action="store_true", help="delete: really delete")
    room.set_defaults(func=cmd_room)
    handouts = sub.add_parser("handouts", help="write printable handouts and the workbook")
    handouts.add_argument("--out", required=True, help="the folder to write into")
    handouts.add_argument("--paper", choices=("A4", "Letter"), default="A4")
    pdf = handouts.add_mutually_exclusive_group()
    pdf.add_argument("--pdf", action="store_true", help="insist on PDFs (needs Chromium)")
    pdf.add_argument("--no-pdf", action="store_true", help="write HTML only")
    handouts.set_defaults(func=cmd_handouts)
    slides = sub.add_parser("slides", help="write a module's slides, printed one slide a page")
    slides.add_argument("module", help="module id, e.g. 05-listen")
    slides.add_argument("--out", required=True, help="the folder to write into")
    slides.add_argument("--no-pdf", action="store_true", help="write the HTML only")
    slides.set_defaults(func=cmd_slides)
    support = sub.add_parser("support", help="show or set the local help services for slides")
    support.add_argument("--set", metavar="FILE", help="a file of lines 'Name: how to reach it'")
    support.add_argument("--clear", action="store_true", help="remove the services")
    support.set_defaults(func=cmd_support)
    map_ = sub.add_parser("map", help="draw a role-play as a map of where its choices lead")
    map_.add_argument("module", nargs="?", help="module id, e.g. 05-listen")
    map_.add_argument(
        "scenario",
        nargs="?",
        help="the role-play's id, e.g. the-mixer (default: each of the module's role-plays, "
        "to its own file: --out listen.svg writes listen-the-mixer.svg, ...)",
    )
    map_.add_argument(
        "--out",
        help="the file to write, ending in .svg, .png or .dot (the source); with --all, the "
        "folder (default facilitator/maps)",
    )
    map_.add_argument(
        "--all",
        action="store_true",
        help="every role-play of every module, one SVG each, with an index README.md",
    )
    map_.set_defaults(func=cmd_map)
    journal = sub.add_parser("journal", help="export your private journal")
    journal.add_argument("action", choices=("export",))
    journal.add_argument("--format", choices=("md", "html"), default="md")
    journal.add_argument("--out", help="the file to write (default rapport-journal.md or .html)")
    journal.add_argument("--force", action="store_true", help="replace an existing file")
    journal.set_defaults(func=cmd_journal)
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
