"""Core: the pieces every other layer builds on, and that know nothing of a KB.

errors and diagnostic codes, small records, quantities ("7B" <-> numbers, one
display rule), the safe formula engine (ast allow-list -> sympy -> compiled
trees), evaluation, derivation over equations, the entry schema and the safe
YAML reader. Imports nothing from the other layers.
"""
