"""The keyboard benchmark's typo injector (bench/keyboard.py) and its text helpers."""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import keyboard
import keyboard_data

TEXTS = ["What is the weather like in Paris tomorrow?", "Set a timer for ten minutes", "ok"]


def test_the_same_seed_injects_the_same_typos() -> None:
    first = keyboard.with_typos(TEXTS * 20, random.Random(3), rate=0.5)
    again = keyboard.with_typos(TEXTS * 20, random.Random(3), rate=0.5)

    assert first == again
    assert first != keyboard.with_typos(TEXTS * 20, random.Random(4), rate=0.5)


def test_a_typo_is_one_slip_of_the_kind_it_names() -> None:
    rng = random.Random(1)
    for _ in range(500):
        word = rng.choice(["weather", "tomorrow", "timer", "Paris", "minutes", "aab"])
        wrong, kind = keyboard.typo(word, rng)

        assert wrong != word
        if kind == "adjacent key":
            [(typed, meant)] = [(a, b) for a, b in zip(wrong, word, strict=True) if a != b]
            assert typed.lower() in keyboard.NEIGHBOURS[meant.lower()]
        elif kind == "dropped letter":
            assert len(wrong) == len(word) - 1
        elif kind == "doubled letter":
            assert len(wrong) == len(word) + 1
        else:
            assert sorted(wrong) == sorted(word)


def test_qwerty_neighbours_are_mutual() -> None:
    around = keyboard.NEIGHBOURS

    assert set(around["g"]) == set("fhtyvb")
    assert all(key in around[near] for key, nears in around.items() for near in nears)


def test_only_plain_words_of_three_letters_or_more_get_typos() -> None:
    typed = keyboard.with_typos(["I'm at the 20th café, ok"], random.Random(0), rate=1.0)

    assert [t.meant for t in typed] == ["I'm", "at", "the", "café", "ok"]
    assert [t.meant for t in typed if t.kind] == ["the"]


def test_lower_cased_utterances_are_put_in_sentence_case() -> None:
    assert keyboard_data.sentence_case("i think i'm lost in paris") == "I think I'm lost in paris"
