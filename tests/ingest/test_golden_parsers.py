"""Golden files for the line parsers: each quirk or layout of real lists in one small file.

`QDECK_UPDATE_GOLDEN=1` rewrites the expected files; read the diff before committing it.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict

import pytest

from qdeck.config import load_sources
from qdeck.ingest import parse_source
from qdeck.normalize import normalize
from tests.helpers import ROOT

CASES = ROOT / "tests" / "cases"
GOLDEN = [(folder, name) for folder in ("numbered", "qa", "markdown")
          for name in load_sources(CASES / folder / "spec.yaml")]


@pytest.mark.parametrize(("folder", "name"), GOLDEN, ids=[f"{f}/{n}" for f, n in GOLDEN])
def test_parse_matches_the_golden_file(monkeypatch, folder, name):
    monkeypatch.setenv("QDECK_NO_CACHE", "1")
    spec = load_sources(CASES / folder / "spec.yaml")[name]
    result = parse_source(spec)
    got = {
        "questions": [asdict(q) for q in normalize(list(result.questions))],
        "skipped": [asdict(s) for s in result.parsed.skipped],
        "heading_lines": list(result.parsed.heading_lines),
        "warnings": list(result.parsed.warnings),
    }
    expected_path = CASES / folder / f"{name}.expected.json"
    if os.environ.get("QDECK_UPDATE_GOLDEN"):
        expected_path.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert json.loads(json.dumps(got)) == json.loads(expected_path.read_text(encoding="utf-8"))
