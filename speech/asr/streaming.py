"""Live transcription of a caller: partial text while they talk, the final text at end of turn.

Three ideas:
- Partials follow LocalAgreement-2: the words two consecutive hypotheses agree on are
  committed and never revised by a later partial, so the screen does not flicker.
- Committed words are forced as a prefix into later partials, so the decoder only works on
  the tail. The final is decoded afresh: a word a quick partial committed wrongly (a soft
  first syllable, most often) is not carried into the text the agent acts on (development
  set: 20.1% CER with the prefix forced, docs/speech.md, "Real speech"). It is decoded on the encoder
  cut to the audio, as partials are: the turn ends ~200 ms after the caller stops and the
  reply must start within a second, which Whisper's whole 30 s window (~0.9 s of encoder on
  two cores) does not leave room for (`bench.asr_finals` measures the trade).
- The final decode starts speculatively at the first pause (VAD speech end), before the
  end-of-turn decision; if the caller goes on, it is thrown away.
Audio is fed from the I/O side in real time; decoding runs on one worker thread. With
`realtime=False` everything runs inline on stream time, which makes runs reproducible.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from speech.asr.base import SAMPLE_RATE, Transcript
from speech.asr.filters import clean_transcript, is_phantom, looks_looped, to_simplified
from speech.asr.seams import join_units, units
from speech.asr.whisper import Hints, WhisperEngine, WhisperTranscriber
from speech.audio import StreamResampler
from speech.turn import EndOfTurnDetector, TurnVerdict
from speech.vad import StreamingVad


def agreed_prefix(a: list[str], b: list[str]) -> list[str]:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x.lower().strip(",，") != y.lower().strip(",，"):
            break
        n += 1
    return b[:n]


@dataclass(frozen=True)
class AsrEvent:
    kind: Literal["speech_start", "partial", "speech_end", "draft", "resumed", "final"]
    audio_t: float  # stream time (s of audio fed) the event refers to
    wall_t: float  # time.monotonic() when it was emitted
    text: str = ""
    stable: str = ""  # partials: the committed words, never revised
    transcript: Transcript | None = None  # finals
    speech_end_t: float | None = None  # finals: stream time the caller's speech ended
    asr_s: float = 0.0  # finals: seconds spent decoding the final
    turn_end_wall: float | None = None  # finals: time.monotonic() when the end of turn was decided
    turn_end_t: float | None = None  # finals: stream time when the end of turn was decided
    pcm: np.ndarray | None = None  # finals: the turn's audio at 16 kHz (for the prosody channel)
    verdict: TurnVerdict | None = None  # finals: why the end-of-turn detector ended the turn (None: forced)


@dataclass
class StreamingOptions:
    partial_every_s: float = 0.5  # new audio between two partial decodes
    first_partial_s: float = 1.0  # Whisper invents words on shorter audio
    preroll_s: float = 0.3  # audio kept from before the VAD's speech start
    final_beam_size: int | None = None  # None: the engine's (5); 1 is ~40% faster and less accurate
    final_full_window: bool = False  # True: finals on Whisper's whole 30 s window (slower, see the module doc)


@dataclass
class _Utterance:
    start_t: float
    audio: list[np.ndarray] = field(default_factory=list)
    samples: int = 0
    generation: int = 0  # bumped whenever the caller resumes: stale decodes are dropped
    hypothesis: list[str] = field(default_factory=list)
    committed: list[str] = field(default_factory=list)
    last_partial_at: int = 0
    pause_t: float | None = None
    speculative: tuple[int, Transcript, float] | None = None  # (generation, transcript, asr seconds)
    final_requested: bool = False
    turn_end_wall: float | None = None
    turn_end_t: float | None = None
    resumed_t: float | None = None  # the caller spoke again after the end of turn was decided
    verdict: TurnVerdict | None = None

    def pcm(self) -> np.ndarray:
        return np.concatenate(self.audio) if self.audio else np.zeros(0, np.float32)


class LiveTranscriber:
    def __init__(self, engine: WhisperEngine, on_event: Callable[[AsrEvent], None], *, language: str | None,
                 sample_rate: int = SAMPLE_RATE, turn: EndOfTurnDetector | None = None,
                 options: StreamingOptions | None = None, realtime: bool = True) -> None:
        self.engine, self.on_event, self.language = engine, on_event, language
        self.turn = turn or EndOfTurnDetector()
        self.options = options or StreamingOptions()
        self.realtime = realtime
        self._windows = WhisperTranscriber(engine)
        # Words this caller is likely to say (the products of their own orders), per language: the call session
        # sets them once it knows the caller; they join the shop's prompt (bench.asr_finals --calls measures it).
        self.hints: Hints = {}
        # The VAD hears the line at its own rate: Silero is far surer of speech on 8 kHz audio at 8 kHz
        # than on the same audio upsampled (docs/speech.md, "Silero VAD").
        self._vad_rate = sample_rate if sample_rate in (8000, 16000) else SAMPLE_RATE
        self.vad = StreamingVad(self._vad_rate)
        self._resample = StreamResampler(sample_rate, SAMPLE_RATE)
        self._resample_vad = StreamResampler(sample_rate, self._vad_rate)
        self._history = np.zeros(0, np.float32)  # recent audio, for the pre-roll
        self._fed = 0  # samples fed at 16 kHz
        self._utt: _Utterance | None = None
        self._lock = threading.RLock()
        self._job: tuple | None = None
        self._wake = threading.Condition(self._lock)
        self._busy = False
        self._closed = False
        self._worker = threading.Thread(target=self._work, daemon=True, name="asr") if realtime else None
        if self._worker:
            self._worker.start()
        # live, the end-of-turn model runs on its own thread: never on the audio path, never behind a decode
        self._turn_job: tuple[int, float, np.ndarray] | None = None
        self._turn_worker = None
        if realtime and self.turn.model is not None:
            self._turn_worker = threading.Thread(target=self._work_turn, daemon=True, name="end-of-turn")
            self._turn_worker.start()

    @property
    def in_turn(self) -> bool:
        """Speech was heard and its final text is not out yet."""
        return self._utt is not None

    @property
    def audio_t(self) -> float:
        return self._fed / SAMPLE_RATE

    # --- the I/O side -------------------------------------------------------------------------
    def feed(self, pcm: np.ndarray) -> None:
        events = self.vad.push(self._resample_vad(pcm))
        pcm = self._resample(pcm)
        with self._lock:
            self._fed += len(pcm)
            keep = int((self.options.preroll_s + 1.0) * SAMPLE_RATE)
            self._history = np.concatenate([self._history, pcm])[-keep:]
            if self._utt is not None:
                self._utt.audio.append(pcm)
                self._utt.samples += len(pcm)
            for e in events:
                self._on_vad(e.kind, e.t)
            self._tick()

    def close(self) -> None:
        """End of the stream: finish any open turn, then stop the worker."""
        with self._lock:
            if self._utt is not None:
                self._utt.pause_t = self._utt.pause_t if self._utt.pause_t is not None else self.audio_t
                self._request_final(force=True)
            self._closed = True
            self._wake.notify_all()
        for worker in (self._worker, self._turn_worker):
            if worker:
                worker.join(timeout=60)

    def _on_vad(self, kind: str, t: float) -> None:
        utt = self._utt
        if kind == "speech_start":
            if utt is None:
                back = min(len(self._history), int((self.audio_t - t + self.options.preroll_s) * SAMPLE_RATE))
                self._utt = _Utterance(start_t=self.audio_t - back / SAMPLE_RATE, audio=[self._history[-back:]],
                                       samples=back)
                self.turn.reset()
                self._emit(AsrEvent("speech_start", t, time.monotonic()))
            elif utt.final_requested:  # the turn is over: this speech opens the next one
                utt.resumed_t = utt.resumed_t if utt.resumed_t is not None else t
            else:  # the caller went on after a pause: the speculative final (the draft) is stale
                utt.generation += 1
                utt.pause_t, utt.speculative = None, None
                self._emit(AsrEvent("resumed", t, time.monotonic()))
        elif kind == "speech_end" and utt is not None and utt.pause_t is None:
            utt.pause_t = t
            self._emit(AsrEvent("speech_end", t, time.monotonic()))
            self._submit(("final", utt.generation, utt.pcm(), join_units(utt.committed)))

    def _tick(self) -> None:
        utt = self._utt
        if utt is None or utt.final_requested:
            return
        if utt.pause_t is None:
            if utt.samples / SAMPLE_RATE >= self.turn.options.max_turn_s:
                utt.pause_t = self.audio_t
                self._request_final(force=True)
            elif (utt.samples - utt.last_partial_at >= self.options.partial_every_s * SAMPLE_RATE and not self._busy
                  and utt.samples >= self.options.first_partial_s * SAMPLE_RATE):
                utt.last_partial_at = utt.samples
                self._submit(("partial", utt.generation, utt.pcm(), join_units(utt.committed)))
            return
        spec = utt.speculative
        text = spec[1].text if spec and spec[0] == utt.generation else None
        silence = self.audio_t - utt.pause_t
        if self._turn_worker is None:  # replaying (or no model): the model, if any, runs inline when due
            verdict = self.turn.decide(silence, text, audio=utt.pcm)
        else:
            if self.turn.due(silence):
                self.turn.asked(silence)
                self._turn_job = (utt.generation, silence, utt.pcm())
                self._wake.notify_all()
            verdict = self.turn.decide(silence, text)
        if verdict.end:
            utt.verdict = verdict
            self._request_final()

    def _request_final(self, force: bool = False) -> None:
        utt = self._utt
        assert utt is not None
        if utt.turn_end_wall is None:
            utt.turn_end_wall, utt.turn_end_t = time.monotonic(), self.audio_t
        spec = utt.speculative
        if spec and spec[0] == utt.generation and not force:
            self._emit_final(utt, spec[1], spec[2])
        else:
            utt.final_requested = True
            if force:
                utt.generation += 1
                self._submit(("final", utt.generation, utt.pcm(), join_units(utt.committed)))

    # --- the decoding side --------------------------------------------------------------------
    def _submit(self, job: tuple) -> None:
        if not self.realtime:
            self._run(job)
            return
        if self._job is not None and self._job[0] == "final" and job[0] == "partial":
            return  # a pending final outranks a partial
        self._job = job
        self._wake.notify_all()

    def _next(self, slot: str) -> tuple | None:
        """Wait (holding the lock) for the job in `slot` and take it; None once the stream is closed."""
        while getattr(self, slot) is None and not self._closed:
            self._wake.wait()
        job = getattr(self, slot)
        setattr(self, slot, None)
        return job

    def _work(self) -> None:
        while True:
            with self._lock:
                if (job := self._next("_job")) is None:
                    return
                self._busy = True
            try:
                self._run(job)
            finally:
                with self._lock:
                    self._busy = False

    def _work_turn(self) -> None:
        model = self.turn.model
        assert model is not None
        while True:
            with self._lock:
                if (job := self._next("_turn_job")) is None:
                    return
            generation, silence, pcm = job
            started = time.perf_counter()
            try:
                probability, error = model.probability(pcm), None
            except Exception as e:  # the words decide this pause; the call goes on
                probability, error = None, e
            model_s = time.perf_counter() - started
            with self._lock:
                utt = self._utt
                if utt is None or utt.generation != generation or utt.final_requested:
                    continue  # the caller went on, or the turn already ended: a stale score
                if error is not None:
                    self.turn.failed(error)
                else:
                    self.turn.scored(probability, silence, model_s)
                self._tick()  # a "complete" ends the turn now, not at the next frame

    def _run(self, job: tuple) -> None:
        kind, generation, pcm, prefix = job
        started = time.monotonic()
        duration = len(pcm) / SAMPLE_RATE
        if kind == "final" and duration > self.engine.options.window_s:
            # a long turn is decoded as a recording is: in windows cut at its pauses, seams merged
            decoded, long_turn = None, self._windows.transcribe(pcm, self.language, hints=self.hints)
            language = long_turn.language
        else:
            partial = kind == "partial"  # a partial is a glimpse: greedy, on the encoder cut to the audio
            decoded, language = self.engine.decode(pcm, self.language, prefix=prefix if partial else "",
                                                   beam_size=1 if partial else self.options.final_beam_size,
                                                   full_window=not partial and self.options.final_full_window,
                                                   hints=self.hints)
        asr_s = time.monotonic() - started
        with self._lock:
            utt = self._utt
            if utt is None or generation != utt.generation:
                return
            if kind == "partial":
                assert decoded is not None
                if looks_looped(decoded.text) or is_phantom(decoded.text):
                    return  # a repetition loop or a subtitle credit: not worth showing
                new = units(to_simplified(decoded.text) if language == "zh" else decoded.text)
                utt.committed = max(utt.committed, agreed_prefix(utt.hypothesis, new), key=len)
                utt.hypothesis = new
                self._emit(AsrEvent("partial", self.audio_t, time.monotonic(), decoded.text,
                                    join_units(utt.committed)))
                return
            if decoded is None:
                transcript = replace(long_turn, segments=[replace(s, start=utt.start_t + s.start,
                                                                  end=utt.start_t + s.end) for s in long_turn.segments])
            else:
                segments = [replace(s, start=utt.start_t + s.start, end=utt.start_t + s.end) for s in decoded.segments]
                transcript = clean_transcript(Transcript(decoded.text, language, duration, segments))
            utt.speculative = (generation, transcript, asr_s)
            if not utt.final_requested:  # the text at the first pause: a session can judge a backchannel early
                self._emit(AsrEvent("draft", self.audio_t, time.monotonic(), transcript.text, transcript=transcript))
            if utt.final_requested:
                self._emit_final(utt, transcript, asr_s)
            else:
                self._tick()

    def _emit_final(self, utt: _Utterance, transcript: Transcript, asr_s: float) -> None:
        self._utt = None
        self._emit(AsrEvent("final", self.audio_t, time.monotonic(), transcript.text, transcript.text,
                            transcript, utt.pause_t, asr_s, utt.turn_end_wall, utt.turn_end_t,
                            utt.pcm(), utt.verdict))
        if utt.resumed_t is not None or self.vad.speaking:  # the caller goes on: a new turn
            self._on_vad("speech_start", utt.resumed_t if utt.resumed_t is not None else self.audio_t)

    def _emit(self, event: AsrEvent) -> None:
        self.on_event(event)
