"""`python -m dialog.train`: build the dialogue set, tune the LoRA, export it, compare base vs tuned.

The comparison runs on the held-out replies written independently (dialog/train/heldout/), never on the
training generator. Writes the adapter (default dialog/train/adapters/voicedesk-reply-lora.gguf) and
bench/results/finetune.{json,md}. `--eval-only` compares the adapter at --adapter without training.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from dialog.generate.backends import DEFAULT_ADAPTER
from dialog.train import heldout
from dialog.train.dataset import make_examples, real_results, save_jsonl

RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dialog.train", description=__doc__)
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--max-minutes", type=float, default=13.0, help="stop training early after this long")
    ap.add_argument("--train-size", type=int, default=640)
    ap.add_argument("--adapter", type=Path, default=DEFAULT_ADAPTER)
    ap.add_argument("--data-dir", type=Path, default=None, help="also write train/test JSONL here")
    ap.add_argument("--eval-only", action="store_true")
    ap.add_argument("--resume", action="store_true", help="go on training the adapter at --adapter")
    ap.add_argument("--results", type=Path, default=RESULTS)
    args = ap.parse_args(argv)

    def log(message: str) -> None:
        print(message, flush=True)

    train_set = make_examples(args.train_size, seed_=1, pool=real_results())
    test_set = heldout.load()
    if args.data_dir:
        args.data_dir.mkdir(parents=True, exist_ok=True)
        save_jsonl(train_set, args.data_dir / "train.jsonl")
    info = None
    if not args.eval_only:
        from dialog.train.finetune import TrainSettings, train

        settings = TrainSettings(steps=args.steps, max_minutes=args.max_minutes)
        resume = args.adapter if args.resume and args.adapter.exists() else None
        info = train(train_set, args.adapter, settings, log=log, resume=resume)
    elif not args.adapter.exists():
        print(f"no adapter at {args.adapter}", file=sys.stderr)
        return 1
    from dialog.train.evaluate import compare, markdown, writer_latency

    report = compare(test_set, args.adapter, log=log)
    report["training"] = info
    report["writer"] = writer_latency(test_set[:16], args.adapter)
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "finetune.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    (args.results / "finetune.md").write_text(markdown(report, info), encoding="utf-8")
    for name, model in report["models"].items():
        log(f"{name}: {json.dumps(model['summary'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
