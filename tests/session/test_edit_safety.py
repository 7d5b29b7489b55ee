"""Edits that cannot clobber a file (issue 9), driven through SessionService against the scripted model server
on real files: concurrent edits of one file, line endings, encodings, final newlines, empty edits, blank
lines around old_string and patch headers with surrounding whitespace."""

from __future__ import annotations

from pathlib import Path

from agent_tui.core.models import ToolPart
from agent_tui.testing.fake_llm import Reply, text, tool_call


def tool_parts(svc, session_id: str) -> dict[str, ToolPart]:
    return {p.call_id: p for m in svc.messages(session_id) for p in m.parts if isinstance(p, ToolPart)}


async def run_calls(make_service, llm, *steps: list) -> dict[str, ToolPart]:
    """One turn: each step is a list of tool calls made together; the model then says "done"."""
    for calls in steps:
        llm.add(Reply.of(*calls))
    llm.add(Reply.of(text("done")))
    svc = make_service()
    session = svc.create(title="edits")
    reply = await svc.chat(session.id, "edit")
    assert reply.error is None, reply.error
    return tool_parts(svc, session.id)


def read(path: str, id: str) -> object:
    return tool_call("read", {"file_path": path}, id=id)


def edit(path: str, old: str, new: str, id: str, **extra: object) -> object:
    return tool_call("edit", {"file_path": path, "old_string": old, "new_string": new, **extra}, id=id)


def assert_completed(parts: dict[str, ToolPart], *ids: str) -> None:
    for call_id in ids:
        assert parts[call_id].state.status == "completed", (call_id, parts[call_id].state.error)


async def test_two_edits_of_one_file_in_one_step_both_land(make_service, llm, project_dir: Path):
    target = project_dir / "both.py"
    target.write_text("".join(f"line{i} = {i}\n" for i in range(200)))
    parts = await run_calls(
        make_service, llm,
        [read("both.py", "r")],
        [edit("both.py", "line3 = 3", "line3 = 'three'", "e1"),
         edit("both.py", "line150 = 150", "line150 = 'fifty'", "e2"),
         tool_call("multiedit", {"file_path": "both.py", "edits": [
             {"old_string": "line7 = 7", "new_string": "line7 = 'seven'"}]}, id="e3")],
    )
    assert_completed(parts, "e1", "e2", "e3")
    content = target.read_text()
    assert "line3 = 'three'" in content and "line150 = 'fifty'" in content and "line7 = 'seven'" in content


async def test_edit_refuses_when_the_file_changed_after_its_read(make_service, llm, project_dir: Path):
    """A read in the same step cannot make a stale edit pass: the edit is checked against the bytes it used."""
    target = project_dir / "stale.txt"
    target.write_text("alpha\n")
    parts = await run_calls(
        make_service, llm,
        [read("stale.txt", "r")],
        [tool_call("bash", {"command": "printf 'beta\\n' > stale.txt"}, id="b")],
        [edit("stale.txt", "alpha", "gamma", "e")],
    )
    assert parts["e"].state.status == "error"
    assert "modified" in (parts["e"].state.error or "")
    assert target.read_text() == "beta\n"


async def test_line_endings_are_the_files(make_service, llm, project_dir: Path):
    (project_dir / "lf.txt").write_bytes(b"one\ntwo\nthree\n")
    (project_dir / "crlf.txt").write_bytes(b"one\r\ntwo\r\nthree\r\n")
    parts = await run_calls(
        make_service, llm,
        [read("lf.txt", "r1"), read("crlf.txt", "r2")],
        # The model's strings use the other convention, or a mix of both.
        [edit("lf.txt", "one\r\ntwo\n", "ONE\r\nTWO\r\nextra\n", "e1"),
         edit("crlf.txt", "two\nthree", "TWO\r\nTHREE\nmore", "e2")],
    )
    assert_completed(parts, "e1", "e2")
    assert (project_dir / "lf.txt").read_bytes() == b"ONE\nTWO\nextra\nthree\n"
    assert (project_dir / "crlf.txt").read_bytes() == b"one\r\nTWO\r\nTHREE\r\nmore\r\n"


