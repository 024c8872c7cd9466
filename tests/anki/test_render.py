"""Fields rendered from notes: the markdown subset, escaping, every field in order, the note type's CSS."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from qdeck.anki import FIELD_NAMES, Renderer, answer_block, content_hash, inline, markdown, render_fields
from qdeck.models import Answer
from tests.anki.helpers import SAMPLE, sample_note


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
    fields = render_fields(replace(SAMPLE[1], guid="g", mod=1))
    assert fields["Question"] == (
        "What does &lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt; do?"
    )
    assert fields["Also asked as"] == "<ul><li>Also: <code>a &lt; b</code>?</li></ul>"
    q = render_fields(replace(SAMPLE[0], guid="g", mod=1))["Question"]
    assert q == "What is <code>&lt;class 'int'&gt;</code>?"


def test_render_fields_fills_every_field_in_order():
    note = replace(SAMPLE[1], guid="python-interview:abc", mod=1)
    fields = render_fields(note)
    assert list(fields) == list(FIELD_NAMES)
    assert fields["Follow-ups"] == "<ul><li>Why?</li></ul>"
    assert fields["Code task"] == "<p>Write <code>f</code>.</p>"
    assert fields["Tier"] == "1-beginner" and fields["Topics"] == "basics, oop" and fields["Sources"] == "s, t"
    assert fields["Note ID"] == "python-interview:abc" and fields["Status"] == ""
    assert fields["More answers"] == "" and all(fields[f"Spare {i}"] == "" for i in range(2, 5))


def test_status_banner_for_retired_and_merged_notes():
    retired = render_fields(replace(SAMPLE[2], guid="g1", status="retired"))["Status"]
    merged = render_fields(replace(SAMPLE[2], guid="g1", status="merged", merged_into="python-interview:Zz9"))["Status"]
    assert retired.startswith("Retired:")
    assert "merged into another note" in merged and '"Note ID:python-interview:Zz9"' in merged


def test_fields_are_nfc_like_anki_stores_them():
    decomposed = "Cafe\u0301?"
    assert render_fields(sample_note("s#9", decomposed))["Question"] == unicodedata.normalize("NFC", decomposed)


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


def test_identifiers_in_prose_become_code_but_not_in_code_spans():
    fields = render_fields(replace(sample_note("s#4", "Why call super().__init__ in __init__?",
                                               "Because `super()` finds the next class; see dict.get()."),
                                   guid="g", mod=1))
    assert fields["Question"] == "Why call <code>super().__init__</code> in <code>__init__</code>?"
    assert fields["Answer"] == "<p>Because <code>super()</code> finds the next class; see <code>dict.get()</code>.</p>"


def test_each_sources_answer_is_a_block_under_its_lists_title():
    note = replace(sample_note("a#1", "What is a context manager?", ""), guid="g", mod=1, sources=("a", "b"),
                   source_titles=("List <A>", "List B"),
                   answers=(Answer("a", "Short."), Answer("b", "Longer.", tests="Cleanup.", red_flag="Leaks.")))
    fields = render_fields(note)
    assert fields["Answer"] == '<div class="qd-block"><div class="qd-source">List &lt;A&gt;</div><p>Short.</p></div>'
    assert fields["More answers"] == answer_block(note.answers[1], "List B")
    assert fields["More answers"].index("What interviewers test") < fields["More answers"].index("Longer.") \
        < fields["More answers"].index("Red flag")


def test_a_note_without_answer_blocks_renders_its_answer_text():
    fields = render_fields(replace(SAMPLE[2], guid="g", mod=1, status="retired"))
    assert fields["Answer"] == "<p>A function that yields.</p>" and fields["More answers"] == ""


def test_content_hash_follows_what_users_see_not_the_mod():
    note = replace(SAMPLE[2], guid="g", mod=1)
    assert content_hash(replace(note, mod=2)) == content_hash(note)
    assert content_hash(replace(note, answer="Something else.")) != content_hash(note)
    assert content_hash(replace(note, tags=(*note.tags, "extra"))) != content_hash(note)
    assert content_hash(replace(note, tags=tuple(reversed((*note.tags, "extra"))))) == \
        content_hash(replace(note, tags=(*note.tags, "extra"))), "tags are a set"
    notes = [replace(n, guid=f"g{i}", mod=1) for i, n in enumerate(SAMPLE)]
    renderer = Renderer()
    assert renderer.content_hashes(notes) == [content_hash(n) for n in notes]
    assert [renderer.fields(n) for n in notes] == [render_fields(n) for n in notes]
