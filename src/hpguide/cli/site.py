"""Command line of `hpguide site build` and `hpguide site serve` (the guide site).

Parsing and rendering only; :mod:`hpguide.site.generate` does the work.
"""

from __future__ import annotations

from .main import add_kb_option


def register(sub) -> None:
    """Add ``hpguide site build|serve``."""
    site = sub.add_parser("site", help="build or preview the static guide site (MkDocs-material)",
                          description="Generate the guide site from the KB (one page per entry, topics, "
                          "comparisons, the published-configs table, the calculator) and build it with MkDocs "
                          "in strict mode. Needs the site extra: pip install '.[site]'.")
    actions = site.add_subparsers(dest="site_command", metavar="ACTION", required=True)
    build = actions.add_parser("build", help="build the static site into a directory")
    build.add_argument("--out", default="site/build",
                       help="output directory (default: site/build); the build replaces it, so it must be new, empty "
                       "or an earlier build (marked by its .hpguide-site file), and never holds the KB or the site "
                       "sources")
    build.add_argument("--site", metavar="DIR", help="site sources (default: the site/ beside the KB)")
    build.add_argument("--no-strict", action="store_true", help="do not fail on MkDocs warnings")
    add_kb_option(build)
    build.set_defaults(handler=cmd_build)
    serve = actions.add_parser("serve", help="build, then serve the site on http://127.0.0.1:PORT")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--site", metavar="DIR", help="site sources (default: the site/ beside the KB)")
    add_kb_option(serve)
    serve.set_defaults(handler=cmd_serve)


def _log_mkdocs() -> None:
    import logging

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("mkdocs: %(levelname)s %(message)s"))
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)


def cmd_build(args, out) -> int:
    import time

    from ..kb.load import locate_kb
    from ..site.generate import build, find_site

    _log_mkdocs()
    start = time.perf_counter()
    site = find_site(args.site, kb_root=locate_kb(args.kb))
    path = build(args.out, kb_root=args.kb, site=site, strict=not args.no_strict)
    out.write(f"site built in {path} ({time.perf_counter() - start:.1f} s); open {path}/index.html\n")
    return 0


def cmd_serve(args, out) -> int:
    import functools
    import http.server
    import tempfile

    from ..kb.load import locate_kb
    from ..site.generate import build, find_site

    _log_mkdocs()
    site = find_site(args.site, kb_root=locate_kb(args.kb))
    with tempfile.TemporaryDirectory(prefix="hpguide-serve-") as tmp:
        path = build(tmp, kb_root=args.kb, site=site, strict=False)
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(path))
        with http.server.ThreadingHTTPServer(("127.0.0.1", args.port), handler) as server:
            out.write(f"serving {path} on http://127.0.0.1:{args.port}/ (Ctrl-C stops)\n")
            out.flush()
            try:
                server.serve_forever()
            except KeyboardInterrupt:
                pass
    return 0
