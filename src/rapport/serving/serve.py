"""Serve the workshop with Voila: the course, the participants' join page and the dashboard.

Every browser gets a random token in a cookie (``rapport_id``); the render handler hands it to
that browser's kernel through Voila's request-header passing, so the kernel knows which
participant (and, when serving a room, which journal) it belongs to. Nothing else about the
visitor is kept.

Each page's kernel counts towards a cap, and is closed if its page never connects or has long
gone (:mod:`rapport.serving.kernels`; the limits are in :mod:`rapport.serving.limits`).

Pages render with Rapport's own Voila template (``voila_templates/``): Voila's ``lab`` template
without its links to a CDN, so the browser asks no host but this server for anything; the icons'
font (Font Awesome 5) comes with Voila's own scripts, from this server too.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path

from jupyter_server.utils import url_path_join
from tornado.web import RedirectHandler
from traitlets import Integer, Unicode
from voila.app import Voila
from voila.tornado.handler import TornadoVoilaHandler

from rapport import settings
from rapport.course.learner import TOKEN, TOKEN_HEADER
from rapport.room.codes import key_digest, key_matches
from rapport.serving import forking, kernels, presenting
from rapport.serving.limits import KERNEL_MB, RETRY_AFTER, Limits, fit_pool, refusal

LANDING = "voila/render/notebooks/index.ipynb"
JOIN_NOTEBOOK = "notebooks/join.ipynb"
JOIN = f"voila/render/{JOIN_NOTEBOOK}"
DASHBOARD_NOTEBOOK = "facilitator/dashboard.ipynb"
DASHBOARD = f"voila/render/{DASHBOARD_NOTEBOOK}"
# Only the course's own notebooks may be rendered, never tests' or anything else under the root.
RENDERABLE = r"/voila/render/((?:notebooks|facilitator)/[A-Za-z0-9_-]+\.ipynb)"
COOKIE = "rapport_id"
COOKIE_DAYS = 30
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# Join kernels kept started (--pool): a room's worth on the network, none for one person on
# this computer (module pages always start their kernel when asked for).
ROOM_POOL = 30
LOCAL_POOL = 0
# A spare join kernel is replaced this many seconds after it is handed out, so the people
# joining get the processor before the refills do.
REFILL_DELAY = 5.0
# nbclient waits this long for a cell's outputs after the cell has finished. Its default, 4 s,
# is too short for a busy machine: a page whose outputs came later lost its widgets.
IOPUB_TIMEOUT = 30
# A Jupyter data directory holding voila/templates/rapport (conf.json: based on "lab").
TEMPLATES = Path(__file__).resolve().parent / "voila_templates"
TEMPLATE = "rapport"
# The lab extensions a page loads: the widget manager (Voila's, and JupyterLab's that it builds
# on), and nothing else that happens to be installed (syntax highlighting, and whatever a
# learner adds to their JupyterLab).
LAB_EXTENSIONS = ("@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/widgets-manager8")


def use_rapport_templates() -> None:
    """Put Rapport's template folder first on ``JUPYTER_PATH``, where Voila looks for templates
    and where the kernel spec ``python3`` (``kernels/python3``: the page kernel) is found.

    Voila resolves a template name, its base templates and their static files (the
    ``/voila/templates/<name>/static/`` URLs) through the Jupyter data path at every request,
    so the environment variable is the one setting all of them honour.
    """
    ours = str(TEMPLATES)
    paths = [p for p in settings.get(settings.JUPYTER_PATH).split(os.pathsep) if p and p != ours]
    os.environ[settings.JUPYTER_PATH] = os.pathsep.join([ours, *paths])


class BrowserIdentityHandler(TornadoVoilaHandler):
    """Voila's render handler, giving each browser a token and passing it to its kernel.

    The kernel the page starts (or the spare it takes) is that browser's: past the cap on
    kernels, or the browser's own limit, the visitor gets a short page saying so instead
    (:mod:`rapport.serving.kernels`); the facilitator's dashboard with its key, never.
    """

    visitor: kernels.Visitor | None = None

    async def prepare(self) -> None:
        await super().prepare()
        token = self.get_cookie(COOKIE) or ""
        if not TOKEN.match(token):
            token = secrets.token_urlsafe(24)
            self.set_cookie(
                COOKIE,
                token,
                expires_days=COOKIE_DAYS,
                httponly=True,
                samesite="Lax",
                path=self.base_url,
            )
        # Whatever the client sent under this name is replaced: only the cookie counts.
        self.request.headers[TOKEN_HEADER] = token
        # Voila's page asks the server to shut its kernel down when the tab closes, sending
        # the ``_xsrf`` cookie's value; the page never sets that cookie, so the request was
        # refused and kernels piled up (voila#1458). Reading the token sets the cookie.
        _ = self.xsrf_token
        self.visitor = kernels.Visitor(token, exempt=self.facilitator())

    def facilitator(self) -> bool:
        """Whether this is the facilitator's dashboard, asked for with the facilitator key."""
        app = self.settings.get(WorkshopVoila.name)
        digest = getattr(app, "facilitator_digest", "")
        return (
            bool(digest)
            and self.path_args[:1] == [DASHBOARD_NOTEBOOK]
            and key_matches(self.get_query_argument("key", ""), digest)
        )

    @property
    def kernel_manager(self):
        manager = self.settings["kernel_manager"]
        return manager if self.visitor is None else kernels.ForVisitor(manager, self.visitor)

    def write_error(self, status_code: int, **kwargs) -> None:
        error = kwargs.get("exc_info", (None, None, None))[1]
        if not isinstance(error, kernels.KernelRefused):
            return super().write_error(status_code, **kwargs)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("Retry-After", str(RETRY_AFTER))
        dashboard = self.path_args[:1] == [DASHBOARD_NOTEBOOK]
        self.finish(refusal(status_code, error.limit, self.request.uri or "/", dashboard))


