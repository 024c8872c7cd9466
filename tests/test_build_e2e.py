"""`qdeck build` end to end: real source files, real Anki, a user who keeps studying across releases."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.anki.helpers import cards_by_guid, notes_by_guid, revlog, snapshot, study
from tests.helpers import build_quietly as build
from tests.helpers import e2e_project as project
from tests.helpers import e2e_release as release
from tests.helpers import run_cli


def test_no_progress_noise_when_stderr_is_not_a_terminal(tmp_path, capsys):
    result = run_cli(capsys, "build", cwd=project(tmp_path))
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines()[-1].startswith("took ")


def guid_of(col, text: str) -> str:
    ids = col.find_notes(f'"Question:*{text}*"')
    assert len(ids) == 1, (text, ids)
    return col.get_note(ids[0]).guid


def test_a_user_keeps_every_review_across_a_release(tmp_path, capsys, anki_collection, anki_import):
    proj = project(tmp_path)
    out = build(capsys, proj)
    assert "changes: 10 new, 0 changed, 0 unchanged, 0 retired, 0 merged" in out
    apkg = proj / "build" / "e2e.apkg"
    col = anki_collection()
    anki_import(col, apkg)
    study(col, "E2E")
    before_cards, before_revlog = cards_by_guid(col), revlog(col)
    g = {key: guid_of(col, text) for key, text in {
        "list": "Python list", "reverse": "reverse a string", "len": "len()", "open": "do with files",
        "with": "statement do?", "decorator": "a decorator", "gen": "generators", "duck": "duck typing",
    }.items()}

    time.sleep(1.1)  # a release a second later: mods are whole seconds
    release(proj, "v2")
    out = build(capsys, proj)
    assert "changes: 1 new, 4 changed, 4 unchanged, 1 retired, 1 merged" in out, out
    log = anki_import(col, apkg)

    notes, cards = notes_by_guid(col), cards_by_guid(col)
    assert len(notes) == 11  # 10 of v1 plus the new one: no duplicates
    assert revlog(col) == before_revlog  # no review lost
    for guid, card in before_cards.items():
        assert cards[guid] == card, guid  # intervals, due dates, deck: all kept
    assert guid_of(col, "reverse a string") == g["reverse"]  # reworded: same note, new text
    assert "How can you reverse" in col.get_note(notes[g["reverse"]][0]).fields[0]
    assert guid_of(col, "Python list") == g["list"]  # renumbered: same note
    assert "returns an iterator" in col.get_note(notes[g["gen"]][0]).fields[1]  # changed answer
    assert "e2e::tier::1-beginner" in notes[g["decorator"]][3]  # tier change
    assert "e2e::status::retired" in notes[g["len"]][3]  # removed upstream: still there, tagged
    # Two notes became duplicates: one lives on with both phrasings, the other is retired.
    retired = [k for k in ("open", "with") if "e2e::status::retired" in notes[g[k]][3]]
    assert len(retired) == 1
    assert col.find_notes('"Question:*Python set*"')  # the new question arrived
    assert g["duck"] in {col.get_note(n.id.nid).guid for n in log.duplicate}  # unchanged: untouched

    again = snapshot(col)
    anki_import(col, apkg)
    assert snapshot(col) == again  # importing the same package twice changes nothing


def test_two_builds_are_byte_identical(tmp_path, capsys):
    proj = project(tmp_path)
    build(capsys, proj, "--out", "one")
    build(capsys, proj, "--out", "two")
    for path in (proj / "one").iterdir():
        assert path.read_bytes() == (proj / "two" / path.name).read_bytes(), path.name


@pytest.mark.parametrize("path", ["build stamp", "every stage"])
def test_a_rebuild_with_nothing_changed_writes_nothing(tmp_path, capsys, monkeypatch, path):
    proj = project(tmp_path)
    first = build(capsys, proj)
    stamps = {p: p.stat().st_mtime_ns for p in [*(proj / "build").iterdir(), proj / "decks" / "e2e.lock.yaml"]}
    if path == "every stage":
        monkeypatch.setenv("QDECK_NO_CACHE", "1")  # no cache, no stamp: the whole pipeline runs
    out = build(capsys, proj)
    assert out.splitlines()[:-1] == [
        *first.splitlines()[:1],
        "changes: 0 new, 0 changed, 10 unchanged, 0 retired, 0 merged",
        "source   questions  as before  joined a note  in a new note",
        "basics           7          7              0              0",
        "answers          3          3              0              0",
        *(line.replace("wrote    ", "unchanged") for line in first.splitlines() if line.startswith("wrote ")),
    ]
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps


def test_the_stamp_is_used_only_while_inputs_and_outputs_match(tmp_path):
    from qdeck import pipeline
    from qdeck.cache import Cache
    from qdeck.config import load_recipe
    from qdeck.settings import Runtime
    from tests.helpers import chdir

    proj = project(tmp_path)
    rt = Runtime(cache=Cache(proj / "build" / ".cache"))
    with chdir(proj):
        recipe = load_recipe(None)
        first = pipeline.build(recipe, reuse=True, rt=rt)
        assert not first.up_to_date and first.written
        again = pipeline.build(recipe, reuse=True, rt=rt)
        assert again.up_to_date and again.packages == first.packages and again.headline == first.headline
        assert not pipeline.build(recipe, rt=rt).up_to_date  # only callers that ask reuse a stamp

        apkg = proj / "build" / "e2e.apkg"
        apkg.unlink()
        assert not pipeline.build(recipe, reuse=True, rt=rt).up_to_date and apkg.is_file()

        (proj / "build" / "e2e.report.html").write_text("edited", encoding="utf-8")
        result = pipeline.build(recipe, reuse=True, rt=rt)
        assert not result.up_to_date and result.written == (Path("build") / "e2e.report.html",)

        lock = proj / "decks" / "e2e.lock.yaml"
        lock.write_text(lock.read_text(encoding="utf-8") + "# a note\n", encoding="utf-8")
        assert not pipeline.build(recipe, reuse=True, rt=rt).up_to_date

        release(proj, "v2")
        result = pipeline.build(recipe, reuse=True, rt=rt)
        assert not result.up_to_date and result.counts["new"] > 0
        assert pipeline.build(recipe, reuse=True, rt=rt).up_to_date


def test_check_fails_when_the_lock_would_change(tmp_path, capsys):
    proj = project(tmp_path)
    result = run_cli(capsys, "build", "--check", cwd=proj)
    assert result.code == 1 and "would change" in result.out
    assert not (proj / "build").exists() and not (proj / "decks" / "e2e.lock.yaml").exists()
    build(capsys, proj)
    assert run_cli(capsys, "build", "--check", cwd=proj).code == 0


def test_the_committed_lock_is_current(capsys):
    result = run_cli(capsys, "build", "--check", "--quiet")
    assert result.code == 0, result.out + result.err


def test_a_corrupt_lock_is_a_clear_error(tmp_path, capsys):
    proj = project(tmp_path)
    build(capsys, proj)
    lock = proj / "decks" / "e2e.lock.yaml"
    lock.write_text(lock.read_text(encoding="utf-8") + "<<<<<<< HEAD\n", encoding="utf-8")
    result = run_cli(capsys, "build", cwd=proj)
    assert result.code == 2 and result.err.startswith("qdeck: error: decks/e2e.lock.yaml: line ")
    assert "merge-conflict marker" in result.err and "Traceback" not in result.err


@pytest.mark.skipif(hasattr(__import__("os"), "geteuid") and __import__("os").geteuid() == 0,
                    reason="root can write anywhere; a read-only folder cannot be simulated")
def test_an_unwritable_output_folder_is_a_clear_error(tmp_path, capsys):
    proj = project(tmp_path)
    out = proj / "locked"
    out.mkdir()
    out.chmod(0o500)
    result = run_cli(capsys, "build", "--out", "locked", cwd=proj)
    assert result.code == 2 and "locked/e2e.apkg: cannot write" in result.err


def test_an_output_path_that_is_a_file_is_a_clear_error(tmp_path, capsys):
    proj = project(tmp_path)
    (proj / "taken").write_text("not a folder", encoding="utf-8")
    result = run_cli(capsys, "build", "--out", "taken", cwd=proj)
    assert result.code == 2, result.err
    assert result.err.startswith("qdeck: error: taken/e2e.apkg: cannot write") and result.err.count("\n") == 1
    assert not (proj / "decks" / "e2e.lock.yaml").exists()  # nothing half-written


def test_diff_shows_what_the_next_import_will_do(tmp_path, capsys):
    proj = project(tmp_path)
    build(capsys, proj)
    time.sleep(1.1)
    release(proj, "v2")
    result = run_cli(capsys, "diff", cwd=proj)
    assert result.code == 0, result.err
    lines = result.out.splitlines()[1:]
    assert lines[0] == "1 new, 4 changed, 4 unchanged, 1 retired, 1 merged"
    assert lines[1] == "note type: unchanged"
    assert "  + What is a Python set?" in lines
    assert any(line.strip() == "+How can you reverse a string in Python?" for line in lines)
    assert not (proj / "decks" / "e2e.lock.yaml").read_text(encoding="utf-8").count("Python set")  # wrote nothing


def test_diff_without_an_older_package_says_what_to_do(tmp_path, capsys):
    result = run_cli(capsys, "diff", cwd=project(tmp_path))
    assert (result.code, result.err) == (
        2, "qdeck: error: build/e2e.apkg: no package to compare with; build once or name an older .apkg\n"
    )


def test_the_merge_report_lists_members_and_escapes_text(tmp_path, capsys):
    proj = project(tmp_path)
    release(proj, "v2")
    build(capsys, proj)
    page = (proj / "build" / "e2e.report.html").read_text(encoding="utf-8")
    assert "1 merged notes from 2 questions" in page
    assert "basics#5" in page and "answers#3" in page and "What does the <code>with</code> statement do?" in page
    catalog = [__import__("json").loads(line) for line in (proj / "build" / "e2e.catalog.jsonl").open()]
    assert {"guid", "question", "answer", "variants", "refs", "tier", "tier_origin", "topics", "kind", "tags",
            "status"} <= set(catalog[0])
    assert all(note["guid"].startswith("e2e:") for note in catalog)


def test_html_in_questions_is_escaped_in_the_report(tmp_path, capsys):
    proj = project(tmp_path)
    (proj / "data" / "sources" / "answers.txt").write_text(
        "Q1. What does <script>alert(1)</script> print?\n- Nothing.\nQ2. What is `<class 'int'>`?\n- The int type.\n"
        "Q3. What is <class 'int'>, really?\n- The int type.\n", encoding="utf-8")
    build(capsys, proj)
    page = (proj / "build" / "e2e.report.html").read_text(encoding="utf-8")
    assert "What is <code>&lt;class 'int'&gt;</code>?" in page  # the two int questions merged, shown as text
    assert "<class" not in page and "<script>alert" not in page
