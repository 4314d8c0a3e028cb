"""`voicedesk`: the command line. Every failure is one line on stderr and a non-zero exit."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from voice.settings import get_settings

log = logging.getLogger("voicedesk")


class UsageError(Exception):
    """Bad arguments found after parsing (missing file, wrong combination)."""


def _language(value: str) -> str | None:
    return None if value == "auto" else value


def cmd_transcribe(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from speech.asr import make_transcriber
    from speech.audio import AudioError, read_audio

    transcriber = make_transcriber(args.backend, args.threads, args.beam_size)
    failures = 0
    for file in args.files:
        started = time.monotonic()
        try:
            audio = read_audio(file)
        except AudioError as e:
            print(f"error: {e}", file=sys.stderr)
            failures += 1
            continue
        bar = tqdm(total=round(audio.duration_s, 1), unit="s", desc=Path(file).name, leave=False,
                   disable=audio.duration_s < 60 or not sys.stderr.isatty() and not args.progress)

        def progress(done: float, total: float, bar: tqdm = bar) -> None:
            bar.update(round(done, 1) - bar.n)

        kwargs = {"progress": progress} if hasattr(transcriber, "engine") else {}
        t = transcriber.transcribe(audio.pcm, _language(args.language), **kwargs)
        bar.close()
        elapsed = time.monotonic() - started
        if args.json:
            print(json.dumps({
                "file": file, "text": t.text, "language": t.language, "duration_s": round(t.duration_s, 3),
                "processing_s": round(elapsed, 3),
                "segments": [{"start": round(s.start, 2), "end": round(s.end, 2), "text": s.text} for s in t.segments],
            }, ensure_ascii=False), flush=True)
        else:
            print(f"{file}\t[{t.language}] {t.text}", flush=True)
    return 1 if failures else 0


def cmd_say(args: argparse.Namespace) -> int:
    import numpy as np

    from speech.audio import write_wav
    from speech.tts import BilingualVoice

    text = args.text.strip()
    if not text:
        raise UsageError("nothing to say: TEXT is empty")
    language = args.language or ("zh" if any("\u4e00" <= c <= "\u9fff" for c in text) else "en")
    chunks = list(BilingualVoice().stream(text, language))
    if not chunks:
        raise UsageError(f"nothing to say: {text!r} has no words")
    rate = chunks[0].sample_rate
    gap = np.zeros(int(rate * 0.15), np.float32)
    pcm = np.concatenate([p for c in chunks for p in (c.pcm, gap)])
    write_wav(args.output, pcm, rate)
    print(f"{args.output}: {len(pcm) / rate:.1f} s of {language} speech, {len(chunks)} sentence(s)")
    return 0


def cmd_listen(args: argparse.Namespace) -> int:
    import numpy as np

    from speech.asr.streaming import AsrEvent, LiveTranscriber
    from speech.asr.whisper import DecodeOptions, WhisperEngine
    from speech.audio import read_audio

    audio = read_audio(args.file, sample_rate=None)
    rate = audio.sample_rate if audio.sample_rate in (8000, 16000) else 16000
    pcm = audio.pcm if rate == audio.sample_rate else read_audio(args.file).pcm
    engine = WhisperEngine(threads=args.threads, options=DecodeOptions(beam_size=args.beam_size))
    started = time.monotonic()

    def show(e: AsrEvent) -> None:
        stamp = f"{e.audio_t:7.2f}s"
        if e.kind == "partial":
            unstable = e.text[len(e.stable):].strip()
            print(f"{stamp} partial  {e.stable}" + (f" [{unstable}]" if unstable else ""))
        elif e.kind == "final":
            lag = (e.wall_t - started) - (e.speech_end_t or 0) if not args.fast else e.asr_s
            print(f"{stamp} FINAL    {e.text}   ({'decode' if args.fast else 'after speech end'} {lag * 1000:.0f} ms)")
        else:
            print(f"{stamp} {e.kind.replace('_', ' ')}")
        sys.stdout.flush()

    live = LiveTranscriber(engine, show, language=_language(args.language), sample_rate=rate, realtime=not args.fast)
    frame = rate // 50  # 20 ms, as a phone line delivers it
    tail = np.zeros(rate, np.float32)  # a second of silence, so the last turn can end
    stream = np.concatenate([pcm, tail])
    for i in range(0, len(stream), frame):
        live.feed(stream[i:i + frame])
        if not args.fast:
            time.sleep(max(0.0, started + (i + frame) / rate - time.monotonic()))
    live.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    s = get_settings()
    p = argparse.ArgumentParser(prog="voicedesk", description="VoiceDesk: a voice customer-service assistant.")
    p.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    t = sub.add_parser("transcribe", help="transcribe audio files (wav, flac, mp3, ogg, raw PCM, G.711)")
    t.add_argument("files", nargs="+", metavar="FILE")
    t.add_argument("--language", choices=["zh", "en", "auto"], default=s.language)
    t.add_argument("--backend", choices=["faster-whisper", "openai-whisper"], default=s.asr_backend)
    t.add_argument("--beam-size", type=int, default=s.beam_size)
    t.add_argument("--json", action="store_true", help="one JSON object per line")
    t.add_argument("--progress", action="store_true", help="show progress even when stderr is not a terminal")
    t.set_defaults(func=cmd_transcribe)

    y = sub.add_parser("say", help="speak TEXT into a WAV file")
    y.add_argument("text", metavar="TEXT")
    y.add_argument("--language", choices=["zh", "en"], help="default: guessed from the text")
    y.add_argument("-o", "--output", required=True, metavar="OUT.wav")
    y.set_defaults(func=cmd_say)

    li = sub.add_parser("listen", help="stream FILE through VAD and live ASR as if it were a call")
    li.add_argument("file", metavar="FILE")
    li.add_argument("--language", choices=["zh", "en", "auto"], default=s.language)
    li.add_argument("--beam-size", type=int, default=s.beam_size)
    li.add_argument("--fast", action="store_true", help="as fast as possible instead of real time")
    li.set_defaults(func=cmd_listen)

    for command in (t, li):
        command.add_argument("--threads", type=int, default=s.threads)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    from speech.audio import AudioError
    from speech.models import ModelError

    try:
        return args.func(args)
    except (AudioError, ModelError, UsageError, ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
