"""Writes with consequences on hubs and links. The UI, the API, the importer and the CLI all call these."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from shuniu import audit

from . import messages
from .choices import LinkRole
from .models import Hub, Link

#: the PostgreSQL exclusion constraints (`Link.dated.no_overlap`) and the form field their refusal belongs to
PG_CONSTRAINT_MESSAGES = {rule.name: "role" for rule in Link.dated.no_overlap}


def period_text(start: date, end: date | None) -> str:
    """A link's period as messages show it: 2015-01-01 至 今."""
    return f"{start} 至 {end or '今'}"


def _period(link: Link) -> str:
    return period_text(link.start_date, link.end_date)


def link_validate(link: Link) -> None:
    """Every rule a link keeps; raises ValidationError with a message per field."""
    link.full_clean()
    hub, organization = link.hub, link.organization
    if hub.organization_id == organization.pk:
        raise ValidationError({"organization": messages.LINK_SELF})
    if not hub.is_on(link.start_date):
        raise ValidationError(
            {
                "start_date": messages.LINK_HUB_NOT_RECOGNIZED
                % {
                    "hub": hub,
                    "day": link.start_date,
                    "recognized_on": hub.recognized_on,
                    "until": messages.RECOGNIZED_UNTIL % {"day": hub.recognized_until} if hub.recognized_until else "",
                }
            }
        )
    if organization.active_until and link.start_date > organization.active_until:
        raise ValidationError(
            {
                "start_date": messages.LINK_ORGANIZATION_DISSOLVED
                % {"organization": messages.organization_text(organization), "active_until": organization.active_until}
            }
        )
    same = link.conflicting("hubs_link_no_overlap").first()
    if same:
        raise ValidationError(
            {
                "start_date": messages.LINK_OVERLAP
                % {
                    "organization": messages.organization_text(organization),
                    "hub": hub,
                    "role": LinkRole(link.role).label,
                    "period": _period(same),
                }
            }
        )
    if link.role == LinkRole.MANAGE:
        manager = link.conflicting("hubs_link_one_manager").select_related("hub__organization").first()
        if manager:
            raise ValidationError({"role": messages.second_manager(organization, manager.hub, _period(manager))})


def _link_save(link: Link) -> Link:
    link_validate(link)
    try:
        with transaction.atomic():
            link.save()
    except IntegrityError as error:  # the PostgreSQL exclusion constraints, if a concurrent write slipped past
        name = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
        if name in PG_CONSTRAINT_MESSAGES:
            raise ValidationError(
                {
                    PG_CONSTRAINT_MESSAGES[name]: messages.LINK_OVERLAP
                    % {
                        "organization": messages.organization_text(link.organization),
                        "hub": link.hub,
                        "role": LinkRole(link.role).label,
                        "period": _period(link),
                    }
                }
            ) from error
        raise
    return link


@transaction.atomic
def link_create(
    *,
    hub: Hub,
    organization,
    role: str,
    start_date: date,
    end_date: date | None = None,
    basis: str = "",
    note: str = "",
) -> Link:
    link = Link(
        hub=hub, organization=organization, role=role, start_date=start_date, end_date=end_date, basis=basis, note=note
    )
    return _link_save(link)


@transaction.atomic
def link_update(*, link: Link) -> Link:
    """Save the changes made to `link`'s fields, keeping every rule."""
    return _link_save(link)


def link_end_note(note: str, reason: str) -> str:
    """The note of a link ended for `reason`: the reason is kept after the note (「…；结束原因：…」). One rule for
    the form, the API and the import: the note with the reason must fit the note field (its `max_length`); a longer
    reason is refused (ValidationError on `reason`), never cut."""
    if not reason:
        return note
    ended = (f"{note}；" if note else "") + f"结束原因：{reason}"
    limit = Link._meta.get_field("note").max_length
    if len(ended) > limit:
        room = max(0, limit - (len(ended) - len(reason)))
        raise ValidationError(
            {"reason": messages.LINK_END_REASON_TOO_LONG % {"room": room, "length": len(reason), "limit": limit}}
        )
    return ended


@transaction.atomic
def link_end(*, link: Link, end_date: date, reason: str = "") -> Link:
    """End a link on `end_date` (its last valid day). The row is kept; ending twice is refused. The audit log
    records the change as 联系关系结束 (`audit.registry`), with `reason` as its message."""
    link = Link.objects.select_for_update().select_related("hub__organization", "organization").get(pk=link.pk)
    if link.end_date is not None:
        raise ValidationError({"end_date": messages.LINK_ALREADY_ENDED % {"end_date": link.end_date}})
    if end_date < link.start_date:
        raise ValidationError(
            {"end_date": messages.LINK_END_BEFORE_START % {"end_date": end_date, "start_date": link.start_date}}
        )
    link.end_date = end_date
    link.note = link_end_note(link.note, reason)
    with audit.context(message=reason):
        return _link_save(link)


@transaction.atomic
def hub_revoke(*, hub: Hub, recognized_until: date, reason: str = "") -> Hub:
    """Revoke a hub's recognition: `recognized_until` is the last day it holds (the day before the revocation). The
    row is kept, and so are its links (they stop covering after that day); revoking twice is refused. The audit log
    records the change as 枢纽撤销认定 (`hubs.module`), with `reason` as its message."""
    hub = Hub.objects.select_for_update().select_related("organization").get(pk=hub.pk)
    if hub.recognized_until is not None:
        raise ValidationError(
            {"recognized_until": messages.HUB_ALREADY_REVOKED % {"recognized_until": hub.recognized_until}}
        )
    if recognized_until < hub.recognized_on:
        raise ValidationError(
            {
                "recognized_until": messages.HUB_REVOKED_BEFORE_RECOGNIZED
                % {"recognized_until": recognized_until, "recognized_on": hub.recognized_on}
            }
        )
    hub.recognized_until = recognized_until
    with audit.context(message=reason):
        hub.save()
    return hub
