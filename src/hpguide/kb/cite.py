"""Citations: a one-line reference and BibTeX for an entry's sources."""

from __future__ import annotations

import re

from ..core.schema import Entry, Source

__all__ = ["short_reference", "short_citation", "bibtex_key", "bibtex"]


def _last_name(author: str) -> str:
    words = [w for w in re.split(r"\s+", author.strip()) if w]
    return words[-1] if words else "anon"


def short_citation(source: Source) -> str:
    """``Hoffmann et al. 2022, arXiv:2203.15556, Table A3`` (with the locator)."""
    return f"{short_reference(source)}, {source.where}"


def short_reference(source: Source) -> str:
    """``Hoffmann et al. 2022, arXiv:2203.15556`` (without the locator)."""
    authors = [a for a in source.authors if a.lower() not in ("et al.", "et al", "others")]
    if not authors:
        who = source.title
    elif len(authors) == 1 and len(source.authors) == 1:
        who = authors[0]  # a single named author is often an organisation ("Epoch AI")
    elif len(authors) == 2 and len(source.authors) == 2:
        who = f"{_last_name(authors[0])} & {_last_name(authors[1])}"
    else:
        who = f"{_last_name(authors[0])} et al."
    ident = f"arXiv:{source.arxiv}" if source.arxiv else (f"doi:{source.doi}" if source.doi else source.url)
    return f"{who} {source.year}, {ident}"


def bibtex_key(source: Source) -> str:
    """A stable key: first author's last name, year, first long title word."""
    first = re.sub(r"[^a-z]", "", _last_name(source.authors[0]).lower()) or "anon"
    words = [re.sub(r"[^a-z]", "", w.lower()) for w in source.title.split()]
    word = next((w for w in words if len(w) > 3), words[0] if words else "x")
    return f"{first}{source.year}{word}"


def _escape(text: str) -> str:
    return re.sub(r"([{}&%$#_])", r"\\\1", text)


def bibtex(entry: Entry) -> str:
    """BibTeX records for every source of ``entry``, separated by blank lines."""
    records = []
    for source in entry.sources:
        authors = " and ".join(
            "others" if a.lower().rstrip(".") in ("et al", "others") else _escape(a) for a in source.authors
        )
        fields = [("title", "{" + _escape(source.title) + "}"), ("author", authors), ("year", str(source.year))]
        kind = "misc"
        if source.arxiv:
            fields += [("eprint", source.arxiv), ("archivePrefix", "arXiv"),
                       ("url", f"https://arxiv.org/abs/{source.arxiv}")]
            kind = "article"
            fields.append(("journal", f"arXiv preprint arXiv:{source.arxiv}"))
        if source.doi:
            fields.append(("doi", source.doi))
        if source.url and not source.arxiv:
            fields.append(("howpublished", "\\url{" + source.url + "}"))
        if source.venue:
            fields.append(("note", _escape(source.venue)))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        records.append(f"@{kind}{{{bibtex_key(source)},\n{body}\n}}")
    return "\n\n".join(records) + "\n"
