"""The shop's database: one SQLAlchemy Core schema for SQLite (default, WAL) and PostgreSQL (by URL).

`Shop` holds the reads the actions need; every change goes through `Shop.transaction()`, so an
action that fails half-way leaves nothing behind. Money is stored in fen (integer cents): exact on
both engines without Decimal quirks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    RowMapping,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)

from dialog.database import make_engine
from dialog.shop.settings import ShopSettings
from dialog.types import Segment

metadata = MetaData()

products = Table(
    "products", metadata,
    Column("sku", String(16), primary_key=True),
    Column("category", String(32), nullable=False),
    Column("name_en", String(120), nullable=False),
    Column("name_zh", String(120), nullable=False),
    Column("price_cents", Integer, nullable=False),
    Column("stock", Integer, nullable=False),
    Column("description_en", Text, nullable=False),
    Column("description_zh", Text, nullable=False),
)
customers = Table(
    "customers", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(80), nullable=False),
    Column("tier", String(16), nullable=False),  # new | regular | vip
    Column("language", String(2), nullable=False),
    Column("phone", String(20), nullable=False, unique=True),  # E.164, "+8613812345678"
    Column("email", String(120), nullable=False),
    Column("address", Text, nullable=False),
    Column("at_risk", Boolean, nullable=False, default=False),
    Column("newsletter", Boolean, nullable=False, default=False),
)
orders = Table(
    "orders", metadata,
    Column("number", String(8), primary_key=True),
    Column("customer_id", ForeignKey("customers.id"), nullable=False, index=True),
    # pending | paid | shipped | delivered | cancelled | return_requested | refunded
    Column("status", String(20), nullable=False),
    Column("total_cents", Integer, nullable=False),
    Column("payment_method", String(16), nullable=False),
    Column("shipping_method", String(16), nullable=False),
    Column("address", Text, nullable=False),
    Column("placed_on", Date, nullable=False),
    Column("paid_on", Date),
    Column("shipped_on", Date),
    Column("carrier", String(40)),
    Column("tracking_number", String(32)),
    Column("eta", Date),
    Column("delivered_on", Date),
    Column("cancelled_on", Date),
)
order_items = Table(
    "order_items", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_number", ForeignKey("orders.number"), nullable=False, index=True),
    Column("sku", ForeignKey("products.sku"), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("price_cents", Integer, nullable=False),
)
payments = Table(
    "payments", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_number", ForeignKey("orders.number"), nullable=False, index=True),
    Column("amount_cents", Integer, nullable=False),
    Column("method", String(16), nullable=False),
    Column("status", String(16), nullable=False),  # captured | refunded | disputed
    Column("paid_on", Date, nullable=False),
)
invoices = Table(
    "invoices", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_number", ForeignKey("orders.number"), nullable=False, unique=True),
    Column("issued_on", Date, nullable=False),
    Column("sent_to", String(120)),  # the email it went to; NULL: not sent yet
    Column("sent_on", Date),
)
returns = Table(
    "returns", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_number", ForeignKey("orders.number"), nullable=False, index=True),
    Column("requested_on", Date, nullable=False),
    Column("reason", String(40), nullable=False),
    Column("status", String(16), nullable=False),  # requested | received
)
refunds = Table(
    "refunds", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("order_number", ForeignKey("orders.number"), nullable=False, index=True),
    Column("amount_cents", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # pending | completed
    Column("requested_on", Date, nullable=False),
    Column("completed_on", Date),
    Column("to_account", String(16), nullable=False),  # the original payment method
)
faq = Table(
    "faq", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("topic", String(40), nullable=False),
    Column("language", String(2), nullable=False),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
)
policies = Table(
    "policies", metadata,
    Column("key", String(40), primary_key=True),
    Column("language", String(2), primary_key=True),
    Column("text", Text, nullable=False),
)
shipping_methods = Table(
    "shipping_methods", metadata,
    Column("code", String(16), primary_key=True),
    Column("name_en", String(80), nullable=False),
    Column("name_zh", String(80), nullable=False),
    Column("days_min", Integer, nullable=False),
    Column("days_max", Integer, nullable=False),
    Column("cost_cents", Integer, nullable=False),
    Column("free_over_cents", Integer),
)
payment_methods = Table(
    "payment_methods", metadata,
    Column("code", String(16), primary_key=True),
    Column("name_en", String(80), nullable=False),
    Column("name_zh", String(80), nullable=False),
)
complaints = Table(
    "complaints", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", ForeignKey("customers.id")),
    Column("order_number", ForeignKey("orders.number")),
    Column("created_at", DateTime, nullable=False),
    Column("language", String(2), nullable=False),
    Column("text", Text, nullable=False),
)
tickets = Table(
    "tickets", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("call_id", String(64), nullable=False),
    Column("customer_id", ForeignKey("customers.id")),
    Column("order_number", String(8)),  # not a foreign key: a caller may name an order we cannot match
    Column("kind", String(32), nullable=False),  # handoff | payment_issue | account | complaint
    Column("priority", String(8), nullable=False),  # normal | high
    Column("summary", Text, nullable=False),
    Column("mood", String(16), nullable=False),
    Column("transcript", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("status", String(16), nullable=False, default="open"),
)
vouchers = Table(  # goodwill gestures: a voucher for a VIP or at-risk customer the shop let down
    "vouchers", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", ForeignKey("customers.id"), nullable=False),
    Column("amount_cents", Integer, nullable=False),
    Column("reason", String(32), nullable=False),
    Column("call_id", String(64), nullable=False),
    Column("created_at", DateTime, nullable=False),
)
verification_attempts = Table(  # dialog/security.py: every proof of identity a caller tried, to stop guessing
    "verification_attempts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("call_id", String(64), nullable=False, index=True),
    Column("caller", String(64), index=True),  # salted hash of the trusted line's number; None on other lines
    Column("order_number", String(16), index=True),
    Column("proof", String(64), nullable=False),  # salted hash of what was tried: the same guess twice counts once
    Column("ok", Boolean, nullable=False),
    Column("at", DateTime, nullable=False),  # UTC wall clock (cool-downs are real time, not the shop's day)
)
password_resets = Table(
    "password_resets", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("customer_id", ForeignKey("customers.id"), nullable=False),
    Column("token", String(64), nullable=False),  # never leaves the database except in the email
    Column("sent_to", String(120), nullable=False),
    Column("created_at", DateTime, nullable=False),
)


def to_cents(yuan: float) -> int:
    return round(yuan * 100)


def to_yuan(cents: int) -> float:
    return round(cents / 100, 2)


def phone_digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def national_number(e164: str) -> str:
    """The number as dialled at home: "+8613812345678" -> "13812345678", "+14155550123" -> "4155550123"."""
    digits = phone_digits(e164)
    return digits[2:] if e164.startswith("+86") else digits[1:] if e164.startswith("+1") else digits


def segment(customer: RowMapping) -> Segment:
    """The customer's segment for priority and tone: an at-risk customer is at risk whatever the tier."""
    return "at_risk" if customer["at_risk"] else customer["tier"]


