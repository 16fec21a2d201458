"""The dashboard in a real browser: headless Chromium (Debian's) driven by Playwright.

Starts ``sim dashboard``'s server on a free loopback port, then, as an analyst would: reads
the default run's values beside the controls; hovers a chart and reads a value; picks the
slow_adoption scenario and checks that its 15-year adoption lag is what the sliders and the
run show; saves the settings and has ``sim validate`` accept the file; moves a slider (the
charts redraw; the time is printed); toggles the baseline and the ensemble band; searches the
occupation explorer; enters an impossible setting (a message, not a traceback, and the page
keeps working). Every request the page makes must stay on 127.0.0.1.

Skips, saying why, when Playwright or Chromium is missing. Set ``SIM_DASHBOARD_SCREENSHOTS``
to a folder to also save the screenshots there (``docs/dashboard*.png`` are made that way).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytest.importorskip("solara", reason="dashboard extra not installed (pip install -e '.[test]')")
pytest.importorskip("plotly", reason="dashboard extra not installed (pip install -e '.[test]')")
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="playwright not installed (pip install -e '.[test]')")

from sim.config.loading import load_config  # noqa: E402
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
WAIT_MS = 90_000
REDRAW_LIMIT_S = 15.0
#: Tall enough to show the whole page, occupation explorer included, in one screenshot.
VIEWPORT = {"width": 1500, "height": 2500}

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
        log.seek(0)
        server_log = log.read()
        log.close()
        assert "Traceback" not in server_log, server_log[-3000:]


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


def _text(page, selector: str) -> str:
    return page.locator(selector).first.inner_text()


def _wait_text(page, selector: str, text: str, present: bool = True):
    """Until the first element matching ``selector`` contains ``text`` (or no longer does)."""
    page.wait_for_function(
        "([sel, t, present]) => { const e = document.querySelector(sel);"
        " return e && e.innerText.includes(t) === present; }",
        arg=[selector, text, present], timeout=WAIT_MS)


def _wait_run(page):
    """Until the run on screen is the controls' run (no rerun pending) and charts are drawn."""
    page.wait_for_function(
        "() => { const s = document.querySelector('.sim-status');"
        " return s && s.innerText.startsWith('Run:') && !s.innerText.includes('rerunning')"
        " && document.querySelectorAll('.sim-chart .main-svg').length >= 4; }",
        timeout=WAIT_MS)


#: The last value of every line of a chart, as drawn in the browser: changes on a redraw.
CHART_DATA = ("sel => { const gd = document.querySelector(sel + ' .js-plotly-plot');"
              " if (!gd || !gd.data) return ''; return gd.data.map(t => t.y && t.y.length ?"
              " Array.from(t.y).slice(-1)[0] : null).join(','); }")


def _chart_data(page, name: str) -> str:
    return page.evaluate(CHART_DATA, f".sim-chart-{name}")


def _wait_chart_changed(page, name: str, old: str):
    page.wait_for_function(f"old => ({CHART_DATA})('.sim-chart-{name}') !== old", arg=old,
                           timeout=WAIT_MS)


def _hover(page, selector: str, x: float = 0.55) -> str:
    """Hover the middle of a chart's plot area; the hover box's text."""
    area = page.locator(f"{selector} .nsewdrag").first
    box = area.bounding_box()
    page.mouse.move(box["x"] + x * box["width"], box["y"] + 0.5 * box["height"])
    page.wait_for_function(
        "sel => { const h = document.querySelector(sel + ' .hoverlayer');"
        " return h && h.textContent.trim().length > 0; }", arg=selector, timeout=WAIT_MS)
    return page.locator(f"{selector} .hoverlayer").first.text_content()


def _pick(page, selector: str, option: str):
    """Choose ``option`` in a Vuetify select."""
    page.locator(f"{selector} .v-select__slot").first.click()
    page.locator(".menuable__content__active .v-list-item", has_text=option).first.click()


def _milestones(page) -> str:
    return _text(page, ".sim-milestones")


def test_dashboard_in_browser(browser, server, tmp_path):
    page = browser.new_page(viewport=VIEWPORT, accept_downloads=True)
    try:
        _drive(page, server, tmp_path)
    except BaseException:
        page.screenshot(path=str(tmp_path / "failure.png"))
        print(f"\nfailure screenshot: {tmp_path / 'failure.png'}")
        raise
    finally:
        page.close()


def _screenshot(page, tmp_path, name: str):
    page.mouse.move(1, 1)  # no hover box in the picture
    time.sleep(0.5)
    shot = tmp_path / name
    bottom = page.evaluate("() => Math.max(...[...document.querySelectorAll("
                           "'.sim-occupations, .sim-save-card')]"
                           ".map(e => e.getBoundingClientRect().bottom))")
    height = min(VIEWPORT["height"], int(bottom) + 24)
    page.screenshot(path=str(shot), clip={"x": 0, "y": 0, "width": VIEWPORT["width"],
                                          "height": height})
    folder = os.environ.get("SIM_DASHBOARD_SCREENSHOTS")
    if folder:
        shutil.copy(shot, Path(folder) / name)
    print(f"screenshot: {shot}")


