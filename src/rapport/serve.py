"""Serve the workshop with Voila: landing page at ``/``, only the workshop's notebooks rendered."""

from __future__ import annotations

import re
from pathlib import Path

from jupyter_server.utils import url_path_join
from tornado.web import RedirectHandler
from voila.app import Voila

LANDING = "voila/render/notebooks/index.ipynb"
# Only the course's own notebooks may be rendered, never tests' or anything else under the root.
RENDERABLE = r"/voila/render/((?:notebooks|facilitator)/[A-Za-z0-9_-]+\.ipynb)"


class WorkshopVoila(Voila):
    """Voila over the project folder, with the landing page at ``/`` and no file browser."""

    name = "rapport-serve"

    def init_handlers(self) -> list:
        handlers = []
        for handler in super().init_handlers():
            pattern = handler[0]
            if pattern.rstrip("/") == self.server_url.rstrip("/") or "/voila/tree" in pattern:
                continue  # the directory listing: replaced by the landing page
            if pattern.endswith("/voila/render/(.*)"):
                handler = (url_path_join(self.server_url, RENDERABLE), *handler[1:])
            handlers.append(handler)
        landing = url_path_join(self.server_url, LANDING)
        return [
            (re.escape(self.server_url.rstrip("/")) + "/?", RedirectHandler, {"url": landing}),
            *handlers,
        ]


def voila_argv(root: Path, host: str, port: int, open_browser: bool) -> list[str]:
    return [
        str(root),
        f"--Voila.ip={host}",
        f"--port={port}",
        "--Voila.port_retries=0",
        "--theme=light",
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.strip_sources=True",
        *([] if open_browser else ["--no-browser"]),
    ]


LOOPBACK = {"127.0.0.1", "localhost", "::1"}
NOT_YET = (
    "Rapport serves only this computer for now ({host} was asked for). Every visitor of one "
    "server would share a single private journal until participants get their own identity "
    "(the live room), so serving to other devices is switched off to keep journals private."
)


class UnsafeHost(ValueError):
    """A bind address that would expose one learner's journal to other devices."""


def check_host(host: str) -> None:
    if host not in LOOPBACK:
        raise UnsafeHost(NOT_YET.format(host=host))


def serve(
    root: Path, host: str = "127.0.0.1", port: int = 8866, open_browser: bool = False
) -> None:
    """Run the workshop server until interrupted."""
    check_host(host)
    print(f"Rapport workshop: http://{host}:{port}/  (Ctrl+C to stop)", flush=True)
    WorkshopVoila.launch_instance(argv=voila_argv(root, host, port, open_browser))
