from agent_tui.testing.fake_llm import Reply, text, tool_call, usage


async def test_smoke(make_service, llm, title_llm):
    title_llm.add(Reply.of(text("Greeting")))
    llm.add(Reply.of(text("Let me look."), tool_call("read", {"file_path": "hello.py"}, id="call_1"), usage(100, 10)))
    llm.add(Reply.of(text("It prints hello."), usage(150, 8)))
    from agent_tui.core.tools.base import ToolRegistry
    from agent_tui.core.tools.read import ReadTool
    svc = make_service(tools=ToolRegistry([ReadTool()]))
    s = svc.create()
    reply = await svc.chat(s.id, "what does hello.py do?")
    msgs = svc.messages(s.id)
    for m in msgs:
        print(m.info.role, [(p.type, getattr(p, "text", None) or getattr(p, "state", None)) for p in m.parts])
    print(reply)
    print(llm.requests[1].messages)
    assert reply.error is None
