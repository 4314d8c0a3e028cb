"""Score understanding on an evaluation set: `python -m dialog.nlu.evaluate [handwritten|dev]`.

Each line is read the way a call reads it: typed lines on the typed path, and lines with context after
their context (`context.context_from_transcript`). Reports intent accuracy per language (overall, spoken,
typed, with context), how often a turn whose intent was right still got a clarifying question (and of
which kind), how often a wrong intent went out with no question, and the time per turn. The sealed test
set is scored only by `make bench` (bench/nlu.py): do not tune on it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter, defaultdict

import numpy as np

from dialog.nlu.clarify import can_offer
from dialog.nlu.context import context_from_transcript
from dialog.nlu.data import Utterance, utterances
from dialog.nlu.understander import Understander
from dialog.types import Understanding


def read(understander: Understander, line: Utterance) -> Understanding:
    typed = line.form == "typed"
    context = None
    if line.context:
        context = context_from_transcript(
            [(t.who, t.text) for t in line.context], line.language,
            lambda text, lang, ctx: understander.understand(text, lang, context=ctx, typed=typed))
    return understander.understand(line.text, line.language, context=context, typed=typed)


def score(understander: Understander, lines: tuple[Utterance, ...] | list[Utterance]) -> dict:
    groups: dict[str, list[tuple[Utterance, Understanding]]] = defaultdict(list)
    times: list[float] = []
    cpu: list[float] = []
    confusions: Counter[tuple[str, str]] = Counter()
    for line in lines:
        start, start_cpu = time.perf_counter(), time.process_time()
        u = read(understander, line)
        if not line.context:  # a context line also reads its earlier turns: not one turn's cost
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        kinds = ["all", "context" if line.context else line.form]
        for kind in kinds:
            groups[f"{line.language}/{kind}"].append((line, u))
        if u.intent != line.intent:
            confusions[(line.intent, u.intent)] += 1
    out: dict = {"n": len(lines), "groups": {}}
    for key, pairs in sorted(groups.items()):
        right = [u for line, u in pairs if u.intent == line.intent]
        wrong = [u for line, u in pairs if u.intent != line.intent]
        out["groups"][key] = {
            "n": len(pairs), "accuracy": round(len(right) / len(pairs), 3),
            "right_but_asked": round(sum(u.clarify is not None for u in right) / max(1, len(right)), 3),
            "asked_kinds": dict(Counter(u.clarify_kind for u in right if u.clarify_kind)),
            "wrong_not_asked": round(sum(u.clarify is None for u in wrong) / max(1, len(wrong)), 3),
        }
    # Wall time, and CPU time (steadier on a shared machine: a busy neighbour stretches wall time only).
    out["ms_per_turn"] = {"n": len(times), "median": round(statistics.median(times) * 1000, 1),
                          "p90": round(float(np.percentile(times, 90)) * 1000, 1),
                          "cpu_median": round(statistics.median(cpu) * 1000, 1)} if times else {}
    out["top_confusions"] = [f"{a} -> {b}: {n}" for (a, b), n in confusions.most_common(12)]
    return out


def tune(understander: Understander, lines: tuple[Utterance, ...] | list[Utterance]) -> list[dict]:
    """When to ask back (`understander.CONFIDENT`, `MARGIN`), replayed on one reading of each line: for each
    pair, the share of right-intent turns that would be asked (target <= 5%) and of wrong ones that would go
    out unasked. Noise and turns the context resolved are asked or not whatever the thresholds."""
    readings = [(line, read(understander, line)) for line in lines]
    grid = []
    for confident in (0.25, 0.3, 0.35, 0.4, 0.45, 0.5):
        for margin in (0.0, 0.05, 0.1, 0.15):
            row: dict = {"confident": confident, "margin": margin}
            for lang in ("en", "zh"):
                right = wrong = right_asked = wrong_unasked = 0
                for line, u in readings:
                    if line.language != lang:
                        continue
                    runner_up = u.alternatives[0][1] if u.alternatives else 0.0
                    offer = can_offer([(u.intent, u.confidence), *u.alternatives])
                    asked = u.clarify_kind == "noise" or (u.act == "request" and offer and (
                        u.confidence < confident or u.confidence - runner_up < margin))
                    if u.intent == line.intent:
                        right, right_asked = right + 1, right_asked + asked
                    else:
                        wrong, wrong_unasked = wrong + 1, wrong_unasked + (not asked)
                row[lang] = {"right_but_asked": round(right_asked / max(1, right), 3),
                             "wrong_not_asked": round(wrong_unasked / max(1, wrong), 3)}
            grid.append(row)
    return grid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("set", nargs="?", default="dev", choices=["handwritten", "dev"])
    parser.add_argument("--tune", action="store_true", help="replay the ask-back thresholds on the set")
    args = parser.parse_args()
    understander = Understander()
    if args.tune:
        for row in tune(understander, utterances(args.set)):
            print(json.dumps(row))
        return
    print(json.dumps(score(understander, utterances(args.set)), indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
