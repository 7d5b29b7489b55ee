"""The app's transcript actions: search the conversation, select a message or code block to copy it, and fork
the session from a message.

A mixin of `AgentApp` (like `session_actions`). The search and the selection are attached to the transcript of
the main screen the first time they are used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent_tui.core.models import MessageWithParts, UserMessage
from agent_tui.core.session.pastes import typed_parts
from agent_tui.core.session.service import SessionNotFound
from agent_tui.core.storage import StorageError
from agent_tui.tui.transcript.search import TranscriptSearch
from agent_tui.tui.transcript.selection import MessageSelection, Selectable
from agent_tui.tui.widgets.paste_attachments import from_parts
from agent_tui.tui.widgets.search_bar import SearchBar

if TYPE_CHECKING:
    from agent_tui.tui.app import AgentApp

    _Base = AgentApp
else:
    _Base = object


def typed_text(message: MessageWithParts) -> str:
    """What the user typed (a custom command's expansion, a shell run's context and long pastes, whose chips
    the typed text holds, are left out)."""
    return "\n".join(p.text for p in typed_parts(list(message.parts))).strip()


class TranscriptActions(_Base):
    _transcript_search: TranscriptSearch | None = None
    _message_selection: MessageSelection | None = None

    # --- search -------------------------------------------------------------------------------------------

    @property
    def transcript_search(self) -> TranscriptSearch:
        if self._transcript_search is None:
            self._transcript_search = TranscriptSearch(self.main.transcript, on_change=self._search_changed)
        return self._transcript_search

    def _search_bar(self) -> SearchBar | None:
        found = self.main.query(SearchBar)
        return found.first() if found else None

    def action_search_transcript(self, text: str = "") -> None:
        main = self.main
        if not main.transcript.display:
            self.notify("Nothing to search yet: this session has no messages.", severity="warning")
            return
        bar = self._search_bar()
        if bar is not None:
            bar.input.focus()
            if text:
                bar.input.value = text
            return
        main.query_one("#main").mount(SearchBar(self.transcript_search, query=text), before=main.composer)

    def _search_changed(self) -> None:
        bar = self._search_bar()
        if bar is not None:
            bar.show_count()

    def close_search(self) -> bool:
        bar = self._search_bar()
        if bar is None:
            return False
        self.transcript_search.stop()
        bar.remove()
        self.main.composer.input.focus()
        return True

    # --- selection ----------------------------------------------------------------------------------------

    @property
    def message_selection(self) -> MessageSelection:
        if self._message_selection is None:
            self._message_selection = MessageSelection(self.main.transcript, copy=self._copy_item,
                                                       fork=self._fork_item, revert=self._revert_item)
        return self._message_selection

    def action_select_messages(self) -> None:
        if not self.main.transcript.display or not self.message_selection.start():
            self.notify("Nothing to select yet: this session has no messages.", severity="warning")
            return
        self.notify("↑↓ move · c copy · f fork from here · r revert to your message · esc done",
                    title="Select a message or code block",
                    timeout=6)

    def _copy_item(self, item: Selectable) -> None:
        self.copy_to_clipboard(item.text)
        self.notify(f"Copied {item.describe()} ({len(item.text)} characters).", timeout=3)

    def _revert_item(self, item: Selectable) -> None:
        self.message_selection.stop()
        self.revert_to_message(item.block.message_id)  # undo_actions: asks first, listing the files

    def _fork_item(self, item: Selectable) -> None:
        self.message_selection.stop()
        self.fork_from(item.block.message_id)

    def close_transient(self) -> bool:
        """Esc: leave the selection or close the search bar first (True when it did)."""
        if self._message_selection is not None and self._message_selection.active:
            self._message_selection.stop()
            self.main.composer.input.focus()
            return True
        return self.close_search()

    # --- fork ---------------------------------------------------------------------------------------------

    def action_fork_session(self) -> None:
        from agent_tui.tui.dialogs.picker import PickerDialog, PickerEntry

        session_id = self.main.session_id
        messages = self.service.messages(session_id) if session_id else []
        entries = [PickerEntry(id=m.info.id, text=typed_text(m) or "(attachments)")
                   for m in reversed(messages) if isinstance(m.info, UserMessage) and (typed_text(m) or m.parts)
                   and not all(getattr(p, "synthetic", False) or p.type == "tool" for p in m.parts)]
        if not entries:
            self.notify("Nothing to fork yet: send a message first.", severity="warning")
            return
        self.push_screen(
            PickerDialog("Fork from a message", entries, placeholder="Type to find the message…",
                         empty="No message.", hint="enter fork: a new session up to this message, its text in the "
                         "prompt · esc close"),
            lambda message_id: self.fork_from(message_id) if message_id else None,
        )

    def fork_from(self, message_id: str) -> None:
        """A new session with the conversation before `message_id` when it is the user's (its text goes into the
        prompt, to edit and send again), or up to and including it when it is a reply."""
        session_id = self.main.session_id
        if session_id is None:
            return
        messages = self.service.messages(session_id)
        ids = [m.info.id for m in messages]
        if message_id not in ids:
            return
        index = ids.index(message_id)
        chosen = messages[index]
        is_user = isinstance(chosen.info, UserMessage)
        try:
            if is_user and index == 0:
                source = self.service.get(session_id)
                fork = self.service.create(title=f"{source.title if source else 'Session'} (fork)", wait=False)
            else:
                fork = self.service.fork(session_id, ids[index - 1] if is_user else message_id, wait=False)
        except SessionNotFound as exc:
            self.notify(str(exc), severity="error")
            return
        except StorageError as exc:  # another process holds the database's lock: not waited for on the UI
            self.notify(f"{exc}\nNothing was forked; try again once it is free.", title="Cannot fork the session",
                        severity="error", timeout=10)
            return
        self.close_search()
        self.main.show_session(fork.id)
        if is_user:
            self.main.composer.set_text(typed_text(chosen), from_parts(chosen.parts))
        self.main.composer.input.focus()
        self.notify(f"Forked into “{fork.title}”.", timeout=4)
