"""Personal data is removed before anything is stored; look-alikes are left alone."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.config import CouncilConfig, RedactPattern
from monitor.feedback.redaction import KINDS, Redactor, luhn_valid, nhs_number_valid
from tests.monitor.feedback.redaction_corpus import KEEP, PERSONAL

REDACTOR = Redactor(
    [RedactPattern(name="pothole-report", pattern=r"\bPOT-\d{6}\b")], today=date(2025, 6, 1)
)

POSITIVE = [
    ("email me at jo.bloggs+x@example.co.uk please", "email me at [email] please", "email"),
    ("JO@EXAMPLE.COM", "[email]", "email"),
    ("call 01622 123456 today", "call [phone] today", "phone"),
    ("mobile 07700 900123", "mobile [phone]", "phone"),
    ("mobile 07700900123", "mobile [phone]", "phone"),
    ("ring +44 (0)1622 694000", "ring [phone]", "phone"),
    ("ring +447700900123", "ring [phone]", "phone"),
    ("ring 0044 20 7946 0018", "ring [phone]", "phone"),
    ("phone 0300 041 4141", "phone [phone]", "phone"),
    ("(01622) 694 000 is my number", "[phone] is my number", "phone"),
    ("my postcode is ME14 1XQ", "my postcode is [postcode]", "postcode"),
    (
        "I live at 3 High St, Maidstone me141xq",
        "I live at 3 High St, Maidstone [postcode]",
        "postcode",
    ),
    ("SW1A 1AA is where I work", "[postcode] is where I work", "postcode"),
    ("post code ct1 2ab", "post code [postcode]", "postcode"),
    ("NI number AB 12 34 56 C", "NI number [ni-number]", "ni-number"),
    ("ni: qq123456c", "ni: [ni-number]", "ni-number"),
    ("card 4111 1111 1111 1111 was charged", "card [card-number] was charged", "card-number"),
    ("card 5555-5555-5555-4444", "card [card-number]", "card-number"),
    ("amex 378282246310005", "amex [card-number]", "card-number"),
    ("born 12/03/1985", "born [date-of-birth]", "date-of-birth"),
    ("my DOB is 3rd March 2010", "my DOB is [date-of-birth]", "date-of-birth"),
    ("date of birth: 2019-04-07", "date of birth: [date-of-birth]", "date-of-birth"),
    ("I was born on March 5, 1962", "I was born on [date-of-birth]", "date-of-birth"),
    ("she is 01.02.1950", "she is [date-of-birth]", "date-of-birth"),
    ("from 192.168.1.20 at home", "from [ip-address] at home", "ip-address"),
    ("IPv6 2001:db8::1 here", "IPv6 [ip-address] here", "ip-address"),
    ("my ref POT-123456", "my ref [reference]", "reference"),
    ("ref pot-654321 still open", "ref [reference] still open", "reference"),
]


@pytest.mark.parametrize(("text", "expected", "kind"), POSITIVE)
def test_personal_data_is_replaced_by_a_placeholder(text: str, expected: str, kind: str) -> None:
    result = REDACTOR.redact(text)
    assert result.text == expected
    assert kind in result.kinds
    assert result.redacted


@pytest.mark.parametrize("text", KEEP)
def test_look_alikes_are_left_alone(council_config: CouncilConfig, text: str) -> None:
    result = _corpus_redactor(council_config).redact(text)
    assert result.text == text
    assert result.kinds == frozenset()


def test_several_kinds_in_one_comment_are_all_flagged_in_a_stable_order() -> None:
    texts, kinds = REDACTOR.redact_fields(
        [
            "Email a@b.com or ring 07700 900123",
            None,
            "I live at ME14 1XQ, ref POT-000001",
        ]
    )
    assert texts == ["Email [email] or ring [phone]", None, "I live at [postcode], ref [reference]"]
    assert kinds == ["email", "phone", "postcode", "reference"]


def test_luhn_checksum() -> None:
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")


def test_nhs_check_digit() -> None:
    assert nhs_number_valid("9434765919")
    assert not nhs_number_valid("9434765918")
    assert not nhs_number_valid("1234567890")  # its check digit would be 10: never issued


# --- the corpus ---------------------------------------------------------------------------


def _corpus_redactor(config: CouncilConfig) -> Redactor:
    return Redactor.for_council(config.feedback, today=date(2025, 6, 1))


def test_the_corpus_covers_every_kind_in_many_ways() -> None:
    kinds = [kind for entries in PERSONAL.values() for _, found in entries for _, kind in found]
    for kind in KINDS:
        assert kinds.count(kind) >= 4, kind
    assert len(kinds) >= 120 and len(KEEP) >= 60


def test_the_corpus_leaks_nothing_and_over_redacts_nothing(
    council_config: CouncilConfig, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every piece of personal data is replaced by its own placeholder, and nothing else is
    touched; the keep list comes through exactly as typed."""
    redactor = _corpus_redactor(council_config)
    leaked: list[str] = []
    total = 0
    for category, entries in PERSONAL.items():
        for text, found in entries:
            expected = text
            for secret, kind in found:
                assert secret in expected, f"corpus mistake: {secret!r} not in {text!r}"
                expected = expected.replace(secret, f"[{kind}]", 1)
            total += len(found)
            result = redactor.redact(text)
            wrong = result.text != expected or result.kinds != {kind for _, kind in found}
            if wrong:
                leaked.append(f"{category}: {text!r} -> {result.text!r} {sorted(result.kinds)}")
    over = [
        f"keep: {text!r} -> {redactor.redact(text).text!r}"
        for text in KEEP
        if redactor.redact(text).text != text
    ]
    report = (
        f"redaction corpus: leaked {len(leaked)}/{total}, over-redacted {len(over)}/{len(KEEP)}"
    )
    with capsys.disabled():
        print(f"\n{report}")
    assert not leaked and not over, "\n".join([report, *leaked, *over])


