"""Hostile and mistaken data files: each row is exit 2, one line naming the file, no traceback, no file changed."""

from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path

import pytest

from tests.helpers import ROOT, run_cli

SOURCES = """\
sources:
  - name: a
    file: sources/a.txt
    format: numbered
    tiers: {"1": 1-beginner}
    options:
      item: '^(?P<num>\\d+)\\.\\s+(?P<text>.+)$'
      headings:
        - {kind: level, pattern: '^## (?P<title>Tier (?P<key>\\d+))$'}
  - name: dd
    file: sources/dd.txt
    format: deep-dive
    options:
      titles: dd.questions.yaml
"""
FILES = {
    "decks/test.yaml": "deck: Test\nslug: test\nsources: [a, dd]\n",
    "data/sources.yaml": SOURCES,
    "data/sources/a.txt": "## Tier 1\n1. What is a list?\n2. What is a tuple?\n3. How do you reverse a list?\n",
    "data/sources/dd.txt": "Answer:What interviewers are really testing: memory.\nAnswer:Generators are lazy.\n",
    "data/dd.questions.yaml": "1: How does Python manage memory?\n2: What is a generator?\n",
    "data/overrides.yaml": "merge: []\nsplit: [[a#1, a#2]]\ntier: {a#3: 2-junior}\ntopics: {a#1: data-types}\n",
}

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(9)
)  # 9**10 strings once expanded: the billion laughs

