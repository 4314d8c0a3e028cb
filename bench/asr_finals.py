"""`make bench` (the latency trade for live finals): how the call session's final decode is made,
accuracy beside decode time, on one draw of the real-speech development set.

The call session decodes its final at the caller's first pause while the end-of-turn timer runs, so
the decode has to fit in that wait: Whisper's whole 30 s window is the most accurate on Mandarin
and takes ~0.9 s on two cores; the encoder cut to the audio plus some silence takes ~0.3 s. Each row
streams the same utterances through `LiveTranscriber` (the session's recogniser, the line's own
rate, stream time) with one way of making the final, and scores the finals: error rate beside the
seconds each final decode took. Partials are not decoded here: the final is decoded afresh and
nothing of the partials reaches it, so leaving them out changes no final and saves most of the CPU.

The draw is the streamed draw of `bench.asr_dev` (every English prompt over 8 s, the rest drawn with
seed 4321); the floor (raw faster-whisper base, from that bench's cache) is scored on the same draw.
Decode times are per final (median / p90) over the finals of at most 8 s of audio (the turn lengths a
call has); they depend on the machine's load, which is written beside them.

`--calls` runs the rows on the caller turns of the sample calls instead (samples/calls, samples/calls-unseen,
as the replay hears them; never the sealed set), scored against the lines the voices read: the shop's own
vocabulary at work, which the development set (read news, IVR prompts) does not have. The calls are synthetic
voices and in-sample; the row "+ the caller's products" is the session's default there (`ShopAgent.vocabulary`).
Usage: python -m bench.asr_finals [--fresh] [--rows N,...] [--calls]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from bench.asr_dev import (
    DEV_ASR,
    FLOOR_KEY,
    ROOT,
    Hypotheses,
    Item,
    audio_for,
    code_key,
    dev_set_here,
    load,
    score,
    streamed_draw,
)
from bench.common import machine, stats, write
from speech.scoring import edits

SUBSETS = {"zh_aishell": "zh", "en_phone8k": "en"}
SHORT_TURN_S = 8.0  # finals this long or shorter count in the decode-time columns


@dataclass(frozen=True)
class Row:
    """One way of making the live final."""

    name: str
    full_window: bool  # Whisper's whole 30 s window, or the audio + `pad_s` of silence
    pad_s: float = 5.0
    beam: int = 5
    preroll_s: float = 0.3  # audio kept from before the VAD's speech start
    prompt: str = "shop"  # "shop" (default), "none", or "caller": the shop prompt and the caller's products


ROWS = [
    Row("trimmed +5 s (default; shop prompt only)", False),
    Row("trimmed +10 s", False, pad_s=10.0),
    Row("trimmed +15 s", False, pad_s=15.0),
    Row("trimmed +5 s, beam 1", False, beam=1),
    Row("trimmed +5 s, pre-roll 0.5 s", False, preroll_s=0.5),
    Row("full 30 s window", True),
    Row("trimmed +5 s, no prompt", False, prompt="none"),
    Row("trimmed +5 s + the caller's products (default on calls)", False, prompt="caller"),
]
CALLERS: dict[str, str] = {}  # call item id -> the call's trusted caller ID (calls only)


def streamed_finals(engine, row: Row):
    """The session's recogniser with `row`'s final, partials left out: (text, [[audio s, decode s]], load average)."""
    from speech.asr.streaming import LiveTranscriber
    from speech.turn import EndOfTurnDetector
    from voice.session import SessionOptions

    class FinalsOnly(LiveTranscriber):
        def _run(self, job: tuple) -> None:
            if job[0] != "partial":
                super()._run(job)

    defaults = SessionOptions()
    streaming = replace(defaults.streaming, preroll_s=row.preroll_s, final_beam_size=row.beam,
                        final_full_window=row.full_window)
    hints = caller_hints() if row.prompt == "caller" else None

    def run(item: Item, condition: str) -> tuple[str, list, float]:
        pcm, rate = audio_for(item, condition)
        finals: list = []
        live = FinalsOnly(engine, lambda e: e.kind == "final" and finals.append(e), language=item.language,
                          sample_rate=rate, turn=EndOfTurnDetector(defaults.turn), options=streaming, realtime=False)
        if hints is not None:
            live.hints = hints(item.id)
        frame = rate // 50
        stream = np.concatenate([pcm, np.zeros(rate, np.float32)])
        for i in range(0, len(stream), frame):
            live.feed(stream[i:i + frame])
        live.close()
        said = [f for f in finals if f.text.strip()]
        text = ("" if item.language == "zh" else " ").join(f.text for f in said)
        return text, [[round(len(f.pcm) / 16000, 2), round(f.asr_s, 4)] for f in finals], os.getloadavg()[0]

    return run


def configure(engine, row: Row, defaults) -> None:
    engine.options = replace(defaults, pad_s=row.pad_s, prompts={} if row.prompt == "none" else defaults.prompts)


def caller_hints() -> Callable[[str], dict]:
    """Call item id -> the words the session would hint for its caller: the agent's `vocabulary` on the demo shop
    (the products of the caller's latest orders), for a trusted caller ID; nothing for a withheld one."""
    from dialog.actions.facts import products_of
    from dialog.security import identify_caller
    from dialog.shop.db import Shop
    from dialog.shop.seed import seed
    from dialog.types import CallState

    shop = Shop(f"sqlite:///{tempfile.mkdtemp()}/shop.db")
    seed(shop, ROOT / "samples" / "shop")

    def hints(item_id: str) -> dict:  # as ShopAgent.vocabulary does it
        return products_of(shop, identify_caller(shop, CallState(call_id="bench", caller_id=CALLERS.get(item_id))))

    return hints


def call_items() -> dict[str, list[Item]]:
    """The caller turns of the sample calls we may tune on (samples/calls, samples/calls-unseen; never the
    sealed set), as items: subset `<set>-<lang>`, reference = the line the caller's voice was made from."""
    from voice.replay.scenario import find_calls

    out: dict[str, list[Item]] = {}
    for folder in ("calls", "calls-unseen"):
        for call in find_calls([ROOT / "samples" / folder]):
            for n, turn in enumerate(call.turns, 1):
                path = call.folder / turn["audio"]
                out.setdefault(f"{folder}-{call.language}", []).append(
                    Item(f"{folder}-{call.language}", f"{call.id}/{n}", path, call.language, turn["say"], 0.0))
                if call.header.get("caller_id"):
                    CALLERS[f"{call.id}/{n}"] = call.header["caller_id"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="decode everything again (no cached hypotheses)")
    parser.add_argument("--rows", default="", help="comma-separated row numbers, from 1 (default: all)")
    parser.add_argument("--calls", action="store_true",
                        help="the sample calls' caller turns (samples/calls, samples/calls-unseen), not the dev set")
    args = parser.parse_args()
    if not args.calls and not dev_set_here("bench.asr_finals"):
        return
    from speech.asr.whisper import WhisperEngine

    engine = WhisperEngine()
    defaults = engine.options
    wanted = [r for n, r in enumerate(ROWS, 1) if not args.rows or str(n) in args.rows.split(",")]
    if args.calls:
        draws = call_items()
        result: dict = {"machine": machine(), "dev_set": "sample calls (synthetic voices; in-sample)",
                        "rows": {}, "whole_file": {}}
    else:
        draws = {subset: streamed_draw(load(subset)) for subset in SUBSETS}
        result = {"machine": machine(), "dev_set": DEV_ASR.name, "rows": {}, "whole_file": {}}
        result["whole_file"] = whole_file_cells(draws, defaults)
    for row in wanted:
        configure(engine, row, defaults)
        key = code_key("streamed", engine.options, row)
        started = time.monotonic()
        cells, loads = {}, []
        run = streamed_finals(engine, row)
        for subset, items in draws.items():
            cache = Hypotheses(f"finals-{subset}", key, args.fresh)
            todo = sum(1 for i in items if i.id not in cache.data)
            print(f"  {row.name} {subset}: {todo} to decode", file=sys.stderr, flush=True)
            out = {i.id: cache.get(i, lambda i, run=run: run(i, "native")) for i in items}
            cache.save()
            total = sum(edits(i.text, out[i.id][0], i.language)[0] for i in items)
            tokens = sum(edits(i.text, out[i.id][0], i.language)[1] for i in items)
            short = [s for i in items for audio_s, s in out[i.id][1] if audio_s <= SHORT_TURN_S]
            loads += [out[i.id][2] for i in items]
            cells[subset] = {"n": len(items), "edits": total, "tokens": tokens,
                             "error_rate": round(total / max(1, tokens), 4), "decode_s": stats(short)}
        result["rows"][row.name] = {"row": row.__dict__, "cells": cells, "load": stats(loads),
                                    "wall_s": round(time.monotonic() - started, 1)}
        engine.options = defaults
    write("asr_finals-calls" if args.calls else "asr_finals", result, markdown(result))


def whole_file_cells(draws: dict[str, list[Item]], defaults) -> dict:
    """The same draw through bench.asr_dev (floor, transcribe), from its cache."""
    out = {}
    whole_file = {"floor: raw faster-whisper base": ("floor", FLOOR_KEY),
                  "transcribe (30 s window, as files)": ("transcribe", code_key("transcribe", defaults))}
    for name, (system, key) in whole_file.items():
        cells = {}
        for subset, items in draws.items():
            cached = Hypotheses(f"{system}-{subset}-native", key, False).data
            if all(i.id in cached for i in items):
                cells[subset] = score(items, {i.id: tuple(cached[i.id]) for i in items})
        if len(cells) == len(draws):
            out[name] = cells
    return out


def rate(cell: dict) -> str:
    return f"{cell['error_rate']:.1%} ({cell['edits']}/{cell['tokens']})"


def markdown(r: dict) -> str:
    subsets = list(next(iter(r["rows"].values()))["cells"]) if r["rows"] else []
    head = " | ".join(f"{s} {'CER' if 'zh' in s else 'WER'} | {s} decode, s" for s in subsets)
    lines = [f"Machine: {r['machine']}. Set: `{r['dev_set']}`; decode seconds per final of at most 8 s of audio "
             "(median / p90); the 1-minute load average while each row was decoded (median / p90).", "",
             f"| final | {head} | load |", "|---|" + "---|---|" * len(subsets) + "---|"]
    for name, cells in r["whole_file"].items():
        lines.append(f"| {name}, whole file | " + " | ".join(f"{rate(cells[s])} | -" for s in subsets) + " | - |")
    for name, row in r["rows"].items():
        t = lambda c: (f"{c['decode_s']['median']:.2f} / {c['decode_s']['p90']:.2f}"  # noqa: E731
                       if c["decode_s"].get("n") else "-")
        load = f"{row['load']['median']:.1f} / {row['load']['p90']:.1f}"
        lines.append(f"| {name} | " + " | ".join(f"{rate(row['cells'][s])} | {t(row['cells'][s])}" for s in subsets)
                     + f" | {load} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
