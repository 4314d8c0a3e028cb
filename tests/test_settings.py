"""One settings tree: every setting is in the README's table with its default, the environment sets nested
fields, and nothing below the composition root reads a setting from the environment."""

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from voicedesk.settings import Settings, environment_names

ROOT = Path(__file__).resolve().parents[1]
ROW = re.compile(r"^\| `(VOICEDESK_[A-Z0-9_]+)` \| (?:`([^`]*)`)? \|", re.M)


def shown(value) -> str:
    """A default as the README writes it."""
    if value is None or value == "":
        return ""
    return str(value).lower() if isinstance(value, bool) else str(value)


def test_every_setting_is_in_the_readme_table_with_its_default():
    table = {name: default or "" for name, default in ROW.findall((ROOT / "README.md").read_text())}
    settings = {name: shown(default) for name, default in environment_names()}
    assert sorted(set(settings) - set(table)) == [], "settings missing from the README's table"
    assert sorted(set(table) - set(settings)) == [], "README rows that are no setting"
    assert {n: d for n, d in table.items() if settings[n] != d} == {}, "README defaults that are not the code's"


def test_the_environment_sets_nested_sections(monkeypatch):
    monkeypatch.setenv("VOICEDESK_SESSION__TURN__MIN_SILENCE_S", "0.4")
    monkeypatch.setenv("VOICEDESK_SIP__PUBLIC_HOST", "203.0.113.7")
    monkeypatch.setenv("VOICEDESK_LLM__THREADS", "1")
    monkeypatch.setenv("VOICEDESK_SESSION__LANGUAGE", "auto")
    s = Settings()
    assert (s.session.turn.min_silence_s, s.sip.public_host, s.llm.threads) == (0.4, "203.0.113.7", 1)
    assert s.session.language is None  # "auto": detected per turn


def test_a_bad_value_names_the_setting(monkeypatch):
    monkeypatch.setenv("VOICEDESK_CALLS__MAX_CALLS", "three")
    with pytest.raises(ValidationError, match="max_calls"):
        Settings()


def test_nothing_below_the_root_reads_a_setting_from_the_environment():
    """Only the models folder override (set-up, tests and benches share one) is read where it is used."""
    allowed = {"VOICEDESK_MODELS_DIR"}
    found = {}
    for package in ("speech", "dialog", "voice", "telephony"):
        for path in (ROOT / package).rglob("*.py"):
            for name in re.findall(r"""["'](VOICEDESK_[A-Z0-9_]+)["']""", path.read_text()):
                if name not in allowed:
                    found.setdefault(str(path.relative_to(ROOT)), []).append(name)
    assert found == {}


def test_a_bad_value_is_one_clear_line_from_the_command_line(monkeypatch, capsys):
    from voicedesk.cli import main

    monkeypatch.setenv("VOICEDESK_CALLS__MAX_CALLS", "three")
    assert main(["serve"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: VOICEDESK_CALLS__MAX_CALLS='three': ")
