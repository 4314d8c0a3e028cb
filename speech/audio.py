"""Reading, mixing and resampling audio: everything becomes mono float32 PCM.

Every failure to read is an `AudioError` with the file and the reason, so the CLI and the
call session can say one clear line instead of a traceback.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from speech import g711

SAMPLE_RATE = 16_000
RAW_SUFFIXES = {".raw": "s16le", ".pcm": "s16le", ".s16": "s16le", ".ul": "mulaw", ".ulaw": "mulaw",
                ".mulaw": "mulaw", ".al": "alaw", ".alaw": "alaw"}


class AudioError(ValueError):
    """Audio that cannot be used, with the reason in words."""


@dataclass(frozen=True)
class Audio:
    pcm: np.ndarray  # mono float32 in [-1, 1]
    sample_rate: int

    @property
    def duration_s(self) -> float:
        return len(self.pcm) / self.sample_rate


def read_audio(source: str | Path | bytes, *, sample_rate: int | None = SAMPLE_RATE,
               raw_format: str | None = None, raw_rate: int = 8000, max_duration_s: float = 4 * 3600) -> Audio:
    """Decode wav, flac, ogg, mp3 (libsndfile), anything else FFmpeg knows, or raw PCM/G.711.

    Raw input has no header: its format comes from `raw_format` ("s16le", "mulaw", "alaw") or the
    file suffix (.raw/.pcm s16le, .ul mu-law, .al A-law) and its rate from `raw_rate`.
    The result is mono and, unless `sample_rate` is None, resampled to it.
    """
    name = str(source) if not isinstance(source, bytes) else "<bytes>"
    data = _read_bytes(source, name)
    if not data:
        raise AudioError(f"{name}: empty file (0 bytes)")
    if raw_format is None and not isinstance(source, bytes):
        raw_format = RAW_SUFFIXES.get(Path(source).suffix.lower())
    if raw_format:
        pcm, rate = decode_raw(data, raw_format, name), raw_rate
    else:
        pcm, rate = _decode_container(data, name)
    if pcm.size == 0:
        raise AudioError(f"{name}: contains no audio samples")
    if len(pcm) / rate > max_duration_s:
        raise AudioError(f"{name}: {len(pcm) / rate:.0f} s is longer than the {max_duration_s:.0f} s limit")
    if not np.all(np.isfinite(pcm)):
        raise AudioError(f"{name}: contains NaN or infinite samples")
    audio = Audio(to_mono(pcm), rate)
    return audio if sample_rate is None else Audio(resample(audio.pcm, rate, sample_rate), sample_rate)


def _read_bytes(source: str | Path | bytes, name: str) -> bytes:
    if isinstance(source, bytes):
        return source
    try:
        return Path(source).read_bytes()
    except FileNotFoundError:
        raise AudioError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise AudioError(f"{name}: is a directory, not an audio file") from None
    except OSError as e:
        raise AudioError(f"{name}: cannot read ({e.strerror})") from None


def decode_raw(data: bytes, raw_format: str, name: str = "<bytes>") -> np.ndarray:
    if raw_format == "s16le":
        if len(data) % 2:
            raise AudioError(f"{name}: raw 16-bit PCM has an odd number of bytes ({len(data)})")
        return pcm16_to_float(data)
    if raw_format == "mulaw":
        return pcm16_to_float(g711.ulaw_decode(data))
    if raw_format == "alaw":
        return pcm16_to_float(g711.alaw_decode(data))
    raise AudioError(f"{name}: unknown raw format {raw_format!r} (use s16le, mulaw or alaw)")


def _decode_container(data: bytes, name: str) -> tuple[np.ndarray, int]:
    try:
        with sf.SoundFile(io.BytesIO(data)) as f:
            rate = f.samplerate
            pcm = f.read(dtype="float32", always_2d=True)
        return pcm, rate
    except (sf.LibsndfileError, RuntimeError, TypeError) as first:
        reason = re.sub(r"^Error opening .*?: ", "", str(first)).rstrip(". ").lower()
    return _decode_ffmpeg(data, name, reason)


def _decode_ffmpeg(data: bytes, name: str, reason: str) -> tuple[np.ndarray, int]:
    """FFmpeg (bundled with PyAV) for what libsndfile does not read: AAC, WebM/Opus, truncated MP3."""
    import av

    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            if not container.streams.audio:
                raise AudioError(f"{name}: no audio stream")
            resampler = av.AudioResampler(format="flt", layout="mono")
            rate, parts = 0, []
            for frame in container.decode(audio=0):
                rate = frame.sample_rate
                for out in resampler.resample(frame):
                    parts.append(out.to_ndarray().reshape(-1))
    except AudioError:
        raise
    except (av.error.FFmpegError, ValueError, IndexError):
        raise AudioError(f"{name}: not a readable audio file ({reason})") from None
    if not parts or not rate:
        raise AudioError(f"{name}: not a readable audio file ({reason})")
    return np.concatenate(parts).astype(np.float32)[:, None], rate


def to_mono(pcm: np.ndarray) -> np.ndarray:
    """Average the channels of a (frames, channels) array; 1-D input is already mono."""
    pcm = np.asarray(pcm, dtype=np.float32)
    return pcm if pcm.ndim == 1 else pcm.mean(axis=1, dtype=np.float32)


def resample(pcm: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    if from_rate <= 0 or to_rate <= 0:
        raise AudioError(f"invalid sample rate {from_rate} -> {to_rate}")
    if from_rate == to_rate:
        return np.asarray(pcm, dtype=np.float32)
    return soxr.resample(pcm, from_rate, to_rate, quality="HQ").astype(np.float32, copy=False)


class StreamResampler:
    """Resampling for audio that arrives in frames (phone lines, microphones), without seams."""

    def __init__(self, from_rate: int, to_rate: int) -> None:
        self.from_rate, self.to_rate = from_rate, to_rate
        self._stream = None if from_rate == to_rate else soxr.ResampleStream(from_rate, to_rate, 1, "float32", "HQ")

    def __call__(self, pcm: np.ndarray, last: bool = False) -> np.ndarray:
        pcm = np.asarray(pcm, dtype=np.float32)
        return pcm if self._stream is None else self._stream.resample_chunk(pcm, last=last)


def pcm16_to_float(data: bytes | np.ndarray) -> np.ndarray:
    samples = np.frombuffer(data, dtype="<i2") if isinstance(data, (bytes, bytearray, memoryview)) else data
    return (np.asarray(samples, dtype=np.float32) / 32768.0).astype(np.float32)


def float_to_pcm16(pcm: np.ndarray) -> np.ndarray:
    return (np.clip(pcm, -1.0, 32767 / 32768) * 32768.0).round().astype("<i2")


def write_wav(path: str | Path, pcm: np.ndarray, sample_rate: int) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), np.asarray(pcm, dtype=np.float32), sample_rate, subtype="PCM_16")
