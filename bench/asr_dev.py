"""`make bench` (real speech): the recogniser on the development set of human recordings.

The set (Mandarin read speech, English 8 kHz telephone prompts; `../shared/dev/asr/`, see its README)
is for evaluation only: it is read from where it lies, never copied into the repo, never trained on.
Its path is the setting VOICEDESK_DEV_ASR (default `../shared/dev/asr` beside the repo root); when
it is absent the bench says so and skips.

For every subset, beside each other, scored with one normaliser (`speech.scoring`, the set's rules):
- floor: raw faster-whisper base as it comes (WhisperModel int8, beam 5, the language given,
  defaults otherwise, `set_random_seed(1234)` per subset, Chinese after OpenCC t2s), as the set's
  README measured it;
- transcribe: `voicedesk transcribe`'s pipeline (VAD windows, seams, filters, digits);
- streamed: the live path of `voicedesk listen` and the call session, at the line's own rate, with
  the call session's default options (partials every 0.5 s, speculative final, end of turn), fed
  as fast as it computes (stream time: reproducible);
- noise: transcribe and streamed on the phone channel (300-3400 Hz, 8 kHz, mu-law) clean and with
  pink or babble noise at 20, 15 and 12 dB, on a fixed draw of utterances per language.
The streamed path replays every 0.5 s partial decode, so it runs on a fixed draw per subset (every
English prompt over 8 s in it), scored beside the floor and transcribe on the same draw.
Hypotheses are cached per system under out/bench-cache/asr_dev/, keyed by the speech code and
options that made them, so a rerun after a change decodes only what the change touches.
Usage: python -m bench.asr_dev [--fresh] [--skip-noise] [--only SYSTEM,...] [--subsets SUBSET,...]
"""

from __future__ import annotations

import argparse
import ast
import csv
import hashlib
import json
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.common import machine, stats, write
from bench.noise import PHONE_RATE, on_the_line
from speech.asr.base import SAMPLE_RATE
from speech.audio import read_audio, resample
from speech.scoring import edits

ROOT = Path(__file__).resolve().parents[1]
DEV_ASR = Path(os.environ.get("VOICEDESK_DEV_ASR") or ROOT.parent / "shared" / "dev" / "asr")
CACHE = ROOT / "out" / "bench-cache" / "asr_dev"
SUBSETS = {"zh_aishell": "zh", "en_phone8k": "en", "en_phone8k_long": "en"}
NOISE_DRAW = 16  # utterances per language for the noise conditions (two shared cores: see docs/speech.md)
STREAMED_DRAW = 40  # utterances per subset for the streamed path (English: every prompt over 8 s, then a draw)
CONDITIONS = ["clean"] + [f"{kind}-{snr}db" for kind in ("pink", "babble") for snr in (20, 15, 12)]
# The code each system's hypotheses depend on: a change there decodes them again.
CODE = {"transcribe": ["asr/whisper.py", "asr/filters.py", "asr/digits.py", "asr/seams.py", "vad.py", "audio.py"]}
CODE["streamed"] = CODE["transcribe"] + ["asr/streaming.py", "turn.py"]
FLOOR_KEY = "fw-1.2.1-base-int8-beam5"  # the floor depends on no code of ours


@dataclass(frozen=True)
class Item:
    subset: str
    id: str
    path: Path
    language: str
    text: str
    duration_s: float


def load(subset: str) -> list[Item]:
    folder = DEV_ASR / subset
    with (folder / "manifest.tsv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [Item(subset, r["id"], folder / r["file"], r["lang"], r["text"], float(r["dur_s"])) for r in rows]


def code_key(system: str, *extra: object) -> str:
    """The code and options that made a system's hypotheses: a comment or docstring edit keeps the cache."""
    h = hashlib.sha1()
    for name in CODE[system]:
        path = ROOT / "speech" / name
        h.update(code_only(path.read_text()).encode() if path.exists() else b"-")
    h.update(repr((system, *extra)).encode())
    return h.hexdigest()[:12]


def code_only(source: str) -> str:
    """A module's syntax tree without its docstrings (comments are not in the tree)."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


class Hypotheses:
    """One system's outputs on one subset and condition, cached on disk: id -> (text, seconds)."""

    def __init__(self, name: str, key: str, fresh: bool) -> None:
        self.path = CACHE / f"{name}-{key}.json"
        self.data: dict[str, list] = {} if fresh or not self.path.exists() else json.loads(self.path.read_text())

    def get(self, item: Item, run: Callable[[Item], tuple[str, float]]) -> tuple[str, float]:
        if item.id not in self.data:
            self.data[item.id] = list(run(item))
        return tuple(self.data[item.id])  # type: ignore[return-value]

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.data, ensure_ascii=False, indent=0))


