"""The words users type for the words the transform catalogue uses.

WhiskerToolbox users call lines whiskers and contacts touches; the catalogue names
``CalculateLineAngle`` and ``ZScoreNormalizeV2``. :func:`alternatives` widens each word of
a Transforms-dock search to its group here; the search (:mod:`.catalogue`) matches any of
them.
"""

from __future__ import annotations

__all__ = ["SYNONYMS", "alternatives"]

SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("line", "whisker"),
    ("contact", "touch"),
    ("zscore", "z-score", "standardize", "standardise"),
    ("normalize", "normalise"),
    ("centroid", "center", "centre"),
    ("point", "keypoint"),
    ("skeletonize", "skeletonise"),
)
"""Groups of words meaning the same to a search, lower case, each word in one group."""

_MAX_ENDING = 4
"""Most letters a typed word may add to a group's word and still stand for it
("whiskers" for "whisker")."""


def alternatives(word: str) -> set[str]:
    """Return ``word`` and the words of every synonym group it names.

    Parameters
    ----------
    word : str
        One lower-case word of the search; a word of a group with an ending of up to four
        letters ("whiskers") names that group too.

    Returns
    -------
    set of str
        ``word`` itself and, for each group it names, that group's words
        (``"touch"`` → ``{"touch", "contact"}``).
    """
    found = {word}
    for group in SYNONYMS:
        if any(word.startswith(w) and len(word) - len(w) <= _MAX_ENDING for w in group):
            found.update(group)
    return found
