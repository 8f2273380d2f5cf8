"""Writes for institutions: giving people their roles."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext as _

from congress.models import Congress, CongressStaff, StaffRole

STAFF_GROUP = "代表工作机构"

# What a clerk of the deputy-work office may do in the admin (rows are further limited to
# the clerk's own congress by the ModelAdmins). Transitions, withholding and reply publication
# are not model permissions: the admin's buttons call the services, which decide. Records
# written by the services are view-only in the admin for everyone.
STAFF_PERMISSIONS = {
    "congress": {
        "view": [
            "congress",
            "term",
            "session",
            "delegation",
            "person",
            "deputy",
            "handlingunit",
            "committee",
            "contactstation",
            "congressstaff",
            "calendaroverride",
        ],
        "add": [
            "person",
            "deputy",
            "handlingunit",
            "committee",
            "contactstation",
            "delegation",
            "session",
        ],
        "change": [
            "person",
            "deputy",
            "handlingunit",
            "committee",
            "contactstation",
            "delegation",
            "session",
        ],
    },
    "suggestions": {
        "view": [
            "suggestion",
            "version",
            "cosignature",
            "assignment",
            "contactrecord",
            "cohandlingopinion",
            "reply",
            "evaluation",
            "supervisionplan",
            "supervisionactivity",
            "followupreview",
            "outcome",
            "citizenopinion",
            "suggestionlink",
            "event",
            "sourcearticle",
        ],
    },
}


def staff_group_ensure() -> Group:
    """The clerks' group with exactly its admin permissions (created on first use)."""
    group, _created = Group.objects.get_or_create(name=STAFF_GROUP)
    wanted = [
        (app, f"{action}_{model}")
        for app, actions in STAFF_PERMISSIONS.items()
        for action, models in actions.items()
        for model in models
    ]
    permissions = Permission.objects.filter(
        content_type__app_label__in=STAFF_PERMISSIONS.keys(),
        codename__in=[codename for _app, codename in wanted],
    )
    group.permissions.set(permissions)
    return group


def congress_staff_grant(
    *, user, congress: Congress, role: str = StaffRole.STAFF, title: str = ""
) -> CongressStaff:
    """Make `user` staff (or a leader) of `congress`. Staff also get the admin."""
    if role not in StaffRole.values:
        raise ValueError(_("未知的角色：%(role)s") % {"role": role})
    with transaction.atomic():
        membership, _created = CongressStaff.objects.get_or_create(
            user=user, congress=congress, role=role, defaults={"title": title}
        )
        if role == StaffRole.STAFF:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            user.groups.add(staff_group_ensure())
    return membership
