"""The shape of every hand-written YAML file, declared once: keys, types and allowed values.

What a shape cannot say (a source named in the recipe must be declared in data/sources.yaml, a
regex must compile, a topic must be one the taxonomy lists) is checked where the file is turned
into the objects the stages use, and reported the same way (config.shape.Invalid).
"""

from __future__ import annotations

import enum
from typing import Annotated, Literal, Union

from msgspec import Meta, Struct


class Shape(Struct, frozen=True, forbid_unknown_fields=True):
    """A mapping in a data file: a misspelt key is an error, never ignored."""


# ------------------------------------------------------------------------- words used by several files

Text = Annotated[str, Meta(pattern=r"\S", description="a non-empty text")]
Slug = Annotated[str, Meta(pattern=r"^[a-z0-9][a-z0-9-]*$", description="a lowercase slug such as `data-types`")]
SourceName = Annotated[str, Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                                 description="a source name of letters, digits, `.`, `_` and `-` (refs are NAME#NUMBER)")]
Ref = Annotated[str, Meta(pattern=r"^[^\s#]+#[^\s#]+$", description="a ref such as `tiered-200#3` (SOURCE#NUMBER)")]
Pattern = Annotated[str, Meta(min_length=1, description="a regular expression")]
Weight = Annotated[float, Meta(description="a number")]


class Format(str, enum.Enum):
    """Every source format qdeck reads; the parser for each is chosen in ingest."""

    NUMBERED = "numbered"  # numbered list; headings give sections and levels
    QA = "qa"  # question lines each followed by bullet answers
    DEEP_DIVE = "deep-dive"  # long answers with lost titles (one unique page layout)
    CSV = "csv"  # question, answer, tier, topics columns
    YAML = "yaml"  # a list of mappings with the CSV's keys
    JSON = "json"  # likewise, as JSON
    MARKDOWN = "markdown"  # GitHub-style lists: numbered question headings or items, answers below


# ------------------------------------------------------------------------- decks/*.yaml (a recipe)

# A slug names files (SLUG.lock.yaml, SLUG.apkg) and the GUID namespace: no path parts, no dots.
RecipeSlug = Annotated[str, Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", max_length=100,
                                 description="a file-name slug of letters, digits, `-` and `_` (no `/` or `..`)")]
PackageName = Annotated[str, Meta(pattern=r"^(?:[A-Za-z0-9_]|\{tier\})(?:[A-Za-z0-9_-]|\{tier\})*$", max_length=100,
                                  description="a file name of letters, digits, `-`, `_` and `{tier}` (no `/` or `.`)")]
TagRoot = Annotated[str, Meta(pattern=r"^[^\s:](?:\S*[^\s:])?$",
                              description="a tag root without spaces or outer colons")]


class Package(Shape):
    """One package the build writes: the whole deck, or one per tier with `per: tier`."""

    name: PackageName
    per: Union[Literal["tier"], None] = None


class RecipeFile(Shape):
    deck: Union[Text, None] = None
    slug: Union[RecipeSlug, None] = None
    tag_root: Union[TagRoot, None] = None
    data: Text = "../data"
    sources: Union[list[SourceName], None] = None
    packages: Union[Annotated[list[Package], Meta(min_length=1)], None] = None
    editorial: bool = True  # false: leave out the editorial answers in data/editorial/


# ------------------------------------------------------------------------- data/judgments.yaml


class JudgmentEntry(Shape):
    """One merge decision: two refs, their texts as judged, the verdict, an optional note."""

    refs: Annotated[tuple[Ref, Ref], Meta(description="a pair of refs [A, B]")]
    questions: Annotated[tuple[Text, Text], Meta(description="the two question texts as judged")]
    verdict: Literal["same", "related", "different"]
    note: str = ""


class JudgmentsFile(Shape):
    judgments: list[JudgmentEntry] = []


# ------------------------------------------------------------------------- data/editorial/*.yaml


class EditorialEntry(Shape):
    """One answer written for one note: its GUID, the question as written against, the answer."""

    guid: Text
    question: Text
    answer: Text
    # A maintainer read the list's answer that joined this note and kept this one beside it.
    beside_list: bool = False


class EditorialFile(Shape):
    title: Text  # the label of these answers on the card
    answers: list[EditorialEntry]


# ------------------------------------------------------------------------- data/sources.yaml


class Heading(Shape):
    kind: Literal["level", "section"]
    pattern: Pattern


OneOrMore = Union[Pattern, list[Pattern]]


class NumberedOptions(Shape):
    item: Union[Pattern, None] = None
    headings: list[Heading] = []
    separator: Union[OneOrMore, None] = None
    markup: Union[OneOrMore, None] = None
    code_task: Union[Pattern, None] = None
    trailer: Union[Pattern, None] = None


class QaOptions(Shape):
    question: Union[Pattern, None] = None
    trailer: Union[Pattern, None] = None
    repair: Union[Literal["scraped-inline-code"], None] = None


class DeepDiveOptions(Shape):
    titles: Annotated[str, Meta(pattern=r"\S", description="the titles file, relative to data/")]


class NoOptions(Shape):
    """The structured and markdown formats take no options."""


