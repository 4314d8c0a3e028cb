"""`make bench` (understanding): intent accuracy per language on the hand-written set, the independent dev
set and the sealed test set; clarifying questions on right-intent turns; understanding ms per turn; and the
text sentiment (`dialog.sentiment.evaluate`, which writes bench/results/sentiment.*).

Writes bench/results/nlu.{json,md}. The only script that scores the sealed test set.
"""

from __future__ import annotations

import os

from bench.common import machine, write
from dialog.nlu.data import utterances
from dialog.nlu.evaluate import score
from dialog.nlu.understander import Understander
from dialog.sentiment import evaluate as sentiment_evaluate

SETS = {"handwritten": "hand-written (project, 340)", "dev": "independent dev (1354)",
        "test": "independent sealed test (731)"}
# The same sets read by the code and model before context and the new data (16c2de0: e5 + logistic regression on
# the original paraphrase families, no context rules, no typed path), measured once, for comparison.
BEFORE = {"handwritten": {"en": 0.900, "zh": 0.865}, "dev": {"en": 0.818, "zh": 0.800},
          "test": {"en": 0.814, "zh": 0.795}}


def main() -> None:
    understander = Understander()
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    result = {"machine": machine(), "load": load,
              "sets": {name: score(understander, utterances(name)) for name in SETS}}
    result["sentiment"] = sentiment_evaluate.evaluate()
    write("nlu", result, markdown(result))


def markdown(r: dict) -> str:
    lines = [f"Machine: {r['machine']}, load average {r['load']}", "",
             "Made by `python -m bench.nlu` (`make bench`). Typed lines go through the typed path, lines with "
             "call context are read after their context.", "",
             "| set | en | zh | en spoken / typed / context | zh spoken / typed / context "
             "| before context and the new data (en / zh) |",
             "|---|---|---|---|---|---|"]
    for name, label in SETS.items():
        g = r["sets"][name]["groups"]

        def acc(key: str, g: dict = g) -> str:
            return f"{g[key]['accuracy']:.3f}" if key in g else "-"

        before = BEFORE[name]
        was = " / ".join(f"{before[lang]:.3f}" for lang in ("en", "zh"))
        lines.append(f"| {label} | {acc('en/all')} | {acc('zh/all')} | "
                     f"{acc('en/spoken')} / {acc('en/typed')} / {acc('en/context')} | "
                     f"{acc('zh/spoken')} / {acc('zh/typed')} / {acc('zh/context')} | {was} |")
    lines += ["", "| set | right intent but asked (en / zh) | wrong intent, not asked (en / zh) "
              "| ms per turn median / p90 (CPU median) |",
              "|---|---|---|---|"]
    for name, label in SETS.items():
        s = r["sets"][name]
        g = s["groups"]
        ms = s["ms_per_turn"]
        lines.append(f"| {label} | {g['en/all']['right_but_asked']:.1%} / {g['zh/all']['right_but_asked']:.1%} | "
                     f"{g['en/all']['wrong_not_asked']:.1%} / {g['zh/all']['wrong_not_asked']:.1%} | "
                     f"{ms['median']} / {ms['p90']} ({ms['cpu_median']}) |")
    sent = r["sentiment"]["test"]
    lines += ["", f"Text sentiment, test half of the labelled turns: en {sent['en']['accuracy']:.3f}, "
              f"zh {sent['zh']['accuracy']:.3f} (bench/results/sentiment.md).", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
