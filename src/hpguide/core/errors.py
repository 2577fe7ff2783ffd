"""The project's own exception types.

Every error that hpguide raises on bad input derives from :class:`HpguideError`,
so callers (the CLI above all) can catch one type and print one clean line.
"""

from __future__ import annotations


class HpguideError(Exception):
    """Base class of every error hpguide raises for bad input or a bad KB."""


class QuantityError(HpguideError, ValueError):
    """A human quantity such as ``7B`` or ``1e21`` could not be read."""


class FormulaError(HpguideError, ValueError):
    """A formula is not allowed or cannot be evaluated.

    ``source`` and the column ``span`` (start, end) locate the bad part, so the
    message can show the formula with a caret under it, as pypa/packaging does.
    """

    def __init__(self, message: str, source: str = "", span: tuple[int, int] | None = None):
        self.reason = message
        self.source = source
        self.span = span
        super().__init__(self._render())

    def _render(self) -> str:
        if not self.source or self.span is None or len(self.source) > 200 or "\n" in self.source:
            return self.reason
        start, end = self.span
        start = max(0, min(start, len(self.source)))
        end = max(start + 1, min(end, len(self.source) + 1))
        caret = " " * start + "^" + "~" * (end - start - 1)
        return f"{self.reason}\n    {self.source}\n    {caret}"


class UnknownNameError(FormulaError):
    """A formula uses a name that is neither a registered symbol nor a constant."""


class KBError(HpguideError):
    """The knowledge base could not be found or read at all."""


class UsageError(HpguideError):
    """The caller asked for something that makes no sense (exit code 2 in the CLI)."""
