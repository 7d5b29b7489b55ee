"""Permission prompts for bash, read with a real parser (issue 12, defect 4, and issue 10's `cat ../secret`),
through SessionService against the scripted model server, with real commands and files."""

from __future__ import annotations

import asyncio
from pathlib import Path

from agent_tui.core.events import PartUpdated, PermissionAsked
from agent_tui.core.models import ToolPart
from agent_tui.testing.fake_llm import Reply, text, tool_call


def results_of(llm) -> dict[str, str]:
    return {m["tool_call_id"]: m["content"] for r in llm.requests for m in r.messages if m["role"] == "tool"}


async def run_bash(make_service, llm, command: str, *, answer: str = "once", **config) -> tuple[list, object]:
    llm.add(Reply.of(tool_call("bash", {"command": command}, id="sh")))
    llm.add(Reply.of(text("done")))
    svc = make_service(**config)
    asked: list[PermissionAsked] = []

    def reply(event: PermissionAsked) -> None:
        asked.append(event)
        asyncio.get_running_loop().call_soon(svc.permissions.reply, event.id, answer, None)

    svc.bus.subscribe(PermissionAsked, reply)
    session = svc.create(title="bash")
    await svc.chat(session.id, "run it")
    return asked, svc


async def test_reading_outside_the_project_asks_under_the_default_config(make_service, llm, project_dir: Path):
    (project_dir.parent / "secret").write_text("hunter2\n")
    asked, _ = await run_bash(make_service, llm, "cat ../secret", answer="reject")
    assert [e.permission for e in asked] == ["external_directory"]
    assert str(project_dir.parent / "secret") in asked[0].title
    assert asked[0].metadata["patterns"] == [f"{project_dir.parent.resolve()}/*"]
    assert "hunter2" not in results_of(llm)["sh"]


async def test_home_and_absolute_paths_ask_but_patterns_and_devices_do_not(make_service, llm, project_dir: Path):
    outside = project_dir.parent / "elsewhere"
    outside.mkdir()
    asked, _ = await run_bash(
        make_service, llm,
        f"grep -r '^/api/' . 2>/dev/null; ls {outside} > listing.txt; echo ok >&2",
    )
    assert [e.permission for e in asked] == ["external_directory"]
    assert asked[0].metadata["paths"] == [str(outside)]
    assert (project_dir / "listing.txt").exists()  # the redirect inside the project is an edit, allowed


async def test_a_redirect_into_the_project_is_an_edit(make_service, llm, project_dir: Path):
    asked, _ = await run_bash(make_service, llm, "echo hi > out.txt && cat hello.py >> log/all.txt",
                              answer="reject", permission={"edit": "ask"})
    assert [e.permission for e in asked] == ["edit"]
    assert "out.txt" in asked[0].title and "log/all.txt" in asked[0].title
    assert "outside" not in asked[0].title
    assert not (project_dir / "out.txt").exists()


async def test_a_redirect_outside_the_project_asks_as_a_write(make_service, llm, project_dir: Path):
    target = project_dir.parent / "dropped.txt"
    asked, _ = await run_bash(make_service, llm, f"echo x > {target}", answer="reject")
    assert [e.permission for e in asked] == ["external_directory"]
    assert asked[0].metadata["access"] == "write"
    assert not target.exists()


async def test_always_offers_the_commands_actually_run(make_service, llm, project_dir: Path):
    command = 'for i in $(seq 1 3); do python3 -c "print($i)"; done'
    asked, _ = await run_bash(make_service, llm, command, permission={"bash": {"*": "ask"}})
    assert len(asked) == 1
    always = asked[0].metadata["always"]
    assert always == ["seq", "seq *", 'python3 -c "print($i)"']
    assert not any(word in p.split() for p in always for word in ("for", "do", "done"))
    assert "1\n2\n3" in results_of(llm)["sh"]


async def test_the_wait_for_approval_shows_and_is_not_the_tools_duration(make_service, llm, project_dir: Path):
    llm.add(Reply.of(tool_call("bash", {"command": "rm -rf build"}, id="sh")))
    llm.add(Reply.of(text("done")))
    svc = make_service()
    updates: list[ToolPart] = []
    svc.bus.subscribe(PartUpdated, lambda e: updates.append(e.part) if isinstance(e.part, ToolPart) else None)
    hold = 0.4

    def later(event: PermissionAsked) -> None:
        asyncio.get_running_loop().call_later(hold, svc.permissions.reply, event.id, "once", None)

    svc.bus.subscribe(PermissionAsked, later)
    session = svc.create(title="wait")
    await svc.chat(session.id, "clean")
    waiting = [p for p in updates if p.state.metadata.get("waiting_for_approval")]
    assert waiting and waiting[0].state.status == "running"
    started = waiting[0].state.time_start
    part = next(p for m in svc.messages(session.id) for p in m.parts if isinstance(p, ToolPart))
    assert part.state.status == "completed"
    assert "waiting_for_approval" not in part.state.metadata
    waited = part.state.metadata["approval_wait_ms"]
    assert waited >= hold * 1000
    assert part.state.time_start == started + waited  # the duration shown leaves the wait out
