"""Writing files so that a crash or a concurrent reader never sees half of one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from agent_tui.core.private_files import FILE_MODE, private_dir


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Read once at import (os.umask is process-wide and not thread-safe to probe later).
_UMASK = _current_umask()


def atomic_write(path: Path, content: str | bytes, *, private: bool = False) -> None:
    """Write through a temporary file in the same folder and `os.replace` it, so readers never see a torn file.

    Symlinks are followed (the target is rewritten, the link stays); an existing file keeps its mode, unless
    `private` (our own state files): then the file is 0600 and a missing folder 0700, whatever the umask.
    """
    target = path.resolve() if path.is_symlink() else path
    if private:
        private_dir(target.parent)
        mode = FILE_MODE
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            mode = target.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o666 & ~_UMASK
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
