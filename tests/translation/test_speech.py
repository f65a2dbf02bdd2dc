"""Live interpretation with the real engines: Whisper base hears, the pipeline's end-pointing
cuts utterances, Apertium (and the neural pivot) translates, Piper and espeak-ng speak; the
recordings are made here from text (Piper for English, espeak-ng for Spanish)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import numpy as np
import pytest
import pytest_asyncio

from heron import Heron, Settings
from heron.audio import RATE, Samples, resample
from heron.errors import BadInput, UnsupportedLanguage
from heron.pipeline.events import VoiceEvent
from heron.speech import SpeechEngines
from heron.store.models import User
from heron.translation.speech import (
    END_OF_UTTERANCE,
    Direction,
    Heard,
    Interpreter,
    plan,
    sentences,
)

FRAME = RATE // 10
in_module_loop = pytest.mark.asyncio(loop_scope="module")
"""The tests share the module's engine, so they run in its event loop."""


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def heron(
    tmp_path_factory: pytest.TempPathFactory, speech: SpeechEngines
) -> AsyncIterator[Heron]:
    """One engine for the module: its translation engines load once, as in a server. (The
    intent router on TF-IDF, as the server tests have it: torch costs seconds to import.)"""
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("interpret") / "data",
        database_url=None,
        similarity_engine="tfidf",
        warm_language=False,
    )
    engine = Heron(settings, speech=speech)
    await engine.start()
    try:
        yield engine
    finally:
        await engine.close()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def ana(heron: Heron) -> User:
    created, _ = await heron.create_user("ana", "Europe/Paris")
    return created


@pytest.fixture(scope="session")
def spanish(speech: SpeechEngines) -> Callable[[str], Samples]:
    """Spanish speech made with espeak-ng, at 16 kHz."""
    espeak = speech.tts("espeak")

    def say(text: str) -> Samples:
        made = espeak.synthesize(text, voice="es")
        return resample(np.concatenate(list(made.chunks)), made.rate)

    return say


def silence(seconds: float) -> Samples:
    return np.zeros(round(seconds * RATE), np.int16)


async def frames(samples: Samples, *, real_time: bool = False) -> AsyncIterator[Heard]:
    """A recording in 100 ms frames, as fast as they are taken or as a microphone sends them."""
    for start in range(0, len(samples), FRAME):
        yield samples[start : start + FRAME]
        if real_time:
            await asyncio.sleep(FRAME / RATE)


async def run(interpreter: Interpreter, heard: AsyncIterator[Heard]) -> list[VoiceEvent]:
    async with asyncio.timeout(60):
        return [event async for event in interpreter.interpret(heard)]


def of(events: Sequence[VoiceEvent], kind: str, utterance: int = 1) -> list[dict[str, Any]]:
    return [e.data for e in events if e.type == kind and e.data.get("utterance") == utterance]


def audio_seconds(events: Sequence[VoiceEvent], rate: int) -> float:
    return sum(len(e.audio) for e in events if e.type == "audio") / 2 / rate


@in_module_loop
async def test_an_english_utterance_is_heard_translated_and_spoken_in_spanish(
    heron: Heron, ana: User, spoken: Callable[..., Samples]
) -> None:
    interpreter = await Interpreter.open(heron, ana, "en", "es")
    words = spoken("Where is the train station? I need a ticket.")
    recording = np.concatenate([silence(0.5), words, silence(1.5)])

    events = await run(interpreter, frames(recording, real_time=True))

    kinds = [e.type for e in events]
    assert kinds[0] == "speech-start" and kinds[-1] == "done"
    [transcript] = of(events, "transcript")
    assert transcript["language"] == "en" and "station" in transcript["text"].lower()
    translations = of(events, "translation")
    assert [t["sentence"] for t in translations] == [0, 1]
    assert "estación" in translations[0]["text"]
    assert {(t["from"], t["to"]) for t in translations} == {("en", "es")}
    # Each sentence: its translation, then its speech (audio-start … audio-stop).
    first = kinds.index("translation")
    assert kinds[first + 1] == "audio-start" and kinds[first + 2] == "audio"
    assert kinds.index("audio-stop") < kinds.index("translation", first + 1)
    [start, *_] = of(events, "audio-start")
    assert start["rate"] == 22_050  # espeak-ng's Spanish voice
    assert audio_seconds(events, 22_050) > 1.5
    [done] = of(events, "done")
    assert done["heard"] and (done["from"], done["to"]) == ("en", "es")
    # Heard in real time: from the end of the words to the first Spanish audio.
    assert 0 < done["latency_ms"] < 3000
    assert done["latency_ms"] == done["timings"]["first_audio_ms"]


