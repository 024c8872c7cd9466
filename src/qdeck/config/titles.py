"""Read a deep-dive titles file (e.g. data/deep-dive-71.questions.yaml): the question written for each answer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from qdeck.config.schema import TitlesFile
from qdeck.config.shape import load


@dataclass(frozen=True)
class Titles:
    """The titles of one deep-dive page, by answer number in page order, white space squeezed."""

    path: Path
    by_number: Mapping[int, str]


def load_titles(path: Path) -> Titles:
    """Read and check a titles file; every problem is one InputError naming the file (and line)."""
    titles = load(path, TitlesFile, what="the titles file", empty={},
                  missing="titles file not found; write it or fix `titles:` in data/sources.yaml")
    return Titles(path, MappingProxyType({number: " ".join(title.split()) for number, title in titles.items()}))
