"""Churn: seeded upstream edits of the five real lists; every question keeps its own note.

Release 1 is built from the real catalog with an empty lock; release 2 from an edited copy of
that catalog, against release 1's lock. Edits are made on the parsed questions (texts, order,
numbers, sections, tiers, answers), as a maintainer's edit of a list file would change them;
renumbering gives every question of a list a new number, so no ref carries identity. The
maintainers' overrides name refs of the real lists, so both releases run without them.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import pytest

from qdeck.config import load_recipe
from qdeck.identity import Lock
from qdeck.models import Question
from qdeck.pipeline import Catalog, identify, read_catalog

ROOT = Path(__file__).resolve().parents[2]
T1, T2 = 1_800_000_000, 1_800_100_000
FLAT = ("tiered-200", "answered-200", "senior-180", "levels-415")  # no follow-ups: free to renumber
ALL = (*FLAT, "deep-dive-71")
BRAND_NEW = [
    "How does `sys.setrecursionlimit()` interact with the C stack size?",
    "What does the `__init_subclass__` hook let a base class enforce?",
    "When would you reach for `contextvars` instead of thread-locals?",
    "How do you make a `dataclass` field excluded from `__eq__`?",
    "What does `PYTHONHASHSEED` change, and why would a test suite pin it?",
    "How does `zipimport` load modules from an archive?",
]


@dataclass
class Edited:
    """Release 2's catalog and what was done, by the identity of each release-1 question."""

    questions: list[Question]
    source_of: dict[str, str]  # new ref -> the release-1 ref it continues (edited or moved)
    deleted: set[str]  # release-1 refs with no successor
    edited: set[str]  # release-1 refs whose text changed
    merged: dict[str, str]  # release-1 ref -> the release-1 ref merged into its text
    split: set[str]  # release-1 refs split into two questions
    brand_new: set[str]  # texts of new questions
    moved: set[str]  # release-1 refs moved to another section, level or list
    answered: set[str]  # release-1 refs whose answer alone changed


@pytest.fixture(scope="module")
def release1() -> tuple[Catalog, list, Lock]:
    recipe = replace(load_recipe(ROOT / "decks" / "python-interview.yaml"), overrides=None, overrides_data=None)
    cat = read_catalog(recipe)
    notes, lock, _ = identify(cat, Lock(), now=T1)
    return cat, notes, lock


# ---------------------------------------------------------------------- edits


def _reword_one(text: str, rng: random.Random) -> str:
    options = [
        lambda t: t.replace("What is", "What's", 1) if "What is" in t else None,
        lambda t: t.replace("What's", "What is", 1) if "What's" in t else None,
        lambda t: re.sub(r"^Explain\b", "Describe", t) if t.startswith("Explain") else None,
        lambda t: re.sub(r"^Describe\b", "Explain", t) if t.startswith("Describe") else None,
        lambda t: _typo(t, rng),
        lambda t: t.replace(" the ", " a ", 1) if " the " in t else None,
    ]
    rng.shuffle(options)
    return next((new for new in (o(text) for o in options) if new and new != text), text.rstrip("?.") + " exactly?")


def _typo(text: str, rng: random.Random) -> str | None:
    words = [m for m in re.finditer(r"[A-Za-z]{6,}", text)]
    if not words:
        return None
    m = rng.choice(words)
    i = m.start() + rng.randrange(1, len(m.group()) - 1)
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]  # two letters swapped


def _reword_several(text: str, rng: random.Random) -> str:
    out = _reword_one(text, rng)
    out = re.sub(r"\s*\?$", "? Give an example.", out) if out.endswith("?") else out + " Give an example."
    return out


def _renumber(questions: list[Question], source: str, source_of: dict[str, str]) -> list[Question]:
    """Every question of `source` numbered 1.. in order; `source_of` follows the new refs."""
    out, n, moves = [], 0, {}
    for q in questions:
        if q.source != source:
            out.append(q)
            continue
        n += 1
        ref = f"{source}#{n}"
        if q.ref in source_of:
            moves[ref] = source_of.pop(q.ref)
        out.append(replace(q, ref=ref, number=str(n)))
    source_of.update(moves)
    return out


