"""`heron translate` as a user runs it, each command a new process: a text, standard input
line by line (blank lines kept), --json, --html, --languages, and the errors."""

from __future__ import annotations

import json

import pytest

from tests.cli.test_cli import heron
from tests.cli.test_search_cli import words
from tests.e2e.harness import heron_env, run_heron


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    # Finding names with spaCy costs each new process about two seconds to load; these tests
    # are about the command (tests/server and tests/translation translate with names on).
    return heron_env(tmp_path_factory.mktemp("translate") / "data", translation_names="false")


def test_a_text_is_translated_into_the_language_asked(env: dict[str, str]) -> None:
    out = heron("translate", "--to", "es", "--from", "en", "Where is the train station?", env=env)

    assert out == "¿Dónde está la estación de tren?\n"


def test_json_tells_the_detected_language_and_the_route(env: dict[str, str]) -> None:
    out = heron("translate", "-t", "en", "--json", "¿Dónde está la biblioteca?", env=env)

    [line] = out.splitlines()
    found = json.loads(line)
    assert found["from"] == "es" and found["to"] == "en"
    assert found["detected"]["language"] == "es" and found["detected"]["reliable"] is True
    assert "library" in found["text"].lower()
    assert [(hop["from"], hop["to"]) for hop in found["route"]] == [("es", "pt"), ("pt", "en")]


def test_standard_input_is_translated_line_by_line_keeping_blank_lines(
    env: dict[str, str],
) -> None:
    text = "The house is big.\n\nI have two dogs.\n   \nShe reads a book.\n"

    out = heron("translate", "--to", "eo", "--from", "en", env=env, stdin=text)

    assert out == "La domo estas granda.\n\nmi havas du hundojn.\n   \nŜi legas libron.\n"


def test_json_from_standard_input_is_one_object_a_translated_line(env: dict[str, str]) -> None:
    text = "Good morning!\n\nThe house is big.\n"

    out = heron("translate", "--to", "es", "--json", "-", env=env, stdin=text)

    found = [json.loads(line) for line in out.splitlines()]
    assert [(f["line"], f["text"]) for f in found] == [
        (1, "¡Buenos días!"),
        (3, "La casa es grande."),
    ]
    assert found[0]["remembered"] is True
    assert found[1]["detected"]["language"] == "en"
    assert [hop["to"] for hop in found[1]["route"]] == ["pt", "es"]


def test_a_line_whose_language_is_unclear_is_kept_and_said_while_the_rest_is_translated(
    env: dict[str, str],
) -> None:
    done = run_heron(
        "translate", "--to", "eo", env=env, stdin="The house is big.\n2024\nI have two dogs.\n"
    )

    assert done.returncode == 2
    assert done.stdout == "La domo estas granda.\n2024\nmi havas du hundojn.\n"
    said = words(done.stderr)
    assert "line 2: could not tell which language" in said and 'say which with "from"' in said
    assert "Error: 1 line was not translated (line 2); see above" in said
    assert "Traceback" not in done.stderr


def test_html_keeps_its_tags(env: dict[str, str]) -> None:
    out = heron(
        "translate", "--to", "es", "--from", "en", "--html", "<p>The <b>red</b> house</p>", env=env
    )

    assert out == "<p>La <b>casa</b> roja</p>\n"


def test_languages_lists_what_each_language_translates_into(env: dict[str, str]) -> None:
    table = heron("translate", "--languages", env=env)
    one = heron("translate", "--languages", "--from", "en", "--to", "es", env=env)
    listed = json.loads(heron("translate", "--languages", "--from", "en", "--json", env=env))

    assert "directly into" in table and "through pivots into" in table
    english = next(line for line in table.splitlines() if "│ en " in line)
    assert "English" in english and "pt" in english
    assert "en → pt → es" in one and "apertium, marian" in one
    assert {d["from"] for d in listed["directions"]} == {"en"}
    assert {"from": "en", "to": "es", "via": ["pt"], "engines": ["apertium", "marian"]} in listed[
        "directions"
    ]
    assert {"code": "es", "name": "Spanish"} in listed["languages"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--to", "ja", "--from", "en", "hello"), "no engine translates 'ja'; the languages are: "),
        (("hello",), "say which language to translate into, e.g. --to es"),
        (("--to", "es", ""), "text is empty"),
    ],
)
def test_bad_input_is_said_clearly_with_status_2(
    env: dict[str, str], args: tuple[str, ...], says: str
) -> None:
    done = run_heron("translate", *args, env=env)

    assert done.returncode == 2
    assert done.stdout == ""
    assert says in words(done.stderr)
    assert "Traceback" not in done.stderr


def test_a_direction_that_is_not_installed_stops_before_any_line(env: dict[str, str]) -> None:
    done = run_heron(
        "translate", "--to", "ru", "--from", "en", env=env, stdin="one line\nanother line\n"
    )

    assert done.returncode == 2 and done.stdout == ""
    said = words(done.stderr)
    assert said.count("Error:") == 1 and "en cannot be translated into ru; it can into: " in said
    assert "line 1" not in said
