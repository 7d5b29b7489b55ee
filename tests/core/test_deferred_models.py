"""Records and events are built on first use or by `build_deferred_models()`, and behave the same either way."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from agent_tui.core import events, models
from agent_tui.core.deferred_models import build_deferred_models, unbuilt_models

FRESH = textwrap.dedent(
    """
    import json
    from agent_tui.core import events, models, storage
    from agent_tui.core.deferred_models import build_deferred_models, deferred_models, unbuilt_models

    names = lambda found: sorted(m.__name__ for m in found)
    at_import = names(unbuilt_models())
    built = build_deferred_models()
    part = storage._PART.validate_json('{"type": "text", "session_id": "s", "message_id": "m", "text": "hi"}')
    print(json.dumps({"at_import": at_import, "all": names(deferred_models()), "built": built,
                      "after": names(unbuilt_models()), "part": part.text}))
    """
)


def test_importing_the_records_builds_none_of_them_and_the_warm_up_builds_all(subprocess_env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-c", FRESH], capture_output=True, text=True, env=subprocess_env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["at_import"] == report["all"]
    for name in ("Session", "TextPart", "ToolPart", "AssistantMessage", "MessageWithParts", "PartUpdated",
                 "SessionUpdated"):
        assert name in report["all"]
    assert report["built"] == len(report["all"])
    assert report["after"] == []
    assert report["part"] == "hi"


def test_built_and_unbuilt_models_validate_and_serialize_alike() -> None:
    # Whatever was built by the other tests, building the rest now changes nothing in what they produce.
    message = models.MessageWithParts(
        info=models.AssistantMessage(session_id="s", provider="p", model="m", cost="0.25"),
        parts=[models.TextPart(session_id="s", message_id="m", text="hello"),
               models.ToolPart(session_id="s", message_id="m", call_id="c", tool="read",
                               state=models.ToolState(status="completed", input={"path": "a"}))],
    )
    before = message.model_dump_json()
    build_deferred_models()
    assert unbuilt_models() == []
    again = models.MessageWithParts.model_validate_json(before)
    assert again.model_dump_json() == before
    event = events.PartUpdated(part=again.parts[0])
    assert events.PartUpdated.model_validate_json(event.model_dump_json()) == event
    delta = events.PartDelta(session_id="s", message_id="m", part_id="p", part_type="text", delta="lo", offset=3)
    assert events.PartDelta.model_validate_json(delta.model_dump_json()) == delta


BESIDE = textwrap.dedent(
    """
    import json, threading
    from agent_tui.core import models
    from agent_tui.core.deferred_models import build_deferred_models, deferred_models, unbuilt_models

    thread = threading.Thread(target=build_deferred_models)
    thread.start()
    sessions = [models.Session(project_id="p", directory="/d") for _ in range(200)]  # first uses, meanwhile
    thread.join()
    same = all(models.Session.model_validate_json(s.model_dump_json()) == s for s in sessions)
    print(json.dumps({"same": same, "unbuilt": [m.__name__ for m in unbuilt_models()]}))
    """
)


def test_a_first_use_beside_the_warm_up_thread_is_safe(subprocess_env: dict[str, str]) -> None:
    # The TUI builds the models in a thread while the loop may already use one (pydantic locks each build).
    done = subprocess.run([sys.executable, "-c", BESIDE], capture_output=True, text=True, env=subprocess_env,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"same": True, "unbuilt": []}