def _fresh_ref(source: str, k: int) -> str:
    return f"{source}#new{k}"


def edit(cat: Catalog, kinds: tuple[str, ...], seed: int, per_kind: int = 6) -> Edited:
    rng = random.Random(seed)
    qs = list(cat.questions)
    source_of = {q.ref: q.ref for q in qs}
    e = Edited(qs, source_of, set(), set(), {}, set(), set(), set(), set())
    touched: set[str] = set()
    renumber: set[str] = set()

    def pick(sources=ALL, where: Callable[[Question], bool] = lambda q: True) -> int:
        while True:
            k = rng.randrange(len(e.questions))
            q = e.questions[k]
            if q.source in sources and not q.follow_up_of and q.ref not in touched and q.ref in source_of \
                    and source_of[q.ref] == q.ref and where(q):
                touched.add(q.ref)
                return k

    def set_text(k: int, text: str) -> None:
        q = e.questions[k]
        e.edited.add(source_of[q.ref])
        e.questions[k] = replace(q, text=text)

    for kind in kinds:
        for _ in range(per_kind):
            if kind in ("reword-one", "reword-renumber"):
                k = pick()
                set_text(k, _reword_one(e.questions[k].text, rng))
                if kind == "reword-renumber" and e.questions[k].source in FLAT:
                    renumber.add(e.questions[k].source)
            elif kind == "reword-several":
                k = pick()
                set_text(k, _reword_several(e.questions[k].text, rng))
            elif kind in ("insert-top", "insert-middle"):
                source = rng.choice(FLAT)
                first = next(i for i, q in enumerate(e.questions) if q.source == source)
                count = sum(q.source == source for q in e.questions)
                at = first if kind == "insert-top" else first + rng.randrange(1, count)
                ref = _fresh_ref(source, len(e.brand_new))
                text = BRAND_NEW[len(e.brand_new) % len(BRAND_NEW)] + ("" if len(e.brand_new) < len(BRAND_NEW) else f" ({ref})")
                template = e.questions[at]
                e.questions.insert(at, replace(template, ref=ref, text=text, answer="", code_task=None))
                e.brand_new.add(text)
                renumber.add(source)
            elif kind == "delete":
                k = pick(FLAT)
                q = e.questions.pop(k)
                e.deleted.add(source_of.pop(q.ref))
                renumber.add(q.source)
            elif kind == "move-section":
                k = pick(("levels-415", "senior-180"))
                q = e.questions.pop(k)
                others = [i for i, o in enumerate(e.questions) if o.source == q.source and o.level != q.level]
                at = rng.choice(others)
                dest = e.questions[at]
                e.questions.insert(at, replace(q, section=dest.section, level=dest.level, tier=dest.tier))
                e.moved.add(source_of[q.ref])
                renumber.add(q.source)
            elif kind == "reorder-sections":
                source = rng.choice(("levels-415", "senior-180"))
                idx = [i for i, q in enumerate(e.questions) if q.source == source]
                blocks: list[list[Question]] = []
                for i in idx:
                    q = e.questions[i]
                    if not blocks or (blocks[-1][0].section, blocks[-1][0].level) != (q.section, q.level):
                        blocks.append([])
                    blocks[-1].append(q)
                b = rng.randrange(len(blocks) - 1)
                blocks[b], blocks[b + 1] = blocks[b + 1], blocks[b]
                e.moved.update(source_of[q.ref] for q in blocks[b] + blocks[b + 1] if q.ref in source_of)
                e.questions[idx[0]:idx[-1] + 1] = [q for block in blocks for q in block]
                renumber.add(source)
            elif kind == "answer-only":
                k = pick(("answered-200", "deep-dive-71"), lambda q: bool(q.answer))
                e.questions[k] = replace(e.questions[k], answer=e.questions[k].answer + "\n\nSee also the docs.")
                e.answered.add(source_of[e.questions[k].ref])
            elif kind == "split":
                k = pick(FLAT, lambda q: "? " in q.text)
                q = e.questions[k]
                first, rest = q.text.split("? ", 1)
                second = replace(q, ref=_fresh_ref(q.source, 100 + len(e.split)), text=rest)
                e.split.add(source_of[q.ref])
                set_text(k, first + "?")
                e.questions.insert(k + 1, second)
                source_of[second.ref] = source_of[q.ref]
                renumber.add(q.source)
            elif kind == "merge":
                k = pick(FLAT, lambda q: q.text.endswith("?"))
                a = e.questions[k]
                nxt = k + 1
                if nxt >= len(e.questions) or e.questions[nxt].source != a.source or e.questions[nxt].ref in touched:
                    continue
                b = e.questions.pop(nxt)
                touched.add(b.ref)
                e.merged[source_of[a.ref]] = source_of.pop(b.ref)
                set_text(k, f"{a.text} {b.text}")
                renumber.add(a.source)
            elif kind == "move-list":
                k = pick(FLAT)
                q = e.questions.pop(k)
                dest = rng.choice([s for s in FLAT if s != q.source])
                at = max(i for i, o in enumerate(e.questions) if o.source == dest) + 1
                ref = _fresh_ref(dest, 200 + k)
                e.questions.insert(at, replace(q, ref=ref, source=dest))
                source_of[ref] = source_of.pop(q.ref)
                e.moved.add(source_of[ref])
                renumber.update((q.source, dest))
            else:
                raise AssertionError(kind)
    for source in sorted(renumber):
        e.questions = _renumber(e.questions, source, source_of)
    return e



