"""Amounts typed the way finance leads type them, stored as pence and shown back in pounds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.errors import InvalidValue
from bot.domain.money import MAX_PENCE, format_amount, parse_amount


@pytest.mark.parametrize(("raw", "pence"), [
    ("£250,000", 25_000_000),
    ("250k", 25_000_000),
    ("250K", 25_000_000),
    ("£1.2m", 120_000_000),
    ("1.2mn", 120_000_000),
    ("1200000", 120_000_000),
    ("£12.50", 1_250),
    ("£12.5", 1_250),
    ("1.5bn", 150_000_000_000),
    ("£ 250 k", 25_000_000),
    ("GBP 40", 4_000),
    ("£0.01", 1),
    ("100bn", MAX_PENCE),
])
def test_amounts_parse_to_pence(raw, pence):
    assert parse_amount(raw) == pence


@pytest.mark.parametrize("raw", ["", "   ", "\t"])
def test_a_blank_amount_means_no_amount(raw):
    assert parse_amount(raw) is None


@pytest.mark.parametrize("raw", [
    "lots", "-5", "£-5", "-£5", "£0", "0", "0k", "£0.00", "£100,000,000,000.01", "101bn", "£12.505", "12.345",
    "1.2.3", "£", "k", "12p", "$40", "1e6",
])
def test_nonsense_amounts_are_rejected_naming_the_amount_field(raw):
    with pytest.raises(InvalidValue) as error:
        parse_amount(raw)
    assert error.value.field == "amount"


def test_the_field_name_can_be_overridden():
    with pytest.raises(InvalidValue) as error:
        parse_amount("lots", field_name="budget")
    assert error.value.field == "budget"


@pytest.mark.parametrize(("pence", "text"), [
    (120_000_000, "£1,200,000"),
    (1_250, "£12.50"),
    (1, "£0.01"),
    (100, "£1"),
    (25_000_005, "£250,000.05"),
    (None, ""),
])
def test_amounts_format_in_pounds_with_pence_only_when_there_are_some(pence, text):
    assert format_amount(pence) == text


@given(st.integers(1, 10**12))
def test_formatting_then_parsing_gives_back_the_same_pence(pence):
    assert parse_amount(format_amount(pence)) == pence


@pytest.mark.parametrize("raw", ["£1,2,3", "1,23", "12,3456", ",100", "100,", "1,,000", "£1,000,00"])
def test_commas_are_accepted_only_in_groups_of_three(raw):
    with pytest.raises(InvalidValue):
        parse_amount(raw)


@pytest.mark.parametrize("raw", ["\uff11\uff12\uff13", "\u0661\u0662\u0663", "£\u0967\u0968k", "1\u00b2"])
def test_only_ascii_digits_are_amounts(raw):
    with pytest.raises(InvalidValue):
        parse_amount(raw)


@pytest.mark.parametrize(("raw", "pence"), [("1,000", 100_000), ("£12,345,678.90", 1_234_567_890),
                                            ("gbp 1,000k", 100_000_000)])
def test_grouped_thousands_parse(raw, pence):
    assert parse_amount(raw) == pence
