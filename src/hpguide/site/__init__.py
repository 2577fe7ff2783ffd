"""The guide site: MkDocs pages generated from the KB (``hpguide site build``).

Imports core, kb and resolver; the calculator's JavaScript is fed the
compiled KB and held to the shared query corpus (tests/corpus/queries/).
"""
