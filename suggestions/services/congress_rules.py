"""A congress's deadline rules: its rule set, extension mode and clock overrides. Changing them
counts the congress's open due dates again, as a calendar change does."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from congress.models import Congress, ExtensionMode, RuleSetName, StaffRole
from suggestions.deadlines import Period
from suggestions.rulesets import OVERRIDE_FIELDS

from .calendar import deadlines_recompute
from .errors import PermissionDenied, ValidationError

# The Congress fields that decide how its due dates are counted.
RULE_FIELDS = frozenset({"rule_set", "extension_mode", *OVERRIDE_FIELDS.values()})


def congress_rules_update(
    *, actor, congress: Congress, changes: Mapping[str, str], now=None
) -> int:
    """Set `changes` (rule set, extension mode, clock overrides; '' keeps the preset's
    figure) on `congress` and count its open due dates again, with an event for each that
    moved. Returns how many moved."""
    if (
        actor is None
        or not actor.is_authenticated
        or not (
            actor.is_superuser
            or actor.congress_roles.filter(congress=congress, role=StaffRole.STAFF).exists()
        )
    ):
        raise PermissionDenied(_("只有本级人大的工作人员可以调整期限规则。"))
    errors = {}
    for field, value in changes.items():
        if field not in RULE_FIELDS:
            errors[field] = _("「%(field)s」不是期限规则") % {"field": field}
        elif field == "rule_set" and value not in RuleSetName.values:
            errors[field] = _("期限规则「%(value)s」无效，可选：%(valid)s") % {
                "value": value,
                "valid": "、".join(RuleSetName.values),
            }
        elif field == "extension_mode" and value and value not in ExtensionMode.values:
            errors[field] = _("延期方式「%(value)s」无效，可选：%(valid)s") % {
                "value": value,
                "valid": "、".join(ExtensionMode.values),
            }
        elif field.endswith("_period") and value:
            try:
                Period.parse(value)
            except ValueError as exc:
                errors[field] = str(exc)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for field, value in changes.items():
            setattr(congress, field, value)
        congress.save(update_fields=sorted(changes))
        return deadlines_recompute(actor=actor, now=now, congress=congress)
