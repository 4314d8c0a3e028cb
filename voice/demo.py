"""`make demo`: one caller utterance per language is heard (live ASR) and answered aloud (TTS).

Until the dialogue brain lands, the answer is a fixed reply per language; the point is the
speech path end to end on the embedded models, with the timings a caller would feel.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from speech.asr.base import SAMPLE_RATE
from speech.asr.streaming import AsrEvent, LiveTranscriber
from speech.asr.whisper import WhisperEngine, WhisperTranscriber
from speech.audio import read_audio, resample, write_wav
from speech.tts import BilingualVoice

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "speech"
REPLIES = {
    "en": "Thanks for calling. Your order 10023 shipped on 2026-11-26 and arrives Monday. Anything else?",
    "zh": "感谢来电。您的订单10023已于11月26日发货，预计周一送达。还有别的可以帮您吗？",
}
CALLERS = {"en": "en/01.wav", "zh": "zh/02.ogg"}


def main(out_dir: Path = ROOT / "out" / "demo") -> int:
    manifest = {m["file"]: m for m in json.loads((SAMPLES / "manifest.json").read_text())}
    engine, voice = WhisperEngine(), BilingualVoice()
    for language, file in CALLERS.items():
        item = manifest[file]
        print(f"\n=== {language}: caller ({item['channel']}) {SAMPLES / file}")
        print(f"    what was said: {item['text']}")
        pcm = np.concatenate([read_audio(SAMPLES / file).pcm, np.zeros(SAMPLE_RATE * 2, np.float32)])

        def show(e: AsrEvent) -> None:
            if e.kind == "partial":
                print(f"    {e.audio_t:5.2f}s partial: {e.text}")
            elif e.kind == "final":
                print(f"    {e.audio_t:5.2f}s FINAL:   {e.text}   (decoded in {e.asr_s * 1000:.0f} ms)")

        live = LiveTranscriber(engine, show, language=language, realtime=False)
        for i in range(0, len(pcm), SAMPLE_RATE // 50):
            live.feed(pcm[i:i + SAMPLE_RATE // 50])
        live.close()

        reply = REPLIES[language]
        voice.voice(language)  # loaded before the clock starts: a call loads its voices once
        started = time.perf_counter()
        chunks, first = [], None
        for chunk in voice.stream(reply, language):
            first = first if first is not None else time.perf_counter() - started
            chunks.append(chunk)
        rate = chunks[0].sample_rate
        audio = np.concatenate([c.pcm for c in chunks])
        path = out_dir / f"reply-{language}.wav"
        write_wav(path, audio, rate)
        heard = WhisperTranscriber(engine).transcribe(resample(audio, rate, SAMPLE_RATE), language).text
        print(f"    reply: {reply}")
        print(f"    spoken in {len(chunks)} pieces, first audio after {first * 1000:.0f} ms -> {path}")
        print(f"    Whisper hears the reply as: {heard}")
    print(f"\nReply audio is in {out_dir}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
