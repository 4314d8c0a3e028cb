"""Shop words heard with same-sounding characters, put back before understanding (dialog/nlu/homophones.py)."""

from __future__ import annotations

import pytest

from dialog.nlu.homophones import shop_words_restored


@pytest.mark.parametrize(("heard", "meant"), [
    ("我要住销账户。", "我要注销账户。"),
    ("我用的是公司电话,我把手机为号告诉你行吗?7669。", "我用的是公司电话,我把手机尾号告诉你行吗?7669。"),
    ("我的定单到哪了", "我的订单到哪了"),
    ("秘码忘了怎么办", "密码忘了怎么办"),
    ("帐号登不上去", "账号登不上去"),
    ("连云费多少?", "连运费多少?"),
])
def test_a_shop_word_heard_with_other_characters_is_put_back(heard, meant):
    assert shop_words_restored(heard) == meant


@pytest.mark.parametrize(("heard", "meant"), [
    ("can you email me, be in voice for the order then.", "can you email me, be invoice for the order then."),
    ("that's back to my alibi, right?", "that's back to my Alipay, right?"),
    ("Send the In  Voices to my office", "Send the invoices to my office"),
])
def test_an_english_shop_word_as_the_recogniser_spelled_it_is_put_back(heard, meant):
    assert shop_words_restored(heard, "en") == meant


@pytest.mark.parametrize("text", [
    "我要发火了",  # 发火 sounds like 发货 ("shipped"): not a shop word here, the caller is angry
    "今天收获很大",  # 收获 / 收货
    "我要注销账户，订单10023的发票呢？",  # already the shop's words
    "Where is order 10023?",
    "",
])
def test_everything_else_is_left_as_heard(text):
    assert shop_words_restored(text) == text
    assert shop_words_restored(text, "en") == text or not text.isascii()


@pytest.mark.parametrize(("text", "intent"), [
    ("我要住销账户。", "delete_account"),  # a sample call's first turn, as the recogniser heard it
    ("我的定单到哪了", "track_order"),
    ("Okay, never mind, yet, can you email me, be in voice for the order then.", "get_invoice"),  # an unseen call
])
def test_the_understanding_reads_the_shop_word(understander, text, intent):
    language = "en" if text.isascii() else "zh"
    u = understander.understand(text, language)
    assert u.intent == intent
    assert u.text == shop_words_restored(text, language)
