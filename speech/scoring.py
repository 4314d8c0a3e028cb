"""Word and character error rates that count what was said, not how it was written.

One normaliser, applied to the reference and the hypothesis alike, for every figure the project
quotes (the shipped samples, the real-speech development set, the raw-Whisper floor). Its rules are
the development set's (`../shared/dev/asr/README.md`), so our figures and the floor measured there
are comparable:

- Chinese, CER over characters: NFKC; Arabic numbers -> Chinese numerals (1-4 digits without a
  leading zero as cardinals, 29 -> 二十九; longer ones or a leading zero digit by digit, a year
  before 年 digit by digit; decimals with 点, N% -> 百分之N); lower case; letters and digits only.
  No Traditional -> Simplified: the product must write Simplified itself. 幺 stays 幺.
- English, WER over words: NFKC; annotations dropped; spelled capitals and dotted abbreviations
  joined; numbers -> words (1-4 digits as cardinals, "1234" -> "one thousand two hundred thirty
  four"; 5+ digits or a leading zero digit by digit; ordinals, decimals, h:mm, $ and %);
  * # & + @ as words; lower case; hyphens, slashes, underscores -> spaces; contractions expanded as
  Whisper's English normaliser does; fillers dropped; British -> American spelling.
So "press 1" and "press one" are the same words, and so are "1 2 3 4" and "one two three four",
but "1234" is "one thousand two hundred thirty four": a caller's digit string must come out as one
run ("88648573"), and then it scores against the digits said.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import cn2an
import jiwer
from num2words import num2words

# --- Chinese -------------------------------------------------------------------------------------
_ZH_DIGITS = "零一二三四五六七八九"
_ZH_KEEP = re.compile(r"[^\w]|_", re.UNICODE)


def _zh_digit_by_digit(digits: str) -> str:
    return "".join(_ZH_DIGITS[int(d)] for d in digits)


def _zh_number(m: re.Match) -> str:
    whole, frac, percent, year = m.group("whole"), m.group("frac"), m.group("pct"), m.group("year")
    if year:
        return _zh_digit_by_digit(whole)
    if len(whole) > 4 or (len(whole) > 1 and whole.startswith("0")):
        text = _zh_digit_by_digit(whole)
    else:
        text = cn2an.an2cn(whole)
    if frac:
        text += "点" + _zh_digit_by_digit(frac)
    return "百分之" + text if percent else text


_ZH_NUMBER = re.compile(r"(?P<whole>\d+)(?:\.(?P<frac>\d+))?(?:(?P<pct>%)|(?=(?P<year>年))(?<=\d{4}))?")


def normalize_zh(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"(?<=\d)[,，](?=\d{3}\b)", "", text)  # 1,000
    text = _ZH_NUMBER.sub(_zh_number, text)
    return _ZH_KEEP.sub("", text.lower())


# --- English -------------------------------------------------------------------------------------
_ANNOTATIONS = re.compile(r"\([^)]*\)|\[[^\]]*\]|<[^>]*>|\{[^}]*\}")
_SPELLED = re.compile(r"\b[A-Z](?: [A-Z]\b)+")  # "N B S"
_DOTTED = re.compile(r"\b(?:[A-Za-z]\.){2,}")  # "A.M."
_SYMBOLS = {"*": " star ", "#": " pound ", "&": " and ", "+": " plus ", "@": " at "}
_FILLERS = re.compile(r"\b(?:uh|um|hmm|mm|mhm)\b")
_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b", re.IGNORECASE)
_CLOCK = re.compile(r"\b(\d{1,2}):(\d{2})\b")
_MONEY = re.compile(r"\$\s?(\d+(?:\.\d+)?)")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s?%")
_DECIMAL = re.compile(r"\b(\d+)\.(\d+)\b")
_NUMBER = re.compile(r"\d+")
_CONTRACTIONS = [
    (r"\bwon't\b", "will not"), (r"\bcan't\b", "can not"), (r"\bcannot\b", "can not"), (r"\blet's\b", "let us"),
    (r"\bain't\b", "aint"), (r"\by'all\b", "you all"), (r"\bwanna\b", "want to"), (r"\bgotta\b", "got to"),
    (r"\bgonna\b", "going to"), (r"\bi'ma\b", "i am going to"), (r"\bimma\b", "i am going to"),
    (r"\bma'am\b", "madam"), (r"'d been\b", " had been"), (r"'s been\b", " has been"), (r"'d gone\b", " had gone"),
    (r"'s gone\b", " has gone"), (r"'d done\b", " had done"), (r"'s got\b", " has got"), (r"n't\b", " not"),
    (r"'re\b", " are"), (r"'s\b", " is"), (r"'d\b", " would"), (r"'ll\b", " will"), (r"'t\b", " not"),
    (r"'ve\b", " have"), (r"'m\b", " am"),
]


@lru_cache(maxsize=1)
def _spellings() -> dict[str, str]:
    """Whisper's British -> American map (it ships with openai-whisper's normaliser)."""
    import json
    from pathlib import Path

    import whisper.normalizers

    return json.loads((Path(whisper.normalizers.__file__).parent / "english.json").read_text())


def _cardinal(n: int) -> str:
    return num2words(n).replace(",", "").replace(" and ", " ").replace("-", " ")


def _en_number(digits: str) -> str:
    if len(digits) > 4 or (len(digits) > 1 and digits.startswith("0")):
        return " ".join(_cardinal(int(d)) for d in digits)
    return _cardinal(int(digits))


def _en_digits_after_point(digits: str) -> str:
    return " ".join(_cardinal(int(d)) for d in digits)


def _numbers_to_words(text: str) -> str:
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 1,000
    text = _ORDINAL.sub(lambda m: " " + num2words(int(m.group(1)), to="ordinal").replace("-", " ").replace(",", "")
                        .replace(" and ", " ") + " ", text)
    text = _CLOCK.sub(lambda m: f" {_en_number(m.group(1))} "
                      + ("" if m.group(2) == "00" else ("oh " if m.group(2)[0] == "0" else "")
                         + _en_number(m.group(2).lstrip("0") or "0")) + " ", text)
    text = _MONEY.sub(lambda m: f" {m.group(1)} dollars ", text)
    text = _PERCENT.sub(lambda m: f" {m.group(1)} percent ", text)
    text = _DECIMAL.sub(lambda m: f" {_en_number(m.group(1))} point {_en_digits_after_point(m.group(2))} ", text)
    return _NUMBER.sub(lambda m: f" {_en_number(m.group(0))} ", text)


def normalize_en(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _ANNOTATIONS.sub(" ", text)
    text = _SPELLED.sub(lambda m: m.group(0).replace(" ", ""), text)
    text = _DOTTED.sub(lambda m: m.group(0).replace(".", ""), text)
    text = _numbers_to_words(text)
    for symbol, word in _SYMBOLS.items():
        text = text.replace(symbol, word)
    text = re.sub(r"(?<=\w)\.(?=\w)", " dot ", text)
    text = text.lower().replace("’", "'")
    text = re.sub(r"[-/_]", " ", text)
    text = re.sub(r"[^\w\s']|(?<!\w)'|'(?!\w)", " ", text)
    for pattern, replacement in _CONTRACTIONS:
        text = re.sub(pattern, replacement, text)
    text = _FILLERS.sub(" ", text)
    spellings = _spellings()
    return " ".join(spellings.get(w, w) for w in text.split())


def normalize(text: str, language: str) -> str:
    return normalize_zh(text) if language == "zh" else normalize_en(text)


def edits(reference: str, hypothesis: str, language: str) -> tuple[int, int]:
    """(edits, reference tokens) after normalising both sides: the parts of a corpus-level rate."""
    ref, hyp = normalize(reference, language), normalize(hypothesis, language)
    ref_units = list(ref) if language == "zh" else ref.split()
    hyp_units = list(hyp) if language == "zh" else hyp.split()
    if not ref_units:
        return len(hyp_units), 0
    out = jiwer.process_words(" ".join(ref_units), " ".join(hyp_units) if hyp_units else "")
    return out.substitutions + out.deletions + out.insertions, len(ref_units)


def error_rate(references: list[str], hypotheses: list[str], language: str) -> float:
    """WER for English, CER for Chinese, over a whole set: total edits / total reference tokens."""
    total_edits = total_ref = 0
    for ref, hyp in zip(references, hypotheses, strict=True):
        e, n = edits(ref, hyp, language)
        if n:
            total_edits, total_ref = total_edits + e, total_ref + n
    return total_edits / total_ref if total_ref else 0.0