def _drive(page, server, tmp_path):
    outside: list[str] = []
    bundles: list[str] = []

    def guard(route):
        if route.request.url.endswith("/static/assets/widgetbundle.js"):
            bundles.append(route.request.url)
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.on("websocket", lambda ws: None if urlparse(ws.url).hostname in LOCAL_HOSTS
            else outside.append(ws.url))
    t0 = time.perf_counter()
    page.goto(server, timeout=WAIT_MS)
    _wait_run(page)
    print(f"\nfirst page with its charts in {time.perf_counter() - t0:.1f} s")
    assert len(page.locator(".sim-chart").all()) == 5
    # plotly's code came from this server (out of plotly's Python package), once for all charts
    assert len(bundles) == 1, bundles

    # The default run's values are shown beside the controls and above the charts.
    _wait_text(page, ".sim-control-adoption_lag .sim-control-value", "6.0 yr")
    _wait_text(page, ".sim-control-adoption_lag .sim-control-used", "This run: 6.0 yr")
    _wait_text(page, ".sim-settings", "Adoption lag = 6.0 yr")
    assert "Automated AI researcher" in _milestones(page)

    # Hovering a chart shows the values at that month.
    hover = _hover(page, ".sim-chart-workforce")
    assert "US employed" in hover and "million" in hover, hover
    hover = _hover(page, ".sim-chart-unemployment_and_wages")
    assert "%" in hover, hover

    # A scenario: the sliders move to its values, and the run uses them.
    _pick(page, ".sim-scenario", "slow_adoption")
    _wait_text(page, ".sim-settings", "scenario slow_adoption")
    _wait_run(page)
    # (the page's parts are updated one after another: wait for each)
    _wait_text(page, ".sim-control-adoption_lag .sim-control-value", "15.0 yr")
    _wait_text(page, ".sim-control-adoption_lag .sim-control-used", "This run: 15.0 yr")
    _wait_text(page, ".sim-settings", "Adoption lag = 15.0 yr")
    _wait_text(page, ".sim-scenario-about", "15 years")

    # Save these settings: a YAML that `sim validate` accepts, holding the run's values.
    with page.expect_download(timeout=WAIT_MS) as download:
        page.locator(".sim-save").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "dashboard-slow_adoption.yaml"
    check = subprocess.run([sys.executable, "-m", "sim.cli", "validate", str(saved)],
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    assert load_config(saved).market.adoption_lag_years == 15.0

    # Move the adoption-lag slider near its low end: the run and the charts follow.
    before = _chart_data(page, "workforce")
    box = page.locator(".sim-control-adoption_lag .v-slider").first.bounding_box()
    t0 = time.perf_counter()
    page.mouse.click(box["x"] + 0.1 * box["width"], box["y"] + box["height"] / 2)
    _wait_text(page, ".sim-settings", "Adoption lag = 15.0 yr", present=False)
    _wait_run(page)
    _wait_chart_changed(page, "workforce", before)
    redraw_s = time.perf_counter() - t0
    print(f"slider change -> full run redrawn in the browser in {redraw_s:.2f} s")
    # The < 2 s target is measured by benchmarks/bench_dashboard.py; on a busy shared CI
    # machine only a gross regression should fail here.
    assert redraw_s < REDRAW_LIMIT_S
    value = _text(page, ".sim-control-adoption_lag .sim-control-value")
    assert value != "15.0 yr"
    _wait_text(page, ".sim-settings", f"Adoption lag = {value}")
    _wait_text(page, ".sim-control-adoption_lag .sim-control-used", f"This run: {value}")

    # Back to the scenario's values; then the baseline and the ensemble band.
    page.locator(".sim-reset").click()
    _wait_text(page, ".sim-settings", "Adoption lag = 15.0 yr")
    _wait_run(page)
    before = _chart_data(page, "workforce")
    page.locator(".sim-compare input").check(force=True)
    _wait_text(page, ".sim-milestones", "baseline")
    _wait_chart_changed(page, "workforce", before)
    before = _chart_data(page, "unemployment_and_wages")
    t0 = time.perf_counter()
    page.locator(".sim-ensemble input").check(force=True)
    _wait_text(page, ".sim-ensemble-status", "Ensemble: 50 runs")
    _wait_text(page, ".sim-milestones", "ensemble median")
    _wait_chart_changed(page, "unemployment_and_wages", before)
    print(f"ensemble band drawn in {time.perf_counter() - t0:.1f} s: "
          f"{_text(page, '.sim-ensemble-status')[:60]}")
    hover = _hover(page, ".sim-chart-unemployment_and_wages", x=0.3)
    assert "10-90%" in hover, hover
    _screenshot(page, tmp_path, "dashboard-scenario-ensemble.png")

    # The occupation explorer: a text filter over titles and codes.
    search = page.locator(".sim-occupation-search input")
    search.fill("comput")
    _wait_text(page, ".sim-occupation-pick", "Computer and Mathematical")
    _wait_text(page, ".sim-chart-occupation", "Computer and Mathematical")
    assert "task-hours automated" in _text(page, ".sim-occupation-summary")
    assert "%" in _hover(page, ".sim-chart-occupation", x=0.15)
    search.fill("no such job")
    page.locator(".sim-occupation-none").wait_for(timeout=WAIT_MS)
    search.fill("43")  # a code
    _wait_text(page, ".sim-occupation-pick", "Office and Administrative Support")
    search.fill("")

    # An impossible setting: a message on the page, no traceback; the page keeps working.
    page.locator(".sim-ensemble input").uncheck(force=True)
    page.locator(".sim-compare input").uncheck(force=True)
    extra = page.locator(".sim-extra input")
    extra.fill("training.run_months=48")
    extra.press("Enter")
    error = page.locator(".sim-error")
    error.wait_for(timeout=WAIT_MS)
    text = error.inner_text()
    assert "run_months" in text and "max_run_years" in text, text
    assert "Traceback" not in page.locator("body").inner_text()
    extra.fill("")
    extra.press("Enter")
    error.wait_for(state="detached", timeout=WAIT_MS)
    _pick(page, ".sim-scenario", "default")
    _wait_text(page, ".sim-settings", "scenario default")
    _wait_run(page)
    _screenshot(page, tmp_path, "dashboard.png")

    assert not outside, f"the page requested non-loopback URLs: {outside}"
