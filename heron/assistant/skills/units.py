"""Unit conversion with pint: length, mass, volume, temperature, speed, data and time."""

from __future__ import annotations

from typing import Any

from heron.assistant.skill import Context, Request, Response, Skill
from heron.language.intents import Intent, SlotSpec
from heron.language.slots import unit_registry

_QUANTITY = SlotSpec("quantity", "quantity", required=True, prompt="How much of what?")
_UNIT = SlotSpec("unit", "unit", required=True, prompt="Into which unit?")


def convert(value: float, source: str, target: str) -> float:
    """`value` in `source` units expressed in `target` units; ValueError if they don't match."""
    import pint

    registry = unit_registry()
    try:
        return float(registry.Quantity(value, source).to(target).magnitude)
    except pint.DimensionalityError as error:
        raise ValueError(
            f"{_say_unit(source, 2)} can't be converted to {_say_unit(target, 2)}"
        ) from error


def _say_unit(unit: str, value: float) -> str:
    registry = unit_registry()
    names = {"degC": "degrees Celsius", "degF": "degrees Fahrenheit", "kelvin": "kelvin"}
    if unit in names:
        return names[unit]
    text = unit.replace("_", " ").replace(" / ", " per ")
    if value != 1 and not text.endswith(("s", "Celsius", "Fahrenheit")):
        head, sep, tail = text.partition(" per ")
        text = (head + ("es" if head.endswith("inch") else "s")) + (sep + tail if sep else "")
        text = text.replace("foots", "feet").replace("footes", "feet")
    del registry
    return text


def say_amount(value: float) -> str:
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1e9 or magnitude < 1e-4:
        return f"{value:.4g}"
    if magnitude >= 100:
        text = f"{value:,.1f}"
    elif magnitude >= 1:
        text = f"{value:,.3f}"
    else:
        text = f"{value:.4g}"
    return text.rstrip("0").rstrip(".") if "." in text and "e" not in text else text


async def handle(request: Request, context: Context) -> Response:
    quantity: dict[str, Any] = request.slots["quantity"]
    target = str(request.slots["unit"])
    value = float(quantity["value"])
    try:
        converted = convert(value, quantity["unit"], target)
    except ValueError as error:
        return Response(f"Sorry, {error}.")
    source_said = f"{say_amount(value)} {_say_unit(quantity['unit'], value)}"
    target_said = f"{say_amount(converted)} {_say_unit(target, converted)}"
    return Response(
        f"{source_said} is {target_said}.",
        data={
            "value": value,
            "unit": quantity["unit"],
            "converted": converted,
            "to": target,
        },
    )


skill = Skill(
    name="units",
    description="Unit conversion: length, weight, volume, temperature, speed, data and time.",
    examples=("convert 5 miles to kilometers", "how many grams in a pound?"),
    intents=(
        Intent(
            "units.convert",
            templates=(
                "(convert|change|turn) {quantity} (to|into|in) {unit}",
                "(what is|how much is|how many is) {quantity} (in|to|into|as) {unit}",
                "how (many|much) {unit} (is|are|make|in|is there in|are there in|are in|make up) "
                "{quantity}",
                "how (many|much) {unit} (is|are) (in|there in) {quantity}",
                "{quantity} (to|in|into) {unit}",
            ),
            slots=(_QUANTITY, _UNIT),
            examples=(
                "unit conversion",
                "convert units for me",
                "how many ounces are in a cup",
                "how many feet in a mile",
                "what is the metric equivalent",
                "how many centimeters in an inch",
                "how many grams make a kilogram",
            ),
        ),
    ),
    handle=handle,
)
