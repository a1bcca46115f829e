"""Start-up refuses broken content with a message naming the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.app import create_app
from server.program import content, service

GOOD = (content.CONTENT_FOLDER / "01-awareness.md").read_text()


def test_a_broken_step_file_stops_the_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for source in content.CONTENT_FOLDER.glob("[0-9]*.md"):
        (tmp_path / source.name).write_text(source.read_text())
    (tmp_path / "01-awareness.md").write_text(GOOD.replace("position = 1", 'position = "first"'))
    monkeypatch.setattr(content, "CONTENT_FOLDER", tmp_path)
    service.get_program.cache_clear()
    try:
        with pytest.raises(content.ContentError, match=r"01-awareness\.md: position"):
            create_app()
    finally:
        service.get_program.cache_clear()
