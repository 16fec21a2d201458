"""The dashboard in a real browser: headless Chromium (Debian's) driven by Playwright.

Starts ``sim dashboard``'s server on a free loopback port, then: runs the default to the end,
moves a slider, resets and runs again (the charts and milestones must change), steps, plays,
toggles the baseline, enters an impossible setting (a message, not a traceback, and the page
keeps working). Every request the page makes must stay on 127.0.0.1. Skips, saying why, when
Playwright or Chromium is missing; set ``SIM_DASHBOARD_SCREENSHOT`` to also save the
screenshot there (``docs/dashboard.png`` is made that way).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytest.importorskip("solara", reason="dashboard extra not installed (pip install -e '.[test]')")
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="playwright not installed (pip install -e '.[test]')")

from sim.dashboard.serve import server_command, server_env  # noqa: E402

#: The browser: $SIM_CHROMIUM if set (only that one), else Debian's chromium.
CHROMIUM = next((p for p in ((os.environ["SIM_CHROMIUM"],) if "SIM_CHROMIUM" in os.environ
                             else (shutil.which("chromium"), "/usr/bin/chromium"))
                 if p and Path(p).is_file()), None)
#: Flags for a closed network: without them Chromium waits on connections it cannot make.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
WAIT_MS = 60_000
REDRAW_LIMIT_S = 10.0

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    """The dashboard server on a free port; stopped (and its children) whatever happens."""
    port = _free_port()
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"sim-dashboard-{port}.log", "w+")
    proc = subprocess.Popen(server_command("127.0.0.1", port), env=server_env(None),
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"dashboard server exited ({proc.returncode}):\n{log.read()[-3000:]}")
            try:
                with urllib.request.urlopen(url, timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("dashboard server did not answer within 90 s")
                time.sleep(0.5)
        yield url
    finally:
        try:
            os.killpg(proc.pid, 15)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("Chromium not found (apt-get install chromium, as .ci/run does; or set "
                    "SIM_CHROMIUM to a Chromium binary)")
    with sync_api.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as exc:  # a browser that is there but cannot start
            pytest.skip(f"Chromium at {CHROMIUM} could not start: {exc}")
        try:
            yield b
        finally:
            b.close()


def _chart_images(page) -> dict[str, str]:
    return page.eval_on_selector_all(
        ".sim-chart img",
        "els => Object.fromEntries(els.map(e => [e.closest('.sim-chart').className, e.src]))")


def _progress(page) -> str:
    return page.locator(".sim-progress").inner_text()


def _wait_progress(page, text: str):
    page.wait_for_function(
        "t => { const e = document.querySelector('.sim-progress');"
        " return e && e.textContent.includes(t); }", arg=text, timeout=WAIT_MS)


def _wait_charts_differ(page, before: dict):
    page.wait_for_function(
        "old => { const imgs = [...document.querySelectorAll('.sim-chart img')];"
        " return imgs.length === Object.keys(old).length && imgs.every(e =>"
        " old[e.closest('.sim-chart').className] !== e.src); }", arg=before, timeout=WAIT_MS)


def _milestones(page) -> str:
    return page.locator(".sim-milestones").inner_text()


def _wait_milestones_change(page, old: str) -> str:
    """The milestone table once it differs from ``old`` (it is redrawn after the charts)."""
    page.wait_for_function("old => document.querySelector('.sim-milestones').innerText !== old",
                           arg=old, timeout=WAIT_MS)
    return _milestones(page)


def _settings(page) -> str:
    return page.locator(".sim-settings").inner_text()


def _reset_until(page, ok, tries: int = 10):
    """Press Reset until ``ok()``: a control's new value reaches the server asynchronously."""
    for _ in range(tries):
        page.get_by_role("button", name="Reset").click()
        _wait_progress(page, "Month 0 of 336")
        if ok():
            return
        time.sleep(0.5)
    pytest.fail(f"the controls did not reach the model: {_settings(page)}")


def _slider(page, label: str):
    return page.locator(".v-input__slider", has_text=label).locator(".v-slider")


