"""The report in a real browser: headless Chromium through selenium and the system chromedriver.

At 1280 and 1920 px wide: no element wider than the viewport (every section present), the default report's
composition (the verifications and the benchmark, as ``tox -e report`` makes it) under 8,000 px tall, and the
inline filters and sort working.

Run by ``tox -e browser`` (which installs selenium and tries to install Chromium); elsewhere it skips,
saying what is missing. When Chromium and chromedriver are both present, a browser that fails to start
is a failure, not a skip. ``INITCHECK_SCREENSHOT_DIR`` keeps the screenshots (first screen and full page).
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest

from reports import render
from reports.loader import BENCH, VERIFY

from .helpers import ALL_FILES, VERIFY_FILES, html_for, render_fixture_report

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (tox -e browser installs it)")
Image = pytest.importorskip("PIL.Image", reason="Pillow is not installed")

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)
WIDTH, HEIGHT = 1400, 1800


def _find(env: str, names: tuple[str, ...], extra: tuple[str, ...] = ()) -> str | None:
    if os.environ.get(env):
        return os.environ[env]
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return next((p for p in extra if Path(p).exists()), None)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    binary = _find("CHROMIUM", ("chromium", "chromium-browser", "google-chrome"))
    if binary is None:
        pytest.skip("no Chromium found (apt-get install chromium chromium-driver, or set CHROMIUM)")
    driver_path = _find("CHROMEDRIVER", ("chromedriver",), ("/usr/lib/chromium/chromedriver",))
    if driver_path is None:
        pytest.skip("no chromedriver found (apt-get install chromium-driver, or set CHROMEDRIVER)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.add_argument(f"--window-size={WIDTH},{HEIGHT}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(120)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def loaded(browser, tmp_path_factory):
    out = tmp_path_factory.mktemp("browser") / "report.html"
    render_fixture_report(out)
    browser.get(out.as_uri())
    assert browser.execute_script("return document.readyState") == "complete"
    return browser, out


def _shots_dir() -> Path | None:
    d = os.environ.get("INITCHECK_SCREENSHOT_DIR")
    if d:
        Path(d).mkdir(parents=True, exist_ok=True)
        return Path(d)
    return None


def test_no_console_errors_and_nothing_fetched(loaded):
    driver, _ = loaded
    severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    assert severe == [], severe
    assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0


def test_first_screen_shows_the_summary_matrix(loaded):
    driver, _ = loaded
    driver.execute_script("window.scrollTo(0, 0)")
    top = driver.execute_script("return document.querySelector('table.matrix').getBoundingClientRect().top")
    assert 0 < top < HEIGHT, "the summary matrix should start on the first screen"
    png = driver.get_screenshot_as_png()
    shots = _shots_dir()
    if shots:
        (shots / "report-first-screen.png").write_bytes(png)


def _non_blank(png: bytes) -> tuple[float, float]:
    """(standard deviation of the grey levels, fraction of pixels that differ from the most common one)."""
    img = Image.open(io.BytesIO(png)).convert("L")
    hist = img.histogram()
    n = sum(hist)
    mean = sum(i * h for i, h in enumerate(hist)) / n
    std = (sum(h * (i - mean) ** 2 for i, h in enumerate(hist)) / n) ** 0.5
    return std, 1 - max(hist) / n


def test_every_plot_rendered(loaded):
    driver, out = loaded
    driver.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")  # folded plots too
    plots = driver.find_elements("css selector", "svg.plot, img")
    page = out.read_text()
    assert len(plots) == page.count('<svg class="plot"') + page.count("<img") > 10
    blank = []
    for i, element in enumerate(plots):
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        size = element.size
        assert size["width"] > 100 and size["height"] > 80, f"plot {i} is too small: {size}"
        std, ink = _non_blank(element.screenshot_as_png)
        if std < 10 or ink < 0.01:
            blank.append((i, element.get_attribute("outerHTML")[:120], std, ink))
    assert blank == [], blank


def test_summary_links_open_their_evidence(loaded):
    driver, out = loaded
    href = driver.execute_script("return document.querySelector('td.cell.pass a').getAttribute('href')")
    driver.get(out.as_uri() + href)
    is_open = driver.execute_script(
        "return document.getElementById(arguments[0]).closest('details').open", href.lstrip("#")
    )
    assert is_open, f"following {href} should open the evidence it points at"


def test_full_page_screenshot(loaded):
    """Not a check of its own: keeps a full-page screenshot when INITCHECK_SCREENSHOT_DIR is set."""
    driver, out = loaded
    shots = _shots_dir()
    if not shots:
        pytest.skip("INITCHECK_SCREENSHOT_DIR not set")
    driver.get(out.as_uri())
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(WIDTH, min(height, 16000))
    (shots / "report-full.png").write_bytes(driver.get_screenshot_as_png())
    driver.set_window_size(WIDTH, HEIGHT)


#: Issue 18: the widths a reader's screen has, and the default report's height limit.
WIDTHS = (1280, 1920)
MAX_HEIGHT = 8000
#: What ``tox -e report`` renders: the verifications and the benchmark (mutants and calibration not run).
DEFAULT_FILES = (*(n for n in VERIFY_FILES if n != "verify-example.json"), "bench-cpu.json")

WIDEST = """
const vw = document.documentElement.clientWidth, wide = [];
for (const el of document.querySelectorAll('body *')) {
  const r = el.getBoundingClientRect();
  if (r.width > 0 && (r.right > vw + 1 || r.left < -1))
    wide.push(el.tagName + '.' + el.getAttribute('class') + ' ' + Math.round(r.right));
}
return [vw, document.documentElement.scrollWidth, wide.slice(0, 10)];
"""


def _page(tmp_path_factory, name, files, missing=None):
    out = tmp_path_factory.mktemp("browser-pages") / name
    out.write_text(html_for(files, missing=missing), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    default_missing = [
        render.Missing(render.SECTION_NAMES[s], "not run without inputs (slow)", s)
        for s in render.SECTION_NAMES
        if s not in (VERIFY, BENCH)
    ]
    return {
        "full": _page(tmp_path_factory, "full.html", ALL_FILES),
        "default": _page(tmp_path_factory, "default.html", DEFAULT_FILES, default_missing),
    }


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("which", ["full", "default"])
def test_nothing_wider_than_the_viewport(browser, pages, width, which):
    browser.set_window_size(width, HEIGHT)
    browser.get(pages[which].as_uri())
    viewport, scroll_width, wide = browser.execute_script(WIDEST)
    assert scroll_width <= viewport and wide == [], (viewport, scroll_width, wide)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_default_report_is_under_8000_px_tall(browser, pages, width):
    browser.set_window_size(width, HEIGHT)
    browser.get(pages["default"].as_uri())
    height = browser.execute_script("return document.documentElement.scrollHeight")
    assert height < MAX_HEIGHT, height
    shots = _shots_dir()
    if shots:
        (shots / f"report-default-{width}.png").write_bytes(browser.get_screenshot_as_png())


def _visible(driver, selector):
    return driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).filter(e => e.offsetParent !== null"
        " || e.getClientRects().length > 0).length",
        selector,
    )


def test_filters_and_sort_work(browser, pages):
    from selenium.webdriver.support.ui import Select

    browser.set_window_size(WIDTHS[0], HEIGHT)
    browser.get(pages["full"].as_uri())
    form = browser.find_element("id", "filters")
    assert form.is_displayed(), "the script shows the filters"
    browser.execute_script("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert _visible(browser, "tr[data-status=pass]") > 0
    form.find_element("css selector", "input[value=pass]").click()
    assert _visible(browser, "tr[data-status=pass]") == 0
    assert _visible(browser, "tr[data-status=fail]") > 0
    form.find_element("css selector", "input[value=pass]").click()
    Select(form.find_element("name", "target")).select_by_value("initlib")
    shown = browser.execute_script(
        "return Array.from(document.querySelectorAll('section.target')).filter(s => !s.hidden)"
        ".map(s => s.dataset.target)"
    )
    assert shown == ["initlib"]
    Select(form.find_element("name", "target")).select_by_value("")
    Select(form.find_element("name", "initializer")).select_by_value("normal_")
    names = browser.execute_script(
        "return Array.from(document.querySelectorAll('details.ev')).filter(d => !d.hidden)"
        ".map(d => d.dataset.initializer)"
    )
    assert names and set(names) == {"normal_"}
    # sorting by p-value orders a table's rows by their p-values
    header = browser.find_element("css selector", "details.ev:not([hidden]) table.verdicts th[data-sort=p]")
    header.click()
    values = browser.execute_script(
        "return Array.from(arguments[0].closest('table').tBodies[0].rows).map(r => parseFloat(r.dataset.p))", header
    )
    assert values == sorted(values)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_table_header_stays_in_view_below_the_filters(browser, pages, width):
    """Scrolled to the last row of a long evidence table, its header sits just below the sticky filter bar
    (neither scrolled away nor hidden behind it)."""
    browser.set_window_size(width, 900)
    browser.get(pages["full"].as_uri())
    filters_bottom, header_top, table_top = browser.execute_script(
        """
        const rows = document.querySelector('details.ev.fail table.verdicts').tBodies[0].rows;
        const row = rows[rows.length - 1];
        window.scrollTo(0, row.getBoundingClientRect().top + window.scrollY - 400);
        const th = row.closest('table').querySelector('thead th').getBoundingClientRect();
        return [document.getElementById('filters').getBoundingClientRect().bottom, th.top,
                row.closest('table').getBoundingClientRect().top];
        """
    )
    assert table_top < 0, "scrolled past the start of the table: its header would have scrolled away"
    assert filters_bottom - 1 <= header_top <= filters_bottom + 2, (filters_bottom, header_top)
