"""Audio: one internal format (16 kHz, 16-bit, mono) and the conversions into and out of it.

Uploaded files of any common container are decoded with FFmpeg (PyAV), plain PCM WAVs
directly; streamed PCM in any rate, width and channel count is converted chunk by chunk
(soxr keeps resampling state).
"""

from __future__ import annotations

import io
import wave
from collections.abc import Iterable
from dataclasses import dataclass

import av
import numpy as np
import soxr

from heron.errors import BadAudio, BadInput, TooLarge, UnsupportedMedia

RATE = 16_000
"""Every engine inside Heron hears 16 kHz, 16-bit, mono."""

Samples = np.ndarray
"""int16 mono samples; at RATE unless said otherwise."""

# Containers FFmpeg names when probing what we accept: WAV, FLAC, Ogg (Vorbis/Opus), MP3, and
# the browser/phone recorders' WebM and MP4/M4A, plus AIFF.
ACCEPTED_FORMATS = frozenset(
    {"wav", "flac", "ogg", "mp3", "aac", "matroska", "webm", "mov", "mp4", "m4a", "aiff", "caf"}
)


@dataclass(frozen=True)
class AudioFormat:
    """How raw PCM is laid out: samples per second, bytes per sample, interleaved channels."""

    rate: int = RATE
    width: int = 2
    channels: int = 1

    def check(self) -> AudioFormat:
        if not 4_000 <= self.rate <= 192_000:
            raise BadAudio(f"sample rate {self.rate} Hz is not supported (4000 to 192000)")
        if self.width not in (1, 2, 4):
            raise BadAudio(f"sample width {self.width} is not supported: use 1, 2 or 4 bytes")
        if not 1 <= self.channels <= 8:
            raise BadAudio(f"{self.channels} channels is not supported (1 to 8)")
        return self

    @property
    def frame_bytes(self) -> int:
        return self.width * self.channels

    def seconds(self, size: int) -> float:
        return size / (self.rate * self.frame_bytes)


INTERNAL = AudioFormat()


@dataclass(frozen=True)
class Audio:
    """A whole recording in the internal format."""

    samples: Samples

    @property
    def seconds(self) -> float:
        return len(self.samples) / RATE

    @property
    def pcm(self) -> bytes:
        return self.samples.astype("<i2").tobytes()


def decode(data: bytes, *, max_seconds: float) -> Audio:
    """Any accepted audio file → 16 kHz mono. BadAudio for corrupt or empty data,
    UnsupportedMedia for something that is not an accepted audio format, TooLarge past
    `max_seconds`."""
    if not data:
        raise BadAudio("the audio is empty")
    plain = _plain_wav(data, max_seconds)
    if plain is not None:
        return Audio(plain)
    try:
        container = av.open(io.BytesIO(data), mode="r")
    except av.error.FFmpegError:
        raise BadAudio(
            "this is not audio Heron can read (corrupt, or not WAV/FLAC/OGG/MP3)"
        ) from None
    with container:
        names = set(container.format.name.split(","))
        if not names & ACCEPTED_FORMATS:
            raise UnsupportedMedia(
                f"{container.format.long_name or container.format.name} is not an accepted "
                "audio format: send WAV, FLAC, OGG, MP3, WebM or M4A"
            )
        if not container.streams.audio:
            raise UnsupportedMedia("the file has no audio stream")
        resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
        parts: list[Samples] = []
        total = 0
        limit = int(max_seconds * RATE)
        try:
            for frame in container.decode(audio=0):
                for out in resampler.resample(frame):
                    part = out.to_ndarray().reshape(-1)
                    parts.append(part)
                    total += len(part)
                    if total > limit:
                        raise TooLarge(f"the audio is longer than {max_seconds:g} seconds")
            for out in resampler.resample(None):
                parts.append(out.to_ndarray().reshape(-1))
        except av.error.FFmpegError as error:
            raise BadAudio(f"the audio is corrupt: {error.strerror or error}") from None
    samples = np.concatenate(parts).astype(np.int16) if parts else np.zeros(0, np.int16)
    if len(samples) < RATE // 100:
        raise BadAudio("the audio is empty (no samples could be decoded)")
    return Audio(samples)


def _plain_wav(data: bytes, max_seconds: float) -> Samples | None:
    """A PCM WAV file, what devices upload most, read without FFmpeg (about ten times
    faster); None for anything else, which FFmpeg reads (float or extensible WAVs too)."""
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    try:
        with wave.open(io.BytesIO(data)) as reader:
            fmt = AudioFormat(reader.getframerate(), reader.getsampwidth(), reader.getnchannels())
            pcm = reader.readframes(reader.getnframes())
        fmt.check()
    except (wave.Error, EOFError, BadAudio):
        return None
    if len(pcm) < fmt.frame_bytes * fmt.rate // 100:
        return None  # a header with no samples after it: FFmpeg says what is wrong
    if fmt.seconds(len(pcm)) > max_seconds:
        raise TooLarge(f"the audio is longer than {max_seconds:g} seconds")
    return convert(pcm, fmt)


