"""Tests for heron/assistant/skills/lists.py: adding several items at once, duplicates,
removing, reading, clearing and named lists — through the real engine and store.
"""

from __future__ import annotations

from typing import Any

from heron import Heron
from heron.store.models import User


async def ask(engine: Heron, user: User, text: str) -> str:
    return (await engine.ask(user, text)).reply


async def items(engine: Heron, user: User, name: str) -> list[str]:
    found: list[dict[str, Any]] = [lst for lst in await engine.lists(user) if lst["name"] == name]
    return [item["text"] for item in found[0]["items"]] if found else []


async def test_several_items_are_added_from_one_sentence(engine: Heron, user: User) -> None:
    reply = await ask(engine, user, "add Oat milk, bananas and eggs to my shopping list")

    assert reply == "Added Oat milk, bananas and eggs to your shopping list."
    assert await items(engine, user, "shopping") == ["Oat milk", "bananas", "eggs"]


async def test_an_item_already_on_the_list_is_not_added_twice(engine: Heron, user: User) -> None:
    await ask(engine, user, "add milk and bananas to my shopping list")

    reply = await ask(engine, user, "add Milk and eggs to my shopping list")

    assert "Added eggs" in reply
    assert "Milk is already on it" in reply
    assert await items(engine, user, "shopping") == ["milk", "bananas", "eggs"]


async def test_an_item_is_removed(engine: Heron, user: User) -> None:
    await ask(engine, user, "add milk, bananas and eggs to my shopping list")

    reply = await ask(engine, user, "remove bananas from my shopping list")

    assert reply == "Removed bananas from your shopping list."
    assert await items(engine, user, "shopping") == ["milk", "eggs"]


async def test_removing_an_item_not_on_the_list_says_so(engine: Heron, user: User) -> None:
    await ask(engine, user, "add milk to my shopping list")

    reply = await ask(engine, user, "remove cheese from my shopping list")

    assert "cheese isn't on it" in reply.lower()
    assert await items(engine, user, "shopping") == ["milk"]


async def test_reading_a_list_says_every_item(engine: Heron, user: User) -> None:
    await ask(engine, user, "add Oat milk, bananas and eggs to my shopping list")

    reply = await ask(engine, user, "what's on my shopping list")

    assert reply == "Your shopping list has 3 items: Oat milk, bananas and eggs."


async def test_reading_a_list_that_does_not_exist_says_so(engine: Heron, user: User) -> None:
    assert await ask(engine, user, "what's on my packing list") == (
        "You don't have a packing list."
    )


async def test_clearing_a_list_empties_it(engine: Heron, user: User) -> None:
    await ask(engine, user, "add milk, bananas and eggs to my shopping list")

    reply = await ask(engine, user, "clear my shopping list")

    assert reply == "Cleared your shopping list (3 items removed)."
    assert await items(engine, user, "shopping") == []
    assert await ask(engine, user, "what's on my shopping list") == "Your shopping list is empty."


async def test_a_named_list_is_kept_apart_from_shopping(engine: Heron, user: User) -> None:
    await ask(engine, user, "add milk to my shopping list")

    reply = await ask(engine, user, "add sunscreen and a passport to my packing list")

    assert reply == "Added sunscreen and passport to your packing list."
    assert await items(engine, user, "packing") == ["sunscreen", "passport"]
    assert await items(engine, user, "shopping") == ["milk"]


async def test_to_do_is_an_alias_of_the_todo_list(engine: Heron, user: User) -> None:
    reply = await ask(engine, user, "add call the bank to my to do list")

    assert reply == "Added call the bank to your to-do list."
    assert await items(engine, user, "todo") == ["call the bank"]


async def test_groceries_is_an_alias_of_the_shopping_list(engine: Heron, user: User) -> None:
    await ask(engine, user, "add milk to my shopping list")
    await ask(engine, user, "add bread to my groceries list")

    assert await items(engine, user, "shopping") == ["milk", "bread"]


async def test_listing_lists_names_each_with_its_item_count(engine: Heron, user: User) -> None:
    await ask(engine, user, "add milk and eggs to my shopping list")
    await ask(engine, user, "add sunscreen and a passport to my packing list")

    reply = await ask(engine, user, "what lists do I have")

    assert reply == "You have 2 lists: packing (2 items) and shopping (2 items)."


async def test_a_list_with_one_item_is_counted_as_1_item(engine: Heron, user: User) -> None:
    await ask(engine, user, "add call the bank to my to do list")

    reply = await ask(engine, user, "what lists do I have")

    assert "(1 item)" in reply


async def test_a_list_is_deleted_entirely(engine: Heron, user: User) -> None:
    await ask(engine, user, "add sunscreen to my packing list")

    reply = await ask(engine, user, "delete my packing list")

    assert reply == "Deleted your packing list."
    assert [lst["name"] for lst in await engine.lists(user)] == []
