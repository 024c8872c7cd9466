"""Export stage: escaped rendering, byte-reproducible packages, reading and diffing builds."""

from __future__ import annotations

import json
import os
import pickle
import re
import sqlite3
import subprocess
import sys
import time
import unicodedata
import warnings
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import qdeck.export as export
from qdeck.errors import InputError, OutputError
from qdeck.export import (
    DECK_ID,
    MODEL_ID,
    MODEL_NAME,
    diff_packages,
    read_apkg,
    read_apkg_notes,
    render_fields,
    write_apkg,
)
from qdeck.identity import Lock, assign_identities
from qdeck.models import Note
from qdeck.render import FIELD_NAMES, FIELDS, FieldSpec, css, inline, markdown, notetype_fingerprint, schema_fingerprint

ROOT = "python-interview"
T1 = 1_700_000_000
T2 = 1_700_100_000


def mk(ref: str, question: str, answer: str = "An answer.", **kw) -> Note:
    return Note(key=ref, question=question, refs=(ref,), answer=answer,
                tags=(f"{ROOT}::tier::{kw.get('tier', '2-junior')}",), **kw)


SOURCE = [
    mk("s#1", "What is `<class 'int'>`?", "It is the type of `1`:\n\n```python\ndef f(x):\n    return x < 1\n```"),
    mk("s#2", "What does <b>bold</b> & <script>alert(1)</script> do?", "- one\n- two\n\n1. first\n2. second",
       variants=("Also: `a < b`?",), follow_ups=("Why?",), code_tasks=("Write `f`.",), topics=("basics", "oop"),
       sources=("s", "t"), tier="1-beginner"),
    mk("s#3", "What is a generator?", "A function that yields."),
]


def built(notes=SOURCE, lock=None, now=T1):
    return assign_identities(list(notes), lock or Lock(), namespace=ROOT, now=now)


def collection_db(path: Path, tmp_path: Path) -> sqlite3.Connection:
    out = tmp_path / f"{path.name}.db"
    with zipfile.ZipFile(path) as archive:
        out.write_bytes(archive.read("collection.anki2"))
    return sqlite3.connect(out)


# ---------------------------------------------------------------------- rendering


def test_markdown_subset():
    text = "First line\nsecond line\n\n- a `x`\n  continued\n- b\n\n3. three\n4. four\n\nEnd."
    assert markdown(text) == (
        "<p>First line<br>second line</p>"
        "<ul><li>a <code>x</code><br>continued</li><li>b</li></ul>"
        '<ol start="3"><li>three</li><li>four</li></ol>'
        "<p>End.</p>"
    )


def test_switching_list_kind_starts_a_new_list():
    assert markdown("- a\n1. b") == "<ul><li>a</li></ul><ol><li>b</li></ol>"


def test_fenced_code_keeps_indentation_and_is_highlighted():
    text = "Look:\n  ```python\n  def f():\n      return '<x>'\n  ```\nafter"
    out = markdown(text)
    assert out.startswith("<p>Look:</p><pre class=\"qd-code\"><code>")
    assert '<span class="k">def</span>' in out
    assert "\n    <span class=\"k\">return</span>" in out  # body indentation kept, fence indent removed
    assert "&lt;x&gt;" in out and "<x>" not in out
    assert out.endswith("</code></pre><p>after</p>")


def test_unlabelled_fences_are_python_and_unknown_languages_are_plain():
    assert '<span class="kn">import</span>' in markdown("```\nimport os\n```")
    plain = markdown("```nosuchlang\nimport os\n```")
    assert plain == '<pre class="qd-code"><code>import os</code></pre>'
    assert '<span' in markdown("```bash\necho hi\n```")


def test_unclosed_fence_keeps_the_text():
    out = markdown("```\nx = 1\nmore")
    assert "more" in out and out.endswith("</code></pre>")


def test_crlf_and_blank_lines():
    assert markdown("a\r\n\r\nb\r\n") == "<p>a</p><p>b</p>"
    assert markdown("") == ""


def test_source_text_never_becomes_markup():
    fields = render_fields(replace(SOURCE[1], guid="g", mod=1))
    assert fields["Question"] == (
        "What does &lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt; do?"
    )
    assert fields["Also asked as"] == "<ul><li>Also: <code>a &lt; b</code>?</li></ul>"
    q = render_fields(replace(SOURCE[0], guid="g", mod=1))["Question"]
    assert q == "What is <code>&lt;class 'int'&gt;</code>?"


