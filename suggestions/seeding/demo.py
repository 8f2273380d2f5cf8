"""Demo logins, one per role, linked to the seeded institutions.

The passwords are for demonstration only and are printed on purpose; never run this against a
production database. Idempotent: the same users and links every time (passwords are reset to
the printed ones so the printed logins always work).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from congress.models import Congress, HandlingUnit, Person, StaffRole
from congress.services import congress_staff_grant
from suggestions.models import SupervisionPlan

CHENZHOU = "郴州市人民代表大会"
WEISHAN = "巍山彝族回族自治县人民代表大会"
WEISHAN_KEY_SUPERVISION = "su-weishan-key-supervision"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str
    can: str


class DemoSetupError(Exception):
    """The seeded institutions the demo users attach to are missing (run load_seeds first)."""


def _user(username: str, password: str, *, first_name: str = "", superuser: bool = False):
    user, _created = get_user_model().objects.get_or_create(username=username)
    user.first_name = first_name
    user.email = f"{username}@demo.invalid"
    user.is_staff = superuser
    user.is_superuser = superuser
    user.is_active = True
    user.set_password(password)
    user.save()
    return user


def _get(model, **lookup):
    obj = model.objects.filter(**lookup).order_by("pk").first()
    if obj is None:
        described = "，".join(f"{v}" for v in lookup.values())
        raise DemoSetupError(
            _("缺少种子数据（%(m)s：%(d)s），请先运行 load_seeds")
            % {"m": model._meta.verbose_name, "d": described}
        )
    return obj


def _link_person(person: Person, user) -> None:
    # One account per person; a previous demo run may already have linked them.
    if person.user_id != user.pk:
        person.user = user
        person.save(update_fields=["user"])


@transaction.atomic
def ensure_demo_users() -> list[DemoLogin]:
    chenzhou = _get(Congress, name=CHENZHOU)
    weishan = _get(Congress, name=WEISHAN)
    logins: list[DemoLogin] = []

    def add(role: str, username: str, password: str, can: str):
        logins.append(DemoLogin(role, username, password, can))

    user = _user("tangxinping", "demo-tang-2025", first_name="汤欣平")
    _link_person(_get(Person, name="汤欣平"), user)
    add(
        _("代表"),
        user.username,
        "demo-tang-2025",
        _("汤欣平（郴州市、湖南省人大代表）：起草、提交、撤回建议，查看答复并测评"),
    )

    user = _user("susuxin", "demo-su-2025", first_name="苏素馨")
    _link_person(_get(Person, name="苏素馨"), user)
    add(
        _("代表"),
        user.username,
        "demo-su-2025",
        _("苏素馨（巍山县人大代表）：起草、提交建议，查看办理和督办情况"),
    )

    user = _user("chenzhou_staff", "demo-cz-staff-2025", first_name="郴州市人大工作人员")
    congress_staff_grant(
        user=user, congress=chenzhou, role=StaffRole.STAFF, title=_("选联工委工作人员")
    )
    add(
        _("人大工作人员"),
        user.username,
        "demo-cz-staff-2025",
        _("郴州市人大：审查、退回、立案、交办、督办、台账"),
    )

    user = _user("weishan_staff", "demo-ws-staff-2025", first_name="巍山县人大工作人员")
    congress_staff_grant(
        user=user, congress=weishan, role=StaffRole.STAFF, title=_("选联工委工作人员")
    )
    add(
        _("人大工作人员"),
        user.username,
        "demo-ws-staff-2025",
        _("巍山县人大：审查、立案、交办、重点督办、回头看"),
    )

    # The article names the vice-chair leading the key supervision only by title; this demo
    # account stands in for that role and is linked to the plan so the leader's view has it.
    user = _user(
        "weishan_leader", "demo-ws-leader-2025", first_name="巍山县人大常委会副主任（演示）"
    )
    congress_staff_grant(
        user=user, congress=weishan, role=StaffRole.LEADER, title=_("县人大常委会副主任")
    )
    SupervisionPlan.objects.filter(seed_key=WEISHAN_KEY_SUPERVISION, leader__isnull=True).update(
        leader=user
    )
    add(
        _("常委会领导"),
        user.username,
        "demo-ws-leader-2025",
        _("巍山县人大常委会副主任：查看牵头督办的重点建议"),
    )

    user = _user("chenzhou_gov", "demo-cz-gov-2025", first_name="郴州市人民政府经办人")
    _get(HandlingUnit, congress=chenzhou, name="郴州市人民政府").members.add(user)
    add(_("承办单位"), user.username, "demo-cz-gov-2025", _("郴州市人民政府：收件、联系代表、答复"))

    user = _user("weishan_police", "demo-ws-police-2025", first_name="巍山县公安局经办人")
    _get(HandlingUnit, congress=weishan, name="巍山县公安局").members.add(user)
    add(
        _("承办单位"), user.username, "demo-ws-police-2025", _("巍山县公安局：收件、联系代表、答复")
    )

    user = _user("demo_admin", "demo-admin-2025", superuser=True)
    add(_("系统管理员"), user.username, "demo-admin-2025", _("后台管理全部数据（/admin/）"))
    return logins
