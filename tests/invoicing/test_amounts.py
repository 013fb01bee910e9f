"""Amounts exact to the cent, as EN 16931 computes them (table tests, no database)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from invoicing.amounts import LineAmounts, compute_totals, line_net_amount, round_half_up


@pytest.mark.parametrize(
    ("quantity", "unit_price", "net"),
    [
        ("1.5", "99.99", "149.99"),  # 149.985: half up
        ("1", "150.00", "150.00"),
        ("3", "0.335", "1.01"),  # 1.005
        ("0.3333", "3", "1.00"),  # 0.9999
        ("2", "0.125", "0.25"),
        ("7", "0.0049", "0.03"),  # 0.0343
        ("12", "28.5", "342.00"),
        ("1", "0", "0.00"),
    ],
)
def test_a_lines_net_amount_is_rounded_half_up_to_the_cent(quantity, unit_price, net):
    assert line_net_amount(D(quantity), D(unit_price)) == D(net)


@pytest.mark.parametrize(
    ("value", "rounded"),
    [("0.005", "0.01"), ("0.004", "0.00"), ("2.675", "2.68"), ("-0.005", "-0.01")],
)
def test_round_half_up(value, rounded):
    assert round_half_up(D(value)) == D(rounded)


def _line(quantity, price, rate="20", category="S", reason=""):
    return LineAmounts(D(quantity), D(price), category, D(rate), reason)


def test_vat_is_computed_on_the_sum_of_each_rates_lines_not_line_by_line():
    # Three lines of 0.33 at 20 %: per line 0.066 → 0.07 × 3 = 0.21; on the sum 0.99 → 0.20.
    totals = compute_totals([_line("1", "0.33")] * 3)
    assert totals.total_excl_vat == D("0.99")
    assert [subtotal.tax_amount for subtotal in totals.vat_breakdown] == [D("0.20")]
    assert totals.total_incl_vat == D("1.19")


def test_many_lines_and_rates():
    lines = (
        [_line("1.5", "99.99")] * 100 + [_line("3", "12.5", "10")] * 7 + [_line("1", "0.01", "5.5")]
    )
    totals = compute_totals(lines)
    assert totals.total_excl_vat == D("14999.00") + D("262.50") + D("0.01")
    by_rate = {subtotal.vat_rate: subtotal for subtotal in totals.vat_breakdown}
    assert by_rate[D("20.00")].taxable_amount == D("14999.00")
    assert by_rate[D("20.00")].tax_amount == D("2999.80")
    assert by_rate[D("10.00")].tax_amount == D("26.25")
    assert by_rate[D("5.50")].tax_amount == D("0.00")  # 0.00055
    assert totals.total_vat == D("3026.05")
    assert totals.total_incl_vat == totals.total_excl_vat + totals.total_vat
    assert [subtotal.vat_rate for subtotal in totals.vat_breakdown] == [
        D("20.00"),
        D("10.00"),
        D("5.50"),
    ]


def test_categories_at_zero_are_separate_breakdowns_with_their_reason():
    totals = compute_totals(
        [
            _line("1", "100"),
            _line("1", "50", "0", "E", "Exonération de TVA, article 261 du CGI"),
            _line("2", "10", "0", "Z"),
        ]
    )
    categories = [
        (s.vat_category.value, s.taxable_amount, s.tax_amount) for s in totals.vat_breakdown
    ]
    assert categories == [
        ("S", D("100.00"), D("20.00")),
        ("Z", D("20.00"), D("0.00")),
        ("E", D("50.00"), D("0.00")),
    ]
    assert totals.vat_breakdown[2].exemption_reason == "Exonération de TVA, article 261 du CGI"
    assert totals.total_incl_vat == D("190.00")


def test_no_float_anywhere():
    totals = compute_totals([_line("1.5", "99.99"), _line("1", "0.1", "10")])
    values = [totals.total_excl_vat, totals.total_vat, totals.total_incl_vat, *totals.line_nets]
    assert all(isinstance(value, D) for value in values)
    assert totals.line_nets == (D("149.99"), D("0.10"))
