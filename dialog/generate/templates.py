"""Template replies: one per (action, outcome), in both languages, from `replies.yaml`, filled from typed facts.

They are the fallback whenever the model is late, fails or states something the facts do not hold, so
they must cover every outcome and can never invent. The file is checked against the contract when it
loads (at import): every outcome of every action has a reply in both languages, every `{field}` and
`[flag]` is a field of that outcome's facts record, and each reply has a sentence that is always said.
A mistake is a `TemplateError` naming the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from dialog.contract import DONE, ActionResult, Facts, Outcome, all_outcomes, facts_types
from dialog.generate.facts import spoken, spoken_facts
from dialog.types import Action, Language, Reason

REPLIES = Path(__file__).with_name("replies.yaml")
LANGUAGES: tuple[Language, ...] = ("en", "zh")
LINES = ("empathy", "offer_human", "goodwill", "offer_cancel_order", "offer_get_invoice",
         "offer_delete_account")

_FIELD = re.compile(r"\{(\w+)\}")
_FLAG = re.compile(r"^\[(!?)(\w+)\]")


class TemplateError(ValueError):
    """A reply file that breaks the contract; the message names the file and line."""


@dataclass(frozen=True)
class Template:
    pieces: Mapping[Language, tuple[str, ...]]
    where: str  # file:line, for errors and reviews


@dataclass(frozen=True)
class Replies:
    by_outcome: Mapping[tuple[Action, Outcome, str], Template]  # (action, outcome, record type or "")
    lines: Mapping[str, Mapping[Language, str]]

    def template(self, result: ActionResult) -> Template:
        outcome, kind = result.outcome, type(result.facts).__name__
        for key in ((result.action, outcome, kind), (result.action, outcome, "")):
            if key in self.by_outcome:
                return self.by_outcome[key]
        raise TemplateError(f"no reply for {result.action} {outcome} ({kind})")  # load() rules this out


def _where(path: Path, node: yaml.Node) -> str:
    return f"{path}:{node.start_mark.line + 1}"


def _mapping(path: Path, node: yaml.Node, what: str) -> list[tuple[str, yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        raise TemplateError(f"{_where(path, node)}: {what} must be a mapping")
    return [(k.value, k, v) for k, v in node.value]


def _pieces(path: Path, node: yaml.Node, record: tuple[type[Facts], ...], what: str) -> Template:
    names = set().union(*(t.field_names() for t in record))
    required = set.intersection(*({f.name for f in fields(t) if f.default is f.default_factory is MISSING}
                                  for t in record))
    by_language: dict[Language, tuple[str, ...]] = {}
    entries = dict((k, (kn, v)) for k, kn, v in _mapping(path, node, what))
    for language in LANGUAGES:
        if language not in entries:
            raise TemplateError(f"{_where(path, node)}: {what} has no {language!r} reply")
        _, value = entries.pop(language)
        if not isinstance(value, yaml.SequenceNode) or not value.value:
            raise TemplateError(f"{_where(path, value)}: {what} {language} must be a list of sentences")
        sentences = []
        for item in value.value:
            text = str(item.value)
            flag = _FLAG.match(text)
            used = set(_FIELD.findall(text)) | ({flag[2]} if flag else set())
            if unknown := used - names:
                kinds = " or ".join(t.__name__ for t in record)
                raise TemplateError(f"{_where(path, item)}: {sorted(unknown)} not a field of {kinds} ({what})")
            sentences.append(text)
        if not _always_says_something(sentences, required):
            raise TemplateError(f"{_where(path, value)}: {what} {language}: no sentence is always said (one needs "
                                f"no flag, or a [x] / [!x] pair, and only fields every {record[0].__name__} has)")
        by_language[language] = tuple(sentences)
    if entries:
        raise TemplateError(f"{_where(path, node)}: {what}: unknown languages {sorted(entries)}")
    return Template(by_language, _where(path, node))


def _always_says_something(sentences: list[str], required: set[str]) -> bool:
    sure = [(_FLAG.match(x), x) for x in sentences if set(_FIELD.findall(x)) <= required]
    flags = {(f[1], f[2]) for f, _ in sure if f}
    return any(f is None for f, _ in sure) or any(("!", name) in flags and ("", name) in flags for _, name in flags)


def load(path: Path = REPLIES) -> Replies:
    """Read and check a reply file against the contract."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise TemplateError(f"{path}: not valid YAML: {e}") from None
    if root is None:
        raise TemplateError(f"{path}: empty")
    by_outcome: dict[tuple[Action, Outcome, str], Template] = {}
    lines: dict[str, dict[Language, str]] = {}
    shared: dict[Reason, tuple[yaml.Node, yaml.Node]] = {}
    for name, key, value in _mapping(path, root, "the file"):
        if name == "lines":
            for line, lkey, lvalue in _mapping(path, value, "lines"):
                texts = {lang: str(n.value) for lang, _, n in _mapping(path, lvalue, f"line {line}")}
                if line not in LINES or set(texts) != set(LANGUAGES):
                    raise TemplateError(f"{_where(path, lkey)}: line {line!r} (one of {LINES}, in en and zh)")
                lines[line] = texts  # type: ignore[assignment]
            continue
        if name == "refusals":
            for reason, rkey, rvalue in _mapping(path, value, "refusals"):
                if reason not in Reason.__members__:
                    raise TemplateError(f"{_where(path, rkey)}: unknown reason {reason!r}")
                shared[Reason(reason)] = (rkey, rvalue)
            continue
        if name not in Action.__members__:
            raise TemplateError(f"{_where(path, key)}: unknown action {name!r}")
        action = Action(name)
        for outcome, okey, ovalue in _mapping(path, value, name):
            try:
                record = facts_types(action, outcome)
            except (ValueError, TypeError):
                raise TemplateError(f"{_where(path, okey)}: {name} has no outcome {outcome!r}") from None
            if len(record) > 1:  # one reply per record type
                for kind, kkey, kvalue in _mapping(path, ovalue, f"{name} {outcome}"):
                    match = [t for t in record if t.__name__ == kind]
                    if not match:
                        raise TemplateError(f"{_where(path, kkey)}: {name} {outcome} has no record {kind!r}")
                    by_outcome[(action, outcome, kind)] = _pieces(path, kvalue, tuple(match), f"{name} {outcome}")
            else:
                by_outcome[(action, outcome, "")] = _pieces(path, ovalue, record, f"{name} {outcome}")
    for action, outcome in all_outcomes():
        if any(key[:2] == (action, outcome) for key in by_outcome):
            continue
        if outcome != DONE and Reason(outcome) in shared:
            rkey, rvalue = shared[Reason(outcome)]
            by_outcome[(action, outcome, "")] = _pieces(path, rvalue, facts_types(action, outcome),
                                                        f"refusals {outcome} (for {action})")
            continue
        raise TemplateError(f"{path}: no reply for {action} {outcome}")
    if missing := set(LINES) - set(lines):
        raise TemplateError(f"{path}: lines {sorted(missing)} missing")
    return Replies(by_outcome, lines)