# name: (file, text to replace (None: the whole file), replacement, what the one line must say)
CASES: dict[str, tuple[str, str | None, str, str]] = {
    "sources: tiers as a list": (
        "data/sources.yaml", 'tiers: {"1": 1-beginner}', "tiers: [1-beginner, 2-junior]",
        "line 5: sources[0].tiers: expected a mapping of the list's own levels to tiers"),
    "sources: unknown key": (
        "data/sources.yaml", "    format: deep-dive\n", "    format: deep-dive\n    fromat: qa\n",
        "line 13: sources[1]: unknown key `fromat`; the keys here are: name, file, format"),
    "sources: unknown format": (
        "data/sources.yaml", "format: numbered", "format: markdwon",
        "line 4: sources[0].format: expected one of numbered, qa, deep-dive"),
    "sources: option of another format": (
        "data/sources.yaml", "      titles: dd", "      question: x\n      titles: dd",
        "line 14: sources[1].options: unknown key `question`; the keys here are: titles"),
    "sources: option of the wrong type": (
        "data/sources.yaml", "      item: '^(?P<num>\\d+)\\.\\s+(?P<text>.+)$'", "      item: 3",
        "line 7: sources[0].options.item: expected a regular expression, got 3; quote it"),
    "sources: regex without its group": (
        "data/sources.yaml", "(?P<text>.+)$'", "(.+)$'",
        "line 7: sources[0].options.item: the pattern needs the named group(s) (?P<text>...)"),
    "sources: bad regex": (
        "data/sources.yaml", "(?P<title>Tier", "((?P<title>Tier",
        "line 9: sources[0].options.headings[0].pattern: not a valid regular expression"),
    "sources: key given twice": (
        "data/sources.yaml", "    format: numbered\n", "    format: numbered\n    format: qa\n",
        "line 5: malformed YAML (the key 'format' is given twice)"),
    "sources: alias bomb": ("data/sources.yaml", None, SOURCES + BOMB, "line 15: YAML anchor `a`"),
    "sources: oversized": (
        "data/sources.yaml", None, SOURCES + ("# padding\n" * 110_000), "is larger than 1,048,576 bytes"),
    "sources: unknown encoding": (
        "data/sources.yaml", "    format: numbered\n", "    format: numbered\n    encoding: klingon-8\n",
        "line 5: sources[0].encoding: unknown encoding 'klingon-8'"),
    "recipe: slug with a path": (
        "decks/test.yaml", "slug: test", "slug: ../escaped",
        "line 2: slug: expected a file-name slug of letters, digits, `-` and `_` (no `/` or `..`), got '../escaped'"),
    "recipe: unknown key": ("decks/test.yaml", "sources:", "sorces:", "line 3: unknown key `sorces`"),
    "recipe: alias bomb": ("decks/test.yaml", None, "deck: Test\n" + BOMB, "line 2: YAML anchor `a`"),
    "recipe: unknown source": ("decks/test.yaml", "[a, dd]", "[a, b]", "line 3: sources[1]: unknown source 'b'"),
    "recipe: package per topic": (
        "decks/test.yaml", None, "slug: test\npackages:\n  - name: test-{tier}\n    per: topic\n",
        "line 4: packages[0].per: expected one of tier, got 'topic'"),
    "recipe: package name with a path": (
        "decks/test.yaml", None, "slug: test\npackages:\n  - name: ../../outside\n",
        "line 3: packages[0].name: expected a file name"),
    "overrides: tier as a list": (
        "data/overrides.yaml", "tier: {a#3: 2-junior}", "tier: [a#3]", "line 3: tier: expected a mapping of refs to tiers"),
    "overrides: a group of one": (
        "data/overrides.yaml", "split: [[a#1, a#2]]", "split: [[a#1]]", "line 2: split[0]: expected a list of two or more refs"),
    "judgments: alias bomb": ("data/judgments.yaml", None, BOMB, "line 1: YAML anchor `a`"),
    "judgments: a verdict it does not know": (
        "data/judgments.yaml", None,
        "judgments:\n- refs: [a#1, a#2]\n  questions: [A?, B?]\n  verdict: maybe\n",
        "line 4: judgments[0].verdict: expected one of same, related, different, got 'maybe'"),
    "overrides: unknown key": ("data/overrides.yaml", "merge:", "merges:", "line 1: unknown key `merges`; the keys here are: merge, split, canonical, tier, topics, same, new"),
    "overrides: unknown ref": (
        "data/overrides.yaml", "split: [[a#1, a#2]]", "split: [[a#1, a#9]]",
        "line 2: split[0][1]: override names unknown ref(s): a#9"),
    "overrides: same is not a pair": (
        "data/overrides.yaml", "merge: []", "merge: []\nsame: [[a#1, a#2, a#3]]",
        "line 2: same[0]: expected a pair [OLD_REF, NEW_REF]"),
    "overrides: a ref without its number": ("data/overrides.yaml", "merge: []", "new: [a]",
                                            "line 1: new[0]: expected a ref such as `tiered-200#3`"),
    "overrides: anchor": (
        "data/overrides.yaml", "split: [[a#1, a#2]]", "split: [&pair [a#1, a#2], *pair]", "line 2: YAML anchor `pair`"),
    "sources: a tier the taxonomy lacks": (
        "data/sources.yaml", '{"1": 1-beginner}', '{"1": 1-begginer}',
        "line 5: sources[0].tiers.1: '1-begginer' is not one of the taxonomy's tiers (1-beginner, 2-junior"),
    "overrides: a tier the taxonomy lacks": (
        "data/overrides.yaml", "{a#3: 2-junior}", "{a#3: 5-guru}",
        "line 3: tier.a#3: '5-guru' is not one of the taxonomy's tiers"),
    "overrides: a topic the taxonomy lacks": (
        "data/overrides.yaml", "{a#1: data-types}", "{a#1: [data-types, cooking]}",
        "line 4: topics.a#1: expected one or two of the taxonomy's topics, got ['data-types', 'cooking'] ('cooking'"),
    "dedupe: unquoted yes": ("data/dedupe.yaml", '"no", "yes",', "no, yes,", "expected a word or phrase, got False; quote it"),
    "dedupe: synonyms as a list": ("data/dedupe.yaml", None, "synonyms: [list, array]\n",
                                   "line 1: synonyms: expected a mapping, got a list"),
    "taxonomy: weight as text": ("data/taxonomy.yaml", "  answer_cap: 8.0", "  answer_cap: lots",
                                 "weights.answer_cap: expected a number, got 'lots'"),
    "titles: a list for a title": ("data/dd.questions.yaml", "2: What is a generator?", "2: [What, is, it]",
                                   "line 2: [2]: expected a non-empty text, got a list"),
    "sources: a number too long to read": (
        "data/sources.yaml", "format: numbered", "format: " + "1" * 5_000,
        "line 4: malformed YAML (a number too long to read); fix the file"),
    "lock: a number too long to read": (
        "decks/test.lock.yaml", None, "version: " + "1" * 5_000 + "\n",
        "line 1: malformed YAML (a number too long to read); fix it or restore it from version control"),
    "lock: a list as a key": (
        "decks/test.lock.yaml", None, "version: 2\nnamespace: test\n? [a]\n: x\n",
        "line 3: malformed YAML (found unhashable key); fix it or restore it from version control"),
    "source: 100,000-character question": (
        "data/sources/a.txt", "2. What is a tuple?", "2. What is a " + "tuple " * 16_667 + "?",
        "source 'a': line 3: a#2 has a 100,"),
}


