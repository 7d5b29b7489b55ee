"""The messages on screen and the blocks they turn into. Events change it; it says which blocks changed."""

from __future__ import annotations

from agent_tui.core.events import MessageRemoved, MessageUpdated, PartDelta, PartUpdated
from agent_tui.core.models import (
    AssistantMessage,
    FilePart,
    Message,
    MessageWithParts,
    Part,
    ReasoningPart,
    TextPart,
    ToolPart,
    UserMessage,
)
from agent_tui.core.session.shell_typed import typed_shell_command
from agent_tui.tui.transcript.blocks import (
    Block,
    ErrorBlock,
    FooterBlock,
    ReasoningBlock,
    TextBlock,
    ToolBlock,
    UserBlock,
)
from agent_tui.tui.transcript.pasted import light
from agent_tui.tui.transcript.retry import RetryBlock
from agent_tui.tui.transcript.reverted import RevertedReplyBlock, RevertedUserBlock
from agent_tui.tui.transcript.summary_block import SummaryBlock


def ends_something(event: object) -> bool:
    """True for an event that ends a streamed part or a reply: show it at once rather than at the next frame
    (the end of a reply should never wait; it is also when the person starts reading)."""
    if isinstance(event, PartUpdated):
        part = event.part
        if isinstance(part, TextPart | ReasoningPart):
            return part.time_end is not None
        return isinstance(part, ToolPart) and part.state.status in ("completed", "error")
    if isinstance(event, MessageUpdated):
        return event.message.time.completed is not None or event.message.error is not None
    return False


