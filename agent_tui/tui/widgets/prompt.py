"""The prompt: a multi-line input with history, `/` command completion and `@` file completion.

Enter sends; shift+enter and ctrl+j insert a newline (terminals without the kitty keyboard protocol send the
same byte for Enter and shift+Enter, so ctrl+j always works). ↑ on the first line and ↓ on the last line walk
the history; page up/down scroll the message log. Messages queued while the session is busy are listed above
the input. A long paste becomes a chip standing for it (prompt_chips.py, paste_attachments.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static, TextArea
from textual.widgets.option_list import Option

from agent_tui.tui import commands
from agent_tui.tui.errors import GuardedPump
from agent_tui.tui.fuzzy import fuzzy_filter
from agent_tui.tui.project_files import list_project_files
from agent_tui.tui.state import PromptHistory, StoredPaste
from agent_tui.tui.widgets.paste_attachments import Attachment, PasteAttachments
from agent_tui.tui.widgets.prompt_chips import ChipTextArea

FILE_TOKEN = re.compile(r"(?:^|(?<=\s))@([^\s@]*)$")
ATTACHED = re.compile(r"(?:^|(?<=\s))@([^\s@]+)")
MENU_SIZE = 8


def attached_files(text: str, root: Path) -> list[Path]:
    """The existing files named by `@path` tokens in `text`, resolved against `root`, in order, once each."""
    found: list[Path] = []
    for match in ATTACHED.finditer(text):
        candidate = (root / match.group(1)).resolve()
        if candidate.is_file() and candidate not in found:
            found.append(candidate)
    return found


@dataclass(frozen=True)
class Completion:
    """What the menu offers: the text replacing `start:end` of the current line for each option."""

    kind: str  # "command" | "file"
    row: int
    start: int
    end: int
    values: list[str]


class CompletionMenu(OptionList, can_focus=False):
    pass


class PromptInput(GuardedPump, ChipTextArea):
    """The text box. Keys that mean something to the composer are passed to it; the rest edit text."""

    class Submit(Message):
        pass

    class CycleAgent(Message):
        """Tab on an empty prompt: switch to the next primary agent."""

    class ScrollLog(Message):
        """Page up/down typed in the prompt: scroll the message log (the prompt is rarely a page long)."""

        def __init__(self, pages: int) -> None:
            super().__init__()
            self.pages = pages

    def __init__(self, composer: PromptComposer, **kwargs: object) -> None:
        super().__init__(composer.pastes, soft_wrap=True, show_line_numbers=False, tab_behavior="focus", compact=True,
                         **kwargs)
        self.composer = composer
        self._blink_held = False  # the cursor was made still by hold_cursor (and blinks again on release)

    def hold_cursor(self, still: bool) -> None:
        """Keep the cursor lit instead of blinking (while a reply streams), or let it blink again."""
        # Each blink is a frame of its own (2–3 ms here), and one that lands with a frame of the log makes Textual
        # repaint the rectangle from the log's new line down to the prompt.
        if still and self.cursor_blink:
            self._blink_held = True
            self.cursor_blink = False
        elif not still and self._blink_held:
            self._blink_held = False
            self.cursor_blink = True
        else:
            return
        # TextArea's line cache keys the cursor only while it blinks: a line cached in the blink's off phase would
        # be reused without the cursor. A restyle clears that cache.
        self.notify_style_update()
        self.refresh()

    async def _on_key(self, event: events.Key) -> None:
        key = event.key
        handled = True
        if key == "enter":
            if not self.composer.accept_completion(run=True):
                self.post_message(self.Submit())
        elif key in ("shift+enter", "ctrl+j"):
            start, end = self.selection
            self._replace_via_keyboard("\n", start, end)
        elif key == "tab" and self.composer.menu_open:
            self.composer.accept_completion(run=False)
        elif key == "tab" and not self.text:
            self.post_message(self.CycleAgent())
        elif key == "escape" and self.composer.menu_open:
            self.composer.close_menu()
        elif key in ("pageup", "pagedown") and not self.composer.menu_open:
            self.post_message(self.ScrollLog(-1 if key == "pageup" else 1))
        else:
            handled = False
        if handled:
            event.stop()
            event.prevent_default()  # TextArea's own handler would insert a newline

    def action_cursor_up(self, select: bool = False) -> None:
        if self.composer.menu_open and not select:
            self.composer.move_menu(-1)
        elif not select and self.cursor_location[0] == 0 and self.composer.recall(-1):
            return
        else:
            super().action_cursor_up(select)

    def action_cursor_down(self, select: bool = False) -> None:
        if self.composer.menu_open and not select:
            self.composer.move_menu(1)
        elif not select and self.cursor_location[0] == self.document.line_count - 1 and self.composer.recall(1):
            return
        else:
            super().action_cursor_down(select)


class PromptComposer(GuardedPump, Vertical):
    """Queued messages, the completion menu and the input, as one unit."""

    class Submitted(Message):
        def __init__(self, text: str, pastes: list[Attachment] | None = None) -> None:
            super().__init__()
            self.text = text
            self.pastes = pastes or []  # the long pastes whose chips `text` holds, in order

    def __init__(
        self,
        *,
        root: Path,
        history: PromptHistory | None = None,
        file_lister: Callable[[Path], list[str]] = list_project_files,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.root = root
        self.history = history if history is not None else PromptHistory()
        self._file_lister = file_lister
        self._files: list[str] | None = None
        self._files_loading = False
        self._completion: Completion | None = None
        # Text we put in ourselves (history, completion): its Changed event arrives later and is no user edit.
        self._placed_text: str | None = None
        self.pastes = PasteAttachments()
        self._draft_pastes: list[Attachment] = []  # the draft's while the history is browsed

    def compose(self) -> ComposeResult:
        yield Static(id="queued")
        yield CompletionMenu(id="completion")
        yield PromptInput(self, id="prompt-input", placeholder="Ask anything — / for commands, @ to attach a file")

    @property
    def input(self) -> PromptInput:
        return self.query_one(PromptInput)

    @property
    def text(self) -> str:
        return self.input.text

    def on_mount(self) -> None:
        self.query_one("#queued").display = False
        self.close_menu()

    # --- text ---------------------------------------------------------------------------------------------

    def set_text(self, text: str, pastes: list[Attachment] | None = None) -> None:
        """Replace the text; `pastes` replace the chips' pastes too (None: keep those `text` still shows)."""
        if pastes is not None:
            self.pastes.replace(pastes)
        self.pastes.prune(text)
        self._placed_text = text
        self.input.load_text(text)  # also forgets the undo history, and with it any paste it held
        self.input.move_cursor(self.input.document.end)
        self.close_menu()

    def add_text(self, text: str, pastes: list[Attachment]) -> None:
        """Put `text` (with its chips' pastes) before what the prompt holds (stopped, queued prompts)."""
        text = self.pastes.merge(pastes, text)
        current = self.text
        self.set_text("\n\n".join([text, current]) if current.strip() else text)

    def clear(self) -> None:
        self.pastes.clear()
        self.set_text("")

    @on(PromptInput.Submit)
    def _submit(self, event: PromptInput.Submit) -> None:
        event.stop()
        text = self.text
        if not text.strip():
            return
        if text.strip() == "/":  # nothing to send: offer the commands again (the menu was closed with Esc)
            self._update_completion()
            return
        pastes = self.pastes.take(text)
        self.history.add(text, [StoredPaste(part_id=p.part_id or "", summary=p.summary) for p in pastes])
        self.clear()
        self.post_message(self.Submitted(text, pastes))

    def recall(self, step: int) -> bool:
        """Replace the text with the previous (-1) or next (+1) history entry. False when there is none."""
        browsing = self.history.browsing
        entry = self.history.previous(self.text) if step < 0 else self.history.next()
        if entry is None:
            return False
        if not browsing:
            self._draft_pastes = self.pastes.all()
        if self.history.browsing:
            self.set_text(entry, self.history_pastes(entry))
        else:  # back past the newest entry: the draft, with its own pastes
            self.set_text(entry, self._draft_pastes)
            self._draft_pastes = []
        return True

    def history_pastes(self, entry: str) -> list[Attachment]:
        """The pastes of a history entry, as references to their stored parts (read only when sent)."""
        return [Attachment(p.summary, source_part=p.part_id) for p in self.history.pastes_of(entry)]

    def show_queued(self, texts: list[str]) -> None:
        queued = self.query_one("#queued", Static)
        queued.display = bool(texts)
        lines = [Content.styled("queued: ", "$warning") + Content(t.strip().splitlines()[0][:200]) for t in texts]
        queued.update(Content("\n").join(lines))

    # --- completion ---------------------------------------------------------------------------------------

    @property
    def command_set(self) -> commands.CommandSet:
        """The app's commands (built-in and custom); the built-ins alone outside the app."""
        found = getattr(self.app, "slash_commands", None)
        return found if isinstance(found, commands.CommandSet) else commands.BUILTIN

    @property
    def menu(self) -> CompletionMenu:
        return self.query_one(CompletionMenu)

    @property
    def menu_open(self) -> bool:
        return self._completion is not None

    def close_menu(self) -> None:
        self._completion = None
        self.menu.display = False

    def move_menu(self, step: int) -> None:
        menu = self.menu
        if menu.option_count:
            current = menu.highlighted if menu.highlighted is not None else -step
            menu.highlighted = (current + step) % menu.option_count

    @on(TextArea.Changed, "#prompt-input")
    def _text_changed(self, event: TextArea.Changed) -> None:
        event.stop()
        if self._placed_text is not None and self.text == self._placed_text:
            return
        self._placed_text = None
        self.history.reset()
        self._draft_pastes = []  # an edited entry replaces the draft, as the history does
        if self.pastes:
            self.pastes.prune(self.text)  # a chip deleted or edited: its paste goes (and its memory)
        self._update_completion()

    @on(TextArea.SelectionChanged, "#prompt-input")
    def _cursor_moved(self, event: TextArea.SelectionChanged) -> None:
        event.stop()
        if self._completion is not None and self._placed_text is None:
            self._update_completion()

    def _update_completion(self) -> None:
        completion = self._find_completion()
        self._completion = completion
        menu = self.menu
        if completion is None or not completion.values:
            self._completion = None
            menu.display = False
            return
        if completion.kind == "command":
            by_name = self.command_set.by_name
            options = [
                Option(Content.styled(by_name[v].usage, "bold") + Content.styled(f"  {by_name[v].help}", "$text-muted"),
                       id=v)
                for v in completion.values
            ]
        else:
            options = [Option(v, id=v) for v in completion.values]
        menu.set_options(options)
        menu.highlighted = 0
        menu.display = True
        menu.styles.height = min(MENU_SIZE, len(options)) + 2

    def _find_completion(self) -> Completion | None:
        area = self.input
        row, column = area.cursor_location
        line = area.document.get_line(row)
        before = line[:column]
        if row == 0 and area.document.line_count == 1 and before.startswith("/") and " " not in before:
            names = [c.name for c in self.command_set.complete(before[1:])]
            return Completion("command", row, 0, len(line), names)
        match = FILE_TOKEN.search(before)
        if match is None:
            return None
        files = self._project_files()
        if files is None:
            return None  # still listing: the completion appears on the next keystroke
        chosen = fuzzy_filter(match.group(1), files, limit=50)
        end = column
        while end < len(line) and not line[end].isspace():
            end += 1
        return Completion("file", row, match.start(), end, chosen)

    def _project_files(self) -> list[str] | None:
        if self._files is None and not self._files_loading:
            self._files_loading = True
            self._load_files()
        return self._files

    @work(thread=True, exclusive=True, group="project-files")
    def _load_files(self) -> None:
        files = self._file_lister(self.root)
        self.app.call_from_thread(self._files_loaded, files)

    def _files_loaded(self, files: list[str]) -> None:
        self._files = files
        self._files_loading = False
        if self.input.has_focus and FILE_TOKEN.search(self._line_before_cursor()):
            self._update_completion()

    def _line_before_cursor(self) -> str:
        row, column = self.input.cursor_location
        return self.input.document.get_line(row)[:column]

    def forget_files(self) -> None:
        """Files were added or deleted: list them again on the next `@`."""
        if not self._files_loading:
            self._files = None

    def accept_completion(self, *, run: bool) -> bool:
        """Put the highlighted option into the text. With `run`, a command without argument is sent at once."""
        completion = self._completion
        menu = self.menu
        if completion is None or menu.highlighted is None:
            return False
        value = menu.get_option_at_index(menu.highlighted).id or ""
        area = self.input
        if completion.kind == "command":
            typed = area.text.strip()[1:].lower()
            if run and typed in self.command_set.by_name:
                # The whole name is typed: run that command (with no argument), not the highlighted one.
                self.close_menu()
                self.post_message(PromptInput.Submit())
                return True
            command = self.command_set.by_name[value]
            text = f"/{value}" + (" " if command.argument else "")
            self.set_text(text)
            if run and command.argument is None:
                self.post_message(PromptInput.Submit())
            return True
        replacement = f"@{value} "
        area.replace(replacement, (completion.row, completion.start), (completion.row, completion.end))
        area.move_cursor((completion.row, completion.start + len(replacement)))
        self._placed_text = area.text
        self.close_menu()
        return True
