"""Editorial answers: every code example compiles and every >>> session passes, from the data."""

from __future__ import annotations

from pathlib import Path

import pytest

from qdeck.config.editorial import load_editorial
from qdeck.editorial import check_examples
from qdeck.errors import InputError

DATA = Path(__file__).resolve().parents[1] / "data" / "editorial"
EDITORIAL = load_editorial(DATA)


@pytest.mark.parametrize("guid", sorted(EDITORIAL.answers))
def test_examples_compile_and_pass(guid: str) -> None:
    assert check_examples(EDITORIAL.answers[guid]) == []


def test_a_failing_session_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "title: qdeck editors\nanswers:\n- guid: d:1\n  question: Q?\n  answer: |-\n"
        "    ```python\n    >>> x = [1]\n    ```\n\n    ```python\n    >>> x + [2]\n    [1, 2, 3]\n    ```\n"
        "- guid: d:2\n  question: Q?\n  answer: |-\n    ```python\n    >>> int('x')\n    3\n    ```\n",
        encoding="utf-8")
    answers = load_editorial(tmp_path).answers
    first, second = check_examples(answers["d:1"]), check_examples(answers["d:2"])
    assert len(first) == 1 and "block 2" in first[0] and "[1, 2, 3]" in first[0]  # x came from block 1
    assert len(second) == 1 and "ValueError" in second[0]


def test_code_that_does_not_compile_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        "title: t\nanswers:\n- guid: d:1\n  question: Q?\n  answer: |-\n    ```python\n    def f(:\n    ```\n",
        encoding="utf-8")
    assert "does not compile" in check_examples(load_editorial(tmp_path).answers["d:1"])[0]


@pytest.mark.parametrize("body, message", [
    ("- just a list\n", "expected a mapping"),
    ("title: t\nanswers:\n- guid: d:1\n  question: Q?\n", "answer"),
    ("title: t\nanswers:\n- guid: d:1\n  question: Q?\n  answer: A\n- guid: d:1\n  question: Q?\n  answer: B\n",
     "has an answer already"),
    ("title: t\nanswers:\n- guid: d:1\n  question: Q?\n  answer: |-\n    ```python\n    x = 1\n", "not closed"),
])
def test_bad_files_are_one_clear_error(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / "bad.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(InputError, match=message) as err:
        load_editorial(tmp_path)
    assert "bad.yaml" in str(err.value) and "\n" not in str(err.value)
