"""The rules that keep look-alikes apart: a swapped code token, other values, one word or a contrast."""

from __future__ import annotations

from qdeck.dedupe.features import Features


def vetoed(fa: Features, fb: Features, kinds: frozenset[str]) -> bool:
    """A swapped code token or number, or a known contrast, makes look-alikes different questions.
    (`kinds`: the vocabulary's kind words, which a one-word swap may change freely.)"""
    # A code word the other question names in prose (`import` vs "import system") is no swap.
    code_a, code_b = fa.code - fb.every, fb.code - fa.every
    if code_a and code_b:
        return True
    # An operator or number only one side has (`=` vs `==`) is a different question too.
    if fa.code and fb.code and any(not w.isalpha() for w in code_a | code_b):
        return True
    # The same names in other punctuation (`s[:4]` vs `s[4:]`, `bool("")` vs `bool([])`) ask
    # about other values.
    if fa.literals and fb.literals:
        theirs = dict(fb.literals)
        if any(other_values(written, theirs[names]) for names, written in fa.literals if names in theirs):
            return True
    # Written alike but for one content word ("How do you get all keys / values in a dict?"),
    # two questions ask about that word's difference.
    if one_word_apart(fa.shape, fb.shape, kinds):
        return True
    # Two questions naming different members of one contrast group ask different things.
    return any(fb.contrasts[g] != named for g, named in fa.contrasts.items() if g in fb.contrasts)


def other_values(mine: frozenset[str], theirs: frozenset[str]) -> bool:
    """Each side writes an expression that is no part of the other's, nor they of it
    (`__name__ == "__main__"` is part of `if __name__ == "__main__":`).

    >>> other_values(frozenset({'bool("")'}), frozenset({"bool([])"}))
    True
    >>> other_values(frozenset({'__name__=="__main__"'}), frozenset({'if__name__=="__main__":'}))
    False
    """
    def unmatched(side: frozenset[str], other: frozenset[str]) -> bool:
        return any(not any(a in b or b in a for b in other) for a in side)

    return unmatched(mine, theirs) and unmatched(theirs, mine)


def one_word_apart(a: tuple[str, ...], b: tuple[str, ...], kinds: frozenset[str]) -> bool:
    """Same words in the same places but one content word, which is no kind word (the `print`
    "statement" or "function").

    >>> one_word_apart(("#what", "#is", "list"), ("#what", "#is", "tupl"), frozenset())
    True
    >>> one_word_apart(("#what", "#is", "list"), ("#explain", "list"), frozenset())
    False
    """
    if len(a) != len(b) or a == b:
        return False
    differ = [(x, y) for x, y in zip(a, b) if x != y]
    if len(differ) != 1:
        return False
    (x, y), = differ
    return x[0] != "#" and y[0] != "#" and x not in kinds and y not in kinds
