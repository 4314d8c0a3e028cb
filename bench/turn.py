"""Turn-taking on the pause set: false cut-offs and end-of-turn delay, silence-only vs the detectors.

Scored the way LiveKit's eot-bench scores (github.com/livekit/eot-bench, "Evaluation Model"):
every silence is a decision point, mid-turn silences are `hold`, the final one `eot`; a policy
cuts off when it ends the turn inside a hold (false cut-off rate = such holds / holds of 0.2 s or
more); its latency is the silence it waits after a true end (mean over turns). Each family of
policies is swept over its knobs and reported at eot-bench's operating points: the lowest cut-off
rate with mean latency <= 300 / 600 ms, and the lowest mean latency with cut-offs <= 5%.

The silences are the product's own: Silero VAD (`speech/vad.py`) on the audio, a silence starting
where the VAD's first silent window does. Each silence is scored causally on a 0.1 s grid: Smart
Turn hears the turn up to that instant; the words are the final decode (Whisper base, beam 5) of
the turn up to the VAD's speech end, which is what the recogniser has at that point. Decoding and
model time are not counted in the delay (they run during the pause, on stream time).

Families:
- silence only: end after T s of silence (eot-bench's VAD baseline).
- words + silence: the default `EndOfTurnDetector()`: `min_silence_s` after a finished sentence, `number_silence_s`
  while a number is read in groups, else `max_silence_s` (swept with the number wait equal to `max_silence_s`).
- Smart Turn: eot-bench's policy on the model's probability (threshold, action delay, timeout).
- Smart Turn + words: `EndOfTurnDetector(model=...)` itself, run on the grid, swept over its options.
Usage: `python -m bench.turn [en|zh ...] [--phone | --human]` (`--phone`: the pause set through an 8 kHz
mu-law line first; `--human`: real recordings from the shared development set instead, see `human_set`;
`--again`: re-judge the answers the last run stored in out/bench under the current options, running no model).
"""

from __future__ import annotations

import csv
import dataclasses
import itertools
import json
import os
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.signal import butter, sosfilt

from bench import pauses
from bench.common import RESULTS, machine, stats, write
from speech import g711
from speech.audio import float_to_pcm16, pcm16_to_float, read_audio, resample
from speech.turn import EndOfTurnDetector, TurnOptions
from speech.vad import StreamingVad

RATE = 16_000
GRID = 0.1  # s between two scored instants of a silence (eot-bench's default inference interval)
SCORED_UP_TO = 2.0  # s of silence scored; a policy still waiting then fires at its timeout
MIN_HOLD = 0.2  # eot-bench's min_hold_span_duration
PREROLL = 0.3  # what the live transcriber keeps before the VAD's speech start (StreamingOptions.preroll_s)
SPEECH_END_LAG = 0.128  # the VAD reports a speech end after 128 ms of silence: the words are decoded then
LATENCY_BUDGETS = (0.3, 0.6)
CUTOFF_BUDGET = 0.05


@dataclass
class Silence:
    turn: str
    label: str  # hold | eot
    duration: float  # s until the caller speaks again (eot: to the end of the recording)
    text: str  # what the recogniser has at the VAD's speech end
    p: dict[int, float] = field(default_factory=dict)  # grid index (silence = index * GRID) -> P(complete)


def grid(t: float) -> int:
    return int(round(t / GRID))


def phone_line(pcm: np.ndarray) -> np.ndarray:
    """300-3400 Hz, 8 kHz mu-law and back: what a Twilio caller sounds like by the time it reaches us."""
    band = sosfilt(butter(4, [300, 3400], btype="bandpass", fs=RATE, output="sos"), pcm).astype(np.float32)
    narrow = resample(band, RATE, 8000)
    decoded = pcm16_to_float(g711.ulaw_decode(g711.ulaw_encode(float_to_pcm16(narrow))))
    return resample(decoded, 8000, RATE)


