"""How well VoiceDesk's own ASR hears each candidate caller voice, on plain sentences (run by hand).

A voice is fit to speak sample calls when the product's recogniser gets it under ~10% WER (English) /
CER (Mandarin) on clean, plain sentences: then a failure in a call is the call's, not the voice's.
The sentences are the shop sentences of samples/speech/sentences.json, numbers written out as spoken;
no noise, no channel. Writes samples/voices/voices.md.
Usage: .venv/bin/python samples/voices/check_voices.py [VOICE ...]    (e.g. "flite slt" "ttskit Aiyue")
"""

from __future__ import annotations

import json
import sys
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE)]

from make_calls import BABBLE_VOICES, VOICES  # noqa: E402
from other_voices import Ttskit, speak  # noqa: E402

from speech.asr import make_transcriber  # noqa: E402
from speech.audio import resample  # noqa: E402
from speech.scoring import error_rate  # noqa: E402
from speech.tts.text import normalize_for_speech  # noqa: E402

CANDIDATES = ["flite slt", "flite rms", "flite awb", "flite kal16", "flite kal",
              "ttskit Aiyue", "ttskit Aimei", "ttskit Xiaoxue", "ttskit Aida", "ttskit Aijia", "ttskit Aibao"]
SENTENCES = 10  # per voice
LIMIT = 0.10


def check(voices: list[str]) -> list[dict]:
    sentences = json.loads((HERE.parent / "speech" / "sentences.json").read_text(encoding="utf-8"))
    asr = make_transcriber()
    ttskit = Ttskit() if any(v.startswith("ttskit") for v in voices) else None
    rows = []
    for voice in voices:
        language = "en" if voice.startswith("flite") else "zh"
        texts = [normalize_for_speech(t, language) for t in sentences[language][:SENTENCES]]
        heard = []
        for text in texts:
            pcm, rate = speak(voice, text, zlib.crc32(text.encode()), ttskit)
            heard.append(asr.transcribe(resample(pcm, rate, 16000), language).text)
        rate_ = error_rate(texts, heard, language)
        rows.append({"voice": voice, "language": language, "metric": "WER" if language == "en" else "CER",
                     "error_rate": round(rate_, 3), "sentences": len(texts), "fit": rate_ < LIMIT,
                     "worst": max(zip(texts, heard, strict=True), key=lambda p: error_rate([p[0]], [p[1]], language))})
        print(f"{voice:18s} {rows[-1]['metric']} {rate_:.3f}  worst: {rows[-1]['worst']}", flush=True)
    if ttskit:
        ttskit.close()
    return rows


def write_table(rows: list[dict]) -> None:
    lines = ["# Caller voices through VoiceDesk's ASR (plain sentences)", "",
             "`.venv/bin/python samples/voices/check_voices.py`: the first "
             f"{SENTENCES} shop sentences of samples/speech/sentences.json per voice, numbers written out, clean "
             "16 kHz audio, the product's recogniser (faster-whisper base, beam 5). A voice is used for sample calls "
             f"when it is under {LIMIT:.0%}.", "",
             "Babble talkers need not be intelligible; those not listed were not checked.", "",
             "| voice | language | error rate | under the limit | speaks in the sample calls |",
             "|---|---|---|---|---|"]
    lines += [f"| {r['voice']} | {r['language']} | {r['metric']} {r['error_rate']:.3f} | "
              f"{'yes' if r['fit'] else 'no'} | {_role(r['voice'])} |" for r in rows]
    (HERE / "voices.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _role(voice: str) -> str:
    roles = [name for name, voices in (("callers", VOICES), ("babble", BABBLE_VOICES))
             if any(voice in v for v in voices.values())]
    return " and ".join(roles) or "no"


if __name__ == "__main__":
    write_table(check(sys.argv[1:] or CANDIDATES))
