"""The voice pipeline in process: real models, a real engine and store; audio made by Piper."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import numpy as np
import pytest

from heron import Heron
from heron.audio import RATE, Samples
from heron.pipeline import events as ev
from heron.pipeline.events import VoiceEvent
from heron.pipeline.voice import SessionOptions, VoiceSession, collect
from heron.store.models import User

CHUNK = 512


class Device:
    """What a device receives, with a way to wait for an event."""

    def __init__(self) -> None:
        self.events: list[VoiceEvent] = []
        self._changed = asyncio.Event()

    async def __call__(self, event: VoiceEvent) -> None:
        self.events.append(event)
        self._changed.set()

    def types(self) -> list[str]:
        return [e.type for e in self.events if e.type != ev.AUDIO]

    def of(self, kind: str) -> list[VoiceEvent]:
        return [e for e in self.events if e.type == kind]

    async def wait_for(self, kind: str, count: int = 1) -> VoiceEvent:
        async with asyncio.timeout(60):
            while len(self.of(kind)) < count:
                self._changed.clear()
                await self._changed.wait()
        return self.of(kind)[count - 1]


async def stream(session: VoiceSession, samples: Samples) -> None:
    for start in range(0, len(samples), CHUNK):
        await session.audio(samples[start : start + CHUNK].astype("<i2").tobytes())
        await asyncio.sleep(0)  # let the decodes in flight make progress, as in real time


def silence(seconds: float) -> Samples:
    return np.zeros(int(seconds * RATE), np.int16)


async def started(engine: Heron, user: User, **options: object) -> tuple[VoiceSession, Device]:
    device = Device()
    session = VoiceSession(engine.voice, user, SessionOptions(**options), device)  # type: ignore[arg-type]
    await session.start()
    return session, device


async def test_push_to_talk_request_is_answered_in_speech(
    engine: Heron, user: User, spoken: Callable[..., Samples]
) -> None:
    session, device = await started(engine, user, start="button")
    await stream(
        session,
        np.concatenate([silence(0.3), spoken("Set a timer for five minutes."), silence(1.5)]),
    )
    done = await device.wait_for(ev.DONE)
    kinds = device.types()
    assert kinds[:3] == [ev.RUN_START, ev.LISTENING, ev.SPEECH_START]
    order = [
        ev.SPEECH_END,
        ev.TRANSCRIPT,
        ev.INTENT,
        ev.REPLY,
        ev.AUDIO_START,
        ev.AUDIO_STOP,
        ev.DONE,
    ]
    assert [k for k in kinds if k in order] == order
    assert device.of(ev.INTENT)[0].data["intent"] == "timer.set"
    assert "5 minutes" in device.of(ev.REPLY)[0].data["text"]
    audio = b"".join(e.audio for e in device.of(ev.AUDIO))
    assert len(audio) / 2 / device.of(ev.AUDIO_START)[0].data["rate"] > 1.0
    assert {"stt_ms", "assistant_ms", "tts_first_audio_ms"} <= set(done.data["timings"])
    timers = await engine.timers(user)
    assert [t["duration_s"] for t in timers] == [300]
    await session.close()


async def test_a_follow_up_needs_no_wake_word_and_then_the_window_closes(
    engine: Heron, user: User, spoken: Callable[..., Samples]
) -> None:
    session, device = await started(engine, user, start="button", followup_s=1.0)
    await stream(session, np.concatenate([spoken("What is the capital of Japan?"), silence(1.2)]))
    first = await device.wait_for(ev.DONE)
    assert "Tokyo" in device.of(ev.REPLY)[0].data["text"]
    # The device plays the reply; then, without the wake word, the user asks on.
    await stream(
        session, np.concatenate([silence(0.5), spoken("And what about Italy?"), silence(1.2)])
    )
    second = await device.wait_for(ev.DONE, count=2)
    assert "Rome" in device.of(ev.REPLY)[1].data["text"]
    assert second.data["conversation_id"] == first.data["conversation_id"]
    # Nobody speaks: the follow-up window closes and the session waits for the wake word.
    await stream(session, silence(10.0))
    await device.wait_for(ev.FOLLOWUP_END)
    assert session.mode == "idle"
    await session.close()


async def test_complete_command_ends_listening_early(
    engine: Heron, user: User, spoken: Callable[..., Samples]
) -> None:
    session, device = await started(engine, user, start="button")
    listening = session._listening
    assert listening is not None
    # 0.3 s of silence: not enough to end on silence alone (0.5 s at least)...
    await stream(session, np.concatenate([spoken("Set a timer for ten minutes."), silence(0.3)]))
    assert listening._guess is not None
    await listening._guess  # ...but the words decoded at the pause form a whole command
    await stream(session, silence(0.05))
    end = await device.wait_for(ev.SPEECH_END)
    assert end.data["reason"] == "complete"
    await device.wait_for(ev.DONE)
    await session.close()


async def test_a_hanging_sentence_is_not_cut_off(
    engine: Heron, user: User, spoken: Callable[..., Samples]
) -> None:
    session, device = await started(engine, user, start="button")
    listening = session._listening
    assert listening is not None
    await stream(session, np.concatenate([spoken("Set a timer for"), silence(0.3)]))
    assert listening._guess is not None
    await listening._guess
    await stream(session, silence(0.05))
    assert device.of(ev.SPEECH_END) == []  # still listening: "for" is not where a request ends
    await session.close()


async def test_silence_after_the_button_is_answered_honestly(engine: Heron, user: User) -> None:
    session, device = await started(engine, user, start="button")
    await stream(session, silence(5.5))
    await device.wait_for(ev.DONE)
    assert device.of(ev.SPEECH_END)[0].data["reason"] == "no-speech"
    assert device.of(ev.REPLY)[0].data == {"text": "I didn't hear anything.", "heard": False}
    await session.close()


async def test_wake_word_during_a_reply_interrupts_it(
    engine: Heron, user: User, spoken: Callable[..., Samples]
) -> None:
    session, device = await started(engine, user, start="wake", wake_on_server=False)
    await session.wake("okay_nabu", 0.9, -20.0)
    assert device.types()[-3:] == [ev.WAKE, ev.RUN_START, ev.LISTENING]
    await stream(session, np.concatenate([spoken("Tell me about Australia."), silence(1.2)]))
    await device.wait_for(ev.AUDIO_START)
    await session.wake("okay_nabu", 0.9, -20.0)
    barge = await device.wait_for(ev.BARGE_IN)
    assert barge.data == {"by": "wake"}
    assert session.mode == "listening"
    assert device.of(ev.DONE) == []  # the interrupted reply never finished
    await session.close()


async def test_a_device_leaving_mid_request_leaves_nothing_behind(
    engine: Heron, user: User, spoken: Callable[..., Samples]
) -> None:
    before = {t for t in asyncio.all_tasks() if not t.done()}
    session, device = await started(engine, user, start="button")
    words = spoken("Add bread and butter to my shopping list.")
    await stream(session, np.concatenate([words[: len(words) // 2], silence(0.2)]))
    await session.close()
    await asyncio.sleep(0.1)
    left = {t for t in asyncio.all_tasks() if not t.done()} - before - {asyncio.current_task()}
    assert left == set()
    assert await engine.lists(user) == []
    assert device.of(ev.TRANSCRIPT) == []


async def test_only_the_device_that_heard_best_answers(engine: Heron, user: User) -> None:
    kitchen, kitchen_heard = await started(
        engine, user, start="wake", wake_on_server=False, device="kitchen", room="home"
    )
    hall, hall_heard = await started(
        engine, user, start="wake", wake_on_server=False, device="hall", room="home"
    )
    await asyncio.gather(kitchen.wake("okay_nabu", 0.9, -18.0), hall.wake("okay_nabu", 0.95, -35.0))
    assert ev.LISTENING in kitchen_heard.types()
    assert hall_heard.types() == [ev.STAND_DOWN]
    assert kitchen.mode == "listening" and hall.mode == "idle"
    await kitchen.close()
    await hall.close()


async def test_a_whole_recording_is_answered(
    engine: Heron, user: User, spoken: Callable[..., Samples]
) -> None:
    found = await collect(
        engine.voice.answer_recording(user, spoken("What is the capital of Japan?", pad_s=0.3))
    )
    assert "Tokyo" in found["reply"]
    assert found["intent"]["intent"]
    assert found["audio"] and found["errors"] == []
    assert found["timings"]["first_audio_ms"] > 0


async def test_an_unknown_voice_is_an_error_event(
    engine: Heron, user: User, spoken: Callable[..., Samples]
) -> None:
    found = await collect(
        engine.voice.answer_recording(user, spoken("What time is it?"), voice="nobody")
    )
    assert found["errors"] and found["errors"][0]["stage"] == "tts"
    assert found["audio"] == []


@pytest.mark.parametrize("rate", [8_000, 44_100])
async def test_a_device_may_send_any_rate(
    engine: Heron, user: User, spoken: Callable[..., Samples], rate: int
) -> None:
    from heron.audio import AudioFormat, resample

    session, device = await started(engine, user, start="button", format=AudioFormat(rate, 2, 1))
    audio = resample(
        np.concatenate([spoken("What is the capital of Italy?"), silence(1.2)]), RATE, rate
    )
    for start in range(0, len(audio), 700):
        await session.audio(audio[start : start + 700].astype("<i2").tobytes())
        await asyncio.sleep(0)
    await device.wait_for(ev.DONE)
    assert "Rome" in device.of(ev.REPLY)[0].data["text"]
    await session.close()


def test_a_long_first_sentence_starts_speaking_at_its_first_clause() -> None:
    from heron.pipeline.voice import first_clause

    assert first_clause("OK, timer for 5 minutes, starting now.") == [
        "OK, timer for 5 minutes,",
        "starting now.",
    ]
    assert first_clause("The capital of Australia is Canberra.") == [
        "The capital of Australia is Canberra."
    ]
    assert first_clause("Done. Then, later, more.") == ["Done. Then, later, more."]
