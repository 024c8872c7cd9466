"""Scores of the segmenting search (log10 probabilities) and the limits that bound it."""

from __future__ import annotations


# --- How the scrape damaged the text -----------------------------------------
# Each <li> became "- text", but every <code> lost its backticks and the spaces
# on both sides.  The first code element of a bullet that starts with prose got
# a line break in front of it instead of a space, and that bullet is followed
# by a space instead of a line break.  A bullet starting with code lost its
# "- " marker, and whatever follows it comes with no separator at all.  So a
# line break marks where code starts, a code span is always glued to the
# characters around it, and code-first bullets hide behind a sentence's period.
#
# Finding the code spans is a segmentation problem, solved by dynamic
# programming over each bullet.  Scores are log10 probabilities, as in a
# unigram language model: a prose word costs its zipf frequency minus 9 (so
# "is" costs about -2 and an unknown word much more), a code name costs by how
# likely inline code is to use it.  Explaining the same characters with fewer,
# likelier tokens wins, which is what splits "passis" into `pass` + "is" rather
# than `passi` + "s".


PROSE_SINGLE_LETTER = -8.0      # glued fragments like "s" or "e" are not words
PROSE_SHORT_JUNK = -8.0         # wordfreq lists many two-letter fragments ("yc", "ue")
PROSE_PUNCT = -0.5               # ordinary punctuation: cheap, prose is full of it
PROSE_NUMBER = -2.0              # a number or version (3.9+) costs like a common word
PROSE_CODE_CHAR = -4.0          # = @ * [ ] < > | & _ ` hardly occur in English prose
PROSE_GLUE = -6.0               # "x.y", "a,b", ")b" inside prose: code was glued here
PROSE_CALL_GLUE = -2.0          # "name(" inside prose looks like a call
PROSE_COMPOUND = -1.5           # "hashable" missing from the word list = hash + able
PROSE_PERIOD_BEFORE_CODE = -2.0  # "with." then code: the period starts the code
PROSE_PROPER_NOUN = -10.0       # an unlisted capitalised word: Pipfile, Timsort
PROSE_UNKNOWN = -9.0            # floor for unlisted words that Python knows
PROSE_UNKNOWN_PER_CHAR = -1.6   # other unlisted words cost by length: likely glue
PROSE_DANGLING = -3.0           # "named `SomethingMix` in.": "in" never ends a sentence
CODE_DUNDER = -2.5               # __init__ and kin are always code
CODE_CORE = -2.5                # keywords, builtins, standard-library modules
CODE_ATTRIBUTE = -3.5           # names found on common modules and types
CODE_LETTER = -2.5              # examples use a, b, f, A, B freely
CODE_LETTER_IN_WORD = -3.0      # ... but not one cut out of a word: "has|h|able"
CODE_SNAKE_BONUS = 1.5          # underscores are code-only, whatever the parts say
CODE_CAMEL_BONUS = 2.0          # so are humps: BeautifulSoup, SomethingMixin
CODE_RARE_PER_CHAR = -0.8       # an unknown name costs by its length
CODE_COMPOUND = -2.0            # two words in one name (setuptools) beat noise, not a word
CODE_GLUED = -4.0               # "passis", "BifA": a code name glued to English,
CODE_GLUED_PER_CHAR = -1.5      # ... costing more than its letters as prose
CODE_ENGLISH_EXTRA = -3.0       # a plain English word costs more in code than in prose
CODE_SPACE = -1.0                # a space inside code that parses (x = 1): allowed, not free
CODE_SPACE_UNPARSED = -3.0      # words in a row that Python would not accept
CODE_SYMBOLS = -0.3             # per run of operator or punctuation characters
CODE_PARSES = 1.0               # Python's own parser accepts the span,
CODE_PARSES_PER_TOKEN = 0.5     # ... and the more it accepted, the surer
CODE_BAD_EDGE = -6.0            # sentence punctuation inside or at the end of code
CODE_TOP_LEVEL_COMMA = -10.0    # "a, b" lists code spans, it is not one
CODE_HYPHEN_EDGE = -4.0         # "cross|-platform": a hyphenated word, not an option
CODE_CASE_CUT = -4.0            # "PRAGM|A": an all-caps word cut in two
CODE_WORD_IN_WORD = -3.0        # "in|it": an English word cut out of a longer word
CODE_UNKNOWN_ATTRIBUTE = -2.0   # "lock.poetry": a sentence's period, not attribute access
CODE_PUNCTUATION_ONLY = -4.0     # a span of only sentence punctuation or one paren is no code
CODE_CUTS_WORD = -4.0           # "pyth|on", "for|eign": glue never splits an English word
CODE_GLOSS = -5.0               # "n(next)": a one-letter command and its meaning
CODE_GLUED_OPERATOR = -4.0      # "+or+=": an "or" between two code spans, not inside one
CODE_UNBALANCED = -4.0           # per unmatched bracket: code spans are whole expressions
NEW_CODE_SPAN = -2.0            # a code span nothing forced us to open
BULLET_BREAK = 1.5               # a hidden bullet break after a sentence is what glue looks like
BULLET_WITHOUT_WORDS = -6.0      # a bullet split off must say something in prose
MAX_CODE_CHARS = 90              # longer than any inline code in the lists: bounds the search
HOPELESS_CODE = -60.0           # far below any real span ("[project.scripts] cli = ..." is -47)
MAX_PROSE_CHARS = 400           # between two code spans: about one sentence
BOUND_SLACK = 1e-6              # bounds sum in another order than scores: far above the rounding
PRUNE_MARGIN = 6.0             # first guess of how far the optimum lies below its bound
MAX_REGION_CHARS = 1500         # longer text is no scraped bullet: left as prose
MAX_GLUE_CHECK = 48             # longer names are not segmented (cost stays bounded)
COMMON_ENGLISH = 3.5            # zipf frequency from which a word is plain English

