"""Test helpers: run the CLI in-process, and lay out small throwaway projects."""

from __future__ import annotations

import os
import sys
import textwrap
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Result:
    code: int
    out: str
    err: str


@contextmanager
def chdir(path: Path) -> Iterator[None]:
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str, cwd: Path = ROOT) -> Result:
    """Run `qdeck ARGS` in this process, exactly as the console script does."""
    from qdeck.cli import main

    capsys.readouterr()
    old_argv = sys.argv
    sys.argv = ["qdeck", *args]
    try:
        with chdir(cwd):
            main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = old_argv
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def make_project(tmp: Path, sources_yaml: str, files: dict[str, str | bytes], recipe: str | None = None) -> Path:
    """A project folder with data/sources.yaml, data/sources/* and decks/test.yaml."""
    (tmp / "data" / "sources").mkdir(parents=True)
    (tmp / "decks").mkdir()
    (tmp / "data" / "sources.yaml").write_text(textwrap.dedent(sources_yaml), encoding="utf-8")
    for name, content in files.items():
        path = tmp / "data" / "sources" / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    (tmp / "decks" / "test.yaml").write_text(recipe or "deck: Test\nslug: test\n", encoding="utf-8")
    for name in ("dedupe.yaml", "taxonomy.yaml"):
        if (ROOT / "data" / name).exists():
            (tmp / "data" / name).write_text((ROOT / "data" / name).read_text(encoding="utf-8"), encoding="utf-8")
    return tmp
