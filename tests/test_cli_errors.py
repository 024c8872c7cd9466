"""Bad input: one line naming the file and what to do, exit code 2, no traceback."""

from __future__ import annotations

import pytest

from tests.helpers import make_project, run_cli

GOOD = "1. What is a list?\n2. What is a tuple?\n"


def registry(fmt: str = "numbered", name: str = "a", extra: str = "") -> str:
    return f"sources:\n  - name: {name}\n    file: sources/a.txt\n    format: {fmt}\n{extra}"


CASES = {
    "missing file": (
        registry(), {},
        "qdeck: error: data/sources/a.txt: source 'a': file not found; "
        "fix `file:` in data/sources.yaml or add the file\n",
    ),
    "empty file": (
        registry(), {"a.txt": "\n  \n"},
        "qdeck: error: data/sources/a.txt: source 'a': the file is empty; add questions or remove the source\n",
    ),
    "binary file": (
        registry(), {"a.txt": b"1. What\x00 is\x00\n"},
        "qdeck: error: data/sources/a.txt: source 'a': not a text file (it holds NUL bytes); "
        "point `file:` at a text list\n",
    ),
    "legacy encoding": (
        registry(), {"a.txt": "1. What is a caf\u00e9 list?\n".encode("cp1252")},
        "qdeck: error: data/sources/a.txt: source 'a': line 1 is not valid utf-8; "
        "re-save it as UTF-8 or set `encoding:` (e.g. cp1252) for it in data/sources.yaml\n",
    ),
    "no questions": (
        registry(), {"a.txt": "Just some prose.\nNo numbers here.\n"},
        "qdeck: error: data/sources/a.txt: source 'a': the numbered parser found no questions; "
        "check `format:` and its options in data/sources.yaml\n",
    ),
    "unknown format": (
        registry(fmt="docx"), {"a.txt": GOOD},
        "qdeck: error: data/sources.yaml: line 4: sources[0].format: expected one of "
        "numbered, qa, deep-dive, csv, yaml, json, markdown, got 'docx'\n",
    ),
    "malformed registry": (
        "sources:\n  - name: a\n    file: [unclosed\n", {"a.txt": GOOD},
        "qdeck: error: data/sources.yaml: line 4: malformed YAML (did not find expected ',' or ']'); "
        "fix the file\n",
    ),
    "source named twice": (
        registry() + "  - name: a\n    file: sources/a.txt\n    format: numbered\n", {"a.txt": GOOD},
        "qdeck: error: data/sources.yaml: line 5: sources[1].name: source 'a' is declared twice; "
        "give each source one entry\n",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_one_clear_line(case, tmp_path, capsys):
    sources_yaml, files, expected = CASES[case]
    project = make_project(tmp_path, sources_yaml, files)
    result = run_cli(capsys, "sources", cwd=project)
    assert (result.code, result.out, result.err) == (2, "", expected)


def test_malformed_recipe_names_its_line(tmp_path, capsys):
    project = make_project(tmp_path, registry(), {"a.txt": GOOD}, recipe="deck: Test\nslug: [x\n")
    result = run_cli(capsys, "questions", cwd=project)
    assert result.code == 2
    assert result.err.startswith("qdeck: error: decks/test.yaml: line 3: malformed YAML")
    assert "Traceback" not in result.err and result.err.count("\n") == 1


def test_unknown_source_option_lists_the_known_ones(tmp_path, capsys):
    project = make_project(tmp_path, registry(), {"a.txt": GOOD})
    result = run_cli(capsys, "questions", "--source", "zzz", cwd=project)
    assert (result.code, result.err) == (2, "qdeck: error: unknown source 'zzz'; this recipe has: a\n")


def test_a_sixth_list_needs_only_a_file_and_yaml(tmp_path, capsys):
    csv_text = 'question,answer,tier,topics\n"What is a <class \'int\'>?",It is the int type.,2-junior,data-types\n'
    extra = "  - name: mine\n    file: sources/mine.csv\n    format: csv\n"
    project = make_project(tmp_path, registry() + extra, {"a.txt": GOOD, "mine.csv": csv_text})
    result = run_cli(capsys, "questions", "--source", "mine", "--format", "jsonl", cwd=project)
    assert result.code == 0, result.err
    assert result.out == (
        '{"ref": "mine#1", "source": "mine", "number": "1", "text": "What is a <class \'int\'>?", '
        '"answer": "It is the int type.", "section": null, "level": null, "code_task": null, '
        '"follow_up_of": null, "tier": "2-junior"}\n'
    )


def test_a_repair_without_its_word_list_refuses_to_guess(tmp_path, capsys, monkeypatch):
    # Without wordfreq's English list every prose word would look like code; the repair must not
    # run (and leave no cached parse behind) rather than mark half the questions with stray backticks.
    import qdeck.repair.vocabulary

    extra = "    options:\n      repair: scraped-inline-code\n"
    project = make_project(tmp_path, registry("qa") + extra,
                           {"a.txt": "Q1. What is a list?\n- A mutable sequencetype.\n"})
    monkeypatch.setattr(qdeck.repair.vocabulary, "english_frequencies", lambda: {})
    result = run_cli(capsys, "sources", cwd=project)
    assert (result.code, result.out, result.err) == (
        2, "", "qdeck: error: data/sources/a.txt: source 'a': the scraped-inline-code repair needs the `wordfreq` "
               "package (a qdeck dependency) and it does not load; reinstall qdeck (pip install -e .)\n")
    monkeypatch.undo()
    result = run_cli(capsys, "questions", cwd=project)
    assert result.code == 0, result.err
    assert "What is a list?" in result.out
