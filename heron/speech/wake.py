"""Wake words heard on the device: microWakeWord (micro) and openWakeWord (open) listeners.

Model files load once per process and stay; a listener holds only its own stream's state.
"""

from __future__ import annotations

import ctypes
import functools
import json
import logging
import threading
from collections import deque
from importlib import import_module, util
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt

from heron.audio import RATE, Samples
from heron.errors import BadAudio, BadInput, EngineUnavailable
from heron.speech.base import Detection, WakeWord

log = logging.getLogger(__name__)

ENGINES = {"micro": "pymicro_wakeword", "open": "pyopen_wakeword"}
"""Engine name → the Python package that brings its runtime and models."""

REFRACTORY_S = 1.0
"""After a detection a listener stays quiet this long (and until the score has dropped), so
one utterance wakes Heron once."""

OPEN_THRESHOLD = 0.5
"""openWakeWord models ship no cutoff; 0.5 is the one their authors recommend."""

Floats = npt.NDArray[np.float32]


def models() -> dict[str, list[str]]:
    """Engine name → the wake-word models it has, for the engines that are installed."""
    found: dict[str, list[str]] = {}
    for engine, package in ENGINES.items():
        if util.find_spec(package) is not None:
            found[engine] = [model.value for model in _package(engine).Model]
    return found


def listener(
    model: str = "okay_nabu", engine: str = "micro", *, threshold: float | None = None
) -> WakeWord:
    """A listener for one audio stream. `threshold` (0..1): the score a detection needs;
    None keeps the model's own (microWakeWord models carry one; openWakeWord uses 0.5)."""
    if engine not in ENGINES:
        raise BadInput(f"unknown wake-word engine {engine!r}: use {' or '.join(ENGINES)}")
    choices = [choice.value for choice in _package(engine).Model]
    if model not in choices:
        raise BadInput(
            f"the {engine} wake-word engine has no model {model!r}: use one of "
            + ", ".join(choices)
        )
    if threshold is not None and not 0.0 < threshold < 1.0:
        raise BadInput("a wake-word threshold must be between 0 and 1")
    if engine == "micro":
        return MicroListener(model, threshold)
    return OpenListener(model, threshold)


def _package(engine: str) -> ModuleType:
    name = ENGINES[engine]
    try:
        return import_module(name)
    except ImportError as error:
        raise EngineUnavailable(
            f"{name.replace('_', '-')} is not installed ({error}): "
            f"pip install {name.replace('_', '-')}"
        ) from None


class _Listener:
    """What both engines share: the threshold, and staying quiet after a detection."""

    engine: str

    def __init__(self, model: str, threshold: float) -> None:
        self.model = model
        self.name = f"{self.engine}:{model}"
        self.threshold = threshold
        self._heard = 0
        """Samples this stream has been through the model, to time the quiet period."""
        self._quiet_until = 0
        self._armed = True

    def _judge(self, score: float) -> Detection | None:
        if score <= self.threshold:
            self._armed = True
            return None
        if not self._armed or self._heard < self._quiet_until:
            return None
        self._armed = False
        self._quiet_until = self._heard + round(REFRACTORY_S * RATE)
        log.info("wake word detected engine=%s model=%s score=%.3f", self.engine, self.model, score)
        return Detection(self.model, score)

    def _restart(self) -> None:
        self._heard = 0
        self._quiet_until = 0
        self._armed = True


def _int16(samples: Samples) -> npt.NDArray[np.int16]:
    if samples.dtype != np.int16 or samples.ndim != 1:
        raise BadAudio(
            f"a wake-word listener takes 1-D int16 samples, not {samples.ndim}-D {samples.dtype}"
        )
    return samples


# --- TensorFlow Lite, through the C library each engine package ships --------------------------

_TFLITE_INT8, _TFLITE_UINT8, _TFLITE_FLOAT32 = 9, 3, 1
_DTYPES: dict[int, type[np.generic]] = {
    _TFLITE_FLOAT32: np.float32,
    _TFLITE_INT8: np.int8,
    _TFLITE_UINT8: np.uint8,
}
_LIMITS = {_TFLITE_INT8: (-128.0, 127.0), _TFLITE_UINT8: (0.0, 255.0)}
"""The values a quantized input can hold."""


class _Quantization(ctypes.Structure):
    _fields_ = (("scale", ctypes.c_float), ("zero_point", ctypes.c_int32))


