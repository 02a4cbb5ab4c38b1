"""A preheated kernel waits here for its visitor, without loading Voila.

``rapport serve --pool N`` keeps kernels for the join page started, with the page already run
up to ``join_page()``'s wait. When someone asks for the page, Voila hands them one of these
and sends that kernel the request's details (query string, the browser's token header) over
a websocket, ``/voila/query/<kernel id>``, which the kernel opened while it waited.

Voila's own helper for this (``voila.utils.wait_for_request``) imports Voila's server side:
measured at 2.0-2.6 s of CPU and 46-50 MB per kernel, for a page that then holds about 70 MB.
Reading one websocket message needs none of it: this module speaks just enough of RFC 6455
(a client handshake, then unmasked frames from the server) with the standard library.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
from collections.abc import Callable
from urllib.parse import urlsplit

CONNECT_TIMEOUT = 5.0  # seconds to reach the server; the wait for a visitor itself is unbounded
MAX_MESSAGE = 1 << 20  # request details are a few hundred bytes


class HandshakeError(OSError):
    """The server did not accept the websocket."""


def query_url() -> str:
    """Where Voila answers this kernel: ``ws://host:port/<base>voila/query/<kernel id>``."""
    env = os.environ
    base = env.get("VOILA_WS_BASE_URL") or env.get("VOILA_SERVER_URL") or "/"
    host = env.get("VOILA_APP_IP") or "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return (
        f"{env.get('VOILA_WS_PROTOCOL', 'ws')}://{host}:{env.get('VOILA_APP_PORT', '8866')}"
        f"{base}voila/query/{env.get('VOILA_KERNEL_ID', '')}"
    )


def read_one_message(url: str, timeout: float | None = None) -> str | None:
    """Open a websocket to ``url``, return its first text message (None if it closes first).

    ``timeout`` bounds the wait for the message (None: wait as long as it takes).
    """
    parts = urlsplit(url)
    if parts.scheme != "ws":
        raise ValueError(f"only ws:// is spoken here, not {parts.scheme}://")
    port = parts.port or 80
    host = parts.hostname or "127.0.0.1"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    key = base64.b64encode(os.urandom(16)).decode("ascii")
    with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT) as sock:
        netloc = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        sock.sendall(
            (
                f"GET {path} HTTP/1.1\r\nHost: {netloc}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode("ascii")
        )
        reader = sock.makefile("rb")
        status = reader.readline()
        if b" 101 " not in status:
            raise HandshakeError(f"the server refused the websocket: {status.strip()!r}")
        while reader.readline() not in (b"\r\n", b"\n", b""):
            pass  # response headers: nothing in them is needed
        sock.settimeout(timeout)
        message = b""
        while True:
            head = _exactly(reader, 2)
            if head is None:
                return None
            opcode, length = head[0] & 0x0F, head[1] & 0x7F
            if length == 126:
                length = struct.unpack("!H", _exactly(reader, 2) or b"\0\0")[0]
            elif length == 127:
                length = struct.unpack("!Q", _exactly(reader, 8) or bytes(8))[0]
            if head[1] & 0x80 or length > MAX_MESSAGE:
                raise HandshakeError("the server sent a frame a client must not receive")
            payload = _exactly(reader, length) if length else b""
            if payload is None or opcode == 0x8:  # connection lost, or closed
                return None
            if opcode in (0x1, 0x0):  # text, or its continuation
                message += payload
                if head[0] & 0x80:  # FIN: the message is whole
                    return message.decode("utf-8")
            elif opcode == 0x9:  # a ping: answered, or a server that checks would hang up
                sock.sendall(_pong(payload))


def _pong(payload: bytes) -> bytes:
    """A pong frame carrying ``payload`` (at most 125 bytes, as a ping's), masked as every
    frame from a client must be."""
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload[:125]))
    return bytes([0x8A, 0x80 | len(masked)]) + mask + masked


def _exactly(reader, n: int) -> bytes | None:
    data = reader.read(n)
    return data if data is not None and len(data) == n else None


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
    if os.environ.get("VOILA_PREHEAT") != "True":
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
