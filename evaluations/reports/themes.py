"""Themes that recur across groups' evaluations: a small, explainable TF-IDF.

The texts come in *sources*: each outcome area's evidence, the key findings and the
recommendations. Within a source every group (by its id, so two groups that share a name stay
two) is one document. A *term* is a word or two neighbouring words of the same sentence,
lower-cased, with plurals folded ("models" and "model" are one term), and with stop words,
words under three letters and words every maths evaluation uses ("pupils", "changed",
"lessons") left out. A term scores

    (share of the source's groups that use it) * (1 + ln((1 + sources) / (1 + sources using it)))

so a term many groups use in this source, and few other sources use, comes first. A theme is
used by at least two groups, always. Where a two-word phrase is kept, its words are not listed
again for the same groups. Each theme keeps the ids of the groups that use it and a quote from
each of the first few, so a reader can check it against the evidence.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

METHOD = (
    "Words and two-word phrases in each source (each outcome area's evidence, the key findings, "
    "the recommendations), with common words and words every evaluation uses left out and "
    "plurals folded together. Each group counts once, however often it uses a term. Terms are "
    "scored by the share of the source's groups that use them, weighted up when few other "
    "sources use them (a TF-IDF score). A theme is used by at least two groups; each lists "
    "its groups and quotes their words."
)
THEMES_PER_SOURCE = 8
QUOTES_PER_THEME = 5
MIN_GROUPS = 2
MIN_LENGTH = 3
QUOTE_LENGTH = 240
STOP_WORDS = frozenset(
    """
    about above after again against all also although among and another any are around
    because been before being below between both but can could did does doing done down during
    each either else even ever every few for from further had has have having her here hers
    herself him himself his how however into its itself just like made make makes many may
    more most much must not now off once one only onto other others our ours ourselves out over
    own per quite rather really same several she should since some such than that the their
    theirs them themselves then there these they this those though through thus too towards
    under until upon very was were what when where whether which while who whom whose why will
    with within without would yet you your yours yourself yourselves
    able across already always became become becomes began got get gets given use used using
    well way ways shall still seen see saw two three four five new year years term terms
    """.split()  # noqa: SIM905 - a word list reads best as text
)
# Words any evaluation of a maths Work Group uses: on their own they say nothing. Folded forms.
GENERIC_WORDS = frozenset(
    """
    pupil child children student learner teacher staff colleague participant school class
    classroom lesson maths math mathematics mathematical group session project work worked
    working evidence collected change changed improve improved improvement impact better good
    great increase increased develop developed development learning learn learned learnt
    teaching taught practice area areas outcome result show showed shown seem seemed feel felt
    lot lots thing things time times day week month part
    """.split()  # noqa: SIM905 - a word list reads best as text
)
WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
# A phrase does not run across a clause's end.
CLAUSE_END = re.compile(r"[;:,()]")


def fold(word: str) -> str:
    """A word's singular, by plain rules: 'strategies' → 'strategy', 'models' → 'model'."""
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def is_content(folded: str) -> bool:
    return len(folded) >= MIN_LENGTH and folded not in STOP_WORDS and folded not in GENERIC_WORDS


def sentences(text: str) -> list[str]:
    return [part.strip() for part in SENTENCE_END.split(text) if part.strip()]


def sentence_terms(sentence: str) -> dict[str, str]:
    """The terms of one sentence: folded term → the words as written."""
    found: dict[str, str] = {}
    text = sentence.lower().replace("\N{RIGHT SINGLE QUOTATION MARK}", "'")
    for clause in CLAUSE_END.split(text):
        words = WORD.findall(clause)
        folded = [fold(word) for word in words]
        keep = [is_content(word) for word in folded]
        found.update({folded[i]: words[i] for i in range(len(words)) if keep[i]})
        for i in range(len(words) - 1):
            if keep[i] and keep[i + 1]:
                found[f"{folded[i]} {folded[i + 1]}"] = f"{words[i]} {words[i + 1]}"
    return found


def terms(text: str) -> set[str]:
    """The distinct (folded) terms of ``text`` that can be themes."""
    return {term for sentence in sentences(text) for term in sentence_terms(sentence)}


@dataclass
class _Use:
    """How the groups of one source use one term."""

    groups: set[int] = field(default_factory=set)
    written: Counter = field(default_factory=Counter)
    quotes: dict[int, str] = field(default_factory=dict)


def find(
    sources: dict[str, list[tuple[int, str]]],
    *,
    hub_of: dict[int, int] | None = None,
    limit: int = THEMES_PER_SOURCE,
) -> dict[str, list[dict]]:
    """For each source, its recurring themes, best first.

    ``sources`` maps a source's key to ``(group id, text)`` pairs; ``hub_of`` maps a group's id
    to its hub's, to count the hubs a theme reaches. Each theme is ``{"term", "score",
    "groups", "hubs", "group_ids", "quotes": [{"group_id", "text"}]}``.
    """
    uses = {source: _uses(docs) for source, docs in sources.items()}
    sources_using: Counter = Counter(term for by_term in uses.values() for term in by_term)
    return {
        source: _best(uses[source], sources_using, len(sources), hub_of or {}, limit)
        for source in sources
    }


def _uses(docs: list[tuple[int, str]]) -> dict[str, _Use]:
    by_term: dict[str, _Use] = defaultdict(_Use)
    for group_id, text in docs:
        for sentence in sentences(text):
            for term, written in sentence_terms(sentence).items():
                use = by_term[term]
                if group_id not in use.groups:
                    use.groups.add(group_id)
                    use.written[written] += 1
                    use.quotes[group_id] = _shorten(sentence)
    return by_term


def _shorten(sentence: str) -> str:
    return sentence if len(sentence) <= QUOTE_LENGTH else sentence[: QUOTE_LENGTH - 1] + "…"


def _best(by_term, sources_using, source_count, hub_of, limit) -> list[dict]:
    group_count = len(set().union(*(use.groups for use in by_term.values()))) if by_term else 0
    scored = []
    for term, use in by_term.items():
        if len(use.groups) < MIN_GROUPS:
            continue
        idf = 1 + math.log((1 + source_count) / (1 + sources_using[term]))
        scored.append((len(use.groups) / group_count * idf, term, use))
    scored.sort(key=lambda item: (-item[0], -len(item[2].groups), -item[1].count(" "), item[1]))
    chosen: list[tuple[str, _Use, float]] = []
    for score, term, use in scored:
        if " " not in term and _covered(term, use.groups, chosen):
            continue
        chosen.append((term, use, score))
        if len(chosen) == limit:
            break
    return [_theme(use, score, hub_of) for _, use, score in chosen]


def _covered(word: str, groups: set[int], chosen: list) -> bool:
    """Is this word already part of a chosen phrase used by the same groups?"""
    return any(word in term.split() and use.groups == groups for term, use, _ in chosen)


def _theme(use: _Use, score: float, hub_of: dict[int, int]) -> dict:
    group_ids = sorted(use.groups)
    # The way most groups wrote it; ties go to the first alphabetically.
    written = min(use.written.items(), key=lambda item: (-item[1], item[0]))[0]
    return {
        "term": written,
        "score": round(score, 3),
        "groups": len(group_ids),
        "hubs": len({hub_of.get(group, group) for group in group_ids}),
        "group_ids": group_ids,
        "quotes": [
            {"group_id": group, "text": use.quotes[group]} for group in group_ids[:QUOTES_PER_THEME]
        ],
    }