TABLE = load()


def fill(pieces: tuple[str, ...], facts: Mapping[str, str]) -> list[str]:
    """Sentences whose every named fact is present (and whose flag, if any, holds)."""
    out = []
    for piece in pieces:
        flag = _FLAG.match(piece)
        if flag:
            on = str(facts.get(flag[2], "")).lower() not in ("", "0", "false", "no", "none")
            if on == (flag[1] == "!"):
                continue
            piece = piece[flag.end():]
        if all(facts.get(name) not in (None, "") for name in _FIELD.findall(piece)):
            out.append(_FIELD.sub(lambda m: str(facts[m[1]]), piece))
    return out


def template_fields(result: ActionResult, language: Language) -> set[str]:
    """The facts the result's template speaks."""
    return set(_FIELD.findall(" ".join(TABLE.template(result).pieces[language])))


def line(name: str, language: Language, **values: Any) -> str:
    return TABLE.lines[name][language].format(**{k: spoken(v, language) for k, v in values.items()})


def template_reply(result: ActionResult, language: Language, negative: bool = False) -> list[str]:
    """The reply as sentences; never empty (load() checks each reply has a sentence that is always said)."""
    sentences = fill(TABLE.template(result).pieces[language], spoken_facts(result.facts, language))
    if negative and result.action not in (Action.complaint, Action.greeting, Action.goodbye):
        sentences.insert(0, line("empathy", language))
    return sentences
