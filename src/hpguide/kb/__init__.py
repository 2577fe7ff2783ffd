"""The knowledge base: locating, loading, validating, caching and editing a KB directory.

locate (which directory), load (YAML -> schema -> compiled formulas), the
compiled cache the fast query path reads, validate, versioning (the rules a
pull request is checked by), fmt, scaffold (``hpguide new``), placeholders and
citations. Imports only :mod:`hpguide.core`.
"""
