"""The in-browser calculator against the shared query corpus, in a real Chromium.

Every case of tests/corpus/queries/ is run through ``window.hpguideQuery(argv)``
(site/docs/assets/js/calculator.js, the page's own code, on the page's own
KB JSON) in one browser session, and the whole object is compared with the
``--json`` object the Python CLI recorded (tools/gen_query_corpus.py:compare:
every field, floats to a relative tolerance of 1e-9, the rest exactly; bad
input must give the CLI's error line). tests/test_query_corpus.py holds the
Python CLI to the same files.
"""

from __future__ import annotations

import importlib.util
import json

import pytest

from ..conftest import ROOT, open_calculator

_SPEC = importlib.util.spec_from_file_location("gen_query_corpus", ROOT / "tools" / "gen_query_corpus.py")
corpus = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(corpus)

CASES = corpus.load_cases()

#: Runs every argv in the page and returns one JSON text (no per-value conversion by the driver).
RUN_ALL = """
var out = arguments[0].map(function (argv) {
  try { return {expected: window.hpguideQuery(argv)}; }
  catch (e) { return {error: String(e && e.message)}; }
});
return JSON.stringify(out);
"""


@pytest.fixture(scope="module")
def browser_outcomes(browser, site_url):
    """{case name: {"expected": object} or {"error": message}} from the calculator page, all in one call."""
    text = open_calculator(browser, site_url).execute_script(RUN_ALL, [case["argv"] for case in CASES])
    return {case["name"]: got for case, got in zip(CASES, json.loads(text))}


def test_the_corpus_is_there():
    assert len(CASES) >= 60


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_calculator_gives_the_cli_json(case, browser_outcomes):
    got = browser_outcomes[case["name"]]
    if "error" in case:
        assert got == {"error": case["error"]}
        return
    assert "expected" in got, f"the calculator failed: {got.get('error')}"
    problems = corpus.compare(got["expected"], case["expected"])
    assert not problems, "\n".join(problems[:40])


def test_calculator_shows_warnings_and_status(calculator):
    """The page renders what the object holds: each row's warnings under it, drafts and disputed entries marked."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser = calculator
    browser.find_element(By.NAME, "params").send_keys("70B")
    browser.find_element(By.NAME, "tokens").send_keys("15T")
    browser.find_element(By.NAME, "set").send_keys("L=1.9")
    browser.find_element(By.NAME, "include_drafts").click()
    browser.find_element(By.ID, "hpg-run").click()
    WebDriverWait(browser, 30).until(
        lambda b: b.find_element(By.ID, "hpg-output").get_attribute("data-ready") in ("true", "error"))
    assert browser.find_element(By.ID, "hpg-output").get_attribute("data-ready") == "true", \
        browser.find_element(By.ID, "hpg-error").text
    expected = browser.execute_script(
        "return JSON.stringify(hpguideQuery("
        "['--params', '70B', '--tokens', '15T', '--set', 'L=1.9', '--include-drafts']))")
    expected = json.loads(expected)
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.hpg-result")
    assert [(r.get_attribute("data-entry"), r.get_attribute("data-symbol")) for r in rows] == \
        [(r["entry"], r["symbol"]) for r in expected["results"]]
    shown, folded = {}, 0
    for row in browser.find_elements(By.CSS_SELECTOR, "tr.hpg-warnings-row"):
        key = (row.get_attribute("data-entry"), row.get_attribute("data-symbol"))
        notes = [li.text for li in row.find_elements(By.CSS_SELECTOR, "li.hpg-range")]  # shown in full
        caveats = [li.get_attribute("textContent") for li in row.find_elements(By.CSS_SELECTOR, "details li")]
        folded += bool(caveats)
        shown[key] = (notes, caveats)
    # in full: the notes the terminal report prints under a row (cli/report.py), and why a row is no answer
    assert shown == {(r["entry"], r["symbol"]): (r["notes"], r["warnings"][len(r["notes"]):])
                     for r in expected["results"] if r["warnings"]}
    shown = {key: notes + caveats for key, (notes, caveats) in shown.items()}
    assert any(w.startswith("extrapolation: ") for ws in shown.values() for w in ws)
    assert folded  # the entries' own caveats sit in a closed <details> under the row
    badges = {r.get_attribute("data-entry"): r.find_element(By.CSS_SELECTOR, ".hpg-badge").get_attribute("textContent")
              for r in rows if r.find_elements(By.CSS_SELECTOR, ".hpg-badge")}
    assert badges == {r["entry"]: r["status"] for r in expected["results"] if r["status"] != "stable"}
    assert set(badges.values()) == {"draft", "disputed"}


def test_calculator_shows_no_usable_value_and_the_context(calculator):
    """A row with no usable value shows why, never its number; a row's context reads as in the terminal report."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from hpguide.cli.report import context_text, q

    browser = calculator
    browser.find_element(By.NAME, "params").send_keys("70B")
    browser.find_element(By.NAME, "tokens").send_keys("15T")
    browser.find_element(By.NAME, "include_drafts").click()  # kaplan-2020-lr-rule is a draft
    browser.find_element(By.ID, "hpg-run").click()
    WebDriverWait(browser, 30).until(
        lambda b: b.find_element(By.ID, "hpg-output").get_attribute("data-ready") in ("true", "error"))
    expected = json.loads(browser.execute_script(
        "return JSON.stringify(hpguideQuery(['--params', '70B', '--tokens', '15T', '--include-drafts']))"))
    unusable = [r for r in expected["results"] if not r["usable"]]
    assert unusable  # kaplan-2020-lr-rule gives a negative eta at 70B (tests/corpus/queries/kaplan-lr-negative.json)
    for r in expected["results"]:
        row = browser.find_element(
            By.CSS_SELECTOR, f'tr.hpg-result[data-entry="{r["entry"]}"][data-symbol="{r["symbol"]}"]')
        cells = row.find_elements(By.CSS_SELECTOR, "td")
        if r["usable"]:
            assert cells[1].text.split(" ")[0] == q(r["value"])
            assert not row.find_elements(By.CSS_SELECTOR, ".hpg-no-value")
        else:
            assert cells[1].text == f"no usable value here: {r['why']}"
            # the number appears only inside the reason, as in the terminal report, never as the bold value
            assert not row.find_elements(By.CSS_SELECTOR, ".hpg-value, b, strong")
            assert int(cells[1].value_of_css_property("font-weight")) < 600
    # every row's context line reads as the terminal report's (rows of entries without a context have none)
    text = browser.execute_script(
        "var res = hpguideQuery(['--params', '70B', '--tokens', '15T', '--include-drafts']);"
        "var div = document.createElement('div'); window.hpguide.render(div, res);"
        "return Array.from(div.querySelectorAll('tr.hpg-result')).map(function (tr) {"
        "  var c = tr.querySelector('.hpg-context'); return c ? c.textContent : null; });")
    want = [context_text(r["context"]) or None for r in expected["results"]]
    assert text == want and any(want) and None in want
    kaplan = next(r for r in expected["results"] if r["entry"] == "kaplan-2020-lr-rule")
    assert context_text(kaplan["context"]).startswith("fitted with Adam; Adafactor above 1B, cosine to 0")
