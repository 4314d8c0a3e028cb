"""Where the dialogue layer keeps what set-up builds: the same git-ignored `models/` folder as speech
(VOICEDESK_MODELS_DIR overrides it), found here without importing the speech package."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def models_dir() -> Path:
    env = os.environ.get("VOICEDESK_MODELS_DIR")
    return Path(env) if env else ROOT / "models"


def nlu_dir() -> Path:
    """models/nlu/ (git-ignored): the intent and sentiment models `python -m dialog.nlu.train` writes."""
    return models_dir() / "nlu"
