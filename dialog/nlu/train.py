"""Train the intent model and write its figures: `python -m dialog.nlu.train`.

Compares TF-IDF n-grams, e5 embeddings and both together (each + logistic regression) on
generated paraphrase families the models never saw, keeps the best by macro-F1 there, refits
it on every generated row and saves it to models/nlu/. The hand-written set (`data/handwritten.jsonl`) is
scored for every candidate but never used to choose. Then fits the text-sentiment classifier on the
same e5 embeddings (`dialog/sentiment/classifier.py`, models/nlu/sentiment.pkl). Deterministic:
fixed seeds, no sampling.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from dialog.nlu.data import utterances
from dialog.nlu.dataset import Example, generate, split_by_family
from dialog.nlu.features import e5_features
from dialog.nlu.intent import IntentModel, nlu_dir
from dialog.sentiment import classifier as sentiment_classifier

RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results"
CANDIDATES = {
    "tfidf": {"kind": "tfidf", "c": 10.0},
    "e5": {"kind": "e5", "c": 30.0},
    "both": {"kind": "both", "c": 10.0, "e5_weight": 3.0},
}


def handwritten() -> list[Example]:
    return [Example(u.text, u.intent, u.language, f"hand/{u.intent}/{u.language}") for u in utterances("handwritten")]


def _scores(model: IntentModel, rows: list[Example], emb: np.ndarray | None) -> dict[str, dict[str, float]]:
    predicted = np.array(model.classes)[model.probabilities([r.text for r in rows], emb).argmax(1)]
    out = {}
    for lang in ("en", "zh"):
        idx = [i for i, r in enumerate(rows) if r.language == lang]
        truth = [rows[i].intent for i in idx]
        guess = [predicted[i] for i in idx]
        out[lang] = {"n": len(idx), "accuracy": round(accuracy_score(truth, guess), 3),
                     "macro_f1": round(f1_score(truth, guess, average="macro", zero_division=0), 3)}
    return out


def _latency_ms(model: IntentModel, texts: list[str]) -> dict[str, float]:
    """Per utterance, one at a time as in a call: wall time, and CPU time (steadier on a shared machine)."""
    wall, cpu = [], []
    for text in texts:
        start, start_cpu = time.perf_counter(), time.process_time()
        model.probabilities([text])
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return {"median": round(statistics.median(wall), 2), "p90": round(float(np.percentile(wall, 90)), 2),
            "cpu_median": round(statistics.median(cpu), 2)}


def train(out_dir: Path, candidates: list[str] | None = None, results: Path | None = RESULTS) -> dict:
    """Compare `candidates`, save the winner to `out_dir`, and return (and write) the figures."""
    names = candidates or list(CANDIDATES)
    rows = generate()
    train_rows, family_rows = split_by_family(rows)
    hand_rows = handwritten()
    needs_e5 = any(CANDIDATES[n]["kind"] != "tfidf" for n in names)
    emb = {}
    if needs_e5:
        print(f"embedding {len(rows) + len(hand_rows)} utterances with e5...", file=sys.stderr, flush=True)
        all_texts = [r.text for r in rows] + [r.text for r in hand_rows]
        vectors = e5_features(all_texts)
        lookup = dict(zip(all_texts, vectors, strict=True))
        emb = {key: np.stack([lookup[r.text] for r in part])
               for key, part in (("all", rows), ("train", train_rows), ("family", family_rows), ("hand", hand_rows))}

    report: dict = {"generated_rows": len(rows), "train_rows": len(train_rows), "family_heldout_rows": len(family_rows),
                    "handwritten_rows": len(hand_rows), "candidates": {}}
    for name in names:
        print(f"fitting {name}...", file=sys.stderr, flush=True)
        model = IntentModel(**CANDIDATES[name])
        start = time.perf_counter()
        model.fit([r.text for r in train_rows], [r.intent for r in train_rows], emb.get("train"))
        report["candidates"][name] = {
            "fit_s": round(time.perf_counter() - start, 1),
            "family_heldout": _scores(model, family_rows, emb.get("family")),
            "handwritten": _scores(model, hand_rows, emb.get("hand")),
            "latency_ms": _latency_ms(model, [r.text for r in hand_rows[::4]]),
        }
    best = max(names, key=lambda n: sum(v["macro_f1"] for v in report["candidates"][n]["family_heldout"].values()))
    report["chosen"] = best
    final = IntentModel(**CANDIDATES[best]).fit([r.text for r in rows], [r.intent for r in rows], emb.get("all"))
    final.save(out_dir)
    print("fitting the sentiment classifier...", file=sys.stderr, flush=True)
    sentiment_classifier.train(out_dir)
    report["sentiment_training_rows"] = len(sentiment_classifier.training_rows())
    if results is not None:
        _write(report, results)
    return report


def _write(report: dict, results: Path) -> None:
    results.mkdir(parents=True, exist_ok=True)
    (results / "nlu.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    lines = [
        "# Intent classification", "",
        f"Made by `python -m dialog.nlu.train`. Generated rows: {report['generated_rows']} "
        f"({report['train_rows']} train, {report['family_heldout_rows']} in held-out paraphrase families); "
        f"hand-written test utterances: {report['handwritten_rows']}. Chosen (best macro-F1 on held-out families, "
        f"then refit on all generated rows): **{report['chosen']}**.", "",
        "| model | set | en acc | en macro-F1 | zh acc | zh macro-F1 | latency median / p90 (ms) | CPU median (ms) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, c in report["candidates"].items():
        for key, label in (("family_heldout", "held-out families"), ("handwritten", "hand-written")):
            s = c[key]
            lines.append(f"| {name} | {label} | {s['en']['accuracy']:.3f} | {s['en']['macro_f1']:.3f} | "
                         f"{s['zh']['accuracy']:.3f} | {s['zh']['macro_f1']:.3f} | "
                         f"{c['latency_ms']['median']} / {c['latency_ms']['p90']} | {c['latency_ms']['cpu_median']} |")
    (results / "nlu.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="model folder (default: models/nlu)")
    parser.add_argument("--candidates", nargs="*", choices=list(CANDIDATES), default=None)
    args = parser.parse_args()
    report = train(args.out or nlu_dir(), args.candidates)
    print((RESULTS / "nlu.md").read_text())
    print(f"saved {report['chosen']} model to {args.out or nlu_dir()}")


if __name__ == "__main__":
    main()
