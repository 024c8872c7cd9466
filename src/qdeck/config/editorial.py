"""Read the editorial answers (data/editorial/*.yaml): short answers written for this deck, by note GUID."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from qdeck.config import schema
from qdeck.config.shape import Invalid, load

# A fence opens with ``` and a language word and closes with a bare ``` on a line of its own.
_FENCE = re.compile(r"^```([\w+-]*)\n(.*?)^```[ \t]*$", re.S | re.M)
EDITORIAL_DIR = "editorial"


@dataclass(frozen=True)
class EditorialAnswer:
    """One answer written for one note, with the question it was written against."""

    guid: str
    question: str
    answer: str
    file: Path
    title: str
    beside_list: bool = False  # reviewed: kept beside a list's answer, no notice


@dataclass(frozen=True)
class Editorial:
    """Every editorial answer of a recipe, by GUID."""

    answers: Mapping[str, EditorialAnswer]

    def get(self, guid: str) -> EditorialAnswer | None:
        return self.answers.get(guid)


def fences(answer: str) -> list[tuple[str, str]]:
    """(language, code) of every fenced block of an answer, in order."""
    return _FENCE.findall(answer)


def load_editorial(folder: Path) -> Editorial:
    """Every `*.yaml` in `folder`, each a `title` and a list of `answers`; a GUID answered twice is an error."""
    answers: dict[str, EditorialAnswer] = {}
    for path in sorted(folder.glob("*.yaml")):
        def build(raw: schema.EditorialFile, path: Path = path) -> None:
            for number, entry in enumerate(raw.answers):
                if entry.guid in answers:
                    raise Invalid(("answers", number, "guid"), f"{entry.guid} has an answer already in "
                                                               f"{answers[entry.guid].file.name}; keep one")
                if entry.answer.count("```") != 2 * len(fences(entry.answer)):
                    raise Invalid(("answers", number, "answer"), f"a ``` fence of {entry.guid} is not closed")
                answers[entry.guid] = EditorialAnswer(entry.guid, entry.question.strip(), entry.answer.strip(),
                                                      path, raw.title.strip(), entry.beside_list)
        load(path, schema.EditorialFile, build=build, what="the editorial answers")
    return Editorial(answers)
