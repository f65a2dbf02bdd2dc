"""Words a keyboard does not offer on its own: swearing and slurs. They are still typed,
learnt and never "corrected"; once a user has typed one, it is theirs to be suggested."""

from __future__ import annotations

STEMS = (
    "fuck", "motherfuck", "shit", "bullshit", "cunt", "cock", "dick", "pussy", "bitch",
    "bastard", "asshole", "arsehole", "wank", "twat", "slut", "whore", "nigg", "fag",
    "retard", "kike", "chink", "tranny", "dyke", "jizz", "cum", "blowjob", "handjob",
    "dildo", "piss", "crap", "damn", "bollock", "prick", "tits", "titty", "boob", "porn",
)  # fmt: skip
"""A word starting with one of these is left out, unless it is one of EXCEPT."""
WORDS = frozenset({"ass", "asses", "arse", "tit", "hoe", "hoes", "rape", "raped", "spic", "spics"})
"""Whole words left out (their stems start innocent words: "assume", "title")."""
EXCEPT = (
    "cocktail", "cockpit", "cockroach", "cockatoo", "cockney", "cockburn", "cocker", "cumul",
    "cumb", "cumin", "cummings", "cummins", "dicken", "dickins", "dickson", "dickerson",
    "dickey", "dickie", "spice", "spicy", "spicer", "prickl", "pricked", "retardant",
    "retardation", "fagan", "fagin", "pussycat", "pussyfoot", "crappie", "crapshoot",
    "damnation", "pissarro", "cockle", "cockiness", "cocksure", "cockrell", "cockfight",
    "niggl", "booboo", "dickon", "dickman", "cumnock",
)  # fmt: skip
"""Innocent words and names that start like one of STEMS."""


def offensive(word: str) -> bool:
    """Whether `word` (a model key: lowercase) is left out of suggestions."""
    if word in WORDS:
        return True
    return word.startswith(STEMS) and not word.startswith(EXCEPT)
