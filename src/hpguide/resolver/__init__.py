"""The resolver: every applicable entry for a model and budget, side by side.

resolve (alternatives, range checks, conflicts, spread), the Python API behind
``hpguide.query`` and ``hpguide.evaluate_grid``, and kbdiff (how a KB change
moves the answers of standard queries). Imports core and kb.

Named ``resolver`` rather than ``query`` so that ``hpguide.query`` stays the
function of the public API.
"""
