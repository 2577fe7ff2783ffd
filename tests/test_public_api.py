"""The curated public API at the package top, and the old import paths users rely on."""

from __future__ import annotations

import subprocess
import sys

import hpguide


def test_top_level_names_are_the_documented_functions():
    from hpguide.resolver import api

    assert hpguide.query is api.query
    assert hpguide.evaluate_grid is api.evaluate_grid
    assert sorted(dir(hpguide)) == sorted(hpguide.__all__)


def test_old_schedules_path_is_the_discover_module():
    import hpguide.schedules
    from hpguide.discover import schedules

    assert hpguide.schedules.get is schedules.get
    lr = hpguide.schedules.get("cosine", peak=1e-3, steps=1000, warmup=100, as_multiplier=True)
    assert lr(100) == 1.0 and lr(0) == 0.0


def test_importing_the_package_loads_no_layer():
    # start-up time: `import hpguide` must stay a few attribute definitions
    code = "import sys, hpguide; print(sorted(m for m in sys.modules if m.startswith('hpguide')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['hpguide']"


def test_every_name_in_a_modules_all_exists_at_run_time():
    # `from m import *` raises AttributeError for a name that exists only under TYPE_CHECKING
    import importlib
    import pkgutil

    missing = []
    for info in pkgutil.walk_packages(hpguide.__path__, "hpguide."):
        if info.name.endswith("__main__"):  # that one runs the CLI
            continue
        module = importlib.import_module(info.name)
        missing += [f"{info.name}.{name}" for name in getattr(module, "__all__", ()) if not hasattr(module, name)]
    assert missing == []