class WorkshopVoila(Voila):
    """Voila over the project folder: landing page at ``/``, ``/join``, ``/facilitator``."""

    name = "rapport-serve"
    join_pool = Integer(0, config=True, help="Join-page kernels kept ready (rapport serve --pool).")
    facilitator_digest = Unicode(
        "",
        config=True,
        help="SHA-256 of the facilitator key: the dashboard with it is never refused.",
    )

    def initialize(self, argv=None) -> None:
        use_rapport_templates()  # before Voila reads --VoilaConfiguration.template=rapport
        super().initialize(argv)
        self.configure_pools()

    def configure_pools(self) -> None:
        """Hand ``join_pool`` to Voila's kernel manager, which reads it when Voila starts."""
        if self.join_pool > 0:
            self.config.VoilaKernelManager.kernel_pools_config = join_pools(self.join_pool)

    def init_handlers(self) -> list:
        handlers = []
        for handler in super().init_handlers():
            pattern = handler[0]
            if pattern.rstrip("/") == self.server_url.rstrip("/") or "/voila/tree" in pattern:
                continue  # the directory listing: replaced by the landing page
            if pattern.endswith("/channels"):
                handler = (pattern, kernels.KernelSocketHandler, *handler[2:])
            if pattern.endswith("/voila/render/(.*)"):
                handler = (
                    url_path_join(self.server_url, RENDERABLE),
                    BrowserIdentityHandler,
                    *handler[2:],
                )
            handlers.append(handler)
        base = re.escape(self.server_url.rstrip("/"))

        def to(page: str) -> dict:
            return {"url": url_path_join(self.server_url, page)}

        return [
            (base + "/?", RedirectHandler, to(LANDING)),
            (base + "/join/?", RedirectHandler, to(JOIN)),  # keeps ?code=...
            (base + "/facilitator/?", RedirectHandler, to(DASHBOARD)),  # keeps ?key=...
            *presenting.handlers(self.server_url),  # slides, presenter and projector views
            *handlers,
        ]


