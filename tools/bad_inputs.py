#!/usr/bin/env python3
"""Run bad command lines through the real ``hpguide`` CLI and print what each one gets.

    python tools/bad_inputs.py            # the Markdown table of docs/bad-inputs.md
    python tools/bad_inputs.py > docs/bad-inputs.md

Every case says the exit code it must get: 2 for bad input (one
``hpguide: error: ...`` line, or argparse's usage message), 1 for an invalid
knowledge base, 0 where hpguide must cope (an unwritable or corrupt cache),
and what hpguide must print (``Case.says``). No case may print a traceback.
``tests/cli/test_bad_inputs.py`` runs the same cases and asserts exactly that,
and that docs/bad-inputs.md is what this script prints now.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KB = ROOT / "heuristics"
GOOD = ROOT / "tests" / "corpus" / "good" / "good-law.yaml"
#: A complete `hpguide new` command line but for the equation; cases break one flag of it.
NEW = ("new", "--kb", "{scratch_kb}", "--id", "x-2025-lr", "--kind", "law", "--topic", "learning-rate",
       "--title", "X LR law", "--arxiv", "2401.02954")


@dataclass(frozen=True)
class Case:
    """One bad command line: ``args`` may contain {name} fields filled from :func:`make_fixtures`.

    ``says`` is what hpguide must print, with $TMP and $KB for the scratch directory and the KB (see
    :func:`portable`), and ``[...]`` where any text may stand (a list that grows, git's own wording): for exit 2
    the error line (and the lines after it), for exit 1 the first ``path:line: CODE`` line of stdout, for exit 0
    the first line of stdout.
    """

    what: str
    args: tuple[str | bytes, ...]
    says: str
    code: int = 2
    env: tuple[tuple[str, str], ...] = ()
    note: str = ""  # for exit 0: what hpguide does instead of failing


def C(what: str, *args: str | bytes, says: str, code: int = 2, note: str = "",
      **env: str) -> Case:
    return Case(what, args, says, code, tuple(env.items()), note)


def expected_pattern(says: str) -> re.Pattern[str]:
    """``says`` as a regular expression: literal text, ``[...]`` for any text."""
    return re.compile(".*".join(re.escape(part) for part in says.split("[...]")), re.DOTALL)


_CACHE_NOTE = "works (exit 0), same output as with a good cache: the cache is skipped and the KB compiled"
E = "hpguide: error: "
_QTY = "use a number with an optional K, M, B or T suffix (e.g. 7B, 1.5T, 4k, 1e21)"
_POSITIVE = "must be > 0: give a positive number (e.g. 7B, 1e21, 3e-4)"
_ASCII = "use ASCII digits 0-9 and an optional K, M, B or T suffix (e.g. 7B, 1e21)"
_SET = "write SYMBOL=VALUE, e.g. --set eta_base=3e-3"
_NOT_KB = "is not a knowledge base (no symbols.yaml in it)"

CASES: list[Case] = [
    C("no inputs at all", "query",
      says=E + "nothing to compute: give at least one of --params, --d-model, --compute"),
    C("empty quantity", "query", "--params", "",
      says=E + f"params: cannot read '' as a quantity: it is empty; {_QTY}"),
    C("blank quantity", "query", "--params", "   ",
      says=E + f"params: cannot read ' ' as a quantity: it is empty; {_QTY}"),
    C("negative quantity (looks like a flag)", "query", "--params", "-7B",
      says="hpguide query: error: argument --params/-N: expected one argument"),
    C("negative quantity", "query", "--params=-7B", says=E + f"params: quantity '-7B' {_POSITIVE}"),
    C("negative number", "query", "--batch-size", "-1", says=E + f"batch_size: quantity '-1' {_POSITIVE}"),
    C("zero", "query", "--d-model", "0", says=E + f"d_model: quantity '0' {_POSITIVE}"),
    C("zero sequence length", "query", "--params", "7B", "--seq-len", "0",
      says=E + f"seq_len: quantity '0' {_POSITIVE}"),
    C("NaN", "query", "--params", "nan",
      says=E + f"params: cannot read 'nan' as a quantity: the value must be a finite number; {_QTY}"),
    C("infinity", "query", "--params", "inf",
      says=E + f"params: cannot read 'inf' as a quantity: the value must be a finite number; {_QTY}"),
    C("overflow", "query", "--params", "1e400",
      says=E + "params: cannot read '1e400' as a quantity: the number is too large for a float; use a smaller value"),
    C("underflow", "query", "--compute", "1e-400",
      says=E + "compute: cannot read '1e-400' as a quantity: the number is too small for a float (it rounds to 0)"),
    C("doubled suffix", "query", "--tokens", "1TT", says=E + f"tokens: cannot read '1TT' as a quantity: {_QTY}"),
    C("lowercase b (bits? billions?)", "query", "--params", "7b",
      says=E + "params: cannot read '7b' as a quantity: use B for billions (lowercase b could mean bits)"),
    C("GB instead of B", "query", "--params", "7GB",
      says=E + "params: cannot read '7GB' as a quantity: the suffix is a count multiplier, not a unit: drop the "
               "unit (e.g. 1T for 1TB, 2 for 2 tokens)"),
    C("thousands separators", "query", "--params", "7,000,000,000",
      says=E + "params: cannot read '7,000,000,000' as a quantity: do not group digits with commas; use "
               "underscores or a suffix (e.g. 1_000 or 1k)"),
    C("hexadecimal", "query", "--params", "0x10",
      says=E + "params: cannot read '0x10' as a quantity: hexadecimal, octal and binary numbers are not "
               "accepted; write it in decimal"),
    C("non-ASCII digits", "query", "--params", "\u0667B",
      says=E + f"params: cannot read '\u0667B' as a quantity: {_ASCII}"),
    C("non-UTF-8 bytes in an argument", "query", "--params", b"7\xffB",
      says=E + f"params: cannot read '7\\udcffB' as a quantity: {_ASCII}"),
    C("100,000-character argument", "query", "--params", "7" * 100_000,
      says=E + f"params: cannot read '{'7' * 20}'... (100000 characters) as a quantity: a quantity has at most "
               f"64 characters; {_QTY}"),
    C("--set without =", "query", "--params", "7B", "--set", "eta", says=E + f"--set 'eta': {_SET}"),
    C("--set without a name", "query", "--params", "7B", "--set", "=3e-4", says=E + f"--set '=3e-4': {_SET}"),
    C("--set of an unknown symbol", "query", "--params", "7B", "--set", "etaa=3e-4",
      says=E + "unknown symbol 'etaa' (did you mean 'eta'?)"),
    C("--set with a bad value", "query", "--params", "7B", "--set", "eta=fast",
      says=E + f"eta: cannot read 'fast' as a quantity: {_QTY}"),
    C("one quantity given twice", "query", "--params", "7B", "--set", "N=8B",
      says=E + "N given twice with different values (params and set N)"),
    C("unknown output format", "query", "--params", "7B", "--format", "yaml",
      says="hpguide query: error: argument --format: invalid choice: 'yaml' (choose from [...])"),
    C("unknown entry", "query", "--params", "7B", "--entry", "nope",
      says=E + "no entry with id 'nope' (see 'hpguide list')"),
    C("unknown flag", "query", "--frobnicate", says=E + "unrecognized arguments: --frobnicate"),
    C("misspelt flag", "query", "--d-modle", "4096", says=E + "unrecognized arguments: --d-modle 4096"),
    C("unknown command", "frobnicate",
      says=E + "argument COMMAND: invalid choice: 'frobnicate' (choose from [...]'query'[...])"),
    C("unknown symbol to explain", "explain", "etaa", "--params", "7B",
      says=E + "unknown symbol 'etaa' (see heuristics/symbols.yaml)"),
    C("unknown entry to show", "show", "compute-6n",
      says=E + "no entry with id 'compute-6n' (did you mean 'compute-6nd'?)"),
    C("missing KB directory", "query", "--params", "7B", "--kb", "{tmp}/no-such-kb",
      says=E + "--kb: no such directory: $TMP/no-such-kb"),
    C("a file instead of the KB directory", "list", "--kb", "{kb}/symbols.yaml",
      says=E + "--kb: $KB/symbols.yaml is a file; give the directory that holds symbols.yaml"),
    C("a directory that is not a KB", "list", "--kb", "{tmp}/empty", says=E + f"--kb: $TMP/empty {_NOT_KB}"),
    C("registry that is a directory", "list", "--kb", "{registry_dir}",
      says=E + f"--kb: $TMP/registry-dir {_NOT_KB}"),
    C("HPGUIDE_KB points nowhere", "list", says=E + "HPGUIDE_KB: no such directory: $TMP/no-such-kb",
      HPGUIDE_KB="{tmp}/no-such-kb"),
    C("broken symbol registry", "validate", "--kb", "{broken_registry}",
      says=E + "the symbol registry is invalid: "
      + "; ".join(f"$TMP/broken-registry/symbols.yaml:3: HPG013 missing required key '{key}' in symbols.N"
                  for key in ("unit", "group", "typical"))),
    C("invalid KB", "validate", "--kb", "{invalid_kb}", code=1,
      says="$TMP/invalid-kb/good-law.yaml:22: HPG030 example 1 (Table 1): eta = 0.0005, expected 0.0006 "
           "(relative error 16.67% > rel_tol 0.10%)"),
    C("non-UTF-8 entry file", "validate", "--kb", "{latin1_kb}", code=1,
      says="$TMP/latin1-kb/latin1.yaml:1: HPG001 file is not UTF-8 (byte 64): save it as UTF-8"),
    C("a directory named like an entry file", "validate", "--kb", "{dir_entry_kb}", code=0,
      says="$TMP/dir-entry-kb: 0 entries, 0 examples checked (0 printed by the source, 0 computed by hpguide, "
           "0 echoing the entry's own constant): ok",
      note="works (exit 0): a directory is searched for entries, never read as a file"),
    C("fmt of a non-UTF-8 file", "fmt", "{latin1_kb}/latin1.yaml",
      says=E + "$TMP/latin1-kb/latin1.yaml is not UTF-8 (byte 64): save it as UTF-8"),
    C("fmt of a missing file", "fmt", "{tmp}/missing.yaml", says=E + "$TMP/missing.yaml: no such file or directory"),
    C("fmt of a file with a python tag", "fmt", "{tagged}",
      says=E + "$TMP/tagged.yaml:2: HPG003 YAML tag !!python/object/apply:os.system is not allowed (entries use "
               "plain YAML only) (fix it first: fmt only formats files hpguide can read)"),
    C("new without a terminal and flags", *NEW[:5],
      says=E + "missing --kind, --topic, --title, --arxiv, --equation (stdin is not a terminal, so hpguide new "
               "cannot ask); e.g. hpguide new --id x-2025-lr --kind law --topic learning-rate --title 'X LR law' "
               "--arxiv 2401.02954 --equation 'eta=c*N**(-a)'"),
    C("new with an unknown kind", *NEW[:6], "lawful", *NEW[7:], "--equation", "eta=c*N",
      says=E + "--kind 'lawful': choose one of definition, law, rule, recipe, parameterization, schedule"),
    C("new with a versioned arXiv id", *NEW[:-1], "2401.02954v2", "--equation", "eta=c*N",
      says=E + "--arxiv '2401.02954v2': drop the version suffix (v2): entries cite the arXiv id"),
    C("new with code in the equation", *NEW, "--equation", "eta=__import__('os').system('true')",
      says=E + "--equation \"eta=__import__('os').system('true')\": only calls of plain function names are allowed\n"
               "    __import__('os').system('true')\n"
               "    ^~~~~~~~~~~~~~~~~~~~~~~"),  # the caret marks the call of an attribute
    C("new with an unregistered output", *NEW, "--equation", "lr=c*N",
      says=E + "--equation 'lr=c*N': the output 'lr' is not a registered symbol (add it to heuristics/symbols.yaml "
               "first)"),
    C("new over an existing id", *NEW[:4], "good-law", *NEW[5:], "--equation", "eta=c*N",
      says=E + "id 'good-law' is already used by $TMP/scratch-kb/testing/good-law.yaml (ids are never reused: "
               "pick another)"),
    C("fmt of a file that is not an entry", "fmt", "{passwd}",
      says=E + "$TMP/passwd is not an entry file (it is not a YAML mapping); fmt formats only entries: pass --force "
               "to format it anyway"),
    C("fmt through a symlink, even with --force", "fmt", "--force", "{symlink}",
      says=E + "$TMP/link.yaml is a symlink: fmt never writes through symlinks (format the file it points to by its "
               "own path)"),
    C("fit --plot onto an existing file", "fit", "{runs_csv}", "--form", "power", "--x", "N=N", "--y", "eta=eta",
      "--plot", "{existing}",
      says=E + "$TMP/existing.png already exists: pass --force to replace it, or choose another path"),
    C("fit --emit-entry onto an existing file", "fit", "{runs_csv}", "--form", "power", "--x", "N=N", "--y",
      "eta=eta", "--emit-entry", "{existing}",
      says=E + "$TMP/existing.png already exists: pass --force to replace it, or choose another path"),
    C("schedule --plot onto an existing file", "schedule", "--kind", "cosine", "--peak", "3e-4", "--steps", "1000",
      "--warmup", "100", "--plot", "{existing}",
      says=E + "$TMP/existing.png already exists: pass --force to replace it, or choose another path"),
    C("schedule --plot through a symlink", "schedule", "--kind", "cosine", "--peak", "3e-4", "--steps", "1000",
      "--warmup", "100", "--plot", "{symlink}", "--force",
      says=E + "$TMP/link.yaml is a symlink: hpguide does not write through symlinks; give the real path"),
    C("schedule --plot in a format matplotlib lacks", "schedule", "--kind", "cosine", "--peak", "3e-4", "--steps",
      "1000", "--warmup", "100", "--plot", "{tmp}/lr.xyz",
      says=E + "--plot $TMP/lr.xyz: matplotlib cannot write .xyz files; use .png, .svg or .pdf"),
    C("site build onto the folder that holds the KB", "site", "build", "--kb", "{scratch_kb}", "--out", "{tmp}",

      says=E + "--out $TMP contains the knowledge base, and building replaces the whole directory: choose a new or "
               "empty directory, e.g. --out site/build"),
    C("site build into the KB", "site", "build", "--kb", "{scratch_kb}", "--out", "{scratch_kb}/site",

      says=E + "--out $TMP/scratch-kb/site is inside the knowledge base: choose a new or empty directory, e.g. --out "
               "site/build"),
    C("site build onto a non-empty folder that is no earlier build", "site", "build", "--kb", "{scratch_kb}",
      "--out", "{full_dir}",
      says=E + "--out $TMP/full-dir is not empty and is not an earlier site build (no .hpguide-site in it), and "
               "building replaces the whole directory: choose a new or empty directory, e.g. --out site/build, or "
               "remove it yourself"),
    C("site build onto a file", "site", "build", "--kb", "{scratch_kb}", "--out", "{existing}",
      says=E + "--out $TMP/existing.png is a file, not a directory: choose a new or empty directory, e.g. --out "
               "site/build"),
    C("a line break and code in kb.yaml's release", "validate", "--kb", "{bad_release_kb}", code=1,
      says="$TMP/bad-release-kb/kb.yaml:1: HPG014 release: write a version such as 0.1.0 (letters, digits, '.' and "
           "'-'; at most 64 characters; no spaces, quotes or line breaks)"),
    C("diff against an unknown revision", "diff", "no-such-rev",
      says=E + "unknown git revision 'no-such-rev' (try 'git log --oneline' or 'git fetch')"),
    C("diff against an option-like revision", "diff", "--", "--output=/tmp/x",
      says=E + "'--output=/tmp/x' is not a git revision (e.g. main, origin/main, HEAD~1, a tag or a commit id)"),
    C("diff outside a git checkout", "diff", "HEAD", "--kb", "{scratch_kb}",
      says=E + "$TMP/scratch-kb is not inside a git checkout (fatal: [...]); comparing with a revision needs the "
               "KB's git history"),
    C("compare an unknown model", "compare", "Llama 2 8B",
      says=E + "no published model 'Llama 2 8B' in the KB; close matches: 'Llama 3 8B', 'Llama 2 7B'[...]"),
    C("compare a model of a draft recipe", "compare", "PaLM 540B",
      says=E + "'PaLM 540B' is a row of recipe-palm-2022, a draft entry: add --include-drafts to compare it"),
    C("compare a row that publishes no N", "compare", "MAD grid point 1 (lr 1e-4, wd 0.0)",
      says=E + "'MAD grid point 1 (lr 1e-4, wd 0.0)' (mad-2024-sweep-protocol) publishes no parameter count N: "
               "there is nothing to run the resolver at"),
    C("compare with neither a model nor --all", "compare",
      says=E + "give the name of a published model, e.g. hpguide compare \"Llama 2 7B\", or --all for every model"),
    C("compare a model and --all", "compare", "Llama 2 7B", "--all",
      says=E + "give a MODEL or --all, not both (got 'Llama 2 7B' and --all)"),
    C("compare --entry of a law", "compare", "--all", "--entry", "gpt3-2020-lr-trend",
      says=E + "--entry 'gpt3-2020-lr-trend' is not a recipe entry: published models are the table rows of recipe "
               "entries[...]"),
    C("unwritable cache location (a path under a file)", "query", "--params", "7B", "--tokens", "1T", code=0,
      says="hpguide query  (KB [...])", note=_CACHE_NOTE, HPGUIDE_CACHE_DIR="{tmp}/a-file/cache"),
    C("corrupt cache files", "query", "--params", "7B", "--tokens", "1T", code=0,
      says="hpguide query  (KB [...])", note=_CACHE_NOTE, HPGUIDE_CACHE_DIR="{corrupt_cache}"),
]


def make_fixtures(tmp: Path) -> dict[str, str]:
    """Create the files and directories the cases refer to; returns the {name: path} fields."""
    def kb(name: str, files: dict[str, bytes | str]) -> Path:
        root = tmp / name
        root.mkdir()
        shutil.copy(KB / "symbols.yaml", root / "symbols.yaml")
        for rel, data in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data if isinstance(data, bytes) else data.encode())
        return root

    good = GOOD.read_text()
    (tmp / "empty").mkdir()
    (tmp / "a-file").write_text("not a directory\n")
    registry_dir = tmp / "registry-dir"
    (registry_dir / "symbols.yaml").mkdir(parents=True)
    broken = kb("broken-registry", {})
    (broken / "symbols.yaml").write_text("version: 1\nsymbols:\n  N: {meaning: x}\n")
    invalid = kb("invalid-kb", {"good-law.yaml": good.replace("eta: 5.0e-4", "eta: 6.0e-4")})
    latin1 = kb("latin1-kb", {"latin1.yaml": good.replace("A test law", "A test l\xe4w").encode("latin-1")})
    dir_entry = kb("dir-entry-kb", {})
    (dir_entry / "entry.yaml").mkdir()
    tagged = tmp / "tagged.yaml"
    tagged.write_text("id: x\ntitle: !!python/object/apply:os.system ['true']\n")
    scratch = kb("scratch-kb", {"testing/good-law.yaml": good})
    bad_release = kb("bad-release-kb", {"testing/good-law.yaml": good,
                                        "kb.yaml": 'release: "0.1.0\\nimport os; os.system(\'true\')"\n'})
    (tmp / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n")
    (tmp / "victim.txt").write_text("a file the link points to\n")
    (tmp / "link.yaml").symlink_to(tmp / "victim.txt")
    (tmp / "existing.png").write_text("a file of the user's\n")
    (tmp / "runs.csv").write_text("N,eta\n1e8,1e-3\n1e9,5e-4\n1e10,2.5e-4\n")
    full = tmp / "full-dir"
    full.mkdir()
    (full / "notes.txt").write_text("the user's own files\n")
    cache = tmp / "corrupt-cache"
    _run(["query", "--params", "7B", "--tokens", "1T"], {"HPGUIDE_CACHE_DIR": str(cache)})
    for path in cache.iterdir():
        path.write_bytes(b"\x00garbage" * 10)
    return {"tmp": str(tmp), "kb": str(KB), "registry_dir": str(registry_dir), "broken_registry": str(broken),
            "invalid_kb": str(invalid), "latin1_kb": str(latin1), "dir_entry_kb": str(dir_entry),
            "tagged": str(tagged), "scratch_kb": str(scratch), "corrupt_cache": str(cache),
            "bad_release_kb": str(bad_release), "passwd": str(tmp / "passwd"), "symlink": str(tmp / "link.yaml"),
            "existing": str(tmp / "existing.png"), "runs_csv": str(tmp / "runs.csv"), "full_dir": str(full)}


def _run(args: list, env: dict[str, str]) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if k != "HPGUIDE_KB"}
    full.update(env)
    return subprocess.run([sys.executable, "-m", "hpguide", *args], capture_output=True, cwd=ROOT, env=full,
                          timeout=120)


@dataclass(frozen=True)
class Outcome:
    case: Case
    code: int
    stdout: str
    stderr: str

    @property
    def traceback(self) -> bool:
        return "Traceback (most recent call last)" in self.stdout + self.stderr

    @property
    def ok(self) -> bool:
        """The expected exit code and no traceback (see :meth:`says_what_it_should` for the message)."""
        return self.code == self.case.code and not self.traceback

    def said(self, fields: dict[str, str]) -> str:
        """What ``Case.says`` is compared with: the error (exit 1, 2) or the first line of stdout (exit 0)."""
        if self.code == 0:
            return portable(next(iter(self.stdout.splitlines()), ""), fields)
        return self.message(fields)

    def says_what_it_should(self, fields: dict[str, str]) -> bool:
        return expected_pattern(self.case.says).fullmatch(self.said(fields)) is not None

    def message(self, fields: dict[str, str]) -> str:
        """The error line (argparse's last line, or hpguide's one line), paths made portable."""
        lines = [line for line in self.stderr.splitlines() if line.strip()]
        if self.code == 0:
            text = self.case.note or "works (exit 0)"
        elif self.code == 1:
            found = [line for line in self.stdout.splitlines() if ": HPG" in line]
            text = found[0] if found else (lines[-1] if lines else "")
        else:
            start = next((i for i, line in enumerate(lines) if "error:" in line), max(len(lines) - 1, 0))
            text = "\n".join(lines[start:]) if lines else "(nothing on stderr)"  # + a formula and its caret
        return portable(text, fields)


def portable(text: str, fields: dict[str, str]) -> str:
    """``text`` with the scratch directory and the KB written as $TMP and $KB."""
    text = text.replace(os.path.relpath(fields["tmp"], ROOT), "$TMP").replace(fields["tmp"], "$TMP")
    return text.replace(fields["kb"], "$KB").replace(str(ROOT) + "/", "")


def _fill(arg: str | bytes, fields: dict[str, str]) -> str | bytes:
    return arg.format(**fields) if isinstance(arg, str) else arg


def run_case(case: Case, fields: dict[str, str]) -> Outcome:
    """Run one case through the real CLI."""
    args = [_fill(a, fields) for a in case.args]
    proc = _run(args, {k: str(_fill(v, fields)) for k, v in case.env})
    decode = lambda data: data.decode("utf-8", errors="backslashreplace")  # noqa: E731
    return Outcome(case, proc.returncode, decode(proc.stdout), decode(proc.stderr))


def run_all(fields: dict[str, str], cases: list[Case] = CASES) -> list[Outcome]:
    """Every case, four at a time (the cases are independent; each runs its own process)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda case: run_case(case, fields), cases))


