"""Form fields that hold input to the bounds of suggestions/limits.py."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from suggestions import limits


class SaneDateField(forms.DateField):
    """A date in the sane range of suggestions/limits.py, refused under the field's label.
    ``past_act``: the date records something done, so it may not lie after today."""

    def __init__(self, *, past_act: bool, **kwargs) -> None:
        super().__init__(**kwargs)
        self.past_act = past_act

    def validate(self, value) -> None:
        super().validate(value)
        limits.DateRangeValidator(past_act=self.past_act, label=self.label)(value)


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses an id no database integer can hold as an invalid choice before querying:
    Django looks the choices up with ``IN (…)``, where SQLite raises OverflowError on it."""

    def _check_values(self, value):
        for pk in value if isinstance(value, list | tuple) else ():
            try:
                out_of_range = abs(int(str(pk))) > limits.MAX_ID
            except ValueError:
                continue  # not a number: Django's own check refuses it
            if out_of_range:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)
