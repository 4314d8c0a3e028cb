"""The sample calls' scripts as text through the agent: understanding, outcomes and replies without recognition.

`python -m bench.scripts_text [SET...] [--llm] [--show] [--heard DIR]` plays each call's `say` lines, in order, into
the agent (the real understanding model and shop, the call's caller ID) and scores each turn as the replay does
(`voice/replay/score.py`): the intent after the policy, the expected outcome (action and database), the reply
(the facts it must state, nothing forbidden, no contradiction of its action) and false actions. It isolates what
the replay report mixes with speech recognition and timing: a miss here is understanding's or the writer's, not
Whisper's. Replies come from the checked templates (seconds), or with `--llm` from the default reply writer
(the fine-tuned model, its fact check and fallbacks; a few minutes). Prints the misses (`--show`: every turn).
Default sets: samples/calls and samples/calls-unseen (both tuned on; the sealed set is never read here).
`--heard out/eval` plays what the last replay's recogniser heard instead (`out/eval/<set>/report.json`, the
`recognised` text of each turn): the replay's understanding reproduced in seconds, so a change to understanding
can be measured on real recogniser errors without replaying the audio. A turn the replay never heard (the call
had ended) counts as a miss.
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
from voice.replay.replies import judge
from voice.replay.score import grounded_orders, is_false_action, outcome_problem, snapshot
from voicedesk.build import reply_backend
from voicedesk.settings import Settings

SETS = ("samples/calls", "samples/calls-unseen")
FIGURES = ("intents", "outcomes", "replies", "false actions")


def play(agent_for, folder: Path, show: bool, counts: dict[str, list[int]], heard: list[str] | None = None) -> None:
    rows = [json.loads(line) for line in (folder / "scenario.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    head, turns = rows[0], rows[1:]
    if heard is not None:  # the recogniser's words in place of the script's; the expectations stay the script's
        turns = [dict(want, say=heard[i].strip() if i < len(heard) else "") for i, want in enumerate(turns)]
    language = head["language"]
    agent, shop = agent_for()
    call = agent.start_call(head["call"], head.get("caller_id"), language)
    grounded = grounded_orders(turns)
    for i, want in enumerate(turns):
        if not want["say"]:  # never heard: the replay's call had ended
            for name in ("intents", "outcomes", "replies"):
                counts[name][1] += name != "outcomes" or "outcome" in want
            print(f"{head['call']} {i}: not heard")
            continue
        before = snapshot(want, shop)
        out = agent.turn(call, CallerTurn(want["say"], turn_id=str(i), language=language))
        out.reply.text()
        record = out.record()
        problem = outcome_problem(want, [record], before, snapshot(want, shop))
        check = judge(record["reply"], want, [record], language)
        false = is_false_action(record, grounded[i])
        hits = {"intents": out.intent == want["intent"], "outcomes": problem is None if "outcome" in want else None,
                "replies": check["correct"], "false actions": None}
        for name, hit in hits.items():
            if hit is not None:
                counts[name][0] += hit
                counts[name][1] += 1
        counts["false actions"][0] += false
        if show or not all(h is not False for h in hits.values()) or false:
            why = [f"intent {want['intent']} -> {out.intent}"] if not hits["intents"] else []
            why += [problem] if problem else []
            why += [f"reply {dict((k, v) for k, v in check.items() if v and k != 'correct')}"] \
                if not check["correct"] else []
            why += ["FALSE ACTION"] if false else []
            print(f"{head['call']} {i} {want['say']!r}: {'; '.join(why) or 'ok'}\n    -> {record['reply']}")
    shop.close()


def recognised(report: Path) -> dict[str, list[str]]:
    """Call name -> what the replay's recogniser heard in each caller turn ("" for a turn never heard)."""
    calls = json.loads(report.read_text(encoding="utf-8"))["calls"]
    return {c["call"]: [t.get("recognised") or "" for t in c["turns"]] for c in calls}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="*", default=list(SETS))
    parser.add_argument("--llm", action="store_true", help="replies from the default reply writer, not templates")
    parser.add_argument("--show", action="store_true", help="print every turn, not only the misses")
    parser.add_argument("--heard", type=Path, metavar="DIR",
                        help="play the recognised text of the replay reports in DIR/<set>/report.json")
    args = parser.parse_args()
    understander = Understander()
    settings = Settings()
    writer = ReplyWriter(reply_backend(settings.llm) if args.llm else None, settings.writer)

    def agent_for() -> tuple[ShopAgent, Shop]:
        shop = Shop(f"sqlite:///{tempfile.mkdtemp()}/shop.db")
        seed(shop)
        return ShopAgent(shop, understander, writer), shop

    for name in args.sets:
        by_language = {lang: {figure: [0, 0] for figure in FIGURES} for lang in ("en", "zh")}
        heard = recognised(args.heard / Path(name).name / "report.json") if args.heard else {}
        for folder in sorted(p for p in Path(name).iterdir() if (p / "scenario.jsonl").exists()):
            play(agent_for, folder, args.show, by_language["zh" if folder.name.startswith("zh") else "en"],
                 heard.get(folder.name, []) if args.heard else None)
        writer_name = ("LLM writer" if args.llm else "templates") + (", heard text" if args.heard else "")
        for lang, counts in by_language.items():
            shown = ", ".join(f"{figure} {r}/{t}" if figure != "false actions" else f"{figure} {r}"
                              for figure, (r, t) in counts.items())
            print(f"{name} {lang} ({writer_name}): {shown}")


if __name__ == "__main__":
    main()
