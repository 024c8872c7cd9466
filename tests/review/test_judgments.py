"""The judgment store and the build honouring it: verdicts apply, follow their questions, bad files stop."""

from __future__ import annotations

import pytest
import yaml

from tests.helpers import run_cli
from tests.review.project import ALPHA, BETA, judgments, note_of, review, write_csv


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