def continuations(e: Edited) -> dict[str, list[str]]:
    """Release-1 ref -> the new refs that continue it (a question merged away: the merged one)."""
    new_by_old: dict[str, list[str]] = defaultdict(list)
    for new, old in e.source_of.items():
        new_by_old[old].append(new)
    for a, b in e.merged.items():
        new_by_old[b] = list(new_by_old[a])
    return new_by_old


def asks_another_question(cat: Catalog, lock1: Lock, e: Edited, notes2: list) -> list[tuple[str, str]]:
    """Released notes that now show none of the texts their own questions had or have."""
    members1: dict[str, set[str]] = defaultdict(set)
    for q in lock1.questions:
        members1[q.guid].add(q.ref)
    text1 = {q.ref: q.text for q in cat.questions}
    now = {q.ref: q.text for q in e.questions}
    new_by_old = continuations(e)
    wrong = []
    for n in notes2:
        if n.status == "active" and n.guid in members1:
            ours = {text1[r] for r in members1[n.guid]} | {now[r] for o in members1[n.guid] for r in new_by_old[o]}
            # (a note that two released notes merged into shows one of their questions)
            if n.question not in ours and not ours & set(n.variants):
                wrong.append((n.guid, n.question))
    return wrong


# ---------------------------------------------------------------------- checks