def _shown(case: Case, fields: dict[str, str]) -> str:
    parts = []
    for arg in case.args:
        text = arg.decode("utf-8", errors="backslashreplace") if isinstance(arg, bytes) else portable(
            arg.format(**fields), fields)
        if len(text) > 30:
            text = text[:12] + f"...({len(text)} chars)"
        parts.append(text if text and " " not in text and "'" not in text else repr(text))
    env = " ".join(f"{k}={portable(v.format(**fields), fields)}" for k, v in case.env)
    return (env + " " if env else "") + "hpguide " + " ".join(parts)


def cell(text: str) -> str:
    """``text`` as a Markdown table cell (pipes escaped, further lines as <br><code> lines)."""
    first, *more = text.split("\n")
    more_html = "".join("<br><code>" + html.escape(line, quote=False).replace(" ", "&nbsp;") + "</code>"
                        for line in more)
    return first.replace("|", "\\|").replace("`", "'") + more_html.replace("|", "&#124;")


def markdown(outcomes: list[Outcome], fields: dict[str, str]) -> str:
    """The table of docs/bad-inputs.md."""
    lines = [
        "# Bad inputs, and what hpguide says",
        "",
        "Every row was produced by running the command through the real CLI (`python tools/bad_inputs.py`, which",
        "prints this page; `tests/cli/test_bad_inputs.py` runs the same cases and asserts the exit code, the",
        "message and that no traceback is printed). Exit code 2 is bad input, 1 an invalid knowledge base, 0 a",
        "situation hpguide copes with. `$TMP` is a scratch directory with the broken files the rows refer to;",
        "`$KB` is `heuristics/`.",
        "",
        "| # | input | command | exit | what hpguide prints (stderr; stdout for `validate`) |",
        "|---|---|---|---|---|",
    ]
    for i, o in enumerate(outcomes, 1):
        mark = "" if o.ok and o.says_what_it_should(fields) else " **(unexpected)**"
        shown = _shown(o.case, fields)
        lines.append(f"| {i} | {cell(o.case.what)} | `{cell(shown)}` | {o.code}{mark} | {cell(o.message(fields))} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="hpguide-bad-") as tmp:
        fields = make_fixtures(Path(tmp))
        outcomes = run_all(fields)
        sys.stdout.write(markdown(outcomes, fields))
        bad = 0
        for o in outcomes:
            if not o.ok:
                sys.stderr.write(f"unexpected: {o.case.what}: exit {o.code} (want {o.case.code})"
                                 f"{', traceback' if o.traceback else ''}\n")
            elif not o.says_what_it_should(fields):
                sys.stderr.write(f"unexpected: {o.case.what}: says {o.said(fields)!r} (want {o.case.says!r})\n")
            else:
                continue
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