class _TfLite:
    """The calls Heron makes into libtensorflowlite_c (the engine packages' own copy)."""

    def __init__(self, path: Path) -> None:
        lib = ctypes.CDLL(str(path))
        pointer, i32, size = ctypes.c_void_p, ctypes.c_int32, ctypes.c_size_t
        signatures: dict[str, tuple[list[Any], Any]] = {
            "TfLiteModelCreateFromFile": ([ctypes.c_char_p], pointer),
            "TfLiteInterpreterOptionsCreate": ([], pointer),
            "TfLiteInterpreterOptionsSetNumThreads": ([pointer, i32], None),
            "TfLiteInterpreterOptionsDelete": ([pointer], None),
            "TfLiteInterpreterCreate": ([pointer, pointer], pointer),
            "TfLiteInterpreterDelete": ([pointer], None),
            "TfLiteInterpreterResizeInputTensor": ([pointer, i32, ctypes.POINTER(i32), i32], i32),
            "TfLiteInterpreterAllocateTensors": ([pointer], i32),
            "TfLiteInterpreterGetInputTensor": ([pointer, i32], pointer),
            "TfLiteInterpreterGetOutputTensor": ([pointer, i32], pointer),
            "TfLiteInterpreterInvoke": ([pointer], i32),
            "TfLiteTensorType": ([pointer], i32),
            "TfLiteTensorNumDims": ([pointer], i32),
            "TfLiteTensorDim": ([pointer, i32], i32),
            "TfLiteTensorQuantizationParams": ([pointer], _Quantization),
            "TfLiteTensorCopyFromBuffer": ([pointer, pointer, size], i32),
            "TfLiteTensorCopyToBuffer": ([pointer, pointer, size], i32),
        }
        for name, (arguments, result) in signatures.items():
            function = getattr(lib, name)
            function.argtypes = arguments
            function.restype = result
        self.lib = lib

    def model(self, path: Path) -> int:
        """A loaded model (TfLiteModel*): read-only, so every interpreter may share it."""
        model = self.lib.TfLiteModelCreateFromFile(str(path).encode())
        if not model:
            raise EngineUnavailable(f"the wake-word model {path} could not be loaded")
        return int(model)


class _Interpreter:
    """One TFLite interpreter over a shared model; it holds the tensors of one computation
    (and, for microWakeWord's streaming models, the stream's memory)."""

    def __init__(self, tflite: _TfLite, model: int, input_shape: tuple[int, ...] = ()) -> None:
        lib = tflite.lib
        self._lib = lib
        options = lib.TfLiteInterpreterOptionsCreate()
        # One thread each: the pipeline already runs many streams in a pool sized to the CPU.
        lib.TfLiteInterpreterOptionsSetNumThreads(options, 1)
        self._handle = lib.TfLiteInterpreterCreate(model, options)
        lib.TfLiteInterpreterOptionsDelete(options)
        if not self._handle:
            raise EngineUnavailable("TensorFlow Lite could not build a wake-word interpreter")
        if input_shape:
            dims = (ctypes.c_int32 * len(input_shape))(*input_shape)
            self._check(
                lib.TfLiteInterpreterResizeInputTensor(self._handle, 0, dims, len(input_shape))
            )
        self._check(lib.TfLiteInterpreterAllocateTensors(self._handle))
        self._input = lib.TfLiteInterpreterGetInputTensor(self._handle, 0)
        self._output = lib.TfLiteInterpreterGetOutputTensor(self._handle, 0)
        self.input_shape = self._shape(self._input)
        self.output_shape = self._shape(self._output)
        input_type = lib.TfLiteTensorType(self._input)
        self.input_dtype = _DTYPES[input_type]
        self.input_limits = _LIMITS.get(input_type, (-np.inf, np.inf))
        self.output_dtype = _DTYPES[lib.TfLiteTensorType(self._output)]
        quantized_in = lib.TfLiteTensorQuantizationParams(self._input)
        quantized_out = lib.TfLiteTensorQuantizationParams(self._output)
        self.input_scale = float(quantized_in.scale)
        self.input_zero = int(quantized_in.zero_point)
        self.output_scale = float(quantized_out.scale)
        self.output_zero = int(quantized_out.zero_point)

    def _shape(self, tensor: int) -> tuple[int, ...]:
        rank = int(self._lib.TfLiteTensorNumDims(tensor))
        return tuple(int(self._lib.TfLiteTensorDim(tensor, i)) for i in range(rank))

    def _check(self, status: int) -> None:
        if status != 0:
            raise EngineUnavailable(f"TensorFlow Lite failed in a wake-word model ({status})")

    def run(self, data: npt.NDArray[Any]) -> npt.NDArray[Any]:
        """The output for one input of `input_shape`, already in the input's dtype."""
        data = np.ascontiguousarray(data, dtype=self.input_dtype)
        lib = self._lib
        self._check(lib.TfLiteTensorCopyFromBuffer(self._input, data.ctypes.data, data.nbytes))
        self._check(lib.TfLiteInterpreterInvoke(self._handle))
        out = np.empty(self.output_shape, dtype=self.output_dtype)
        self._check(lib.TfLiteTensorCopyToBuffer(self._output, out.ctypes.data, out.nbytes))
        return out

    def __del__(self) -> None:
        handle = getattr(self, "_handle", None)
        if handle:
            self._lib.TfLiteInterpreterDelete(handle)
            self._handle = None


_loading = threading.Lock()


@functools.cache
def _tflite(engine: str) -> _TfLite:
    lib_dir = Path(_package(engine).__file__ or "").parent / "lib"
    found = sorted(lib_dir.glob("*tensorflowlite_c.*"))
    if not found:
        raise EngineUnavailable(
            f"{ENGINES[engine]} has no TensorFlow Lite library for this machine in {lib_dir}"
        )
    return _TfLite(found[0])


def _models_dir(engine: str) -> Path:
    return Path(_package(engine).__file__ or "").parent / "models"


# --- microWakeWord ------------------------------------------------------------------------------

_MICRO_STEP = 160
"""microWakeWord's front end turns each 10 ms of audio into one feature row."""


class _MicroModel:
    """A microWakeWord model and its settings, loaded once per process."""

    def __init__(self, name: str) -> None:
        config_path = _models_dir("micro") / f"{name}.json"
        config = json.loads(config_path.read_text())
        self.phrase: str = config["wake_word"]
        self.cutoff = float(config["micro"]["probability_cutoff"])
        self.window = int(config["micro"]["sliding_window_size"])
        self.tflite = _tflite("micro")
        self.handle = self.tflite.model(config_path.parent / config["model"])


_micro_models: dict[str, _MicroModel] = {}


def _micro_model(name: str) -> _MicroModel:
    with _loading:
        if name not in _micro_models:
            _micro_models[name] = _MicroModel(name)
        return _micro_models[name]


class MicroListener(_Listener):
    """microWakeWord: a small streaming model (its memory lives in the interpreter, so each
    listener has its own over the shared model) fed by the TFLite Micro audio front end."""

    engine = "micro"

    def __init__(self, model: str, threshold: float | None = None) -> None:
        try:
            from pymicro_features import MicroFrontend  # type: ignore[import-untyped]
        except ImportError:  # pragma: no cover - a dependency of pymicro-wakeword
            raise EngineUnavailable("pymicro-features is not installed: pip install it") from None
        self._model = _micro_model(model)
        super().__init__(model, self._model.cutoff if threshold is None else threshold)
        self.phrase = self._model.phrase
        self._frontend = MicroFrontend()
        self._interpreter = _Interpreter(self._model.tflite, self._model.handle)
        # The model takes `stride` feature rows at a time (30 ms for the packaged models).
        self._stride = self._interpreter.input_shape[1]
        self._pending = np.zeros(0, np.int16)
        self._rows: list[list[float]] = []
        self._scores: deque[float] = deque(maxlen=self._model.window)

    def process(self, samples: Samples) -> Detection | None:
        pending = np.concatenate([self._pending, _int16(samples)])
        detection: Detection | None = None
        start = 0
        while len(pending) - start >= _MICRO_STEP:
            result = self._frontend.process_samples(pending[start : start + _MICRO_STEP].tobytes())
            used = result.samples_read or _MICRO_STEP
            start += used
            self._heard += used
            if not result.features:
                continue
            self._rows.append(result.features)
            if len(self._rows) < self._stride:
                continue
            score = self._score()
            if score is not None:
                detection = detection or self._judge(score)
        self._pending = pending[start:]
        return detection

    def _score(self) -> float | None:
        interpreter = self._interpreter
        rows = np.array(self._rows, np.float32)[np.newaxis]
        self._rows.clear()
        quantized = np.clip(
            np.round(rows / interpreter.input_scale + interpreter.input_zero),
            *interpreter.input_limits,
        )
        out = interpreter.run(quantized)
        self._scores.append(
            (float(out.reshape(-1)[0]) - interpreter.output_zero) * interpreter.output_scale
        )
        # Like the model's authors: decide on the mean of the last few scores.
        if len(self._scores) < self._model.window:
            return None
        return sum(self._scores) / len(self._scores)

    def reset(self) -> None:
        self._frontend.reset()
        # The streaming model's memory is in its interpreter: a fresh one forgets the stream.
        self._interpreter = _Interpreter(self._model.tflite, self._model.handle)
        self._pending = np.zeros(0, np.int16)
        self._rows.clear()
        self._scores.clear()
        self._restart()


# --- openWakeWord -------------------------------------------------------------------------------

_MEL_INPUT = 1760
"""Samples per mel-spectrogram call: 80 ms of new audio and 30 ms carried over."""
_MEL_STEP = 1280
_EMBED_FRAMES = 76
"""Mel frames per speech embedding (775 ms); the next embedding starts 8 frames (80 ms) on."""
_EMBED_STEP = 8
_EMBED_SHAPE = (1, _EMBED_FRAMES, 32, 1)


