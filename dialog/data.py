"""Content people edit (paraphrases, evaluation sets, lexicons, reply templates, spoken lines) lives in data
files, read here and checked against a pydantic model, so a slip fails at load naming the file and line
(`dialog/nlu/data/handwritten.jsonl:12: intent: unknown intent 'trak_order'`), never as a wrong reply later.

Two formats:
- JSON Lines (`read_jsonl`): one record a line, for rows (utterances, labelled turns). Blank lines and
  lines starting with `#` are skipped, so a file can carry a short header.
- YAML (`read_yaml`): one document, for nested tables (paraphrase families by intent and language, cue
  lexicons, reply templates). A duplicated mapping key is an error (PyYAML would silently keep the last).

Use, e.g. for reply templates:

    class Templates(pydantic.RootModel[dict[str, dict[Language, list[str]]]]): ...
    table = read_yaml(Path(__file__).with_name("templates.yaml"), Templates).root

Models should set `model_config = ConfigDict(extra="forbid")` so a misspelt key is caught too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class DataError(ValueError):
    """A data file that does not load or does not validate; the message starts with `file:line:`."""

    def __init__(self, path: Path, line: int | None, message: str) -> None:
        self.path, self.line = path, line
        super().__init__(f"{_shown(path)}:{line if line is not None else '?'}: {message}")


def read_jsonl(path: Path, model: type[M]) -> list[M]:
    """Every record of a JSON Lines file, each validated as `model`."""
    rows: list[M] = []
    for number, line in enumerate(_text(path).splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as e:
            raise DataError(path, number, f"not JSON: {e.msg} (column {e.colno})") from None
        try:
            rows.append(model.model_validate(value))
        except ValidationError as e:
            raise DataError(path, number, _first_error(e)) from None
    return rows


def read_yaml(path: Path, model: type[M]) -> M:
    """A YAML document validated as `model`; an error names the line of the offending value."""
    text = _text(path)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        value = yaml.safe_load(text)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise DataError(path, mark.line + 1 if mark else None, f"not YAML: {e.problem or e.context}") from None
    if root is not None:
        _no_duplicate_keys(path, root)
    try:
        return model.model_validate(value)
    except ValidationError as e:
        loc = e.errors()[0]["loc"]
        raise DataError(path, _line_of(root, loc), _first_error(e)) from None


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(path, None, f"cannot read: {e}") from None


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return f"{where + ': ' if where else ''}{first['msg']}{more}"


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the value at `loc` (pydantic's error path) in the composed YAML tree; a missing
    key is reported on the line of the key whose mapping lacks it."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for step in loc:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == str(step)), None)
            if pair is None:
                return line
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            return line
    return node.start_mark.line + 1


def _no_duplicate_keys(path: Path, node: yaml.Node) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                raise DataError(path, key.start_mark.line + 1, f"duplicate key {key.value!r}")
            seen.add(key.value)
            _no_duplicate_keys(path, value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _no_duplicate_keys(path, item)


def _shown(path: Path) -> str:
    """The path relative to the repository when it is inside it (no machine paths in messages)."""
    root = Path(__file__).resolve().parents[1]
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)
