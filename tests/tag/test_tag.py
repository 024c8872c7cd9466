"""The TAG stage: tiers, topics, kinds and tags on real questions, and its measured quality."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from dataclasses import replace

import pytest

from qdeck.config.taxonomy import load_taxonomy, section_key
from qdeck.errors import InputError
from qdeck.models import Note, Question
from qdeck.tag import tag_notes
from tests.helpers import ROOT
from tests.tag import labels as tag_labels
from tests.tag.labels import TAXONOMY

SPEC = ROOT.parent / "shared" / "spec" / "taxonomy.md"

# The tag contract of ../shared/spec/taxonomy.md, restated so the test stands without the spec.
CONTRACT = {
    "tier": {"1-beginner", "2-junior", "3-mid", "4-senior"},
    "topic": {
        "basics", "data-types", "functions", "oop", "iterators-generators", "decorators-context-managers",
        "errors", "modules-packaging", "io-serialization", "concurrency", "internals", "metaprogramming",
        "typing", "testing-debugging", "performance", "web-apis", "databases", "architecture", "practices",
        "security",
    },
    "kind": {"concept", "coding", "scenario"},
}
# Tags qdeck adds beyond the contract, under the same root; the spec does not define them.
EXTENSIONS = {"answer": {"none"}}


@pytest.fixture(scope="module")
def tax():
    return load_taxonomy(TAXONOMY)


@pytest.fixture(scope="module")
def catalog() -> dict[str, Question]:
    return {q.ref: q for q in tag_labels.catalog_questions()}


def single(questions: dict[str, Question], *refs: str) -> list[Note]:
    return tag_labels.single_notes(questions, list(refs))


def merged(questions: dict[str, Question], *refs: str) -> Note:
    qs = [questions[r] for r in refs]
    return Note(key=refs[0], question=qs[0].text, refs=tuple(refs), answer=qs[0].answer,
                code_tasks=tuple(q.code_task for q in qs if q.code_task), sources=tuple(sorted({q.source for q in qs})))


@pytest.fixture(scope="module")
def tagged(catalog, tax) -> dict[str, Note]:
    """Every question tagged as a note of its own, among the whole catalog as in a real build."""
    return {n.key: n for n in tag_notes(single(catalog, *sorted(catalog)), catalog, tax)}


# ----------------------------------------------------------------------------- the data file


def test_taxonomy_file_matches_the_contract(tax):
    assert set(tax.topics) == CONTRACT["topic"]
    assert set(tax.tiers) == CONTRACT["tier"] and tax.tiers == tuple(sorted(CONTRACT["tier"]))
    assert set(tax.kinds) == CONTRACT["kind"]


@pytest.mark.skipif(not SPEC.exists(), reason="shared spec not checked out next to the project")
def test_contract_restated_here_is_the_spec():
    text = SPEC.read_text(encoding="utf-8")
    for family, names in CONTRACT.items():
        assert set(re.findall(rf"`{family}::([a-z0-9-]+)`", text)) == names
    for family in EXTENSIONS:
        assert f"`{family}::" not in text, f"{family}:: is in the contract now: move it into CONTRACT"


def test_every_printed_section_has_a_prior(tax, catalog):
    for q in catalog.values():
        if q.source in ("senior-180", "levels-415", "deep-dive-71") and q.section:
            assert (q.source, section_key(q.section)) in tax.sections, q.section


def test_section_key_ignores_numbering_emoji_counts_and_ampersands():
    assert section_key("1️⃣1️⃣ Testing & Debugging (10)") == "testing and debugging"
    assert section_key("4. Backend & Web (Django/FastAPI)") == "backend and web django fastapi"
    assert section_key("Data Types & Collections") == section_key("data types and collections")


def test_missing_taxonomy_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="taxonomy not found") as err:
        load_taxonomy(tmp_path / "nope.yaml")
    assert err.value.path == tmp_path / "nope.yaml"


def test_yaml_syntax_error_names_the_line(tmp_path):
    bad = tmp_path / "taxonomy.yaml"
    bad.write_text("tiers: [1-beginner]\ntopics:\n  basics: {terms: {loop: 3}\nkinds: x\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"line \d+: malformed YAML") as err:
        load_taxonomy(bad)
    assert str(bad) in str(err.value)


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda t: t.replace("    Lists: [data-types]", "    Lists: [lists]"), r"line \d+: sections\.levels-415\.Lists\[0\]: 'lists' is not one of"),
        (lambda t: t.replace("      loop: 3\n", "      loop: lots\n"), r"line \d+: topics\.basics\.terms\.loop: expected a number, got 'lots'"),
        (lambda t: t.replace("  default: concept", "  default: essay"), "kinds.default"),
        (lambda t: t.replace("      - '\\bdebugg", "      - '(\\bdebugg"), "bad regex"),
        (lambda t: t.replace("  k: 7", "  k: 7\n  kk: 3"), "tier_inference: unknown key.*kk"),
        (lambda t: t.replace("  answer_cap: ", "  answer_kap: "), "weights: unknown key"),
        (lambda t: t.replace("  k: 7\n", ""), "tier_inference: missing the required key `k`"),
        (lambda t: t.replace("  k: 7", "  k: 7.5"), "whole number"),
        (lambda t: t.replace("    terms:\n      syntax: 2", "    term:\n      syntax: 2"), "topics.basics: unknown key"),
    ],
)
def test_invalid_taxonomy_content_is_an_input_error(tmp_path, edit, message):
    original = TAXONOMY.read_text(encoding="utf-8")
    changed = edit(original)
    assert changed != original, "the edit must apply to the real file"
    path = tmp_path / "taxonomy.yaml"
    path.write_text(changed, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_taxonomy(path)


# ----------------------------------------------------------------------------- topics


def test_text_beats_the_section_prior(catalog, tagged):
    # senior-180 prints "How does Python handle memory management?" under Python Fundamentals
    q = catalog["senior-180#6"]
    assert "Fundamentals" in q.section and "memory" in q.text
    assert tagged["senior-180#6"].topics[0] == "internals"


def test_section_prior_decides_a_bare_heading(tagged):
    # "Preventing unintended object mutation" names no type; its section says data-types
    assert tagged["senior-180#30"].topics[0] == "data-types"


@pytest.mark.parametrize(
    "ref, topic",
    [
        ("levels-415#151", "data-types"),  # shallow vs deep copy, printed under Level 1 "Functions"
        ("tiered-200#79", "concurrency"),  # the GIL
        ("levels-415#601", "metaprogramming"),  # metaclass
        ("tiered-200#167", "security"),  # supply-chain attacks on PyPI (with modules-packaging)
        ("answered-200#166", "databases"),  # SQLAlchemy
        ("levels-415#283", "io-serialization"),  # CSV, printed under "Error Handling"
    ],
)
def test_real_questions_get_their_topic(tagged, ref, topic):
    assert topic in tagged[ref].topics


def test_topics_are_one_or_two_and_distinct(tagged):
    assert all(1 <= len(n.topics) <= 2 and len(set(n.topics)) == len(n.topics) for n in tagged.values())
    with_file = tagged["tiered-200#19"]  # the `with` statement for file handling
    assert set(with_file.topics) == {"io-serialization", "decorators-context-managers"}


# ----------------------------------------------------------------------------- kinds


@pytest.mark.parametrize(
    "ref, kind",
    [
        ("tiered-200#10", "coding"),  # **[CODE]** merge_dicts(a, b)
        ("levels-415#958", "coding"),  # Level 6 coding challenge
        ("levels-415#137", "coding"),  # "Write a function `add` ..."
        ("levels-415#801", "coding"),  # "Design a caching decorator."
        ("senior-180#178", "scenario"),  # Scenario-Based: Debugging production outage
        ("levels-415#803", "scenario"),  # "How would you design a rate-limiting system ..."
        ("levels-415#16", "concept"),  # "What is PEP 8?"
        ("answered-200#77", "concept"),  # "How to implement singleton pattern?" asks for a discussion
        ("senior-180#149", "concept"),  # "Code coverage" is not an imperative
    ],
)
def test_real_questions_get_their_kind(tagged, ref, kind):
    assert tagged[ref].kind == kind


def test_a_coding_member_makes_a_merged_note_coding(catalog, tax):
    note = merged(catalog, "tiered-200#13", "senior-180#36", "answered-200#41")  # the mutable-default trap
    [tagged] = tag_notes([note], catalog, tax)
    assert tagged.kind == "coding"


# ----------------------------------------------------------------------------- tiers


def test_merged_note_takes_the_lowest_explicit_tier(catalog, tax):
    assert catalog["tiered-200#13"].tier == "1-beginner" and catalog["senior-180#36"].tier == "3-mid"
    note = merged(catalog, "senior-180#36", "tiered-200#13", "answered-200#41")
    [tagged] = tag_notes([note], catalog, tax)
    assert (tagged.tier, tagged.tier_origin) == ("1-beginner", "explicit")
    assert {t for t in tagged.tags if "::source::" in t} == {
        "python-interview::source::answered-200", "python-interview::source::senior-180",
        "python-interview::source::tiered-200"}


def test_untiered_sources_get_an_inferred_tier(tagged):
    by_source: dict[str, set[str]] = {}
    for n in tagged.values():
        by_source.setdefault(n.sources[0], set()).add(n.tier_origin)
    assert by_source["answered-200"] == {"inferred"} and by_source["deep-dive-71"] == {"inferred"}
    assert by_source["tiered-200"] == {"explicit"}
    assert by_source["levels-415"] == {"explicit", "inferred"}  # Level 6 has no tier
    memory = tagged["deep-dive-71#1"]  # "How does Python manage memory?"
    assert memory.tier in ("3-mid", "4-senior")


def test_without_any_tiered_note_the_default_tier_is_used(catalog, tax):
    [note] = tag_notes(single(catalog, "answered-200#1"), catalog, tax)
    assert (note.tier, note.tier_origin) == (tax.inference.default_tier, "inferred")


def test_overrides_on_any_member_set_tier_and_topics(catalog, tax):
    note = merged(catalog, "tiered-200#13", "answered-200#41")
    overrides = {"answered-200#41": {"tier": "4-senior"}, "tiered-200#13": {"topics": ["practices", "functions"]}}
    [tagged] = tag_notes([note], catalog, tax, overrides=overrides)
    assert (tagged.tier, tagged.tier_origin, tagged.topics) == ("4-senior", "override", ("practices", "functions"))
    assert "python-interview::topic::practices" in tagged.tags
    assert "python-interview::tier::1-beginner" not in tagged.tags


def test_topics_override_alone_keeps_the_tier_origin(catalog, tax):
    [tagged] = tag_notes(single(catalog, "tiered-200#1"), catalog, tax, overrides={"tiered-200#1": {"topics": ("internals",)}})
    assert (tagged.tier_origin, tagged.topics) == ("explicit", ("internals",))


@pytest.mark.parametrize("override", [{"tier": "5-staff"}, {"topics": ["cooking"]}, {"topics": ["oop", "typing", "errors"]}])
def test_bad_override_is_an_input_error(catalog, tax, override):
    with pytest.raises(InputError, match="tiered-200#1"):
        tag_notes(single(catalog, "tiered-200#1"), catalog, tax, overrides={"tiered-200#1": override})


# ----------------------------------------------------------------------------- tags


def test_every_tag_is_in_the_contract(catalog, tagged):
    sources = {q.source for q in catalog.values()}
    for n in tagged.values():
        assert list(n.tags) == sorted(n.tags)
        families: dict[str, list[str]] = {}
        for tag in n.tags:
            root, family, value = tag.split("::")
            assert root == "python-interview"
            families.setdefault(family, []).append(value)
            allowed = sources if family == "source" else (CONTRACT | EXTENSIONS)[family]
            assert value in allowed, tag
        assert len(families["tier"]) == 1 and len(families["kind"]) == 1
        assert 1 <= len(families["topic"]) <= 2
        assert families["tier"] == [n.tier] and families["kind"] == [n.kind]
        assert set(families["source"]) == set(n.sources)


def test_custom_root_and_bad_root(catalog, tax):
    [note] = tag_notes(single(catalog, "tiered-200#1"), catalog, tax, root="py")
    assert all(t.startswith("py::") for t in note.tags)
    with pytest.raises(InputError, match="tag root"):
        tag_notes(single(catalog, "tiered-200#1"), catalog, tax, root="python interview")


def test_retired_note_without_questions_is_still_tagged(tax):
    note = Note(key="gone#1", question="What is a Python decorator?", refs=("gone#1",), sources=("gone",),
                status="retired")
    [tagged] = tag_notes([note], {}, tax)
    assert tagged.topics[0] == "decorators-context-managers"
    assert "python-interview::status::retired" in tagged.tags


# ----------------------------------------------------------------------------- determinism


def test_input_order_does_not_matter(catalog, tax, tagged):
    shuffled = single(catalog, *sorted(catalog))
    random.Random(3).shuffle(shuffled)
    again = tag_notes(shuffled, catalog, tax)
    assert [n.key for n in again] == [n.key for n in shuffled]
    assert {n.key: n for n in again} == tagged


def test_hash_seed_does_not_matter():
    script = (
        "import json; from tests.tag import labels as e; "
        "notes = e.tagged_catalog(e.catalog_questions()); "
        "print(json.dumps({k: [n.tier, n.tier_origin, n.kind, list(n.topics)] for k, n in sorted(notes.items())}))"
    )
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                              check=True)
        outputs.append(json.loads(done.stdout))
    assert outputs[0] == outputs[1]


def test_input_notes_are_not_changed(catalog, tax):
    notes = single(catalog, "tiered-200#1", "answered-200#1")
    before = [replace(n) for n in notes]
    tag_notes(notes, catalog, tax)
    assert notes == before


# ----------------------------------------------------------------------------- measured quality


@pytest.fixture(scope="module")
def heldout(tagged, tax):
    return tag_labels.evaluate(tagged, tax.tiers, "heldout")["heldout"]


def test_labels_are_well_formed(catalog):
    labels = tag_labels.load_labels()
    assert len(labels) >= 150 and len({lab.ref for lab in labels}) == len(labels)
    assert sum(lab.split == "heldout" for lab in labels) >= 100
    assert {lab.ref.split("#")[0] for lab in labels} == {
        "tiered-200", "answered-200", "senior-180", "levels-415", "deep-dive-71"}
    for lab in labels:
        assert lab.topic in CONTRACT["topic"] and set(lab.acceptable) <= CONTRACT["topic"]
        assert lab.topic not in lab.acceptable
        assert lab.kind in CONTRACT["kind"] and lab.tier in CONTRACT["tier"]
    drawn = tag_labels.sample_refs(list(catalog.values()))
    assert sorted(drawn) == sorted((lab.ref, lab.split) for lab in labels)


@pytest.mark.parametrize("metric", sorted(tag_labels.TARGETS))
def test_heldout_meets_target(heldout, metric):
    rate, hits, total = heldout[metric]
    assert total > 0
    assert rate >= tag_labels.TARGETS[metric], f"{metric}: {hits}/{total} = {rate:.3f}"