class Shop:
    """The shop's data, opened by URL. Reads take an optional connection to run inside a transaction."""

    def __init__(self, url: str | None = None, today: date | None = None, settings: ShopSettings | None = None
                 ) -> None:
        settings = settings or ShopSettings()
        self.url = url or settings.db_url
        self.today = today or settings.today
        self.return_window_days = settings.return_window_days
        self.refund_days = settings.refund_days
        self.goodwill_voucher_cents = to_cents(settings.goodwill_voucher_yuan)
        self.hash_salt = settings.hash_salt.encode()
        self.engine = make_engine(self.url)

    def create_schema(self) -> None:
        metadata.create_all(self.engine)

    def drop_schema(self) -> None:
        metadata.drop_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def now(self) -> datetime:
        """A timestamp on the shop's day (the wall-clock time of day, the configured date)."""
        return datetime.combine(self.today, datetime.now().time().replace(microsecond=0))

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One change = one transaction: committed when the block ends, rolled back if it raises."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def _reading(self, conn: Connection | None) -> Iterator[Connection]:
        if conn is not None:
            yield conn
        else:
            with self.engine.connect() as own:
                yield own

    def _one(self, query: Any, conn: Connection | None = None) -> RowMapping | None:
        with self._reading(conn) as c:
            return c.execute(query).mappings().first()

    def _all(self, query: Any, conn: Connection | None = None) -> list[RowMapping]:
        with self._reading(conn) as c:
            return list(c.execute(query).mappings().all())

    # reads
    def order_numbers(self) -> set[str]:
        return {r["number"] for r in self._all(select(orders.c.number))}

    def order(self, number: str, conn: Connection | None = None) -> RowMapping | None:
        return self._one(select(orders).where(orders.c.number == number), conn)

    def order_items(self, number: str) -> list[RowMapping]:
        query = (select(order_items, products.c.name_en, products.c.name_zh)
                 .join(products, products.c.sku == order_items.c.sku)
                 .where(order_items.c.order_number == number).order_by(order_items.c.id))
        return self._all(query)

    def payments(self, number: str, conn: Connection | None = None) -> list[RowMapping]:
        return self._all(select(payments).where(payments.c.order_number == number).order_by(payments.c.id), conn)

    def customer(self, customer_id: int, conn: Connection | None = None) -> RowMapping | None:
        return self._one(select(customers).where(customers.c.id == customer_id), conn)

    def customer_by_phone(self, caller_digits: str) -> RowMapping | None:
        """Match a caller ID given with or without the country code; an ambiguous match is no match."""
        digits = phone_digits(caller_digits)
        if len(digits) < 10:
            return None
        candidates = {"+" + digits, "+86" + digits, "+1" + digits}
        rows = self._all(select(customers).where(customers.c.phone.in_(candidates)))
        return rows[0] if len(rows) == 1 else None

    def orders_of(self, customer_id: int) -> list[RowMapping]:
        query = (select(orders).where(orders.c.customer_id == customer_id)
                 .order_by(orders.c.placed_on.desc(), orders.c.number.desc()))
        return self._all(query)

    def purchased_skus(self, customer_id: int) -> list[str]:
        query = (select(order_items.c.sku).join(orders, orders.c.number == order_items.c.order_number)
                 .where(orders.c.customer_id == customer_id, orders.c.status != "cancelled")
                 .order_by(order_items.c.id))
        return [row["sku"] for row in self._all(query)]

    def all_rows(self, table: Table) -> list[RowMapping]:
        return self._all(select(table).order_by(*table.primary_key.columns))

    def products(self) -> list[RowMapping]:
        return self._all(select(products).order_by(products.c.sku))

    def product(self, sku: str) -> RowMapping | None:
        return self._one(select(products).where(products.c.sku == sku))

    def faq(self) -> list[RowMapping]:
        return self._all(select(faq).order_by(faq.c.id))

    def policy(self, key: str, language: str) -> str | None:
        row = self._one(select(policies.c.text).where(policies.c.key == key, policies.c.language == language))
        return row["text"] if row else None

    def shipping_methods(self) -> list[RowMapping]:
        return self._all(select(shipping_methods).order_by(shipping_methods.c.days_max.desc()))

    def payment_methods(self) -> list[RowMapping]:
        return self._all(select(payment_methods))

    def return_of(self, number: str, conn: Connection | None = None) -> RowMapping | None:
        return self._one(select(returns).where(returns.c.order_number == number).order_by(returns.c.id.desc()), conn)

    def refund_of(self, number: str, conn: Connection | None = None) -> RowMapping | None:
        return self._one(select(refunds).where(refunds.c.order_number == number).order_by(refunds.c.id.desc()), conn)

    def invoice_of(self, number: str) -> RowMapping | None:
        return self._one(select(invoices).where(invoices.c.order_number == number))

    def ticket(self, ticket_id: str) -> RowMapping | None:
        return self._one(select(tickets).where(tickets.c.id == int(ticket_id.removeprefix("T"))))

    def count(self, table: Table) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(table)).scalar_one()

    # writes: always inside `with shop.transaction() as conn`
    @staticmethod
    def add(conn: Connection, table: Table, **values: Any) -> int:
        """Insert one row and return its integer key."""
        return conn.execute(insert(table).values(**values)).inserted_primary_key[0]

    @staticmethod
    def set_order(conn: Connection, number: str, **values: Any) -> None:
        conn.execute(update(orders).where(orders.c.number == number).values(**values))
