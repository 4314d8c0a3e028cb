"""Mandarin caller voices from ttskit (Mellotron + MelGAN), run inside the generator-only venv.

ttskit 0.3.8 needs legacy pins (numpy 1.26, librosa 0.9.2, setuptools<70) that the product's venv
cannot hold, so `other_voices.py` starts this script in `out/gen-venv` and talks to it over stdin/stdout:
one JSON request a line ({"text", "speaker", "seed", "out"}), one JSON answer a line ({"ok", "out"} or
{"error"}). Each request is seeded (Mellotron's prenet dropout stays on at inference), so the same
request gives the same samples. Its models ship inside the ttskit wheel; its downloader is switched off.
"""

from __future__ import annotations

import functools
import json
import sys
import wave

import numpy as np
import torch

torch.load = functools.partial(torch.load, weights_only=False)  # its checkpoints are whole pickles
torch.set_num_threads(1)  # two threads spin-wait each other to a crawl on a busy 2-core box (43 s vs 7.6 s a sentence)

from ttskit import sdk_api  # noqa: E402
from ttskit.resource import _speaker_dict  # noqa: E402

sdk_api.download_data = lambda *args, **kwargs: True  # never fetch: every file it needs is in the wheel
SPEAKERS = {name: number for number, name in _speaker_dict.items()}


def synthesise(text: str, speaker: str, seed: int) -> np.ndarray:
    torch.manual_seed(seed)
    np.random.seed(seed % 2**32)
    wav = sdk_api.tts_sdk_base(text, speaker=speaker, audio=str(SPEAKERS[speaker]), output="")
    data = np.frombuffer(wav, np.uint8) if isinstance(wav, bytes) else np.asarray(wav)
    return data


def main() -> None:
    for line in sys.stdin:
        request = json.loads(line)
        try:
            if request["speaker"] not in SPEAKERS:
                raise ValueError(f"unknown ttskit speaker {request['speaker']!r}")
            data = synthesise(request["text"], request["speaker"], int(request["seed"]))
            if data.dtype == np.uint8:  # a WAV file's bytes
                with open(request["out"], "wb") as f:
                    f.write(data.tobytes())
            else:
                pcm = (np.clip(data, -1, 1) * 32767).astype("<i2")
                with wave.open(request["out"], "wb") as w:
                    w.setnchannels(1)
                    w.setsampwidth(2)
                    w.setframerate(22050)
                    w.writeframes(pcm.tobytes())
            answer = {"ok": True, "out": request["out"]}
        except Exception as e:  # noqa: BLE001 - one answer per request, the generator decides
            answer = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