def test_dashboard_in_browser(browser, server, tmp_path):
    page = browser.new_page(viewport={"width": 1500, "height": 1450})
    try:
        _drive(page, server, tmp_path)
    except BaseException:
        page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
        print(f"\nfailure screenshot: {tmp_path / 'failure.png'}")
        raise
    finally:
        page.close()


def _drive(page, server, tmp_path):
    outside: list[str] = []

    def guard(route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.on("websocket", lambda ws: None if urlparse(ws.url).hostname in LOCAL_HOSTS
            else outside.append(ws.url))
    page.goto(server, timeout=WAIT_MS)
    page.wait_for_selector(".sim-run-to-end", timeout=WAIT_MS)
    _wait_progress(page, "Month 0 of 336")
    assert len(page.locator(".sim-chart").all()) == 4
    assert page.locator(".sim-milestones").is_visible()

    # The default run, to the end.
    empty_milestones = _milestones(page)
    page.locator(".sim-run-to-end").click()
    _wait_progress(page, "Month 336 of 336")
    page.wait_for_function("() => document.querySelectorAll('.sim-chart img').length === 4",
                           timeout=WAIT_MS)
    first = _chart_images(page)
    first_milestones = _wait_milestones_change(page, empty_milestones)
    assert "Adoption lag (yr) = 6" in page.locator(".sim-settings").inner_text()

    # Move the adoption-lag slider near its low end, Reset (rebuild from controls), Run to end.
    box = _slider(page, "Adoption lag").bounding_box()
    page.mouse.click(box["x"] + 0.1 * box["width"], box["y"] + box["height"] / 2)
    _reset_until(page, lambda: "Adoption lag (yr) = 6;" not in _settings(page))
    t0 = time.perf_counter()
    page.locator(".sim-run-to-end").click()
    _wait_progress(page, "Month 336 of 336")
    _wait_charts_differ(page, first)
    redraw_s = time.perf_counter() - t0
    print(f"\nslider change -> full run redrawn in the browser in {redraw_s:.2f} s")
    # The < 2 s target is measured by benchmarks/bench_dashboard.py; on a busy shared CI
    # machine only a gross regression (a redraw per step, say) should fail here.
    assert redraw_s < REDRAW_LIMIT_S
    _wait_milestones_change(page, first_milestones)

    # Compare with the baseline: its column appears in the table, its paths in the charts.
    drawn = _chart_images(page)
    page.locator(".sim-compare input").check(force=True)
    page.wait_for_function("() => document.querySelector('.sim-milestones')"
                           ".textContent.includes('baseline')", timeout=WAIT_MS)
    _wait_charts_differ(page, drawn)
    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    if os.environ.get("SIM_DASHBOARD_SCREENSHOT"):
        shutil.copy(shot, os.environ["SIM_DASHBOARD_SCREENSHOT"])
    print(f"screenshot: {shot}")

    # Reset, Step (a year of months), play and pause.
    page.get_by_role("button", name="Reset").click()
    _wait_progress(page, "Month 0 of 336")
    page.get_by_role("button", name="Step").click()
    _wait_progress(page, "Month 12 of 336")
    stepped = _chart_images(page)
    page.get_by_role("button", name="▶").click()
    _wait_charts_differ(page, stepped)  # the charts follow the run as it plays
    page.wait_for_function(
        "() => { const m = document.querySelector('.sim-progress').textContent"
        ".match(/Month (\\d+)/); return m && +m[1] >= 48; }", timeout=WAIT_MS)
    page.get_by_role("button", name="❚❚").click()

    # An impossible setting: a message on the page, no traceback; the page keeps working.
    extra = page.get_by_label("More settings: key=value; ...")
    extra.fill("training.run_months=48")
    extra.press("Enter")
    page.get_by_role("button", name="Reset").click()
    error = page.locator(".sim-error")
    error.wait_for(timeout=WAIT_MS)
    text = error.inner_text()
    assert "run_months" in text and "max_run_years" in text, text
    assert "Traceback" not in page.locator("body").inner_text()
    extra.fill("")
    extra.press("Enter")
    page.get_by_role("button", name="Reset").click()
    error.wait_for(state="detached", timeout=WAIT_MS)
    page.get_by_role("button", name="Step").click()
    _wait_progress(page, "Month 12 of 336")

    assert not outside, f"the page requested non-loopback URLs: {outside}"
