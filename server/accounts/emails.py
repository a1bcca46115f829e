"""E-mail addresses as account keys: one spelling per address, nothing invisible, no look-alikes.

Two addresses name the same account when they are equal after Unicode NFKC normalisation and
case folding (a fullwidth `ME@Example.com` is `me@example.com`; `Straße` is `strasse`). Syntax, invisible and
other unsafe characters (zero-width spaces, bidirectional controls...) are judged by the
`email-validator` library. A local part that mixes alphabets with letters confusable across them
(one Cyrillic letter among Latin ones) is refused outright: NFKC does not fold such look-alikes, and
they must not silently become a second account that reads like the first.
"""

from __future__ import annotations

import unicodedata

from confusable_homoglyphs import confusables
from email_validator import EmailNotValidError, validate_email

EMAIL_MAX = 320


class EmailRefused(ValueError):
    """Not an address we accept, with a reason to show."""


def canonical_email(raw: str) -> str:
    """The account key of an address typed by a person, or EmailRefused saying why not."""
    text = unicodedata.normalize("NFKC", raw.strip())
    if not text or len(text) > EMAIL_MAX:
        raise EmailRefused(f"enter a valid e-mail address (at most {EMAIL_MAX} characters)")
    try:
        checked = validate_email(text, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError as error:
        raise EmailRefused(f"enter a valid e-mail address: {error}") from None
    if confusables.is_dangerous(checked.local_part):
        raise EmailRefused("this address mixes alphabets with letters that look alike; type it in one alphabet")
    key = unicodedata.normalize("NFKC", checked.normalized.casefold())
    if len(key) > EMAIL_MAX:
        raise EmailRefused(f"enter a valid e-mail address (at most {EMAIL_MAX} characters)")
    return key


def login_key(raw: str) -> str | None:
    """The account key to look up for a log-in, or None when no account can have this address."""
    try:
        return canonical_email(raw)
    except EmailRefused:
        return None
