#!/usr/bin/env bash
# The test suite under coverage.py, the CLI's subprocess runs included, then the report per module.
#
#   tools/coverage.sh                      # whole suite
#   tools/coverage.sh tests/cli            # any pytest arguments
#   PYTHON=/path/to/python tools/coverage.sh
#
# Most CLI tests run `python -m hpguide ...` in a child process; coverage.py measures those only with
# [tool.coverage.run] patch = ["subprocess"] (pyproject.toml), which needs coverage >= 7.10. Not part of the
# default test run: measurement makes the suite about 1.5-2x slower, and the suite itself does not need coverage.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python}"

if ! "$python" -c 'import sys, coverage; sys.exit(tuple(map(int, coverage.__version__.split(".")[:2])) < (7, 10))' \
    2>/dev/null; then
  echo "tools/coverage.sh: needs coverage >= 7.10 in $python: pip install 'coverage>=7.10'" >&2
  exit 2
fi

data="$(mktemp -d)"
trap 'rm -rf "$data"' EXIT
# An absolute data file: children run in scratch directories and must write their data here.
export COVERAGE_FILE="$data/.coverage"
status=0
"$python" -m coverage run -m pytest -q -p no:cacheprovider "$@" || status=$?
"$python" -m coverage combine --quiet
"$python" -m coverage report
exit "$status"
