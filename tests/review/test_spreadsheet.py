"""`qdeck review --export/--import`: pairs and tiers round trip through CSV; a bad row stops with one line."""

from __future__ import annotations

import csv

import pytest
import yaml

from qdeck.config import load_recipe
from qdeck.pipeline import build_notes, read_catalog
from tests.helpers import chdir, run_cli
from tests.review.project import export_rows, judgments, pair, review, write_csv


def test_export_import_round_trip(proj):
    rows = export_rows(proj)
    assert all(row["verdict"] == "" for row in rows)
    assert {"question_a", "source_a", "section_a", "answer_a", "score", "reason", "note"} <= set(rows[0])
    scores = [abs(float(row["score"]) - 0.62) for row in rows]
    assert scores == sorted(scores)  # most uncertain first
    rows[0]["verdict"], rows[1]["verdict"], rows[1]["note"] = "same", "Different", "one asks for code"
    with open(proj / "pairs.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    review(proj, "", "--import", "pairs.csv")
    assert judgments(proj) == {pair(rows[0]): "same", pair(rows[1]): "different"}
    again = export_rows(proj, "again.csv")
    judged = {pair(r): (r["verdict"], r["note"]) for r in again if r["verdict"]}
    assert judged == {pair(rows[0]): ("same", ""), pair(rows[1]): ("different", "one asks for code")}
    before = (proj / "data" / "judgments.yaml").read_bytes()
    review(proj, "", "--import", "again.csv")  # importing the export of the store changes nothing
    assert (proj / "data" / "judgments.yaml").read_bytes() == before


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"ref_a": "alpha#1", "ref_b": "beta#1", "verdict": "maybe"}, "row 2: verdict 'maybe' is not one of"),
        ({"ref_a": "alpha#99", "ref_b": "beta#1", "verdict": "same"}, "row 2: unknown ref alpha#99"),
        ({"ref_a": "alpha 1", "ref_b": "beta#1", "verdict": "same"}, "row 2: 'alpha 1' is not a ref"),
    ],
)
def test_import_rejects_a_bad_row_with_one_line(proj, capsys, row, message):
    write_csv(proj, "bad.csv", [row])
    result = run_cli(capsys, "review", "--import", "bad.csv", cwd=proj)
    assert result.code == 2
    assert result.err.count("\n") == 1 and "bad.csv" in result.err and message in result.err
    assert not (proj / "data" / "judgments.yaml").exists()


def test_tiers_round_trip_writes_overrides_and_keeps_comments(proj):
    overrides = proj / "data" / "overrides.yaml"
    overrides.write_text("# Corrections by hand.\nmerge: []\nsplit: []\ntier:\n  # checked by hand\n"
                         "  beta#6: 3-mid\ntopics: {}\n", encoding="utf-8")
    review(proj, "", "--tiers", "--export", "tiers.csv")
    with open(proj / "tiers.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {"ref", "question", "tier", "tier_origin", "topics", "verdict"} <= set(rows[0])
    by_ref = {row["ref"]: row for row in rows}
    by_ref["alpha#3"]["tier"] = "4-senior"
    by_ref["alpha#2"]["verdict"] = "ok"
    with open(proj / "tiers.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert "2 notes' tier and topics written" in review(proj, "", "--tiers", "--import", "tiers.csv")
    text = overrides.read_text(encoding="utf-8")
    assert text.startswith("# Corrections by hand.\n") and "  # checked by hand\n  beta#6: 3-mid\n" in text
    written = yaml.safe_load(text)
    assert written["tier"] == {"beta#6": "3-mid", "alpha#3": "4-senior", "alpha#2": by_ref["alpha#2"]["tier"]}
    assert written["topics"]["alpha#3"] == by_ref["alpha#3"]["topics"].split("; ")
    with chdir(proj):
        notes = build_notes(read_catalog(load_recipe()))
    tiers = {n.refs[0]: (n.tier, n.tier_origin) for n in notes}
    assert tiers["alpha#3"] == ("4-senior", "override")
