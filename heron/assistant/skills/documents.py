"""Documents: answers from the user's own files — "search my documents for the warranty",
"what does my lease say about pets?" — the best passage, named by its document, said briefly.

The search itself is the engine's (`Heron.search`, per user); this skill picks the passage to
say, judges whether it is an answer at all, and keeps the reply short enough to be spoken.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from heron.assistant.skill import Context, Request, Response, Skill
from heron.errors import NotFound
from heron.language.intents import Intent, SlotSpec
from heron.search.index import query_terms

if TYPE_CHECKING:
    from heron.engine import Heron

EXTRACT_WORDS = 25
"""Words of the best passage said in a reply: a sentence or two, short enough to speak."""
HITS = 5
"""Passages a reply's data carries (the first is the one said)."""
CANDIDATES = 20
"""Passages looked through for one in the document the user named."""
MIN_SIMILARITY = 0.3
"""A passage sharing no word with the question is an answer only if at least this close in
meaning (cosine of MiniLM embeddings). On the documents of tests/assistant/skills/
test_documents.py, unrelated topics (car insurance, parking, holiday plans) score 0.03–0.18
against their nearest passage and paraphrases ("the guarantee" for a warranty, "a broken
heater" for repairs to the heating) 0.35–0.40."""
NO_DOCUMENTS = "You haven't added any documents yet; add some with `heron docs add`."
GENERIC = frozenset("document documents doc docs file files note notes paper papers".split())
"""Words that name no particular document ("what do my notes say about …")."""
_WHERE = "(documents|document|docs|notes|files|papers)"
_MARK = re.compile(r"\*\*")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")

INTENTS = (
    Intent(
        "documents.search",
        templates=(
            f"search [in|through] my {_WHERE} [for {{query}}]",
            f"search for {{query}} in my {_WHERE}",
            f"(find|look up|look for) {{query}} in my {_WHERE}",
            f"what do my {_WHERE} say about {{query}}",
            f"(is|are) there anything about {{query}} in my {_WHERE}",
        ),
        slots=(SlotSpec("query", "text", required=True, prompt="What should I look for?"),),
        examples=("search my documents", "look something up in my files"),
    ),
    Intent(
        "documents.ask",
        templates=(
            "what (does|do) (my|the) {document} say about {topic}",
            "what (is|does it say) in (my|the) {document} about {topic}",
            "(does|do) (my|the) {document} say anything about {topic}",
        ),
        slots=(
            SlotSpec("document", "text", required=True, prompt="Which document?"),
            SlotSpec("topic", "text", required=True, prompt="About what?"),
        ),
        examples=("what does my contract say", "check my lease for something"),
    ),
)


async def handle(request: Request, context: Context) -> Response:
    if not await context.data.documents.all():
        return Response(NO_DOCUMENTS, {"hits": []})
    heron: Heron = context.services
    user = await context.data.profile.get()
    if request.intent == "documents.search":
        query = str(request.slots["query"])
        hits = await heron.search(user, query, k=HITS)
        best = hits[0] if hits and _answers(hits[0]) else None
        return _reply(best, hits, query)
    if request.intent == "documents.ask":
        document, topic = str(request.slots["document"]), str(request.slots["topic"])
        hits = await heron.search(user, f"{document} {topic}", k=CANDIDATES)
        # Whether a passage answers is judged against the topic alone: every passage of
        # "my lease" shares the word "lease" with "lease pets".
        on_topic = {h["passage_id"]: h for h in await heron.search(user, topic, k=100)}
        seen = {h["passage_id"] for h in hits}
        named = _naming(
            [*hits, *(h for h in on_topic.values() if h["passage_id"] not in seen)], document
        )
        best = next((h for h in named if _answers(on_topic.get(h["passage_id"]))), None)
        if best is not None:  # said from the snippet around the topic's words
            best = on_topic[best["passage_id"]]
        return _reply(best, named[:HITS], topic)
    raise NotFound(f"documents has no intent {request.intent}")


def _answers(hit: dict[str, Any] | None) -> bool:
    """Whether a hit answers its query: it holds one of the query's words (BM25 found it),
    or it is close enough in meaning."""
    if hit is None:
        return False
    return hit["bm25_rank"] is not None or (hit["similarity"] or 0.0) >= MIN_SIMILARITY


def _naming(hits: list[dict[str, Any]], document: str) -> list[dict[str, Any]]:
    """The hits, those in a document whose title or file name has the user's words for it
    ("lease" → "Apartment lease", lease.md) first; each group in search order."""
    wanted = {_stem(w) for w in query_terms(document) if w not in GENERIC}
    if not wanted:
        return hits

    def named(hit: dict[str, Any]) -> bool:
        found = hit["document"]
        words = {_stem(w) for w in query_terms(f"{found['title']} {found['name']}")}
        return bool(wanted & words)

    return sorted(hits, key=lambda hit: not named(hit))


def _stem(word: str) -> str:
    """Near enough for matching names: "leases" and "lease", "notes" and "note"."""
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def extract(snippet: str, title: str = "", words: int = EXTRACT_WORDS) -> str:
    """A snippet as said aloud: from the start of the sentence holding its first **marked**
    word when the snippet has it (else from its start, "…" showing the cut), without a repeat
    of the document's `title` ("In Fridge manual: Fridge manual The…"), at most `words` words,
    ending in "…" when cut."""
    text = snippet.strip()
    cut_before, cut_after = text.startswith("… "), text.endswith(" …")
    tokens = text.removeprefix("… ").removesuffix(" …").split()
    first_mark = next((i for i, t in enumerate(tokens) if "**" in t), 0)
    sentence = next(
        (i for i in range(first_mark, 0, -1) if _SENTENCE_END.search(tokens[i - 1])), None
    )
    if sentence is not None:
        tokens, cut_before = tokens[sentence:], False
    said = _MARK.sub("", " ".join(tokens)).split()
    heading = title.split()
    if not cut_before and heading and len(said) > len(heading) and said[: len(heading)] == heading:
        said = said[len(heading) :]
    if len(said) > words:
        said, cut_after = said[:words], True
    joined = ("…" if cut_before else "") + " ".join(said)
    return joined.rstrip(".,;:!?") + "…" if cut_after else joined


def _reply(best: dict[str, Any] | None, hits: list[dict[str, Any]], about: str) -> Response:
    if best is None:
        return Response(
            f"I couldn't find anything about {about} in your documents.", {"hits": hits}
        )
    document = best["document"]
    title = document["title"] or document["name"]
    return Response(
        f"In {title}: {extract(best['snippet'], title)}",
        {"document_id": best["document_id"], "passage_id": best["passage_id"], "hits": hits},
    )


skill = Skill(
    name="documents",
    description="Searches the documents you added (with `heron docs add`) and reads you the "
    "passage that answers.",
    examples=(
        "search my documents for the warranty",
        "what does my lease say about pets?",
        "find the boiler's model number in my notes",
    ),
    intents=INTENTS,
    handle=handle,
)
