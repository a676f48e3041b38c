"""A small hand-written training set for the intent tests (six intents, English)."""

from __future__ import annotations

EXAMPLES: dict[str, list[str]] = {
    "card_arrival": [
        "my new card has not arrived yet",
        "when will my card be delivered",
        "I am still waiting for my card",
        "the card you sent never came",
        "how long does card delivery take",
        "where is my bank card, it should be here by now",
        "card still not in the mail after two weeks",
        "track the delivery of my card",
    ],
    "reset_password": [
        "I forgot my password",
        "how do I reset my password",
        "can't log in, need a new password",
        "password reset link does not work",
        "change my login password please",
        "locked out of my account, forgot the password",
        "send me a password reset email",
        "my password is not accepted anymore",
    ],
    "refund": [
        "I want my money back",
        "how do I get a refund for my order",
        "please refund the last purchase",
        "the refund has not reached my account",
        "can I return this and be reimbursed",
        "request a refund for a damaged item",
        "when will I receive my refund",
        "refund the double charge",
    ],
    "cancel_order": [
        "cancel my order",
        "I want to cancel the order I just placed",
        "please stop my order before it ships",
        "how do I cancel a purchase",
        "I changed my mind, cancel the order",
        "can the order still be cancelled",
        "undo my last order",
        "cancel order number 1234",
    ],
    "opening_hours": [
        "what are your opening hours",
        "when are you open",
        "are you open on sunday",
        "what time does the store close",
        "opening times of your shop",
        "is the shop open on public holidays",
        "until when can I call support",
        "business hours please",
    ],
    "change_address": [
        "I moved, change my address",
        "update my delivery address",
        "how do I change the shipping address",
        "my address is wrong on the order",
        "ship to a different address please",
        "edit the address on my account",
        "new home address for my account",
        "change where my parcel is delivered",
    ],
}

OUT_OF_SCOPE = [
    "what is the weather like on mars",
    "tell me a joke about penguins",
    "who won the football world cup in 1998",
    "how many calories are in a banana",
    "play some jazz music",
    "what is the capital of australia",
    "how tall is mount everest",
    "recommend a good science fiction novel",
    "translate good morning into italian",
    "what is the square root of 144",
]


def rows() -> tuple[list[str], list[str]]:
    texts = [t for examples in EXAMPLES.values() for t in examples]
    labels = [label for label, examples in EXAMPLES.items() for _ in examples]
    return texts, labels
