"""Themes that recur across groups' evidence: a small, explainable TF-IDF.

For each outcome area, every group's evidence is one document. A *term* is a word or a two-word
phrase (two neighbouring words, neither a stop word), lower-cased, with stop words and words
under three letters removed. A term scores

    (share of the area's groups that mention it) * (1 + ln((1 + areas) / (1 + areas using it)))

so a term many groups use in this area, and few other areas use, comes first. A theme must be
mentioned by at least two groups (one, where the area has only one group's evidence). Where a
two-word phrase is kept, its words are not listed again for the same groups. The groups that
mention each theme are kept with it, so a reader can go back to the evidence.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict

METHOD = (
    "Words and two-word phrases in each outcome area's evidence, with common words removed, "
    "scored by the share of the area's groups that use them, weighted up when few other "
    "outcome areas use them (a TF-IDF score). A theme is used by at least two groups."
)
THEMES_PER_AREA = 8
MIN_LENGTH = 3
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
    well way ways within will shall still seen see saw two three four new year years term
    group groups session sessions work worked working show shows showed evidence collected
    """.split()  # noqa: SIM905 - a word list reads best as text
)
WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def terms(text: str) -> set[str]:
    """The distinct words and two-word phrases of ``text`` that can be themes."""
    words = WORD.findall(text.lower().replace("\N{RIGHT SINGLE QUOTATION MARK}", "'"))
    keep = [len(word) >= MIN_LENGTH and word not in STOP_WORDS for word in words]
    found = {word for word, ok in zip(words, keep, strict=True) if ok}
    found |= {
        f"{words[i]} {words[i + 1]}" for i in range(len(words) - 1) if keep[i] and keep[i + 1]
    }
    return found


def distinctive_terms(
    documents: dict[str, list[tuple[str, str]]], *, limit: int = THEMES_PER_AREA
) -> dict[str, list[dict]]:
    """For each area code, its recurring themes: ``{"term", "score", "groups"}``, best first.

    ``documents`` maps an area code to ``(group name, evidence text)`` pairs.
    """
    mentions: dict[str, dict[str, set[str]]] = {}
    for area, docs in documents.items():
        mentions[area] = defaultdict(set)
        for group, text in docs:
            for term in terms(text):
                mentions[area][term].add(group)
    areas_using: dict[str, int] = defaultdict(int)
    for by_term in mentions.values():
        for term in by_term:
            areas_using[term] += 1
    return {area: _best(mentions[area], areas_using, len(documents), limit) for area in documents}


def _best(by_term: dict[str, set[str]], areas_using, area_count: int, limit: int) -> list[dict]:
    group_count = len(set().union(*by_term.values())) if by_term else 0
    needed = 2 if group_count >= 2 else 1
    scored = []
    for term, groups in by_term.items():
        if len(groups) < needed:
            continue
        idf = 1 + math.log((1 + area_count) / (1 + areas_using[term]))
        scored.append((len(groups) / group_count * idf, term, groups))
    scored.sort(key=lambda item: (-item[0], -len(item[2]), -item[1].count(" "), item[1]))
    chosen: list[dict] = []
    for score, term, groups in scored:
        if " " not in term and _covered(term, groups, chosen):
            continue
        chosen.append({"term": term, "score": round(score, 3), "groups": sorted(groups)})
        if len(chosen) == limit:
            break
    return chosen


def _covered(word: str, groups: set[str], chosen: list[dict]) -> bool:
    """Is this word already part of a chosen phrase used by the same groups?"""
    return any(
        word in item["term"].split() and set(item["groups"]) == groups
        for item in chosen
        if " " in item["term"]
    )
