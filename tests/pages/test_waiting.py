"""How a spare kernel learns its visitor: one websocket message, read with websocket-client."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import socket
import struct
import threading

import pytest

from rapport.pages.waiting import HandshakeError, query_url, read_one_message, wait_for_visitor

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455's, for the accept header


def frame(payload: bytes, opcode: int = 0x1, fin: bool = True) -> bytes:
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n < 126:
        return head + bytes([n]) + payload
    if n < 1 << 16:
        return head + bytes([126]) + struct.pack("!H", n) + payload
    return head + bytes([127]) + struct.pack("!Q", n) + payload


class FakeServer:
    """Accepts one connection, answers the handshake with ``status`` and sends ``frames``."""

    def __init__(self, frames: list[bytes], status: str = "101 Switching Protocols"):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.request = b""
        self.answer = b""
        self.thread = threading.Thread(target=self._serve, args=(frames, status), daemon=True)
        self.thread.start()

    def _serve(self, frames: list[bytes], status: str) -> None:
        conn, _ = self.listener.accept()
        with conn:
            while b"\r\n\r\n" not in self.request:
                self.request += conn.recv(4096)
            key = re.search(rb"Sec-WebSocket-Key: (\S+)", self.request, re.IGNORECASE).group(1)
            accept = base64.b64encode(hashlib.sha1(key + GUID).digest()).decode()
            conn.sendall(
                f"HTTP/1.1 {status}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Accept: {accept}\r\n\r\n".encode()
            )
            for f in frames:
                conn.sendall(f)
                if f[0] == 0x89:  # a ping: keep what the client answers
                    self.answer = conn.recv(64)
        self.listener.close()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/voila/query/k-1"


def test_the_first_text_message_is_returned_whatever_comes_around_it():
    server = FakeServer(
        [
            frame(b"hi", opcode=0x9),
            frame(b'{"QUERY_', fin=False),
            frame(b'STRING": "code=K7Q"}', opcode=0x0),
        ]
    )
    assert read_one_message(server.url, timeout=10) == '{"QUERY_STRING": "code=K7Q"}'
    # the ping was answered with a masked pong carrying its payload
    assert server.answer[:2] == bytes([0x8A, 0x80 | 2])
    mask, body = server.answer[2:6], server.answer[6:8]
    assert bytes(b ^ mask[i] for i, b in enumerate(body)) == b"hi"
    assert server.request.startswith(b"GET /voila/query/k-1 HTTP/1.1\r\n")
    assert b"Sec-WebSocket-Version: 13" in server.request


@pytest.mark.parametrize("size", [200, 70_000])
def test_longer_messages_use_the_extended_lengths(size):
    server = FakeServer([frame(b"x" * size)])
    assert read_one_message(server.url, timeout=10) == "x" * size


def test_a_closed_connection_gives_no_message():
    assert read_one_message(FakeServer([frame(b"", opcode=0x8)]).url, timeout=10) is None
    assert read_one_message(FakeServer([]).url, timeout=10) is None


def test_a_refused_handshake_is_an_error():
    with pytest.raises(HandshakeError, match="refused"):
        read_one_message(FakeServer([], status="404 Not Found").url, timeout=10)
    with pytest.raises(ValueError, match="ws://"):
        read_one_message("wss://example.invalid/voila/query/1")


def test_the_url_follows_what_voila_tells_the_kernel(monkeypatch):
    monkeypatch.setenv("VOILA_APP_PORT", "9123")
    monkeypatch.setenv("VOILA_SERVER_URL", "/base/")
    monkeypatch.setenv("VOILA_KERNEL_ID", "abc")
    monkeypatch.delenv("VOILA_WS_BASE_URL", raising=False)
    monkeypatch.delenv("VOILA_APP_IP", raising=False)
    assert query_url() == "ws://127.0.0.1:9123/base/voila/query/abc"
    monkeypatch.setenv("VOILA_APP_IP", "::1")
    assert query_url() == "ws://[::1]:9123/base/voila/query/abc"


def test_a_spare_kernel_takes_its_visitors_details_into_its_environment(monkeypatch):
    details = {"QUERY_STRING": "code=K7Q-4M2", "HTTP_X_RAPPORT_TOKEN": "t" * 30}
    server = FakeServer([frame(json.dumps(details).encode())])
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setenv("VOILA_APP_PORT", str(server.port))
    monkeypatch.setenv("VOILA_SERVER_URL", "/")
    monkeypatch.setenv("VOILA_KERNEL_ID", "k-1")
    monkeypatch.setenv("QUERY_STRING", "")
    monkeypatch.setenv("HTTP_X_RAPPORT_TOKEN", "")
    assert wait_for_visitor() is True
    assert os.environ["QUERY_STRING"] == "code=K7Q-4M2"
    assert os.environ["HTTP_X_RAPPORT_TOKEN"] == "t" * 30


def test_an_ordinary_kernel_does_not_wait(monkeypatch):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    assert wait_for_visitor() is False


def test_a_spare_kernel_whose_server_hangs_up_ends(monkeypatch):
    server = FakeServer([frame(b"", opcode=0x8)])
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setenv("VOILA_APP_PORT", str(server.port))
    ended = []
    assert wait_for_visitor(on_hangup=lambda: ended.append(True)) is True
    assert ended == [True]
