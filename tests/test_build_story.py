"""What `qdeck build` and `qdeck diff` tell the person who runs them: real lists, real packages, real Anki."""

from __future__ import annotations

import io
import time
from pathlib import Path

from qdeck import pipeline
from tests.anki.helpers import notes_by_guid, study
from tests.helpers import build_quietly as build
from tests.helpers import e2e_project as project
from tests.helpers import e2e_release as release
from tests.helpers import run_cli

MINE = (
    "question,answer\n"
    "What is a list in Python?,A mutable sequence.\n"
    "What is duck typing in Python?,\n"
    "What is a frozenset?,An immutable set.\n"
    "How do I reverse a string in Python?,Slice it with [::-1].\n"
)


def story(out: str) -> list[str]:
    """The output without its last line (the time taken)."""
    lines = out.splitlines()
    assert lines[-1].startswith("took ")
    return lines[:-1]


def add_csv_list(proj: Path) -> None:
    with (proj / "data" / "sources.yaml").open("a", encoding="utf-8") as handle:
        handle.write("  - name: mine\n    file: sources/mine.csv\n    format: csv\n    title: My team's list\n")
    (proj / "data" / "sources" / "mine.csv").write_text(MINE, encoding="utf-8")
    recipe = proj / "decks" / "test.yaml"
    recipe.write_text(recipe.read_text(encoding="utf-8").replace("[basics, answers]", "[basics, answers, mine]"),
                      encoding="utf-8")


def test_a_first_build_counts_every_note_once(tmp_path, capsys):
    assert story(build(capsys, project(tmp_path))) == [
        "notes: 10 from 10 questions; 0 questions merged into 0 notes; 3 notes with an answer",
        "changes: 10 new, 0 changed, 0 unchanged, 0 retired, 0 merged",
        "source   questions  as before  joined a note  in a new note",
        "basics           7          0              0              7",
        "answers          3          0              0              3",
        "wrote      build/e2e.apkg  (package, 10 notes)",
        "wrote      decks/e2e.lock.yaml  (identity lock)",
        "wrote      build/e2e.catalog.jsonl  (catalog)",
        "wrote      build/e2e.report.html  (merge report)",
    ]


def test_a_release_build_tells_what_changed_and_why(tmp_path, capsys):
    proj = project(tmp_path)
    build(capsys, proj)
    time.sleep(1.1)  # a release a second later: mods are whole seconds
    release(proj, "v2")
    assert story(build(capsys, proj)) == [
        "notes: 9 from 10 questions; 2 questions merged into 1 note; 3 notes with an answer",
        "changes: 1 new, 4 changed, 4 unchanged, 1 retired, 1 merged; the full package holds 11: these 9 and 2 retired",
        "source   questions  as before  joined a note  in a new note",
        "basics           7          6              0              1",
        "answers          3          2              1              0",
        "joined existing notes:",
        '  answers#3 "What does the with statement do?" joined "What does the `with` statement do?" '
        '(it was in "What does the with statement do with fi…")',
        "new notes:",
        "  + What is a Python set?",
        "changed notes (text 2, answer 2, tier 1, tags 1, sources 1):",
        "  ~ answer: What are Python generators?",
        # a joining question does not rename it, and the note without an answer keeps its GUID
        # (its question is unchanged), so it loses its "no answer" tag
        "  ~ text, answer, tags, sources: What does the `with` statement do?",
        "  ~ text: How can you reverse a string in Python?",
        "  ~ tier: What is a decorator?",
        "taken out:",
        "  - retired: What does the `len()` function return for `<class 'int'>` objects?",
        "  - merged: What does the with statement do with files?",
        "wrote      build/e2e.apkg  (package, 11 notes)",
        "wrote      decks/e2e.lock.yaml  (identity lock)",
        "wrote      build/e2e.catalog.jsonl  (catalog)",
        "wrote      build/e2e.report.html  (merge report)",
        "wrote      build/e2e.previous.apkg  (the package it replaced: the last release, which `qdeck diff` "
        "compares with)",
    ]


def test_adding_a_csv_list_says_which_questions_joined_which_notes(tmp_path, capsys, anki_collection, anki_import):
    proj = project(tmp_path)
    build(capsys, proj)
    col = anki_collection()
    anki_import(col, proj / "build" / "e2e.apkg")
    study(col, "E2E")
    before = notes_by_guid(col)

    time.sleep(1.1)
    add_csv_list(proj)
    lines = story(build(capsys, proj))
    assert lines[:13] == [
        "notes: 11 from 14 questions; 6 questions merged into 3 notes; 6 notes with an answer",
        "changes: 1 new, 3 changed, 7 unchanged, 0 retired, 0 merged",
        "source   questions  as before  joined a note  in a new note",
        "basics           7          7              0              0",
        "answers          3          3              0              0",
        "mine             4          0              3              1",
        "joined existing notes:",
        '  mine#1 "What is a list in Python?" joined "What is a Python list?"',
        '  mine#2 "What is duck typing in Python?" joined "What is duck typing?"',
        '  mine#4 "How do I reverse a string in Python?" joined "How do you reverse a string in Python?"',
        "new notes:",
        "  + What is a frozenset?",
        "changed notes (text 3, answer 2, tags 2, sources 3):",
    ]

    # What the story says is what a learner gets: the joined questions are on the notes they studied.
    anki_import(col, proj / "build" / "e2e.apkg")
    after = notes_by_guid(col)
    assert len(after) == len(before) + 1
    fields = {guid: " ".join(col.get_note(after[guid][0]).fields) for guid in before}
    for asked in ("What is a list in Python?", "What is duck typing in Python?",
                  "How do I reverse a string in Python?"):
        assert sum(asked in text for text in fields.values()) == 1, asked


