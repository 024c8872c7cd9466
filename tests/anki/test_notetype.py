"""The note type: its CSS, and fingerprints that tell a styling change from a schema change."""

from __future__ import annotations

from qdeck.anki import (
    FIELD_NAMES,
    FIELDS,
    TEMPLATE_NAME,
    FieldSpec,
    css,
    notetype_fingerprint,
    notetype_spec,
    schema_fingerprint,
)


def test_css_has_night_mode_phone_rules_and_code_themes_and_nothing_remote():
    sheet = css()
    for needle in (".card.nightMode", ".card.night_mode", ".nightMode .qd-code .k", ".night_mode .qd-code .k",
                   ".qd-code .k", "@media (max-width: 480px)", "overflow-x: auto"):
        assert needle in sheet, needle
    for forbidden in ("http:", "https:", "@import", "url(", "<script"):
        assert forbidden not in sheet
    assert notetype_fingerprint() == notetype_fingerprint()


def test_schema_fingerprint_ignores_names_but_not_ids():
    before = schema_fingerprint()
    assert schema_fingerprint(tuple(FieldSpec(f.name.upper(), f.id) for f in FIELDS)) == before
    assert schema_fingerprint((*FIELDS, FieldSpec("Extra", 1))) != before
    assert schema_fingerprint((*FIELDS[:-1], FieldSpec(FIELDS[-1].name, 99))) != before


def test_the_notetype_fingerprint_covers_what_users_see():
    spec = notetype_spec()
    assert spec["css"] == css() and spec["fields"] == [[f.name, f.id] for f in FIELDS]
    assert [t[0] for t in spec["templates"]] == [TEMPLATE_NAME]
    assert notetype_fingerprint() != schema_fingerprint()
    assert len(FIELD_NAMES) == len(set(FIELD_NAMES)) == len({f.id for f in FIELDS}) == 14