# --- audio for a condition -----------------------------------------------------------------------
_babble_voices: dict[int, list[np.ndarray]] = {}


def babble_voices(rate: int) -> list[np.ndarray]:
    """Other people talking: recordings from both subsets not in the noise draw's first few."""
    if rate not in _babble_voices:
        pool = [i for s in ("zh_aishell", "en_phone8k") for i in load(s) if 3.0 < i.duration_s < 9.0]
        picked = random.Random(7).sample(pool, 12)
        _babble_voices[rate] = [read_audio(i.path, sample_rate=rate).pcm for i in picked]
    return _babble_voices[rate]


def audio_for(item: Item, condition: str) -> tuple[np.ndarray, int]:
    """The item's audio at the rate a line would deliver it: its own rate clean, 8 kHz on the phone channel."""
    if condition == "native":
        audio = read_audio(item.path, sample_rate=None)
        return audio.pcm, audio.sample_rate
    audio = read_audio(item.path, sample_rate=None)
    kind, _, snr = condition.partition("-")
    seed = int(hashlib.sha1(f"{item.id}/{condition}".encode()).hexdigest()[:8], 16)
    voices = babble_voices(audio.sample_rate) if kind == "babble" else None
    return on_the_line(audio.pcm, audio.sample_rate, kind, float(snr[:-2]) if snr else None, seed, voices), PHONE_RATE


# --- the systems ---------------------------------------------------------------------------------
def floor_system(threads: int = 2):
    """faster-whisper base exactly as the development set's README ran it."""
    import ctranslate2
    from faster_whisper import WhisperModel

    from speech import models
    from speech.asr.filters import to_simplified

    model = WhisperModel(str(models.path(models.WHISPER_BASE)), device="cpu", compute_type="int8", cpu_threads=threads)

    def run(item: Item, condition: str) -> tuple[str, float]:
        source = str(item.path) if condition == "native" else resample(*audio_for(item, condition), SAMPLE_RATE)
        started = time.perf_counter()
        segments, _ = model.transcribe(source, language=item.language, beam_size=5)
        text = "".join(s.text for s in segments).strip()
        seconds = time.perf_counter() - started
        return (to_simplified(text) if item.language == "zh" else text), seconds

    def start_subset(items: list[Item], condition: str) -> None:
        ctranslate2.set_random_seed(1234)
        run(items[0], condition)  # untimed warm-up, as the README's runs did

    return run, start_subset


def transcribe_system(engine):
    from speech.asr.whisper import WhisperTranscriber

    transcriber = WhisperTranscriber(engine)

    def run(item: Item, condition: str) -> tuple[str, float]:
        pcm, rate = audio_for(item, condition)
        pcm = resample(pcm, rate, SAMPLE_RATE)
        started = time.perf_counter()
        text = transcriber.transcribe(pcm, item.language).text
        return text, time.perf_counter() - started

    return run, None


def streamed_system(engine):
    """The call session's recogniser with the session's default options, as `voicedesk listen --fast` runs it."""
    from speech.asr.streaming import LiveTranscriber
    from speech.turn import EndOfTurnDetector
    from voice.session import SessionOptions

    defaults = SessionOptions()

    def run(item: Item, condition: str) -> tuple[str, float]:
        pcm, rate = audio_for(item, condition)
        finals: list[str] = []
        live = LiveTranscriber(engine, lambda e: e.kind == "final" and finals.append(e.text), language=item.language,
                               sample_rate=rate, turn=EndOfTurnDetector(defaults.turn), options=defaults.streaming,
                               realtime=False)
        frame = rate // 50
        stream = np.concatenate([pcm, np.zeros(rate, np.float32)])
        started = time.perf_counter()
        for i in range(0, len(stream), frame):
            live.feed(stream[i:i + frame])
        live.close()
        return (("" if item.language == "zh" else " ").join(f for f in finals if f.strip()),
                time.perf_counter() - started)

    return run, None


def score(items: list[Item], outputs: dict[str, tuple[str, float]]) -> dict:
    total_edits = total_tokens = 0
    for item in items:
        e, n = edits(item.text, outputs[item.id][0], item.language)
        total_edits, total_tokens = total_edits + e, total_tokens + n
    seconds = [outputs[i.id][1] for i in items]
    audio = sum(i.duration_s for i in items)
    return {"n": len(items), "error_rate": round(total_edits / max(1, total_tokens), 4), "edits": total_edits,
            "tokens": total_tokens, "latency_s": stats(seconds), "rtf": round(sum(seconds) / audio, 3)}