class MessageView:
    """One message: its record, its parts in order, and the blocks that show them (kept between rebuilds)."""

    def __init__(self, message_id: str, info: Message | None = None) -> None:
        self.id = message_id
        self.info = info
        self.parts: dict[str, Part] = {}
        self._blocks: dict[str, Block] = {}

    @property
    def finished(self) -> bool:
        return self.info is not None and (self.info.time.completed is not None or self.info.error is not None)

    def blocks(self, context_before: int | None = None) -> list[Block]:
        """`context_before`: the context tokens of the last reply before this message (a summary shows it;
        None keeps what it was given last)."""
        if self.info is not None and self.info.reverted is not None:
            return [self._reverted_block()]
        if isinstance(self.info, AssistantMessage) and self.info.summary:
            return self._summary_blocks(self.info, context_before)
        if isinstance(self.info, UserMessage):
            block = self._blocks.get("user")
            if not isinstance(block, UserBlock):
                block = self._blocks["user"] = UserBlock(self.id)
            block.texts = [p for p in self._ordered() if isinstance(p, TextPart)]
            block.files = [p for p in self._ordered() if isinstance(p, FilePart)]
            # A `!command` the user ran is a user message holding a bash call: show it as the bash panel.
            shell = [self._part_block(p) for p in self._ordered() if isinstance(p, ToolPart)]
            if shell and not block.text() and not block.files:
                return [b for b in shell if b is not None]
            return [block, *(b for b in shell if b is not None)]
        out: list[Block] = []
        for part in self._ordered():
            block = self._part_block(part)
            if block is not None:
                out.append(block)
        info = self.info
        if isinstance(info, AssistantMessage) and info.retry is not None:
            retry = self._blocks.get("retry")
            if not isinstance(retry, RetryBlock):
                retry = self._blocks["retry"] = RetryBlock(info)
            retry.message = info
            out.append(retry)
        if info is not None and info.error is not None:
            error = self._blocks.get("error")
            if not isinstance(error, ErrorBlock):
                error = self._blocks["error"] = ErrorBlock(info)
            error.message = info
            out.append(error)
        if isinstance(info, AssistantMessage) and info.time.completed is not None:
            footer = self._blocks.get("footer")
            if not isinstance(footer, FooterBlock):
                footer = self._blocks["footer"] = FooterBlock(info)
            footer.message = info
            out.append(footer)
        return out

    def _summary_blocks(self, info: AssistantMessage, context_before: int | None) -> list[Block]:
        block = self._blocks.get("summary")
        if not isinstance(block, SummaryBlock):
            block = self._blocks["summary"] = SummaryBlock(info)
        block.message = info
        block.texts = [p for p in self._ordered() if isinstance(p, TextPart) and not p.synthetic]
        if context_before is not None:
            block.before_tokens = context_before
        out: list[Block] = [block]
        if info.error is not None:
            error = self._blocks.get("error")
            if not isinstance(error, ErrorBlock):
                error = self._blocks["error"] = ErrorBlock(info)
            error.message = info
            out.append(error)
        return out

    def _reverted_block(self) -> Block:
        """An undone turn's message (see reverted.py); rebuilt from the parts each time the list is."""
        assert self.info is not None
        if isinstance(self.info, UserMessage):
            user = self._blocks.get("user-reverted")
            if not isinstance(user, RevertedUserBlock):
                user = self._blocks["user-reverted"] = RevertedUserBlock(self.id)
            user.texts = [p for p in self._ordered() if isinstance(p, TextPart)]
            if not user.text() and (command := typed_shell_command(self._ordered())):  # its panel is hidden
                user.texts = [TextPart(session_id=self.info.session_id, message_id=self.id, text=command)]
            user.files = [p for p in self._ordered() if isinstance(p, FilePart)]
            user.reverted = self.info.reverted or "undone"
            user.invalidate()
            return user
        reply = self._blocks.get("reply-reverted")
        if not isinstance(reply, RevertedReplyBlock):
            reply = self._blocks["reply-reverted"] = RevertedReplyBlock(self.id)
        reply.parts = self._ordered()
        reply.invalidate()
        return reply

    def _ordered(self) -> list[Part]:
        return [self.parts[key] for key in sorted(self.parts)]

    def _part_block(self, part: Part) -> Block | None:
        block = self._blocks.get(part.id)
        if block is None:
            streaming = not self.finished and getattr(part, "time_end", None) is None
            if isinstance(part, TextPart):
                if part.synthetic:
                    return None
                block = TextBlock(part, streaming=streaming)
            elif isinstance(part, ReasoningPart):
                block = ReasoningBlock(part, streaming=streaming)
            elif isinstance(part, ToolPart):
                block = ToolBlock(part)
            else:
                return None  # step markers and assistant-side files have nothing to show
            self._blocks[part.id] = block
        return block

    def block_for_part(self, part_id: str) -> Block | None:
        if isinstance(self.info, AssistantMessage) and self.info.summary:
            return self._blocks.get("summary")
        return self._blocks.get(part_id)

    def user_block(self) -> Block | None:
        return self._blocks.get("user")

    def finish(self) -> list[Block]:
        """The message completed: streaming text is rendered whole once; calls still running were cut off."""
        changed: list[Block] = []
        for block in self._blocks.values():
            if isinstance(block, TextBlock | ReasoningBlock) and block.streaming:
                block.finish()
                changed.append(block)
            elif isinstance(block, ToolBlock) and block.running:
                block.interrupted = True
                block.invalidate()
                changed.append(block)
        return changed


