from __future__ import annotations

import base64
from pathlib import Path

import pytest

from agent_tui.core.tools.base import ToolError
from agent_tui.core.tools.read import ReadParams, ReadTool

PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


async def read(ctx, **kwargs):
    return await ReadTool().execute(ReadParams(**kwargs), ctx)


async def test_reads_with_line_numbers_and_records_the_read(ctx, project: Path) -> None:
    (project / "a.py").write_text("one\ntwo\nthree\n")
    result = await read(ctx, file_path="a.py")
    assert result.output.splitlines()[:3] == ["     1\tone", "     2\ttwo", "     3\tthree"]
    assert "End of file: 3 lines" in result.output
    assert ctx.file_times.last_read(project / "a.py") is not None


async def test_offset_limit_and_hint_for_more(ctx, project: Path) -> None:
    (project / "big.txt").write_text("".join(f"line {i}\n" for i in range(1, 101)))
    result = await read(ctx, file_path="big.txt", offset=10, limit=5)
    lines = result.output.splitlines()
    assert lines[0] == "    10\tline 10" and lines[4] == "    14\tline 14"
    assert "Showing lines 10-14 of 100" in result.output and "offset=15" in result.output
    assert result.metadata["more"] is True


async def test_default_limit_is_2000_lines(ctx, project: Path) -> None:
    (project / "long.txt").write_text("x\n" * 2500)
    result = await read(ctx, file_path="long.txt")
    assert result.metadata["lines"] == 2000
    assert "offset=2001" in result.output


async def test_long_lines_are_cut(ctx, project: Path) -> None:
    (project / "wide.txt").write_text("a" * 5000 + "\nshort\n")
    result = await read(ctx, file_path="wide.txt")
    first, second = result.output.splitlines()[:2]
    assert first.split("\t", 1)[1].split(" ")[0] == "a" * 2000 and "line cut" in first
    assert second.endswith("short")


async def test_missing_file_suggests_close_matches(ctx, project: Path) -> None:
    (project / "config.yaml").write_text("x")
    with pytest.raises(ToolError, match=r"File not found: config\.yml.*Did you mean: config\.yaml"):
        await read(ctx, file_path="config.yml")


async def test_missing_folder_is_named(ctx) -> None:
    with pytest.raises(ToolError, match="does not exist either"):
        await read(ctx, file_path="nope/file.txt")


async def test_directory_says_use_ls(ctx, project: Path) -> None:
    (project / "src").mkdir()
    with pytest.raises(ToolError, match=r"is a directory.*ls tool"):
        await read(ctx, file_path="src")


async def test_binary_file_refused(ctx, project: Path) -> None:
    (project / "blob.bin").write_bytes(b"\x7fELF\x00\x01\x02" * 100)
    with pytest.raises(ToolError, match="binary file"):
        await read(ctx, file_path="blob.bin")


async def test_image_returned_as_attachment(ctx, project: Path) -> None:
    (project / "pic.png").write_bytes(PNG_1PX)
    result = await read(ctx, file_path="pic.png")
    assert result.attachments[0].mime == "image/png"
    assert base64.b64decode(result.attachments[0].data_base64) == PNG_1PX


async def test_50_mb_file_reads_only_the_window(ctx, project: Path) -> None:
    path = project / "huge.log"
    line = b"0123456789" * 10 + b"\n"  # 101 bytes a line
    count = 50 * 1024 * 1024 // len(line) + 1
    with path.open("wb") as f:
        f.write(line * count)
    assert path.stat().st_size > 50 * 1024 * 1024
    result = await read(ctx, file_path="huge.log", offset=count - 2, limit=10)
    assert result.metadata["lines"] == 3
    assert result.output.splitlines()[0].startswith(f"{count - 2:>6}\t0123")


async def test_50_mb_file_first_page_counts_total(ctx, project: Path) -> None:
    path = project / "sparse.txt"
    with path.open("wb") as f:  # sparse: created instantly, reads as NUL bytes after the text
        f.write(b"hello\n" * 10)
    # A text head followed by a sparse hole is binary (NUL bytes): the heuristic looks at the head only,
    # so keep the hole away from the first 8 KB by writing text there.
    with path.open("r+b") as f:
        f.write(b"text line\n" * 1000)
        f.truncate(50 * 1024 * 1024)
    result = await read(ctx, file_path="sparse.txt", limit=5)
    assert result.metadata["lines"] == 5 and result.metadata["more"] is True
    assert "Showing lines 1-5 of" in result.output


async def test_offset_past_end(ctx, project: Path) -> None:
    (project / "s.txt").write_text("a\nb\n")
    with pytest.raises(ToolError, match=r"past the end.*2 lines"):
        await read(ctx, file_path="s.txt", offset=10)


async def test_empty_file(ctx, project: Path) -> None:
    (project / "e.txt").write_text("")
    result = await read(ctx, file_path="e.txt")
    assert "empty" in result.output


async def test_outside_project_asks_external_directory(ctx, project: Path, recorder, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("secret\n")
    result = await read(ctx, file_path=str(outside))
    assert recorder.permissions() == ["external_directory"]
    assert "secret" in result.output
    recorder.reject.add("external_directory")
    with pytest.raises(ToolError, match="refused"):
        await read(ctx, file_path="../elsewhere.txt")


async def test_inside_project_does_not_ask(ctx, project: Path, recorder) -> None:
    (project / "a.txt").write_text("x\n")
    await read(ctx, file_path=str(project / "a.txt"))
    assert recorder.asked == []
