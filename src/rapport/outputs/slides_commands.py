"""What ``rapport slides`` and ``rapport support`` do, with the messages they print."""

from __future__ import annotations

import sys
from pathlib import Path

from rapport.errors import RapportError
from rapport.outputs.slides import DeckNotFound, deck_named
from rapport.outputs.slides_html import write_slides
from rapport.store.database import get_store
from rapport.store.support import parse_services, set_support_services, support_services


def slides_command(module_id: str, out: Path, pdf: bool = True, root: Path | None = None) -> int:
    """Write a module's deck as HTML into ``out``, and print it to PDF, one slide a page."""
    try:
        deck = deck_named(module_id, root)
        if not deck.name[:2].isdigit():
            raise DeckNotFound(f"{module_id!r} is an agenda; give a module such as 05-listen.")
        services = _services_or_none()
        written = write_slides(deck.name, out, services, pdf=pdf, root=root)
    except (RapportError, RuntimeError) as err:  # an unknown module, no Chromium
        print(err, file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    print(f"{len(deck)} slides.")
    if services is None:
        print("note: the store could not be read, so the support slide shows general advice.")
    elif not services and "support" in deck.kinds():
        print("note: no local support services are set; run rapport support --set FILE.")
    return 0


def _services_or_none():
    try:
        return support_services(get_store())
    except RapportError:
        return None


def support_command(file: str | None, clear: bool) -> int:
    """Show the local help services, set them from ``file``, or clear them."""
    store = get_store()
    try:
        if clear:
            set_support_services(store, [])
            print("The local support services are cleared; support slides show general advice.")
            return 0
        if file:
            try:
                text = Path(file).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as err:
                print(f"Could not read {file}: {err}", file=sys.stderr)
                return 1
            services = parse_services(text)
            if not services:
                print(f"{file} lists no services; nothing was changed.", file=sys.stderr)
                return 1
            set_support_services(store, services)
            print(f"Saved {len(services)} support service{'s' if len(services) != 1 else ''}.")
        services = support_services(store)
    except RapportError as err:  # a line that cannot be used, the store out of reach
        print(err, file=sys.stderr)
        return 1
    if not services:
        print("No local support services are set. Write them one a line, 'Name: how to reach")
        print("them', in a file, then run rapport support --set FILE.")
    for service in services:
        print(service.line())
    return 0
