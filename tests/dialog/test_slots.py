"""Slots in every spoken form callers use, in both languages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dialog.nlu.numbers import digitise
from dialog.nlu.slots import email, extract_slots, load_catalogue

CATALOGUE = [
    ("SKU-EARBUDS", ["wireless earbuds", "无线耳机"]),
    ("SKU-KETTLE", ["electric kettle", "电水壶"]),
    ("SKU-MAT", ["yoga mat", "瑜伽垫"]),
]


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("my order number is 12345", "en", "12345"),
    ("order 1 2 3 4 5", "en", "12345"),
    ("订单号一二三四五", "zh", "12345"),
    ("订单号是幺二三四五", "zh", "12345"),
    ("it's order one two three four five", "en", "12345"),
    ("order number double four five six seven", "en", "44567"),
    ("order triple zero one two", "en", "00012"),
    ("um the order is one oh oh two three", "en", "10023"),
    ("return the desk lamp from order one oh oh oh seven", "en", "10007"),  # "oh" between two "oh"s
    ("it's one double-oh one four", "en", "10014"),
    ("订单号是一零零五……不对，是一零零五五。", "zh", "10055"),  # the number said last, after "不对"
    ("order ten oh five, sorry, one oh oh five five", "en", "10055"),
    ("我要取消订单10064，不是10063。", "zh", "10064"),  # "not 10063": the first stands
    ("my order 10046, actually 10044 too", "en", "10046"),
    ("Order 10046 at the moment still hasn't arrived.", "en", "10046"),  # "at" is no email here
    ("我的订单是一万零二十三", "zh", "10023"),
    ("订单号 10023 帮我查一下", "zh", "10023"),
    ("Order #10023, please.", "en", "10023"),
    ("order number ten thousand and twelve where is it at", "en", "10012"),
    ("it's order ten thousand one hundred", "en", "10100"),
    ("订单一万零一十二", "zh", "10012"),
    # as Whisper writes them: thousands form, comma groups after "order" (unseen calls)
    ("somebody told me there's a refund on my order 10,037.", "en", "10037"),
    ("I'd like to return the lamp from order 1, 0007.", "en", "10007"),
    ("那另一个订单，1、0047，吹风机那个。", "zh", "10047"),
    ("order 10037, 2 items", "en", "10037"),  # a whole number, then a quantity: not joined
])
def test_order_number(text: str, language: str, expected: str) -> None:
    assert extract_slots(text, language).order_number == expected


def test_thousands_read_as_a_quantity() -> None:
    assert digitise("ten thousand and forty seven") == "10047"
    assert digitise("two thousand and five dollars") == "2005 dollars"


def test_oh_is_only_zero_between_digits() -> None:
    assert digitise("oh no, order one oh two") == "oh no, order 102"


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("my phone number is 13800138000", "zh", "13800138000"),
    ("我的手机号是幺三八 零零幺三 八零零零", "zh", "13800138000"),
    ("手机 138-0013-8000", "zh", "13800138000"),
    ("you can call me at (415) 555-1234", "en", "4155551234"),
    ("my number is 1 415 555 1234", "en", "4155551234"),
    ("phone is four one five five five five one two three four", "en", "4155551234"),
])
def test_phone(text: str, language: str, expected: str) -> None:
    slots = extract_slots(text, language)
    assert slots.phone == expected
    assert slots.order_number is None


@pytest.mark.parametrize(("text", "language"), [
    ("the last four digits are 5678", "en"),
    ("last four digits five six seven eight", "en"),
    ("it ends in 5678", "en"),
    ("尾号5678", "zh"),
    ("手机尾号是五六七八", "zh"),
    ("后四位是五六七八", "zh"),
])
def test_last_four(text: str, language: str) -> None:
    slots = extract_slots(text, language)
    assert slots.phone_last4 == "5678"
    assert slots.order_number is None and slots.quantity is None


@pytest.mark.parametrize(("text", "expected"), [
    ("my email is john dot smith at gmail dot com", "john.smith@gmail.com"),
    ("John.Smith@Gmail.com", "john.smith@gmail.com"),
    ("小写的 j o h n at qq dot com", "john@qq.com"),
    ("邮箱是 wang underscore li at 163 dot com", "wang_li@163.com"),
    ("amy dash lee at example dot co dot uk thanks", "amy-lee@example.co.uk"),
])
def test_email(text: str, expected: str) -> None:
    assert email(text) == expected


def test_no_email_without_an_address() -> None:
    assert email("I'll be at home all day") is None


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("I'd like two wireless earbuds", "en", "SKU-EARBUDS"),
    ("do you have the electric kettel in stock", "en", "SKU-KETTLE"),  # ASR misspelling
    ("我要两件无线耳机", "zh", "SKU-EARBUDS"),
    ("电水壶多少钱", "zh", "SKU-KETTLE"),
    ("where is my order", "en", None),
])
def test_product(text: str, language: str, expected: str | None) -> None:
    assert extract_slots(text, language, CATALOGUE).product == expected


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("I want two of them", "en", 2),
    ("three yoga mats please", "en", 3),
    ("make it 4", "en", 4),
    ("我要两件", "zh", 2),
    ("3个电水壶", "zh", 3),
    ("this is the third time I'm calling", "en", None),
    ("the last four digits are 5678", "en", None),
    ("等了三个星期", "zh", None),
])
def test_quantity(text: str, language: str, expected: int | None) -> None:
    assert extract_slots(text, language, CATALOGUE).quantity == expected


@pytest.mark.parametrize(("text", "language", "expected"), [
    ("please send it to 12 Baker Street London", "en", "12 Baker Street London"),
    ("change my address to 500 Market Street apartment 4 please", "en", "500 Market Street apartment 4"),
    ("地址改成北京市朝阳区建国路88号", "zh", "北京市朝阳区建国路88号"),
    ("帮我寄到上海市静安区南京西路1号吧", "zh", "上海市静安区南京西路1号"),
])
def test_address(text: str, language: str, expected: str) -> None:
    slots = extract_slots(text, language)
    assert slots.address == expected
    assert slots.quantity is None  # the house number is not a quantity


SHOP_PRODUCTS = Path(__file__).resolve().parents[2] / "samples" / "shop" / "products.json"


@pytest.mark.parametrize(("text", "expected"), [
    ("the earbuds broke", "SKU1001"),  # the head noun of "Wireless Earbuds Pro"
    ("我要买无线耳机", "SKU1001"),  # most of "无线降噪耳机Pro"
    ("I want two yoga mats", "SKU1040"),
    ("I have a problem with my order", None),  # not "The Three-Body Problem"
])
def test_product_in_the_shop_catalogue(text: str, expected: str | None) -> None:
    products = {pid for pid, _ in load_catalogue(SHOP_PRODUCTS)}
    assert expected is None or expected in products
    assert extract_slots(text, "en", load_catalogue(SHOP_PRODUCTS)).product == expected


def test_catalogue_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "products.json"
    path.write_text(json.dumps([{"sku": "P1", "name_en": "desk lamp", "name_zh": "台灯", "aliases": ["reading lamp"]}]))
    assert load_catalogue(path) == [("P1", ["desk lamp", "台灯", "reading lamp"])]


@pytest.mark.parametrize("text", ["", "   ", "嗯嗯嗯", "??!!", "asdf qwerty"])
def test_nothing_to_extract(text: str) -> None:
    assert extract_slots(text, "en", CATALOGUE) == extract_slots("", "en")


def test_a_zip_code_written_in_thousands_form_is_not_an_order_number() -> None:
    """Only after "order" do comma groups join (a replay turned "Washington 98,101" into order 98101)."""
    slots = extract_slots("Please send it to 8 Pine Street, Seattle, Washington 98,101.", "en")
    assert slots.order_number is None and slots.address and "98,101" in slots.address
