"""Train the intent models: `python -m dialog.nlu.train` (part of `make setup`).

Candidates are multinomial logistic regression on generated paraphrase rows (`dataset.py`), on e5
embeddings or e5 plus TF-IDF character and word n-grams, trained on the rows alone or on the rows plus
typo'd copies. Two are kept:
- spoken (`intent.pkl`): what ASR hands us; the best candidate on the spoken lines of the independent dev
  set (`data/dev.jsonl`, lines without call context: context is `context.py`'s job);
- typed (`intent-typed.pkl`): chat and the browser's text box; the best on the dev set's typed lines.
Neither set is ever trained on; the sealed test set is not read here (only `make bench` scores it).
Then fits the text-sentiment classifier on the same e5 embeddings (models/nlu/sentiment.pkl).
Figures go to out/nlu-train.json, never to bench/results (only `make bench` writes there). Deterministic.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from dialog.embeddings import e5_features
from dialog.nlu.data import utterances
from dialog.nlu.dataset import generate, typed
from dialog.nlu.intent import MODEL_FILE, TYPED_MODEL_FILE, IntentModel
from dialog.paths import ROOT, nlu_dir
from dialog.sentiment import classifier as sentiment_classifier

FIGURES = ROOT / "out" / "nlu-train.json"
# name: (model settings, whether the typo'd copies of the rows are trained on too)
CANDIDATES: dict[str, tuple[dict, bool]] = {
    "tfidf": ({"kind": "tfidf", "c": 10.0}, False),
    "e5": ({"kind": "e5", "c": 10.0}, True),
    "both": ({"kind": "both", "c": 10.0, "e5_weight": 3.0}, True),
    "both-spoken": ({"kind": "both", "c": 10.0, "e5_weight": 3.0}, False),
}
DEFAULT = ["e5", "both", "both-spoken"]


def _accuracy(model: IntentModel, texts: list[str], intents: list[str], emb: np.ndarray | None) -> float:
    if not texts:
        return 0.0
    predicted = np.array(model.classes)[model.probabilities(texts, emb).argmax(1)]
    return round(float(np.mean(predicted == np.array(intents))), 3)


def train(out_dir: Path, candidates: list[str] | None = None, figures: Path | None = FIGURES) -> dict:
    """Fit each candidate once, score it on the dev set's spoken and its typed lines, and save the best for
    each path to `out_dir` (one model may win both)."""
    names = candidates or DEFAULT
    rows = generate()
    typo_rows = rows + typed(rows)
    dev = [u for u in utterances("dev") if not u.context]
    texts = list(dict.fromkeys([r.text for r in typo_rows] + [u.text for u in dev]))
    lookup: dict[str, np.ndarray] = {}
    if any(CANDIDATES[n][0]["kind"] != "tfidf" for n in names):
        print(f"embedding {len(texts)} utterances with e5...", file=sys.stderr, flush=True)
        lookup = dict(zip(texts, e5_features(texts), strict=True))

    def emb(items: list[str]) -> np.ndarray | None:
        return np.stack([lookup[t] for t in items]) if lookup else None

    report: dict = {"rows": len(rows), "typed_rows": len(typo_rows) - len(rows), "dev_lines": len(dev),
                    "candidates": {}}
    best: dict[str, tuple[float, IntentModel, str]] = {}
    for name in names:
        settings, with_typos = CANDIDATES[name]
        train_rows = typo_rows if with_typos else rows
        print(f"fitting {name} on {len(train_rows)} rows...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        model = IntentModel(**settings).fit([r.text for r in train_rows], [r.intent for r in train_rows],
                                            emb([r.text for r in train_rows]))
        scores: dict[str, dict[str, float]] = {}
        for form in ("spoken", "typed"):
            for lang in ("en", "zh"):
                sub = [u for u in dev if u.language == lang and u.form == form]
                scores.setdefault(form, {})[lang] = _accuracy(model, [u.text for u in sub], [u.intent for u in sub],
                                                              emb([u.text for u in sub]))
            total = sum(scores[form].values())
            if form not in best or total > best[form][0]:
                best[form] = (total, model, name)
        report["candidates"][name] = {"fit_s": round(time.perf_counter() - start, 1), "dev_accuracy": scores}
    best["spoken"][1].save(out_dir, MODEL_FILE)
    best["typed"][1].save(out_dir, TYPED_MODEL_FILE)
    report["chosen"] = {form: name for form, (_, _, name) in best.items()}
    print("fitting the sentiment classifier...", file=sys.stderr, flush=True)
    sentiment_classifier.train(out_dir)
    report["sentiment_training_rows"] = len(sentiment_classifier.training_rows())
    if figures is not None:
        figures.parent.mkdir(parents=True, exist_ok=True)
        figures.write_text(json.dumps(report, indent=2) + "\n")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="model folder (default: models/nlu)")
    parser.add_argument("--candidates", nargs="*", choices=list(CANDIDATES), default=None)
    args = parser.parse_args()
    report = train(args.out or nlu_dir(), args.candidates)
    print(json.dumps(report, indent=2))
    print(f"saved {report['chosen']} to {args.out or nlu_dir()}; figures in {FIGURES.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
