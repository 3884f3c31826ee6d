"""Turn Django errors raised below the API into answers a client can act on.

- a ValidationError raised by a service or by `full_clean()` answers 400 with one message per field;
- deleting a record that others still reference (PROTECT / RESTRICT) answers 409 and names what refers to it;
- an unknown or out-of-scope id answers 404, and a body that cannot be parsed 400, with a Chinese message.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("该记录仍被其他记录引用，不能删除。")
    default_code = "conflict"


def validation_detail(error: DjangoValidationError, field_names: dict | None = None) -> dict:
    """The messages of a Django ValidationError keyed by API field name (`__all__` → `non_field_errors`)."""
    field_names = field_names or {}
    if not hasattr(error, "error_dict"):
        return {"non_field_errors": error.messages}
    detail = {}
    for field, messages in error.message_dict.items():
        name = "non_field_errors" if field == "__all__" else field_names.get(field, field)
        detail.setdefault(name, []).extend(messages)
    return detail


def _referenced_detail(error: ProtectedError | RestrictedError) -> str:
    objects = error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects
    models = sorted({str(obj._meta.verbose_name) for obj in objects})
    return _("仍有%(count)d条记录（%(models)s）引用该记录，不能删除。") % {
        "count": len(objects),
        "models": "、".join(models),
    }


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_detail(exc))
    elif isinstance(exc, ProtectedError | RestrictedError):
        exc = Conflict(_referenced_detail(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()  # Django's "No Area matches the given query." is English only
    elif isinstance(exc, exceptions.ParseError):  # the parser's own reason is English only
        exc = exceptions.ParseError(_("请求体无法解析（%(reason)s）。") % {"reason": exc.detail})
    return drf_exception_handler(exc, context)
