"""Start the dashboard's web server (``sim dashboard``) on this machine only, by default."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys

from sim.dashboard.session import CONFIG_ENV
from sim.errors import Problem, SimInputError
from sim.loading import load_config

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


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


def serve(config: str | None = None, host: str = "127.0.0.1", port: int = 8765) -> int:
    """Validate ``config``, then run the server until interrupted; returns its exit code."""
    if config:
        load_config(config)  # a bad file fails here, with the CLI's usual message
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
