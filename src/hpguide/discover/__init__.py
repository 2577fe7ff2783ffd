"""Discover and verify: from sweep runs to fitted laws, and published laws checked against data.

fitdata (reading runs), fit and its batched optimiser, fitentry (a fit emitted
as a KB entry), verify, transfer (muP / CompleteP), schedules and sweep plans.
Imports core, kb and resolver.
"""
