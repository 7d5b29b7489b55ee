"""A session's history seen as turns (a user message and the replies to it) and the checkpoints in them."""

from __future__ import annotations

from dataclasses import dataclass, field

from agent_tui.core.models import AssistantMessage, MessageWithParts, SnapshotPart, UserMessage


@dataclass
class TurnRecord:
    user: MessageWithParts
    replies: list[MessageWithParts] = field(default_factory=list)

    @property
    def messages(self) -> list[MessageWithParts]:
        return [self.user, *self.replies]

    @property
    def reverted(self) -> str | None:
        return self.user.info.reverted

    @property
    def steps(self) -> list[SnapshotPart]:
        """The turn's finished checkpoints, in order (a `!command`'s is on the user message itself)."""
        return [p for m in self.messages for p in m.parts if isinstance(p, SnapshotPart) and p.after is not None]

    @property
    def may_have_changed_files(self) -> bool:
        """Whether a step of this turn was checkpointed, even if the checkpoint never finished."""
        return any(isinstance(p, SnapshotPart) for m in self.messages for p in m.parts)


def group_turns(history: list[MessageWithParts]) -> list[TurnRecord]:
    """Turns in order. Summaries belong to no turn: they are never undone (they stand for what came before)."""
    turns: list[TurnRecord] = []
    for message in history:
        info = message.info
        if isinstance(info, UserMessage):
            turns.append(TurnRecord(message))
        elif isinstance(info, AssistantMessage) and not info.summary and turns:
            turns[-1].replies.append(message)
    return turns


@dataclass(frozen=True)
class FileBounds:
    """For one file, the snapshot before the first change of a span of turns and the one after the last."""

    path: str
    before: str
    after: str


def file_bounds(turns: list[TurnRecord]) -> dict[str, FileBounds]:
    """Every file the checkpoints of `turns` (oldest first) saw change, with its before and after trees."""
    first: dict[str, str] = {}
    last: dict[str, str] = {}
    for turn in turns:
        for step in turn.steps:
            assert step.after is not None
            for changed in step.files:
                first.setdefault(changed.path, step.before)
                last[changed.path] = step.after
    return {path: FileBounds(path, first[path], last[path]) for path in first}


def by_tree(bounds: list[FileBounds], attribute: str) -> dict[str, list[str]]:
    """Paths grouped by their `before` or `after` tree, so each tree costs one git call."""
    groups: dict[str, list[str]] = {}
    for bound in bounds:
        groups.setdefault(getattr(bound, attribute), []).append(bound.path)
    return groups
