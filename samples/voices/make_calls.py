"""Speak the calls of samples/calls-unseen and samples/calls-sealed in voices VoiceDesk never uses (run by hand).

The scenarios come from an independent writer; this script only fills in each header's `voice` and
`transforms` (when they are still "tbd" / [], or when --reassign is given) and synthesises every turn:
  - voice: round-robin over the voices that passed `check_voices.py` (VOICES below), per set and language
  - speed 0.90-1.10, babble or pink noise (alternating) at 12-20 dB SNR, all drawn from a seed of the call id
  - the channel the writer chose: `phone` -> 300-3400 Hz band + 8 kHz mu-law WAV, `wideband` -> 16 kHz Ogg
Babble is other synthetic talkers (the same engines, other voices where there are enough) reading shop
sentences that no call says, summed into one bed per language (cached under out/). The transforms
themselves are samples/channel.py, shared with samples/calls/make_calls.py.
Same scenarios in, same bytes out: flite is deterministic, ttskit is seeded per sentence, the noise per turn.
Needs: Debian `flite`; ttskit in out/gen-venv (made on first use, see other_voices.py).
Usage: .venv/bin/python samples/voices/make_calls.py [--reassign] [CALL_FOLDER ...]
"""

from __future__ import annotations

import json
import re
import sys
import zlib
from pathlib import Path

import numpy as np
import soundfile as sf

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parent
sys.path[:0] = [str(SAMPLES.parent), str(SAMPLES), str(HERE)]

from channel import babble_bed, render  # noqa: E402
from other_voices import REPO, Ttskit, speak  # noqa: E402

from speech.audio import resample  # noqa: E402
from speech.tts.text import normalize_for_speech  # noqa: E402

SETS = [SAMPLES / "calls-unseen", SAMPLES / "calls-sealed"]
VOICES = {  # every one under 10% WER/CER through the product's ASR (voices.md); none is the product's own
    "en": ["flite slt", "flite rms", "flite awb", "flite kal16", "flite kal"],
    "zh": ["ttskit Aiyue", "ttskit Aimei", "ttskit Xiaoxue", "ttskit Aida"],
}
BABBLE_VOICES = {"en": ["flite slt", "flite rms", "flite awb", "flite kal16"],
                 "zh": ["ttskit Aibao", "ttskit Aicheng", "ttskit Xiaogang", "ttskit Yina"]}
LEAD_S, GAP_S, TAIL_S = 0.3, 0.2, 0.8  # silence before, between sentences, after (the end of the turn)
RATE = 16000
_ZH_PIECES = re.compile(r"[^。！？；!?;]+[。！？；!?;]*")


def seed_for(*parts: object) -> int:
    return zlib.crc32("/".join(map(str, parts)).encode())


def pieces(text: str, language: str) -> list[str]:
    """Mandarin goes to ttskit a sentence at a time (it drops or garbles long inputs); flite takes the line."""
    if language == "en":
        return [text]
    out = []
    for sentence in _ZH_PIECES.findall(text):
        while len(sentence) > 30 and "，" in sentence[:30]:
            cut = sentence[:30].rindex("，") + 1
            out.append(sentence[:cut])
            sentence = sentence[cut:]
        out.append(sentence)
    return [p for p in out if re.search(r"\w", p)]


def say(voice: str, text: str, language: str, seed: int, ttskit: Ttskit | None) -> np.ndarray:
    gap = np.zeros(int(RATE * GAP_S), np.float32)
    parts = []
    for i, piece in enumerate(pieces(text, language)):
        pcm, rate = speak(voice, piece, seed + i, ttskit)
        parts += [resample(pcm.astype(np.float32), rate, RATE), gap]
    return np.concatenate([np.zeros(int(RATE * LEAD_S), np.float32), *parts,
                           np.zeros(int(RATE * (TAIL_S - GAP_S)), np.float32)])


def bed(language: str, ttskit: Ttskit | None) -> np.ndarray:
    """The babble bed of a language: four talkers at once, made once and cached (out/ is git-ignored)."""
    path = REPO / "out" / f"babble-{language}.wav"
    if path.exists():
        return sf.read(path, dtype="float32")[0]
    sentences = json.loads((SAMPLES / "speech" / "sentences.json").read_text(encoding="utf-8"))[language]
    talkers = []
    for k, voice in enumerate(BABBLE_VOICES[language]):
        mine = [normalize_for_speech(s, language) for s in sentences[12 + k::4]]  # not the voice-check sentences
        talkers.append(np.concatenate([say(voice, s, language, seed_for("babble", voice, s), ttskit) for s in mine]))
    pcm = babble_bed(talkers, RATE, np.random.default_rng(seed_for("babble", language)))
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial.wav")  # renamed when whole: another generator may be waiting for it
    sf.write(partial, pcm / max(1e-9, float(np.abs(pcm).max())) * 0.9, RATE, subtype="FLOAT")
    partial.rename(path)
    return sf.read(path, dtype="float32")[0]


def assign(header: dict, index: int) -> dict:
    """Voice and channel for the index-th call of its language in its set, drawn from the call id."""
    rng = np.random.default_rng(seed_for(header["call"]))
    speed, snr = round(float(rng.uniform(0.90, 1.10)), 2), int(rng.integers(12, 21))
    noise = "babble" if index % 2 == 0 else "pink"
    transforms = ([f"speed-{speed:.2f}"] if speed != 1.0 else []) + [f"noise-{noise}-{snr}db"]
    transforms += ["phone-band", "mulaw-8k"] if header["channel"] == "phone" else ["ogg-16k"]
    voices = VOICES[header["language"]]
    return {**header, "voice": voices[index % len(voices)], "transforms": transforms}


def make_call(folder: Path, index: int, reassign: bool, ttskit: Ttskit | None, beds: dict) -> None:
    path = folder / "scenario.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    if reassign or header["voice"] == "tbd":
        header = assign(header, index)
        lines[0] = json.dumps(header, ensure_ascii=False)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")  # the turns' lines stay as written
    language = header["language"]
    if language not in beds:
        beds[language] = bed(language, ttskit)
    for i, line in enumerate(lines[1:], 1):
        turn = json.loads(line)
        seed = seed_for(header["call"], i)
        pcm = say(header["voice"], turn["say"], language, seed, ttskit)
        render(pcm, RATE, header["transforms"], np.random.default_rng(seed), folder / turn["audio"],
               babble=(beds[language], RATE))
        print(f"{header['call']}/{turn['audio']}  [{header['voice']}] {turn['say']}", flush=True)


def main(args: list[str]) -> None:
    reassign = "--reassign" in args
    chosen = {Path(a).resolve() for a in args if a != "--reassign"}
    ttskit = Ttskit()
    beds: dict = {}
    try:
        for folder in SETS:
            for language in ("en", "zh"):
                calls = sorted(p.parent for p in folder.glob(f"{language}-*/scenario.jsonl"))
                for index, call in enumerate(calls):
                    if not chosen or call.resolve() in chosen:
                        make_call(call, index, reassign, ttskit, beds)
    finally:
        ttskit.close()


if __name__ == "__main__":
    main(sys.argv[1:])
