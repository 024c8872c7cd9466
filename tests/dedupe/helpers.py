"""Made-up questions and the real vocabulary, for the dedupe tests."""

from __future__ import annotations

from qdeck.dedupe import Matcher, Overrides, Vocabulary, cluster
from qdeck.models import Question
from tests.helpers import ROOT

VOCAB = Vocabulary.load(ROOT / "data" / "dedupe.yaml")


def q(ref: str, text: str) -> Question:
    source, _, number = ref.partition("#")
    return Question(ref=ref, source=source, number=number, text=text, line=1)


def groups(*questions: Question, overrides: Overrides = Overrides()) -> list[list[str]]:
    """The notes these questions alone make, as groups of refs."""
    return cluster(questions, Matcher.build(questions, VOCAB), overrides)
