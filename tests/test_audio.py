"""Audio in any container, rate and channel count becomes 16 kHz mono; bad audio is refused
with the error a client can act on; replies encode into the formats clients ask for."""

from __future__ import annotations

import io

import av
import numpy as np
import pytest

from heron import audio
from heron.audio import RATE, AudioFormat, Converter, convert, decode, level_dbfs, wav_bytes
from heron.errors import BadAudio, BadInput, TooLarge, UnsupportedMedia


def tone(seconds: float, rate: int, channels: int = 1, hz: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    mono = (0.5 * np.sin(2 * np.pi * hz * t) * 32767).astype(np.int16)
    return np.repeat(mono[:, None], channels, axis=1)


def encode(samples: np.ndarray, rate: int, container: str, codec: str) -> bytes:
    """A real file made with FFmpeg, as a phone or browser would upload it: any channel
    count and containers (M4A, stereo WAV) Heron reads but never writes, so not
    `heron.audio.encode`, which writes Heron's own mono replies."""
    out = io.BytesIO()
    layout = "stereo" if samples.shape[1] == 2 else "mono"
    with av.open(out, mode="w", format=container) as file:
        stream = file.add_stream(codec, rate=rate, layout=layout)
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout=layout)
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            file.mux(packet)
        for packet in stream.encode(None):
            file.mux(packet)
    return out.getvalue()


