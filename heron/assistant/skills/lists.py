"""Lists: shopping, to-do and any named list; add several items at once, remove, read, clear."""

from __future__ import annotations

from typing import Any

from heron.assistant.phrasing import count, join_words
from heron.assistant.skill import Context, Request, Response, Skill
from heron.errors import NotFound
from heron.language.intents import Intent, SlotSpec
from heron.language.normalize import fold
from heron.store.models import ItemList, ListItem
from heron.store.repositories import Lists

DEFAULT_LIST = "shopping"
_ITEMS = SlotSpec("items", "items", required=True, prompt="What should I add?")
_REMOVE_ITEMS = SlotSpec("items", "items", required=True, prompt="What should I remove?")
_LIST = SlotSpec("list", "list_name")
_THE_LIST = "[my|the|our] [{list}] list"


def as_dict(item_list: ItemList, items: list[ListItem]) -> dict[str, Any]:
    return {
        "id": item_list.id,
        "name": item_list.name,
        "items": [{"id": i.id, "text": i.text} for i in items],
    }


def _title(name: str) -> str:
    return "to-do" if name == "todo" else name


async def add_items(lists: Lists, name: str, texts: list[str]) -> tuple[list[str], list[str]]:
    """Adds what is not on the list yet; returns (added, already there)."""
    item_list = await lists.ensure(name)
    present = {fold(i.text) for i in await lists.items(item_list)}
    added: list[str] = []
    skipped: list[str] = []
    for text in texts:
        key = fold(text)
        if key in present:
            skipped.append(text)
        else:
            present.add(key)
            added.append(text)
    await lists.add(item_list, added)
    return added, skipped


async def remove_items(lists: Lists, name: str, texts: list[str]) -> tuple[list[str], list[str]]:
    """Removes items by name; returns (removed, not found)."""
    item_list = await lists.named(name)
    items = list(await lists.items(item_list))
    removed: list[ListItem] = []
    missing: list[str] = []
    for text in texts:
        key = fold(text)
        match = next((i for i in items if fold(i.text) == key and i not in removed), None)
        if match is None:  # "remove milk" also removes "oat milk" if it is the only one
            partial = [i for i in items if key in fold(i.text) and i not in removed]
            match = partial[0] if len(partial) == 1 else None
        if match is None:
            missing.append(text)
        else:
            removed.append(match)
    await lists.remove_items(removed)
    return [i.text for i in removed], missing


async def handle(request: Request, context: Context) -> Response:
    lists = context.data.lists
    name = request.slots.get("list") or DEFAULT_LIST
    title = _title(name)
    remember = {"list": name}
    if request.intent == "list.add":
        added, skipped = await add_items(lists, name, list(request.slots["items"]))
        parts = []
        if added:
            parts.append(f"Added {join_words(added)} to your {title} list.")
        if skipped:
            verb = "is" if len(skipped) == 1 else "are"
            parts.append(f"{join_words(skipped)} {verb} already on it.")
        return Response(
            " ".join(parts), data={"added": added, "skipped": skipped}, remember=remember
        )
    if request.intent == "list.all":
        found = await lists.all()
        if not found:
            return Response("You have no lists yet. Try 'add milk to my shopping list'.")
        names = []
        for each in found:
            size = len(await lists.items(each))
            names.append(f"{_title(each.name)} ({count(size, 'item')})")
        return Response(f"You have {count(len(names), 'list')}: {join_words(names)}.")
    item_list = await lists.find(name)
    if item_list is None:
        return Response(f"You don't have a {title} list.", remember=remember)
    if request.intent == "list.read":
        items = list(await lists.items(item_list))
        if not items:
            return Response(
                f"Your {title} list is empty.", data=as_dict(item_list, items), remember=remember
            )
        said = join_words([i.text for i in items])
        return Response(
            f"Your {title} list has {count(len(items), 'item')}: {said}.",
            data=as_dict(item_list, items),
            remember=remember,
        )
    if request.intent == "list.remove":
        removed, missing = await remove_items(lists, name, list(request.slots["items"]))
        parts = []
        if removed:
            parts.append(f"Removed {join_words(removed)} from your {title} list.")
        if missing:
            verb = "isn't" if len(missing) == 1 else "aren't"
            parts.append(f"{join_words(missing)} {verb} on it.")
        return Response(
            " ".join(parts), data={"removed": removed, "missing": missing}, remember=remember
        )
    if request.intent == "list.clear":
        cleared = await lists.clear(item_list)
        return Response(f"Cleared your {title} list ({cleared} items removed).", remember=remember)
    if request.intent == "list.delete":
        await lists.delete(item_list)
        return Response(f"Deleted your {title} list.")
    raise NotFound(f"lists has no intent {request.intent}")


