"""Turning an utterance into numbers for the intent classifier: TF-IDF n-grams, e5 embeddings, or both.

Text is normalised first (lower case, numbers as one token, no punctuation), so "Order 10023." and
"order one oh oh two three" look the same to the model.
"""

from __future__ import annotations

import re

import jieba
import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from dialog.embeddings import e5_features
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
