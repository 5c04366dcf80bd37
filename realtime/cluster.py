"""Several portal processes behind nginx on one machine: `make run-cluster`.

    python -m realtime.cluster --processes 2 --port 5000

Each process is `python -m portal.serve` on its own port, all sharing
DATABASE_URL (the one durable log), REDIS_URL (the Socket.IO message queue
and the rooms' doorbell, `realtime.relay`) and SECRET_KEY. nginx, from
Debian's package, listens on `--port` and passes WebSockets through.

Stickiness: Engine.IO's long-polling transport must reach the process that
holds its session, so upstreams are chosen by `ip_hash` (the pattern
python-socketio documents for nginx). A WebSocket needs no stickiness; when
a process dies its clients reconnect through nginx, which passes them to a
live process (`proxy_next_upstream`), where they resync from the database.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

NGINX_CONF = """\
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    client_max_body_size 12m;
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}
    upstream portal {{
        ip_hash;
{servers}
    }}
    server {{
        listen {host}:{port};
        location / {{
            proxy_pass http://portal;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_set_header X-Request-Id $request_id;
            proxy_read_timeout 3600s;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_connect_timeout 2s;
        }}
    }}
}}
"""


def nginx_config(prefix: Path, host: str, port: int, backends: Sequence[int]) -> str:
    """nginx's configuration for `backends` (ports on 127.0.0.1)."""
    servers = "\n".join(
        f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for p in backends
    )
    return NGINX_CONF.format(prefix=prefix, host=host, port=port, servers=servers)


def start_nginx(prefix: Path, config: str) -> subprocess.Popen[bytes]:
    """Run nginx in the foreground with `config`, its files under `prefix`."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise SystemExit("nginx is not installed: apt-get install nginx")
    prefix.mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(config)
    return subprocess.Popen(  # noqa: S603 - our binary, our arguments
        [binary, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, seconds: float = 30) -> None:
    """Until `url` answers 200 (or give up)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s")


def main(argv: Sequence[str] | None = None) -> None:
    """Start the processes and nginx; stop them all on Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 5000)))
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    args = parser.parse_args(argv)
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("Several processes need REDIS_URL (their message queue).")
    if not os.environ.get("DATABASE_URL", "").startswith("postgresql"):
        raise SystemExit("Several processes need DATABASE_URL=postgresql://...")
    ports = [free_port() for _ in range(args.processes)]
    env = {**os.environ, "TRUSTED_PROXIES": "1", "HOST": "127.0.0.1"}
    children = [
        subprocess.Popen(  # noqa: S603 - this Python, this package
            [sys.executable, "-m", "portal.serve"], env={**env, "PORT": str(p)}
        )
        for p in ports
    ]
    prefix = Path(tempfile.mkdtemp(prefix="ehcp-nginx-"))
    try:
        for p in ports:
            wait_for(f"http://127.0.0.1:{p}/healthz")
        children.append(
            start_nginx(prefix, nginx_config(prefix, args.host, args.port, ports))
        )
        wait_for(f"http://{args.host}:{args.port}/readyz")
        print(
            f"Serving the portal on http://{args.host}:{args.port} through nginx,"
            f" {args.processes} processes on ports {', '.join(map(str, ports))}",
            flush=True,
        )
        stop = {signal.SIGINT, signal.SIGTERM}
        signal.pthread_sigmask(signal.SIG_BLOCK, stop)  # children keep theirs
        signal.sigwait(stop)
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(timeout=10)
        shutil.rmtree(prefix, ignore_errors=True)


if __name__ == "__main__":
    main()
