"""Open the workshop in JupyterLab, for a learner working through it on their own.

``rapport lab`` starts JupyterLab over the project folder, bound to this computer only
(loopback) and opened on the welcome notebook. JupyterLab keeps its usual token
authentication: it prints, and opens, a link with the token in it.

The notebooks' widgets save to the same embedded store as ``rapport serve`` (Voila): the
package picks it, ``RAPPORT_JOURNAL_URL`` if set, else one SQLite file in the user's data
directory. There is nothing to configure. The journal is that of this computer's account (or of
``RAPPORT_LEARNER`` if set): ``RAPPORT_IDENTITY`` is removed from the kernels' environment, so
a value left over from serving a room never makes JupyterLab ask for a browser token.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from rapport import settings

WELCOME = Path("notebooks") / "00-welcome.ipynb"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def lab_argv(
    root: Path, port: int | None = None, open_browser: bool = True, host: str = "127.0.0.1"
) -> list[str]:
    """The command that runs JupyterLab over ``root``, opened on the welcome notebook.

    Only loopback addresses are accepted: the kernels write to this account's private journal,
    which no other device may reach.
    """
    if host not in LOOPBACK:
        raise ValueError(
            f"JupyterLab opens this account's private journal; bind it to this computer only "
            f"(127.0.0.1, localhost or ::1), not {host!r}."
        )
    root = Path(root).resolve()
    return [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        str(root / WELCOME),
        f"--ServerApp.root_dir={root}",
        f"--ServerApp.ip={host}",
        *([f"--ServerApp.port={port}"] if port is not None else []),
        *([] if open_browser else ["--no-browser"]),
        # Jupyter refuses root unless told; containers and some study machines run as root.
        *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
    ]


def lab_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (by default this process's environment) for a learner's own JupyterLab."""
    env = dict(os.environ if base is None else base)
    env.pop(settings.IDENTITY, None)  # "account", the default: the journal is this account's own
    return env


def run_lab(root: Path, port: int | None = None, open_browser: bool = True) -> int:
    """Run JupyterLab over ``root`` until it stops; return its exit code."""
    root = Path(root).resolve()
    process = subprocess.Popen(lab_argv(root, port, open_browser), cwd=root, env=lab_env())
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            # Ctrl+C reaches JupyterLab too, which asks whether to shut down (or does so at
            # a second Ctrl+C): wait for its answer rather than killing it mid-way.
            continue
