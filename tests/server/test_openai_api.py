"""The OpenAI-compatible API of a real `heron serve`, used through the real `openai` client as
an existing app would use it: only the base URL and the key change."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable, Iterator
from typing import Any

import av
import numpy as np
import openai
import pytest

from heron.audio import RATE, Samples, decode, level_dbfs, wav_bytes
from tests.e2e.harness import HeronServer

PERU = "What is the capital of Peru?"


def connect(server: HeronServer, key: str) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=server.base_url + "/v1",
        api_key=key,
        max_retries=0,
        timeout=120,
        http_client=openai.DefaultHttpxClient(trust_env=False),  # no proxy for 127.0.0.1
    )


@pytest.fixture(scope="module")
def client(server: HeronServer, key: str) -> Iterator[openai.OpenAI]:
    with connect(server, key) as connected:
        yield connected


def user(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


def assistant(text: str) -> dict[str, str]:
    return {"role": "assistant", "content": text}


# --- models ---------------------------------------------------------------------------------


def test_the_models_are_heron_and_the_openai_names_it_answers_to(client: openai.OpenAI) -> None:
    ids = {m.id for m in client.models.list()}

    assert {"heron", "whisper-1", "tts-1", "all-MiniLM-L6-v2", "text-embedding-3-small"} <= ids
    assert client.models.retrieve("whisper-1").owned_by == "heron"
    with pytest.raises(openai.NotFoundError) as missing:
        client.models.retrieve("gpt-4o")
    assert missing.value.code == "model_not_found"


def test_a_bad_key_is_an_authentication_error(server: HeronServer) -> None:
    with connect(server, "heron_not-a-key") as stranger:
        with pytest.raises(openai.AuthenticationError) as refused:
            stranger.chat.completions.create(model="heron", messages=[user(PERU)])
        with pytest.raises(openai.AuthenticationError):
            stranger.models.list()
    assert refused.value.code == "invalid_api_key"


# --- chat completions -----------------------------------------------------------------------


def test_the_heron_model_answers_as_the_assistant(client: openai.OpenAI) -> None:
    system = {"role": "system", "content": "You are a pirate. Answer in French."}

    completion = client.chat.completions.create(model="heron", messages=[system, user(PERU)])

    [choice] = completion.choices
    assert choice.message.role == "assistant"
    assert choice.message.content == "The capital of Peru is Lima."  # the system text is ignored
    assert choice.finish_reason == "stop"
    assert completion.id.startswith("chatcmpl-") and completion.model == "heron"
    assert completion.usage is not None  # counted in words: 7 of system text, 6 of question
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (13, 6)
    assert (completion.model_extra or {})["heron"]["intent"] == "knowledge.capital"


def test_a_follow_up_resolves_against_the_messages_before_it(
    server: HeronServer, client: openai.OpenAI
) -> None:
    first = client.chat.completions.create(
        model="heron", messages=[user("What time is it in Tokyo?")]
    )
    tokyo = first.choices[0].message.content or ""
    history = [user("What time is it in Tokyo?"), assistant(tokyo), user("and in Paris?")]

    followed = client.chat.completions.create(model="heron", messages=history)
    alone = client.chat.completions.create(model="heron", messages=[user("and in Paris?")])
    with connect(server, server.add_user("bo")) as other:
        elsewhere = other.chat.completions.create(model="heron", messages=history)

    assert "Tokyo" in tokyo
    assert (followed.choices[0].message.content or "").startswith("In Paris, France, it's")
    assert (followed.model_extra or {})["heron"]["routing"]["stage"] == "follow-up"
    assert (alone.model_extra or {})["heron"]["routing"]["stage"] != "follow-up"
    # Another user's identical history does not reach the first user's conversation.
    assert (elsewhere.model_extra or {})["heron"]["routing"]["stage"] != "follow-up"


def test_an_answer_to_a_question_heron_asked_acts_once(
    server: HeronServer, key: str, client: openai.OpenAI
) -> None:
    asked = client.chat.completions.create(model="heron", messages=[user("Set a timer")])
    question = asked.choices[0].message.content or ""
    history = [user("Set a timer"), assistant(question), user("eleven minutes")]

    done = client.chat.completions.create(model="heron", messages=history)
    client.chat.completions.create(
        model="heron",
        messages=[*history, assistant(done.choices[0].message.content or ""), user("thanks")],
    )

    assert question == "For how long?"
    assert done.choices[0].message.content == "OK, timer for 11 minutes, starting now."
    with server.client(key) as api:
        timers = api.get("/v1/timers").json()["timers"]
    # The earlier messages set the conversation's context; they are not run again.
    assert sum(t["duration_s"] == 660 for t in timers) == 1


async def test_a_streamed_reply_arrives_in_pieces_that_join_into_the_whole(
    server: HeronServer, key: str, client: openai.OpenAI
) -> None:
    whole = client.chat.completions.create(model="heron", messages=[user(PERU)])
    async with openai.AsyncOpenAI(
        base_url=server.base_url + "/v1",
        api_key=key,
        max_retries=0,
        http_client=openai.DefaultAsyncHttpxClient(trust_env=False),
    ) as streaming:
        stream = await streaming.chat.completions.create(
            model="heron",
            messages=[user(PERU)],
            stream=True,
            stream_options={"include_usage": True},
        )
        chunks = [chunk async for chunk in stream]

    deltas = [c.choices[0].delta for c in chunks if c.choices]
    assert deltas[0].role == "assistant"
    pieces = [d.content for d in deltas if d.content]
    assert len(pieces) > 3
    assert "".join(pieces) == whole.choices[0].message.content
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 6
    assert len({c.id for c in chunks}) == 1


def test_max_tokens_cuts_the_reply_and_says_so(client: openai.OpenAI) -> None:
    cut = client.chat.completions.create(model="heron", messages=[user(PERU)], max_tokens=3)

    assert cut.choices[0].message.content == "The capital of"
    assert cut.choices[0].finish_reason == "length"


def test_requests_the_assistant_cannot_answer_are_refused(client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as unknown:
        client.chat.completions.create(model="gpt-4o", messages=[user(PERU)])
    assert unknown.value.code == "model_not_found"
    assert unknown.value.param == "model"
    with pytest.raises(openai.BadRequestError, match="last message must be the user's"):
        client.chat.completions.create(model="heron", messages=[user(PERU), assistant("Lima.")])
    with pytest.raises(openai.BadRequestError) as many:
        client.chat.completions.create(model="heron", messages=[user(PERU)], n=2)
    assert many.value.param == "n"
    with pytest.raises(openai.BadRequestError, match="text only"):
        picture = {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
        client.chat.completions.create(
            model="heron", messages=[{"role": "user", "content": [picture]}]
        )
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="heron", messages=[])


# --- transcriptions -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def peru_wav(spoken: Callable[..., Samples]) -> bytes:
    return wav_bytes([spoken(PERU, pad_s=0.3)])


def test_a_transcription_comes_in_every_format(client: openai.OpenAI, peru_wav: bytes) -> None:
    def transcribe(fmt: str) -> Any:
        return client.audio.transcriptions.create(
            model="whisper-1",
            file=("question.wav", peru_wav),
            response_format=fmt,
        )

    plain = transcribe("json")
    text = transcribe("text")
    verbose = transcribe("verbose_json")
    srt = transcribe("srt")
    vtt = transcribe("vtt")

    assert "capital of peru" in plain.text.lower()
    assert isinstance(text, str) and text.strip() == plain.text
    assert verbose.language == "english"
    assert verbose.duration == pytest.approx(len(peru_wav) / 2 / RATE, abs=0.05)
    [segment] = verbose.segments
    assert segment.id == 0 and segment.start == 0.0 and segment.end > 1.0
    assert isinstance(srt, str) and isinstance(vtt, str)
    assert re.match(r"1\n00:00:00,000 --> 00:00:0\d,\d{3}\n.*Peru", srt)
    assert re.match(r"WEBVTT\n\n00:00:00\.000 --> 00:00:0\d\.\d{3}\n.*Peru", vtt)


def test_a_prompt_and_a_language_are_used_and_silence_is_no_words(
    client: openai.OpenAI, peru_wav: bytes
) -> None:
    hinted = client.audio.transcriptions.create(
        model="heron-whisper",
        file=("question.wav", peru_wav),
        language="en",
        prompt="Peru, Lima",
        temperature=0.2,
    )
    silence = client.audio.transcriptions.create(
        model="gpt-4o-transcribe",
        file=("quiet.wav", wav_bytes([np.zeros(2 * RATE, np.int16)])),
        response_format="verbose_json",
    )

    assert "Peru" in hinted.text
    assert silence.text == "" and silence.segments == []
    assert silence.duration == 2.0


def test_the_light_speech_engine_is_a_model_of_its_own(
    client: openai.OpenAI, spoken: Callable[..., Samples]
) -> None:
    audio = wav_bytes([spoken("Set a timer for five minutes.", pad_s=0.3)])

    heard = client.audio.transcriptions.create(model="heron-sphinx", file=("t.wav", audio))

    assert "timer" in heard.text


def test_bad_audio_and_bad_parameters_get_openai_errors(
    client: openai.OpenAI, peru_wav: bytes
) -> None:
    create = client.audio.transcriptions.create
    with pytest.raises(openai.BadRequestError, match="corrupt"):
        create(model="whisper-1", file=("broken.wav", b"RIFF" + bytes(200) + b"garbage" * 50))
    with pytest.raises(openai.APIStatusError) as not_audio:
        create(model="whisper-1", file=("page.png", _png()))
    assert not_audio.value.status_code == 415
    with pytest.raises(openai.APIStatusError) as too_long:
        create(model="whisper-1", file=("long.wav", wav_bytes([np.zeros(61 * RATE, np.int16)])))
    assert too_long.value.status_code == 413 and "60 seconds" in too_long.value.message
    with pytest.raises(openai.APIStatusError) as too_big:  # over max_audio_bytes: never read
        create(model="whisper-1", file=("big.wav", bytes(26_000_000)))
    assert too_big.value.status_code == 413
    with pytest.raises(openai.BadRequestError) as bad_format:
        create(model="whisper-1", file=("q.wav", peru_wav), response_format="docx")
    assert bad_format.value.param == "response_format"
    with pytest.raises(openai.BadRequestError, match="segments, not words"):
        create(
            model="whisper-1",
            file=("q.wav", peru_wav),
            response_format="verbose_json",
            timestamp_granularities=["word"],
        )
    with pytest.raises(openai.BadRequestError, match="cannot transcribe language"):
        create(model="whisper-1", file=("q.wav", peru_wav), language="tlh")
    with pytest.raises(openai.NotFoundError):
        create(model="tts-1", file=("q.wav", peru_wav))


def _png() -> bytes:
    out = io.BytesIO()
    with av.open(out, mode="w", format="image2pipe") as file:
        stream = file.add_stream("png", rate=1)
        stream.width, stream.height, stream.pix_fmt = 8, 8, "rgb24"
        frame = av.VideoFrame.from_ndarray(np.zeros((8, 8, 3), np.uint8), format="rgb24")
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            file.mux(packet)
    return out.getvalue()


# --- speech ---------------------------------------------------------------------------------

SAID = "Your timer is done. The kettle is boiling."


def speak(client: openai.OpenAI, **options: object) -> tuple[bytes, dict[str, str]]:
    body = {"model": "tts-1", "voice": "alloy", "input": SAID, **options}
    response = client.audio.speech.create(**body)
    return response.content, dict(response.response.headers)


def test_speech_comes_as_mp3_by_default_and_says_the_words(client: openai.OpenAI) -> None:
    mp3, headers = speak(client)
    wav, wav_headers = speak(client, response_format="wav")

    assert headers["content-type"] == "audio/mpeg" and wav_headers["content-type"] == "audio/wav"
    heard = decode(mp3, max_seconds=60)
    reference = decode(wav, max_seconds=60)
    # Piper varies its timing a little from one run to the next.
    assert heard.seconds == pytest.approx(reference.seconds, abs=0.3) and heard.seconds > 2
    assert level_dbfs(heard.samples) > -35
    back = client.audio.transcriptions.create(model="whisper-1", file=("said.mp3", mp3))
    assert "kettle is boiling" in back.text.lower()


def test_every_format_plays_and_pcm_is_24k(client: openai.OpenAI) -> None:
    # espeak-ng says a text the same way every time: the lengths can be compared.
    wav, _ = speak(client, response_format="wav", voice="en-us")
    seconds = decode(wav, max_seconds=60).seconds

    pcm, headers = speak(client, response_format="pcm", voice="en-us")
    assert headers["content-type"] == "audio/pcm"
    assert len(pcm) / 2 / 24_000 == pytest.approx(seconds, abs=0.01)
    for fmt, kind in [("opus", "audio/ogg"), ("flac", "audio/flac"), ("aac", "audio/aac")]:
        data, headers = speak(client, response_format=fmt, voice="en-us")
        assert headers["content-type"] == kind
        with av.open(io.BytesIO(data)) as file:
            frames = [f.to_ndarray() for f in file.decode(audio=0)]
            rate = file.streams.audio[0].rate
        assert sum(f.shape[-1] for f in frames) / rate == pytest.approx(seconds, abs=0.1)


def test_streamed_wav_speech_arrives_as_it_is_made(client: openai.OpenAI) -> None:
    text = "Red. Green. Blue. Yellow."
    with client.audio.speech.with_streaming_response.create(
        model="gpt-4o-mini-tts", voice="echo", input=text, response_format="wav"
    ) as response:
        parts = list(response.iter_bytes())

    data = b"".join(parts)
    assert data[:4] == b"RIFF" and data[4:8] == b"\xff\xff\xff\xff"  # no length, as OpenAI's
    # Every sentence made it into the stream, the last one too.
    heard = client.audio.transcriptions.create(model="whisper-1", file=("count.wav", data))
    assert re.sub(r"\W+", " ", heard.text.lower()).split() == ["red", "green", "blue", "yellow"]


def test_openai_voices_map_to_heron_voices_and_heron_names_work_too(
    client: openai.OpenAI,
) -> None:
    def voice(name: str | dict[str, str], text: str = "Hello.") -> tuple[str, float]:
        data, headers = speak(client, response_format="wav", input=text, voice=name)
        return headers["x-heron-voice"], decode(data, max_seconds=10).seconds

    assert voice("alloy")[0] == voice("onyx")[0] == "en_US-joe-medium"
    assert voice("nova")[0] == "en-us+f3"  # a female voice: espeak-ng's
    assert voice("fr", "Bonjour.")[0] == "fr"
    assert voice({"id": "en-gb"})[0] == "en-gb"  # a voice object, as newer clients send
    fast, _ = speak(client, response_format="wav", voice="en-us", speed=4.0)  # clamped to 2x
    normal, _ = speak(client, response_format="wav", voice="en-us")
    ratio = decode(fast, max_seconds=60).seconds / decode(normal, max_seconds=60).seconds
    assert 0.4 < ratio < 0.65


def test_speech_refuses_what_it_cannot_say(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as voice:
        speak(client, voice="no-such-voice")
    assert voice.value.param == "voice"
    with pytest.raises(openai.BadRequestError) as speed:
        speak(client, speed=5.0)
    assert speed.value.param == "speed"
    with pytest.raises(openai.BadRequestError):
        speak(client, input="")
    with pytest.raises(openai.BadRequestError):
        speak(client, input="a" * 4097)
    with pytest.raises(openai.BadRequestError):
        speak(client, response_format="ogg")
    with pytest.raises(openai.NotFoundError):
        speak(client, model="whisper-1")


# --- embeddings -----------------------------------------------------------------------------


def test_embeddings_put_similar_sentences_closer(client: openai.OpenAI) -> None:
    texts = ["How do I bake bread?", "What's a good recipe for a loaf?", "The train leaves at six."]

    found = client.embeddings.create(model="all-MiniLM-L6-v2", input=texts, encoding_format="float")

    vectors = np.array([d.embedding for d in found.data])
    assert vectors.shape == (3, 384)
    assert np.linalg.norm(vectors, axis=1) == pytest.approx([1, 1, 1], abs=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.3
    assert [d.index for d in found.data] == [0, 1, 2]
    assert found.model == "all-MiniLM-L6-v2" and found.usage.prompt_tokens == 17


def test_base64_embeddings_are_the_same_vectors(client: openai.OpenAI) -> None:
    text = "Turn off the kitchen lights"
    floats = client.embeddings.create(model="all-MiniLM-L6-v2", input=text, encoding_format="float")
    # The client asks for base64 unless told otherwise, and decodes it itself.
    default = client.embeddings.create(model="text-embedding-3-small", input=text)
    raw = client.embeddings.create(
        model="text-embedding-3-small", input=text, encoding_format="base64"
    )

    decoded = np.frombuffer(base64.b64decode(raw.data[0].embedding), "<f4")
    assert decoded.shape == (384,)
    assert decoded == pytest.approx(floats.data[0].embedding, abs=1e-6)
    assert default.data[0].embedding == pytest.approx(floats.data[0].embedding, abs=1e-6)


def test_embeddings_refuse_what_minilm_cannot_give(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as dimensions:
        client.embeddings.create(model="text-embedding-3-small", input="hi", dimensions=256)
    assert dimensions.value.param == "dimensions"
    with pytest.raises(openai.BadRequestError, match="token ids"):
        client.embeddings.create(model="all-MiniLM-L6-v2", input=[[1, 2, 3]])
    with pytest.raises(openai.BadRequestError, match="empty"):
        client.embeddings.create(model="all-MiniLM-L6-v2", input=["fine", ""])
    with pytest.raises(openai.NotFoundError):
        client.embeddings.create(model="text-embedding-3-large", input="hi")
