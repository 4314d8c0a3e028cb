"""A database engine by URL, for every store VoiceDesk keeps (the shop's data, the call records): SQLite
embedded, PostgreSQL by URL. It lives here, beside neither user, so the call records do not borrow the shop's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url


def make_engine(url: str) -> Engine:
    """SQLite gets WAL and foreign keys on every connection (its folder is made); PostgreSQL needs nothing extra."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine
