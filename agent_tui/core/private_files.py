"""Files and folders only the user can read: 0600 and 0700, whatever the umask.

Everything agent-tui keeps (the database, logs, saved tool output, state, exports) may hold conversation text,
so it is created private. The mode is set explicitly after creation (`fchmod`/`chmod`), because the mode given
to `open`/`mkdir` is filtered by the umask and a umask of 000 or 022 must not widen it; a file left wider by an
older version is narrowed the next time it is opened for writing.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import IO, Any

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) as 0700 folders. Existing parents are left alone."""
    missing: list[Path] = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            folder.mkdir(mode=DIR_MODE)
    if path.is_dir() and not path.is_symlink():
        with contextlib.suppress(OSError):  # a folder we do not own: use it as it is
            if path.stat().st_mode & 0o777 != DIR_MODE:
                path.chmod(DIR_MODE)
    for folder in missing:
        with contextlib.suppress(OSError):
            folder.chmod(DIR_MODE)
    return path


def private_fd(path: Path, flags: int) -> int:
    """`os.open` with 0600 applied whatever the umask (and to a file that already existed)."""
    fd = os.open(path, flags | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    except OSError:
        pass  # not ours (another user's file we may still write): leave its mode
    return fd


def open_private(path: Path, mode: str = "w", **kwargs: Any) -> IO[Any]:
    """Like `open(path, mode)` for writing ("w", "a", "wb", "ab"), the file created 0600."""
    flags = os.O_WRONLY | (os.O_APPEND if "a" in mode else os.O_TRUNC)
    return os.fdopen(private_fd(path, flags), mode, **kwargs)


def touch_private(path: Path) -> None:
    """Create `path` empty (if missing) as 0600, or narrow an existing file to 0600."""
    os.close(private_fd(path, os.O_WRONLY))


def write_private_text(path: Path, text: str, *, encoding: str = "utf-8", errors: str = "strict") -> None:
    with open_private(path, "w", encoding=encoding, errors=errors) as f:
        f.write(text)
