"""When the agent offers a person, the caller hears the question, whoever wrote the rest of the reply."""

from __future__ import annotations

import pytest

from dialog.contract import ActionResult, PaymentMethods
from dialog.generate.writer import ReplyWriter


@pytest.mark.parametrize("language, question", [("en", "put you through to a colleague"), ("zh", "转接人工客服")])
def test_the_offer_of_a_person_is_spoken(language, question):
    result = ActionResult("check_payment_methods", True, PaymentMethods("", ("PayPal",)), offer_human=True)
    reply = ReplyWriter(None).write(result, language).text()
    assert reply.count(question) == 1, reply
    plain = ReplyWriter(None).write(ActionResult("check_payment_methods", True, PaymentMethods("", ("PayPal",))),
                                    language)
    assert question not in plain.text()
