"""Start the dashboard's web server (``sim dashboard``) on this machine only, by default."""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import signal
import socket
import subprocess
import sys

from sim.config.loading import load_config
from sim.dashboard.session import CONFIG_ENV
from sim.errors import Problem, SimInputError

#: Solara settings for a closed network: page assets from the local solara-assets package
#: (not a CDN) and no usage telemetry (``--no-check-version`` skips its PyPI look-up).
OFFLINE_ENV = {"SOLARA_ASSETS_PROXY": "True", "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}


def server_command(host: str, port: int) -> list[str]:
    """The ``solara run`` command line serving :mod:`sim.dashboard.app`."""
    return [sys.executable, "-m", "solara", "run", "sim.dashboard.app", "--host", host,
            "--port", str(port), "--production", "--no-open", "--no-check-version",
            "--log-level", "warning"]


def server_env(config: str | None) -> dict[str, str]:
    """The server's environment: offline settings and the config file, if any."""
    env = {**os.environ, **OFFLINE_ENV}
    env.pop(CONFIG_ENV, None)
    if config:
        env[CONFIG_ENV] = os.path.abspath(config)
    return env


#: What ``--host`` may be. Decision: an IP address or ``localhost`` only. The server listens
#: on an interface of this machine, which an address names exactly; any other name would
#: need a DNS look-up, which on a closed network can hang for many seconds before failing.
HOST_ALLOWED = ("allowed: an IP address of this machine (127.0.0.1, ::1; 0.0.0.0 or :: for "
                "every interface) or localhost")


def check_address(host: str, port: int) -> None:
    """Refuse a host or port the server could not listen on, before starting it (otherwise
    the server fails later, with its own message that names neither option).

    Checked by binding a socket for a moment: local, no network traffic.
    """
    family = _host_family(host)
    problem = _bind_problem(family, host, 0)
    if problem:
        raise SimInputError("sim dashboard", [Problem(
            "--host", host, f"not an address of this machine ({problem}); {HOST_ALLOWED}")])
    problem = _bind_problem(family, host, port)
    if problem:
        raise SimInputError("sim dashboard", [Problem(
            "--port", port, f"cannot listen on it at {host} ({problem}); allowed: a free "
            "port from 1024 to 65535 (lower ones need administrator rights)")])


def _host_family(host: str) -> int:
    """The socket family of ``host``; an input error for anything but an IP or localhost."""
    if host.lower() == "localhost":
        return socket.AF_INET
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise SimInputError("sim dashboard", [Problem(
            "--host", host, f"not an IP address or localhost; {HOST_ALLOWED}")]) from None
    return socket.AF_INET6 if address.version == 6 else socket.AF_INET


def _bind_problem(family: int, host: str, port: int) -> str | None:
    """Why a server socket cannot bind ``(host, port)``, or None if it can. SO_REUSEADDR as
    the server sets it, so a port left in TIME_WAIT by a previous run still counts as free.
    """
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1" if host.lower() == "localhost" else host, port))
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    return None


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


def serve(config: str | None = None, host: str = "127.0.0.1", port: int = 8765) -> int:
    """Validate ``config``, then run the server until interrupted; returns its exit code."""
    if config:
        load_config(config)  # a bad file fails here, with the CLI's usual message
    check_address(host, port)
    missing = [m for m in ("solara", "solara_assets") if importlib.util.find_spec(m) is None]
    if missing:
        raise SimInputError("sim dashboard", [Problem(
            "dependencies", ", ".join(missing),
            'not installed; allowed: pip install -e ".[dashboard]"')])
    print(f"Dashboard: http://{host}:{port}/  (Ctrl+C to stop)", flush=True)
    proc = subprocess.Popen(server_command(host, port), env=server_env(config))
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        return 0
    finally:  # Ctrl+C, or any other way out: never leave the server running
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
