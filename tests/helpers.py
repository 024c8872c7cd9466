"""Test helpers: run the CLI in-process, and lay out small throwaway projects."""

from __future__ import annotations

import os
import shutil
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


# A small numbered list in three tiers, and its next release, for sync and fault tests.
MINI_SOURCES = """\
sources:
  - name: mini
    file: sources/mini.txt
    format: numbered
    tiers: {"1": 1-beginner, "2": 2-junior, "3": 3-mid}
    options:
      item: '^\\s*(?P<num>\\d+)\\.\\s+(?P<text>.+)$'
      headings:
        - {kind: level, pattern: '^(?P<title>Tier (?P<key>\\d+)\\b.*)$'}
"""
MINI_RECIPE = "deck: Python Interview\nslug: python-interview\ntag_root: python-interview\n"

MINI_V1 = """\
Tier 1 — Beginner

1. What is a list in Python?
2. What is the difference between a list and a tuple?
3. How do you reverse a string?

Tier 2 — Junior

4. What is a generator?
5. Explain Python decorators.
6. What are *args and **kwargs?

Tier 3 — Mid

7. What is the GIL?
8. How does Python manage memory?
"""

# v2: #3 and #4 reworded, #5 gone (retired), the GIL moved to tier 2, one new question.
MINI_V2 = """\
Tier 1 — Beginner

1. What is a list in Python?
2. What is the difference between a list and a tuple?
3. How do you reverse a string in Python?

Tier 2 — Junior

4. What is a generator in Python?
6. What are *args and **kwargs?
7. What is the GIL?
9. What is a context manager?

Tier 3 — Mid

8. How does Python manage memory?
"""


# The e2e project: two small lists with an answer file, in two releases (tests/cases/e2e/v1, v2).
E2E_CASES = ROOT / "tests" / "cases" / "e2e"
E2E_RECIPE = "deck: E2E\nslug: e2e\ntag_root: e2e\nsources: [basics, answers]\n"


def e2e_project(tmp_path: Path) -> Path:
    """The e2e project at release v1, in tmp_path/project."""
    files = {f"{name}.txt": (E2E_CASES / "v1" / f"{name}.txt").read_text(encoding="utf-8")
             for name in ("basics", "answers")}
    return make_project(tmp_path / "project", (E2E_CASES / "sources.yaml").read_text(encoding="utf-8"), files,
                        E2E_RECIPE)


def e2e_release(proj: Path, version: str) -> None:
    """Put the e2e lists of `version` (v1, v2) in place."""
    for name in ("basics", "answers"):
        shutil.copy(E2E_CASES / version / f"{name}.txt", proj / "data" / "sources" / f"{name}.txt")


def build_quietly(capsys: pytest.CaptureFixture[str], proj: Path, *args: str) -> str:
    """`qdeck build --quiet ARGS` in the project; it must succeed with nothing on stderr. Returns stdout."""
    result = run_cli(capsys, "build", "--quiet", *args, cwd=proj)
    assert (result.code, result.err) == (0, "")
    return result.out
