"""Caller voices VoiceDesk's own TTS never uses: Debian's flite (English) and ttskit speakers (Mandarin).

Both are synthetic; neither is a product dependency. flite is a Debian package (`apt-get install flite`);
ttskit lives in a generator-only venv, `out/gen-venv` (git-ignored), which `ensure_gen_venv` creates
with ttskit's legacy pins and which `ttskit_worker.py` runs in.
Voice names in scenario headers: `flite <voice>` and `ttskit <speaker>`.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

REPO = Path(__file__).resolve().parents[2]
GEN_VENV = REPO / "out" / "gen-venv"
WORKER = Path(__file__).with_name("ttskit_worker.py")
# ttskit 0.3.8's own pins are too loose to install today: PyYAML<=5.4.1 builds only with Cython<3, and
# torch must be the CPU wheel. setuptools<70 keeps the pkg_resources it imports.
GEN_PINS = ["torch==2.13.0", "numpy==1.26.4", "librosa==0.9.2", "scipy==1.11.4", "ttskit==0.3.8"]
GEN_CONSTRAINTS = ["cython<3", "torch<=2.14.1"]


def ensure_gen_venv() -> Path:
    """The generator-only venv for ttskit, made once (a few minutes); its python."""
    python = GEN_VENV / "bin" / "python"
    if (GEN_VENV / ".ready").exists():
        return python
    subprocess.run([sys.executable, "-m", "venv", str(GEN_VENV)], check=True)
    constraints = GEN_VENV / "constraints.txt"
    constraints.write_text("\n".join(GEN_CONSTRAINTS) + "\n")
    env = {**os.environ, "PIP_CONSTRAINT": str(constraints)}
    pip = [str(python), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, *GEN_PINS], check=True, env=env)
    subprocess.run([*pip, "--no-deps", "setuptools<70"], check=True, env=env)
    (GEN_VENV / ".ready").touch()
    return python


def flite(text: str, voice: str) -> tuple[np.ndarray, int]:
    """flite is deterministic: the same text and voice give the same samples."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "x.wav"
        subprocess.run(["flite", "-voice", voice, "-t", text, "-o", str(out)], check=True, capture_output=True)
        pcm, rate = sf.read(out, dtype="float32")
    return pcm, rate


class Ttskit:
    """One ttskit worker process for many sentences (its models take seconds to load), started on first use."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.tmp = tempfile.TemporaryDirectory()

    def __call__(self, text: str, speaker: str, seed: int) -> tuple[np.ndarray, int]:
        if self.process is None:
            self.process = subprocess.Popen([str(ensure_gen_venv()), str(WORKER)], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        out = Path(self.tmp.name) / "x.wav"
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps({"text": text, "speaker": speaker, "seed": seed, "out": str(out)},
                                            ensure_ascii=False) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline() or '{"error": "the ttskit worker died"}')
        if "error" in answer:
            raise RuntimeError(f"ttskit {speaker}: {answer['error']} ({text!r})")
        pcm, rate = sf.read(io.BytesIO(out.read_bytes()), dtype="float32")
        return pcm, rate

    def close(self) -> None:
        if self.process is not None and self.process.stdin:
            self.process.stdin.close()
            self.process.wait(timeout=30)
        self.tmp.cleanup()


def speak(voice: str, text: str, seed: int, ttskit: Ttskit | None) -> tuple[np.ndarray, int]:
    """Any voice by its header name: `flite slt`, `ttskit Aiyue`."""
    engine, name = voice.split(" ", 1)
    if engine == "flite":
        return flite(text, name)
    if engine == "ttskit" and ttskit is not None:
        return ttskit(text, name, seed)
    raise ValueError(f"unknown voice {voice!r} (flite <voice> or ttskit <speaker>)")
