import pytest

from speech.tts.text import normalize_for_speech, speech_pieces, split_sentences


def test_english_sentences_keep_decimals_and_titles_whole():
    text = "Mr. Li paid $2.50 today. Is that right? Yes!"
    assert split_sentences(text, "en") == ["Mr. Li paid $2.50 today.", "Is that right?", "Yes!"]


def test_chinese_sentences_split_on_chinese_punctuation():
    assert split_sentences("您好！订单已发货。请问还有什么问题？谢谢", "zh") == [
        "您好！", "订单已发货。", "请问还有什么问题？", "谢谢"]


def test_punctuation_only_is_no_sentence():
    assert split_sentences("…… !!", "en") == []


def test_english_numbers_are_read_like_a_person():
    said = normalize_for_speech("Order 10023 costs $12.50, ships 2026-11-28 at 10:30, tracking SF12345.", "en")
    assert "one zero zero two three" in said
    assert "twelve dollars and fifty cents" in said
    assert "November twenty-eighth, twenty twenty-six" in said
    assert "ten thirty" in said
    assert "S F one two three four five" in said
    assert not any(c.isdigit() for c in said)


def test_chinese_numbers_are_read_like_a_person():
    said = normalize_for_speech("订单10023金额¥99.50，2026年11月28日10:30送达，优惠20%，共3件。", "zh")
    assert "一零零二三" in said
    assert "九十九元五角" in said
    assert "二零二六年十一月二十八日" in said
    assert "十点三十分" in said
    assert "百分之二十" in said and "三件" in said
    assert not any(c.isdigit() for c in said)


@pytest.mark.parametrize(("text", "language", "said"), [
    ("It will be refunded within 3-7 days.", "en", "three to seven days"),
    ("预计3-7天内到账。", "zh", "三到七天"),
])
def test_a_range_is_said_as_a_range(text, language, said):
    assert said in normalize_for_speech(text, language)
    assert " to " not in normalize_for_speech("Call 555-1234.", "en")  # a phone number is not a range
    assert "到" not in normalize_for_speech("建国路88号5-302室", "zh")  # nor a flat number


def test_a_long_first_sentence_is_cut_at_its_first_comma():
    pieces = speech_pieces("Sure, your order 10023 left our warehouse this morning. It arrives Friday.", "en")
    assert pieces == ["Sure,", "your order 10023 left our warehouse this morning.", "It arrives Friday."]
    assert speech_pieces("好的，您的订单已经从仓库发出，预计周五送达。", "zh", first_max_chars=10)[0] == "好的，"
