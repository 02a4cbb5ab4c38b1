"""A spare ("preheated") page kernel waits here for its visitor, without loading Voila.

``rapport serve --pool N`` keeps kernels for the join page started, with the page already run
up to ``join_page()``'s wait. When someone asks for the page, Voila hands them one of these
and sends that kernel the request's details (query string, the browser's token header) over
a websocket, ``/voila/query/<kernel id>``, which the kernel opened while it waited.

Voila's own helper for this (``voila.utils.wait_for_request``) imports Voila's server side:
measured at 2.0-2.6 s of CPU and 46-50 MB per kernel, for a page that then holds about 70 MB.
Reading one websocket message needs only a websocket client: ``websocket-client``, which
Jupyter already installs, imports in about 50 ms and answers the server's pings.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from urllib.parse import urlsplit

import websocket

from rapport import settings

CONNECT_TIMEOUT = 5.0  # seconds to reach the server; the wait for a visitor itself is unbounded


class HandshakeError(OSError):
    """The server did not accept the websocket."""


def query_url() -> str:
    """Where Voila answers this kernel: ``ws://host:port/<base>voila/query/<kernel id>``."""
    get = settings.get
    base = get(settings.VOILA_WS_BASE_URL) or get(settings.VOILA_SERVER_URL) or "/"
    host = get(settings.VOILA_APP_IP) or "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return (
        f"{get(settings.VOILA_WS_PROTOCOL, 'ws')}://{host}:{get(settings.VOILA_APP_PORT, '8866')}"
        f"{base}voila/query/{get(settings.VOILA_KERNEL_ID)}"
    )


def read_one_message(url: str, timeout: float | None = None) -> str | None:
    """Open a websocket to ``url`` and return its first text message (None if it closes first).

    ``timeout`` bounds the wait for the message (None: wait as long as it takes). Pings from
    the server are answered while waiting.
    """
    if urlsplit(url).scheme != "ws":
        raise ValueError(f"only ws:// is spoken here, not {urlsplit(url).scheme}://")
    try:
        conn = websocket.create_connection(url, timeout=CONNECT_TIMEOUT)
    except websocket.WebSocketBadStatusException as err:
        raise HandshakeError(f"the server refused the websocket: {err}") from None
    except websocket.WebSocketException as err:
        raise HandshakeError(f"the websocket could not be opened: {err}") from None
    try:
        conn.settimeout(timeout)
        while True:
            opcode, data = conn.recv_data()
            if opcode == websocket.ABNF.OPCODE_TEXT:
                return data.decode("utf-8")
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                return None
    except websocket.WebSocketConnectionClosedException:
        return None
    finally:
        conn.close()


def _quit() -> None:
    os._exit(0)


def wait_for_visitor(on_hangup: Callable[[], None] = _quit) -> bool:
    """In a preheated kernel, block until Voila sends the visitor's request details, then put
    them in ``os.environ`` as an ordinary kernel has them. Returns whether it waited.

    If the server hangs up first, or interrupts the kernel (as it does before shutting a
    kernel down), this kernel will never have a visitor: ``on_hangup`` ends it at once, rather
    than have it finish a page for nobody and print errors on the facilitator's terminal as
    its sockets close under it.
    """
    if not settings.preheated():
        return False
    try:
        message = read_one_message(query_url())
    except KeyboardInterrupt:
        message = None
    except (OSError, ValueError):
        return True  # as Voila's helper: the page renders without the request's details
    if message is None:
        on_hangup()
        return True
    details = json.loads(message)
    os.environ.update({str(k): str(v) for k, v in details.items()})
    return True
