"""A found piece of identifying text: where it is and which placeholder replaces it."""

from __future__ import annotations

from typing import NamedTuple

NAME = "NAME"
PHONE = "PHONE"
EMAIL = "EMAIL"
ID_NUMBER = "ID-NUMBER"
ADDRESS = "ADDRESS"
USERNAME = "USERNAME"
LINK = "LINK"
IBAN = "IBAN"
CARD = "CARD"
IP = "IP"
POSTCODE = "POSTCODE"

LABELS = (NAME, PHONE, EMAIL, ID_NUMBER, ADDRESS, USERNAME, LINK, IBAN, CARD, IP, POSTCODE)


class Span(NamedTuple):
    start: int
    end: int  # exclusive
    label: str

    @property
    def placeholder(self) -> str:
        return f"[{self.label}]"
