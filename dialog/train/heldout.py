"""The held-out replies the fine-tuned model is judged on: real action results, replies written by someone else.

`python -m dialog.train.heldout cases OUT.jsonl --calls DIR...` writes the cases a writer is given: every
outcome the model may word (one real result per outcome and language, from the demo shop) and every
turn of the given sample calls whose reply the model would write (their text run through the agent on
a fresh shop). Each case shows the facts exactly as the prompt shows them. A writer who never saw the
templates or the training set wrote, for each, the reply a good agent would give and which facts it
must state; that file (`dialog/train/heldout/replies.jsonl`) is what `load()` reads, and no training
source may contain its sentences (tests/test_eval_sets.py).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dialog.contract import ActionResult, facts_type
from dialog.generate.prompt import facts_shown, outcome_line
from dialog.types import Language

REPLIES = Path(__file__).with_name("heldout") / "replies.jsonl"


@dataclass(frozen=True)
class HeldOut:
    id: str
    result: ActionResult
    language: Language
    caller_text: str
    reference: str  # the writer's reply
    must_say: tuple[str, ...]  # fact names the writer says a good reply states


def case(result: ActionResult, language: Language, caller: str, source: str, n: int) -> dict:
    return {"id": f"h{n:03d}", "source": source, "language": language, "caller": caller,
            "result": {**result.record(), "as_of": result.as_of and result.as_of.isoformat()},
            "facts_type": type(result.facts).__name__, "facts": result.facts.as_dict(),
            "outcome": outcome_line(result), "shown": facts_shown(result, language)}


def result_of(row: dict) -> ActionResult:
    r = row["result"]
    return ActionResult(r["name"], r["ok"], facts_type(row["facts_type"]).from_dict(row["facts"]), r["reason"],
                        changed=r["changed"], handoff=r["handoff"], ticket_id=r["ticket"], target=r["target"],
                        as_of=date.fromisoformat(r["as_of"]) if r.get("as_of") else None)


def load(path: Path = REPLIES) -> list[HeldOut]:
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        row = json.loads(line)
        try:
            unknown = set(row["must_say"]) - set(row["shown"])
            if unknown:
                raise ValueError(f"must_say names facts the case does not show: {sorted(unknown)}")
            out.append(HeldOut(row["id"], result_of(row), row["language"], row["caller"], row["reply"],
                               tuple(row["must_say"])))
        except (KeyError, ValueError, TypeError) as e:
            raise ValueError(f"{path}:{n}: {e}") from None
    return out


def _outcome_cases(rng: random.Random) -> list[tuple[ActionResult, Language, str, str]]:
    from dialog.train.dataset import real_results

    by_outcome: dict[tuple[str, str, str], list[ActionResult]] = {}
    for result, language in real_results(seed_=11):
        by_outcome.setdefault((str(result.action), str(result.outcome), language), []).append(result)
    return [(rng.choice(results), lang, "", f"outcome {action} {outcome}")
            for (action, outcome, lang), results in sorted(by_outcome.items())]


def _call_cases(folders: list[Path]) -> list[tuple[ActionResult, Language, str, str]]:
    """The agent's result for each turn of each call (its text, on a fresh demo shop), when the model words it."""
    from dialog.agent import ShopAgent
    from dialog.generate.writer import ReplyWriter, scripted
    from dialog.knowledge import cache_path_for
    from dialog.nlu.understander import Understander
    from dialog.shop.db import Shop
    from dialog.shop.seed import seed
    from dialog.types import CallerTurn

    understander = Understander()
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for folder in folders:
            for scenario in sorted(folder.glob("*/scenario.jsonl")):
                rows = [json.loads(x) for x in scenario.read_text(encoding="utf-8").splitlines()]
                header, turns = rows[0], rows[1:]
                db_path = Path(tmp) / f"{header['call']}.db"
                shop = Shop(f"sqlite:///{db_path}")
                seed(shop)
                if cache_path_for(Shop()).exists():
                    shutil.copy(cache_path_for(Shop()), cache_path_for(shop))
                agent = ShopAgent(shop, understander, ReplyWriter(None))
                call = agent.start_call(header["call"], header["caller_id"], header["language"])
                for i, turn in enumerate(turns, 1):
                    outcome = agent.turn(call, CallerTurn(turn["say"], header["language"], str(i)))
                    outcome.reply.text()
                    if not scripted(outcome.result):
                        out.append((outcome.result, header["language"], turn["say"], f"call {header['call']} turn {i}"))
                shop.close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dialog.train.heldout", description=__doc__)
    sub = ap.add_subparsers(dest="command", required=True)
    cases = sub.add_parser("cases", help="write the cases for a writer")
    cases.add_argument("out", type=Path)
    cases.add_argument("--calls", type=Path, nargs="*", default=[])
    args = ap.parse_args(argv)
    rng = random.Random(5)
    rows = _outcome_cases(rng) + _call_cases(args.calls)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as f:
        for n, (result, language, caller, source) in enumerate(rows, 1):
            f.write(json.dumps(case(result, language, caller, source, n), ensure_ascii=False) + "\n")
    print(f"{len(rows)} cases -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
