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
    confusions: Counter[tuple[str, str]] = Counter()
    for line in lines:
        start = time.perf_counter()
        u = read(understander, line)
        if not line.context:  # a context line also reads its earlier turns: not one turn's cost
            times.append(time.perf_counter() - start)
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
    out["ms_per_turn"] = {"n": len(times), "median": round(statistics.median(times) * 1000, 1),
                          "p90": round(float(np.percentile(times, 90)) * 1000, 1)} if times else {}
    out["top_confusions"] = [f"{a} -> {b}: {n}" for (a, b), n in confusions.most_common(12)]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("set", nargs="?", default="dev", choices=["handwritten", "dev"])
    args = parser.parse_args()
    print(json.dumps(score(Understander(), utterances(args.set)), indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
