"""Where the KB is found when neither --kb, $HPGUIDE_KB nor an enclosing checkout names one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import hpguide
from hpguide.kb.locate import fallback_kbs

from ..conftest import KB, ROOT


def test_fallbacks_are_the_source_tree_and_the_package_copy():
    source_tree, packaged = fallback_kbs()
    # both hang off the package directory (locate.py sits one level down, in kb/), wherever it is installed:
    # src/hpguide -> heuristics/ two levels up, and hpguide/_kb inside it
    package = Path(hpguide.__file__).resolve().parent
    assert Path(packaged) == package / "_kb"
    assert Path(source_tree) == package.parent.parent / "heuristics"


def test_outside_a_checkout_the_source_tree_kb_is_found(tmp_path):
    # run from this checkout's src/ (whatever copy of hpguide the suite imports): its heuristics/ is found
    env = {k: v for k, v in os.environ.items() if k != "HPGUIDE_KB"}
    env["PYTHONPATH"] = str(ROOT / "src")
    proc = subprocess.run([sys.executable, "-c", "from hpguide.kb.locate import find_kb; print(find_kb())"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.strip()) == KB.resolve()