def pool_argv(pool: int) -> list[str]:
    """Keep ``pool`` kernels for the join page started and waiting (refilled as they are used).

    A room joins in one burst; kernels that are already running answer at once. Only the join
    page is preheated: module pages start their kernel on demand.
    """
    if pool <= 0:
        return []
    return [
        "--VoilaConfiguration.preheat_kernel=True",
        f"--WorkshopVoila.join_pool={pool}",  # a dict on the command line is deprecated
        f"--VoilaKernelManager.fill_delay={REFILL_DELAY}",
    ]


def join_pools(pool: int) -> dict:
    """Voila's pool configuration: ``pool`` kernels for the join page, none for the others."""
    return {"default": {"pool_size": 0}, JOIN_NOTEBOOK: {"pool_size": pool}}


def limits_argv(limits: Limits) -> list[str]:
    """The kernel manager's settings for ``limits``: the cap, the limit per browser, culling."""
    manager = kernels.WorkshopKernelManager
    return [
        f"--VoilaConfiguration.multi_kernel_manager_class={manager.__module__}.{manager.__name__}",
        f"--{manager.__name__}.max_kernels={limits.max_kernels}",
        f"--{manager.__name__}.max_per_browser={limits.max_per_browser}",
        f"--{manager.__name__}.cull_unconnected={limits.cull_unconnected}",
        f"--{manager.__name__}.cull_idle={limits.cull_idle_minutes * 60}",
    ]


def voila_argv(
    root: Path,
    host: str,
    port: int,
    open_browser: bool,
    pool: int = 0,
    limits: Limits | None = None,
) -> list[str]:
    return [
        str(root),
        f"--Voila.ip={host}",
        f"--port={port}",
        "--Voila.port_retries=0",
        "--theme=light",
        f"--VoilaConfiguration.template={TEMPLATE}",  # found through use_rapport_templates()
        "--VoilaConfiguration.allow_template_override=NO",  # ?template=lab would bring the CDN back
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.http_header_envs",
        TOKEN_HEADER,
        *(f"--VoilaConfiguration.extension_allowlist={name}" for name in LAB_EXTENSIONS),
        f"--VoilaExecutor.iopub_timeout={IOPUB_TIMEOUT}",
        # Kernels talk to the server over Unix sockets: no TCP ports to collide when a room's
        # kernels start together (one that lost its port left its page hanging for ever).
        "--KernelManager.transport=ipc",
        *([] if open_browser else ["--no-browser"]),
        *pool_argv(pool),
        *limits_argv((limits or Limits()).settle(pool, None)),
    ]


class UnsafeHost(ValueError):
    """A bind address that would expose one learner's journal to other devices."""


@dataclass(frozen=True)
class Plan:
    """What ``rapport serve`` is about to do, and what it tells the facilitator."""

    host: str
    port: int
    identity: str  # "browser" or "account"
    public_url: str
    key: str

    def banner(self) -> str:
        journals = (
            "one private journal per browser"
            if self.identity == "browser"
            else "the journal of this computer's account (only this computer can connect)"
        )
        return "\n".join(
            [
                f"Rapport workshop: {self.public_url}   (Ctrl+C to stop)",
                f"  Participants join at:   {self.public_url}join",
                f"  Facilitator dashboard:  {self.public_url}facilitator?key={self.key}",
                f"  Facilitator key:        {self.key}",
                f"  Journals:               {journals}",
            ]
        )


def plan(
    host: str, port: int, identity: str = "auto", key: str | None = None, public_url: str = ""
) -> Plan:
    """Check the options and work out the URLs, identity mode and facilitator key.

    ``public_url`` (``http(s)://host[:port]/``) is where participants reach the server when
    that is not this address (a reverse proxy in front of several): the join link shows it.
    """
    if identity not in ("auto", "browser", "account"):
        raise ValueError("identity must be auto, browser or account")
    if identity == "auto":
        identity = "account" if host in LOOPBACK else "browser"
    if identity == "account" and host not in LOOPBACK:
        raise UnsafeHost(
            f"--identity account with --host {host} would let every device on the network "
            "read and write this account's private journal. Use --identity browser (the "
            "default for a network address) so each participant keeps their own."
        )
    shown = _lan_address() if host in ("0.0.0.0", "::", "") else host
    if ":" in shown:
        shown = f"[{shown}]"
    key = key or settings.get(settings.FACILITATOR_KEY) or _new_key()
    return Plan(host, port, identity, public_url or f"http://{shown}:{port}/", key)


