"""Whisper on CTranslate2 (faster-whisper's model format): the transcription pipeline.

Whisper pads every input to a 30 s window, so a 3 s utterance pays for 30 s of encoder (~0.6 s
on two cores). CTranslate2 accepts a shorter mel spectrogram, and a partial (a glimpse of the
text while the caller talks) and a live final (the call session's, see `streaming`) encode only
the audio plus `pad_s` of silence. Files encode the whole window, as Whisper was trained: on real
recordings the cut encoder makes more errors (development set, docs/speech.md, "Real speech"), and a file
has no caller waiting on its last word.
Long recordings are cut at pauses (VAD) into windows of at most `window_s`; speech with no pause
is decoded in overlapping windows and the seams merged.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import ctranslate2
import numpy as np
from faster_whisper import WhisperModel
from faster_whisper.tokenizer import Tokenizer

from speech import models
from speech.asr.base import SAMPLE_RATE, Segment, Transcript
from speech.asr.filters import clean_transcript, echoes_prompt, join_text, looks_looped
from speech.asr.seams import splice
from speech.vad import VadOptions, speech_probabilities, speech_regions

LANGUAGES = ("zh", "en")
FRAME_S = 0.01  # one mel frame
TOKEN_S = 0.02  # one timestamp step
# Whisper's "previous text" prompt: the shop's vocabulary, and Simplified characters for Mandarin.
PROMPTS = {
    "zh": "以下是网店客服电话里的普通话：订单、运单号、快递、送达、退货、退款、"
          "发票、邮箱、优惠券、支付宝、微信支付、人工客服、账号、注册、验证码、密码、收货地址。",
    "en": "A customer calls an online shop about orders, delivery, returns, refunds, invoices, PayPal and passwords.",
}
# Words this caller is likely to say, after the shop's (the products of their own orders: `LiveTranscriber.hints`).
HINTS = {"zh": ("来电客户的订单：", "、", "。"), "en": (" The caller's orders: ", ", ", ".")}
Hints = Mapping[str, Sequence[str]]  # language -> words
MAX_PROMPT_TOKENS = 223  # Whisper's "previous text" is at most half its 448-token context


@dataclass
class DecodeOptions:
    beam_size: int = 5  # finals and files; streaming partials decode greedily
    pad_s: float = 5.0  # silence after the audio: with less, the decoder loops back over what it heard
    lead_s: float = 0.3  # silence before the audio on the cut encoder: it misses a first word said at 0.0 s
    window_s: float = 24.0  # longest stretch decoded at once (the 30 s window less the lead and some margin)
    overlap_s: float = 2.0  # a stretch with no pause is decoded in windows overlapping by this much
    tail_gap_s: float = 1.0  # speech this long after a window's last segment is decoded again (a text ended early)
    max_tails: int = 2  # at most this many such re-decodes a window
    prompts: dict[str, str] = field(default_factory=lambda: dict(PROMPTS))
    compute_type: str = "int8"  # "float32" reproduces openai-whisper's numbers exactly
    full_window: bool = True  # encode the whole 30 s window (files); False: the audio + pad_s (live decodes)


@dataclass
class Decoded:
    text: str
    tokens: list[int]
    avg_logprob: float
    no_speech_prob: float
    compression_ratio: float
    segments: list[Segment] = field(default_factory=list)


def compression_ratio(text: str) -> float:
    data = text.encode()
    return len(data) / len(zlib.compress(data)) if data else 1.0


class WhisperEngine:
    """faster-whisper's CTranslate2 model, its tokenizer and features; one decode at a time."""

    name = "faster-whisper"

    def __init__(self, model_dir: Path | None = None, threads: int = 2, options: DecodeOptions | None = None):
        self.options = options or DecodeOptions()
        self.fw = WhisperModel(str(model_dir or models.path(models.WHISPER_BASE)), device="cpu",
                               compute_type=self.options.compute_type, cpu_threads=threads)
        self.model: ctranslate2.models.Whisper = self.fw.model
        self.features = self.fw.feature_extractor
        self._tokenizers = {lang: Tokenizer(self.fw.hf_tokenizer, True, task="transcribe", language=lang)
                            for lang in LANGUAGES}
        self._lock = threading.Lock()

    def tokenizer(self, language: str) -> Tokenizer:
        return self._tokenizers[language]

    def encode(self, pcm: np.ndarray, full_window: bool | None = None) -> ctranslate2.StorageView:
        pad = int(self.options.pad_s * SAMPLE_RATE)
        mel = self.features(np.asarray(pcm, np.float32), padding=pad)
        frames = min(3000, int(np.ceil((len(pcm) + pad) / SAMPLE_RATE / FRAME_S / 100)) * 100)
        if self.options.full_window if full_window is None else full_window:
            mel, frames = self.features(np.asarray(pcm, np.float32), padding=30 * SAMPLE_RATE), 3000
        if mel.shape[1] < frames:
            mel = np.pad(mel, ((0, 0), (0, frames - mel.shape[1])), mode="edge")
        return self.model.encode(ctranslate2.StorageView.from_array(np.ascontiguousarray(mel[None, :, :frames])),
                                 to_cpu=False)

    def detect_language(self, encoded: ctranslate2.StorageView) -> tuple[str, float]:
        """Most likely of the languages the shop speaks."""
        scores = dict(self.model.detect_language(encoded)[0])
        best = max(LANGUAGES, key=lambda lang: scores.get(f"<|{lang}|>", 0.0))
        return best, scores.get(f"<|{best}|>", 0.0)

    def decode(self, pcm: np.ndarray, language: str | None, *, prefix: str = "", beam_size: int | None = None,
               full_window: bool | None = None, hints: Hints | None = None) -> tuple[Decoded, str]:
        """Transcribe one window. `prefix` is text already agreed on (streaming): it is forced, not redone.
        `hints`: words this caller is likely to say, per language, added to the prompt after the shop's.

        Decoding always predicts timestamps: text the model goes on "hearing" after the end of the
        audio (a loop into the padding) is stamped past the end and dropped.
        """
        whole = self.options.full_window if full_window is None else full_window
        lead = lead_s(self.options, whole)
        pcm = add_lead(pcm, lead)
        beam = beam_size or self.options.beam_size
        with self._lock:
            encoded = self.encode(pcm, whole)
            if language is None:
                language, _ = self.detect_language(encoded)
            result = self._generate(encoded, language, prefix, beam, len(pcm) / SAMPLE_RATE, hints)
        return remove_lead(without_echo(result, self.options, language), lead), language

    def _generate(self, encoded: ctranslate2.StorageView, language: str, prefix: str, beam_size: int,
                  duration_s: float, hints: Hints | None = None) -> Decoded:
        tok = self.tokenizer(language)
        prompt: list[int] = []
        if text := prompt_text(self.options, language, hints):  # the end is kept: the model reads it nearest the audio
            prompt = [tok.sot_prev] + tok.encode(" " + text)[-MAX_PROMPT_TOKENS:]
        prompt += list(tok.sot_sequence)
        if prefix:
            prompt += [tok.timestamp_begin] + tok.encode((" " if language != "zh" else "") + prefix)
        # Speech carries ~4 tokens a second, fast digits and Chinese more. The budget only bounds a decoding
        # loop: one that runs out on text that does not repeat itself is a sentence cut short, so it is redone
        # with Whisper's whole budget. CTranslate2 counts the prompt in `max_length` and generates at most
        # half of it (Whisper's sample length), so both bounds are set from the tokens wanted.
        wanted = 32 + int(duration_s * 15)
        while True:
            max_length = min(448, max(len(prompt) + wanted, 2 * wanted))
            res = self.model.generate(encoded, [prompt], beam_size=beam_size, max_length=max_length,
                                      return_scores=True, return_no_speech_prob=True, suppress_blank=not prefix,
                                      suppress_tokens=[-1], max_initial_timestamp_index=50)[0]
            ran_out = len(res.sequences_ids[0]) >= min(max_length - len(prompt), max_length // 2)
            if not ran_out or max_length >= 448 or looks_looped(tok.decode(
                    [t for t in res.sequences_ids[0] if t < tok.eot])):
                break
            wanted = 448
        tokens = [t for t in res.sequences_ids[0] if t < tok.eot or t >= tok.timestamp_begin]
        return decoded_from_tokens(tok, tokens, language, float(res.scores[0]), float(res.no_speech_prob),
                                   duration_s)



def without_echo(decoded: Decoded, options: DecodeOptions, language: str) -> Decoded:
    """The decode without segments that read the prompt back (`filters.echoes_prompt`): the shop's prompt and the
    line that introduces the caller's products, not the products themselves."""
    shop = options.prompts.get(language, "") + (HINTS[language][0] if language in HINTS else "")
    kept = [s for s in decoded.segments if not echoes_prompt(s.text, shop, language)]
    if len(kept) == len(decoded.segments):
        return decoded
    return replace(decoded, text=join_text([s.text for s in kept], language), segments=kept)


def prompt_text(options: DecodeOptions, language: str, hints: Hints | None = None) -> str:
    """Whisper's "previous text": the shop's vocabulary, then the caller's own words (`hints`) if any."""
    text = options.prompts.get(language, "")
    words = (hints or {}).get(language)
    if words and language in HINTS:
        lead, joiner, end = HINTS[language]
        text += lead + joiner.join(words) + end
    return text.strip()


def lead_s(options: DecodeOptions, full_window: bool) -> float:
    """Silence put before the audio. The whole 30 s window gets none, as Whisper was trained and as the floor
    runs it: there the extra silence cost words (development set, docs/speech.md, "Real speech")."""
    return 0.0 if full_window else options.lead_s


def add_lead(pcm: np.ndarray, seconds: float) -> np.ndarray:
    return np.concatenate([np.zeros(int(seconds * SAMPLE_RATE), np.float32), np.asarray(pcm, np.float32)])


def remove_lead(decoded: Decoded, shift: float) -> Decoded:
    decoded.segments = [replace(s, start=max(0.0, s.start - shift), end=max(0.0, s.end - shift))
                        for s in decoded.segments]
    return decoded


def decoded_from_tokens(tok, tokens: list[int], language: str, avg_logprob: float, no_speech_prob: float,
                        duration_s: float) -> Decoded:
    """Split at timestamp tokens (<|t0|> text <|t1|><|t1|> text <|t2|> ...); drop what is stamped past the
    end of the audio: that is the decoder looping into the padding, not speech."""
    text_of = lambda ts: tok.decode([t for t in ts if t < tok.timestamp_begin]).strip()  # noqa: E731
    whole = text_of(tokens)
    ratio = compression_ratio(whole)
    segments, start, current = [], 0.0, []
    for t in tokens + [tok.timestamp_begin + round(duration_s / TOKEN_S)]:
        if t >= tok.timestamp_begin:
            stamp = min((t - tok.timestamp_begin) * TOKEN_S, duration_s)
            if current and (text := text_of(current)) and start < duration_s - 0.1:
                segments.append(Segment(start, max(stamp, start), text, avg_logprob, no_speech_prob, ratio))
            current, start = [], stamp
        else:
            current.append(t)
    return Decoded(join_text([s.text for s in segments], language), tokens, avg_logprob, no_speech_prob, ratio,
                   segments)


def plan_windows(regions: list[tuple[float, float]], window_s: float, probabilities: np.ndarray | None = None,
                 overlap_s: float = 2.0, max_gap_s: float = 2.0, vad_window_s: float = 0.032,
                 pause_threshold: float = 0.35, lead_in_s: float = 0.3) -> list[tuple[float, float]]:
    """Decoding windows no longer than `window_s`, cut only at pauses.

    Speech regions less than `max_gap_s` apart share a window, and the gap is decoded with them (a
    word the VAD missed in it is not lost). A stretch longer than `window_s` is cut in the middle
    of its longest pause in the second half of the window (speech probability below
    `pause_threshold`); a stretch with no pause at all is cut with `overlap_s` of overlap, and the
    seam is merged from both windows' text (`seams.splice`). So every second from the first speech
    to the last is decoded, except gaps of `max_gap_s` or more that the VAD hears as silence. Each
    stretch starts `lead_in_s` before the VAD heard it: a soft first sound ("Please") is easily missed.
    """
    stretches: list[tuple[float, float]] = []
    for start, end in regions:
        start = max(0.0, stretches[-1][1] if stretches else 0.0, start - lead_in_s)
        if stretches and start - stretches[-1][1] < max_gap_s:
            stretches[-1] = (stretches[-1][0], end)
        else:
            stretches.append((start, end))
    windows: list[tuple[float, float]] = []
    for start, end in stretches:
        while end - start > window_s:
            cut = longest_pause(probabilities, start + window_s / 2, start + window_s, vad_window_s, pause_threshold)
            if cut is not None:
                windows.append((start, cut))
                start = cut
            else:
                windows.append((start, start + window_s))
                start += window_s - overlap_s
        windows.append((start, end))
    return windows


def longest_pause(probabilities: np.ndarray | None, lo: float, hi: float, vad_window_s: float,
                  threshold: float) -> float | None:
    """The middle of the longest run of VAD windows below `threshold` between `lo` and `hi` s, or None."""
    if probabilities is None or len(probabilities) == 0:
        return None
    first, last = int(lo / vad_window_s), min(len(probabilities), int(hi / vad_window_s))
    best, run_start, best_len = None, None, 0
    for k in range(first, last + 1):
        quiet = k < last and probabilities[k] < threshold
        if quiet and run_start is None:
            run_start = k
        elif not quiet and run_start is not None:
            if k - run_start >= best_len:
                best, best_len = (run_start + k) / 2, k - run_start
            run_start = None
    return None if best is None else best * vad_window_s


class WhisperTranscriber:
    """A `Transcriber` over either engine: VAD finds the speech, Whisper decodes each stretch of it."""

    def __init__(self, engine: WhisperEngine | None = None, window_s: float | None = None) -> None:
        self.engine = engine or WhisperEngine()
        self.window_s = window_s or self.engine.options.window_s

    def transcribe(self, pcm: np.ndarray, language: str | None = None, progress=None,
                   hints: Hints | None = None) -> Transcript:
        pcm = np.asarray(pcm, np.float32)
        duration = len(pcm) / SAMPLE_RATE
        options = self.engine.options
        probs = speech_probabilities(pcm)
        windows = plan_windows(speech_regions(pcm, probabilities=probs), self.window_s, probs, options.overlap_s)
        segments: list[Segment] = []
        detected = language
        previous_end = 0.0
        for start, end in windows:
            heard, detected = self._decode_window(pcm, start, end, language or None, probs, hints)
            if start < previous_end:  # no pause to cut at: the windows overlap, the seam is merged
                segments = splice(segments, heard, (start, previous_end))
            else:
                segments += heard
            previous_end = end
            if progress:
                progress(end, duration)
        lang = detected or language or "en"
        t = Transcript(join_text([s.text for s in segments], lang), lang, duration, segments)
        return clean_transcript(t)

    def _decode_window(self, pcm: np.ndarray, start: float, end: float, language: str | None,
                       probabilities: np.ndarray, hints: Hints | None = None) -> tuple[list[Segment], str | None]:
        """One window's segments in seconds of the recording. Whisper sometimes ends a long window early (real
        English prompts: "...press 0 to" and then end of text, with 2 s of speech left): when speech the VAD
        heard lies more than `tail_gap_s` after the last segment, the rest is decoded again, from `overlap_s`
        before that segment's end, and the seam merged. At most `max_tails` times a window."""
        options = self.engine.options
        segments: list[Segment] = []
        at = start
        for _ in range(1 + options.max_tails):
            chunk = pcm[int(at * SAMPLE_RATE): int(end * SAMPLE_RATE)]
            d, language = self.engine.decode(chunk, language, hints=hints)
            heard = [replace(s, start=at + s.start, end=at + s.end) for s in d.segments]
            segments = splice(segments, heard, (at, segments[-1].end)) if segments else heard
            last = segments[-1].end if segments else None
            if last is None or not _speech_after(probabilities, last + options.tail_gap_s, end):
                break
            at = max(at + options.tail_gap_s, last - options.overlap_s)
        return segments, language


def _speech_after(probabilities: np.ndarray, lo: float, hi: float, vad_window_s: float = 0.032) -> bool:
    """Did the VAD hear speech (its own start threshold) between `lo` and `hi` s?"""
    window = probabilities[int(lo / vad_window_s): int(hi / vad_window_s)]
    return bool((window >= VadOptions().threshold).any())
