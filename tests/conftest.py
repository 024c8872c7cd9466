"""Shared fixtures. Append new fixtures in their own section; keep each section self-contained."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

# ---------------------------------------------------------------------- Anki collections
# The real Anki library, imported lazily so tests that do not need it never pay for it.


@pytest.fixture
def anki_collection(tmp_path: Path) -> Iterator[Callable[[str], Any]]:
    """Factory: a fresh, empty `anki.collection.Collection` in tmp_path (closed afterwards)."""
    collection_mod = pytest.importorskip("anki.collection")
    opened: list[Any] = []

    def make(name: str = "user") -> Any:
        folder = tmp_path / f"anki-{name}"
        folder.mkdir()
        col = collection_mod.Collection(str(folder / "collection.anki2"))
        opened.append(col)
        return col

    yield make
    for col in opened:
        col.close()


@pytest.fixture
def anki_import() -> Callable[..., Any]:
    """`anki_import(col, path, **overrides)`: import a package with the options Anki's import
    screen starts with (the collection's presets), optionally overridden; returns the log."""
    collection_mod = pytest.importorskip("anki.collection")

    def run(col: Any, path: str | Path, **overrides: Any) -> Any:
        options = col._backend.get_import_anki_package_presets()
        for key, value in overrides.items():
            setattr(options, key, value)
        request = collection_mod.ImportAnkiPackageRequest(package_path=str(path), options=options)
        return col.import_anki_package(request).log

    return run
