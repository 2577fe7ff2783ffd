"""The command line: argument parsing and rendering only, one module per command group.

main (the entry point, query/explain/list/show/validate ...), report (the
terminal and Markdown rendering of a query), fit, tools (verify, transfer,
schedule, sweep), contrib (new, fmt, diff, changelog) and site. Every other
layer may be used from here; nothing below imports it.
"""