OPTIONS: dict[Format, type[Shape]] = {
    Format.NUMBERED: NumberedOptions,
    Format.QA: QaOptions,
    Format.DEEP_DIVE: DeepDiveOptions,
    Format.CSV: NoOptions,
    Format.YAML: NoOptions,
    Format.JSON: NoOptions,
    Format.MARKDOWN: NoOptions,  # the layouts are recognised, not configured
}
# Regex options and the named groups their parser reads.
GROUPS: dict[str, tuple[str, ...]] = {
    "item": ("num", "text"), "question": ("num", "text"), "code_task": ("task",),
}

LevelKey = Union[str, int]
Tiers = Annotated[dict[LevelKey, Union[Slug, None]],
                  Meta(description="a mapping of the list's own levels to tiers, e.g. {\"1\": 1-beginner}")]


class SourceEntry(Shape):
    name: SourceName
    file: Annotated[str, Meta(pattern=r"\S", description="the list's file, relative to data/")]
    format: Format
    title: str = ""
    tiers: Tiers = {}
    options: dict[str, object] = {}  # checked per format against OPTIONS
    encoding: Annotated[str, Meta(pattern=r"^[A-Za-z0-9_.-]+$", description="an encoding name such as cp1252")] = "utf-8"


class SourcesFile(Shape):
    sources: Annotated[list[SourceEntry], Meta(min_length=1, description="a non-empty list of sources")]


# ------------------------------------------------------------------------- data/overrides.yaml

RefGroup = Annotated[list[Ref], Meta(min_length=2, description="a list of two or more refs")]


class OverridesFile(Shape):
    merge: list[RefGroup] = []
    split: list[RefGroup] = []
    canonical: dict[Ref, Text] = {}
    tier: Annotated[dict[Ref, Union[str, int]], Meta(description="a mapping of refs to tiers")] = {}
    topics: Annotated[dict[Ref, Union[Slug, list[Slug]]], Meta(description="a mapping of refs to one or two topics")] = {}
    # Identity pins (owned by identity): the question now at NEW_REF is the one the lock knew at OLD_REF ...
    same: list[Annotated[tuple[Ref, Ref], Meta(description="a pair [OLD_REF, NEW_REF]")]] = []
    # ... and the question at NEW_REF is new, whatever the alignment paired it with.
    new: list[Ref] = []


def tier_named(value: str | int, tiers: tuple[str, ...]) -> str | None:
    """The tier an override names by its slug, number or name, or None.

    >>> [tier_named(v, ("1-beginner", "2-junior")) for v in ("2-junior", 2, "Beginner", "senior")]
    ['2-junior', '2-junior', '1-beginner', None]
    """
    text = str(value).strip().casefold()
    for slug in tiers:
        number, _, name = slug.partition("-")
        if text in (slug, number, name):
            return slug
    return None


# ------------------------------------------------------------------------- data/dedupe.yaml

Word = Annotated[str, Meta(pattern=r"\S", description="a word or phrase")]


class DedupeFile(Shape):
    abbreviations: dict[Word, Word] = {}
    synonyms: dict[Word, Word] = {}
    framing: list[Word] = []
    kinds: list[Word] = []
    contrasts: list[Annotated[list[Word], Meta(min_length=2, description="a list of two or more alternatives")]] = []
    numbered: list[Word] = []  # names written with or against their number: "PEP8", "PEP 8"


# ------------------------------------------------------------------------- data/deep-dive-71.questions.yaml

AnswerNumber = Annotated[int, Meta(ge=1, description="an answer number (1, 2, ...)")]
TitlesFile = dict[AnswerNumber, Text]


# ------------------------------------------------------------------------- data/taxonomy.yaml

Slugs = Annotated[list[Slug], Meta(min_length=1, description="a non-empty list of lowercase slugs")]


class Weights(Shape):
    """How much each kind of evidence counts towards a topic (values and meaning: data/taxonomy.yaml)."""

    question: Weight
    code_task: Weight
    answer: Weight
    tests: Weight
    answer_cap: Weight
    section: Weight
    section_next: Weight
    second_ratio: Weight
    second_min: Weight
    default_topic: Slug


class TierInference(Shape):
    """Settings of the nearest-neighbour tier guess for notes no source tiers (see data/taxonomy.yaml)."""

    k: Annotated[int, Meta(ge=1)]
    query_terms: Annotated[int, Meta(ge=1)]
    max_postings: Annotated[int, Meta(ge=1)]
    max_df_share: Weight
    min_similarity: Weight
    topic_prior: Weight
    kind_prior: Weight
    answer_tokens: Annotated[int, Meta(ge=0)]
    default_tier: Slug


class TopicEvidence(Shape):
    terms: dict[str, Weight] = {}
    regex: dict[Pattern, Weight] = {}


class Where(Shape):
    source: Union[Pattern, None] = None
    section: Union[Pattern, None] = None
    level: Union[Pattern, None] = None


class KindRuleSpec(Shape):
    code_task: bool = False
    text: list[Pattern] = []
    where: list[Where] = []


class TaxonomyFile(Shape):
    tiers: Slugs
    kind_names: Slugs
    weights: Weights
    topics: Annotated[dict[Slug, Union[TopicEvidence, None]], Meta(description="a mapping of topics to their evidence")]
    # `kinds` holds `default`, `order` and one rule per kind name: its keys depend on kind_names,
    # so each entry is checked against KindRuleSpec when the taxonomy is built.
    kinds: dict[str, object]
    tier_inference: TierInference
    sections: dict[str, Union[dict[str, Union[list[Slug], None]], None]] = {}
