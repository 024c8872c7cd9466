"""`qdeck review`: scripted key presses, the judgment store, CSV round trips, and the build honouring
the judgments, on a small throwaway project."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from qdeck.cli import cli
from qdeck.config import load_recipe
from qdeck.pipeline import build_notes, read_catalog
from qdeck.review import store
from tests.helpers import chdir, make_project, run_cli

SOURCES = """\
sources:
  - name: alpha
    file: sources/alpha.csv
    format: csv
  - name: beta
    file: sources/beta.csv
    format: csv
"""
ALPHA = """\
number,question,answer
1,What is a Python list?,An ordered mutable sequence.
2,What is a decorator?,A function that wraps another function.
3,How do you reverse a string?,"Slice it: s[::-1]."
4,What is the GIL?,A lock that lets one thread run Python bytecode at a time.
5,How do you read a file line by line?,Iterate over the open file.
"""
BETA = """\
number,question,answer
1,What are Python lists?,Mutable sequences.
2,Explain decorators and how they wrap functions.,They take a function and return a new one.
3,What does a negative slice step do?,It walks the sequence backwards.
4,What does the global interpreter lock do?,It serialises bytecode execution.
6,How do you write a list to a file?,Open it for writing and write each item.
"""
RECIPE = "deck: Review\nslug: review\ntag_root: review\nsources: [alpha, beta]\n"


@pytest.fixture
def proj(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project", SOURCES, {"alpha.csv": ALPHA, "beta.csv": BETA}, RECIPE)


def review(proj: Path, keys: str, *args: str) -> str:
    """Run `qdeck review` in-process with `keys` typed at the terminal."""
    with chdir(proj):
        result = CliRunner().invoke(cli, ["review", "--no-embeddings", *args], input=keys, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def judgments(proj: Path) -> dict[frozenset[str], str]:
    return {j.key: j.verdict for j in store.load(proj / "data" / "judgments.yaml")}


def export_rows(proj: Path, name: str = "pairs.csv", *args: str) -> list[dict[str, str]]:
    review(proj, "", "--export", name, *args)
    with open(proj / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def pair(row: dict[str, str]) -> frozenset[str]:
    return frozenset((row["ref_a"], row["ref_b"]))


def note_of(proj: Path) -> dict[str, frozenset[str]]:
    with chdir(proj):
        notes = build_notes(read_catalog(load_recipe()), tag=False)
    return {ref: frozenset(n.refs) for n in notes for ref in n.refs}


def test_keys_judge_in_order_and_undo_takes_back_the_last_answer(proj):
    rows = export_rows(proj)
    assert len(rows) >= 3
    out = review(proj, "sdur")  # same, different, undo (the second pair again), related; then EOF quits
    assert judgments(proj) == {pair(rows[0]): "same", pair(rows[1]): "related"}
    assert "undone" in out and f"pair 1 of {len(rows)}" in out
    assert "2 judged;" in out.splitlines()[-1]


def test_quit_midway_keeps_every_answer_and_the_next_run_resumes(proj):
    rows = export_rows(proj)
    review(proj, "dq" + "s" * 5)  # keys after q are never read
    assert judgments(proj) == {pair(rows[0]): "different"}
    out = review(proj, "rq")
    assert f"{len(rows) - 1} pairs to judge (1 judged before)" in out
    assert judgments(proj) == {pair(rows[0]): "different", pair(rows[1]): "related"}
    # The file is written whole after each answer: it always parses, with the texts as judged.
    text = yaml.safe_load((proj / "data" / "judgments.yaml").read_text(encoding="utf-8"))
    assert [len(j["questions"]) for j in text["judgments"]] == [2, 2]


def test_a_note_attaches_to_the_last_answer(proj):
    review(proj, "s" + "n" + "asked the same way\n" + "q")
    (j,) = store.load(proj / "data" / "judgments.yaml")
    assert (j.verdict, j.note) == ("same", "asked the same way")


def test_build_honours_same_related_and_different(proj, capsys):
    before = note_of(proj)
    assert before["alpha#1"] == {"alpha#1", "beta#1"}  # the matcher merges these
    assert before["alpha#3"] == {"alpha#3"}  # and leaves these apart
    assert before["alpha#4"] == {"alpha#4", "beta#4"}
    rows = [
        {"ref_a": "alpha#1", "ref_b": "beta#1", "verdict": "different"},
        {"ref_a": "alpha#3", "ref_b": "beta#3", "verdict": "same"},
        {"ref_a": "alpha#4", "ref_b": "beta#4", "verdict": "related"},
    ]
    write_csv(proj, "judged.csv", rows)
    assert "3 verdicts read" in review(proj, "", "--import", "judged.csv")
    after = note_of(proj)
    assert after["alpha#1"] == {"alpha#1"} and after["beta#1"] == {"beta#1"}
    assert after["alpha#3"] == {"alpha#3", "beta#3"}
    assert after["alpha#4"] == {"alpha#4"}
    result = run_cli(capsys, "build", "--quiet", cwd=proj)
    assert result.code == 0, result.err
    catalog = (proj / "build" / "review.catalog.jsonl").read_text(encoding="utf-8")
    assert '"refs": ["alpha#3", "beta#3"]' in catalog


def write_csv(proj: Path, name: str, rows: list[dict[str, str]]) -> None:
    texts = {}
    for source, text in (("alpha", ALPHA), ("beta", BETA)):
        for row in csv.DictReader(text.splitlines()):
            texts[f"{source}#{row['number']}"] = row["question"]
    with open(proj / name, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["ref_a", "question_a", "ref_b", "question_b", "verdict", "note"])
        writer.writeheader()
        for row in rows:
            writer.writerow({"question_a": texts.get(row["ref_a"], ""), "question_b": texts.get(row["ref_b"], ""),
                             "note": "", **row})


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


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"refs": ["alpha#1", "beta#1"], "questions": ["a", "b"], "verdict": "same", "why": "x"},
         "judgments[0]: unknown key `why`"),
        ({"refs": ["alpha#1", "beta#1"], "questions": ["a", "b"], "verdict": "yes"}, "judgments[0].verdict: expected one of same, related, different"),
        ({"refs": ["alpha#1"], "questions": ["a", "b"], "verdict": "same"}, "judgments[0].refs: expected a pair of refs"),
        ({"refs": ["alpha#1", "beta-1"], "questions": ["a", "b"], "verdict": "same"}, "judgments[0].refs[1]: expected a ref such as"),
    ],
)
def test_a_malformed_judgments_file_stops_the_build_with_one_line(proj, capsys, entry, message):
    (proj / "data" / "judgments.yaml").write_text(yaml.safe_dump({"judgments": [entry]}), encoding="utf-8")
    result = run_cli(capsys, "build", "--quiet", cwd=proj)
    assert result.code == 2
    assert result.err.count("\n") == 1 and "judgments.yaml" in result.err and message in result.err


def test_judgments_follow_their_questions_and_a_gone_one_is_reported(proj, capsys):
    write_csv(proj, "judged.csv", [
        {"ref_a": "alpha#3", "ref_b": "beta#3", "verdict": "same"},
        {"ref_a": "alpha#5", "ref_b": "beta#6", "verdict": "related"},
        {"ref_a": "alpha#2", "ref_b": "beta#2", "verdict": "different"},
    ])
    review(proj, "", "--import", "judged.csv")
    # The next release renumbers alpha#3, rewords beta#2 slightly and drops alpha#5.
    alpha = ALPHA.replace("3,How do you reverse", "7,How do you reverse").replace(
        "5,How do you read a file line by line?,Iterate over the open file.\n", "")
    beta = BETA.replace("Explain decorators and how they wrap functions.",
                        "Explain decorators and how they wrap other functions.")
    (proj / "data" / "sources" / "alpha.csv").write_text(alpha, encoding="utf-8")
    (proj / "data" / "sources" / "beta.csv").write_text(beta, encoding="utf-8")
    result = run_cli(capsys, "build", "--quiet", cwd=proj)
    assert result.code == 0, result.err
    out = result.out
    assert "judgment alpha#3 ~ beta#3 (same) follows its questions: alpha#3 -> alpha#7" in out
    assert "judgment alpha#2 ~ beta#2 (different) follows its questions: beta#2 reworded" in out
    assert ("judgment alpha#5 ~ beta#6 (related) no longer applies: gone: "
            "alpha#5 'How do you read a file line by line?'") in out
    assert note_of(proj)["alpha#7"] == {"alpha#7", "beta#3"}
    # `qdeck review` says so too, and the stored judgment is kept, not dropped.
    assert "alpha#5 ~ beta#6 (related) no longer applies" in review(proj, "q")
    assert len(judgments(proj)) == 3


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


def test_tier_keys_pin_tiers_and_undo_restores_the_file(proj):
    overrides = proj / "data" / "overrides.yaml"
    overrides.write_text("merge: []\nsplit: []\ncanonical: {}\ntier: {}\ntopics: {}\n", encoding="utf-8")
    original = overrides.read_text(encoding="utf-8")
    out = review(proj, "2u", "--tiers")
    assert "undone" in out and overrides.read_text(encoding="utf-8") == original
    review(proj, "3aq", "--tiers")
    written = yaml.safe_load(overrides.read_text(encoding="utf-8"))
    assert len(written["tier"]) == 2 and "3-mid" in written["tier"].values()
    assert set(written["tier"]) == set(written["topics"])


def test_export_adds_the_embedding_signal_when_the_model_is_installed(proj, monkeypatch):
    for module in ("numpy", "tokenizers", "safetensors"):
        pytest.importorskip(module, reason=f"the [embed] extra is not installed ({module} is missing)")
    from qdeck import embed
    from tests.helpers import ROOT

    model = Path(os.environ.get(embed.MODEL_DIR_ENV) or ROOT / "models" / embed.MODEL_NAME)
    if not (model / "model.safetensors").is_file():
        pytest.skip(f"no {embed.MODEL_NAME} model at {model}; run `qdeck model fetch`")
    monkeypatch.setenv(embed.MODEL_DIR_ENV, str(model))
    with chdir(proj):
        result = CliRunner().invoke(cli, ["review", "--export", "pairs.csv"], catch_exceptions=False)
    assert result.exit_code == 0 and "no embedding near misses" not in result.output
    with open(proj / "pairs.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and all(0.0 <= float(row["embedding"]) <= 1.0 for row in rows)
    # The blended score takes the better of the two signals, never less than the words alone.
    assert all(float(row["embedding"]) >= float(row["score"]) for row in rows)


def test_without_the_model_review_says_so_and_goes_on(proj, monkeypatch, tmp_path):
    from qdeck import embed

    monkeypatch.setenv(embed.MODEL_DIR_ENV, str(tmp_path / "no-model"))
    with chdir(proj):
        result = CliRunner().invoke(cli, ["review", "--export", "pairs.csv"], catch_exceptions=False)
    assert result.exit_code == 0 and "no embedding near misses" in result.output
    assert (proj / "pairs.csv").is_file()
