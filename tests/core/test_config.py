"""Configuration: global + project merge, JSON with comments, and errors that name file, place and expectation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent_tui.core import jsonc
from agent_tui.core.config import (
    Config,
    ConfigError,
    McpLocal,
    McpRemote,
    find_project_config,
    global_config_path,
    load_config,
    read_config_file,
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git checkout (a `.git` folder is all that marks it) with a nested working folder."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "src" / "pkg").mkdir(parents=True)
    return root


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path, directory: Path | None = None) -> str:
    before = path.read_bytes()
    with pytest.raises(ConfigError) as info:
        load_config(directory or path.parent)
    assert path.read_bytes() == before, "a config file was rewritten"
    return str(info.value)


def test_no_config_files_gives_defaults(tmp_path: Path) -> None:
    loaded = load_config(tmp_path)
    assert loaded.files == []
    assert loaded.config == Config()
    assert loaded.config.model is None and loaded.config.provider == {} and loaded.config.mcp == {}


def test_global_config_lives_in_the_config_dir(agent_tui_home: Path) -> None:
    assert global_config_path() == agent_tui_home / "config" / "agent-tui.json"


def test_reserved_keys_are_accepted(tmp_path: Path) -> None:
    write(
        tmp_path / "agent-tui.json",
        json.dumps(
            {
                "$schema": "https://example.invalid/schema.json",
                "model": "anthropic/claude-sonnet-4-5",
                "small_model": "openai/gpt-4o-mini",
                "provider": {"local": {"api": "openai", "base_url": "http://127.0.0.1:11434/v1", "models": {}}},
                "mcp": {"fs": {"type": "local", "command": ["mcp-fs", "."]}},
                "permission": {"edit": "ask", "bash": {"git status": "allow", "*": "ask"}},
                "keybinds": {"app.quit": "ctrl+q"},
                "theme": "textual-dark",
                "instructions": ["CONTRIBUTING.md"],
            }
        ),
    )
    config = load_config(tmp_path).config
    assert config.model == "anthropic/claude-sonnet-4-5"
    assert config.small_model == "openai/gpt-4o-mini"
    assert config.provider["local"].base_url == "http://127.0.0.1:11434/v1"
    assert isinstance(config.mcp["fs"], McpLocal)
    assert config.permission.bash == {"git status": "allow", "*": "ask"}
    assert config.keybinds == {"app.quit": "ctrl+q"}
    assert config.theme == "textual-dark"
    assert config.instructions == ["CONTRIBUTING.md"]


def test_global_and_project_merge_with_project_winning(repo: Path) -> None:
    global_file = write(
        global_config_path(),
        """{
          "model": "anthropic/claude-sonnet-4-5",
          "theme": "nord",
          "provider": {"local": {"base_url": "http://127.0.0.1:8080/v1", "models": {"a": {"name": "A"}}}},
          "instructions": ["GLOBAL.md"]
        }""",
    )
    project_file = write(
        repo / "agent-tui.json",
        """{
          "model": "local/a",
          "provider": {"local": {"api": "openai", "models": {"b": {"name": "B"}}}},
          "instructions": ["PROJECT.md"]
        }""",
    )
    loaded = load_config(repo / "src" / "pkg")
    assert loaded.files == [global_file, project_file]
    config = loaded.config
    assert config.model == "local/a"  # project wins
    assert config.theme == "nord"  # global kept where the project says nothing
    local = config.provider["local"]
    assert local.base_url == "http://127.0.0.1:8080/v1" and local.api == "openai"  # objects merge key by key
    assert set(local.models) == {"a", "b"}
    assert config.instructions == ["PROJECT.md"]  # lists replace


def test_project_config_is_found_walking_up_to_the_git_root_but_not_beyond(repo: Path) -> None:
    write(repo.parent / "agent-tui.json", '{"model": "above/the-repo"}')
    assert find_project_config(repo / "src" / "pkg") is None
    assert load_config(repo / "src" / "pkg").config.model is None

    at_root = write(repo / "agent-tui.json", '{"model": "root/model"}')
    assert find_project_config(repo / "src" / "pkg") == at_root
    nearer = write(repo / "src" / "agent-tui.json", '{"model": "src/model"}')
    assert find_project_config(repo / "src" / "pkg") == nearer
    assert load_config(repo / "src" / "pkg").config.model == "src/model"
    assert load_config(repo).config.model == "root/model"


def test_without_git_only_the_folder_itself_is_searched(tmp_path: Path) -> None:
    write(tmp_path / "agent-tui.json", '{"model": "parent/model"}')
    child = tmp_path / "child"
    child.mkdir()
    assert find_project_config(child) is None
    write(child / ".agent-tui.json", '{"model": "child/model"}')
    assert load_config(child).config.model == "child/model"


def test_jsonc_comments_and_trailing_commas(tmp_path: Path) -> None:
    write(
        tmp_path / "agent-tui.json",
        """// my settings
        {
          /* the model to use,
             spread over lines */
          "model": "openai/gpt-x", // trailing comment
          "provider": {
            "local": {
              "base_url": "http://localhost:1234/v1",  // a URL keeps its //
              "headers": {"X-Note": "/* not a comment */", "Y": "a,}"},
            },
          },
          "instructions": ["a.md", "b.md",],
        }
        """,
    )
    config = load_config(tmp_path).config
    assert config.model == "openai/gpt-x"
    local = config.provider["local"]
    assert local.base_url == "http://localhost:1234/v1"
    assert local.headers == {"X-Note": "/* not a comment */", "Y": "a,}"}
    assert config.instructions == ["a.md", "b.md"]


def test_jsonc_keeps_positions_of_the_original_text() -> None:
    text = '{\n  /* c */ "a": 1, // x\n  "b": 2,\n  "c": x\n}'
    with pytest.raises(json.JSONDecodeError) as info:
        jsonc.loads(text)
    assert (info.value.lineno, info.value.colno) == (4, 8)
    assert jsonc.loads('{"s": "\\"//\\"", }') == {"s": '"//"'}


@pytest.mark.parametrize(
    ("text", "line", "col"),
    [
        ('{\n  "model": "x"\n  "theme": "y"\n}', 3, 3),  # missing comma
        ('{\n  // fine\n  "model": "x", /* ok */\n  "theme": nope\n}', 4, 12),
        ('{"model": "unterminated}', 1, 11),
        ("{\n  model: 'x'\n}", 2, 3),
    ],
)
def test_invalid_json_names_file_line_and_column(tmp_path: Path, text: str, line: int, col: int) -> None:
    path = write(tmp_path / "agent-tui.json", text)
    message = error_of(path)
    assert message.startswith(f"{path}:{line}:{col}: invalid JSON")


def test_wrong_type_names_file_key_and_expectation(tmp_path: Path) -> None:
    path = write(tmp_path / "agent-tui.json", '{"model": 5, "theme": "ok"}')
    message = error_of(path)
    assert str(path) in message
    assert "key 'model'" in message
    assert "valid string" in message and "got 5" in message


def test_nested_errors_keep_user_keys_even_ones_named_like_pydantic_labels(tmp_path: Path) -> None:
    path = write(
        tmp_path / "agent-tui.json",
        """{
          "provider": {"local": {"base_url": 3, "models": {"m": {"limit": {"context": -1}}}}},
          "mcp": {"local": {"type": "local", "command": []}, "remote": {"type": "remote"}}
        }""",
    )
    message = error_of(path)
    assert "key 'provider.local.base_url': Input should be a valid string (got 3)" in message
    assert "key 'provider.local.models.m.limit.context': Input should be greater than 0 (got -1)" in message
    assert "key 'mcp.local.command'" in message
    assert "key 'mcp.remote.url': Field required" in message


def test_union_errors_point_at_the_specific_value(tmp_path: Path) -> None:
    path = write(tmp_path / "agent-tui.json", '{"permission": {"bash": {"rm *": "nope"}}}')
    message = error_of(path)
    assert "key 'permission.bash.rm *': Input should be 'allow', 'ask' or 'deny' (got \"nope\")" in message
    assert "literal[" not in message and "dict[" not in message

    write(path, '{"permission": {"bash": 4}}')
    message = error_of(path)
    assert "key 'permission.bash'" in message and "'allow', 'ask' or 'deny'" in message and "dictionary" in message
    assert "literal[" not in message


def test_unknown_mcp_server_type_names_the_server(tmp_path: Path) -> None:
    path = write(tmp_path / "agent-tui.json", '{"mcp": {"docs": {"type": "sse", "url": "http://x"}}}')
    message = error_of(path)
    assert "key 'mcp.docs'" in message and "'local', 'remote'" in message


def test_remote_mcp_server_parses(tmp_path: Path) -> None:
    write(tmp_path / "agent-tui.json", '{"mcp": {"docs": {"type": "remote", "url": "http://127.0.0.1:9/mcp"}}}')
    server = load_config(tmp_path).config.mcp["docs"]
    assert isinstance(server, McpRemote) and server.url == "http://127.0.0.1:9/mcp"


def test_unknown_key_is_named(tmp_path: Path) -> None:
    path = write(tmp_path / "agent-tui.json", '{"modle": "openai/x", "provider": {"p": {"base_ur": "x"}}}')
    message = error_of(path)
    assert "key 'modle': unknown key" in message
    assert "key 'provider.p.base_ur': unknown key" in message


def test_a_bad_global_file_is_named_and_not_overwritten(tmp_path: Path) -> None:
    path = write(global_config_path(), '{"theme": ["not", "a", "string"]}')
    message = error_of(path, tmp_path)
    assert message.startswith(f"{path}: invalid configuration")
    assert "key 'theme'" in message


def test_top_level_must_be_an_object(tmp_path: Path) -> None:
    path = write(tmp_path / "agent-tui.json", '["model"]')
    assert "expected a JSON object at the top level, got list" in error_of(path)


@pytest.mark.parametrize("text", ["", "   \n\n", "// only a comment\n/* and another */\n"])
def test_empty_or_comment_only_file_means_nothing_configured(tmp_path: Path, text: str) -> None:
    path = write(tmp_path / "agent-tui.json", text)
    loaded = load_config(tmp_path)
    assert loaded.config == Config()
    assert path.read_text(encoding="utf-8") == text


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "agent-tui.json").write_bytes('\ufeff{"model": "a/b"}'.encode())
    assert load_config(tmp_path).config.model == "a/b"


def test_a_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    path = tmp_path / "agent-tui.json"
    path.write_bytes(b'{"model": "caf\xe9"}')
    message = error_of(path)
    assert str(path) in message and "UTF-8" in message


def test_files_that_clash_when_merged_are_both_named(repo: Path) -> None:
    global_file = write(global_config_path(), '{"mcp": {"x": {"type": "local", "command": ["srv"]}}}')
    project_file = write(repo / "agent-tui.json", '{"mcp": {"x": {"type": "remote", "url": "http://h/mcp"}}}')
    message = error_of(project_file, repo)
    assert str(global_file) in message and str(project_file) in message
    assert "key 'mcp.x.command': unknown key" in message


def test_read_config_file_never_writes(tmp_path: Path) -> None:
    path = write(tmp_path / "agent-tui.json", '{"model": "a/b", // c\n}')
    before = path.stat().st_mtime_ns, path.read_bytes()
    assert read_config_file(path) == {"model": "a/b"}
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["agent-tui.json"]