@pytest.mark.parametrize(
    ("page", "expected", "kinds"),
    [
        ("/account/jane.doe@example.com", "/account/[email]", {"email"}),
        ("/account/jane.doe%40example.com/settings", "/account/[email]/settings", {"email"}),
        ("/find-an-address/me14-1xq", "/find-an-address/[postcode]", {"postcode"}),
        ("/area/ME14%201XQ", "/area/[postcode]", {"postcode"}),
        ("/contact/07700900123/edit", "/contact/[phone]/edit", {"phone"}),
        ("/report-a-pothole/POT-123456", "/report-a-pothole/[reference]", {"reference"}),
        ("/people/AB123456C", "/people/[ni-number]", {"ni-number"}),
        ("/dob/12/03/1985", "/dob/[date-of-birth]", {"date-of-birth"}),
        ("/report-a-pothole/done", "/report-a-pothole/done", set()),
        ("/events/2025-05-30/road-closure-a229", "/events/2025-05-30/road-closure-a229", set()),
        ("/school-admissions/year-7", "/school-admissions/year-7", set()),
        ("/search%20results", "/search%20results", set()),  # unchanged: exactly as sent
    ],
)
def test_a_page_address_is_redacted_like_a_comment(
    council_config: CouncilConfig, page: str, expected: str, kinds: set[str]
) -> None:
    result = _corpus_redactor(council_config).redact_page(page)
    assert (result.text, set(result.kinds)) == (expected, kinds)


def test_a_published_number_is_kept_however_it_is_written() -> None:
    redactor = Redactor(published_numbers=["0300 041 4141"])
    for text in ("I rang 0300 041 4141", "I rang 03000414141", "dialled +44 300 041 4141"):
        assert redactor.redact(text).text == text
    assert redactor.redact("ring me on 0300 041 4142").text == "ring me on [phone]"


def test_council_reference_patterns_come_from_services_yaml(council_config) -> None:
    redactor = Redactor(council_config.feedback.redact_patterns)
    assert redactor.redact("about POT-104233").text == "about [reference]"
