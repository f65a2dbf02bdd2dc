"""How answers say numbers: people and areas to three figures."""

from __future__ import annotations

import pytest

from heron.knowledge.qa import say_area, say_people


@pytest.mark.parametrize(
    ("km2", "said"),
    [
        (582_650.0, "about 583,000 square kilometres"),
        (61.0, "about 61 square kilometres"),
        (2.02, "about 2.02 square kilometres"),
        (0.49, "about 0.49 square kilometres"),  # the Vatican is not "about 0"
    ],
)
def test_areas_are_said_to_three_figures_even_when_tiny(km2: float, said: str) -> None:
    assert say_area(km2) == said


def test_people_are_said_to_three_figures() -> None:
    assert say_people(51_393_010) == "about 51.4 million people"
    assert say_people(1_411_778_724) == "about 1.41 billion people"