class _OpenModels:
    """The openWakeWord models: the mel spectrogram and speech-embedding models every wake word
    shares, and the wake-word classifiers; loaded once per process. They keep no stream
    memory, so interpreters are shared too: one set per thread (an interpreter must not run
    in two threads at once), while each listener keeps its own buffers."""

    def __init__(self) -> None:
        self.tflite = _tflite("open")
        self.dir = _models_dir("open")
        self.mel = self.tflite.model(self.dir / "melspectrogram.tflite")
        self.embedding = self.tflite.model(self.dir / "embedding_model.tflite")
        self.wake: dict[str, int] = {}
        self._local = threading.local()

    def classifier(self, name: str) -> int:
        with _loading:
            if name not in self.wake:
                self.wake[name] = self.tflite.model(self.dir / f"{name}.tflite")
            return self.wake[name]

    def interpreter(self, model: int, input_shape: tuple[int, ...] = ()) -> _Interpreter:
        """This thread's interpreter for `model`."""
        made: dict[int, _Interpreter] | None = getattr(self._local, "made", None)
        if made is None:
            made = self._local.made = {}
        if model not in made:
            made[model] = _Interpreter(self.tflite, model, input_shape)
        return made[model]

    def mels(self, audio: Floats) -> Floats:
        interpreter = self.interpreter(self.mel, (1, _MEL_INPUT))
        frames = interpreter.run(audio[np.newaxis]).reshape(-1, 32)
        # The scaling the embedding model was trained on.
        return (frames / 10.0 + 2.0).astype(np.float32)

    def embed(self, frames: Floats) -> Floats:
        interpreter = self.interpreter(self.embedding, _EMBED_SHAPE)
        return interpreter.run(frames.reshape(_EMBED_SHAPE)).reshape(-1).astype(np.float32)


_open: list[_OpenModels] = []


def _open_models() -> _OpenModels:
    with _loading:
        if not _open:
            _open.append(_OpenModels())
        return _open[0]


@functools.cache
def _open_silence(windows: int) -> tuple[Floats, Floats, Floats]:
    """The state a stream starts from: as if it had been silent for a while (the audio carried
    over, the mel frames of a part-built embedding, `windows` embeddings), so a wake word
    said at once is heard. Computed once; each listener takes a copy."""
    shared = _open_models()
    zeros = np.zeros(_MEL_INPUT, np.float32)
    frames = shared.mels(zeros)
    silent_frames = np.repeat(frames[-1:], _EMBED_FRAMES, axis=0)
    embedding = shared.embed(silent_frames)
    return (
        zeros[: _MEL_INPUT - _MEL_STEP],
        silent_frames[: _EMBED_FRAMES - _EMBED_STEP],
        np.repeat(embedding[np.newaxis], windows, axis=0),
    )


class OpenListener(_Listener):
    """openWakeWord: a mel spectrogram, a shared speech-embedding model, then a small
    classifier per wake word over the last ~1.3 s of embeddings."""

    engine = "open"

    def __init__(self, model: str, threshold: float | None = None) -> None:
        super().__init__(model, OPEN_THRESHOLD if threshold is None else threshold)
        self._shared = _open_models()
        self._classifier = self._shared.classifier(model)
        self._windows = self._shared.interpreter(self._classifier).input_shape[1]
        self._audio: Floats
        self._frames: Floats
        self._embeddings: Floats
        self.reset()

    def process(self, samples: Samples) -> Detection | None:
        shared = self._shared
        audio = np.concatenate([self._audio, _int16(samples).astype(np.float32)])
        detection: Detection | None = None
        start = 0
        while len(audio) - start >= _MEL_INPUT:
            self._frames = np.concatenate(
                [self._frames, shared.mels(audio[start : start + _MEL_INPUT])]
            )
            start += _MEL_STEP
            self._heard += _MEL_STEP
            while len(self._frames) >= _EMBED_FRAMES:
                embedding = shared.embed(self._frames[:_EMBED_FRAMES])
                self._frames = self._frames[_EMBED_STEP:]
                self._embeddings = np.concatenate([self._embeddings[1:], embedding[np.newaxis]])
                classifier = shared.interpreter(self._classifier)
                score = float(classifier.run(self._embeddings[np.newaxis]).reshape(-1)[0])
                detection = detection or self._judge(score)
        self._audio = audio[start:]
        return detection

    def reset(self) -> None:
        audio, frames, embeddings = _open_silence(self._windows)
        self._audio = audio.copy()
        self._frames = frames.copy()
        self._embeddings = embeddings.copy()
        self._restart()
