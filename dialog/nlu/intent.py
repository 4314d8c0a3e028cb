"""The intent classifier: features (`features.py`) + multinomial logistic regression, saved under models/nlu/.

Also decides when the model is guessing: text made of words it has never seen is out of scope
whatever the classifier says, since a softmax always picks something.
"""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from dialog.nlu.features import Featuriser, normalise, words

MODEL_FILE = "intent.pkl"
TYPED_MODEL_FILE = "intent-typed.pkl"  # for typed text (chat, the browser's text box)
_HAN = re.compile(r"[\u4e00-\u9fff]")


class IntentModel:
    def __init__(self, kind: str = "tfidf", c: float = 10.0, e5_weight: float = 1.0) -> None:
        self.kind = kind
        self.featuriser = Featuriser(kind, e5_weight)
        self.classifier = LogisticRegression(C=c, max_iter=3000)
        self.known_words: set[str] = set()
        self.known_chars: set[str] = set()

    @property
    def classes(self) -> list[str]:
        return [str(c) for c in self.classifier.classes_]

    def fit(self, texts: list[str], intents: list[str], embeddings: np.ndarray | None = None) -> IntentModel:
        x = self.featuriser.fit_transform(texts, embeddings)
        self.classifier.fit(x, intents)
        for text in texts:
            norm = normalise(text)
            self.known_words.update(w for w in words(norm) if not _HAN.search(w))
            self.known_chars.update(_HAN.findall(norm))
        return self

    def probabilities(self, texts: list[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        return self.classifier.predict_proba(self.featuriser.transform(texts, embeddings))

    def familiarity(self, text: str) -> float:
        """Share of the words (English) and characters (Mandarin) that training ever saw: ~0 for gibberish."""
        norm = normalise(text)
        units = [w for w in words(norm) if not _HAN.search(w) and w != "#"] + _HAN.findall(norm)
        if not units:
            return 0.0
        known = sum(u in self.known_words or u in self.known_chars for u in units)
        return known / len(units)

    def save(self, directory: Path, name: str = MODEL_FILE) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / name
        path.write_bytes(pickle.dumps(self))
        return path

    @staticmethod
    def load(directory: Path, name: str = MODEL_FILE) -> IntentModel:
        path = directory / name
        if not path.exists():
            raise FileNotFoundError(f"{path} not found: run `python -m dialog.nlu.train` (part of `make setup`)")
        return pickle.loads(path.read_bytes())
