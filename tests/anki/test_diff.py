"""Diffing a build against an older package, as Anki's default import will see it."""

from __future__ import annotations

from dataclasses import replace

from qdeck.anki import FIELDS, FieldSpec, diff_packages, write_apkg
from tests.anki.helpers import SAMPLE, T1, T2, change_fields, identified, sample_note


def test_diff_packages_reports_what_an_import_will_do(tmp_path):
    first, lock1, _ = identified()
    write_apkg(first, tmp_path / "old.apkg", deck_name="D", notetype_mod=lock1.notetype.mod)
    second_in = [sample_note("s#0", "What is a context manager?"), replace(SAMPLE[0], answer="Now different."), SAMPLE[1]]
    second, lock2, _ = identified(second_in, lock1, now=T2)
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
    first, lock1, _ = identified()
    write_apkg(first, tmp_path / "old.apkg", deck_name="D")
    sneaky = [replace(first[0], answer="edited without a newer mod"), *first[1:]]
    report = diff_packages(tmp_path / "old.apkg", sneaky)
    assert [c.guid for c in report.stale] == [first[0].guid]
    assert "will NOT be updated" in report.summary()
    report = diff_packages(tmp_path / "old.apkg", first[:2])
    assert report.dropped == (first[2].guid,)


def test_diff_reports_note_type_changes(tmp_path):
    notes, lock, _ = identified()
    renamed = tuple(FieldSpec("Hint" if f.name == "Spare 2" else f.name, f.id) for f in FIELDS)
    write_apkg(notes, tmp_path / "renamed.apkg", deck_name="D", notetype_mod=T1)
    change_fields(tmp_path / "renamed.apkg", renamed)
    write_apkg(notes, tmp_path / "reid.apkg", deck_name="D", notetype_mod=T1)
    change_fields(tmp_path / "reid.apkg", (*FIELDS[:-1], FieldSpec("Spare 4", 99)))
    styling = diff_packages(tmp_path / "renamed.apkg", notes, notetype_mod=T2)
    assert styling.notetype_changed and not styling.notetype_needs_merge and not styling.notetype_stale
    assert "styling changed" in styling.summary()
    stale = diff_packages(tmp_path / "renamed.apkg", notes, notetype_mod=T1)
    assert stale.notetype_stale and "keep the old styling" in stale.summary()
    schema = diff_packages(tmp_path / "reid.apkg", notes, notetype_mod=T2)
    assert schema.notetype_needs_merge and "Merge notetypes" in schema.summary()
