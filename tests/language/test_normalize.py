"""Tests for heron/language/normalize.py: tokens, filler, contractions, originals, offsets."""

from __future__ import annotations

from heron.language.normalize import fold, normalize, strip_filler, tokenize


def test_tokens_are_lower_case_without_punctuation() -> None:
    assert normalize("Set a Timer!").tokens == ("set", "a", "timer")


def test_polite_filler_is_stripped_from_both_ends() -> None:
    utterance = normalize("Hey Heron, could you please set a timer for me?")

    assert utterance.tokens == ("set", "a", "timer")


def test_several_leading_fillers_are_stripped_in_turn() -> None:
    assert normalize("ok so um set a timer thank you").normalized == "set a timer"


def test_filler_alone_is_kept_rather_than_emptied() -> None:
    assert normalize("thanks").tokens == ("thanks",)


def test_strip_filler_works_on_plain_token_lists() -> None:
    assert strip_filler(["please", "what", "time", "is", "it", "now"]) == [
        "what",
        "time",
        "is",
        "it",
    ]


def test_contractions_are_expanded() -> None:
    assert normalize("What's the time? I can't tell").tokens == (
        "what",
        "is",
        "the",
        "time",
        "i",
        "can",
        "not",
        "tell",
    )


def test_curly_apostrophes_count_as_straight_ones() -> None:
    assert normalize("what\u2019s up").tokens == ("what", "is", "up")


def test_possessive_keeps_its_word() -> None:
    assert normalize("call Mom's office").tokens == ("call", "mom", "office")


def test_accents_are_folded_in_tokens_but_kept_in_originals() -> None:
    utterance = normalize("What's the time in São Paulo?")

    assert utterance.tokens[-2:] == ("sao", "paulo")
    assert utterance.originals[-2:] == ("São", "Paulo")


def test_numbers_times_and_sum_signs_stay_whole_tokens() -> None:
    assert tokenize("at 9:30am add 2.5 + 3 and 15%") == [
        "at",
        "9:30am",
        "add",
        "2.5",
        "+",
        "3",
        "and",
        "15",
        "%",
    ]


def test_dotted_pm_glued_to_digits_becomes_pm() -> None:
    assert tokenize("5p.m.") == ["5pm"]


def test_original_returns_the_words_as_typed_with_punctuation_between() -> None:
    utterance = normalize("Remind me to call Mom, then Dad!")

    assert utterance.original(3, 7) == "call Mom, then Dad"


def test_original_of_an_empty_range_is_empty() -> None:
    assert normalize("set a timer").original(2, 2) == ""


def test_offsets_point_at_each_word_in_the_text() -> None:
    text = "Hey Heron, could you please set a timer for me?"
    utterance = normalize(text)

    assert [text[start:end] for start, end in utterance.offsets] == ["set", "a", "timer"]


def test_contraction_expansions_share_their_words_offsets() -> None:
    utterance = normalize("What's up")

    assert utterance.offsets[0] == utterance.offsets[1] == (0, 6)
    assert utterance.originals[:2] == ("what", "is")


def test_fold_lowers_case_and_strips_accents() -> None:
    assert fold("Crème BRÛLÉE") == "creme brulee"


def test_a_degree_sign_is_read_as_its_unit() -> None:
    assert normalize("what is 20°C in °F").tokens == (
        "what", "is", "20", "celsius", "in", "fahrenheit",
    )  # fmt: skip