def vad_silences(pcm: np.ndarray) -> list[tuple[float, float, float]]:
    """(speech start of the turn, silence start, silence end) for every silence the VAD reports."""
    vad = StreamingVad(RATE)
    events = vad.push(pcm)
    out, turn_start, pause = [], None, None
    for e in events:
        if e.kind == "speech_start":
            turn_start = e.t if turn_start is None else turn_start
            if pause is not None:
                out.append((turn_start, pause, e.t))
                pause = None
        else:
            pause = e.t
    if pause is not None and turn_start is not None:
        out.append((turn_start, pause, len(pcm) / RATE))
    return out


class CachedModel:
    """Smart Turn with its answers kept by (turn, samples heard), and the cost of each real run."""

    def __init__(self) -> None:
        from speech.smart_turn import SmartTurnModel

        self.model = SmartTurnModel()
        self.cache: dict[tuple[str, int], float] = {}
        self.turn = ""
        self.wall_ms: list[float] = []
        self.cpu_ms: list[float] = []

    def probability(self, pcm: np.ndarray) -> float:
        key = (self.turn, len(pcm))
        if key not in self.cache:
            wall, cpu = time.perf_counter(), time.process_time()
            self.cache[key] = self.model.probability(pcm)
            self.wall_ms.append((time.perf_counter() - wall) * 1000)
            self.cpu_ms.append((time.process_time() - cpu) * 1000)
        return self.cache[key]


def pause_set(lang: str, phone: bool) -> Iterator[tuple[str, np.ndarray, float | None]]:
    """(turn id, 16 kHz audio, where the true end of turn starts) for each turn of the pause set."""
    for row in pauses.ensure(lang):
        pcm = read_audio(pauses.OUT / lang / row["file"]).pcm
        yield row["id"], phone_line(pcm) if phone else pcm, next(s["start"] for s in row["spans"]
                                                                 if s["label"] == "eot")