def test_diff_after_a_build_shows_that_build_against_the_previous_release(tmp_path, capsys):
    proj = project(tmp_path)
    build(capsys, proj)
    first = (proj / "build" / "e2e.apkg").read_bytes()
    time.sleep(1.1)
    release(proj, "v2")
    pending = run_cli(capsys, "diff", cwd=proj)  # before the build: what building it would do
    assert pending.out.splitlines()[:2] == [
        "compared with build/e2e.apkg: the last build; the sources have changed since",
        "1 new, 4 changed, 4 unchanged, 1 retired, 1 merged",
    ]
    build(capsys, proj)
    previous = proj / "build" / "e2e.previous.apkg"
    assert previous.read_bytes() == first  # the release users have
    result = run_cli(capsys, "diff", cwd=proj)
    assert result.code == 0, result.err
    assert result.out.splitlines()[1:] == pending.out.splitlines()[1:]  # the same changes, now built
    assert result.out.splitlines()[0] == ("compared with build/e2e.previous.apkg: the release before the last "
                                          "build (build/e2e.apkg, which is current)")

    build(capsys, proj)  # nothing changed: the previous release stays the one users have
    assert previous.read_bytes() == first
    same = run_cli(capsys, "diff", "build/e2e.apkg", cwd=proj)
    assert same.out.splitlines()[:2] == ["compared with build/e2e.apkg",
                                         "0 new, 0 changed, 11 unchanged, 0 retired, 0 merged"]


def test_diff_takes_the_recipe_as_every_command_does(tmp_path, capsys):
    proj = project(tmp_path)
    build(capsys, proj)
    expected = ["compared with build/e2e.apkg: the last build, which is current; no earlier release is kept "
                "until a build replaces it", "0 new, 0 changed, 10 unchanged, 0 retired, 0 merged"]
    for args in (["decks/test.yaml"], ["--recipe", "decks/test.yaml"]):
        result = run_cli(capsys, "diff", *args, cwd=proj)
        assert (result.code, result.out.splitlines()[:2]) == (0, expected), args
    result = run_cli(capsys, "diff", "decks/test.yaml", "build/e2e.apkg", cwd=proj)
    assert result.out.splitlines()[0] == "compared with build/e2e.apkg"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_names_the_running_stage_on_a_terminal(tmp_path, capsys, monkeypatch):
    proj = project(tmp_path)
    quiet_out = story(build(capsys, proj, "--out", "piped"))
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    monkeypatch.setenv("QDECK_NO_CACHE", "1")  # a cold build: every stage runs
    result = run_cli(capsys, "build", cwd=proj)
    assert result.code == 0
    frames = [frame for frame in terminal.getvalue().split("\r\x1b[K") if frame]
    stages = [frame.split(" · ")[1] for frame in frames]
    assert list(dict.fromkeys(stages)) == list(dict.fromkeys(stage.name for stage in pipeline.STAGES))  # each named, in order
    assert frames[0].startswith("qdeck build · ingest")  # named as it starts, before any count
    assert any(f.startswith("qdeck build · ingest · reading answers, source 2/2 · ") for f in frames)
    assert any(f.startswith("qdeck build · ingest · normalizing questions 10/10 · ") for f in frames)
    assert terminal.getvalue().endswith("\r\x1b[K")  # the line is cleared before the story prints
    assert story(result.out)[0] == quiet_out[0]  # stdout tells the same story
    assert not any("\r" in line or "\x1b" in line for line in result.out.splitlines())


def test_help_shows_every_command_summary_in_full(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    for args in (["--help"], ["model", "--help"]):
        result = run_cli(capsys, *args)
        commands = result.out.split("Commands:\n")[1].splitlines()
        assert commands and all(not line.rstrip().endswith("...") and len(line) <= 80 for line in commands), commands


def test_the_merge_report_shows_code_and_sorts_by_lowest_similarity(tmp_path, capsys):
    proj = project(tmp_path)
    release(proj, "v2")
    (proj / "data" / "sources" / "answers.txt").write_text(
        "Q1. What is `<class 'int'>`?\n- The int type.\nQ2. What is <class 'int'>, really?\n- The int type.\n"
        "Q3. What does the with statement do?\n- Opens and closes.\n", encoding="utf-8")
    build(capsys, proj)
    page = (proj / "build" / "e2e.report.html").read_text(encoding="utf-8")
    assert "What is <code>&lt;class 'int'&gt;</code>?" in page  # code, and still escaped
    assert "<class" not in page
    lows = [float(part.split(">", 1)[0]) for part in page.split("data-low=")[1:]]
    assert len(lows) == 2 and all(0 < low <= 1 for low in lows)
    assert "orderBy('low')" in page and "lowest similarity first" in page
    assert f"lowest similarity {min(lows):.2f}" in page


def test_a_close_identity_call_is_told_as_such():
    from qdeck.outputs.story import BuildStory, DeckCounts

    told = BuildStory(deck=DeckCounts(2, 2, 0, 0, 0, 1), retired=0,
                      counts={"new": 0, "changed": 1, "unchanged": 1, "retired": 0, "merged": 0},
                      uncertain=(("What is a list?", "What are lists <and> tuples?", 0.3125),)).text()
    assert told.splitlines()[-1] == \
        "kept as the same note: What is a list? → What are lists <and> tuples? (similarity 0.31)"
