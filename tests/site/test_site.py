"""The guide site: built with MkDocs --strict, every entry has a page with math, links resolve,
search lists every entry, and the in-browser calculator gives the numbers of `hpguide query --json`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from urllib.parse import unquote, urlparse

from hpguide.kb.load import load_kb

from ..conftest import KB, ROOT


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def test_every_entry_has_a_page_with_its_formula(site):
    kb = load_kb(KB)
    for entry_id, item in kb.entries.items():
        page = site / "entries" / entry_id / "index.html"
        assert page.is_file(), entry_id
        html = page.read_text(encoding="utf-8")
        assert item.entry.title.split(":")[0][:20] in html.replace("&amp;", "&").replace("&#39;", "'")
        if item.entry.equations:
            assert 'class="arithmatex"' in html, f"{entry_id}: no math"
        assert "Edit this entry" in html


def test_math_is_rendered_by_vendored_katex(site):
    html = (site / "entries" / "compute-6nd" / "index.html").read_text(encoding="utf-8")
    assert "assets/vendor/katex/katex.min.js" in html
    assert (site / "assets" / "vendor" / "katex" / "katex.min.js").is_file()
    assert "cdn" not in " ".join(re.findall(r'(?:src|href)="([^"]+)"', html)).lower()


def test_internal_links_resolve(site):
    broken = []
    for page in site.rglob("*.html"):
        if page.name == "404.html":  # served at any depth, so MkDocs writes it with root-absolute links
            continue
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for link in parser.links:
            parsed = urlparse(link)
            if parsed.scheme or link.startswith(("#", "mailto:", "//")):
                continue
            target = (page.parent / unquote(parsed.path)).resolve()
            if parsed.path.endswith("/") or target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(site)} -> {link}")
    assert broken == []


def test_search_index_lists_every_entry(site):
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    text = " ".join(doc.get("location", "") + " " + doc.get("text", "") + " " + doc.get("title", "")
                    for doc in index["docs"])
    missing = [entry_id for entry_id in load_kb(KB).entries if entry_id not in text]
    assert missing == []


def test_configs_table_and_comparisons(site):
    html = (site / "configs" / "index.html").read_text(encoding="utf-8")
    rows = sum(len(item.entry.table or []) for item in load_kb(KB).entries.values())
    assert html.count("<tr><td>") == rows
    for name in ("learning-rate-vs-params", "batch-size-vs-params", "tokens-vs-params", "tokens-vs-compute",
                 "params-vs-compute"):
        page = (site / "comparisons" / name / "index.html").read_text(encoding="utf-8")
        assert "What to notice" in page and ".svg" in page


# --------------------------------------------------------------------------- the calculator in a real browser
# (the site, site_url, browser and calculator fixtures are in tests/conftest.py; every corpus query is checked
# field by field in tests/site/test_calculator_corpus.py)


def _sig3(value: float) -> str:
    return f"{value:.3g}"


def test_calculator_matches_query_json(calculator):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser = calculator
    browser.find_element(By.NAME, "d_model").send_keys("4096")
    browser.find_element(By.NAME, "tokens").send_keys("1T")
    browser.find_element(By.ID, "hpg-run").click()
    WebDriverWait(browser, 30).until(
        lambda b: b.find_element(By.ID, "hpg-output").get_attribute("data-ready") in ("true", "error"))
    assert browser.find_element(By.ID, "hpg-output").get_attribute("data-ready") == "true", \
        browser.find_element(By.ID, "hpg-error").text
    shown = {(row.get_attribute("data-entry"), row.get_attribute("data-symbol")): float(row.get_attribute("data-value"))
             for row in browser.find_elements(By.CSS_SELECTOR, "tr.hpg-result")}
    assumed = {li.get_attribute("data-symbol"): float(li.get_attribute("data-value"))
               for li in browser.find_elements(By.CSS_SELECTOR, ".hpg-assumptions li")}
    proc = subprocess.run([sys.executable, "-m", "hpguide", "query", "--d-model", "4096", "--tokens", "1T", "--json",
                           "--kb", str(KB)], capture_output=True, text=True, cwd=ROOT, check=True)
    expected = json.loads(proc.stdout)
    want = {(r["entry"], r["symbol"]): r["value"] for r in expected["results"]}
    assert set(shown) == set(want)
    assert {k: _sig3(v) for k, v in shown.items()} == {k: _sig3(v) for k, v in want.items()}
    want_assumed = {a["symbol"]: _sig3(a["value"]) for a in expected["assumptions"]}
    assert {k: _sig3(v) for k, v in assumed.items()} == want_assumed


def _page_text(site, entry_id: str) -> str:
    import html

    page = (site / "entries" / entry_id / "index.html").read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_entry_pages_say_what_a_query_does_with_their_answers(site):
    kaplan = _page_text(site, "kaplan-2020-lr-rule")
    assert "Fitted under" in kaplan and "Fitted with Adam; Adafactor above 1B, cosine to 0" in kaplan
    assert "Where there is no usable value" in kaplan
    assert "N_ne is above 10B: the source says the law breaks down there" in kaplan
    epoch = _page_text(site, "epoch-2024-chinchilla-refit")
    assert "the answer L is not at least E : below the irreducible loss E" in epoch
    assert "central 80% band of every answer over 200 refits" in epoch
    assert "recomputed by hpguide by the source's method" in epoch
    steplaw = _page_text(site, "steplaw-2025-lr-batch")
    assert "central 90% band of every answer over 200 refits" in steplaw and "published by the source" in steplaw
