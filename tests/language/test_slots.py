"""Tests for heron/language/slots.py: the typed slot parsers and their registry."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from heron.errors import BadInput
from heron.language.normalize import normalize
from heron.language.slots import (
    SLOT_TYPES,
    ParseContext,
    SlotType,
    Span,
    register_slot_type,
    slot_type,
)

NOW = datetime(2026, 11, 24, 18, 30, tzinfo=ZoneInfo("Europe/Paris"))


def parse(kind: str, text: str) -> Any:
    """What slot type `kind` makes of `text`, read the way the matcher hands it a span."""
    utterance = normalize(text)
    span = Span(utterance.tokens, utterance.original(0, len(utterance.tokens)))
    return slot_type(kind).parse(span, ParseContext(NOW))


# --- items -----------------------------------------------------------------------------


def test_items_are_split_on_commas_and_and() -> None:
    assert parse("items", "Oat milk, bananas and eggs") == ["Oat milk", "bananas", "eggs"]


def test_items_keep_the_users_case() -> None:
    assert parse("items", "the iPhone charger plus AA batteries") == [
        "iPhone charger",
        "AA batteries",
    ]


def test_items_drop_punctuation_around_them() -> None:
    assert parse("items", 'milk, "eggs", and bread.') == ["milk", "eggs", "bread"]


def test_items_drop_a_leading_article_or_some() -> None:
    assert parse("items", "some apples & a loaf of bread") == ["apples", "loaf of bread"]


def test_items_keep_accents() -> None:
    assert parse("items", "Café au lait") == ["Café au lait"]


def test_items_cannot_start_with_and() -> None:
    assert parse("items", "and milk") is None


# --- numbers, durations, times and dates -----------------------------------------------


@pytest.mark.parametrize(("text", "value"), [("twelve", 12), ("2.5", 2.5), ("a couple of", 2)])
def test_number_slot_gives_json_numbers(text: str, value: float) -> None:
    assert parse("number", text) == value


def test_duration_slot_gives_seconds() -> None:
    assert parse("duration", "an hour and a half") == 5400


def test_datetime_slot_gives_an_iso_time_in_the_users_zone() -> None:
    assert parse("datetime", "tomorrow at 9am") == {
        "at": "2026-11-25T09:00:00+01:00",
        "recurrence": None,
    }


def test_datetime_slot_carries_the_recurrence_rule() -> None:
    value = parse("datetime", "every monday at 8")

    assert value["at"] == "2026-11-30T08:00:00+01:00"
    assert value["recurrence"] == "FREQ=WEEKLY;BYDAY=MO;BYHOUR=8;BYMINUTE=0;BYSECOND=0"


@pytest.mark.parametrize(
    ("text", "iso"),
    [("july 4 1976", "1976-07-04"), ("tomorrow", "2026-11-25"), ("friday", "2026-11-27")],
)
def test_date_slot_gives_an_iso_date(text: str, iso: str) -> None:
    assert parse("date", text) == iso


def test_text_slot_keeps_case_and_trims_punctuation() -> None:
    assert parse("text", "call Mom!") == "call Mom"


# --- names and lists -------------------------------------------------------------------


def test_name_slot_accepts_a_plain_word() -> None:
    assert parse("name", "pasta") == "pasta"


@pytest.mark.parametrize("text", ["5", "ten minutes", "my", "the"])
def test_name_slot_refuses_numbers_durations_and_small_words(text: str) -> None:
    assert parse("name", text) is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("to do", "todo"),
        ("todos", "todo"),
        ("tasks", "todo"),
        ("groceries", "shopping"),
        ("grocery", "shopping"),
    ],
)
def test_list_aliases_name_the_usual_list(text: str, name: str) -> None:
    assert parse("list_name", text) == name


def test_any_other_word_names_its_own_list() -> None:
    assert parse("list_name", "packing") == "packing"


# --- units and quantities --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("km", "kilometer"),
        ("feet", "foot"),
        ("celsius", "degC"),
        ("degrees fahrenheit", "degF"),
        ("kilometers per hour", "kilometer / hour"),
    ],
)
def test_unit_words_name_pint_units(text: str, unit: str) -> None:
    assert parse("unit", text) == unit


def test_a_word_that_is_no_unit_gives_none() -> None:
    assert parse("unit", "banana") is None


@pytest.mark.parametrize(
    ("text", "quantity"),
    [
        ("5 miles", {"value": 5, "unit": "mile"}),
        ("5km", {"value": 5, "unit": "kilometer"}),
        ("2.5l", {"value": 2.5, "unit": "liter"}),
        ("a pound", {"value": 1, "unit": "pound"}),
        ("two and a half cups", {"value": 2.5, "unit": "cup"}),
        ("100 degrees fahrenheit", {"value": 100, "unit": "degF"}),
    ],
)
def test_quantities_are_an_amount_and_a_unit(text: str, quantity: dict[str, Any]) -> None:
    assert parse("quantity", text) == quantity


@pytest.mark.parametrize("text", ["5", "banana", "five bananas"])
def test_a_quantity_needs_both_amount_and_unit(text: str) -> None:
    assert parse("quantity", text) is None


# --- cities ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["Sao Paulo", "São Paulo", "sao paulo"])
def test_sao_paulo_is_found_with_or_without_its_accent(text: str) -> None:
    assert parse("city", text) == {
        "name": "São Paulo",
        "country": "Brazil",
        "country_code": "BR",
        "timezone": "America/Sao_Paulo",
    }


def test_a_city_has_its_time_zone() -> None:
    assert parse("city", "tokyo")["timezone"] == "Asia/Tokyo"


def test_the_most_populous_city_of_a_name_wins() -> None:
    assert parse("city", "new york")["name"] == "New York City"


@pytest.mark.parametrize(("country", "capital"), [("Japan", "Tokyo"), ("France", "Paris")])
def test_a_country_name_means_its_capital(country: str, capital: str) -> None:
    assert parse("city", country)["name"] == capital


@pytest.mark.parametrize(
    ("country", "code", "timezone"),
    [("Brazil", "BR", "America/Sao_Paulo"), ("Iceland", "IS", "Atlantic/Reykjavik")],
)
def test_a_country_whose_capital_is_spelt_with_accents_means_its_capital(
    country: str, code: str, timezone: str
) -> None:
    found = parse("city", country)

    assert found is not None
    assert (found["country_code"], found["timezone"]) == (code, timezone)


@pytest.mark.parametrize(("country", "code"), [("India", "IN"), ("Egypt", "EG"), ("Ireland", "IE")])
def test_a_country_name_beats_a_foreign_towns_alternate_name(country: str, code: str) -> None:
    assert parse("city", country)["country_code"] == code


@pytest.mark.parametrize("word", ["and", "for"])
def test_common_words_are_not_city_names(word: str) -> None:
    assert parse("city", word) is None


def test_an_unknown_place_gives_none() -> None:
    assert parse("city", "nowhereville") is None


# --- the registry ----------------------------------------------------------------------


def test_an_unknown_slot_type_is_bad_input_naming_it() -> None:
    with pytest.raises(BadInput, match="'colour'"):
        slot_type("colour")


def test_registering_a_different_parser_under_a_taken_name_is_refused() -> None:
    impostor = SlotType("duration", lambda span, context: None, ("x",))

    with pytest.raises(BadInput, match="registered twice"):
        register_slot_type(impostor)
    assert SLOT_TYPES["duration"] is not impostor