def check(cat: Catalog, notes1: list, lock1: Lock, e: Edited) -> dict[str, int]:
    """Release 2 against release 1: returns the table row (applied, kept, retired, untouched changed)."""
    cat2 = replace(cat, questions=tuple(e.questions))
    notes2, lock2, report = identify(cat2, lock1, now=T2)
    guids2 = [n.guid for n in notes2]
    assert len(guids2) == len(set(guids2)), "a GUID twice in one build"
    assert {x.guid for x in lock1.entries} <= {x.guid for x in lock2.entries}, "the lock lost an entry"
    guid1 = {q.ref: q.guid for q in lock1.questions}
    members1: dict[str, set[str]] = defaultdict(set)
    for ref, g in guid1.items():
        members1[g].add(ref)
    note2_of = {r: n for n in notes2 if n.status == "active" for r in n.refs}
    entry1, entry2 = lock1.by_guid(), lock2.by_guid()
    text1 = {q.ref: q.text for q in cat.questions}
    new_by_old = continuations(e)

    # Untouched questions never change note, and untouched notes change nothing.
    untouched_changed = 0
    for q in e.questions:
        old = e.source_of.get(q.ref)
        if old is None or old in e.edited or q.text != text1[old]:
            continue
        if note2_of[q.ref].guid != guid1[old]:
            untouched_changed += 1
            print(f"untouched question changed note: {old} {q.text!r}")
    for n in notes2:
        if n.status != "active":
            continue
        olds = {e.source_of.get(r) for r in n.refs}
        if None in olds or olds & (e.edited | e.moved | e.answered):
            continue
        gs = {guid1[o] for o in olds}
        if len(gs) == 1 and olds == members1[next(iter(gs))] and n.guid in gs:
            if n.mod != entry1[n.guid].mod:
                untouched_changed += 1
                print(f"untouched note changed: {n.guid} {n.question!r}")

    # Edited questions keep their GUID, or leave a note that lives on without them.
    applied = kept = merged = left = uncertain = 0
    shaky = {u[0] for u in report.uncertain}
    for old in sorted(e.edited | e.moved | e.answered):
        if old not in guid1 or old in e.deleted:
            continue
        applied += 1
        g = guid1[old]
        mine = {note2_of[r].guid for r in new_by_old[old]}
        if g in mine:
            kept += 1
        elif entry2[g].merged_into in mine:
            merged += 1  # it joined another note, and its own note merged into that one
        elif len(members1[g]) > 1 and entry2[g].status == "active":
            left += 1  # it left a note that lives on without it
        elif text1[old] in shaky:
            uncertain += 1  # paired in place with another text, and the summary says so
        else:
            assert len(members1[g]) > 1 and entry2[g].status == "active", (
                f"{old} ({text1[old]!r}) lost its note's GUID: now in {mine}")
    for a, b in e.merged.items():
        new, = new_by_old[a]
        assert note2_of[new].guid in {guid1[a], guid1[b], *(entry2[guid1[a]].merged_into, entry2[guid1[b]].merged_into)} \
            or len(members1[guid1[a]]) > 1 or len(members1[guid1[b]]) > 1

    # A new question never takes a released GUID, unless dedupe put it in a released note.
    fresh = 0
    for q in e.questions:
        if q.text in e.brand_new:
            applied += 1
            fresh += 1
            n = note2_of[q.ref]
            assert n.guid not in entry1 or len(n.refs) > 1, f"new question {q.text!r} took {n.guid}"
    retired = 0
    for old in e.deleted:
        g = guid1[old]
        applied += 1
        if members1[g] <= e.deleted:
            assert entry2[g].status in ("retired", "merged"), f"{old}: deleted but {entry2[g].status}"
            retired += 1
        else:
            assert entry2[g].status == "active"
            kept += 1
    # A studied card never shows another question.
    assert not asks_another_question(cat, lock1, e, notes2)
    return {"applied": applied, "kept": kept, "merged": merged, "left": left, "new": fresh, "retired": retired,
            "shown uncertain": uncertain, "untouched changed": untouched_changed}


KINDS = ("reword-one", "reword-several", "reword-renumber", "insert-top", "insert-middle", "delete",
         "move-section", "reorder-sections", "answer-only", "split", "merge", "move-list")


@pytest.mark.parametrize("kinds", [(k,) for k in KINDS] + [KINDS], ids=[*KINDS, "all-together"])
def test_churn(release1, kinds):
    cat, notes1, lock1 = release1
    row = check(cat, notes1, lock1, edit(cat, kinds, seed=sum(map(ord, "".join(kinds)))))
    print(f"\nchurn {'+'.join(kinds) if len(kinds) < 3 else 'all together'}: {row}")
    assert row["untouched changed"] == 0
    assert sum(row[k] for k in ("kept", "merged", "left", "new", "retired", "shown uncertain")) == row["applied"]
    if len(kinds) == 1:
        assert row["shown uncertain"] == 0


# ---------------------------------------------------------------------- a learner's collection


