"""How the search reads text, the same on every database.

A text becomes a *search document*: its words folded (lower case, no accents, hyphens and other
punctuation as spaces), each pair of neighbouring words also joined ("make up" gives "makeup"),
stored as ``" word word ... "``. A query word matches a document word that starts with it (for
words of four letters or more, after a small suffix stripper takes plurals and "-ing" off) or
equals it (shorter words: "it", "ux", "ai"). So a query word is a ``LIKE '% word%'`` on the
stored document, which PostgreSQL answers from a trigram index.

Words that match no document word anywhere are corrected against the vocabulary (every word of
every document) by similarity, the same way on every database.
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

#: Words that carry nothing on their own in a job title query.
STOP_WORDS = frozenset({"a", "an", "and", "the", "of", "or", "in", "for", "to", "with", "on"})
#: Query words shorter than this match whole words only.
PREFIX_MIN = 4
#: How alike a misspelt word and its correction must be (difflib's ratio).
CORRECTION_CUTOFF = 0.8
MAX_CORRECTIONS = 3
#: The words of a query that count (a longer query is cut: each word costs a LIKE).
MAX_WORDS = 12

_NON_WORD = re.compile(r"[^a-z0-9+#]+")


def fold(text: str) -> str:
    """Lower case, accents off, every run of punctuation or space one space."""
    text = text or ""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower()
    text = text.replace("&", " and ")
    return " ".join(_NON_WORD.sub(" ", text).split())


def words(text: str) -> list[str]:
    return fold(text).split()


def stem(word: str) -> str:
    """The part of ``word`` that its other forms start with: plurals and "-ing" off."""
    if len(word) <= PREFIX_MIN:
        return word
    if word.endswith("ies") and len(word) > 5:
        return word[:-3]
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    if word.endswith("ing") and len(word) > 6:
        return word[:-3]
    return word


def document(*texts: str) -> str:
    """The stored search document of some texts (title, job titles, keywords...)."""
    tokens: list[str] = []
    seen: set[str] = set()
    for text in texts:
        parts = words(text)
        for token in [*parts, *(a + b for a, b in itertools.pairwise(parts))]:
            if token not in seen:
                seen.add(token)
                tokens.append(token)
    return f" {' '.join(tokens)} " if tokens else ""


@dataclass(frozen=True)
class Term:
    """One query word: what a document word must start with (or equal)."""

    text: str
    prefix: bool

    def pattern(self) -> str:
        """The text a document must contain (``LIKE '%pattern%'``)."""
        return f" {self.text}" if self.prefix else f" {self.text} "

    def matches(self, token: str) -> bool:
        return token.startswith(self.text) if self.prefix else token == self.text

    def closeness(self, token: str) -> int:
        """2 for the word itself or its plural, 1 for a longer word it starts, 0 for none."""
        if not self.matches(token):
            return 0
        return 2 if len(token) - len(self.text) <= 2 else 1


def term_for(word: str) -> Term:
    if len(word) < PREFIX_MIN:
        return Term(word, prefix=False)
    return Term(stem(word), prefix=True)


@dataclass
class Vocabulary:
    """Every word of every searched text, and every pair of neighbouring words joined (both
    sorted), for prefix checks, joining split words and corrections."""

    tokens: list[str]
    joined: list[str]
    by_length: dict[int, list[str]] = field(default_factory=dict)
    #: Corrections already worked out, by misspelt word.
    corrected: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, texts: Iterable[str]) -> Vocabulary:
        real: set[str] = set()
        joined: set[str] = set()
        for text in texts:
            parts = words(text)
            real.update(parts)
            joined.update(a + b for a, b in itertools.pairwise(parts))
        ordered = sorted(real)
        by_length: dict[int, list[str]] = {}
        for token in ordered:
            by_length.setdefault(len(token), []).append(token)
        return cls(ordered, sorted(joined - real), by_length)

    def is_word(self, word: str) -> bool:
        position = bisect.bisect_left(self.tokens, word)
        return position < len(self.tokens) and self.tokens[position] == word

    def has(self, term: Term) -> bool:
        for tokens in (self.tokens, self.joined):
            position = bisect.bisect_left(tokens, term.text)
            if position < len(tokens):
                found = tokens[position]
                if found.startswith(term.text) if term.prefix else found == term.text:
                    return True
        return False

    def corrections(self, word: str) -> list[str]:
        """The vocabulary's words most like ``word`` (a misspelling), best first. Only words
        of about the same length that start with the same letter (or with the first two
        swapped) are compared, which keeps a correction to a few milliseconds."""
        if len(word) < PREFIX_MIN:
            return []
        if word not in self.corrected:
            starts = {word[0], word[1]}
            pool = [
                token
                for size in range(len(word) - 2, len(word) + 3)
                for token in self.by_length.get(size, ())
                if token[0] in starts
            ]
            self.corrected[word] = difflib.get_close_matches(
                word, pool, n=MAX_CORRECTIONS, cutoff=CORRECTION_CUTOFF
            )
        return self.corrected[word]


@dataclass
class Group:
    """One query word and the terms that may stand for it (itself, or its corrections)."""

    word: str
    terms: list[Term]
    corrected: bool = False

    def pattern_options(self) -> list[str]:
        return [term.pattern() for term in self.terms]

    def closeness(self, tokens: list[str]) -> int:
        best = 0
        for term in self.terms:
            for token in tokens:
                best = max(best, term.closeness(token))
        return best


@dataclass
class ParsedQuery:
    text: str
    groups: list[Group]

    @property
    def findable(self) -> bool:
        return bool(self.groups) and all(group.terms for group in self.groups)

    @property
    def corrected_text(self) -> str:
        """The query as it was understood ("sofware developer" → "software developer")."""
        return " ".join(
            group.terms[0].text if group.corrected and group.terms else group.word
            for group in self.groups
        )

    @property
    def has_corrections(self) -> bool:
        return any(group.corrected for group in self.groups)


def parse(text: str, vocabulary: Vocabulary) -> ParsedQuery:
    """Split a query into word groups; join split words the vocabulary knows as one
    ("data base" → "database"), and correct words no document holds."""
    raw = words(text)
    kept = ([word for word in raw if word not in STOP_WORDS] or raw)[:MAX_WORDS]
    merged: list[str] = []
    position = 0
    while position < len(kept):
        word = kept[position]
        if position + 1 < len(kept):
            joined = word + kept[position + 1]
            if vocabulary.is_word(joined):
                merged.append(joined)
                position += 2
                continue
        merged.append(word)
        position += 1
    groups = []
    for word in merged:
        term = term_for(word)
        if vocabulary.has(term):
            groups.append(Group(word, [term]))
            continue
        terms = list(dict.fromkeys(term_for(fix) for fix in vocabulary.corrections(word)))
        groups.append(Group(word, terms, corrected=True))
    return ParsedQuery(text, groups)
