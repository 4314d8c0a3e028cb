"""Are the sample calls kept out of training? Every source of training or template text, in one list.

A figure measured on a sentence the models were trained on, or that a template was written from, is not a
measurement. `leaks()` finds every sentence of the sample sets (the `say` lines of samples/calls*,
split into sentences) that appears in a training or template source, after normalising both sides the
same way (`says.normalise`): as a part of any string of a source, or as a whole expansion of a paraphrase
template (`[a|b|]` alternatives, `{slot}` fillers; a template is matched against one sentence at a time).
Sentences shorter than MIN_WORDS English words or MIN_CHARS Chinese characters ("Yes.", "好的，谢谢。") are
what every caller says and are not counted.

Sources are Python modules (their string literals) and data files (every string in JSON, JSONL or YAML;
every line or cell of text, CSV and TSV files) under dialog/: when training data moves from modules into
data files, the globs below find it without a change here.
"""

from __future__ import annotations

import ast
import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from voice.replay.says import normalise

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_SETS = ("samples/calls", "samples/calls-unseen", "samples/calls-sealed")
TRAINING_MODULES = (  # the modules that hold training rows, paraphrase templates, reply templates, labelled text
    "dialog/nlu/templates.py", "dialog/nlu/heldout.py", "dialog/nlu/dataset.py", "dialog/train/dataset.py",
    "dialog/generate/templates.py", "dialog/sentiment/labelled.py", "dialog/sentiment/training.py",
)
TRAINING_DATA_GLOBS = ("dialog/**/*.json", "dialog/**/*.jsonl", "dialog/**/*.yaml", "dialog/**/*.yml",
                       "dialog/**/*.txt", "dialog/**/*.csv", "dialog/**/*.tsv")
# Data files that are evaluation sets, not training or templates: a caller's phrase may be in two of those.
EVALUATION_DATA = ("dialog/nlu/data/dev.jsonl", "dialog/nlu/data/test.jsonl", "dialog/nlu/data/handwritten.jsonl",
                   "dialog/sentiment/data/labelled.jsonl", "dialog/train/heldout/replies.jsonl")
MIN_WORDS, MIN_CHARS = 4, 6
_SENTENCE = re.compile(r"[^.!?。！？…]+[.!?。！？…]*")
_TEMPLATE_PART = re.compile(r"(\[[^\[\]]*\]|\{\w*\})")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


@dataclass(frozen=True)
class Leak:
    sentence: str  # as the scenario says it
    call: str  # samples/calls-unseen/en-u01-.../scenario.jsonl:3
    source: str  # the file it was found in


def sources(root: Path = ROOT) -> list[Path]:
    found = [root / m for m in TRAINING_MODULES if (root / m).is_file()]
    for pattern in TRAINING_DATA_GLOBS:
        found += sorted(p for p in root.glob(pattern)
                        if p.is_file() and str(p.relative_to(root)) not in EVALUATION_DATA)
    return found


def source_strings(path: Path) -> Iterator[str]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                yield node.value
    elif path.suffix == ".json":
        yield from _strings(json.loads(text))
    elif path.suffix == ".jsonl":
        for line in text.splitlines():
            if line.strip():
                yield from _strings(json.loads(line))
    elif path.suffix in (".yaml", ".yml"):
        import yaml  # only when such a file exists

        yield from _strings(yaml.safe_load(text))
    elif path.suffix in (".csv", ".tsv"):
        for row in csv.reader(text.splitlines(), delimiter="\t" if path.suffix == ".tsv" else ","):
            yield from row
    else:
        yield from text.splitlines()


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def template_pattern(text: str) -> re.Pattern[str] | None:
    """A paraphrase template as a pattern over normalised text; None for a plain string."""
    if not re.search(r"\[[^\[\]]*\|[^\[\]]*\]|\{\w*\}", text):
        return None
    pieces, literal = [], ""
    for part in _TEMPLATE_PART.split(text):
        if part.startswith("[") and part.endswith("]"):
            pieces.append("(?:" + "|".join(re.escape(normalise(a)) for a in part[1:-1].split("|")) + ")")
        elif part.startswith("{") and part.endswith("}"):
            pieces.append(".+?")
        elif normalise(part):
            pieces.append(re.escape(normalise(part)))
            literal += part
    if not _long_enough(literal):  # "{order} {status}" is a format, not a sentence anyone says
        return None
    return re.compile(r"\s*".join(pieces))


def sample_sentences(root: Path = ROOT) -> Iterator[tuple[str, str, bool]]:
    """(sentence, where, whole line?) for every long enough sentence of every sample call's `say` lines, and for
    the whole line."""
    for folder in SAMPLE_SETS:
        for path in sorted((root / folder).glob("*/scenario.jsonl")):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()[1:], 2):
                say = json.loads(line)["say"]
                where = f"{path.relative_to(root)}:{n}"
                sentences = [s.strip() for s in _SENTENCE.findall(say)]
                for sentence in sentences:
                    if _long_enough(sentence):
                        yield sentence, where, False
                if len(sentences) > 1:
                    yield say, where, True


def _long_enough(sentence: str) -> bool:
    if _CJK.search(sentence):
        return len(_CJK.findall(sentence)) >= MIN_CHARS
    return len(re.findall(r"[A-Za-z0-9']+", sentence)) >= MIN_WORDS


def leaks(root: Path = ROOT) -> list[Leak]:
    plain: list[tuple[str, str]] = []  # (normalised string padded with spaces, source)
    templates: list[tuple[re.Pattern[str], str]] = []
    for path in sources(root):
        name = str(path.relative_to(root))
        for s in source_strings(path):
            if (pattern := template_pattern(s)) is not None:
                templates.append((pattern, name))
            if normalise(s):
                plain.append((f" {normalise(s)} ", name))
    found = []
    for sentence, where, whole_line in sample_sentences(root):
        needle = normalise(sentence)
        padded = needle if _CJK.search(needle) else f" {needle} "
        source = next((name for text, name in plain if padded in text), None)
        if not whole_line:  # a template is one sentence; its {slot} must not swallow the next ones
            source = source or next((name for pattern, name in templates if pattern.fullmatch(needle)), None)
        if source:
            found.append(Leak(sentence, where, source))
    return found