def test_a_studied_collection_keeps_every_card_on_its_own_question(release1, tmp_path, anki_collection, anki_import):
    """Import release 1, study a few hundred cards, import release 2 (every kind of edit at once)."""
    pytest.importorskip("anki.collection")
    from qdeck.anki import write_apkg
    from tests.anki.helpers import cards_by_guid, notes_by_guid, revlog, study

    cat, notes1, lock1 = release1
    e = edit(cat, KINDS, seed=sum(map(ord, "".join(KINDS))))
    notes2, lock2, _ = identify(replace(cat, questions=tuple(e.questions)), lock1, now=T2)
    v1, v2 = tmp_path / "v1.apkg", tmp_path / "v2.apkg"
    write_apkg(notes1, v1, deck_name="Python Interview", notetype_mod=lock1.notetype.mod)
    write_apkg(notes2, v2, deck_name="Python Interview", notetype_mod=lock2.notetype.mod)

    col = anki_collection()
    anki_import(col, v1)
    deck = col.decks.id_for_name("Python Interview")
    config = col.decks.config_dict_for_deck_id(deck)
    config["new"]["perDay"] = 400
    col.decks.update_config(config)
    for _ in range(3):
        study(col, "Python Interview")
    studied = {g for g, card in cards_by_guid(col).items() if card[8] > 0}  # reps
    assert len(studied) >= 200
    cards_before, revlog_before = cards_by_guid(col), revlog(col)

    log = anki_import(col, v2)

    def guids(entries) -> set[str]:
        return {col.get_note(n.id.nid).guid for n in entries}

    entry1 = lock1.by_guid()
    untouched = {n.guid for n in notes2 if n.guid in entry1 and n.mod == entry1[n.guid].mod}
    assert guids(log.duplicate) == untouched, "Anki reports the notes it leaves alone as duplicates"
    assert guids(log.updated) == {n.guid for n in notes2 if n.guid in entry1} - untouched
    assert not log.conflicting
    cards_after, notes_after = cards_by_guid(col), notes_by_guid(col)
    assert revlog(col) == revlog_before, "a review was lost"
    assert len(notes_after) == len({n.guid for n in notes2}), "a duplicate note"
    for guid, card in cards_before.items():
        assert cards_after[guid] == card, f"{guid}: scheduling changed"
    # No studied card now asks another question.
    wrong = [(guid, question) for guid, question in asks_another_question(cat, lock1, e, notes2) if guid in studied]
    assert not wrong, f"studied cards now ask another question: {wrong[:3]}"


def test_a_new_list_changes_no_note_it_does_not_join(release1):
    """A user's CSV list of 10 questions, 8 already in the deck in some wording, 2 new."""
    cat, notes1, lock1 = release1
    rng = random.Random(12)
    shown = [n for n in notes1 if n.status == "active" and n.topics]
    added = []
    for k, note in enumerate(rng.sample(shown, 8) + [None, None]):
        text = BRAND_NEW[k - 8] if note is None else note.question.replace("What is", "What's", 1)
        added.append(Question(ref=f"user-csv#{k + 1}", source="user-csv", number=str(k + 1), text=text, line=k + 2,
                              answer="A one-liner.", tier="1-beginner",
                              topics=note.topics[:1] if note is not None else ("basics",)))
    notes2, _, report = identify(replace(cat, questions=(*cat.questions, *added)), lock1, now=T2)
    before = {n.guid: n for n in notes1}
    joined = {n.guid for n in notes2 if any(r.startswith("user-csv#") for r in n.refs)}
    for n in notes2:
        if n.guid in before and n.guid not in joined:
            old = before[n.guid]
            assert (n.question, n.tier, n.topics, n.kind, n.answer, n.variants, n.mod) == \
                   (old.question, old.tier, old.topics, old.kind, old.answer, old.variants, old.mod), n.guid
        elif n.guid in before:
            assert n.question == before[n.guid].question, "a new member does not rename a note"
    print(f"\nnew list: {len(joined & set(before))} notes joined, {report.counts}")
    assert len(joined & set(before)) >= 4


def test_reclustering_keeps_every_guid_on_its_questions(release1):
    """`--recluster` makes the notes afresh (a matcher change may want it); questions keep their GUIDs."""
    cat, notes1, lock1 = release1
    e = edit(cat, ("reword-one", "delete"), seed=5)
    notes2, lock2, _ = identify(replace(cat, questions=tuple(e.questions)), lock1, now=T2, recluster=True)
    assert {x.guid for x in lock1.entries} <= {x.guid for x in lock2.entries}
    assert not asks_another_question(cat, lock1, e, notes2)
    again, lock3, report = identify(replace(cat, questions=tuple(e.questions)), lock2, now=T2 + 5, recluster=True)
    assert report.counts["new"] == report.counts["changed"] == 0
