"""The check of one import row: :class:`clients.forms.ClientForm`'s rules, without a form per row.

A Django form checks a row in three passes: each field's ``clean`` then the form's
``clean_<field>`` method, the form's ``clean``, then the model's own check of the instance the
form built (``_post_clean``: each model field's ``clean``, its constraints). Run as such, most of
the time goes to the machinery around the rules (a bound field per field and per row, the
instance, the exclusions worked out field by field, the labels translated again), none to the
rules themselves. :class:`RowChecker` runs the same three passes on one form kept for the whole
file: the same field objects, the form's own ``clean_<field>`` and ``clean`` methods and its
``add_error``, the model fields' own ``clean`` with the exclusions Django would make, and the
form's handling of the model's errors. The cleaned values and the French messages are the
form's (``tests/clients/test_import_checking.py`` compares them with ``ClientForm.is_valid``
on every field's valid, invalid and empty values).

The model's uniqueness checks and constraints are not run per row: every one of them involves
a field the form does not hold (the firm), and Django skips such a check. The constructor
verifies it, so that a model constraint added later is not silently left out.
"""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import UniqueConstraint
from django.forms.utils import ErrorDict

NON_EMPTY = object()


class RowChecker:
    """Checks rows with ``form``'s rules; ``form`` is an unbound instance of a ModelForm class
    kept for the whole file, whose fields are those of every row."""

    def __init__(self, form: forms.ModelForm) -> None:
        self.form = form
        model = form._meta.model
        self.model = model
        self.files = form.files
        self.steps = []
        for name, field in form.fields.items():
            if field.disabled or isinstance(field, forms.FileField):
                raise ValueError(f"{name}: a row checker takes neither disabled nor file fields")
            method = getattr(type(form), f"clean_{name}", None)
            self.steps.append((name, field, field.widget.value_from_datadict, method))
        # The model fields a row's values are set on (construct_instance's choice).
        meta_fields = form._meta.fields
        self.model_fields = [
            field
            for field in model._meta.fields
            if field.editable
            and not isinstance(field, models.AutoField)
            and (meta_fields is None or field.name in meta_fields)
            and not (form._meta.exclude and field.name in form._meta.exclude)
        ]
        self.with_default = {
            field.name: form.fields[field.name].widget.value_omitted_from_data
            for field in self.model_fields
            if field.has_default() and field.name in form.fields
        }
        # The exclusions that do not depend on the row (form._get_validation_exclusions
        # with every field valid and filled in), then those that do: a field that failed the
        # form's check, and an empty value the form allows where the model does not.
        form.cleaned_data = dict.fromkeys(form.fields, NON_EMPTY)
        form._errors = ErrorDict()
        self.always_excluded = frozenset(form._get_validation_exclusions())
        self.excluded_when_empty = {
            field.name: form.fields[field.name].empty_values
            for field in model._meta.fields
            if field.name in form.fields
            and field.name not in self.always_excluded
            and not field.blank
            and not form.fields[field.name].required
        }
        self.checked_fields = [
            field
            for field in model._meta.fields
            if field.name not in self.always_excluded and not field.generated
        ]
        # Text fields whose model check is the form field's own: no choices, a to_python that
        # hands a string back as it is, and validators the form field ran already. On the very
        # value the form field returned, the model check cannot find anything more.
        self.checked_by_form_field = {
            field.name
            for field in self.checked_fields
            if field.name in form.fields
            and isinstance(field, models.CharField)
            and type(field).to_python is models.CharField.to_python
            and not field.choices
            and all(
                validator in form.fields[field.name].validators for validator in field.validators
            )
        }
        self._refuse_row_dependent_model_checks()

    def _refuse_row_dependent_model_checks(self) -> None:
        """Model.clean, validate_unique and validate_constraints are left out: make sure they
        would do nothing for a row."""
        if self.model.clean is not models.Model.clean:
            raise ValueError(f"{self.model.__name__}.clean is not run by the row checker")
        unique_checks, date_checks = self.model()._get_unique_checks(
            exclude=self.always_excluded, include_meta_constraints=True
        )
        constraints_skipped = all(
            isinstance(constraint, UniqueConstraint)
            and not constraint.expressions
            and set(constraint.fields) & self.always_excluded
            for constraint in self.model._meta.constraints
        )
        if unique_checks or date_checks or not constraints_skipped:
            raise ValueError(
                f"{self.model.__name__} has a uniqueness check or constraint on the form's "
                "fields alone: the row checker does not run it"
            )

    def check(
        self, data: Mapping[str, object], instance_values: Mapping[str, object]
    ) -> tuple[dict, ErrorDict]:
        """The cleaned data and the errors of ``data`` (as posted to the form), for an
        instance holding ``instance_values`` (the client's, or the model's defaults for a new
        one): what ``form.cleaned_data`` and ``form.errors`` would be after ``is_valid()``."""
        form = self.form
        form.data = data
        form.cleaned_data = cleaned = {}
        form._errors = errors = ErrorDict(renderer=form.renderer)
        form._validate_unique = False
        # Form._clean_fields; what each form field returned (its validators ran on it).
        checked = {}
        for name, field, value_from, method in self.steps:
            try:
                cleaned[name] = checked[name] = field.clean(value_from(data, self.files, name))
                if method is not None:
                    cleaned[name] = method(form)
            except ValidationError as error:
                form.add_error(name, error)
        form._clean_form()
        self._post_clean(form, data, instance_values, checked)
        return form.cleaned_data, errors

    def _post_clean(self, form, data, instance_values, checked) -> None:
        """BaseModelForm._post_clean: the model fields' check of the values
        construct_instance would set."""
        cleaned = form.cleaned_data
        errors = form._errors
        values = {}
        for field in self.model_fields:
            name = field.name
            if name not in cleaned:
                continue
            omitted = self.with_default.get(name)
            if (
                omitted is not None
                and omitted(data, self.files, name)
                and cleaned.get(name) in form.fields[name].empty_values
            ):
                continue  # the instance keeps its value
            values[name] = cleaned[name]
        found = {}
        for field in self.checked_fields:
            name = field.name
            if name in errors:
                continue
            empty_values = self.excluded_when_empty.get(name)
            if empty_values is not None and cleaned.get(name) in empty_values:
                continue
            if name in values:
                raw = values[name]
                if field.is_relation and isinstance(raw, models.Model):
                    raw = raw.pk  # what the instance's key attribute would hold
            else:
                raw = instance_values.get(field.attname)
            if field.blank and raw in field.empty_values:
                continue
            if (
                name in self.checked_by_form_field
                and type(raw) is str
                and raw is checked.get(name)
                and (raw or field.blank)
            ):
                continue  # the form field's check of this very value was the model's
            try:
                field.clean(raw, None)
            except ValidationError as error:
                found[name] = error.error_list
        if found:
            form._update_errors(ValidationError(found))


def model_defaults(model: type[models.Model]) -> dict[str, object]:
    """The values of a new instance, by attribute name."""
    return {field.attname: field.get_default() for field in model._meta.concrete_fields}


__all__ = ["NON_FIELD_ERRORS", "RowChecker", "model_defaults"]
