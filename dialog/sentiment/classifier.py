"""A small text-sentiment classifier: logistic regression on the multilingual-e5 sentence embeddings
(the same vectors the intent model uses, so a turn is embedded once), trained on `data/training.jsonl`.

Trained by `python -m dialog.nlu.train` (part of `make setup`) into models/nlu/sentiment.pkl; its
score (P(positive) - P(negative), in [-1, 1]) is one input of `text.text_sentiment`, next to the
language's general model and the service cues. Without the file the text score uses the other two.
"""

from __future__ import annotations

import pickle
from functools import cache
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from dialog.sentiment.data import training

MODEL_FILE = "sentiment.pkl"
C = 4.0


def training_rows() -> list[tuple[str, str, str]]:
    """(text, language, label) for every training turn."""
    return [(row.text, row.language, row.label) for row in training()]


def fit(embeddings: np.ndarray, labels: list[str]) -> LogisticRegression:
    return LogisticRegression(C=C, max_iter=3000).fit(embeddings, labels)


def train(out_dir: Path, embed=None) -> Path:
    """Fit on `data/training.jsonl` and save to `out_dir`; `embed` (texts -> e5 vectors) defaults to e5."""
    from dialog.embeddings import e5_features

    rows = training_rows()
    vectors = (embed or e5_features)([t for t, _, _ in rows])
    model = fit(np.asarray(vectors), [label for _, _, label in rows])
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / MODEL_FILE
    path.write_bytes(pickle.dumps(model))
    _load.cache_clear()
    return path


def out_of_fold_scores(folds: int = 5) -> list[tuple[str, str, str, float]]:
    """(text, language, label, score) for every training turn, each scored by a classifier that did
    not see it (k-fold): lets `evaluate.py --tune` set the blend on the training turns too."""
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    from dialog.embeddings import e5_features

    rows = training_rows()
    x = e5_features([t for t, _, _ in rows])
    y = np.array([f"{lang}/{label}" for _, lang, label in rows])  # folds balanced per language and label
    labels = np.array([label for _, _, label in rows])
    cv = StratifiedKFold(folds, shuffle=True, random_state=7)
    model = LogisticRegression(C=C, max_iter=3000)
    probs = cross_val_predict(model, x, labels, cv=cv.split(x, y), method="predict_proba")
    classes = sorted(set(labels))
    pos, neg = classes.index("positive"), classes.index("negative")
    return [(t, lang, label, float(p[pos] - p[neg])) for (t, lang, label), p in zip(rows, probs, strict=True)]


def _model_dir() -> Path:
    from dialog.paths import nlu_dir

    return nlu_dir()


@cache
def _load(directory: Path) -> LogisticRegression | None:
    path = directory / MODEL_FILE
    return pickle.loads(path.read_bytes()) if path.exists() else None


def available() -> bool:
    return _load(_model_dir()) is not None


def label(text: str) -> str | None:
    """The classifier's most likely label for one turn (None when it was not trained)."""
    model = _load(_model_dir())
    if model is None:
        return None
    from dialog.embeddings import e5_features

    return str(model.predict(e5_features([text]))[0])


def score(text: str) -> float:
    """P(positive) - P(negative) for one turn; 0.0 when the model was not trained."""
    model = _load(_model_dir())
    if model is None or not text.strip():
        return 0.0
    from dialog.embeddings import e5_features

    probs = model.predict_proba(e5_features([text]))[0]
    by_label = dict(zip(model.classes_, probs, strict=True))
    return float(by_label.get("positive", 0.0) - by_label.get("negative", 0.0))