def test_render_fields_fills_every_field_in_order():
    note = replace(SOURCE[1], guid="python-interview:abc", mod=1)
    fields = render_fields(note)
    assert list(fields) == list(FIELD_NAMES)
    assert fields["Follow-ups"] == "<ul><li>Why?</li></ul>"
    assert fields["Code task"] == "<p>Write <code>f</code>.</p>"
    assert fields["Tier"] == "1-beginner" and fields["Topics"] == "basics, oop" and fields["Sources"] == "s, t"
    assert fields["Note ID"] == "python-interview:abc" and fields["Status"] == ""
    assert fields["More answers"] == "" and all(fields[f"Spare {i}"] == "" for i in range(2, 5))


def test_status_banner_for_retired_and_merged_notes():
    retired = render_fields(replace(SOURCE[2], guid="g1", status="retired"))["Status"]
    merged = render_fields(replace(SOURCE[2], guid="g1", status="merged", merged_into="python-interview:Zz9"))["Status"]
    assert retired.startswith("Retired:")
    assert "merged into another note" in merged and '"Note ID:python-interview:Zz9"' in merged


def test_fields_are_nfc_like_anki_stores_them():
    decomposed = "Cafe\u0301?"
    assert render_fields(mk("s#9", decomposed))["Question"] == unicodedata.normalize("NFC", decomposed)


_ALLOWED_TAG = re.compile(
    r'</?(?:p|br|ul|ol|li|code|pre)(?: class="qd-code"| start="\d+")?>|<span class="[\w-]+">|</span>')


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>&'\"`-1. \nabc#*/\\\t")), max_size=80))
def test_any_source_text_renders_to_our_tags_only(text):
    out = markdown(text)
    assert "<" not in _ALLOWED_TAG.sub("", out) and ">" not in _ALLOWED_TAG.sub("", out)
    assert out.count("&lt;") == text.count("<") and out.count("&gt;") == text.count(">")


def test_inline_escapes_before_building_code_spans():
    assert inline("`<a>` & <i>`b`</i>") == "<code>&lt;a&gt;</code> &amp; &lt;i&gt;<code>b</code>&lt;/i&gt;"


def test_css_has_night_mode_phone_rules_and_code_themes_and_nothing_remote():
    sheet = css()
    for needle in (".card.nightMode", ".card.night_mode", ".nightMode .qd-code .k", ".night_mode .qd-code .k",
                   ".qd-code .k", "@media (max-width: 480px)", "overflow-x: auto"):
        assert needle in sheet, needle
    for forbidden in ("http:", "https:", "@import", "url(", "<script"):
        assert forbidden not in sheet
    assert notetype_fingerprint() == notetype_fingerprint()


def test_schema_fingerprint_ignores_names_but_not_ids(monkeypatch):
    import qdeck.render as render

    before = schema_fingerprint()
    monkeypatch.setattr(render, "FIELDS", tuple(FieldSpec(f.name.upper(), f.id) for f in FIELDS))
    assert schema_fingerprint() == before
    monkeypatch.setattr(render, "FIELDS", (*FIELDS, FieldSpec("Extra", 1)))
    assert schema_fingerprint() != before


# ---------------------------------------------------------------------- writing


def test_two_builds_are_byte_identical_whatever_the_clock(tmp_path, monkeypatch):
    notes, lock, _ = built()
    write_apkg(notes, tmp_path / "a.apkg", deck_name="Python Interview", notetype_mod=lock.notetype.mod)
    monkeypatch.setattr(time, "time", lambda: 2_000_000_000.5)
    (tmp_path / "other").mkdir()
    write_apkg(notes, tmp_path / "other" / "b.apkg", deck_name="Python Interview", notetype_mod=lock.notetype.mod)
    assert (tmp_path / "a.apkg").read_bytes() == (tmp_path / "other" / "b.apkg").read_bytes()


def test_a_build_in_another_process_is_byte_identical(tmp_path):
    notes, lock, _ = built()
    write_apkg(notes, tmp_path / "here.apkg", deck_name="Python Interview", notetype_mod=lock.notetype.mod)
    (tmp_path / "notes.pickle").write_bytes(pickle.dumps((notes, lock.notetype.mod)))
    script = (
        "import pickle, sys\n"
        "from qdeck.export import write_apkg\n"
        "notes, mod = pickle.load(open(sys.argv[1], 'rb'))\n"
        "write_apkg(notes, sys.argv[2], deck_name='Python Interview', notetype_mod=mod)\n"
    )
    env = {**os.environ, "TZ": "Pacific/Kiritimati", "PYTHONHASHSEED": "123"}
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "notes.pickle"), str(tmp_path / "there.apkg")],
                   check=True, env=env, cwd=tmp_path)
    assert (tmp_path / "here.apkg").read_bytes() == (tmp_path / "there.apkg").read_bytes()


def test_zip_layout_is_fixed(tmp_path):
    notes, _, _ = built()
    write_apkg(notes, tmp_path / "d.apkg", deck_name="D")
    with zipfile.ZipFile(tmp_path / "d.apkg") as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == ["collection.anki2", "media"]
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert archive.read("media") == b"{}"


