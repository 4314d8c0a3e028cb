"""The caller's channel, shared by every sample generator: speed, noise, the phone line, the file format.

A transform is a name in a scenario header's `transforms`, applied in order by `render`:
  speed-X           tape-style speed change by resampling (X=1.08: 8% faster and ~1.3 semitones higher)
  noise-pink-NNdb   seeded pink noise at NN dB SNR (over the voiced part), as from a street or a room
  noise-babble-NNdb other people talking at NN dB SNR (needs a babble bed: synthetic voices, see `babble_bed`)
  phone-band        300-3400 Hz band-pass (the telephone channel)
  mulaw-8k          8 kHz G.711 mu-law WAVE (format tag 7), as phone systems record it
  ogg-16k           16 kHz Ogg Vorbis (a wideband app or web call)
Everything random is drawn from the generator passed in, so a seeded call gives the same bytes every run;
the Ogg stream serial number is fixed for the same reason.
"""

from __future__ import annotations

import io
import re
import struct
import sys
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import butter, sosfilt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from speech import g711  # noqa: E402
from speech.audio import float_to_pcm16, resample  # noqa: E402

OGG_SERIAL = 0x56444B31  # "VDK1"


def phone_band(pcm: np.ndarray, rate: int) -> np.ndarray:
    sos = butter(4, [300, 3400], btype="bandpass", fs=rate, output="sos")
    return sosfilt(sos, pcm).astype(np.float32)


def write_ulaw_wav(path: Path, codes: np.ndarray) -> None:
    """A WAVE file with format tag 7 (mu-law), as phone systems record it."""
    with sf.SoundFile(path, "w", samplerate=8000, channels=1, format="WAV", subtype="ULAW") as f:
        f.write(g711.ulaw_decode(codes.tobytes()).astype(np.int16))


def change_speed(pcm: np.ndarray, rate: int, factor: float) -> np.ndarray:
    """Play `factor` times faster at the same rate: tempo and pitch move together, like a tape."""
    return resample(pcm, rate, round(rate / factor))


def pink_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    spectrum = np.fft.rfft(rng.standard_normal(n))
    spectrum[1:] /= np.sqrt(np.arange(1, len(spectrum)))
    spectrum[0] = 0
    noise = np.fft.irfft(spectrum, n)
    return (noise / np.sqrt(np.mean(noise**2))).astype(np.float32)


def speech_power(pcm: np.ndarray, rate: int) -> float:
    """Mean power of the voiced 20 ms frames (the silences would flatter the SNR)."""
    frame = rate // 50
    frames = pcm[: len(pcm) // frame * frame].reshape(-1, frame)
    power = np.mean(frames**2, axis=1)
    return float(np.mean(power[power > power.max() * 1e-3]))


def mix_at_snr(pcm: np.ndarray, rate: int, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """`noise` (unit power, same length) scaled to `snr_db` below the voiced speech, added, kept off the rails."""
    mixed = pcm + noise * np.sqrt(speech_power(pcm, rate) / 10 ** (snr_db / 10))
    return (mixed / max(1.0, float(np.abs(mixed).max()) / 0.95)).astype(np.float32)


def add_noise(pcm: np.ndarray, rate: int, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    return mix_at_snr(pcm, rate, pink_noise(len(pcm), rng), snr_db)


def add_babble(pcm: np.ndarray, rate: int, snr_db: float, rng: np.random.Generator, bed: np.ndarray,
               bed_rate: int) -> np.ndarray:
    """A stretch of the babble bed, from a seeded offset, behind the caller."""
    bed = resample(bed, bed_rate, rate) if bed_rate != rate else bed
    if len(bed) < len(pcm):
        bed = np.tile(bed, len(pcm) // len(bed) + 1)
    start = int(rng.integers(0, len(bed) - len(pcm) + 1))
    stretch = bed[start:start + len(pcm)].astype(np.float32)
    return mix_at_snr(pcm, rate, stretch / np.sqrt(max(float(np.mean(stretch**2)), 1e-12)), snr_db)


def babble_bed(voices: list[np.ndarray], rate: int, rng: np.random.Generator) -> np.ndarray:
    """Several talkers at once: each voice's speech looped from its own seeded offset, levelled, summed."""
    length = max(len(v) for v in voices)
    bed = np.zeros(length, np.float32)
    for v in voices:
        v = np.tile(v, length // len(v) + 2)[(start := int(rng.integers(0, len(v)))):start + length]
        bed += v / np.sqrt(max(float(np.mean(v**2)), 1e-12))
    return bed


def fixed_serial_ogg(data: bytes, serial: int = OGG_SERIAL) -> bytes:
    """libsndfile gives every Ogg stream a random serial number; set ours and re-stamp each page's CRC."""
    out, pos = bytearray(data), 0
    while pos < len(out):
        if out[pos:pos + 4] != b"OggS":
            raise ValueError(f"not an Ogg page at byte {pos}")
        segments = out[pos + 26]
        end = pos + 27 + segments + sum(out[pos + 27:pos + 27 + segments])
        struct.pack_into("<I", out, pos + 14, serial)
        struct.pack_into("<I", out, pos + 22, 0)
        struct.pack_into("<I", out, pos + 22, _ogg_crc(bytes(out[pos:end])))
        pos = end
    return bytes(out)


def _ogg_crc_table() -> list[int]:
    table = []
    for i in range(256):
        r = i << 24
        for _ in range(8):
            r = ((r << 1) ^ 0x04C11DB7) if r & 0x80000000 else r << 1
        table.append(r & 0xFFFFFFFF)
    return table


_OGG_CRC = _ogg_crc_table()


def _ogg_crc(page: bytes) -> int:
    crc = 0
    for byte in page:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _OGG_CRC[((crc >> 24) ^ byte) & 0xFF]
    return crc


def render(pcm: np.ndarray, rate: int, transforms: list[str], rng: np.random.Generator, path: Path,
           babble: tuple[np.ndarray, int] | None = None) -> None:
    """Apply the header's transforms in order; the last one writes the file."""
    for name in transforms:
        if m := re.fullmatch(r"speed-(\d\.\d+)", name):
            pcm = change_speed(pcm, rate, float(m.group(1)))
        elif m := re.fullmatch(r"noise-pink-(\d+)db", name):
            pcm = add_noise(pcm, rate, float(m.group(1)), rng)
        elif m := re.fullmatch(r"noise-babble-(\d+)db", name):
            if babble is None:
                raise ValueError(f"{path}: {name} needs a babble bed")
            pcm = add_babble(pcm, rate, float(m.group(1)), rng, *babble)
        elif name == "phone-band":
            pcm = phone_band(pcm, rate)
        elif name == "mulaw-8k":
            narrow = resample(pcm, rate, 8000)
            write_ulaw_wav(path, np.frombuffer(g711.ulaw_encode(float_to_pcm16(narrow * 0.8)), np.uint8))
        elif name == "ogg-16k":
            buffer = io.BytesIO()
            sf.write(buffer, resample(pcm, rate, 16000), 16000, format="OGG", subtype="VORBIS")
            path.write_bytes(fixed_serial_ogg(buffer.getvalue()))
        else:
            raise ValueError(f"{path}: unknown transform {name!r}")
