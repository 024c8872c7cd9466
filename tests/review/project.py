"""A small throwaway review project (two CSV lists) and the steps the review tests take on it."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner

from qdeck.cli import cli
from qdeck.config import load_recipe
from qdeck.pipeline import build_notes, read_catalog
from qdeck.review import store
from tests.helpers import chdir, make_project

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


def make_review_project(folder: Path) -> Path:
    return make_project(folder, SOURCES, {"alpha.csv": ALPHA, "beta.csv": BETA}, RECIPE)


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


def write_csv(proj: Path, name: str, rows: list[dict[str, str]]) -> None:
    """A judged pairs CSV as a reviewer would fill it in, with the two questions' texts."""
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
