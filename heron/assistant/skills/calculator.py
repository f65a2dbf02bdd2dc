"""Calculator: arithmetic, percentages, powers and roots, from digits or words.

A small recursive-descent parser over tokens with exact fractions where it can; never `eval`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from heron.assistant.skill import Context, Request, Response, Skill
from heron.language.intents import Intent, SlotSpec
from heron.language.numbers import parse_number
from heron.language.slots import ParseContext, SlotType, Span, register_slot_type

MAX_EXPONENT = 1000
MAX_DIGITS = 4000
Number = Fraction | float

# Word operators, longest first, as the symbols the parser reads.
WORD_OPERATORS: list[tuple[tuple[str, ...], tuple[str | Fraction, ...]]] = sorted(
    [
        (("plus",), ("+",)),
        (("add",), ("+",)),
        (("minus",), ("-",)),
        (("less",), ("-",)),
        (("take", "away"), ("-",)),
        (("times",), ("*",)),
        (("x",), ("*",)),
        (("×",), ("*",)),
        (("multiplied", "by"), ("*",)),
        (("divided", "by"), ("/",)),
        (("÷",), ("/",)),
        (("over",), ("/",)),
        (("to", "the", "power", "of"), ("^",)),
        (("to", "the", "power"), ("^",)),
        (("raised", "to", "the", "power", "of"), ("^",)),
        (("raised", "to"), ("^",)),
        (("power",), ("^",)),
        (("squared",), ("^", Fraction(2))),
        (("cubed",), ("^", Fraction(3))),
        (("square", "root", "of"), ("sqrt",)),
        (("square", "root"), ("sqrt",)),
        (("root", "of"), ("sqrt",)),
        (("sqrt",), ("sqrt",)),
        (("cube", "root", "of"), ("cbrt",)),
        (("percent", "of"), ("%", "of")),
        (("per", "cent", "of"), ("%", "of")),
        (("percent",), ("%",)),
        (("mod",), ("mod",)),
        (("modulo",), ("mod",)),
        (("open", "bracket"), ("(",)),
        (("close", "bracket"), (")",)),
    ],
    key=lambda pair: -len(pair[0]),
)
SYMBOLS = {"+", "-", "*", "/", "^", "(", ")", "%", "of", "sqrt", "cbrt", "mod", "="}


class CalcError(ValueError):
    pass


def lex(tokens: tuple[str, ...] | list[str]) -> list[str | Fraction]:
    """Words and symbols → numbers and operator symbols."""
    out: list[str | Fraction] = []
    words = list(tokens)
    i = 0
    while i < len(words):
        for phrase, symbols in WORD_OPERATORS:
            if tuple(words[i : i + len(phrase)]) == phrase:
                out.extend(symbols)
                i += len(phrase)
                break
        else:
            word = words[i]
            if word == "the":  # "the square root of", "2 times the sum": no meaning of its own
                i += 1
                continue
            if word in SYMBOLS:
                out.append(word)
                i += 1
                continue
            # the longest run of words that reads as one number
            for j in range(min(len(words), i + 8), i, -1):
                if j - i > 1 and any(w in SYMBOLS for w in words[i:j]):
                    continue
                value = parse_number(words[i:j]) if words[i] not in ("a", "an") else None
                if value is not None:
                    out.append(value)
                    i = j
                    break
            else:
                raise CalcError(f"I can't calculate with {word!r}")
    return out


@dataclass
class _Parser:
    items: list[str | Fraction]
    pos: int = 0

    def peek(self) -> str | Fraction | None:
        return self.items[self.pos] if self.pos < len(self.items) else None

    def take(self) -> str | Fraction:
        item = self.items[self.pos]
        self.pos += 1
        return item

    def expression(self) -> Number:
        value = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()
            right = self.term()
            value = value + right if op == "+" else value - right
        return value

    def term(self) -> Number:
        value = self.factor()
        while self.peek() in ("*", "/", "mod"):
            op = self.take()
            right = self.factor()
            if op == "*":
                value = value * right
            else:
                if right == 0:
                    raise CalcError("You can't divide by zero.")
                value = value / right if op == "/" else value % right
        return value

    def factor(self) -> Number:
        base = self.unary()
        if self.peek() == "^":
            self.take()
            exponent = self.factor()  # right-associative
            return _power(base, exponent)
        return base

    def unary(self) -> Number:
        if self.peek() == "-":
            self.take()
            return -self.unary()
        if self.peek() == "+":
            self.take()
            return self.unary()
        return self.postfix()

    def postfix(self) -> Number:
        value = self.primary()
        while self.peek() == "%":
            self.take()
            value = value / 100
            if self.peek() == "of":  # "15% of 80"
                self.take()
                value = value * self.unary()
        return value

    def primary(self) -> Number:
        item = self.peek()
        if item is None:
            raise CalcError("The sum ends too early.")
        self.take()
        if isinstance(item, Fraction):
            return item
        if item == "(":
            value = self.expression()
            if self.peek() != ")":
                raise CalcError("A bracket is not closed.")
            self.take()
            return value
        if item in ("sqrt", "cbrt"):
            operand = self.unary()
            if item == "sqrt":
                if operand < 0:
                    raise CalcError("Negative numbers have no real square root.")
                return _exact(math.sqrt(operand))
            return _exact(math.copysign(abs(float(operand)) ** (1 / 3), float(operand)))
        raise CalcError(f"I didn't expect {item!r} there.")


def _exact(value: float) -> Number:
    rounded = round(value)
    return Fraction(rounded) if abs(value - rounded) < 1e-12 else value


def _power(base: Number, exponent: Number) -> Number:
    if abs(float(exponent)) > MAX_EXPONENT:
        raise CalcError("That power is too large for me.")
    if isinstance(exponent, Fraction) and exponent.denominator == 1:
        if isinstance(base, Fraction) and abs(base.numerator) > 1:
            digits = abs(int(exponent)) * math.log10(abs(base.numerator))
            if digits > MAX_DIGITS:
                raise CalcError("That number is too large for me.")
        if base == 0 and exponent < 0:
            raise CalcError("You can't divide by zero.")
        return base ** int(exponent)
    if base < 0:
        raise CalcError("That power has no real answer.")
    try:
        return _exact(float(base) ** float(exponent))
    except OverflowError:
        raise CalcError("That number is too large for me.") from None


def calculate(tokens: tuple[str, ...] | list[str]) -> Number:
    items = lex(tokens)
    if not items:
        raise CalcError("There is nothing to calculate.")
    parser = _Parser(items)
    value = parser.expression()
    if parser.pos != len(items):
        raise CalcError(f"I didn't expect {items[parser.pos]!r} there.")
    return value


def say_number(value: Number) -> str:
    if isinstance(value, Fraction) and value.denominator == 1:
        return f"{int(value):,}"
    number = float(value)
    if not math.isfinite(number):
        return "too large to say"
    if abs(number) >= 1e15 or (0 < abs(number) < 1e-6):
        return f"{number:.6g}"
    text = f"{number:,.6f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _expression(span: Span, _: ParseContext) -> str | None:
    """A sum worth calculating: it must have at least one operator and evaluate cleanly."""
    try:
        items = lex(span.tokens)
    except CalcError:
        return None
    if not any(isinstance(i, str) and i not in ("(", ")") for i in items):
        return None
    try:
        calculate(span.tokens)
    except CalcError as error:
        # A well-formed sum with an impossible answer still belongs to the calculator.
        if "expect" in str(error) or "ends too early" in str(error):
            return None
    except (ZeroDivisionError, OverflowError, ValueError):
        return None
    return " ".join(span.tokens)


register_slot_type(
    SlotType(
        "expression",
        _expression,
        ("2 + 2", "15 percent of 80", "the square root of 144", "7 times 8"),
        40,
        describe="a sum",
    )
)


async def handle(request: Request, context: Context) -> Response:
    expression = str(request.slots["expression"])
    try:
        value = calculate(expression.split())
    except CalcError as error:
        return Response(str(error))
    said = say_number(value)
    try:
        as_float = float(value)
    except OverflowError:
        return Response("That number is too large for me.")
    return Response(
        f"{expression} is {said}.",
        data={"expression": expression, "value": as_float, "text": said},
    )


skill = Skill(
    name="calculator",
    description="Calculator: arithmetic, percentages, powers and roots.",
    examples=("what's 15 percent of 80?", "square root of 144", "7 times 8"),
    intents=(
        Intent(
            "calculator.calculate",
            templates=(
                "(what is|what does|how much is|calculate|compute|evaluate|solve|work out) "
                "{expression} [equal|make|come to]",
                "{expression} [=|equals|is]",
            ),
            slots=(
                SlotSpec(
                    "expression", "expression", required=True, prompt="What should I calculate?"
                ),
            ),
            examples=(
                "do some maths",
                "help me with a sum",
                "solve a math problem",
                "I need to calculate something",
                "can you multiply two numbers",
                "do some arithmetic",
                "what's the answer to this equation",
            ),
        ),
    ),
    handle=handle,
)
