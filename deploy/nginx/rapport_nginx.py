"""Rapport's nginx site for several ``rapport serve`` processes: render it, or try it out.

    python3 deploy/nginx/rapport_nginx.py site --ports 8866 8867 --server-name workshop.example.org
    python3 deploy/nginx/rapport_nginx.py try --listen 8080 --ports 8866 8867

``site`` prints the site file for Debian's nginx (deploy/README.md says where it goes). ``try``
runs Debian's nginx binary in the foreground with that site alone, from a temporary folder of
its own (configuration, pid file, logs), until Ctrl+C: the system's nginx, its configuration and
its port 80 are neither used nor changed. The test suite and ``benchmarks/room_join.py --proxy``
run the proxy through :func:`running`. Standard library only.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

NGINX = "/usr/sbin/nginx"
TEMPLATE = Path(__file__).resolve().with_name("rapport.conf.template")
# One line per server: after one failed attempt nginx leaves a server alone for 10 s.
SERVER_LINE = "    server {host}:{port} max_fails=1 fail_timeout=10s;"
# The parts of nginx.conf that Debian's /etc/nginx/nginx.conf would give the site, with every
# path in ``folder``. Each participant holds about three connections through the proxy (the
# page, its kernel's websocket, a spare's handshake) and each is two for nginx (browser and
# server): 4,096 per worker is room for several hundred people.
STANDALONE = """\
daemon off;
worker_processes {workers};
worker_rlimit_nofile 16384;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{
    worker_connections 4096;
}}
http {{
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    default_type application/octet-stream;
    include {folder}/rapport.conf;
    # Each request's routing key, the server that answered it and how: what the tests check.
    log_format rapport '$rapport_route $upstream_addr $status "$request_uri"';
    access_log {folder}/access.log rapport;
}}
"""


class NginxMissing(RuntimeError):
    """Debian's nginx binary is not installed."""


def site(
    ports: Sequence[int], listen: str = "80", server_name: str = "_", host: str = "127.0.0.1"
) -> str:
    """The site file: nginx on ``listen`` in front of ``rapport serve`` on ``host:port`` each."""
    if not ports:
        raise ValueError("give at least one port of a rapport serve process")
    servers = "\n".join(SERVER_LINE.format(host=host, port=port) for port in ports)
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in (("listen", listen), ("server_name", server_name), ("servers", servers)):
        text = text.replace("{{" + name + "}}", value)
    return text


def standalone(folder: Path, site_text: str, workers: str = "1") -> Path:
    """Write ``nginx.conf`` and ``rapport.conf`` into ``folder``; the path of ``nginx.conf``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rapport.conf").write_text(site_text, encoding="utf-8")
    conf = folder / "nginx.conf"
    conf.write_text(STANDALONE.format(folder=folder, workers=workers), encoding="utf-8")
    return conf


def nginx_binary() -> str:
    """The nginx binary, or :class:`NginxMissing` saying how to install it."""
    if not os.access(NGINX, os.X_OK):
        raise NginxMissing(
            f"{NGINX} is missing: install Debian's nginx package "
            "(sudo apt-get install -y nginx; `make test` does it)."
        )
    return NGINX


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running(
    folder: Path,
    ports: Sequence[int],
    port: int | None = None,
    workers: str = "1",
    public_host: str = "127.0.0.1",
    servers_host: str = "127.0.0.1",
) -> Iterator[str]:
    """nginx in the foreground on ``public_host:port`` (a free port by default) in front of
    the servers on ``servers_host:port`` for each of ``ports``; yields its base URL. Stopped,
    with its workers, by its process group id."""
    binary = nginx_binary()
    port = port or free_port()
    conf = standalone(folder, site(ports, f"{public_host}:{port}", "_", servers_host), workers)
    process = subprocess.Popen(
        [binary, "-p", f"{folder}/", "-c", str(conf), "-e", str(folder / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_listening(public_host, port, process, folder / "error.log")
        yield f"http://{public_host}:{port}"
    finally:
        stop(process)


def wait_listening(host: str, port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"nginx exited with code {process.returncode}:\n{said}")
        with socket.socket() as probe:
            if probe.connect_ex((host, port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nginx did not listen on {host}:{port} within 20 s")


def stop(process: subprocess.Popen, seconds: float = 10) -> None:
    """Stop nginx (master and workers) by its process group id: SIGTERM, then SIGKILL."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("site", "print the site file for /etc/nginx/sites-available/rapport"),
        ("try", "run nginx with the site in the foreground, from a temporary folder"),
    ):
        command = sub.add_parser(name, help=text)
        command.add_argument(
            "--ports", type=int, nargs="+", required=True, help="the rapport serve ports"
        )
        command.add_argument("--host", default="127.0.0.1", help="where the servers listen")
    sub.choices["site"].add_argument("--listen", default="80", help="nginx's listen (80)")
    sub.choices["site"].add_argument(
        "--server-name", default="_", help="the proxy's host name (default: any)"
    )
    sub.choices["try"].add_argument("--listen", type=int, default=8080, help="port (8080)")
    args = parser.parse_args(argv)
    if args.command == "site":
        print(site(args.ports, args.listen, args.server_name, args.host), end="")
        return 0
    for signum in (signal.SIGTERM, signal.SIGHUP):  # stop nginx on these as on Ctrl+C
        signal.signal(signum, signal.default_int_handler)
    try:
        with (
            tempfile.TemporaryDirectory(prefix="rapport-nginx-") as tmp,
            running(Path(tmp), args.ports, args.listen, "auto", "0.0.0.0", args.host),
        ):
            print(f"nginx on port {args.listen} in front of {args.host} ports {args.ports}")
            print(f"(its configuration and logs: {tmp}); Ctrl+C stops it", flush=True)
            while True:
                time.sleep(3600)
    except NginxMissing as err:
        print(err, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
