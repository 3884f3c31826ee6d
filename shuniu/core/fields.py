"""Model fields for personal data: an encrypted column and the keyed hash that finds it.

    id_number = EncryptedField(kind="ric", verbose_name=…, blank=True)
    id_number_hash = KeyedHashField(source="id_number")

The attribute of an encrypted field holds "" (none recorded) or a `PersonalValue`, never a bare string: printing
one, putting it in a template, a serializer, an export or the audit log gives its *masked* form, and only
`value.reveal()` gives the number. The column holds `crypto.encrypt()` text; a value is decrypted when first read,
and one the key cannot read shows as "无法解密" and is written back unchanged, so a wrong key loses nothing.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import crypto
from .personal import IDENTITY_NUMBER, PHONE_NUMBER, PersonalKind

KINDS: dict[str, PersonalKind] = {kind.purpose: kind for kind in (IDENTITY_NUMBER, PHONE_NUMBER)}


class PersonalValue:
    """One person's number: the stored text (`token`), the number once decrypted or entered (`_plain`), or both."""

    __slots__ = ("kind", "token", "_plain")

    def __init__(self, kind: PersonalKind, *, plain: str | None = None, token: str | None = None):
        self.kind, self.token, self._plain = kind, token, plain

    def reveal(self) -> str:
        """The full number; `crypto.DecryptionError` if the key cannot read it. Callers audit the read."""
        if self._plain is None:
            self._plain = crypto.decrypt(self.token, purpose=self.kind.purpose)
        return self._plain

    @property
    def readable(self) -> bool:
        try:
            self.reveal()
        except crypto.DecryptionError:
            return False
        return True

    @property
    def masked(self) -> str:
        try:
            return self.kind.mask(self.reveal())
        except crypto.DecryptionError:
            return gettext("（无法解密，请检查个人信息密钥）")

    def stored(self) -> str:
        """The column's text: the stored token while the number is unchanged, else a new encryption."""
        if self.token is None:
            self.token = crypto.encrypt(self._plain, purpose=self.kind.purpose)
        return self.token

    def lookup_hash(self) -> str | None:
        """The keyed hash of the number (None when it cannot be read: the stored hash stays)."""
        try:
            return crypto.keyed_hash(self.reveal(), purpose=self.kind.purpose)
        except crypto.DecryptionError:
            return None

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"<PersonalValue {self.kind.purpose} {self.masked}>"

    def __eq__(self, other) -> bool:
        if isinstance(other, str):  # a number as typed in normal form (an importer comparing a cell to the record)
            return other != "" and self.readable and self.reveal() == other
        if not isinstance(other, PersonalValue):
            return NotImplemented
        if self.kind != other.kind:
            return False
        if self.readable and other.readable:
            return self.reveal() == other.reveal()
        return self.token is not None and self.token == other.token

    def __hash__(self) -> int:
        return hash(self.kind.purpose)


class _PersonalAttribute(DeferredAttribute):
    """Whatever is assigned (a number typed in, stored text, "" or None) is held as "" or a `PersonalValue`."""

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = self.field.wrap(value)


class EncryptedField(models.TextField):
    """A person's identity or phone number, encrypted in the column (see the module docstring)."""

    descriptor_class = _PersonalAttribute

    def __init__(self, *args, kind: str, **kwargs):
        self.kind = KINDS[kind]
        kwargs.setdefault("default", "")
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind.purpose
        if kwargs.get("default") == "":
            del kwargs["default"]
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        else:
            kwargs["blank"] = False
        return name, path, args, kwargs

    def wrap(self, value):
        if value is None or value == "":
            return ""
        if isinstance(value, PersonalValue):
            return value
        value = str(value)
        if crypto.is_token(value):  # stored text (from the database, a fixture, a copy of a row)
            return PersonalValue(self.kind, token=value)
        return PersonalValue(self.kind, plain=value)

    def from_db_value(self, value, expression, connection):
        return self.wrap(value)

    def to_python(self, value):
        return self.wrap(value)

    def get_prep_value(self, value):
        value = self.wrap(value)
        return value.stored() if isinstance(value, PersonalValue) else ""

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def clean(self, value, model_instance):
        """A number typed in is checked and normalised (Chinese messages); a stored one is left as it is."""
        value = self.wrap(value)
        if isinstance(value, PersonalValue) and value.token is None:
            value = PersonalValue(self.kind, plain=self.kind.normalize(value.reveal()))
        if value == "" and not self.blank:
            raise ValidationError(self.error_messages["blank"], code="blank")
        return value

    def audit_value(self, value):
        """The audit log keeps the masked form only."""
        value = self.wrap(value)
        return value.masked if isinstance(value, PersonalValue) else ""

    def formfield(self, **kwargs):
        return forms.CharField(
            label=self.verbose_name, required=not self.blank, max_length=40, help_text=self.help_text, **kwargs
        )


class KeyedHashField(models.CharField):
    """The keyed hash (HMAC-SHA256, or HMAC-SM3 under SM4) of the encrypted field `source`, kept up to date on every
    save; "" when empty.

    Exact look-up and de-duplication go through it (`keyed_hashes_of`); it is never shown nor written to the audit log.
    The model indexes it (`Meta.indexes`: a plain B-tree, as it is only ever compared for equality).
    """

    audit_skip = True

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.update(max_length=64, blank=True, default="", editable=False)
        kwargs.setdefault("verbose_name", _("查找摘要"))
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for key in ("max_length", "blank", "default", "editable"):
            kwargs.pop(key, None)
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.source)
        digest = value.lookup_hash() if isinstance(value, PersonalValue) else ""
        if digest is None:  # unreadable under this key: keep what the row has
            return getattr(model_instance, self.attname)
        setattr(model_instance, self.attname, digest)
        return digest


def with_keyed_hashes(model, update_fields) -> list[str]:
    """`update_fields` and the KeyedHashField of each encrypted field in it: `save(update_fields=[…])` then keeps the
    hash in step with the number (`pre_save` runs only for the fields saved)."""
    names = list(update_fields)
    for field in model._meta.concrete_fields:
        if isinstance(field, KeyedHashField) and field.source in names and field.name not in names:
            names.append(field.name)
    return names


def keyed_hashes_of(model, field_name: str, text: str) -> list[str]:
    """The hashes `field_name`'s KeyedHashField may hold for `text` typed by a user: under the current key and every
    key held from before (a column mid-rotation holds both, see `crypto.keyed_hashes`); [] if `text` is not a valid
    number of that field's kind. Look up with `<field>_hash__in`."""
    field = model._meta.get_field(field_name)
    try:
        number = field.kind.normalize(text)
    except ValidationError:
        return []
    return crypto.keyed_hashes(number, purpose=field.kind.purpose)