@in_module_loop
async def test_two_way_each_utterance_goes_into_the_other_language(
    heron: Heron, ana: User, spoken: Callable[..., Samples], spanish: Callable[[str], Samples]
) -> None:
    interpreter = await Interpreter.open(heron, ana, "en", "es", two_way=True)
    assert interpreter.direction.voices == (("es", "es"), ("en", "en_US-joe-medium"))
    recording = np.concatenate(
        [
            silence(0.3),
            spanish("¿Dónde está la estación de tren?"),
            silence(1.5),
            spoken("I need a ticket to Madrid."),
            silence(1.5),
        ]
    )

    events = await run(interpreter, frames(recording))

    [heard_es] = of(events, "transcript", 1)
    assert heard_es["language"] == "es" and "estación" in heard_es["text"]
    [into_en] = of(events, "translation", 1)
    assert (into_en["from"], into_en["to"]) == ("es", "en")
    assert "station" in into_en["text"].lower()
    [heard_en] = of(events, "transcript", 2)
    assert heard_en["language"] == "en" and "ticket" in heard_en["text"].lower()
    [into_es] = of(events, "translation", 2)
    assert (into_es["from"], into_es["to"]) == ("en", "es") and "Madrid" in into_es["text"]
    assert [(d["from"], d["to"]) for d in (*of(events, "done", 1), *of(events, "done", 2))] == [
        ("es", "en"),
        ("en", "es"),
    ]
    # The first utterance's events all go out before the second's answer.
    kinds = [(e.type, e.data.get("utterance")) for e in events]
    assert kinds.index(("done", 1)) < kinds.index(("transcript", 2))
    assert audio_seconds(events, 22_050) > 2.0


@in_module_loop
async def test_the_speaker_can_end_an_utterance_without_a_pause(
    heron: Heron, ana: User, spoken: Callable[..., Samples]
) -> None:
    interpreter = await Interpreter.open(heron, ana, "en", "es")
    heard: asyncio.Queue[Heard | None] = asyncio.Queue()
    for start in range(0, len(words := spoken("The station is closed.")), FRAME):
        heard.put_nowait(words[start : start + FRAME])
    heard.put_nowait(END_OF_UTTERANCE)

    async def stream() -> AsyncIterator[Heard]:
        while (item := await heard.get()) is not None:
            yield item

    found: list[VoiceEvent] = []
    async with asyncio.timeout(30):
        async for event in interpreter.interpret(stream()):
            found.append(event)
            if event.type == "done":
                heard.put_nowait(None)  # the stream stays open until the utterance is done

    [end] = of(found, "speech-end")
    assert end["reason"] == "end"
    [translation] = of(found, "translation")
    assert "estación" in translation["text"]


@in_module_loop
async def test_silence_alone_is_not_interpreted(heron: Heron, ana: User) -> None:
    interpreter = await Interpreter.open(heron, ana, "en", "es")
    assert await run(interpreter, frames(silence(12))) == []


@in_module_loop
async def test_an_unavailable_pair_is_refused_naming_the_available_ones(heron: Heron) -> None:
    with pytest.raises(UnsupportedLanguage) as refused:
        await asyncio.to_thread(plan, heron, "en", "xx")
    assert "en can be interpreted into:" in refused.value.detail
    assert "es" in refused.value.detail.split("into:")[1].split(", ")
    with pytest.raises(UnsupportedLanguage, match="whisper does not hear Esperanto"):
        await asyncio.to_thread(plan, heron, "en", "eo", two_way=True)
    with pytest.raises(BadInput, match="both en"):
        await asyncio.to_thread(plan, heron, "en-US", "en")
    # One way into Esperanto works: Whisper hears English, espeak-ng speaks Esperanto.
    assert await asyncio.to_thread(plan, heron, "en", "eo") == Direction(
        "en", "eo", False, (("eo", "eo"),)
    )


@in_module_loop
async def test_two_way_keeps_to_its_two_languages(heron: Heron, ana: User) -> None:
    direction = Direction("en", "es", True, (("es", "es"), ("en", "en_US-joe-medium")))
    interpreter = Interpreter(heron.voice, ana, direction)
    # Speech Whisper wrote down in a third language is judged between the two.
    assert interpreter.likelier("donde está la estación de tren, necesito un billete") == "es"
    assert interpreter.likelier("where is the train station") == "en"
    # What Whisper wrote for espeak-ng's "¿Puede ayudarme a encontrar mi hotel?": Thai.
    assert interpreter.likelier("แม่อยู่แค่มั้งของตามีอเตล") == "es"
    assert direction.into("es") == "en" and direction.into("en") == "es"


def test_a_transcript_is_cut_into_sentences() -> None:
    assert sentences("Where is it?  I need a ticket. ") == ["Where is it?", "I need a ticket."]
    assert sentences("") == []
