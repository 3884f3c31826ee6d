"""The password rules beyond Django's own validators (length, common, numeric, like the user name): at least three
of the four classes of characters, and none of the user's last five passwords (MLPS level 3, "password complexity and
periodic change"). Both are Django password validators (AUTH_PASSWORD_VALIDATORS), so every place that sets a
password through `validate_password` — the user forms, password change, `shuniu user create`, `changepassword` —
applies them, with Chinese messages.

The history keeps the old *hashes* (`PasswordHistory`), written by the validator's `password_changed` hook, which
Django calls whenever a user is saved with a new password; a new password is compared with them through the hashers
(`check_password`), never in clear.
"""

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password, is_password_usable
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def character_classes(password: str) -> int:
    """How many of upper-case letters, lower-case letters, digits and other characters `password` contains."""
    return sum(
        (
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not (c.isupper() or c.islower() or c.isdigit()) for c in password),
        )
    )


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with its refusal in Chinese: Django 5.2 reworded the message and its zh-hans catalogue still has the
    old wording, so the English would show."""

    def get_error_message(self):
        return _("密码太短，至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}


class CharacterClassValidator:
    """At least `min_classes` of: upper-case letters, lower-case letters, digits, other characters."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _("密码须包含大写字母、小写字母、数字和其他符号这四类字符中的至少 %(count)d 类。") % {
            "count": self.min_classes
        }


class PasswordHistoryValidator:
    """Not one of the user's last `count` passwords (the current one included)."""

    def __init__(self, count: int = 5):
        self.count = count

    def _hashes(self, user) -> list[str]:
        from .models import PasswordHistory

        hashes = []
        if user is not None and user.pk is not None:
            hashes = list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.count])
        current = getattr(user, "password", "")
        if current and is_password_usable(current) and current not in hashes:
            hashes.append(current)  # a password set before the history was kept
        return hashes

    def validate(self, password, user=None):
        if any(check_password(password, encoded) for encoded in self._hashes(user)):
            raise ValidationError(
                ngettext(
                    "新密码不能与最近使用过的 %(count)d 个密码相同。",
                    "新密码不能与最近使用过的 %(count)d 个密码相同。",
                    self.count,
                )
                % {"count": self.count},
                code="password_reused",
            )

    def password_changed(self, password, user):
        """Keeps the new hash and forgets those older than the last `count`."""
        from .models import PasswordHistory

        if user.pk is None or not is_password_usable(user.password):
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        old = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[self.count :]
        PasswordHistory.objects.filter(pk__in=list(old)).delete()

    def get_help_text(self):
        return _("不能与最近使用过的 %(count)d 个密码相同。") % {"count": self.count}
