"""The shop's settings: where the database is, what day it is, the policy's figures.

"Today" is a setting, not the clock, so return windows and dates in replies are the same on every run.
A section of the one settings tree (voicedesk/settings.py): VOICEDESK_SHOP__DB_URL, VOICEDESK_SHOP__TODAY...
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

SHOP_DATE = date(2026, 11, 28)


@dataclass
class ShopSettings:
    """The shop's settings section (VOICEDESK_SHOP__*)."""

    db_url: str = "sqlite:///data/shop.db"
    today: date = SHOP_DATE
    return_window_days: int = 7
    refund_days: str = "3-7"  # business days for a refund to reach the original payment account
    goodwill_voucher_yuan: int = 20  # offered once a call to a VIP or at-risk customer with a complaint
    # Salt of the hashes kept of callers' numbers and of what they tried as proof of identity (security.py):
    # set your own in production, so that the hashes cannot be matched outside this shop's database.
    hash_salt: str = "voicedesk-dev-salt"