def human_set(lang: str, limit: int = 60) -> Iterator[tuple[str, np.ndarray, float | None]]:
    """Real recordings from the shared development set (not in the repo: `VOICEDESK_DEV_ASR`, default
    `../shared/dev/asr`): Mandarin read speech (AISHELL) and 8 kHz telephone prompts (Asterisk), every
    len/limit-th one. Each recording is one whole turn: its own silences are `hold` (in the prompts these
    are mostly between two finished sentences of a menu), the last one (3 s of line noise added) `eot`."""
    root = Path(os.environ.get("VOICEDESK_DEV_ASR", pauses.ROOT.parent / "shared" / "dev" / "asr"))
    folders = {"zh": ["zh_aishell"], "en": ["en_phone8k"]}[lang]  # not en_phone8k_long: prompts joined by us
    rows = []
    for folder in folders:
        manifest = root / folder / "manifest.tsv"
        if manifest.exists():
            rows += [(folder, r) for r in csv.DictReader(manifest.open(), delimiter="\t")]
    rng = np.random.default_rng(0)
    step = max(1, len(rows) // limit)
    for folder, r in rows[::step][:limit]:
        pcm = read_audio(root / folder / r["file"]).pcm
        tail = rng.normal(0, 10 ** (-60 / 20), int(pauses.TAIL_S * RATE)).astype(np.float32)
        yield f"{folder}/{r['id']}", np.concatenate([pcm, tail]), None


def score(turns: Iterable[tuple[str, np.ndarray, float | None]], lang: str, engine,
          model: CachedModel) -> list[Silence]:
    """Every silence the VAD reports in each turn, with the words and the model's answers on the grid.
    `eot_start` None: the turn's last silence is its end."""
    from speech.asr.base import Transcript
    from speech.asr.filters import clean_transcript

    silences = []
    for turn, pcm, eot_start in turns:
        found = vad_silences(pcm)
        if not found:
            continue
        for i, (speech_start, start, end) in enumerate(found):
            last = i == len(found) - 1
            label = "eot" if (last if eot_start is None else start >= eot_start - 0.15) else "hold"
            begin = max(0, int((speech_start - PREROLL) * RATE))
            heard = pcm[begin:int((start + SPEECH_END_LAG) * RATE)]
            decoded, _ = engine.decode(heard, lang)
            # as the live transcriber hands it over: loops undone, Simplified, digit strings whole
            text = clean_transcript(Transcript(decoded.text, lang, len(heard) / RATE, decoded.segments)).text
            s = Silence(turn, label, end - start, text.strip())
            model.turn = f"{turn}@{start:.3f}"
            for k in range(grid(0.2), grid(min(s.duration, SCORED_UP_TO)) + 1):
                if k * GRID < s.duration:
                    s.p[k] = model.probability(pcm[begin:int((start + k * GRID) * RATE)])
            silences.append(s)
            if label == "eot":
                break  # the turn is over: nothing after it is a decision of this turn
        print(f"{lang} {turn}: {len(found)} silences", file=sys.stderr)
    return silences


@dataclass(frozen=True)
class Outcome:
    family: str
    knobs: str
    cutoff: float  # share of holds (>= MIN_HOLD) where the turn was ended
    turns_cut: float  # share of turns with a hold that had at least one cut-off
    mean_latency: float
    median_latency: float
    p90_latency: float


def evaluate(family: str, knobs: str, silences: list[Silence], fire: callable) -> Outcome:
    """`fire(silence)` -> the silence (s) at which the policy ends the turn."""
    holds = [s for s in silences if s.label == "hold" and s.duration >= MIN_HOLD]
    cut = {s.turn for s in holds if fire(s) < s.duration}
    cut_holds = sum(fire(s) < s.duration for s in holds)
    latency = [fire(s) for s in silences if s.label == "eot"]
    with_holds = {s.turn for s in holds}
    return Outcome(family, knobs, cut_holds / max(1, len(holds)), len(cut) / max(1, len(with_holds)),
                   float(np.mean(latency)), float(np.median(latency)), float(np.percentile(latency, 90)))


def silence_only(silences: list[Silence]) -> list[Outcome]:
    return [evaluate("silence only", f"T={t:.2f}", silences, lambda s, t=t: t)
            for t in np.round(np.arange(0.15, 3.01, 0.05), 2)]


def words_and_silence(silences: list[Silence]) -> list[Outcome]:
    out = []
    for lo, hi in itertools.product(np.round(np.arange(0.2, 1.21, 0.05), 2), (0.8, 1.0, 1.2, 1.5, 2.0, 2.5)):
        if lo > hi:
            continue
        detector = EndOfTurnDetector(TurnOptions(min_silence_s=lo, max_silence_s=hi, number_silence_s=hi))
        out.append(evaluate("words + silence", f"min={lo:.2f} max={hi:.1f}", silences,
                            lambda s, d=detector: d.words_wait(s.text)))
    return out


def smart_turn_policy(silences: list[Silence]) -> list[Outcome]:
    out = []
    thresholds = [*np.round(np.arange(0.05, 0.96, 0.05), 2), 0.99]
    for th, delay, timeout in itertools.product(thresholds, np.round(np.arange(0.2, 1.51, 0.1), 1),
                                                (1.0, 1.5, 2.0, 2.5, 3.0)):
        def fire(s: Silence, th=th, delay=delay, timeout=timeout) -> float:
            for k in sorted(s.p):
                if k * GRID >= delay - 1e-9 and k * GRID <= timeout and s.p[k] >= th:
                    return k * GRID
            return timeout
        out.append(evaluate("Smart Turn", f"threshold={th:.2f} delay={delay:.1f} timeout={timeout:.1f}",
                            silences, fire))
    return out


def detector_fire(options: TurnOptions, s: Silence) -> tuple[float, str]:
    """Run `EndOfTurnDetector(model=...)` over one silence on the grid; the silence it ends at, and why."""
    detector = EndOfTurnDetector(options, model=_GridModel(s))
    k = 1
    while True:
        t = round(k * GRID, 3)
        heard = t  # the detector's audio callable: the grid index of what it would hear
        v = detector.decide(t, s.text, audio=lambda heard=heard: np.full(1, heard))
        if v.end or t >= s.duration or t >= 5.0:
            return (t if v.end else float("inf")), v.rule
        k += 1


class _GridModel:
    """The detector's model on the bench: the probability scored at that instant of that silence."""

    def __init__(self, s: Silence) -> None:
        self.s = s

    def probability(self, pcm: np.ndarray) -> float:
        k = grid(float(pcm[0]))
        if k in self.s.p:
            return self.s.p[k]
        return self.s.p[max(self.s.p)] if self.s.p else 0.0  # past the scored range: the last answer holds


def detector_sweep(silences: list[Silence]) -> list[Outcome]:
    out = []
    thresholds = [*np.round(np.arange(0.1, 0.96, 0.05), 2), 0.99]
    for short, long_, th, every in itertools.product((0.2, 0.3, 0.4, 0.5, 0.7), (1.0, 1.5, 2.0, 2.5),
                                                     thresholds, (0.3, 9.9)):
        o = TurnOptions(complete_silence_s=short, incomplete_silence_s=long_, threshold=th, rescore_every_s=every)
        out.append(evaluate("Smart Turn + words", _knobs(o), silences, lambda s, o=o: detector_fire(o, s)[0]))
    return out


def _knobs(o: TurnOptions) -> str:
    every = f"{o.rescore_every_s:.1f}" if o.rescore_every_s < 5 else "never"
    return (f"complete={o.complete_silence_s:.1f} incomplete={o.incomplete_silence_s:.1f} "
            f"threshold={o.threshold:.2f} rescore={every}")


def operating_points(outcomes: list[Outcome]) -> dict[str, Outcome | None]:
    points: dict[str, Outcome | None] = {}
    for budget in LATENCY_BUDGETS:
        ok = [o for o in outcomes if o.mean_latency <= budget + 1e-9]
        points[f"cutoff@{int(budget * 1000)}ms"] = min(ok, key=lambda o: (o.cutoff, o.mean_latency)) if ok else None
    ok = [o for o in outcomes if o.cutoff <= CUTOFF_BUDGET + 1e-9]
    points["latency@5%"] = min(ok, key=lambda o: (o.mean_latency, o.cutoff)) if ok else None
    return points


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x * 100:.1f}%"


