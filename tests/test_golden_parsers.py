"""Golden files for the numbered parser: each quirk of the real lists in one small file."""

from __future__ import annotations

import json
import os
from dataclasses import asdict

from qdeck.config import load_sources
from qdeck.ingest import parse_source
from qdeck.normalize import normalize
from tests.helpers import ROOT

CASES = ROOT / "tests" / "cases" / "numbered"


def test_numbered_quirks_match_the_golden_file(monkeypatch):
    monkeypatch.setenv("QDECK_NO_CACHE", "1")
    spec = load_sources(CASES / "spec.yaml")["quirks"]
    result = parse_source(spec)
    got = {
        "questions": [asdict(q) for q in normalize(list(result.questions))],
        "skipped": [asdict(s) for s in result.parsed.skipped],
        "heading_lines": list(result.parsed.heading_lines),
    }
    expected_path = CASES / "quirks.expected.json"
    if os.environ.get("QDECK_UPDATE_GOLDEN"):
        expected_path.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert json.loads(json.dumps(got)) == json.loads(expected_path.read_text(encoding="utf-8"))