def _new_key() -> str:
    from rapport.room.codes import new_key

    return new_key()


def _lan_address() -> str:
    """This machine's address on the local network, as phones in the room would use it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.254.254.254", 1))  # no packet is sent for a UDP connect
            return probe.getsockname()[0]
        except OSError:
            return socket.gethostname()


def default_pool(room: bool, available_mb: float | None) -> int:
    """Spare join kernels when ``--pool`` is not given: a room's worth on the network, fewer
    if they would take more than a quarter of the memory free now; none for one person."""
    if not room:
        return LOCAL_POOL
    if available_mb is None:
        return ROOM_POOL
    return max(0, min(ROOM_POOL, int(available_mb / 4 // KERNEL_MB)))


def _available_memory() -> float | None:
    try:
        import psutil
    except ImportError:
        return None
    return psutil.virtual_memory().available / 2**20


def compile_package() -> bool:
    """Byte-compile the package once, so that no page's kernel compiles it from source.

    An editable install leaves no bytecode, and with ``PYTHONDONTWRITEBYTECODE`` set every
    kernel compiled the modules it imports again (about 40 ms per page). Already compiled
    files are only checked; a read-only installation (which has its bytecode) is left alone.
    """
    import compileall

    return bool(compileall.compile_dir(Path(__file__).resolve().parents[1], quiet=2))


def serve(
    root: Path,
    host: str = "127.0.0.1",
    port: int = 8866,
    open_browser: bool = False,
    identity: str = "auto",
    pool: int | None = None,
    fork: bool = True,
    public_url: str = "",
    limits: Limits | None = None,
) -> None:
    """Run the workshop server until interrupted.

    With ``fork`` (the default), pages' kernels are forked from a process that has imported
    what pages use (the fork server, :mod:`rapport.serving.forkserver`); without it each
    kernel starts from scratch. ``limits`` caps the kernels and says when unused ones are
    closed; its ``max_kernels`` 0 (the default) is worked out from the free memory. Limits
    that contradict the pool raise :class:`~rapport.serving.limits.BadLimits`.
    """
    from rapport.store.database import get_store
    from rapport.store.rooms import set_facilitator_key

    chosen = plan(host, port, identity, public_url=public_url)
    set_facilitator_key(get_store(), chosen.key)
    # Kernels inherit the server's environment: this is how they learn the mode and the URL.
    os.environ[settings.IDENTITY] = chosen.identity
    os.environ[settings.PUBLIC_URL] = chosen.public_url
    os.environ.pop(settings.FACILITATOR_KEY, None)  # kernels check the stored digest only
    # Where a spare kernel reaches this server to learn its visitor (rapport.pages.waiting).
    os.environ[settings.VOILA_APP_IP] = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    available = _available_memory()
    pool_given = pool is not None
    if pool is None:  # a room on the network gets a bigger pool than this computer alone
        pool = default_pool(chosen.identity == "browser", available)
    limits = (limits or Limits()).settle(pool, available)
    pool = fit_pool(pool, limits.max_kernels, pool_given)
    print(chosen.banner(), flush=True)
    print(f"  Join pages kept ready:  {pool} (--pool N changes it)", flush=True)
    print(*limits.banner(), sep="\n", flush=True)
    compile_package()  # before the fork server imports the package
    argv = [
        *voila_argv(root, host, port, open_browser, pool, limits),
        f"--WorkshopVoila.facilitator_digest={key_digest(chosen.key)}",
    ]
    with forking.running() if fork else contextlib.nullcontext():
        WorkshopVoila.launch_instance(argv=argv)
