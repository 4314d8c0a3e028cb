"""The text sentiment's data files and loaders.

- `training.jsonl`: turns the e5 sentiment classifier is trained on (written apart from the two sets below).
- `labelled.jsonl`: hand-labelled turns, only ever scored; `half` "dev" sets the blend weights and
  thresholds (`evaluate.py --tune`), "test" is reported.
- `cues.yaml`: the service-cue lexicon (`text.py`).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from dialog.data import read_jsonl, read_yaml
from dialog.types import Language, MoodLabel

HERE = Path(__file__).resolve().parent


def _regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as e:
        raise ValueError(f"bad regular expression {pattern!r}: {e}") from None
    return pattern


Regex = Annotated[str, AfterValidator(_regex)]


class TrainingTurn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    text: str = Field(min_length=1)
    language: Language
    label: MoodLabel


class LabelledTurn(TrainingTurn):
    half: Literal["dev", "test"]


class Cue(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    pattern: Regex
    weight: float = Field(gt=0, le=1)


class CueSide(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    negative: list[Cue]
    positive: list[Cue]


class Cues(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    en: CueSide
    zh: CueSide
    negated_positive: Regex


@cache
def training() -> tuple[TrainingTurn, ...]:
    return tuple(read_jsonl(HERE / "training.jsonl", TrainingTurn))


@cache
def labelled() -> tuple[LabelledTurn, ...]:
    return tuple(read_jsonl(HERE / "labelled.jsonl", LabelledTurn))


def split(half: Literal["dev", "test"]) -> list[tuple[str, Language, MoodLabel]]:
    """(text, language, label) rows of one half of the labelled turns."""
    return [(r.text, r.language, r.label) for r in labelled() if r.half == half]


@cache
def cues() -> Cues:
    return read_yaml(HERE / "cues.yaml", Cues)