def evaluate(name: str, system, items: list[Item], condition: str, key: str, fresh: bool,
             cached_only: bool = False) -> dict[str, tuple] | None:
    run, start = system
    cache = Hypotheses(f"{name}-{items[0].subset}-{condition}", key, fresh)
    todo = [i for i in items if i.id not in cache.data]
    if todo and cached_only:
        print(f"  {name} {items[0].subset} {condition}: not decoded yet, left out", file=sys.stderr)
        return None
    if todo and start:
        start(items, condition)
    print(f"  {name} {items[0].subset} {condition}: {len(todo)} to decode, {len(items) - len(todo)} cached",
          file=sys.stderr, flush=True)
    out = {i.id: cache.get(i, lambda i: run(i, condition)) for i in items}
    cache.save()
    return out


def noise_draw(items: list[Item], language: str) -> list[Item]:
    """A fixed draw of utterances long enough to carry words (English single-word prompts left out)."""
    pool = [i for i in items if i.duration_s <= 10.0 and (language == "zh" or i.duration_s > 1.5)]
    return sorted(random.Random(4321).sample(pool, min(NOISE_DRAW, len(pool))), key=lambda i: i.id)


def streamed_draw(items: list[Item]) -> list[Item]:
    if len(items) <= STREAMED_DRAW:
        return items
    long = [i for i in items if i.duration_s > 8.0]
    rest = [i for i in items if i.duration_s <= 8.0]
    return sorted(long + random.Random(4321).sample(rest, STREAMED_DRAW - len(long)), key=lambda i: i.id)


def dev_set_here(bench: str) -> bool:
    """Is the development set where VOICEDESK_DEV_ASR says? If not, `bench` says so and is skipped."""
    if (DEV_ASR / "zh_aishell" / "manifest.tsv").exists():
        return True
    print(f"{bench}: the development set is not at {DEV_ASR} (set VOICEDESK_DEV_ASR): skipped", file=sys.stderr)
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="decode everything again (no cached hypotheses)")
    parser.add_argument("--skip-noise", action="store_true")
    parser.add_argument("--only", default="floor,transcribe,streamed")
    parser.add_argument("--subsets", default=",".join(SUBSETS), help="comma-separated subsets to run")
    parser.add_argument("--cached-only", action="store_true",
                        help="report only what earlier runs decoded (the tables say what is left out)")
    args = parser.parse_args()
    if not dev_set_here("bench.asr_dev"):
        return
    from speech.asr.whisper import WhisperEngine

    engine = WhisperEngine()
    systems = {"floor": lambda: floor_system(), "transcribe": lambda: transcribe_system(engine),
               "streamed": lambda: streamed_system(engine)}
    wanted = args.only.split(",")
    made = {name: make() for name, make in systems.items() if name in wanted}
    keys = {"floor": FLOOR_KEY, "transcribe": code_key("transcribe", engine.options),
            "streamed": code_key("streamed", engine.options)}
    subsets = {name: load(name) for name in SUBSETS if name in args.subsets.split(",")}
    result: dict = {"machine": machine(), "load": os.getloadavg(), "dev_set": str(DEV_ASR.name), "subsets": {},
                    "noise": {}}
    outputs: dict = {}
    result["streamed_draw"] = {}
    for subset, items in subsets.items():
        result["subsets"][subset] = {}
        for name, system in made.items():
            chosen = streamed_draw(items) if name == "streamed" else items
            out = evaluate(name, system, chosen, "native", keys[name], args.fresh, args.cached_only)
            if out is None:
                continue
            outputs[(name, subset)] = out
            if name != "streamed":
                result["subsets"][subset][name] = score(items, out)
        done = [n for n in made if (n, subset) in outputs]
        if (("streamed", subset) in outputs):
            draw = streamed_draw(items)
            result["streamed_draw"][subset] = {n: score(draw, outputs[(n, subset)]) for n in done}
        if subset == "en_phone8k":
            longer = [i for i in items if i.duration_s > 8.0]
            result["subsets"]["en_phone8k > 8 s"] = {n: score(longer, outputs[(n, subset)]) for n in done}
    if not args.skip_noise and "zh_aishell" in subsets and "en_phone8k" in subsets and "transcribe" in made:
        for subset, language in (("zh_aishell", "zh"), ("en_phone8k", "en")):
            draw = noise_draw(subsets[subset], language)
            result["noise"][language] = {"transcribe": {}}
            for c in CONDITIONS:  # the streamed path: see docs/speech.md
                out = evaluate("transcribe", made["transcribe"], draw, c, keys["transcribe"], args.fresh,
                               args.cached_only)
                if out is not None:
                    result["noise"][language]["transcribe"][c] = score(draw, out)
    result["load_after"] = os.getloadavg()
    write("asr_dev", result, markdown(result))
    write_hypotheses(subsets, outputs)


