"""Citations: a one-line reference and BibTeX for an entry's sources."""

from __future__ import annotations

import re
from urllib.parse import quote

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


#: What each character special to TeX becomes in a BibTeX text field: every one of them,
#: so that no title or name can unbalance a record's braces, open math, start a comment or
#: run a command. Braces become commands, not \{ and \}: BibTeX counts every brace
#: character, escaped or not, so a lone \} would still end the field. Non-ASCII text stays
#: UTF-8 (biblatex and any UTF-8 LaTeX read it as is).
_TEX_ESCAPES = {
    "\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "%": r"\%", "&": r"\&", "$": r"\$", "#": r"\#", "_": r"\_",
}
_TEX_SPECIAL = re.compile("[" + re.escape("".join(_TEX_ESCAPES)) + "]")

#: Characters a URI may hold as they are (RFC 3986 unreserved and reserved, and '%' of an escape),
#: less '~', which is an active character in TeX and means the same as its escape %7E.
_URI_SAFE = "-._" + ":/?#[]@!$&'()*+,;=" + "%"


def _escape(text: str) -> str:
    """``text`` for a BibTeX text field: whitespace collapsed to single spaces (a blank line
    would end the paragraph) and every TeX special character escaped (see ``_TEX_ESCAPES``)."""
    return _TEX_SPECIAL.sub(lambda m: _TEX_ESCAPES[m.group()], " ".join(text.split()))


def _uri(text: str) -> str:
    """``text`` with every character a URI may not hold as it is percent-encoded (braces,
    backslash, ``^``, ``~``, spaces, non-ASCII), which leaves the address the same and the
    braces of the record balanced."""
    return quote(text, safe=_URI_SAFE).replace("~", "%7E")  # quote never encodes '~'


def _url_argument(url: str) -> str:
    """``url`` as the argument of ``\\url`` inside a field: :func:`_uri`, and ``%`` and ``#``
    escaped, as hyperref's ``\\url`` needs them inside another command's argument (biblatex
    reads the field as one)."""
    return _uri(url).replace("%", r"\%").replace("#", r"\#")


def _author(name: str) -> str:
    """One name of the ``author`` list: escaped, and braced as a whole when it holds a comma
    or the word "and", which BibTeX would otherwise read as name parts or as two authors."""
    text = _escape(name)
    return "{" + text + "}" if "," in text or re.search(r"\band\b", text, re.IGNORECASE) else text


def bibtex(entry: Entry) -> str:
    """BibTeX records for every source of ``entry``, separated by blank lines.

    Text fields (title, authors, note) have every TeX special character escaped;
    addresses are percent-encoded where a URI needs it (see ``_uri``). The key
    and the arXiv fields are safe by construction (letters and digits; the
    schema's arXiv pattern).
    """
    records = []
    for source in entry.sources:
        authors = " and ".join(
            "others" if a.lower().rstrip(".") in ("et al", "others") else _author(a) for a in source.authors
        )
        fields = [("title", "{" + _escape(source.title) + "}"), ("author", authors), ("year", str(source.year))]
        kind = "misc"
        if source.arxiv:
            fields += [("eprint", source.arxiv), ("archivePrefix", "arXiv"),
                       ("url", f"https://arxiv.org/abs/{source.arxiv}")]
            kind = "article"
            fields.append(("journal", f"arXiv preprint arXiv:{source.arxiv}"))
        if source.doi:
            fields.append(("doi", _uri(source.doi)))  # a verbatim field: no TeX escapes
        if source.url and not source.arxiv:
            fields.append(("howpublished", "\\url{" + _url_argument(source.url) + "}"))
        if source.venue:
            fields.append(("note", _escape(source.venue)))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        records.append(f"@{kind}{{{bibtex_key(source)},\n{body}\n}}")
    return "\n\n".join(records) + "\n"
