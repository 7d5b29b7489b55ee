"""litellm's table of model limits and prices, read without importing litellm and without a second copy of it.

Once litellm is imported (core/llm/litellm_loader.py does that in the background after the first frame) its own
`litellm.model_cost` answers: the same bundled file, already parsed, with its `alias_of` rows resolved. Before
that, one model is looked up in the bundled JSON file itself. Each model's key starts a line of its own
(`    "openai/gpt-4o": {`; the fields inside are indented further), so the last such line is found with a byte
search and its entry decoded alone: about a millisecond, instead of parsing 3.5 MB (60 ms of CPU, 5 MB held) for
the one or two models the first frame shows. Listing every model before litellm has loaded (the model picker in
the first seconds) parses the whole file once; that copy is dropped as soon as litellm has its own.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import mmap
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from agent_tui.core.llm.litellm_loader import is_loaded

log = logging.getLogger(__name__)

Entry = Mapping[str, Any]

BUNDLED_FILE = "model_prices_and_context_window_backup.json"
_FIELD_INDENT = 8  # json.dump(indent=4): models at 4 spaces, their fields at 8
_WINDOW = 64 * 1024  # an entry is a few hundred bytes; a longer one is decoded from the rest of the file
_decoder = json.JSONDecoder()
_whole: dict[str, dict[str, Any]] | None = None  # the whole file, parsed, until litellm's own table exists
_found: dict[str, Entry | None] = {}  # entries looked up in the file, until litellm's own table exists


@cache
def bundled_path() -> Path | None:
    """The JSON file inside the installed litellm package (found without importing it)."""
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / BUNDLED_FILE


def _litellm_table() -> Mapping[str, Entry] | None:
    if not is_loaded():
        return None
    table = getattr(sys.modules.get("litellm"), "model_cost", None)
    return table if isinstance(table, Mapping) and table else None


def lookup(key: str) -> Entry | None:
    """The entry for one model key (`openai/gpt-4o`, `claude-sonnet-4-5`, …), or None."""
    global _whole
    table = _litellm_table()
    if table is not None:
        _whole = None
        _found.clear()
        return None if key == "sample_spec" else table.get(key)
    if _whole is not None:
        return _resolved(_whole, key)
    if key not in _found:  # the first frame asks for the same model three times
        try:
            _found[key] = _from_file(key)
        except (OSError, ValueError) as exc:
            log.warning("cannot read litellm's model map %s: %s", bundled_path(), exc)
            return None
    return _found[key]


def entries() -> Mapping[str, Entry]:
    """Every model under its own name (not under the other names `alias_of` rows give it), with its entry."""
    global _whole
    table = _litellm_table()
    if table is not None:
        _whole = None
        # litellm serves an alias as its owner's entry, whose `names` start with the owner's own key.
        return {key: entry for key, entry in table.items() if (getattr(entry, "names", None) or (key,))[0] == key}
    if _whole is None:
        _whole = _parse_whole()
    return {key: entry for key, entry in _whole.items()
            if key != "sample_spec" and _is_model(entry) and not isinstance(entry.get("alias_of"), str)}


def _resolved(table: Mapping[str, Entry], key: str) -> Entry | None:
    """An `alias_of` row is served as the row it names, as litellm does (or dropped if that names nothing)."""
    entry = table.get(key)
    if entry is None or key == "sample_spec" or not _is_model(entry):
        return None
    target = entry.get("alias_of")
    if isinstance(target, str):
        owner = table.get(target)
        return owner if owner is not None and not isinstance(owner.get("alias_of"), str) else None
    return entry


def _is_model(entry: Entry) -> bool:
    return "litellm_provider" in entry or "alias_of" in entry  # not a table of rules stored beside the models


def _parse_whole() -> dict[str, dict[str, Any]]:
    path = bundled_path()
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("cannot read litellm's model map %s: %s", path, exc)
        return {}
    return data if isinstance(data, dict) else {}


def _from_file(key: str) -> Entry | None:
    path = bundled_path()
    if path is None:
        return None
    with path.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if data[:2] != b"{\n":  # not one key a line: read it all, as before
            global _whole
            _whole = _parse_whole()
            return _resolved(_whole, key)
        entry = _entry_at(data, key)
        if entry is None or key == "sample_spec":
            return None
        target = entry.get("alias_of")
        if isinstance(target, str):
            owner = _entry_at(data, target)
            return owner if owner is not None and not isinstance(owner.get("alias_of"), str) else None
        return entry


def _entry_at(data: mmap.mmap, key: str) -> dict[str, Any] | None:
    """The object under `"key":` at the start of a line indented less than the fields inside entries (8 spaces):
    a model's key, not a field's. The last such, as json.loads keeps the last of repeated keys.
    tests/llm/test_model_map.py checks every key of the installed file against json.loads."""
    needle = json.dumps(key).encode() + b":"
    end = len(data)
    while (at := data.rfind(needle, 0, end)) >= 0:
        end = at
        line_start = data.rfind(b"\n", 0, at) + 1
        if at - line_start >= _FIELD_INDENT or data[line_start:at].strip(b" \t"):
            continue
        value = _decode_from(data, at + len(needle))
        if isinstance(value, dict) and _is_model(value):
            return value
    return None


def _decode_from(data: mmap.mmap, start: int) -> Any:
    for end in (start + _WINDOW, len(data)):
        text = data[start:end].decode("utf-8", errors="replace").lstrip()
        try:
            value, _ = _decoder.raw_decode(text)
        except ValueError:
            if end >= len(data):
                return None
            continue
        return value
    return None