def test_collection_holds_our_ids_times_and_order(tmp_path):
    notes, lock, _ = built()
    notes = [replace(notes[0], mod=T1 + 7), *notes[1:]]
    write_apkg(notes, tmp_path / "d.apkg", deck_name="Python Interview", notetype_mod=lock.notetype.mod)
    db = collection_db(tmp_path / "d.apkg", tmp_path)
    rows = db.execute("SELECT n.id, n.guid, n.mod, c.id, c.due, c.did, c.mod, c.queue FROM notes n "
                      "JOIN cards c ON c.nid = n.id ORDER BY c.due").fetchall()
    assert [r[1] for r in rows] == [n.guid for n in notes], "new-card order follows the notes"
    assert [r[4] for r in rows] == [1, 2, 3]
    for (nid, guid, mod, cid, _, did, cmod, queue), note in zip(rows, notes):
        assert mod == cmod == note.mod
        assert note.mod * 1000 <= nid < note.mod * 1000 + export._ID_WINDOW_MS + len(notes)
        assert did == DECK_ID and queue == 0
    assert len({r[0] for r in rows}) == len({r[3] for r in rows}) == 3
    crt, col_mod, models, decks = db.execute("SELECT crt, mod, models, decks FROM col").fetchone()
    model = json.loads(models)[str(MODEL_ID)]
    assert model["name"] == MODEL_NAME and model["mod"] == lock.notetype.mod
    assert [(f["name"], f["id"]) for f in model["flds"]] == [(f.name, f.id) for f in FIELDS]
    assert model["tmpls"][0]["id"] == export.TEMPLATE_ID and model["css"] == css()
    assert json.loads(decks)[str(DECK_ID)]["name"] == "Python Interview"


def test_retired_notes_go_to_a_top_level_deck_for_new_users(tmp_path):
    first, lock, _ = built()
    notes, _, _ = built(SOURCE[:2], lock, now=T2)
    write_apkg(notes, tmp_path / "d.apkg", deck_name="PI")
    db = collection_db(tmp_path / "d.apkg", tmp_path)
    decks = {str(d["id"]): d["name"] for d in json.loads(db.execute("SELECT decks FROM col").fetchone()[0]).values()}
    placed = dict(db.execute("SELECT n.guid, c.did FROM notes n JOIN cards c ON c.nid = n.id").fetchall())
    assert decks[str(placed[first[2].guid])] == "PI (retired)", "outside the study tree of PI"
    assert decks[str(placed[first[0].guid])] == "PI"
    write_apkg(notes, tmp_path / "flat.apkg", deck_name="PI", retired_deck=None)
    assert read_apkg(tmp_path / "flat.apkg").decks == ("PI",)
    write_apkg(first, tmp_path / "none.apkg", deck_name="PI")
    assert read_apkg(tmp_path / "none.apkg").decks == ("PI",), "no empty Retired deck"


def test_genanki_raises_no_warnings(tmp_path):
    notes, _, _ = built()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        write_apkg(notes, tmp_path / "d.apkg", deck_name="D")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda ns: [ns[0], replace(ns[1], guid=ns[0].guid), ns[2]], "duplicate GUID"),
        (lambda ns: [replace(ns[0], guid=""), *ns[1:]], "GUID"),
        (lambda ns: [replace(ns[0], guid="has space"), *ns[1:]], "GUID"),
        (lambda ns: [replace(ns[0], mod=0), *ns[1:]], "mod"),
        (lambda ns: [replace(ns[0], tags=("a b",)), *ns[1:]], "whitespace"),
        (lambda ns: [replace(ns[0], status="merged"), *ns[1:]], "merged_into"),
        (lambda ns: [replace(ns[0], question=" "), *ns[1:]], "empty question"),
        (lambda ns: [], "no notes"),
    ],
)
def test_notes_are_validated_before_genanki_runs(tmp_path, change, message):
    notes, _, _ = built()
    with pytest.raises(ValueError, match=message):
        write_apkg(change(notes), tmp_path / "d.apkg", deck_name="D")
    assert not list(tmp_path.iterdir())


def test_unwritable_output_is_an_output_error_naming_the_path(tmp_path):
    notes, _, _ = built()
    write_apkg(notes, tmp_path / "new-folder" / "d.apkg", deck_name="D")  # a missing folder is made
    (tmp_path / "a-file").write_text("x")
    target = tmp_path / "a-file" / "d.apkg"
    with pytest.raises(OutputError) as err:
        write_apkg(notes, target, deck_name="D")
    assert str(target) in str(err.value)
    folder = tmp_path / "is-a-dir.apkg"
    folder.mkdir()
    with pytest.raises(OutputError) as err:
        write_apkg(notes, folder, deck_name="D")
    assert str(folder) in str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "is-a-dir.apkg", "new-folder"], "no temp file left"


