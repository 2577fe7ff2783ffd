#!/usr/bin/env python3
"""Run bad command lines through the real ``hpguide`` CLI and print what each one gets.

    python tools/bad_inputs.py            # the Markdown table of docs/bad-inputs.md
    python tools/bad_inputs.py > docs/bad-inputs.md

Every case says the exit code it must get: 2 for bad input (one
``hpguide: error: ...`` line, or argparse's usage message), 1 for an invalid
knowledge base, 0 where hpguide must cope (an unwritable or corrupt cache).
No case may print a traceback. ``tests/test_bad_inputs.py`` runs the same
cases and asserts exactly that.
"""

from __future__ import annotations

import html
import os
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
    """One bad command line: ``args`` may contain {name} fields filled from :func:`make_fixtures`."""

    what: str
    args: tuple[str | bytes, ...]
    code: int = 2
    env: tuple[tuple[str, str], ...] = ()
    note: str = ""  # for exit 0: what hpguide does instead of failing


def C(what: str, *args: str | bytes, code: int = 2, note: str = "", **env: str) -> Case:  # short: one per table row
    return Case(what, args, code, tuple(env.items()), note)


_CACHE_NOTE = "works (exit 0), same output as with a good cache: the cache is skipped and the KB compiled"

CASES: list[Case] = [
    C("no inputs at all", "query"),
    C("empty quantity", "query", "--params", ""),
    C("blank quantity", "query", "--params", "   "),
    C("negative quantity (looks like a flag)", "query", "--params", "-7B"),
    C("negative quantity", "query", "--params=-7B"),
    C("negative number", "query", "--batch-size", "-1"),
    C("zero", "query", "--d-model", "0"),
    C("zero sequence length", "query", "--params", "7B", "--seq-len", "0"),
    C("NaN", "query", "--params", "nan"),
    C("infinity", "query", "--params", "inf"),
    C("overflow", "query", "--params", "1e400"),
    C("underflow", "query", "--compute", "1e-400"),
    C("doubled suffix", "query", "--tokens", "1TT"),
    C("lowercase b (bits? billions?)", "query", "--params", "7b"),
    C("GB instead of B", "query", "--params", "7GB"),
    C("thousands separators", "query", "--params", "7,000,000,000"),
    C("hexadecimal", "query", "--params", "0x10"),
    C("non-ASCII digits", "query", "--params", "\u0667B"),
    C("non-UTF-8 bytes in an argument", "query", "--params", b"7\xffB"),
    C("100,000-character argument", "query", "--params", "7" * 100_000),
    C("--set without =", "query", "--params", "7B", "--set", "eta"),
    C("--set without a name", "query", "--params", "7B", "--set", "=3e-4"),
    C("--set of an unknown symbol", "query", "--params", "7B", "--set", "etaa=3e-4"),
    C("--set with a bad value", "query", "--params", "7B", "--set", "eta=fast"),
    C("one quantity given twice", "query", "--params", "7B", "--set", "N=8B"),
    C("unknown output format", "query", "--params", "7B", "--format", "yaml"),
    C("unknown entry", "query", "--params", "7B", "--entry", "nope"),
    C("unknown flag", "query", "--frobnicate"),
    C("misspelt flag", "query", "--d-modle", "4096"),
    C("unknown command", "frobnicate"),
    C("unknown symbol to explain", "explain", "etaa", "--params", "7B"),
    C("unknown entry to show", "show", "compute-6n"),
    C("missing KB directory", "query", "--params", "7B", "--kb", "{tmp}/no-such-kb"),
    C("a file instead of the KB directory", "list", "--kb", "{kb}/symbols.yaml"),
    C("a directory that is not a KB", "list", "--kb", "{tmp}/empty"),
    C("registry that is a directory", "list", "--kb", "{registry_dir}"),
    C("HPGUIDE_KB points nowhere", "list", HPGUIDE_KB="{tmp}/no-such-kb"),
    C("broken symbol registry", "validate", "--kb", "{broken_registry}"),
    C("invalid KB", "validate", "--kb", "{invalid_kb}", code=1),
    C("non-UTF-8 entry file", "validate", "--kb", "{latin1_kb}", code=1),
    C("a directory named like an entry file", "validate", "--kb", "{dir_entry_kb}", code=0,
      note="works (exit 0): a directory is searched for entries, never read as a file"),
    C("fmt of a non-UTF-8 file", "fmt", "{latin1_kb}/latin1.yaml"),
    C("fmt of a missing file", "fmt", "{tmp}/missing.yaml"),
    C("fmt of a file with a python tag", "fmt", "{tagged}"),
    C("new without a terminal and flags", *NEW[:5]),
    C("new with an unknown kind", *NEW[:6], "lawful", *NEW[7:], "--equation", "eta=c*N"),
    C("new with a versioned arXiv id", *NEW[:-1], "2401.02954v2", "--equation", "eta=c*N"),
    C("new with code in the equation", *NEW, "--equation", "eta=__import__('os').system('true')"),
    C("new with an unregistered output", *NEW, "--equation", "lr=c*N"),
    C("new over an existing id", *NEW[:4], "good-law", *NEW[5:], "--equation", "eta=c*N"),
    C("fmt of a file that is not an entry", "fmt", "{passwd}"),
    C("fmt through a symlink, even with --force", "fmt", "--force", "{symlink}"),
    C("fit --plot onto an existing file", "fit", "{runs_csv}", "--form", "power", "--x", "N=N", "--y", "eta=eta",
      "--plot", "{existing}"),
    C("fit --emit-entry onto an existing file", "fit", "{runs_csv}", "--form", "power", "--x", "N=N", "--y",
      "eta=eta", "--emit-entry", "{existing}"),
    C("schedule --plot onto an existing file", "schedule", "--kind", "cosine", "--peak", "3e-4", "--steps", "1000",
      "--warmup", "100", "--plot", "{existing}"),
    C("schedule --plot through a symlink", "schedule", "--kind", "cosine", "--peak", "3e-4", "--steps", "1000",
      "--warmup", "100", "--plot", "{symlink}", "--force"),
    C("schedule --plot in a format matplotlib lacks", "schedule", "--kind", "cosine", "--peak", "3e-4", "--steps",
      "1000", "--warmup", "100", "--plot", "{tmp}/lr.xyz"),
    C("site build onto the folder that holds the KB", "site", "build", "--kb", "{scratch_kb}", "--out", "{tmp}"),
    C("site build into the KB", "site", "build", "--kb", "{scratch_kb}", "--out", "{scratch_kb}/site"),
    C("site build onto a non-empty folder that is no earlier build", "site", "build", "--kb", "{scratch_kb}",
      "--out", "{full_dir}"),
    C("site build onto a file", "site", "build", "--kb", "{scratch_kb}", "--out", "{existing}"),
    C("a line break and code in kb.yaml's release", "validate", "--kb", "{bad_release_kb}", code=1),
    C("diff against an unknown revision", "diff", "no-such-rev"),
    C("diff against an option-like revision", "diff", "--", "--output=/tmp/x"),
    C("diff outside a git checkout", "diff", "HEAD", "--kb", "{scratch_kb}"),
    C("unwritable cache location (a path under a file)", "query", "--params", "7B", "--tokens", "1T", code=0,
      note=_CACHE_NOTE, HPGUIDE_CACHE_DIR="{tmp}/a-file/cache"),
    C("corrupt cache files", "query", "--params", "7B", "--tokens", "1T", code=0, note=_CACHE_NOTE,
      HPGUIDE_CACHE_DIR="{corrupt_cache}"),
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
        return self.code == self.case.code and not self.traceback

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


def markdown(outcomes: list[Outcome], fields: dict[str, str]) -> str:
    """The table of docs/bad-inputs.md."""
    def cell(text: str) -> str:
        first, *more = text.split("\n")
        more_html = "".join("<br><code>" + html.escape(line, quote=False).replace(" ", "&nbsp;") + "</code>"
                            for line in more)
        return first.replace("|", "\\|").replace("`", "'") + more_html.replace("|", "&#124;")

    lines = [
        "# Bad inputs, and what hpguide says",
        "",
        "Every row was produced by running the command through the real CLI (`python tools/bad_inputs.py`, which",
        "prints this page; `tests/test_bad_inputs.py` runs the same cases and asserts the exit code and that no",
        "traceback is printed). Exit code 2 is bad input, 1 an invalid knowledge base, 0 a situation hpguide copes",
        "with. `$TMP` is a scratch directory with the broken files the rows refer to; `$KB` is `heuristics/`.",
        "",
        "| # | input | command | exit | what hpguide prints (stderr; stdout for `validate`) |",
        "|---|---|---|---|---|",
    ]
    for i, o in enumerate(outcomes, 1):
        mark = "" if o.ok else " **(unexpected)**"
        shown = _shown(o.case, fields)
        lines.append(f"| {i} | {cell(o.case.what)} | `{cell(shown)}` | {o.code}{mark} | {cell(o.message(fields))} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="hpguide-bad-") as tmp:
        fields = make_fixtures(Path(tmp))
        outcomes = run_all(fields)
        sys.stdout.write(markdown(outcomes, fields))
    bad = [o for o in outcomes if not o.ok]
    for o in bad:
        sys.stderr.write(f"unexpected: {o.case.what}: exit {o.code} (want {o.case.code})"
                         f"{', traceback' if o.traceback else ''}\n")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