def _ms(x: float | None) -> str:
    return "–" if x is None else f"{x * 1000:.0f}"


def main(argv: list[str]) -> int:
    from speech.asr.whisper import WhisperEngine

    phone, human, again = "--phone" in argv, "--human" in argv, "--again" in argv
    langs = [a for a in argv if not a.startswith("--")] or ["en", "zh"]
    engine, model = (None, None) if again else (WhisperEngine(), CachedModel())
    name = "turn-human" if human else "turn-phone" if phone else "turn"
    title = ("real recordings (shared development set: read Mandarin, telephone English prompts)" if human
             else "the pause set, " + ("phone line" if phone else "wideband"))
    data: dict = {"machine": machine(), "load_before": os.getloadavg(), "set": title}
    md = [f"# Turn-taking on {title}", "",
          f"Machine: {data['machine']}. `python -m bench.turn {' '.join(a for a in argv if a != '--again')}`"
          + (" (answers stored by that run, judged again under today's options)" if again else "") + ".", ""]
    raw = pauses.ROOT / "out" / "bench" / f"{name}-silences.json"  # the answers, kept out of git (real speech)
    previous = json.loads((RESULTS / f"{name}.json").read_text()) if again else {}
    stored = json.loads(raw.read_text()) if again else {}
    answers: dict = {}
    for lang in langs:
        if again:  # the stored answers, re-judged under today's options: no model runs
            silences = [Silence(**s) for s in stored[lang]]
            for s in silences:
                s.p = {int(k): v for k, v in s.p.items()}
        else:
            silences = score(human_set(lang) if human else pause_set(lang, phone), lang, engine, model)
        if not silences:
            md += [f"## {lang}: no recordings found", ""]
            continue
        families = {"silence only": silence_only(silences), "words + silence": words_and_silence(silences),
                    "Smart Turn": smart_turn_policy(silences), "Smart Turn + words": detector_sweep(silences)}
        o, default = TurnOptions(), EndOfTurnDetector()
        words = f"{o.min_silence_s} / {o.max_silence_s} s, {o.number_silence_s} s in a number"
        fixed = {f"default: words + silence ({words})": evaluate(
                     "words + silence", words, silences, lambda s, d=default: d.words_wait(s.text)),
                 "new default (Smart Turn + words)": evaluate(
                     "new default", _knobs(TurnOptions()), silences, lambda s: detector_fire(TurnOptions(), s)[0])}
        rules: dict[str, int] = {}
        for s in silences:
            if s.label == "eot":
                rule = detector_fire(TurnOptions(), s)[1]
                rules[rule] = rules.get(rule, 0) + 1
        holds = [s for s in silences if s.label == "hold" and s.duration >= MIN_HOLD]
        turns = {s.turn for s in silences}
        entry = {"turns": len(turns), "holds": len(holds), "eot": sum(s.label == "eot" for s in silences),
                 "default_rules_at_eot": rules,
                 "fixed": {k: dataclasses.asdict(v) for k, v in fixed.items()},
                 "operating_points": {f: {k: (dataclasses.asdict(v) if v else None)
                                          for k, v in operating_points(o).items()} for f, o in families.items()}}
        answers[lang] = [dataclasses.asdict(s) for s in silences]
        data[lang] = entry
        md += [f"## {lang}: {len(turns)} turns, {len(holds)} mid-turn pauses (>= {MIN_HOLD} s)", "",
               "| policy family | cut-offs @ 300 ms | cut-offs @ 600 ms | mean delay @ 5% cut-offs |",
               "| --- | ---: | ---: | ---: |"]
        for f, outcomes in families.items():
            p = operating_points(outcomes)
            md.append(f"| {f} | {_pct(p['cutoff@300ms'] and p['cutoff@300ms'].cutoff)} | "
                      f"{_pct(p['cutoff@600ms'] and p['cutoff@600ms'].cutoff)} | "
                      f"{_ms(p['latency@5%'] and p['latency@5%'].mean_latency)} ms |")
        md += ["", "| fixed setting | cut-offs (pauses) | turns cut | delay ms mean / median / p90 |",
               "| --- | ---: | ---: | ---: |"]
        for setting, o in fixed.items():
            md.append(f"| {setting} | {_pct(o.cutoff)} | {_pct(o.turns_cut)} | "
                      f"{_ms(o.mean_latency)} / {_ms(o.median_latency)} / {_ms(o.p90_latency)} |")
        md += ["", "Operating points (knobs):", ""]
        for f, outcomes in families.items():
            for k, v in operating_points(outcomes).items():
                if v:
                    md.append(f"- {f}, {k}: {v.knobs} (cut-offs {_pct(v.cutoff)}, mean delay {_ms(v.mean_latency)} ms)")
        md += ["", f"New default, what ended each true end of turn: {rules}", ""]
    if again:
        for key in ("smart_turn_call_ms", "load_before", "load_after", "machine"):
            data[key] = previous[key]
    else:
        data["smart_turn_call_ms"] = {"wall": stats(model.wall_ms), "cpu": stats(model.cpu_ms)}
        data["load_after"] = os.getloadavg()
    cost = data["smart_turn_call_ms"]
    md += [f"Smart Turn, one call (8 s window: features + ONNX, 1 thread), ms: wall {cost['wall']}, "
           f"CPU {cost['cpu']}; load average {data['load_before'][0]:.1f} before, "
           f"{data['load_after'][0]:.1f} after.", ""]
    raw.parent.mkdir(parents=True, exist_ok=True)
    raw.write_text(json.dumps(answers, ensure_ascii=False))
    write(name, data, "\n".join(md))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