def test_a_failed_write_keeps_the_old_package(tmp_path, monkeypatch):
    notes, _, _ = built()
    target = tmp_path / "d.apkg"
    target.write_bytes(b"old build")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OutputError, match="No space left"):
        write_apkg(notes, target, deck_name="D")
    assert target.read_bytes() == b"old build"
    assert [p.name for p in tmp_path.iterdir()] == ["d.apkg"]


# ---------------------------------------------------------------------- reading and diffing


def test_read_apkg_returns_what_was_written(tmp_path):
    notes, _, _ = built()
    write_apkg(notes, tmp_path / "d.apkg", deck_name="D")
    read = {n.guid: n for n in read_apkg_notes(tmp_path / "d.apkg")}
    for note in notes:
        assert read[note.guid].fields == render_fields(note)
        assert read[note.guid].tags == note.tags and read[note.guid].mod == note.mod
        assert read[note.guid].notetype_id == MODEL_ID


def test_read_apkg_errors_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_apkg(tmp_path / "nope.apkg")
    (tmp_path / "junk.apkg").write_bytes(b"not a zip")
    with pytest.raises(InputError, match="not a readable"):
        read_apkg(tmp_path / "junk.apkg")
    with zipfile.ZipFile(tmp_path / "new.apkg", "w") as archive:
        archive.writestr("collection.anki21b", b"zstd")
    with pytest.raises(InputError, match="legacy-format"):
        read_apkg(tmp_path / "new.apkg")


def test_diff_packages_reports_what_an_import_will_do(tmp_path):
    first, lock1, _ = built()
    write_apkg(first, tmp_path / "old.apkg", deck_name="D", notetype_mod=lock1.notetype.mod)
    second_in = [mk("s#0", "What is a context manager?"), replace(SOURCE[0], answer="Now different."), SOURCE[1]]
    second, lock2, _ = built(second_in, lock1, now=T2)
    report = diff_packages(tmp_path / "old.apkg", second, notetype_mod=lock2.notetype.mod)
    assert [c.question for c in report.new] == ["What is a context manager?"]
    assert [c.guid for c in report.changed] == [first[0].guid]
    assert any("Now different." in line for line in report.changed[0].diff)
    assert report.unchanged == (first[1].guid,)
    assert [c.guid for c in report.retired] == [first[2].guid]
    assert not report.merged and not report.stale and not report.dropped
    assert not report.notetype_changed
    text = report.summary()
    assert text.splitlines()[0] == "1 new, 1 changed, 1 unchanged, 1 retired, 0 merged"
    assert "+ What is a context manager?" in text and "~ What is <class 'int'>?" in text
    assert "note type: unchanged" in text and str(report) == text


def test_diff_flags_changes_anki_would_skip(tmp_path):
    first, lock1, _ = built()
    write_apkg(first, tmp_path / "old.apkg", deck_name="D")
    sneaky = [replace(first[0], answer="edited without a newer mod"), *first[1:]]
    report = diff_packages(tmp_path / "old.apkg", sneaky)
    assert [c.guid for c in report.stale] == [first[0].guid]
    assert "will NOT be updated" in report.summary()
    report = diff_packages(tmp_path / "old.apkg", first[:2])
    assert report.dropped == (first[2].guid,)


def test_diff_reports_note_type_changes(tmp_path, monkeypatch):
    notes, lock, _ = built()
    renamed = tuple(FieldSpec("Hint" if f.name == "Spare 2" else f.name, f.id) for f in FIELDS)
    monkeypatch.setattr(export, "FIELDS", renamed)
    write_apkg(notes, tmp_path / "renamed.apkg", deck_name="D", notetype_mod=T1)
    monkeypatch.setattr(export, "FIELDS", (*FIELDS[:-1], FieldSpec("Spare 4", 99)))
    write_apkg(notes, tmp_path / "reid.apkg", deck_name="D", notetype_mod=T1)
    monkeypatch.undo()
    styling = diff_packages(tmp_path / "renamed.apkg", notes, notetype_mod=T2)
    assert styling.notetype_changed and not styling.notetype_needs_merge and not styling.notetype_stale
    assert "styling changed" in styling.summary()
    stale = diff_packages(tmp_path / "renamed.apkg", notes, notetype_mod=T1)
    assert stale.notetype_stale and "keep the old styling" in stale.summary()
    schema = diff_packages(tmp_path / "reid.apkg", notes, notetype_mod=T2)
    assert schema.notetype_needs_merge and "Merge notetypes" in schema.summary()
