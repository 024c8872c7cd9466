"""Filtered decks by tier (or topic): planned from the notes, created or rebuilt, the user's own choices kept."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterable, Sequence

from qdeck.config import Recipe
from qdeck.errors import QdeckError
from qdeck.models import Note
from qdeck.sync.library import anki_errors, anki_module
from qdeck.sync.report import FilteredDeckResult

FILTERED_KINDS = ("tier", "topic")
TIER_TITLES = {"1-beginner": "Tier 1 — Beginner", "2-junior": "Tier 2 — Junior", "3-mid": "Tier 3 — Mid",
               "4-senior": "Tier 4 — Senior"}
FILTERED_LIMIT = 9999  # Anki's default of 100 would silently leave most of a tier out


def _deck_title(kind: str, value: str) -> str:
    if kind == "tier":
        return TIER_TITLES.get(value, f"Tier {value}")
    return f"Topic — {value}"  # the tag's own slug: no display names exist, and users know the tag


def _values(notes: Iterable[Note], kind: str) -> set[str]:
    return {n.tier for n in notes if n.tier} if kind == "tier" else {t for n in notes for t in n.topics}


def _filtered_plan(col: Any, recipe: Recipe, notes: Sequence[Note], kinds: Sequence[str]) -> list[tuple[str, str]]:
    """(deck name, our tag) per filtered deck: each tier (topic) with an active note, or whose deck exists.

    A deck whose tier lost its last active note is still rebuilt, so it empties instead of holding stale cards.
    """
    active = [n for n in notes if n.status == "active"]
    plan = []
    for kind in kinds:
        wanted = _values(active, kind)
        for value in sorted(_values(notes, kind)):
            name = f"{recipe.deck}::{_deck_title(kind, value)}"
            if value in wanted or col.decks.id_for_name(name) is not None:
                plan.append((name, f"{recipe.tag_root}::{kind}::{value}"))
    return plan


def _empty_first(col: Any, names: Iterable[str]) -> None:
    # A card sits in one filtered deck at a time and a rebuild skips cards held by another
    # filtered deck: a note that moved from tier 3 to tier 2 would stay out of both if tier 2
    # were rebuilt while tier 3 still held it. So every deck we rebuild lets go of its cards first.
    for name in names:
        did = col.decks.id_for_name(name)
        if did is not None and col.decks.is_filtered(did):
            col.sched.empty_filtered_deck(did)


def _search(col: Any, recipe: Recipe, tag: str) -> str:
    """Our search for one filtered deck, normalized and escaped by Anki itself.

    `deck:` matches the home deck, its children, and cards whose home (odid) is one of those, so the
    filtered decks under the home deck match their own cards too; that is harmless: Anki empties a
    filtered deck before rebuilding it and never pulls cards that sit in another filtered deck.
    """
    anki = anki_module()
    node = anki.SearchNode
    return col.build_search_string(
        node(deck=recipe.deck), node(tag=tag),
        node(negated=node(tag=f"{recipe.tag_root}::status::retired")),
        node(negated=node(card_state=node.CARD_STATE_SUSPENDED)),
    )


def _card_count(col: Any, did: int) -> int:
    return col.db.scalar("SELECT count() FROM cards WHERE did = ?", did)


def _create_filtered(col: Any, name: str, search: str) -> FilteredDeckResult:
    deck = col.sched.get_or_create_filtered_deck(deck_id=0)
    deck.name = name
    del deck.config.search_terms[1:]  # a new deck starts with a second "is:new" term for the current deck
    term = deck.config.search_terms[0]
    term.search, term.limit = search, FILTERED_LIMIT
    try:
        did = col.sched.add_or_update_filtered_deck(deck).id
    except anki_errors().FilteredDeckError:  # nothing matched; Anki added nothing
        return FilteredDeckResult(name, f"skipped: {_held_elsewhere(col, search) or 'no card matches yet'}")
    return FilteredDeckResult(name, "created", _card_count(col, did))


def _held_elsewhere(col: Any, search: str) -> str:
    """Why a deck of ours came out empty: its cards sit in other filtered decks (or '' when they do not)."""
    held = len(col.find_cards(f"({search}) deck:filtered"))
    if not held:
        return ""
    return f"its {held} cards sit in other filtered decks" if held > 1 else "its card sits in another filtered deck"


def _refresh_filtered(col: Any, did: int, name: str, search: str, recorded: str | None) -> FilteredDeckResult:
    """Rebuild an existing filtered deck, its options untouched; fix its search only if it is still ours."""
    deck = col.sched.get_or_create_filtered_deck(deck_id=did)
    current = deck.config.search_terms[0].search if deck.config.search_terms else ""
    if current == search or current != recorded:
        col.sched.rebuild_filtered_deck(did)
        action = "rebuilt" if current == search else "rebuilt (your search kept)"
        return FilteredDeckResult(name, action, _card_count(col, did))
    deck.config.search_terms[0].search = search
    try:
        col.sched.add_or_update_filtered_deck(deck)
    except anki_errors().FilteredDeckError:  # the new search matches nothing: Anki reverted it; keep the old
        col.sched.rebuild_filtered_deck(did)
        return FilteredDeckResult(name, "rebuilt (new search matched no card)", _card_count(col, did))
    return FilteredDeckResult(name, "search updated", _card_count(col, did))


def filtered_decks(col: Any, recipe: Recipe, notes: Sequence[Note], kinds: Sequence[str],
                   state: dict[str, Any]) -> tuple[FilteredDeckResult, ...]:
    """Create or refresh one filtered deck per tier (and topic), in plan order."""
    recorded: dict[str, str] = dict(state.get("filtered", {}))
    current_deck = col.decks.get_current_id()  # creating a filtered deck selects it; the user's choice stays
    results = []
    plan = _filtered_plan(col, recipe, notes, kinds)
    _empty_first(col, (name for name, _ in plan))
    for name, tag in plan:
        search = _search(col, recipe, tag)
        did = col.decks.id_for_name(name)
        if did is None:
            result = _create_filtered(col, name, search)
        elif not col.decks.is_filtered(did):
            result = FilteredDeckResult(name, "skipped: a normal deck already has this name")
        else:
            result = _refresh_filtered(col, did, name, search, recorded.get(name))
            if result.cards == 0 and result.action in ("rebuilt", "search updated") and _held_elsewhere(col, search):
                result = replace(result, action=f"{result.action}, empty: {_held_elsewhere(col, search)}")
        if result.action in ("created", "search updated"):
            recorded[name] = col.sched.get_or_create_filtered_deck(
                deck_id=col.decks.id_for_name(name)).config.search_terms[0].search
        results.append(result)
    if col.decks.get_current_id() != current_deck:
        col.decks.set_current(current_deck)
    state["filtered"] = recorded
    return tuple(results)


def filtered_kinds(filtered: Iterable[str]) -> tuple[str, ...]:
    """The kinds of filtered deck asked for, each once and in order; an unknown kind is an error."""
    kinds = tuple(dict.fromkeys(filtered))
    unknown = [k for k in kinds if k not in FILTERED_KINDS]
    if unknown:
        raise QdeckError(f"unknown filtered deck kind {unknown[0]!r}; known: {', '.join(FILTERED_KINDS)}")
    return kinds
