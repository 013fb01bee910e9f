"""The platform select (QuickSelect, its options from rows read once): the HTML Django's own
select renders from the queryset, option for option."""

from __future__ import annotations

import re

import pytest
from django import forms

from cartography.forms import ClientPlatformForm, QuickSelect
from cartography.models import ClientPlatform, Platform
from firms.tenancy import firm_scope
from tests import factories


def django_select(form: ClientPlatformForm) -> str:
    """The form's platform field rendered by Django's Select from the field's queryset, the
    white space between its tags left out."""
    field = form.fields["platform"]
    reference = forms.ModelChoiceField(
        queryset=field.queryset, empty_label=field.empty_label, widget=forms.Select
    )
    form._bound_fields_cache.pop("platform", None)
    form.fields["platform"] = reference
    try:
        return between_tags(str(form["platform"]))
    finally:
        form._bound_fields_cache.pop("platform", None)
        form.fields["platform"] = field


def between_tags(html: str) -> str:
    return re.sub(r">\s+<", "><", html)


@pytest.fixture
def platforms(firm_a):
    firm = firm_a.firm
    with firm_scope(firm):
        return [
            Platform.objects.create(firm=firm, name=name, is_active=active)
            for name, active in (
                ('Zeta <PA> & "Cie"', True),
                ("Alpha", True),
                ("Ancienne PA", False),
                ("alpha", True),
            )
        ]


@pytest.mark.parametrize("chosen", [None, 0, 2])
def test_the_select_is_the_one_django_renders(firm_a, platforms, chosen):
    firm = firm_a.firm
    with firm_scope(firm):
        current = None
        if chosen is not None:
            client = factories.make_client(firm)
            current = ClientPlatform.objects.create(
                firm=firm, client=client, role="reception", platform=platforms[chosen]
            )
        initial = {"platform": current.platform_id} if current else {}
        form = ClientPlatformForm(firm=firm, role="reception", current=current, initial=initial)
        html = str(form["platform"])
        assert html == django_select(form)
    assert "Ancienne PA" in html if chosen == 2 else "Ancienne PA" not in html
    assert "Zeta &lt;PA&gt; &amp; &quot;Cie&quot;" in html
    if current:
        assert f'<option value="{current.platform_id}" selected>' in html


def test_a_bound_form_shows_the_value_posted(firm_a, platforms):
    with firm_scope(firm_a.firm):
        form = ClientPlatformForm(
            {"reception-platform": str(platforms[1].pk), "reception-status": "chosen"},
            firm=firm_a.firm,
            role="reception",
        )
        assert str(form["platform"]) == django_select(form)
        assert form.is_valid()
        assert form.cleaned_data["platform"] == platforms[1]
        refused = ClientPlatformForm(
            {"reception-platform": str(platforms[2].pk), "reception-status": "chosen"},
            firm=firm_a.firm,
            role="reception",
        )
        assert not refused.is_valid()  # inactive, and not the client's: not a choice


def test_grouped_choices_are_written_as_django_writes_them():
    choices = [("", "—"), ("Groupe <1>", [("a", "A & B"), ("b", "B")]), ("c", "C")]
    quick = QuickSelect(choices=choices, attrs={"class": "x"})
    django = forms.Select(choices=choices, attrs={"class": "x"})
    for value in ("", "a", "c", None):
        assert quick.render("name", value) == between_tags(django.render("name", value))