def _to_float(pcm: bytes, fmt: AudioFormat) -> np.ndarray:
    usable = len(pcm) - len(pcm) % fmt.frame_bytes
    raw = memoryview(pcm)[:usable]
    if fmt.width == 1:
        data = (np.frombuffer(raw, np.uint8).astype(np.float32) - 128.0) / 128.0
    elif fmt.width == 2:
        data = np.frombuffer(raw, "<i2").astype(np.float32) / 32768.0
    else:
        data = np.frombuffer(raw, "<i4").astype(np.float32) / 2147483648.0
    if fmt.channels > 1:
        data = data.reshape(-1, fmt.channels).mean(axis=1)
    return data


def _to_int16(data: np.ndarray) -> Samples:
    return np.clip(np.round(data * 32768.0), -32768, 32767).astype(np.int16)


class Converter:
    """Streamed PCM in `fmt` → internal samples, chunk by chunk (resampler state is kept, so
    chunk edges leave no clicks). A chunk may end mid-frame; the rest waits for the next."""

    def __init__(self, fmt: AudioFormat) -> None:
        self.fmt = fmt.check()
        self._carry = b""
        self._resampler = (
            soxr.ResampleStream(fmt.rate, RATE, 1, dtype="float32", quality="HQ")
            if fmt.rate != RATE
            else None
        )

    def feed(self, pcm: bytes) -> Samples:
        pcm = self._carry + pcm
        cut = len(pcm) - len(pcm) % self.fmt.frame_bytes
        self._carry = pcm[cut:]
        data = _to_float(pcm[:cut], self.fmt)
        if self._resampler is not None:
            data = self._resampler.resample_chunk(data)
        return _to_int16(data)

    def flush(self) -> Samples:
        if self._resampler is None:
            return np.zeros(0, np.int16)
        return _to_int16(self._resampler.resample_chunk(np.zeros(0, np.float32), last=True))


def convert(pcm: bytes, fmt: AudioFormat) -> Samples:
    """Whole raw PCM in `fmt` → internal samples."""
    converter = Converter(fmt)
    return np.concatenate([converter.feed(pcm), converter.flush()])


def resample(samples: Samples, rate: int, to: int = RATE) -> Samples:
    if rate == to:
        return samples
    data = soxr.resample(samples.astype(np.float32) / 32768.0, rate, to, quality="HQ")
    return _to_int16(data)


def wav_bytes(chunks: Iterable[Samples], rate: int = RATE) -> bytes:
    """int16 mono chunks → a WAV file."""
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        for chunk in chunks:
            writer.writeframes(chunk.astype("<i2").tobytes())
    return out.getvalue()


def wav_header(rate: int) -> bytes:
    """A WAV header for a stream of unknown length (readers take the data to the end)."""
    header = wav_bytes([], rate)
    # RIFF and data sizes set to the maximum: players read until the stream ends.
    return header[:4] + b"\xff\xff\xff\xff" + header[8:40] + b"\xff\xff\xff\xff"


# Compressed formats: (FFmpeg muxer, encoder, bits per second, sample rate if the encoder
# needs its own). Speech needs few bits, but the encoders' defaults (32 kb/s MP3 at 22 kHz)
# lisp audibly.
_ENCODINGS: dict[str, tuple[str, str, int, int | None]] = {
    "mp3": ("mp3", "libmp3lame", 64_000, None),
    "opus": ("ogg", "libopus", 32_000, 48_000),  # Ogg Opus; Opus runs at 48 kHz
    "aac": ("adts", "aac", 64_000, None),  # raw ADTS frames, as audio/aac is served
    "flac": ("flac", "flac", 0, None),  # lossless: no bit rate to aim at
}


def encode(samples: Samples, rate: int, fmt: str) -> bytes:
    """int16 mono samples at `rate` → a whole file in `fmt`: wav, pcm (raw 16-bit
    little-endian, no header), or FFmpeg's mp3, opus (Ogg), aac (ADTS) or flac."""
    if fmt == "wav":
        return wav_bytes([samples], rate)
    if fmt == "pcm":
        return samples.astype("<i2").tobytes()
    if fmt not in _ENCODINGS:
        known = ", ".join(["wav", "pcm", *_ENCODINGS])
        raise BadInput(f"Heron cannot encode {fmt!r}: use one of {known}")
    muxer, codec, bit_rate, codec_rate = _ENCODINGS[fmt]
    out = io.BytesIO()
    with av.open(out, mode="w", format=muxer) as file:
        stream = file.add_stream(codec, rate=codec_rate or rate, layout="mono")
        assert isinstance(stream, av.audio.stream.AudioStream)
        if bit_rate:
            stream.bit_rate = bit_rate
        packets: list[av.Packet[av.audio.stream.AudioStream]] = []
        if len(samples):  # an empty frame upsets FFmpeg's resampler; no frame is fine
            frame = av.AudioFrame.from_ndarray(
                samples.astype(np.int16).reshape(1, -1), format="s16", layout="mono"
            )
            frame.sample_rate = rate
            # PyAV cuts the one frame into the encoder's frame size (resampling if it must).
            packets = stream.encode(frame)
        for packet in [*packets, *stream.encode(None)]:
            file.mux(packet)
    return out.getvalue()


def level_dbfs(samples: Samples) -> float:
    """Loudness as RMS in dB below full scale (-100 for digital silence)."""
    if len(samples) == 0:
        return -100.0
    rms = float(np.sqrt(np.mean(np.square(samples.astype(np.float64) / 32768.0))))
    return max(-100.0, 20.0 * float(np.log10(rms))) if rms > 0 else -100.0
