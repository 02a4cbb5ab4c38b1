"""The kernel behind every page ``rapport serve`` renders: IPython's, minus what no page uses.

``rapport serve`` puts a ``python3`` kernel spec ahead of the installed one (see
``voila_templates/kernels``) that starts this module instead of ``ipykernel_launcher``.
Each person in a room has a kernel of their own, so what a kernel loads is paid per person:

* No debugger. ipykernel imports ``debugpy`` as it starts, for JupyterLab's debugger panel,
  which a Voila page cannot open: about 8.5 MB and 0.1 s per kernel.
* No input history. IPython writes every executed cell to one SQLite file shared by all the
  account's kernels; a room of kernels starting at once locks it, and the resulting warning
  reached a participant's page as output.
* No pydantic plugins. Looking for them reads every installed package's metadata the first
  time a model is defined (10-20 ms per page); pages use none.

JupyterLab (``rapport lab``) keeps the standard kernel, debugger and history included.

Nobody interrupts a page's kernel but the server shutting it down, so an interrupt that
arrives while the kernel is still starting ends it quietly (ipykernel takes over interrupts
once it is up).
"""

from __future__ import annotations

import os
import signal
import sys

ARGS = ("--HistoryManager.enabled=False",)


def quiet_interrupts() -> None:
    """Until ipykernel installs its own handling, an interrupt ends the process at once."""
    signal.signal(signal.SIGINT, lambda *_: os._exit(0))


def prepare() -> None:
    """Before ipykernel is imported: no debugger, no pydantic plugins, and the working folder
    off the import path. The fork server (rapport.serving.forkserver) does the same before its
    imports."""
    sys.modules["debugpy"] = None  # type: ignore[assignment]  # `import debugpy` now fails
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # As ipykernel_launcher does: the working folder comes back as the notebook's folder.
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]


def main(argv: list[str] | None = None) -> None:
    quiet_interrupts()
    prepare()
    from ipykernel.kernelapp import launch_new_instance

    launch_new_instance(argv=[*(sys.argv[1:] if argv is None else argv), *ARGS])


if __name__ == "__main__":
    main()
