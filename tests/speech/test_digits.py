"""Digit strings come out of the recogniser whole, in both languages, whatever Whisper's formatting."""

from __future__ import annotations

import pytest

from speech.asr.base import Segment, Transcript
from speech.asr.digits import join_digit_strings
from speech.asr.filters import clean_transcript


@pytest.mark.parametrize(("text", "expected"), [
    ("My number is 8864 8573.", "My number is 88648573."),  # Whisper's grouping of a phone number
    ("It's 1362-866-930, thanks.", "It's 1362866930, thanks."),
    ("The code is R24-0-3-0.", "The code is R24030."),
    ("Order 1, 0, 0, 2, 9 please.", "Order 10029 please."),
    ("one zero zero two nine", "10029"),
    ("It's one oh oh two three.", "It's 10023."),  # "oh" for zero
    ("five oh five, double-oh seven", "505007"),  # "double-oh"
    ("double four five six seven", "44567"),
    ("triple seven", "777"),
    ("The last four are 1 2 3 4.", "The last four are 1234."),
    ("four three two one", "4321"),
    ("call me on 555-1234", "call me on 5551234"),
    ("The last four are 12 34.", "The last four are 1234."),  # "twelve thirty-four"
    ("1,0079", "10079"),  # "one zero zero seven nine" written as a thousands number
    ("by order 1.0040.", "by order 10040."),  # "one double-oh four oh" written as a decimal
    ("It's 1.0.0.0.0.0.7.", "It's 1000007."),  # "one oh oh oh oh oh seven" dotted
    ("order 101.01.01 please", "order 1010101 please"),
])
def test_english_digit_strings_come_out_whole(text: str, expected: str) -> None:
    assert join_digit_strings(text, "en") == expected


@pytest.mark.parametrize("text", [
    "Press 4 or 6 to change the volume.",  # a menu, not a number
    "press 1, 2 to lock",
    "10-20 minutes", "2-3 business days",  # ranges
    "on 2026-12-02 at 10:30",  # a date and a time
    "it costs 1,299 dollars", "at least a 28.8 kilobit modem", "it was 1.05 yuan", "dial 6.00",
    "on 2026.12.02", "version 2.5 please",
    "Oh, one more thing.", "I have one or two", "one two",
    "extension 1234 and password 4242", "My order is 10029.",
])
def test_english_lists_ranges_dates_and_amounts_stay(text: str) -> None:
    assert join_digit_strings(text, "en") == text


@pytest.mark.parametrize(("text", "expected"), [
    ("我的电话是8864 8573", "我的电话是88648573"),
    ("幺三八 5823 1743", "13858231743"),  # 幺 = 1
    ("订单号幺零零二九", "订单号10029"),
    ("手机号一三八五八二三一七四三", "手机号13858231743"),
    ("138-5823-1743", "13858231743"),
    ("尾号两三四五", "尾号2345"),  # 两 = 2 inside a digit string
    ("订单号1,0079", "订单号10079"),
    ("订单号1.0040", "订单号10040"),
    ("订单号1.0.0.5.1", "订单号10051"),
])
def test_mandarin_digit_strings_come_out_whole(text: str, expected: str) -> None:
    assert join_digit_strings(text, "zh") == expected


@pytest.mark.parametrize("text", ["一百零五块", "设定三十二度", "两三个", "1998年", "价格是299.5元",
                                  "2026.11.28下的单", "退了12.50元"])
def test_mandarin_quantities_stay(text: str) -> None:
    assert join_digit_strings(text, "zh") == text


def test_a_digit_string_split_across_two_segments_is_joined() -> None:
    t = Transcript("", "en", 4.0, [Segment(0.0, 2.0, "My number is 8864"), Segment(2.0, 4.0, "8573.")])
    assert clean_transcript(t).text == "My number is 88648573."
    t = Transcript("", "zh", 4.0, [Segment(0.0, 2.0, "电话是幺三八"), Segment(2.0, 4.0, "5823 1743")])
    assert clean_transcript(t).text == "电话是13858231743"


@pytest.mark.parametrize(("heard", "language", "slot", "expected"), [
    ("My order number is 1, 0, 0, 2, 9.", "en", "order_number", "10029"),
    ("The order is one oh oh two three.", "en", "order_number", "10023"),
    ("My phone number is 415-555-1234.", "en", "phone", "4155551234"),
    ("The last four digits are 12 34.", "en", "phone_last4", "1234"),
    ("订单号是幺零零二九", "zh", "order_number", "10029"),
    ("我的手机号是138 5823 1743", "zh", "phone", "13858231743"),
    ("手机尾号两三四五", "zh", "phone_last4", "2345"),
])
def test_what_the_recogniser_writes_still_fills_the_slot(heard: str, language: str, slot: str, expected: str) -> None:
    from dialog.nlu.slots import extract_slots

    text = clean_transcript(Transcript(heard, language, 3.0, [Segment(0.0, 3.0, heard)])).text
    assert getattr(extract_slots(text, language), slot) == expected
