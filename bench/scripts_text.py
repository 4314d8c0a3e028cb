"""The sample calls' scripts as text through the agent: understanding in the call's context, without recognition.

`python -m bench.scripts_text [SET...] [--show]` plays each call's `say` lines, in order, into the agent (the real
understanding model and shop, template replies, the call's caller ID) and counts the turns whose intent after the
policy is the scenario's. It isolates what the replay report mixes with speech recognition: a wrong intent here is
understanding's, not Whisper's. Seconds, not minutes; prints the misses (`--show`: every turn with its reply).
Default sets: samples/calls and samples/calls-unseen (both tuned on; the sealed set is never read here).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from dialog.agent import ShopAgent
from dialog.generate.writer import ReplyWriter
from dialog.nlu.understander import Understander
from dialog.shop.db import Shop
from dialog.shop.seed import seed
from dialog.types import CallerTurn

SETS = ("samples/calls", "samples/calls-unseen")


def play(agent_for, folder: Path, show: bool) -> tuple[int, int]:
    rows = [json.loads(line) for line in (folder / "scenario.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    head, turns = rows[0], rows[1:]
    agent, shop = agent_for()
    call = agent.start_call(head["call"], head.get("caller_id"), head["language"])
    right = total = 0
    for i, turn in enumerate(turns):
        out = agent.turn(call, CallerTurn(turn["say"], turn_id=str(i), language=head["language"]))
        reply = out.reply.text()
        want = turn.get("intent")
        ok = want is None or out.intent == want
        right, total = right + (ok and want is not None), total + (want is not None)
        if show or not ok:
            print(f"{head['call']} {i} {'ok  ' if ok else 'MISS'} {turn['say']!r}: {want} -> {out.intent} "
                  f"({out.understanding.intent} {out.understanding.act} {out.understanding.confidence:.2f}) | {reply}")
    shop.close()
    return right, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", default=list(SETS))
    parser.add_argument("--show", action="store_true", help="print every turn, not only the misses")
    args = parser.parse_args()
    understander = Understander()

    def agent_for() -> tuple[ShopAgent, Shop]:
        shop = Shop(f"sqlite:///{tempfile.mkdtemp()}/shop.db")
        seed(shop)
        return ShopAgent(shop, understander, ReplyWriter(None)), shop

    for name in args.sets:
        counts = {"en": [0, 0], "zh": [0, 0]}
        for folder in sorted(p for p in Path(name).iterdir() if (p / "scenario.jsonl").exists()):
            right, total = play(agent_for, folder, args.show)
            language = "zh" if folder.name.startswith("zh") else "en"
            counts[language][0] += right
            counts[language][1] += total
        print(f"{name}: " + ", ".join(f"{lang} {r}/{t} intents right" for lang, (r, t) in counts.items()))


if __name__ == "__main__":
    main()
