"""Call records: written as the call goes, so a crash loses at most the turn in progress.

One row per call, one per finished turn (its full JSON account: transcript, intent, sentiment,
action, reply, what the caller actually heard, latencies), one per event (barge-in, reprompt,
DTMF, error, hand-off). Same SQLAlchemy Core approach as the shop: SQLite by default, PostgreSQL by URL.

Nothing personal is stored: whatever a caller of this class passes, the caller's number, every turn and
every event go through `dialog.security` redaction on the way in (numbers keep their last four digits,
emails their first letter and domain, addresses are masked).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)

from dialog.database import make_engine
from dialog.security import redact, redact_record

if TYPE_CHECKING:
    from dialog.agent import TurnOutcome

metadata = MetaData()
calls = Table(
    "calls", metadata,
    Column("id", String(64), primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("caller", String(32)),  # redacted: the last digits only
    Column("language", String(8)),
    Column("started_at", DateTime, nullable=False),
    Column("ended_at", DateTime),
    Column("end_reason", String(64)),
    Column("ticket_id", String(32)),
    Column("recording", Text),
)
turns = Table(
    "call_turns", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("call_id", String(64), ForeignKey("calls.id"), nullable=False, index=True),
    Column("idx", Integer, nullable=False),
    Column("at", DateTime, nullable=False),
    Column("record", Text, nullable=False),  # JSON
)
events = Table(
    "call_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("call_id", String(64), ForeignKey("calls.id"), nullable=False, index=True),
    Column("at", DateTime, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("detail", Text, nullable=False),  # JSON
)


@dataclass
class TurnAccount:
    """One caller turn on its way through the call (what was said, understood, played), and the account
    of it the call record keeps: `record()`, called once the turn is over."""

    idx: int
    text: str
    language: str | None
    speech_end_t: float | None = None  # stream seconds
    turn_end_t: float | None = None
    turn_end_wall: float | None = None
    final_wall: float = 0.0
    asr_s: float = 0.0
    audio: np.ndarray | None = None  # the turn's audio at 16 kHz (the prosody channel); None when typed
    outcome: TurnOutcome | None = None
    first_audio_wall: float | None = None
    tts_first_s: float | None = None
    typed: bool = False
    end_of_turn: dict[str, Any] | None = None  # the end-of-turn detector's last verdict (None: typed or forced)
    early: bool = False  # answered by the reply started at the caller's first pause (dialog/speculation.py)
    marks: list[str] = field(default_factory=list)
    finished: bool = False  # its record is written (or being written): never a second one

    def record(self, interrupted: bool, heard: str, reason: str | None) -> dict[str, Any]:
        """The turn's account for the call record: the agent's, plus what was heard and the latencies."""
        o = self.outcome
        record: dict[str, Any] = o.record() if o is not None else {"text": redact(self.text), "language": self.language}
        known = self.turn_end_t is not None and self.speech_end_t is not None
        endpoint = self.turn_end_t - self.speech_end_t if known else None  # type: ignore[operator]
        start = self.turn_end_wall or self.final_wall
        meta = o.reply.meta if o is not None else None

        def ms(x: float | None) -> float | None:
            return None if x is None else round(x * 1000, 1)

        after_turn = o.understand_s + o.action_s if o is not None else 0.0
        v2v = None
        if self.first_audio_wall is not None:
            v2v = (endpoint or 0.0) + (self.first_audio_wall - start)
        record.update({
            "idx": self.idx, "typed": self.typed, "interrupted": interrupted, "heard": heard, "end": reason,
            "marks_played": self.marks, "end_of_turn": self.end_of_turn, "early": self.early,
            "latency_ms": {
                "endpoint": ms(endpoint),
                "asr": ms(max(0.0, self.final_wall - start)),
                "understand": ms(o.understand_s) if o else None,
                "action": ms(o.action_s) if o else None,
                "first_token": ms(after_turn + meta.first_token_s) if meta and meta.first_token_s is not None else None,
                "first_sentence": ms(after_turn + meta.first_sentence_s) if meta and meta.first_sentence_s else None,
                "tts_first": ms(self.tts_first_s),
                "first_audio": ms(self.first_audio_wall - start) if self.first_audio_wall else None,
                "voice_to_voice": ms(v2v),
            },
        })
        return record


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class CallRecords:
    def __init__(self, url: str = "sqlite:///data/calls.db") -> None:
        self.engine = make_engine(url)
        metadata.create_all(self.engine)

    def open_call(self, call_id: str, channel: str, caller: str | None, language: str | None) -> None:
        with self.engine.begin() as db:
            db.execute(insert(calls).values(id=call_id, channel=channel, caller=redact(caller) if caller else None,
                                            language=language, started_at=_now()))

    def exists(self, call_id: str) -> bool:
        with self.engine.connect() as db:
            return db.execute(select(calls.c.id).where(calls.c.id == call_id)).first() is not None

    def add_turn(self, call_id: str, idx: int, record: dict[str, Any]) -> None:
        stored = redact_record(json.loads(json.dumps(record, ensure_ascii=False, default=str)))
        with self.engine.begin() as db:
            db.execute(insert(turns).values(call_id=call_id, idx=idx, at=_now(),
                                            record=json.dumps(stored, ensure_ascii=False)))

    def add_event(self, call_id: str, kind: str, **detail: Any) -> None:
        stored = redact_record(json.loads(json.dumps(detail, ensure_ascii=False, default=str)))
        with self.engine.begin() as db:
            db.execute(insert(events).values(call_id=call_id, at=_now(), kind=kind,
                                             detail=json.dumps(stored, ensure_ascii=False)))

    def update_call(self, call_id: str, **values: Any) -> None:
        with self.engine.begin() as db:
            db.execute(update(calls).where(calls.c.id == call_id).values(**values))

    def end_call(self, call_id: str, reason: str, ticket_id: str | None = None) -> None:
        self.update_call(call_id, ended_at=_now(), end_reason=reason, ticket_id=ticket_id)

    def list_calls(self, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        counts = select(turns.c.call_id, func.count().label("turns")).group_by(turns.c.call_id).subquery()
        query = (select(calls, func.coalesce(counts.c.turns, 0).label("turns"))
                 .outerjoin(counts, counts.c.call_id == calls.c.id)
                 .order_by(calls.c.started_at.desc()).limit(limit).offset(offset))
        with self.engine.connect() as db:
            return [_plain(dict(r)) for r in db.execute(query).mappings()]

    def get_call(self, call_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as db:
            row = db.execute(select(calls).where(calls.c.id == call_id)).mappings().first()
            if row is None:
                return None
            call = _plain(dict(row))
            call["turns"] = [json.loads(r.record) | {"idx": r.idx, "at": r.at.isoformat()} for r in
                             db.execute(select(turns).where(turns.c.call_id == call_id).order_by(turns.c.idx))]
            call["events"] = [{"at": r.at.isoformat(), "kind": r.kind, **json.loads(r.detail)} for r in
                              db.execute(select(events).where(events.c.call_id == call_id).order_by(events.c.id))]
        return call


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}
