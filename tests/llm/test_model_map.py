"""litellm's model map read without importing litellm: one entry found in the bundled file equals what
json.loads of the whole file gives (for every key of the installed litellm), and once litellm is imported its
own table answers and no second copy is kept."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from agent_tui.core.llm import model_map


def whole_file() -> dict[str, dict]:
    path = model_map.bundled_path()
    assert path is not None and path.is_file()
    return json.loads(path.read_text(encoding="utf-8"))


def test_every_key_found_in_the_file_equals_json_loads() -> None:
    # Fails loudly if a litellm upgrade writes its file in a layout the byte search misses.
    table = whole_file()
    assert len(table) > 1000
    wrong = [key for key in table if model_map._from_file(key) != model_map._resolved(table, key)]
    assert wrong == []


def test_alias_rows_are_served_as_the_model_they_name() -> None:
    table = whole_file()
    aliases = {key: entry["alias_of"] for key, entry in table.items() if isinstance(entry.get("alias_of"), str)}
    if not aliases:
        pytest.skip("this litellm has no alias rows")
    key, target = next(iter(aliases.items()))
    assert model_map._from_file(key) == table[target]
    assert "alias_of" not in (model_map._from_file(key) or {})


def test_unknown_keys_and_the_sample_row_are_none() -> None:
    assert model_map._from_file("no-such-provider/no-such-model") is None
    assert model_map._from_file("sample_spec") is None
    assert model_map._from_file("max_input_tokens") is None  # a field name inside entries, not a model


TRAPS = {"a/one": {"litellm_provider": "a", "max_input_tokens": 1},
         "a/two": {"litellm_provider": "a", "nested": {"a/one": {"litellm_provider": "x"}}},
         "a/alias": {"alias_of": "a/two"}}


@pytest.mark.parametrize("layout", ["indented", "unindented key", "one line"])
def test_other_layouts_read_as_json_loads_reads_them(layout: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # A field inside an entry named like a model is not that model; a hand-edited line without indent is one;
    # a file that is not one key a line is parsed whole.
    text = json.dumps(TRAPS) if layout == "one line" else json.dumps(TRAPS, indent=4)
    if layout == "unindented key":
        text = text.replace('\n    "a/one"', '\n"a/one"')
    path = tmp_path / model_map.BUNDLED_FILE
    path.write_text(text)
    monkeypatch.setattr(model_map, "bundled_path", lambda: path)
    monkeypatch.setattr(model_map, "_whole", None)
    for key in TRAPS:
        assert model_map._from_file(key) == model_map._resolved(TRAPS, key)
    assert model_map._from_file("a/one") == TRAPS["a/one"]
    assert model_map._from_file("a/alias") == TRAPS["a/two"]
    assert model_map._from_file("a/three") is None


CHILD = r"""
import json, sys
from agent_tui.core.llm import litellm_loader, model_map
from agent_tui.core.llm.catalog import Catalog
from agent_tui.core.config import Config
catalog = Catalog(Config(), env={"OPENAI_API_KEY": "k", "ANTHROPIC_API_KEY": "k"})
specs = [("openai", "gpt-4o"), ("anthropic", "claude-sonnet-4-5"), ("openai", "no-such-model")]
before = [catalog.model_info(p, m).model_dump(mode="json") for p, m in specs]
picked_before = sorted(m.id for m in catalog.models("openai") + catalog.models("anthropic"))
assert "litellm" not in sys.modules
litellm_loader.load_litellm()
after = [catalog.model_info(p, m).model_dump(mode="json") for p, m in specs]
picked_after = sorted(m.id for m in catalog.models("openai") + catalog.models("anthropic"))
table = json.loads(model_map.bundled_path().read_text())
aliases = sorted(k for k, v in table.items() if "alias_of" in v)
kept_copy = model_map._whole is not None or bool(model_map._found)
print(json.dumps({"aliases": aliases, "same": before == after, "kept_copy": kept_copy,
                  "picked": [picked_before, picked_after], "before": before}))
"""


@pytest.mark.slow
def test_catalog_answers_the_same_before_and_after_litellm_loads_and_keeps_no_copy(
        subprocess_env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-c", CHILD], env=subprocess_env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["same"], result
    assert result["kept_copy"] is False  # the whole-file copy the picker made is dropped for litellm's own
    assert result["picked"][0] == result["picked"][1]  # the picker lists models by their own names only
    assert len(result["picked"][0]) > 10 and not set(result["picked"][0]) & set(result["aliases"])
    assert result["before"][0]["context"] > 100_000 and result["before"][0]["known"]
    assert result["before"][2]["known"] is False
