"""Shared fixtures: the repository paths, throw-away knowledge bases, and the built guide site
with a headless Chromium to drive it (tests/test_site.py, tests/site/)."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
KB = ROOT / "heuristics"
CORPUS = Path(__file__).resolve().parent / "corpus"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture
def make_kb(tmp_path):
    """Build a KB directory with the real symbol registry and the given files."""

    def build(files: dict[str, str] | None = None, copy: list[Path] | None = None) -> Path:
        root = tmp_path / "kb"
        root.mkdir(exist_ok=True)
        shutil.copy(KB / "symbols.yaml", root / "symbols.yaml")
        for name, text in (files or {}).items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        for source in copy or []:
            shutil.copy(source, root / source.name)
        return root

    return build


# --------------------------------------------------------------------------- the guide site and a browser


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The guide site, built once per test session with `hpguide site build` (MkDocs --strict)."""
    out = tmp_path_factory.mktemp("site") / "build"
    proc = subprocess.run([sys.executable, "-m", "hpguide", "site", "build", "--out", str(out), "--kb", str(KB)],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert "WARNING" not in proc.stderr, proc.stderr
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # no request log on stderr
        pass


@pytest.fixture(scope="session")
def site_url(site):
    """The built site served on 127.0.0.1 (fetch() of the KB JSON needs http, not file://)."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the session. Skipped without it, but a failure in CI (CI=true)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        webdriver = None
    if not (chromium and driver and webdriver):
        message = "the calculator tests need Debian's chromium and chromium-driver and selenium"
        if IN_CI:
            pytest.fail(message + " (installed by .ci/run)")
        pytest.skip(message)
    options = Options()
    options.binary_location = chromium
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver), options=options)
    yield driver
    driver.quit()


def open_calculator(browser, site_url: str):
    """Load the calculator page and wait until it has read its KB (window.hpguideQuery is ready)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{site_url}/calculator/")
    WebDriverWait(browser, 30).until(
        lambda b: b.find_element(By.ID, "hpg-form").get_attribute("data-loaded") == "true")
    return browser


@pytest.fixture
def calculator(browser, site_url):
    """The calculator page, freshly loaded (an empty form)."""
    return open_calculator(browser, site_url)
