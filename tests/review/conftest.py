"""The throwaway project every review test starts from."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.review.project import make_review_project


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    return make_review_project(tmp_path / "project")