def project(tmp_path: Path) -> Path:
    for name in ("dedupe.yaml", "taxonomy.yaml"):
        (tmp_path / "data").mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "data" / name, tmp_path / "data" / name)
    for name, text in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def tree(root: Path) -> dict[str, str]:
    # build/.cache holds qdeck's own content-addressed parse results, never an output a user reads
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and ".cache" not in p.parts}


def test_the_base_project_builds(tmp_path, capsys):
    root = project(tmp_path)
    result = run_cli(capsys, "build", "--quiet", cwd=root)
    assert (result.code, result.err) == (0, ""), result.err
    assert (root / "decks" / "test.lock.yaml").is_file()


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_one_line_and_changes_nothing(case, tmp_path, capsys):
    name, old, new, expected = CASES[case]
    root = project(tmp_path)
    path = root / name
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if old is not None:
        assert old in text, "the edit must apply"
    path.write_text(new if old is None else text.replace(old, new, 1), encoding="utf-8")
    before = tree(root)
    started = time.perf_counter()
    result = run_cli(capsys, "build", "--quiet", cwd=root)
    took = time.perf_counter() - started
    assert result.code == 2, result.err
    assert result.err.startswith(f"qdeck: error: {name}: "), result.err
    assert expected in result.err, result.err
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert result.out == ""
    assert tree(root) == before
    assert took < 10


@pytest.mark.parametrize("name", ["decks/test.yaml", "data/sources.yaml"])
def test_an_alias_bomb_is_refused_at_once(name, tmp_path, capsys):
    root = project(tmp_path)
    (root / name).write_text(("deck: Test\n" if name.startswith("decks") else SOURCES) + BOMB, encoding="utf-8")
    started = time.perf_counter()
    result = run_cli(capsys, "sources", cwd=root)
    assert result.code == 2 and "YAML anchor" in result.err
    assert time.perf_counter() - started < 1.0


def test_an_over_long_question_is_a_warning_with_its_ref(tmp_path, capsys):
    root = project(tmp_path)
    path = root / "data" / "sources" / "a.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("a tuple?", "a tuple" + " really" * 200 + "?"),
                    encoding="utf-8")
    listed = run_cli(capsys, "sources", cwd=root)
    assert listed.code == 0
    warning = "warning: a#2: the question is 1,416 characters long (line 3); over 1,000 is usually a parse error"
    assert warning in listed.out
    built = run_cli(capsys, "build", "--quiet", cwd=root)
    assert built.code == 0 and warning in built.out


def test_an_alias_bomb_in_a_yaml_question_list_is_refused(tmp_path, capsys):
    root = project(tmp_path)
    (root / "data" / "sources.yaml").write_text(
        "sources:\n  - name: y\n    file: sources/y.yaml\n    format: yaml\n", encoding="utf-8")
    (root / "decks" / "test.yaml").write_text("deck: Test\nslug: test\n", encoding="utf-8")
    (root / "data" / "overrides.yaml").write_text("", encoding="utf-8")
    (root / "data" / "sources" / "y.yaml").write_text("- question: What is a list?\n" + BOMB.replace("a: &a", "- &a"),
                                                      encoding="utf-8")
    started = time.perf_counter()
    result = run_cli(capsys, "sources", cwd=root)
    assert result.code == 2 and result.err.startswith("qdeck: error: data/sources/y.yaml: line 2: YAML anchor `a`")
    assert result.err.count("\n") == 1 and time.perf_counter() - started < 10  # the command, imports included
