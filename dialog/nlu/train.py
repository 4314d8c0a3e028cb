"""Train the intent models: `python -m dialog.nlu.train` (part of `make setup`).

Two models, both multinomial logistic regression on generated paraphrase rows (`dataset.py`):
- spoken (`intent.pkl`): what ASR hands us; chosen among the candidates by accuracy on the spoken lines of
  the independent dev set (`data/dev.jsonl`, lines without call context: context is `context.py`'s job);
- typed (`intent-typed.pkl`): chat and the browser's text box; trained on the rows plus typo'd copies of
  them, chosen on the dev set's typed lines.
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

from dialog.nlu.data import utterances
from dialog.nlu.dataset import generate, typed
from dialog.nlu.features import e5_features
from dialog.nlu.intent import MODEL_FILE, TYPED_MODEL_FILE, IntentModel, nlu_dir
from dialog.paths import ROOT
from dialog.sentiment import classifier as sentiment_classifier

FIGURES = ROOT / "out" / "nlu-train.json"
CANDIDATES = {
    "tfidf": {"kind": "tfidf", "c": 10.0},
    "e5": {"kind": "e5", "c": 30.0},
    "both": {"kind": "both", "c": 10.0, "e5_weight": 3.0},
}


def _accuracy(model: IntentModel, texts: list[str], intents: list[str], emb: np.ndarray | None) -> float:
    if not texts:
        return 0.0
    predicted = np.array(model.classes)[model.probabilities(texts, emb).argmax(1)]
    return round(float(np.mean(predicted == np.array(intents))), 3)


def train(out_dir: Path, candidates: list[str] | None = None, figures: Path | None = FIGURES) -> dict:
    """Fit the candidates for both paths, keep the best of each on dev, save them to `out_dir`."""
    names = candidates or list(CANDIDATES)
    rows = generate()
    typo_rows = rows + typed(rows)
    dev = [u for u in utterances("dev") if not u.context]
    texts = list(dict.fromkeys([r.text for r in typo_rows] + [u.text for u in dev]))
    lookup: dict[str, np.ndarray] = {}
    if any(CANDIDATES[n]["kind"] != "tfidf" for n in names):
        print(f"embedding {len(texts)} utterances with e5...", file=sys.stderr, flush=True)
        lookup = dict(zip(texts, e5_features(texts), strict=True))

    def emb(items: list[str]) -> np.ndarray | None:
        return np.stack([lookup[t] for t in items]) if lookup else None

    report: dict = {"rows": len(rows), "typed_rows": len(typo_rows) - len(rows), "dev_lines": len(dev),
                    "candidates": {}}
    best: dict[str, tuple[float, IntentModel, str]] = {}
    for path, train_rows, form in (("spoken", rows, "spoken"), ("typed", typo_rows, "typed")):
        for name in names:
            print(f"fitting {path} {name}...", file=sys.stderr, flush=True)
            start = time.perf_counter()
            model = IntentModel(**CANDIDATES[name]).fit([r.text for r in train_rows],
                                                         [r.intent for r in train_rows],
                                                         emb([r.text for r in train_rows]))
            scores = {}
            for lang in ("en", "zh"):
                sub = [u for u in dev if u.language == lang and u.form == form]
                scores[lang] = _accuracy(model, [u.text for u in sub], [u.intent for u in sub],
                                         emb([u.text for u in sub]))
            report["candidates"][f"{path}/{name}"] = {"fit_s": round(time.perf_counter() - start, 1),
                                                      "dev_accuracy": scores}
            score = sum(scores.values())
            if path not in best or score > best[path][0]:
                best[path] = (score, model, name)
    best["spoken"][1].save(out_dir, MODEL_FILE)
    best["typed"][1].save(out_dir, TYPED_MODEL_FILE)
    report["chosen"] = {path: name for path, (_, _, name) in best.items()}
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