class Conversation:
    """The session on screen as an ordered list of messages; `apply_*` return the blocks that need a render."""

    def __init__(self) -> None:
        self.messages: dict[str, MessageView] = {}
        self.session_id: str | None = None

    def clear(self) -> None:
        self.messages = {}
        self.session_id = None

    def load(self, messages: list[MessageWithParts]) -> None:
        self.clear()
        for item in messages:
            view = MessageView(item.info.id, item.info)
            for part in item.parts:
                view.parts[part.id] = light(part)
            self.messages[view.id] = view
            self.session_id = item.info.session_id
        # History is finished by definition, even a message left incomplete by a crash.
        for view in self.messages.values():
            view.blocks()
            view.finish()

    @property
    def live(self) -> bool:
        """True while the last message is an assistant reply still being written."""
        return self.live_reply is not None

    @property
    def live_reply(self) -> str | None:
        """The id of the assistant reply still being written, if the last message is one."""
        if not self.messages:
            return None
        last = self.messages[max(self.messages)]
        return None if isinstance(last.info, UserMessage) or last.finished else last.id

    def blocks(self) -> list[Block]:
        out: list[Block] = []
        context = 0
        for key in sorted(self.messages):
            view = self.messages[key]
            out.extend(view.blocks(context))
            if isinstance(view.info, AssistantMessage) and view.info.context_tokens:
                context = view.info.context_tokens
        return out

    def _is_ours(self, session_id: str) -> bool:
        return self.session_id is None or session_id == self.session_id

    def apply(self, event: object) -> tuple[list[Block], bool] | None:
        """One bus event: (changed blocks, whether the block list changed), or None if it is not about the
        messages of this session."""
        if isinstance(event, PartDelta):
            return self.apply_delta(event) if self._is_ours(event.session_id) else None
        if isinstance(event, PartUpdated):
            return self.apply_part(event.part) if self._is_ours(event.part.session_id) else None
        if isinstance(event, MessageUpdated):
            if not self._is_ours(event.message.session_id):
                return None
            if self.session_id is None:
                self.session_id = event.message.session_id
            return self.apply_message(event.message)
        if isinstance(event, MessageRemoved):
            return ([], self.remove(event.message_id)) if self._is_ours(event.session_id) else None
        return None

    def apply_message(self, info: Message) -> tuple[list[Block], bool]:
        """Returns (changed blocks, whether the block list changed)."""
        view = self.messages.get(info.id)
        if view is None:
            self.messages[info.id] = MessageView(info.id, info)
            return [], True
        was_finished = view.finished
        had_error = view.info is not None and view.info.error is not None
        had_retry = isinstance(view.info, AssistantMessage) and view.info.retry is not None
        role_changed = view.info is None or view.info.role != info.role
        role_changed |= view.info is not None and view.info.reverted != info.reverted  # undo/redo: other blocks
        view.info = info
        changed: list[Block] = []
        if view.finished and not was_finished:
            changed += view.finish()
        has_retry = isinstance(info, AssistantMessage) and info.retry is not None
        structure = (role_changed or (view.finished and not was_finished) or (info.error is not None) != had_error
                     or has_retry != had_retry)
        for block in view.blocks():
            if isinstance(block, FooterBlock | ErrorBlock | RetryBlock | SummaryBlock):
                block.invalidate()
                changed.append(block)
        return changed, structure

    def apply_part(self, part: Part) -> tuple[list[Block], bool]:
        view = self.messages.get(part.message_id)
        structure = False
        if view is None:
            view = self.messages[part.message_id] = MessageView(part.message_id)
            structure = True
        is_new = part.id not in view.parts
        view.parts[part.id] = part = light(part)
        if isinstance(view.info, UserMessage) and not isinstance(part, ToolPart):
            block = view.user_block()
            if block is not None:
                block.invalidate()
            return ([block] if block is not None else []), structure or is_new or block is None
        block = view.block_for_part(part.id)
        if block is None:
            return [], True
        if isinstance(block, SummaryBlock):
            view.blocks()  # picks up the new text
            block.invalidate()
            return [block], structure
        if isinstance(block, TextBlock) and isinstance(part, TextPart):
            block.part = part
            if part.time_end is not None:
                block.finish()
        elif isinstance(block, ReasoningBlock) and isinstance(part, ReasoningPart):
            block.part = part
            if part.time_end is not None:
                block.finish()
        elif isinstance(block, ToolBlock) and isinstance(part, ToolPart):
            block.part = part
        # Not invalidated here: the widget does that at its next frame. Until then a repaint (the status line
        # changing, a scroll) shows the lines as they were instead of rendering the block once per repaint.
        return [block], structure

    def apply_delta(self, event: PartDelta) -> tuple[list[Block], bool]:
        """Text streamed into a part shown here. A delta this copy cannot take (the part is unknown, or text
        before the delta is missing: the log was loaded mid-part) waits for the part's next `PartUpdated`."""
        view = self.messages.get(event.message_id)
        part = view.parts.get(event.part_id) if view is not None else None
        if view is None or not isinstance(part, TextPart | ReasoningPart):
            return [], False
        have = len(part.text)
        if event.offset > have or event.offset + len(event.delta) <= have:
            return [], False
        return self.apply_part(part.model_copy(update={"text": part.text + event.delta[have - event.offset:]}))

    def remove(self, message_id: str) -> bool:
        return self.messages.pop(message_id, None) is not None
