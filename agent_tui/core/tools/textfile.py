"""A text file as the edit tools see it, and back to the exact bytes it came from: its encoding (UTF-8, or UTF-8,
UTF-16 or UTF-32 with a byte-order mark), its line endings and its final newline are kept as found.

Tools edit `TextFile.text`: LF endings when the file uses one convention throughout (CRLF files are converted
back on writing), the file's own endings when it mixes them (so untouched lines keep theirs byte for byte).
Whatever the model sends goes through `from_model` first, so a CRLF or mixed `old_string` matches an LF file
and never leaves a stray `\\r` (or `\\r\\r\\n`) behind.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def bom_encoding(head: bytes) -> tuple[bytes, str] | None:
    """The byte-order mark `head` starts with and the codec of what follows, or None."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return bom, codec
    return None


def python_encoding(head: bytes) -> str:
    """The encoding name for `open()`: it strips a byte-order mark itself with these."""
    found = bom_encoding(head)
    if found is None:
        return "utf-8"
    return {"utf-8": "utf-8-sig", "utf-16-le": "utf-16", "utf-16-be": "utf-16"}.get(found[1], "utf-32")


def lf(text: str) -> str:
    return text.replace("\r\n", "\n")


@dataclass
class TextFile:
    text: str  # what the tools edit (see the module note)
    codec: str = "utf-8"
    bom: bytes = b""
    crlf: bool = False  # the file is CRLF throughout: `text` holds LF and is converted back when written
    newline: str = "\n"  # the file's dominant line ending
    raw: bytes | None = None  # the bytes read, None for a file that does not exist yet

    @property
    def mixed(self) -> bool:
        return not self.crlf and "\r\n" in self.text

    @classmethod
    def decode(cls, data: bytes) -> TextFile:
        """Raises UnicodeDecodeError when `data` is not text in a supported encoding."""
        bom, codec = bom_encoding(data) or (b"", "utf-8")
        text = data[len(bom) :].decode(codec)
        crlf_count = text.count("\r\n")
        lf_only = text.count("\n") - crlf_count
        newline = "\r\n" if crlf_count > lf_only else "\n"
        crlf = crlf_count > 0 and lf_only == 0
        return cls(
            text=lf(text) if crlf else text, codec=codec, bom=bom, crlf=crlf, newline=newline, raw=data
        )

    @classmethod
    def new(cls, text: str) -> TextFile:
        """A file about to be created: it takes the line endings the model wrote (if consistent)."""
        made = cls.decode(text.encode("utf-8"))
        made.raw = None
        return made

    def from_model(self, text: str) -> str:
        """A string from the model in this file's convention for `text`."""
        text = lf(text)
        return text.replace("\n", "\r\n") if self.mixed and self.newline == "\r\n" else text

    def encode(self, text: str) -> bytes:
        """`text` (in the convention of `self.text`) as the bytes of this file."""
        if self.crlf:
            text = lf(text).replace("\n", "\r\n")
        return self.bom + text.encode(self.codec)

    def keep_final_newline(self, edited: str) -> str:
        """An edit keeps the file's final newline, or its lack of one, as it was."""
        if not self.text or not edited:
            return edited
        had = self.text.endswith("\n")
        if had and not edited.endswith("\n"):
            return edited + ("\r\n" if self.mixed and self.newline == "\r\n" else "\n")
        if not had and edited.endswith("\n"):
            return edited[:-2] if edited.endswith("\r\n") else edited[:-1]
        return edited
