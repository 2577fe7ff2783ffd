"""Writing the files a user names, and KB text that goes into generated files.

Every command that writes a file the user named (``fit --plot``, ``fit
--emit-entry``, ``schedule --plot``, ``new``, ``fmt``) writes it through
:func:`write_file`:

- an existing file is never replaced unless the caller passes ``force`` (the
  ``--force`` flag of the command);
- the target must be a regular file or not exist: a directory, a symlink, a
  FIFO or a device is refused even with ``force`` (a symlink could point
  anywhere; writing "through" it is how a shared directory turns into a write
  to someone's file);
- the data is written to a temporary file in the same directory and moved
  into place (``os.link`` when the target must not exist, so a file that
  appears meanwhile is not clobbered; ``os.replace`` otherwise): a reader
  never sees half a file, a failed write leaves the old one, and a hard link
  to the old file is left pointing at the old content instead of being
  rewritten.

:func:`single_line` is for the other direction: free text (from the KB, which
arrives by pull request) that a generator has to put into a comment of a
generated script or config. Inside code, text goes through a serialiser
(``repr``, a YAML dumper); a comment has none, so the text is made one line
of printable characters.
"""

from __future__ import annotations

import os
import stat

from .errors import UsageError

__all__ = ["check_target", "single_line", "write_file"]


def _lstat(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def _exists(name: str, flag: str | None) -> str:
    if flag is None:
        return f"{name} already exists and is never overwritten: choose another path"
    return f"{name} already exists: pass {flag} to replace it, or choose another path"


def check_target(path: str | os.PathLike[str], force: bool = False, flag: str | None = "--force") -> None:
    """Raise :class:`UsageError` unless ``path`` may be written (see :func:`write_file`).

    Commands call it before long work (a fit, a plot) so that a refusal comes
    first; :func:`write_file` checks again when it writes.
    """
    name = os.fspath(path)
    if not name or name.endswith(os.sep):
        raise UsageError(f"{name or repr(name)} is not a file name: give the path of the file to write")
    st = _lstat(name)
    if st is not None:
        if stat.S_ISLNK(st.st_mode):
            raise UsageError(f"{name} is a symlink: hpguide does not write through symlinks; give the real path")
        if stat.S_ISDIR(st.st_mode):
            raise UsageError(f"{name} is a directory: give the path of the file to write")
        if not stat.S_ISREG(st.st_mode):
            raise UsageError(f"{name} is not a regular file (a FIFO, socket or device): give a file path")
        if not force:
            raise UsageError(_exists(name, flag))
    parent = os.path.dirname(os.path.abspath(name))
    if not os.path.isdir(parent):
        raise UsageError(f"cannot write {name}: the directory {parent} does not exist")


def write_file(path: str | os.PathLike[str], data: str | bytes, force: bool = False,
               flag: str | None = "--force") -> None:
    """Write ``data`` (text as UTF-8, line ends as given: no translation) to ``path`` atomically.

    Refuses (:class:`UsageError`) an existing file unless ``force``, and any
    target that is not a regular file. A replaced file keeps its permission
    bits; a new one gets the usual ``0o666`` less the umask. ``flag`` names the
    option that allows replacing, for the message (None: the command has none).
    """
    name = os.fspath(path)
    check_target(name, force, flag)
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    folder = os.path.dirname(os.path.abspath(name))
    base = os.path.basename(name)
    tmp = None
    for _ in range(100):
        candidate = os.path.join(folder, f".{base}.{os.urandom(4).hex()}.tmp")
        try:  # O_EXCL: never open a file (or follow a link) someone put there; mode 0o666 & ~umask
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise UsageError(f"cannot write {name}: {exc.strerror or exc}") from None
        tmp = candidate
        break
    if tmp is None:  # pragma: no cover - 100 random names taken
        raise UsageError(f"cannot write {name}: no free temporary name in {folder}")
    fd_open = True  # until fdopen's file object owns (and closes) it
    try:
        try:
            old = os.lstat(name)
        except FileNotFoundError:
            old = None
        if old is not None and stat.S_ISREG(old.st_mode) and hasattr(os, "fchmod"):
            os.fchmod(fd, stat.S_IMODE(old.st_mode))
        with os.fdopen(fd, "wb") as handle:
            fd_open = False
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if force:
            os.replace(tmp, name)
        else:
            try:
                os.link(tmp, name)  # fails if the name exists: a file that appeared meanwhile is kept
            except FileExistsError:
                raise UsageError(_exists(name, flag)) from None
            except OSError:  # a file system without hard links: the check above is the best there is
                check_target(name, False, flag)
                os.replace(tmp, name)
            else:
                os.unlink(tmp)
        tmp = None
    except OSError as exc:
        raise UsageError(f"cannot write {name}: {exc.strerror or exc}") from None
    finally:
        if fd_open:
            os.close(fd)
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def single_line(text: object, limit: int = 1000) -> str:
    """``text`` as one line of printable characters, at most ``limit`` long, for a comment of a generated file.

    Line breaks of any kind (``\\n``, ``\\r``, NEL, U+2028 ...), control and
    format characters (bidi overrides included) become ``\\uXXXX``-style
    escapes, so nothing after a ``#`` can start a new line of code or hide
    what a line says.

    >>> single_line("0.1\\nimport os; os.system('x')")
    "0.1\\\\nimport os; os.system('x')"
    """
    out = []
    for ch in str(text):
        if ch.isprintable():
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    line = "".join(out)
    return line if len(line) <= limit else line[: limit - 3] + "..."
