"""The output folder as a unit: built aside, published whole, written by one build at a time.

A build never writes into the site a web server may be serving. Sphinx writes
into ``OUT/.staging/html`` and ``OUT/.staging/doctrees``, which start as exact
copies of ``OUT/html`` and ``OUT/doctrees`` (only the files that differ are
copied, so an incremental build stays incremental). When the build has finished
without a write failure, each staged folder trades places with the published
one in one ``rename``; the previous version then waits in ``.staging`` to be
brought up to date by the next build.

The site is published before the saved state: a build killed between the two
leaves a site newer than its state, which the next build only rewrites; the
other way round it would trust pages it never wrote.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

LOCK_FILE = ".kaderpers.lock"


class OutputError(Exception):
    """A problem with the output folder, said in one line for the person building."""


def describe(error: OSError) -> str:
    """An ``OSError`` as "path: reason", the way a person reads it."""
    reason = error.strerror or str(error)
    return f"{error.filename}: {reason}" if error.filename else reason


@contextmanager
def exclusive(out: Path) -> Iterator[None]:
    """Hold ``OUT`` for this build: a second build into the same folder stops at once.

    The lock is the open file's, so processes this build forks (parallel readers,
    the exports writer) hold it too until they end.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
        handle: IO[str] = open(out / LOCK_FILE, "a+", encoding="utf-8")  # noqa: SIM115 - held for the whole build
    except OSError as error:
        raise OutputError(f"cannot write to the output folder {out}: {describe(error)}; choose an --out you can write to") from error
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise OutputError(f"another build is writing to {out} ({holder}); wait for it to finish or build into another --out") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()}")
        handle.flush()
        yield


def _same(source: os.stat_result, target: os.stat_result) -> bool:
    return stat.S_IFMT(source.st_mode) == stat.S_IFMT(target.st_mode) and source.st_size == target.st_size and source.st_mtime_ns == target.st_mtime_ns


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def _copy(source: Path, target: Path, status: os.stat_result) -> None:
    """A fresh file of our own (never writing through into the old one), with the source's times:
    Sphinx compares them with the sources' to find what is out of date."""
    if stat.S_ISLNK(status.st_mode):
        os.symlink(os.readlink(source), target)
        return
    shutil.copyfile(source, target)
    os.utime(target, ns=(status.st_atime_ns, status.st_mtime_ns))


def mirror(source: Path, target: Path) -> None:
    """Make ``target`` an exact copy of ``source`` (empty when there is none), copying only what differs."""
    target.mkdir(parents=True, exist_ok=True)
    wanted: dict[str, os.DirEntry[str]] = {}
    if source.is_dir():
        with os.scandir(source) as entries:
            wanted = {entry.name: entry for entry in entries}
    with os.scandir(target) as entries:
        present = {entry.name: entry.stat(follow_symlinks=False) for entry in entries}
    for name, status in present.items():
        entry = wanted.get(name)
        if entry is None or (stat.S_ISDIR(status.st_mode) != entry.is_dir(follow_symlinks=False)):
            _remove(target / name)
            present[name] = None  # type: ignore[assignment]
    for name, entry in wanted.items():
        if entry.is_dir(follow_symlinks=False):
            mirror(Path(entry.path), target / name)
            continue
        status = entry.stat(follow_symlinks=False)
        existing = present.get(name)
        if existing is not None and _same(status, existing):
            continue
        if existing is not None:
            _remove(target / name)
        _copy(Path(entry.path), target / name, status)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step (Linux ``renameat2``); False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def publish(staged: Path, published: Path) -> None:
    """Put ``staged`` where ``published`` is, in one step; the old ``published`` goes to ``staged``."""
    if not published.exists():
        staged.rename(published)
    elif not _exchange(staged, published):
        # Two renames: for a moment there is no published folder, but never a half-written one.
        aside = staged.with_name(staged.name + ".previous")
        if aside.exists():
            _remove(aside)
        published.rename(aside)
        staged.rename(published)
        aside.rename(staged)