async def test_mixed_endings_file_keeps_untouched_lines(make_service, llm, project_dir: Path):
    (project_dir / "mixed.txt").write_bytes(b"a\r\nb\r\nc\nd\r\n")
    parts = await run_calls(
        make_service, llm, [read("mixed.txt", "r")], [edit("mixed.txt", "b\nc", "B\nC\nX", "e")]
    )
    assert_completed(parts, "e")
    data = (project_dir / "mixed.txt").read_bytes()
    assert data.startswith(b"a\r\nB") and data.endswith(b"d\r\n") and b"\r\r" not in data
    assert data.count(b"\n") == 5 and b"\r\n" in data


async def test_missing_final_newline_and_bom_are_kept(make_service, llm, project_dir: Path):
    (project_dir / "nofinal.txt").write_bytes(b"first\nlast")
    (project_dir / "bom.txt").write_bytes(b"\xef\xbb\xbfkey = 1\r\nother = 2\r\n")
    (project_dir / "utf16.txt").write_bytes("name = 'caf\u00e9'\r\nx = 1\r\n".encode("utf-16"))
    parts = await run_calls(
        make_service, llm,
        [read("nofinal.txt", "r1"), read("bom.txt", "r2"), read("utf16.txt", "r3")],
        [edit("nofinal.txt", "last\n", "LAST\n", "e1"),
         edit("bom.txt", "key = 1\n", "key = 10\n", "e2"),
         edit("utf16.txt", "x = 1", "x = 2", "e3")],
    )
    assert_completed(parts, "e1", "e2", "e3")
    assert (project_dir / "nofinal.txt").read_bytes() == b"first\nLAST"
    assert (project_dir / "bom.txt").read_bytes() == b"\xef\xbb\xbfkey = 10\r\nother = 2\r\n"
    assert (project_dir / "utf16.txt").read_bytes() == "name = 'caf\u00e9'\r\nx = 2\r\n".encode("utf-16")


async def test_write_over_an_existing_file_keeps_its_endings_and_encoding(make_service, llm, project_dir: Path):
    (project_dir / "win.txt").write_bytes(b"\xef\xbb\xbfold\r\n")
    parts = await run_calls(
        make_service, llm,
        [read("win.txt", "r")],
        [tool_call("write", {"file_path": "win.txt", "content": "new\nlines\n"}, id="w")],
    )
    assert_completed(parts, "w")
    assert (project_dir / "win.txt").read_bytes() == b"\xef\xbb\xbfnew\r\nlines\r\n"


async def test_patch_keeps_crlf_and_accepts_headers_with_whitespace(make_service, llm, project_dir: Path):
    (project_dir / "win.py").write_bytes(b"a = 1\r\nb = 2\r\n")
    patch = "\n".join([
        "*** Begin Patch",
        "  *** Update File: win.py  ",
        "@@",
        " a = 1",
        "-b = 2",
        "+b = 3",
        "\t*** Add File: new.txt ",
        "+hello",
        "*** End Patch",
    ])
    parts = await run_calls(make_service, llm, [read("win.py", "r")],
                            [tool_call("patch", {"patch_text": patch}, id="p")])
    assert_completed(parts, "p")
    assert (project_dir / "win.py").read_bytes() == b"a = 1\r\nb = 3\r\n"
    assert (project_dir / "new.txt").read_text() == "hello\n"


async def test_empty_old_and_new_is_refused(make_service, llm, project_dir: Path):
    (project_dir / "empty.txt").write_text("")
    parts = await run_calls(
        make_service, llm,
        [read("empty.txt", "r")],
        [edit("empty.txt", "", "", "e1"), edit("brand-new.txt", "", "", "e2")],
    )
    for call_id in ("e1", "e2"):
        assert parts[call_id].state.status == "error"
        assert "both empty" in (parts[call_id].state.error or "")
    assert not (project_dir / "brand-new.txt").exists()


async def test_blank_lines_around_old_string_do_not_stop_an_exact_match(make_service, llm, project_dir: Path):
    (project_dir / "blank.py").write_text("def f():\n    return 1\ndef g():\n    return 2\n")
    parts = await run_calls(
        make_service, llm,
        [read("blank.py", "r")],
        [edit("blank.py", "\n    return 1\n\n", "\n    return 10\n\n", "e")],
    )
    assert_completed(parts, "e")
    assert (project_dir / "blank.py").read_text() == "def f():\n    return 10\ndef g():\n    return 2\n"
