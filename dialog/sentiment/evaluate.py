"""Score the text sentiment on the labelled set: `python -m dialog.sentiment.evaluate [--tune]` (prints;
`make bench` (bench/nlu.py) writes bench/results/sentiment.*).

`--tune` searches the blend weights (general model, cues, e5 classifier) and thresholds on the dev
half and the classifier's training turns (never the test half) and prints them (they are then
written into `text.py` by hand); the figures reported are always on the test half. The classifier
(models/nlu/sentiment.pkl) comes from `python -m dialog.nlu.train`.
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

from dialog.sentiment import classifier
from dialog.sentiment import text as sentiment_text
from dialog.sentiment.data import split

RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results"


def _components(rows: list[tuple[str, str, str]]) -> list[tuple[float, float, float, str, str]]:
    """(general model, cues, e5 classifier, language, label) per row."""
    return [(sentiment_text._model_score(t, lang), sentiment_text._cue_score(t, lang), classifier.score(t), lang,
             label) for t, lang, label in rows]


def _accuracy(parts, weights: dict[str, tuple[float, float, float]], neg: float, pos: float,
              language: str) -> float:
    """`weights[language]` = (general model, service cues, e5 classifier) weights."""
    rows = [(m, c, k, label) for m, c, k, lang, label in parts if lang == language]
    w_model, w_cue, w_classifier = weights[language]
    hits = 0
    for model, cue, clf, label in rows:
        score = w_model * model + w_cue * cue + w_classifier * clf
        guess = "negative" if score <= neg else "positive" if score >= pos else "neutral"
        hits += guess == label
    return hits / len(rows)


def tune() -> dict:
    """The best (model, cue, classifier) weights per language and shared thresholds, on the dev half and
    the classifier's training turns (scored out of fold: `classifier.out_of_fold_scores`).
    Ties go to the first in the grid: smaller model and classifier weights, cues at full weight."""
    parts = _components(split("dev"))
    if classifier.available():  # and the classifier's own training turns, each scored out of fold
        parts += [(sentiment_text._model_score(t, lang), sentiment_text._cue_score(t, lang), score, lang, label)
                  for t, lang, label, score in classifier.out_of_fold_scores()]
    model_grid = [round(x * 0.1, 1) for x in range(0, 11)]
    cue_grid = [1.0, 0.75, 0.5, 0.25]
    classifier_grid = [0.0, 0.25, 0.5, 0.75, 1.0, 1.5] if classifier.available() else [0.0]
    triples = list(itertools.product(model_grid, cue_grid, classifier_grid))
    thresholds = [round(-0.05 * k, 2) for k in range(1, 9)], [round(0.05 * k, 2) for k in range(1, 9)]
    best = None
    for neg, pos in itertools.product(*thresholds):
        w = {lang: max(triples, key=lambda g, lang=lang: _accuracy(parts, {lang: g}, neg, pos, lang))
             for lang in ("en", "zh")}
        total = sum(_accuracy(parts, w, neg, pos, lang) for lang in ("en", "zh"))
        if best is None or total > best[0]:
            best = (total, w, neg, pos)
    total, weights, neg, pos = best
    return {"model_weight": {lang: w[0] for lang, w in weights.items()},
            "cue_weight": {lang: w[1] for lang, w in weights.items()},
            "classifier_weight": {lang: w[2] for lang, w in weights.items()},
            "negative_below": neg, "positive_above": pos, "dev_accuracy_sum": round(total, 3)}


def evaluate(results: Path | None = RESULTS) -> dict:
    report: dict = {}
    for half in ("dev", "test"):
        rows = split(half)
        for lang in ("en", "zh"):
            sub = [(t, label) for t, lg, label in rows if lg == lang]
            guesses = [sentiment_text.text_sentiment(t, lang).label for t, _ in sub]
            report.setdefault(half, {})[lang] = {
                "n": len(sub), "accuracy": round(sum(g == label for g, (_, label) in zip(guesses, sub, strict=True))
                                                 / len(sub), 3)}
    report["settings"] = {"model_weight": sentiment_text.MODEL_WEIGHT, "cue_weight": sentiment_text.CUE_WEIGHT,
                          "classifier_weight": sentiment_text.CLASSIFIER_WEIGHT,
                          "classifier_trained": classifier.available(),
                          "negative_below": sentiment_text.NEGATIVE_BELOW,
                          "positive_above": sentiment_text.POSITIVE_ABOVE}
    test_parts = _components(split("test"))  # the baseline: the language's model and cues, VADER's usual +-0.05 cut
    report["model_only_test"] = {lang: round(_accuracy(test_parts, {lang: (1.0, 1.0, 0.0)}, -0.05, 0.05, lang), 3)
                                 for lang in ("en", "zh")}
    if classifier.available():  # the e5 classifier alone (its most likely label), on the same test half
        report["classifier_only_test"] = {
            lang: round(sum(classifier.label(t) == label for t, lg, label in split("test") if lg == lang)
                        / report["test"][lang]["n"], 3) for lang in ("en", "zh")}
    if results is not None:
        results.mkdir(parents=True, exist_ok=True)
        (results / "sentiment.json").write_text(json.dumps(report, indent=2) + "\n")
        lines = ["# Text sentiment", "",
                 "Made by `python -m dialog.sentiment.evaluate` on `dialog/sentiment/data/labelled.jsonl` "
                 "(3 balanced labels; "
                 "weights and thresholds set on the dev half and the e5 classifier's own training turns "
                 "(`data/training.jsonl`, scored out of fold), figures on the test half).", "",
                 "| language | test n | test accuracy | dev accuracy | general model + cues (cut +-0.05), test "
                 "| e5 classifier alone, test |",
                 "|---|---|---|---|---|---|"]
        alone = report.get("classifier_only_test", {})
        for lang in ("en", "zh"):
            lines.append(f"| {lang} | {report['test'][lang]['n']} | {report['test'][lang]['accuracy']:.3f} | "
                         f"{report['dev'][lang]['accuracy']:.3f} | {report['model_only_test'][lang]:.3f} | "
                         f"{alone.get(lang, '-') if not alone else f'{alone[lang]:.3f}'} |")
        (results / "sentiment.md").write_text("\n".join(lines) + "\n")
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", action="store_true", help="search weights and thresholds on the dev half")
    args = parser.parse_args()
    if args.tune:
        print(json.dumps(tune(), indent=2))
        return
    print(json.dumps(evaluate(results=None), indent=2))  # bench/results/sentiment.* is written by `make bench`


if __name__ == "__main__":
    main()