def write_hypotheses(subsets: dict[str, list[Item]], outputs: dict) -> None:
    """Per-utterance outputs, for reading failures (out/, never committed: the references are the set's)."""
    folder = ROOT / "out" / "asr_dev"
    folder.mkdir(parents=True, exist_ok=True)
    for subset, items in subsets.items():
        names = [n for (n, s) in outputs if s == subset]
        with (folder / f"{subset}.tsv").open("w", encoding="utf-8") as f:
            f.write("\t".join(["id", "dur_s", "ref"] + [c for n in names for c in (n, f"{n}_edits")]) + "\n")
            for i in items:
                cells = [i.id, f"{i.duration_s:.2f}", i.text]
                for n in names:
                    hyp = outputs[(n, subset)].get(i.id, ("",))[0]  # the streamed path ran on a draw
                    cells += [hyp.replace("\t", " "), str(edits(i.text, hyp, i.language)[0])]
                f.write("\t".join(cells) + "\n")


def markdown(r: dict) -> str:
    lines = [f"Machine: {r['machine']}; load average {r['load'][0]:.1f} before, {r['load_after'][0]:.1f} after",
             f"Development set: `{r['dev_set']}` (real human speech; evaluation only)", "",
             "| subset | metric | floor: raw faster-whisper base | transcribe | streamed (call session) |",
             "|---|---|---|---|---|"]
    cell = lambda s: f"{s['error_rate']:.1%} ({s['edits']}/{s['tokens']})" if s else "-"  # noqa: E731
    for subset, systems in r["subsets"].items():
        metric = "CER" if subset.startswith("zh") else "WER"
        lines.append(f"| {subset} | {metric} | {cell(systems.get('floor'))} | {cell(systems.get('transcribe'))} | "
                     f"{cell(systems.get('streamed'))} |")
    if r.get("streamed_draw"):
        lines += ["", "The streamed path on its draw (every English prompt over 8 s, the rest drawn), beside the "
                  "others on the same utterances:", "",
                  "| subset (draw) | n | floor | transcribe | streamed (call session) |", "|---|---|---|---|---|"]
        for subset, systems in r["streamed_draw"].items():
            lines.append(f"| {subset} | {systems['streamed']['n']} | {cell(systems.get('floor'))} | "
                         f"{cell(systems.get('transcribe'))} | {cell(systems.get('streamed'))} |")
    lines += ["", "| subset | latency per utterance, s (median / p90), RTF | floor | transcribe | streamed |",
              "|---|---|---|---|---|"]
    for subset, full in r["subsets"].items():
        if ">" in subset:
            continue
        systems = {**full, **{k: v for k, v in r.get("streamed_draw", {}).get(subset, {}).items() if k == "streamed"}}
        cells = [f"{s['latency_s']['median']:.2f} / {s['latency_s']['p90']:.2f}, {s['rtf']:.2f}"
                 if (s := systems.get(n)) else "-" for n in ("floor", "transcribe", "streamed")]
        lines.append(f"| {subset} | | " + " | ".join(cells) + " |")
    for language, systems in r["noise"].items():
        conditions = CONDITIONS
        lines += ["", f"Noise, {language} ({NOISE_DRAW} utterances, phone channel): "
                  + ("CER" if language == "zh" else "WER"), "",
                  "| system | " + " | ".join(conditions) + " | 15 dB / clean |", "|---" * (len(conditions) + 2) + "|"]
        for name, by_condition in systems.items():
            clean = by_condition.get("clean", {}).get("error_rate", 0.0)
            worst15 = max([v["error_rate"] for k, v in by_condition.items() if k.endswith("-15db")] or [0.0])
            lines.append(f"| {name} | " + " | ".join(f"{by_condition[c]['error_rate']:.1%}" if c in by_condition
                                                      else "-" for c in conditions)
                         + f" | {worst15 / clean if clean else 0:.2f}x |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