@pytest.mark.parametrize(
    ("container", "codec", "rate", "channels"),
    [
        ("wav", "pcm_s16le", 44_100, 2),
        ("wav", "pcm_s16le", 8_000, 1),
        ("flac", "flac", 48_000, 1),
        ("ogg", "libopus", 48_000, 2),
        ("mp4", "aac", 22_050, 1),
        ("mp3", "libmp3lame", 44_100, 1),
    ],
)
def test_any_container_rate_and_channels_become_16k_mono(
    container: str, codec: str, rate: int, channels: int
) -> None:
    data = encode(tone(1.0, rate, channels), rate, container, codec)
    audio = decode(data, max_seconds=10)
    assert audio.samples.dtype == np.int16
    assert audio.seconds == pytest.approx(1.0, abs=0.08)
    # The tone survives: its loudness stays that of a half-scale sine (about -9 dBFS).
    assert level_dbfs(audio.samples[RATE // 4 : RATE // 2]) == pytest.approx(-9.0, abs=1.5)


@pytest.mark.parametrize(
    ("codec", "rate", "channels"),
    [
        ("pcm_s16le", 44_100, 2),
        ("pcm_u8", 8_000, 1),
        ("pcm_s32le", 22_050, 1),
        ("pcm_f32le", 48_000, 1),
    ],
)
def test_a_wav_read_directly_sounds_as_ffmpeg_hears_it(
    codec: str, rate: int, channels: int
) -> None:
    samples = tone(1.0, rate, channels)
    wav = encode(samples, rate, "wav", codec)
    flac = encode(samples, rate, "flac", "flac")  # the same audio, which only FFmpeg reads

    direct, ffmpeg = decode(wav, max_seconds=10).samples, decode(flac, max_seconds=10).samples

    assert abs(len(direct) - len(ffmpeg)) <= 32
    size = min(len(direct), len(ffmpeg))
    # The two resamplers' filters differ a little; the sound is the same.
    assert np.corrcoef(direct[:size], ffmpeg[:size])[0, 1] > 0.99
    assert level_dbfs(direct) == pytest.approx(level_dbfs(ffmpeg), abs=0.5)


def test_a_long_wav_is_refused_before_it_is_converted() -> None:
    with pytest.raises(TooLarge):
        decode(wav_bytes([np.zeros(RATE * 11, np.int16)]), max_seconds=10)


def test_corrupt_and_empty_audio_are_bad_audio() -> None:
    good = wav_bytes([tone(0.5, RATE)[:, 0]])
    with pytest.raises(BadAudio):
        decode(b"", max_seconds=10)
    with pytest.raises(BadAudio):
        decode(b"RIFF\x00\x00\x00\x00WAVEfmt garbage" * 3, max_seconds=10)
    with pytest.raises(BadAudio):
        decode(good[:44], max_seconds=10)  # a header and no samples
    with pytest.raises(BadAudio) as error:
        decode(b"hello, this is text and not audio at all" * 20, max_seconds=10)
    assert error.value.status == 400


def test_an_image_is_unsupported_media() -> None:
    png = io.BytesIO()
    with av.open(png, mode="w", format="image2pipe") as file:
        stream = file.add_stream("png", rate=1)
        stream.width, stream.height, stream.pix_fmt = 8, 8, "rgb24"
        frame = av.VideoFrame.from_ndarray(np.zeros((8, 8, 3), np.uint8), format="rgb24")
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            file.mux(packet)
    with pytest.raises(UnsupportedMedia) as error:
        decode(png.getvalue(), max_seconds=10)
    assert error.value.status == 415


def test_too_long_audio_is_refused_before_it_is_all_decoded() -> None:
    with pytest.raises(TooLarge):
        decode(wav_bytes([tone(3.0, RATE)[:, 0]]), max_seconds=2)


def test_streamed_chunks_of_any_size_convert_like_the_whole() -> None:
    stereo = tone(1.0, 44_100, 2)
    pcm = stereo.astype("<i2").tobytes()
    fmt = AudioFormat(44_100, 2, 2)
    converter = Converter(fmt)
    # Odd chunk sizes: frames are split across chunks and must be carried over.
    parts = [converter.feed(pcm[i : i + 1001]) for i in range(0, len(pcm), 1001)]
    streamed = np.concatenate([*parts, converter.flush()])
    whole = convert(pcm, fmt)
    assert abs(len(streamed) - RATE) <= 2
    assert len(streamed) == len(whole)
    assert np.max(np.abs(streamed.astype(int) - whole.astype(int))) <= 2


def test_impossible_formats_are_refused() -> None:
    with pytest.raises(BadAudio):
        Converter(AudioFormat(rate=1_000))
    with pytest.raises(BadAudio):
        Converter(AudioFormat(width=3))
    with pytest.raises(BadAudio):
        Converter(AudioFormat(channels=0))


@pytest.mark.parametrize("fmt", ["wav", "mp3", "opus", "flac", "aac"])
def test_a_reply_encodes_into_a_file_that_plays_back_the_same(fmt: str) -> None:
    data = audio.encode(tone(1.5, 22_050)[:, 0], 22_050, fmt)
    back = decode(data, max_seconds=10)
    assert back.seconds == pytest.approx(1.5, abs=0.08)
    assert level_dbfs(back.samples[RATE // 4 : RATE // 2]) == pytest.approx(-9.0, abs=1.5)


def test_aac_is_raw_adts_and_pcm_is_bare_little_endian_samples() -> None:
    samples = tone(1.0, 22_050)[:, 0]
    with av.open(io.BytesIO(audio.encode(samples, 22_050, "aac"))) as file:
        assert file.format.name == "aac"
        assert file.streams.audio[0].codec_context.name == "aac"
        decoded = np.concatenate([f.to_ndarray().reshape(-1) for f in file.decode(audio=0)])
    assert len(decoded) == pytest.approx(22_050, abs=2_048)  # give or take the codec's frames
    pcm = audio.encode(samples, 22_050, "pcm")
    assert pcm == samples.astype("<i2").tobytes() and len(pcm) == 2 * 22_050


def test_nothing_to_say_still_encodes_and_unknown_formats_are_refused() -> None:
    assert audio.encode(np.zeros(0, np.int16), 22_050, "wav")[:4] == b"RIFF"
    assert audio.encode(np.zeros(0, np.int16), 22_050, "mp3") == b""
    with pytest.raises(BadInput, match="wav, pcm, mp3"):
        audio.encode(tone(0.1, 22_050)[:, 0], 22_050, "ogg")