# Units and word-list thresholds (zipf frequencies: 0 = unknown, 3 = rare, 5 = common, 7 = "the").
ZIPF_SHIFT = 9.0                 # zipf = log10(frequency) + 9: subtracting it gives a log10 probability
ENGLISH_LOOSE = 2.5              # from here a hump or short name reads as jargon-or-English (cls, obj)
ENGLISH_PART = 3.0               # parts of compounds and dotted names: listed, if not common
ENGLISH_PIECE = 4.5              # a piece cut out of a glued name must be a common word to count
ENGLISH_FUNCTION_WORD = 5.0      # "or", "via": very common short words that glue follows
ENGLISH_TWO_LETTERS = 6.0        # two-letter pieces: only the commonest ("is", "in") are words
PROSE_TWO_LETTER_WORD = 4.8      # rarer two-letter prose tokens are fragments ("yc"), not words
PROSE_SHORT_NOISE = 3.0          # rarer lowercase entries of up to 4 letters are list noise ("radd")
PROSE_SHORT_NOISE_CHARS = 4      # ... the length up to which that holds
PROSE_COMMON_LETTER = -2.0       # "a", "A", "I": the one-letter words English has
PROSE_UNLISTED_BASE = -4.0       # an unlisted prose word starts here and costs per character
PROSE_ACRONYM_FLOOR = -6.0       # acronyms (AST, GIL, PEP) cost at most this much
PROSE_PROPER_NAME_FLOOR = -7.0   # CamelCase proper names of English humps (FastAPI) at most this
CAPITAL_GLUE_TWO = 5.0           # "Bis": a capital glued to a two-letter word needs a very common word
CAPITAL_GLUE_SHORT = 3.0         # "Bif", "Atrue": ... to a word of up to four letters, a listed one
CAPITAL_GLUE_LONG = 1.0          # "Atruthy": longer words are telling even when rare
QUESTION_NOT_ENGLISH = 1.0       # a Python name below this zipf is code wherever it stands (memoryview)
CODE_SHORT_ATTRIBUTE = -1.0      # extra cost of a three-letter attribute (obj, cls, sep): collides with words
CODE_CAPS_NAME = -4.0            # an all-caps or digit-bearing name (MAX_SIZE, utf8) starts here
CODE_CAPS_PER_CHAR = -0.3        # ... and costs by length
CODE_RARE_BASE = -3.0            # a name neither English nor known (a package?) starts here
CODE_JARGON_BASE = -3.5          # a rare listed word (cls, pip) starts here
CODE_TWO_LETTER_FRAGMENT = -6.0  # a rare two-letter "name" is a fragment of glue
CODE_DIGIT_HUMP = -2.0           # a number inside a CamelCase name (Py3Thing)
CODE_CAPS_HUMP = -4.0            # an all-caps hump (HTTPServer's HTTP)
