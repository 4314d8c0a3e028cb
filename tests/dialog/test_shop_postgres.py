"""The same schema, seed and actions on a real PostgreSQL: a throwaway cluster started in a temp dir.

Needs the Debian server binaries (`make setup` installs `postgresql`, giving /usr/lib/postgresql/15/bin/
initdb and pg_ctl); without them the test fails saying so. initdb refuses to run as root, so as root the
cluster runs as the `postgres` user in a folder it owns; it listens only on a unix socket in that folder.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from dialog.actions import run
from dialog.shop import db
from dialog.shop.db import Shop
from dialog.shop.seed import seed
from dialog.types import Slots
from tests.conftest import need
from tests.dialog.conftest import caller_id_of, caller_state

BINARIES = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    bin_dir = need(BINARIES, "PostgreSQL's server (initdb, pg_ctl)", "postgresql")[-1].parent
    folder = Path(tempfile.mkdtemp(prefix="voicedesk-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", _free_port()

    def pg(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, timeout=60)

    pg(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C",
       "--no-sync")
    pg(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w", "-o",
       f"-p {port} -k {folder} -c listen_addresses='' -c fsync=off", "start")
    try:
        yield f"postgresql+psycopg://postgres@/postgres?host={folder}&port={port}"
    finally:
        pg(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_shop(pg_url: str) -> Iterator[Shop]:
    shop = Shop(pg_url)
    seed(shop, reset=True)
    yield shop
    shop.close()


def test_seed_on_postgres_matches_sqlite(pg_shop, shop):
    for table in (db.products, db.customers, db.orders, db.order_items, db.payments, db.faq, db.policies):
        assert pg_shop.count(table) == shop.count(table), table.name
    assert not seed(pg_shop)
    assert pg_shop.order("10001") == shop.order("10001")
    assert pg_shop.engine.dialect.name == "postgresql"


def test_actions_on_postgres(pg_shop, find_order, owner):
    shipped = find_order("shipped")
    result = run("track_order", pg_shop, caller_state(caller_id_of(owner(shipped))),
                 Slots(order_number=shipped["number"]), "zh")
    assert result.ok and result.facts.tracking_number == shipped["tracking_number"]

    paid = find_order("paid", lambda o: len(o["payments"]) == 1)
    cancelled = run("cancel_order", pg_shop, caller_state(named=paid["number"]), Slots(order_number=paid["number"],
                                                                 phone_last4=owner(paid)["phone"][-4:]), "en")
    assert cancelled.ok and cancelled.changed and pg_shop.order(paid["number"])["status"] == "cancelled"

    recent = find_order("delivered", lambda o: o["delivered_on"] >= "2026-11-22")
    returned = run("get_refund", pg_shop, caller_state(caller_id_of(owner(recent)), named=recent["number"]),
                   Slots(order_number=recent["number"]), "en")
    assert returned.ok and pg_shop.return_of(recent["number"])["id"] == int(returned.facts.return_id[1:])

    handoff = run("contact_human_agent", pg_shop, caller_state(caller_id_of(owner(shipped)), said="help"), Slots(),
                  "en")
    assert handoff.handoff and pg_shop.ticket(handoff.ticket_id)["transcript"] == "caller: help"

    assert run("track_order", pg_shop, caller_state(), Slots(order_number="99999"), "en").reason == "not_verified"


def test_rollback_on_postgres(pg_shop, find_order, owner, monkeypatch):
    paid = find_order("paid", lambda o: len(o["payments"]) == 1)

    def fail(*args, **kwargs):
        raise RuntimeError("connection lost")

    monkeypatch.setattr(Shop, "add", staticmethod(fail))
    with pytest.raises(RuntimeError):
        run("cancel_order", pg_shop, caller_state(caller_id_of(owner(paid)), named=paid["number"]),
            Slots(order_number=paid["number"]), "en")
    assert pg_shop.order(paid["number"])["status"] == "paid"
    assert [p["status"] for p in pg_shop.payments(paid["number"])] == ["captured"]
