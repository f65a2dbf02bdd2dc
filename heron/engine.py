"""Heron: the one object every edge (server, CLI, clients) uses.

It opens the store, loads the skills and the router once, and answers requests.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import numpy.typing as npt
from cachetools import LRUCache

from heron.assistant.custom import Binding, call_webhook, render
from heron.assistant.dialogue import Answer, CustomReply, Dialogue
from heron.assistant.scheduler import Scheduler, event_json
from heron.assistant.skill import Skill, builtin_skills
from heron.assistant.skills import lists as list_skill
from heron.assistant.skills import memory as memory_skill
from heron.assistant.skills import reminders as reminder_skill
from heron.assistant.skills import timers as timer_skill
from heron.config import Settings
from heron.errors import (
    BadDocument,
    BadInput,
    Conflict,
    EngineUnavailable,
    HeronError,
    NotFound,
    TooLarge,
    Unauthorized,
)
from heron.events import EventHub
from heron.knowledge import linking, personal
from heron.knowledge.graph import Progress, WorldGraph
from heron.knowledge.linking import KINDS, EntityIndex
from heron.knowledge.qa import Answerer
from heron.knowledge.sparql import SparqlRunner
from heron.language.analysis import Analysis, EnglishAnalyzer, Entities
from heron.language.apps import ModelCache, check_app_name, describe
from heron.language.embeddings import SentenceEncoder, load_encoder
from heron.language.intents import HANGING_WORDS, Collision, IntentRouter, Recognition
from heron.language.langid import Detection, LanguageIdentifier, default_identifier
from heron.language.nlu import Evaluation, NluModel, Prediction
from heron.language.nlu import Progress as NluProgress
from heron.language.normalize import fold, normalize
from heron.language.similarity import DEFAULT_THRESHOLDS
from heron.language.similarity import factory as similarity_factory
from heron.language.slots import CityIndex, ParseContext, unit_registry
from heron.language.training import TrainingSet, check_text
from heron.pipeline.voice import VoicePipeline
from heron.search.chunk import Passage, passages
from heron.search.extract import Extracted, extract
from heron.search.index import IndexedPassage, LazyEncoder, SearchIndex
from heron.search.index import Mode as SearchMode
from heron.speech import SpeechEngines
from heron.store import Store
from heron.store.models import Document, LanguageApp, User
from heron.store.repositories import UserData
from heron.textinput.base import Correction, Learnt
from heron.textinput.keyboard import Keyboard
from heron.textinput.personal import KEPT, Entry, PersonalModel, entries
from heron.textinput.tokens import MAX_WORD, normal
from heron.translation.apertium import ApertiumEngine
from heron.translation.neural import MarianEngine
from heron.translation.translator import NAME_LABELS, Translation, Translator

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise BadInput(
            f"unknown time zone {name!r}; use an IANA name like 'Europe/Paris'"
        ) from None
    return name


PERSONAL_MODELS = 256
"""Users whose keyboard models are kept in memory (the others are read again when needed)."""
PERSONAL_CHECK_S = 5.0
"""A user's keyboard model held in memory is checked against the store's version this often,
so what another server process learnt or forgot for them shows here within seconds."""


@dataclasses.dataclass
class _Personal:
    model: PersonalModel
    version: int | None
    checked: float


CONTEXT_LIMIT = 2_000
"""The longest keyboard context accepted (only its last words matter)."""


def _check_keyboard(context: str, n: int) -> None:
    if not 1 <= n <= 10:
        raise BadInput(f"n must be 1 to 10 suggestions, not {n}")
    if len(context) > CONTEXT_LIMIT:
        raise TooLarge(
            f"a context of {len(context):,} characters is more than {CONTEXT_LIMIT:,}: "
            "send the end of the text before the word"
        )


class Heron:
    """The assistant engine. `async with Heron(settings) as heron:` starts and stops it."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
        skills: Sequence[Skill] | None = None,
        speech: SpeechEngines | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.clock = clock
        self.hub = EventHub()
        self._skills = list(skills) if skills is not None else None
        self._store: Store | None = None
        self._dialogue: Dialogue | None = None
        self._scheduler: Scheduler | None = None
        self.collisions: list[Collision] = []
        self.world = WorldGraph(self.settings.resolved_knowledge_dir)
        self._answerer: Answerer | None = None
        self._world_lock = asyncio.Lock()
        self._sparql: SparqlRunner | None = None
        self.speech = speech or SpeechEngines(self.settings)
        """Pass `speech` to share loaded models between engines (tests, benchmarks)."""
        self._voice: VoicePipeline | None = None
        # Language service: one model each per process, shared by every engine.
        self.language_identifier: LanguageIdentifier = default_identifier()
        self.english = EnglishAnalyzer(self.language_identifier)
        self._app_models = ModelCache()
        self._training_slot = asyncio.Semaphore(1)
        self._trainings: set[asyncio.Task[None]] = set()
        self._search_index: SearchIndex | None = None
        self._search_lock = asyncio.Lock()
        self._translator: Translator | None = None
        self._keyboard_index: asyncio.Task[Any] | None = None
        self._personal: LRUCache[int, _Personal] = LRUCache(PERSONAL_MODELS)
        self._personal_locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    # --- life cycle -------------------------------------------------------------------

    async def start(self, *, warm: bool = True) -> None:
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self._store = await Store.open(self.settings.resolved_database_url)
        skills = self._skills if self._skills is not None else builtin_skills()
        router = self._router(self.settings.similarity_engine)
        for skill in skills:
            for intent in skill.intents:
                router.add(intent)
        if warm:
            await asyncio.to_thread(self._build_similarity, router)
        self._dialogue = Dialogue(
            router,
            skills,
            changed=self._changed,
            conversation_timeout_s=self.settings.conversation_timeout_s,
            services=self,
            custom=self.custom_reply,
        )
        async with self._store.admin() as admin:
            interrupted = await admin.fail_interrupted_trainings()
        if interrupted:
            log.warning("language app trainings interrupted by a restart count=%d", interrupted)
        self._scheduler = Scheduler(
            self._store, self.hub, self.clock, self.settings.scheduler_max_sleep_s
        )
        if warm:
            # Load the data the slot parsers need now, not during someone's first request.
            await asyncio.to_thread(_warm)
            await self.world_graph()
            if self.settings.warm_language:
                await self.warm_language()

    def _router(self, engine: str) -> IntentRouter:
        threshold = self.settings.similarity_threshold or DEFAULT_THRESHOLDS[engine]
        cache = self.settings.data_dir / "cache"
        return IntentRouter(threshold=threshold, similarity=similarity_factory(engine, cache))

    def _build_similarity(self, router: IntentRouter) -> None:
        try:
            router.build()
        except EngineUnavailable as error:
            # Still useful without the model: fall back to the light engine, and say so.
            log.warning("similarity engine unavailable, using tfidf: %s", error.detail)
            router.similarity = similarity_factory("tfidf")
            router.threshold = self.settings.similarity_threshold or DEFAULT_THRESHOLDS["tfidf"]
            router.build()

    def check_collisions(self) -> list[Collision]:
        self.collisions = self.dialogue.router.collisions()
        for collision in self.collisions:
            log.warning("template collision: %s", collision)
        return self.collisions

    async def close(self) -> None:
        if self._keyboard_index is not None:
            # Its thread finishes on its own; the task is not waited for.
            self._keyboard_index.cancel()
            self._keyboard_index = None
        if self._translator is not None:
            self._translator.close()
            self._translator = None
        if self._search_index is not None:
            self._search_index.close()
            self._search_index = None
        if self._sparql is not None:
            self._sparql.stop()
            self._sparql = None
        if self._store is not None:
            await self._store.close()
            self._store = None

    async def __aenter__(self) -> Heron:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def store(self) -> Store:
        if self._store is None:
            raise HeronError("Heron is not started: use `async with Heron() as heron`")
        return self._store

    @property
    def dialogue(self) -> Dialogue:
        if self._dialogue is None:
            raise HeronError("Heron is not started: use `async with Heron() as heron`")
        return self._dialogue

    @property
    def scheduler(self) -> Scheduler:
        if self._scheduler is None:
            raise HeronError("Heron is not started: use `async with Heron() as heron`")
        return self._scheduler

    @property
    def skills(self) -> list[Skill]:
        return self.dialogue.skills

    def _changed(self) -> None:
        if self._scheduler is not None:
            self._scheduler.poke()

    # --- users and keys ---------------------------------------------------------------

    async def create_user(self, name: str, timezone: str | None = None) -> tuple[User, str]:
        zone = check_timezone(timezone or self.settings.timezone)
        async with self.store.admin() as admin:
            user = await admin.create_user(name, zone)
            key = await admin.issue_key(user)
        return user, key

    async def ensure_first_user(self, name: str = "me") -> tuple[User, str | None]:
        """The first user, created with a key if there is no user yet (key None otherwise)."""
        async with self.store.admin() as admin:
            users = await admin.users()
        if users:
            return users[0], None
        try:
            return await self.create_user(name)
        except Conflict:
            # Another process (a server and a CLI call starting together) made it first.
            async with self.store.admin() as admin:
                return (await admin.users())[0], None

    async def issue_key(self, name: str) -> str:
        async with self.store.admin() as admin:
            return await admin.issue_key(await admin.user(name))

    async def user(self, name: str) -> User:
        async with self.store.admin() as admin:
            return await admin.user(name)

    async def users(self) -> Sequence[User]:
        async with self.store.admin() as admin:
            return await admin.users()

    async def authenticate(self, key: str | None) -> User:
        if not key:
            raise Unauthorized("send an API key as 'Authorization: Bearer KEY'")
        async with self.store.admin() as admin:
            user = await admin.authenticate(key)
        if user is None:
            raise Unauthorized("the API key is not valid")
        return user

    async def set_timezone(self, user: User, timezone: str) -> User:
        async with self.store.user(user.id) as data:
            return await data.profile.set_timezone(check_timezone(timezone))

    # --- knowledge --------------------------------------------------------------------

    async def world_graph(self, progress: Progress | None = None) -> WorldGraph:
        """The world graph, opened; built first (about half a minute) if it is not installed."""
        if self._answerer is None:
            async with self._world_lock:
                if self._answerer is None:
                    if not self.world.current():
                        log.info("building the world knowledge graph in %s", self.world.path)
                        await asyncio.to_thread(self.world.ensure, progress or _log_progress)
                    store = self.world.store
                    index = EntityIndex(store)
                    linking.install(index)
                    self._answerer = Answerer(store, index)
        return self.world

    async def answerer(self) -> Answerer:
        await self.world_graph()
        assert self._answerer is not None
        return self._answerer

    async def entities(
        self, query: str, *, limit: int = 10, kinds: Sequence[str] = KINDS
    ) -> list[dict[str, Any]]:
        """Entity search by name, alias, code or a near spelling."""
        if not query.strip():
            raise BadInput("say what to search for: ?q=Paris")
        unknown = set(kinds) - set(KINDS)
        if unknown:
            raise BadInput(f"unknown kind {sorted(unknown)[0]!r}; kinds are {', '.join(KINDS)}")
        index = (await self.answerer()).index
        matches = await asyncio.to_thread(index.search, query, limit, kinds)
        return [{**m.entity.as_dict(), "score": round(m.score, 1)} for m in matches]

    async def entity(self, entity_id: str) -> dict[str, Any]:
        """Everything the world graph states about one entity, with sources."""
        await self.world_graph()
        return await asyncio.to_thread(self.world.entity, entity_id)

    async def sparql(self, query: str) -> dict[str, Any]:
        """A read-only SPARQL query, stopped after `sparql_timeout_s`, cut at `sparql_max_rows`."""
        await self.world_graph()
        if self._sparql is None:
            self._sparql = SparqlRunner(
                self.world.path,
                timeout_s=self.settings.sparql_timeout_s,
                max_rows=self.settings.sparql_max_rows,
            )
        return await asyncio.to_thread(self._sparql.run, query)

    # --- the assistant ----------------------------------------------------------------

    async def ask(
        self,
        user: User,
        text: str,
        *,
        conversation_id: str | None = None,
        continue_recent: bool = False,
    ) -> Answer:
        if len(text) > self.settings.max_text_chars:
            raise BadInput(f"text is longer than {self.settings.max_text_chars} characters")
        if self._answerer is None or linking.shared_index() is not self._answerer.index:
            # Place names in questions are linked against the graph: open it (built on first use).
            await self.world_graph()
        async with self.store.user(user.id) as data:
            profile = await data.profile.get()
            return await self.dialogue.turn(
                data,
                profile,
                text,
                now=self.clock(),
                conversation_id=conversation_id,
                continue_recent=continue_recent,
            )

    async def understand(self, user: User, text: str) -> Recognition:
        """What `text` asks for (intent and slots) without acting on it or touching any
        conversation: for clients that act themselves (Wyoming's `recognize`)."""
        if len(text) > self.settings.max_text_chars:
            raise BadInput(f"text is longer than {self.settings.max_text_chars} characters")
        if self._answerer is None or linking.shared_index() is not self._answerer.index:
            await self.world_graph()
        local_now = self.clock().astimezone(ZoneInfo(user.timezone))
        return self.dialogue.router.recognize(text, ParseContext(local_now))

    async def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Unit-length sentence vectors from the packaged MiniLM model (384 dimensions)."""
        encoder = await asyncio.to_thread(load_encoder, self.settings.models_dir)
        return await asyncio.to_thread(encoder.encode, list(texts))

    async def conversation(self, user: User, conversation_id: str) -> list[dict[str, Any]]:
        async with self.store.user(user.id) as data:
            turns = await data.conversations.turns(conversation_id)
        return [
            {
                "text": t.text,
                "reply": t.reply,
                "intent": t.intent,
                "stage": t.stage,
                "confidence": t.confidence,
                "slots": t.slots,
                "at": t.created_at.isoformat(),
            }
            for t in turns
        ]

    def request_state(self, text: str) -> str:
        """How finished the words heard so far sound, for the voice pipeline's end-pointing:
        "complete" (a whole command: stop listening), "unfinished" (it ends on a word like
        "for" or "the": wait longer) or "open" (either)."""
        utterance = normalize(text)
        if utterance.tokens and utterance.tokens[-1] in HANGING_WORDS:
            return "unfinished"
        if self.dialogue.router.complete(utterance, ParseContext(self.clock())):
            return "complete"
        return "open"

    # --- voice ------------------------------------------------------------------------

    @property
    def voice(self) -> VoicePipeline:
        if self._voice is None:
            self._voice = VoicePipeline(self, self.speech)
        return self._voice

    async def warm_speech(self) -> None:
        """Loads the default speech engines now, so no request pays for loading them."""
        await asyncio.to_thread(self.speech.warm)

    async def speech_hints(self, user: User) -> tuple[str, ...]:
        """Words this user's requests are likely to hold that a recogniser may not expect:
        their list names and the names of the people they told the assistant about."""
        async with self.store.user(user.id) as data:
            lists = [f"{found.name} list" for found in await data.lists.all()]
            people = [f.value for f in await data.facts.all() if f.relation == "name"]
        return tuple(dict.fromkeys([*lists, *people]))

    # --- language service: language detection, named entities, analysis ---------------

    async def warm_language(self) -> None:
        """Loads the language identification and English analysis models now."""
        await asyncio.to_thread(self.language_identifier.detect, ["warming up"])
        await asyncio.to_thread(self.english.load)

    async def detect_language(self, texts: str | Sequence[str]) -> list[Detection]:
        """The language of each text (one text, or a list of them), in order."""
        if isinstance(texts, str):
            named = [("text", texts)]
        else:
            named = [(f"texts[{i}]", text) for i, text in enumerate(texts)]
            if not named:
                raise BadInput("texts is empty: send at least one text")
            limit = self.settings.max_language_texts
            if len(named) > limit:
                raise TooLarge(f"{len(named)} texts are more than the {limit} allowed at once")
        for name, text in named:
            self._check_language_text(text, name)
        return await asyncio.to_thread(self.language_identifier.detect, [t for _, t in named])

    async def named_entities(self, text: str, *, language: str | None = None) -> Entities:
        """People, places, organisations, dates, amounts… in an English text."""
        self._check_language_text(text, "text")
        return await asyncio.to_thread(self.english.entities, text, language)

    async def analyze(self, text: str, *, language: str | None = None) -> Analysis:
        """Sentences, tokens (lemma, part of speech) and entities of an English text."""
        self._check_language_text(text, "text")
        return await asyncio.to_thread(self.english.analyze, text, language)

    def _check_language_text(self, text: str, name: str) -> None:
        limit = self.settings.max_language_chars
        if len(text) > limit:
            raise TooLarge(f"{name} has {len(text):,} characters; the limit is {limit:,}")
        if not text.strip():
            raise BadInput(f"{name} is empty: there is no text to read")

    # --- document search ----------------------------------------------------------------

    async def _search(self) -> SearchIndex:
        """The search index, made to agree with the store the first time it is opened."""
        async with self._search_lock:
            if self._search_index is None:
                models = self.settings.models_dir
                index = await asyncio.to_thread(
                    SearchIndex,
                    self.settings.data_dir / "search",
                    LazyEncoder(lambda: load_encoder(models)),
                )
                await self._reconcile(index)
                self._search_index = index
            return self._search_index

    async def _reconcile(self, index: SearchIndex) -> None:
        """Drops passages of documents the store does not have (an add that never committed)
        and indexes again, from their stored passages, the documents the index lacks or has
        only in part (the index was lost, or a crash cut an add short)."""
        async with self.store.admin() as admin:
            expected = await admin.document_passages()
        present = await asyncio.to_thread(index.document_passages)
        for stray in present.keys() - expected.keys():
            await asyncio.to_thread(index.remove_document, stray)
        missing = [d for d, count in expected.items() if present.get(d) != count]
        if missing:
            log.warning("search index behind the store: indexing %d documents again", len(missing))
        for document_id in missing:
            async with self.store.admin() as admin:
                document = await admin.document_with_content(document_id)
            if document is not None:
                await asyncio.to_thread(index.remove_document, document_id)
                await asyncio.to_thread(index.add, _indexed(document, document.content))

    async def add_document(
        self,
        user: User,
        name: str,
        data: bytes,
        *,
        collection: str = "",
        content_type: str | None = None,
    ) -> dict[str, Any]:
        """Reads a document's text, splits it into passages and indexes them for the user.
        The same content again is not added twice; a new version of a document of the same
        name replaces the old one."""
        settings = self.settings
        if len(data) > settings.max_document_bytes:
            raise TooLarge(f"{name} is larger than {settings.max_document_bytes} bytes")
        if len(collection) > 64:
            raise BadInput("a collection name has at most 64 characters")
        digest = hashlib.sha256(data).hexdigest()
        async with self.store.user(user.id) as store:
            same = await store.documents.find(content_hash=digest)
            if same is not None:
                return {**document_json(same), "added": False, "duplicate_of": same.id}

        def read() -> tuple[Extracted, list[Passage]]:
            found = extract(
                data,
                name,
                content_type=content_type,
                max_pages=settings.max_document_pages,
                max_seconds=settings.max_document_seconds,
            )
            return found, passages(found)[:PASSAGES_PER_DOCUMENT]

        extracted, parts = await asyncio.to_thread(read)
        if not parts:
            raise BadDocument(f"{name} holds no text to search")
        index = await self._search()
        content = [dataclasses.asdict(part) for part in parts]
        async with self.store.user(user.id) as store:
            previous = await store.documents.find(name=name)
            document = await store.documents.add(
                Document(
                    name=name[:255],
                    title=extracted.title[:500],
                    kind=extracted.kind,
                    language=extracted.language,
                    collection=collection,
                    content_hash=digest,
                    size=len(data),
                    passages=len(content),
                    content=content,
                )
            )
            items = _indexed(document, content)
            # Indexed before the row commits: a failure leaves no document without passages
            # (and passages of a document that never committed are never shown).
            await asyncio.to_thread(index.add, items)
            if previous is not None:
                await store.documents.delete(previous)
            found = document_json(document)
        if previous is not None:
            await asyncio.to_thread(index.remove_document, previous.id)
        return {**found, "added": True, "replaced": previous.id if previous else None}

    async def documents(self, user: User) -> list[dict[str, Any]]:
        async with self.store.user(user.id) as store:
            return [document_json(d) for d in await store.documents.all()]

    async def delete_document(self, user: User, document_id: int) -> None:
        async with self.store.user(user.id) as store:
            document = await store.documents.get(document_id)
            await store.documents.delete(document)
        index = await self._search()
        await asyncio.to_thread(index.remove_document, document_id)

    async def search(
        self,
        user: User,
        query: str,
        *,
        k: int = 10,
        mode: SearchMode = "hybrid",
        collection: str | None = None,
        kind: str | None = None,
    ) -> list[dict[str, Any]]:
        """The user's best passages for `query`, each with its document."""
        if not query.strip():
            raise BadInput("the query is empty")
        if len(query) > self.settings.max_text_chars:
            raise BadInput(f"the query is longer than {self.settings.max_text_chars} characters")
        if not 1 <= k <= 100:
            raise BadInput("k must be from 1 to 100")
        index = await self._search()
        hits = await asyncio.to_thread(
            index.search, user.id, query, k, mode=mode, collection=collection, kind=kind
        )
        async with self.store.user(user.id) as store:
            owned = await store.documents.some(sorted({hit.document_id for hit in hits}))
        return [
            {**hit.to_json(), "document": document_json(owned[hit.document_id])}
            for hit in hits
            if hit.document_id in owned
        ]

    # --- state, for the API and CLI ---------------------------------------------------

    # --- language apps: trainable intents and entities, and custom skills --------------

    def _encoder(self) -> SentenceEncoder | None:
        """The sentence-embedding model, or None (n-grams only) when it is not installed."""
        try:
            return load_encoder(self.settings.models_dir)
        except EngineUnavailable as error:
            log.warning("language apps train without sentence embeddings: %s", error.detail)
            return None

    async def train_app(
        self,
        user: User,
        name: str,
        data: Any,
        *,
        wait: bool = False,
        progress: NluProgress | None = None,
    ) -> dict[str, Any]:
        """Checks the examples (BadInput naming the first bad one) and trains in the background;
        with `wait`, returns once training has ended."""
        check_app_name(name)
        training = TrainingSet.from_json(data)
        async with self.store.user(user.id) as store:
            app = await store.language_apps.start_training(name, training.to_json())
            version, described = app.version, describe(app)
        task = asyncio.create_task(self._train_app(user.id, name, version, training, progress))
        self._trainings.add(task)
        task.add_done_callback(self._trainings.discard)
        if wait:
            await task
            return await self.app(user, name)
        return described

    async def _train_app(
        self,
        user_id: int,
        name: str,
        version: int,
        training: TrainingSet,
        progress: NluProgress | None,
    ) -> None:
        async with self._training_slot:  # one at a time: training takes both cores
            try:
                encoder = await asyncio.to_thread(self._encoder)
                model, report = await asyncio.to_thread(
                    NluModel.train, training, encoder, progress or _log_training(name)
                )
                blob = await asyncio.to_thread(model.dumps)
                async with self.store.user(user_id) as store:
                    await store.language_apps.finish_training(name, version, blob, report.to_json())
                self._app_models.put(user_id, name, version, model)
                log.info(
                    "language app trained user=%s app=%s seconds=%.1f",
                    user_id,
                    name,
                    report.seconds,
                )
            except Exception as error:
                detail = error.detail if isinstance(error, HeronError) else "internal error"
                if not isinstance(error, HeronError):
                    log.exception("language app training failed user=%s app=%s", user_id, name)
                async with self.store.user(user_id) as store:
                    await store.language_apps.fail_training(
                        name, version, f"training failed: {detail}"
                    )

    async def apps(self, user: User) -> list[dict[str, Any]]:
        async with self.store.user(user.id) as store:
            return [describe(app) for app in await store.language_apps.all()]

    async def app(self, user: User, name: str) -> dict[str, Any]:
        async with self.store.user(user.id) as store:
            return describe(await store.language_apps.get(name))

    async def delete_app(self, user: User, name: str) -> None:
        async with self.store.user(user.id) as store:
            await store.language_apps.delete(name)
        self._app_models.drop(user.id, name)

    async def _app_model(self, store: UserData, app: LanguageApp) -> NluModel:
        if app.trained_at is None:
            state = "is still training" if app.status == "training" else "has no trained model"
            raise Conflict(
                f"language app {app.name!r} {state}" + (f" ({app.error})" if app.error else "")
            )
        model = self._app_models.get(store.user_id, app.name, app.version)
        if model is None:
            blob = await store.language_apps.model(app)
            if blob is None:
                raise Conflict(f"language app {app.name!r} has no trained model")
            encoder = await asyncio.to_thread(self._encoder)
            model = await asyncio.to_thread(NluModel.loads, blob, encoder)
            self._app_models.put(store.user_id, app.name, app.version, model)
        return model

    async def predict(self, user: User, name: str, texts: Sequence[str]) -> list[Prediction]:
        """The app's intent and entities for each text. While the app retrains, its previous
        model answers."""
        if len(texts) > self.settings.max_language_texts:
            raise TooLarge(
                f"{len(texts)} texts is more than the limit of {self.settings.max_language_texts}"
            )
        for index, text in enumerate(texts):
            check_text(text, f"texts[{index}]")
        async with self.store.user(user.id) as store:
            model = await self._app_model(store, await store.language_apps.get(name))
            now = self.clock().astimezone(ZoneInfo(user.timezone))
        return await asyncio.to_thread(model.predict, list(texts), now)

    async def evaluate_app(self, user: User, name: str, data: Any) -> Evaluation:
        """Accuracy, macro F1, entity F1 and the main confusions on labelled examples."""
        test = TrainingSet.from_json(data, test=True)
        async with self.store.user(user.id) as store:
            model = await self._app_model(store, await store.language_apps.get(name))
        return await asyncio.to_thread(model.evaluate, test)

    async def bind_intent(
        self,
        user: User,
        name: str,
        intent: str,
        *,
        reply: str | None = None,
        webhook: str | None = None,
    ) -> dict[str, Any]:
        """What the assistant does when it hears this app intent: a reply or a webhook."""
        binding = Binding.check(reply, webhook)
        async with self.store.user(user.id) as store:
            app = await store.language_apps.get(name)
            intents = (app.report or {}).get("intent_names", [])
            if app.trained_at is not None and intent not in intents:
                raise NotFound(f"language app {name!r} has no intent {intent!r}")
            return describe(await store.language_apps.bind(name, intent, binding.to_json()))

    async def unbind_intent(self, user: User, name: str, intent: str) -> dict[str, Any]:
        async with self.store.user(user.id) as store:
            return describe(await store.language_apps.bind(name, intent, None))

    async def custom_reply(self, store: UserData, text: str, now: datetime) -> CustomReply | None:
        """The user's bound app intent for this text, with its reply, if one is confident."""
        best: tuple[float, LanguageApp, Prediction] | None = None
        for app in await store.language_apps.bound():
            try:
                model = await self._app_model(store, app)
            except HeronError:
                continue
            prediction = (await asyncio.to_thread(model.predict, [text], now))[0]
            if prediction.intent in app.bindings and (
                best is None or prediction.confidence > best[0]
            ):
                best = (prediction.confidence, app, prediction)
        if best is None:
            return None
        _, app, prediction = best
        assert prediction.intent is not None
        binding = Binding.from_json(app.bindings[prediction.intent])
        if binding.reply is not None:
            return CustomReply(app.name, prediction, render(binding.reply, prediction))
        assert binding.webhook is not None
        reply = await call_webhook(binding.webhook, {"app": app.name, **prediction.to_json()})
        return CustomReply(app.name, prediction, reply, "a webhook")

    # --- translation ------------------------------------------------------------------

    @property
    def translator(self) -> Translator:
        """Every installed engine (Apertium's pairs, the neural English↔Portuguese one),
        started on first use; each direction's Apertium pipeline on its first text."""
        if self._translator is None:
            names = self._english_names if self.settings.translation_names else None
            self._translator = Translator(
                [ApertiumEngine(), MarianEngine()], self.language_identifier, names=names
            )
        return self._translator

    def _english_names(self, text: str) -> list[tuple[int, int]]:
        found = self.english.entities(text, "en").entities
        return [(e.start, e.end) for e in found if e.label in NAME_LABELS]

    async def translate(
        self,
        texts: str | Sequence[str],
        target: str,
        source: str | None = None,
        *,
        markup: bool = False,
    ) -> list[Translation]:
        """Each text (one, or a list) translated into `target` from `source`, or from the
        language each is detected in. Empty text is BadInput; an unavailable language or
        pair is UnsupportedLanguage, naming the available ones."""
        named = (
            [("text", texts)]
            if isinstance(texts, str)
            else [(f"texts[{i}]", text) for i, text in enumerate(texts)]
        )
        if not named:
            raise BadInput("texts is empty: send at least one text")
        if len(named) > self.settings.max_translation_texts:
            raise TooLarge(
                f"{len(named)} texts are more than the {self.settings.max_translation_texts}"
                " allowed at once"
            )
        for name, text in named:
            if not text.strip():
                raise BadInput(f"{name} is empty: send some text to translate")
        size = sum(len(text) for _, text in named)
        if size > self.settings.max_translation_chars:
            raise TooLarge(
                f"{size:,} characters are more than the {self.settings.max_translation_chars:,}"
                " allowed in one request; send the text in parts"
            )
        translator = self.translator
        return await asyncio.to_thread(
            translator.translate, [t for _, t in named], target, source, markup=markup
        )

    async def translation_languages(self) -> dict[str, Any]:
        """The languages and the directions that can be translated (with their pivots)."""
        translator = self.translator
        directions = await asyncio.to_thread(translator.directions)
        return {"languages": translator.languages(), "directions": directions}

    # -- the keyboard ------------------------------------------------------------------------------

    @property
    def keyboard(self) -> Keyboard:
        """The shared keyboard model (one per process): built into the models folder the first
        time (about 20 s), memory-mapped after."""
        return Keyboard.default(self.settings.models_dir)

    async def warm_keyboard(self) -> Keyboard:
        """The keyboard, loaded off the event loop; its spelling index (3 s to build) starts
        building then too, so the first correction does not wait for it."""
        if self._keyboard_index is not None:
            return self.keyboard  # loaded: no thread hop on a keystroke
        keyboard = await asyncio.to_thread(Keyboard.default, self.settings.models_dir)
        if self._keyboard_index is None:
            self._keyboard_index = asyncio.create_task(asyncio.to_thread(keyboard.corrector.index))
        return keyboard

    async def keyboard_personal(self, user: User) -> PersonalModel:
        """The user's own keyboard model, read from the store once and kept; every few seconds
        its version is checked, and it is read again if another server process changed it.
        (Learning changes it in place: callers that may overlap with learning read it under
        the user's lock, as keyboard_predict does.)"""
        async with self._personal_locks[user.id]:
            return (await self._personal_model(user)).model

    async def _personal_model(self, user: User) -> _Personal:
        found = self._personal.get(user.id)
        now = time.monotonic()
        if found is not None and now - found.checked < PERSONAL_CHECK_S:
            return found
        async with self.store.user(user.id) as store:
            version = await store.keyboard.version()
            if found is not None and found.version == version:
                found.checked = now
                return found
            # The version first: a change made while the rows are read shows at the next check.
            rows = await store.keyboard.all()
        model = await asyncio.to_thread(
            PersonalModel, [Entry(kind, text, count) for kind, text, count in rows]
        )
        found = self._personal[user.id] = _Personal(model, version, now)
        return found

    async def keyboard_predict(
        self, user: User, context: str, prefix: str = "", n: int = 3
    ) -> list[str]:
        """The n likeliest next words (no prefix) or completions of `prefix` after `context`."""
        _check_keyboard(context, n)
        if prefix != prefix.strip() or " " in prefix:
            raise BadInput("prefix is the letters typed of the current word: no spaces")
        keyboard = await self.warm_keyboard()
        async with self._personal_locks[user.id]:
            own = await self._personal_model(user)
            return keyboard.predict(context, prefix, n, own.model)

    async def keyboard_correct(
        self, user: User, word: str, context: str = "", *, after: str = "", n: int = 3
    ) -> Correction:
        """What `word` (typed after `context`, and before `after` if known) should be."""
        _check_keyboard(context, n)
        if not word.strip() or " " in word.strip():
            raise BadInput("word must be one word, without spaces")
        keyboard = await self.warm_keyboard()
        async with self._personal_locks[user.id]:
            own = await self._personal_model(user)
            return await asyncio.to_thread(
                keyboard.correct, word.strip(), context, own.model, after=after[:CONTEXT_LIMIT], n=n
            )

    async def keyboard_learn(self, user: User, text: str) -> Learnt:
        """Counts the words of `text` into the user's model; stored before it returns."""
        if len(text) > self.settings.max_keyboard_learn_chars:
            raise TooLarge(
                f"{len(text):,} characters are more than the "
                f"{self.settings.max_keyboard_learn_chars:,} learnt at once; send them in parts"
            )
        found = await asyncio.to_thread(entries, text)
        if not found:
            return Learnt(words=0, new_words=0)  # no words: nothing to store
        return await self._keyboard_store(user, found)

    async def keyboard_undo(self, user: User, word: str, correction: str) -> None:
        """The user undid the correction of `word` into `correction`: `word` is theirs now."""
        if not word.strip() or " " in word.strip() or len(word.strip()) > MAX_WORD:
            raise BadInput(
                f"word must be the one word that was corrected ({MAX_WORD} letters at most)"
            )
        await self._keyboard_store(user, [Entry(KEPT, normal(word.strip()), 1)])

    async def _keyboard_store(self, user: User, found: list[Entry]) -> Learnt:
        async with self._personal_locks[user.id]:
            own = await self._personal_model(user)
            async with self.store.user(user.id) as store:
                before, after = await store.keyboard.add([(e.kind, e.text, e.count) for e in found])
            # (Learning a long text takes a while: not on the event loop. The user's lock keeps
            # their own predictions off the model meanwhile.)
            learnt = await asyncio.to_thread(own.model.add, found)
            if before == own.version:
                own.version = after
            else:  # another process changed it too: read it all again at the next use
                self._personal.pop(user.id, None)
            return learnt

    async def keyboard_export(self, user: User) -> dict[str, Any]:
        async with self._personal_locks[user.id]:
            own = await self._personal_model(user)
            return await asyncio.to_thread(own.model.export)

    async def keyboard_forget(self, user: User) -> int:
        """Deletes the user's keyboard model; returns how many counts it held."""
        async with self._personal_locks[user.id]:
            async with self.store.user(user.id) as store:
                deleted, _ = await store.keyboard.clear()
            self._personal.pop(user.id, None)
        return deleted

    async def timers(self, user: User, *, include_done: bool = False) -> list[dict[str, Any]]:
        now = self.clock()
        async with self.store.user(user.id) as data:
            found = await (data.timers.recent(50) if include_done else data.timers.active())
        return [timer_skill.as_dict(timer_skill.info(t, now)) for t in found]

    async def timer(self, user: User, timer_id: int) -> dict[str, Any]:
        async with self.store.user(user.id) as data:
            found = await data.timers.get(timer_id)
        return timer_skill.as_dict(timer_skill.info(found, self.clock()))

    async def change_timer(self, user: User, timer_id: int, action: str) -> dict[str, Any]:
        """`action`: pause, resume or cancel."""
        now = self.clock()
        async with self.store.user(user.id) as data:
            found = await data.timers.get(timer_id)
            if action == "pause":
                timer_skill.pause(found, now)
            elif action == "resume":
                timer_skill.resume(found, now)
            elif action == "cancel":
                timer_skill.cancel(found)
            else:
                raise BadInput(f"unknown timer action {action!r}: use pause, resume or cancel")
        self._changed()
        return timer_skill.as_dict(timer_skill.info(found, now))

    async def reminders(self, user: User) -> list[dict[str, Any]]:
        async with self.store.user(user.id) as data:
            found = await data.reminders.scheduled()
        return [reminder_skill.as_dict(r) for r in found]

    async def reminder(self, user: User, reminder_id: int) -> dict[str, Any]:
        async with self.store.user(user.id) as data:
            return reminder_skill.as_dict(await data.reminders.get(reminder_id))

    async def delete_reminder(self, user: User, reminder_id: int) -> dict[str, Any]:
        async with self.store.user(user.id) as data:
            found = await data.reminders.delete(reminder_id)
        self._changed()
        return reminder_skill.as_dict(found)

    async def lists(self, user: User) -> list[dict[str, Any]]:
        async with self.store.user(user.id) as data:
            return [
                list_skill.as_dict(found, list(await data.lists.items(found)))
                for found in await data.lists.all()
            ]

    async def get_list(self, user: User, list_id: int) -> dict[str, Any]:
        async with self.store.user(user.id) as data:
            found = await data.lists.get(list_id)
            return list_skill.as_dict(found, list(await data.lists.items(found)))

    async def add_to_list(self, user: User, name: str, items: list[str]) -> dict[str, Any]:
        cleaned = [i.strip() for i in items if i.strip()]
        if not cleaned or any(len(i) > 200 for i in cleaned):
            raise BadInput("give 1 or more items of at most 200 characters")
        name = name.strip().lower()
        if not name or len(name) > 64:
            raise BadInput("a list name needs 1 to 64 characters")
        async with self.store.user(user.id) as data:
            await list_skill.add_items(data.lists, name, cleaned)
            found = await data.lists.named(name)
            return list_skill.as_dict(found, list(await data.lists.items(found)))

    async def remove_list_item(self, user: User, list_id: int, item_id: int) -> dict[str, Any]:
        async with self.store.user(user.id) as data:
            found = await data.lists.get(list_id)
            item = await data.lists.get_item(found, item_id)
            await data.lists.remove_items([item])
            return list_skill.as_dict(found, list(await data.lists.items(found)))

    async def delete_list(self, user: User, list_id: int) -> None:
        async with self.store.user(user.id) as data:
            await data.lists.delete(await data.lists.get(list_id))

    async def facts(self, user: User, query: str | None = None) -> list[dict[str, Any]]:
        """What the user told the assistant; with `query`, only facts mentioning those words."""
        async with self.store.user(user.id) as data:
            found = [memory_skill.as_dict(f) for f in await data.facts.all()]
        if query:
            words = fold(query).split()
            found = [f for f in found if all(w in fold(f["text"]) for w in words)]
        return found

    async def remember(self, user: User, text: str) -> dict[str, Any]:
        """Keeps a fact stated in plain words ("my car is parked on level 3")."""
        text = text.strip()
        if len(text) > personal.MAX_FACT_CHARS:
            raise BadInput(f"a fact is at most {personal.MAX_FACT_CHARS} characters")
        today = self.clock().astimezone(ZoneInfo(user.timezone)).date()
        told = personal.read_statement(text, today, strict=False)
        if told is None:
            raise BadInput(
                'no fact found in that; say it like "my sister\'s name is Ana", '
                '"my car is parked on level 3" or "Ana\'s birthday is May 2"'
            )
        async with self.store.user(user.id) as data:
            fact, _ = await memory_skill.keep(data, told, text)
            return memory_skill.as_dict(fact)

    async def forget_fact(self, user: User, fact_id: int) -> dict[str, Any]:
        async with self.store.user(user.id) as data:
            fact = await data.facts.get(fact_id)
            forgotten = memory_skill.as_dict(fact)
            await memory_skill.forget(data, [fact])
        return forgotten

    async def forget_facts(self, user: User) -> int:
        """Forgets everything the user told the assistant; returns how many facts that was."""
        async with self.store.user(user.id) as data:
            facts = await data.facts.all()
            await memory_skill.forget(data, facts)
        return len(facts)

    async def devices(self, user: User) -> list[dict[str, Any]]:
        async with self.store.user(user.id) as data:
            return [
                {"id": d.id, "name": d.name, "last_seen_at": d.last_seen_at.isoformat()}
                for d in await data.devices.all()
            ]

    # --- events -----------------------------------------------------------------------

    async def device_connected(self, user: User, device: str) -> list[dict[str, Any]]:
        """Registers the device and returns the events nobody has received yet (marked now)."""
        if not device or len(device) > 64:
            raise BadInput("a device name needs 1 to 64 characters")
        async with self.store.user(user.id) as data:
            await data.devices.seen(device)
            pending = await data.events.undelivered()
            await data.events.mark_delivered([e.id for e in pending])
        return [event_json(e) for e in pending]

    async def run_scheduler(self) -> None:
        await self.scheduler.run()


def _log_training(app: str) -> NluProgress:
    def progress(stage: str, done: int, total: int) -> None:
        log.info("language app %s: %s (%d/%d)", app, stage, done, total)

    return progress


def _log_progress(stage: str, done: int, total: int) -> None:
    if done == total or done % 500_000 < 50_000:
        log.info("world graph: %s (%d/%d)", stage, done, total)


def _warm() -> None:
    CityIndex.load()
    unit_registry()


PASSAGES_PER_DOCUMENT = 1_000_000
"""A passage's id is its document's id times this plus its position."""


def _indexed(document: Document, content: list[dict[str, Any]]) -> list[IndexedPassage]:
    """A document's passages as the search index keeps them."""
    created = document.created_at.replace(tzinfo=UTC).timestamp()
    return [
        IndexedPassage(
            id=document.id * PASSAGES_PER_DOCUMENT + part["position"],
            document_id=document.id,
            user_id=document.user_id,
            title=part["title"],
            text=part["text"],
            kind=document.kind,
            collection=document.collection,
            created=created,
        )
        for part in content
    ]


def document_json(document: Document) -> dict[str, Any]:
    return {
        "id": document.id,
        "name": document.name,
        "title": document.title,
        "kind": document.kind,
        "language": document.language,
        "collection": document.collection,
        "size": document.size,
        "passages": document.passages,
        "added_at": document.created_at.replace(tzinfo=UTC).isoformat(),
    }