skill = Skill(
    name="lists",
    description="Lists: shopping, to-do or any list you name; add, remove, read and clear.",
    examples=("add oat milk and bananas to my shopping list", "what's on my shopping list?"),
    intents=(
        Intent(
            "list.add",
            templates=(
                "(add|put|include|stick) {items} (to|on|onto|in) " + _THE_LIST,
                "(add|put) to " + _THE_LIST + " {items}",
                "add {items}",
                "[i|we] (need to buy|must buy|have to buy|should buy) {items}",
                "[on] " + _THE_LIST + " (add|put) {items}",
                "(add|put) (something|an item|items) (to|on) " + _THE_LIST,
            ),
            slots=(_ITEMS, _LIST),
            examples=(
                "we are out of eggs",
                "note that we need bread",
                "I need to pick up some apples",
                "remember to get butter at the store",
                "put something on my list",
                "we need more coffee",
                "add an item to my list",
                "include cheese in the groceries",
            ),
        ),
        Intent(
            "list.remove",
            templates=(
                "(remove|delete|take|cross|scratch|strike) {items} (from|off) " + _THE_LIST,
                "(remove|delete|take|cross|scratch|strike) {items} off",
                "(remove|delete) {items} from (it|there)",
                "(remove|delete|take|cross) (something|an item) (from|off) " + _THE_LIST,
            ),
            slots=(_REMOVE_ITEMS, _LIST),
            examples=(
                "I bought the milk already",
                "no more eggs on the list",
                "take that off my list",
                "I already got the bread",
                "delete an item from my list",
            ),
        ),
        Intent(
            "list.read",
            templates=(
                "what (is|do i have|have i got|do we have) (on|in) " + _THE_LIST,
                "(read|show|tell|give) [me] " + _THE_LIST,
                "(read|show|tell) [me] what is on " + _THE_LIST,
                "what is [still] on [it|there]",
                _THE_LIST,
                "(check|open) " + _THE_LIST,
            ),
            slots=(_LIST,),
            examples=(
                "what do I need to buy",
                "what's left to do",
                "what do I have to do today",
                "what is on my to do list",
                "tell me what I need to get at the store",
                "recite my shopping list",
                "what groceries do I need",
                "what tasks do I have",
            ),
        ),
        Intent(
            "list.clear",
            templates=(
                "(clear|empty|wipe|reset) " + _THE_LIST,
                "(remove|delete) (everything|all items|all the items) (from|on) " + _THE_LIST,
            ),
            slots=(_LIST,),
            examples=(
                "empty the shopping list",
                "start the list over",
                "wipe everything from my list",
            ),
        ),
        Intent(
            "list.delete",
            templates=("(delete|remove) " + _THE_LIST + " [entirely|completely]",),
            slots=(_LIST,),
        ),
        Intent(
            "list.all",
            templates=(
                "what lists (do i have|have i got|are there)",
                "(show|list|read) [all] [of] my lists",
                "which lists (do i have|have i got)",
            ),
            examples=(
                "my lists",
                "which lists have I made",
                "show me all the lists",
            ),
        ),
    ),
    handle=handle,
)
