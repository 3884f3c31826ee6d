"""`shuniu keys`: the keys personal data is encrypted with.

shuniu keys status                                   how many values (and sealed files) are under each scheme and key
shuniu keys rotate [--batch-size N] [--max-batches N]   re-encrypt everything not under the current scheme and key

Rotation: put the new secret in SHUNIU_PERSONAL_DATA_KEY and the previous one in SHUNIU_PERSONAL_DATA_OLD_KEYS
(comma-separated, for more than one), restart, and run `shuniu keys rotate`; changing SHUNIU_PERSONAL_DATA_CIPHER
(AES → SM4) and rotating converts the same way. Every model with an EncryptedField is found by introspection, so a
module added later is covered without listing it here.

Each batch (rows ordered by primary key, locked with SELECT … FOR UPDATE where the database has it) is one
transaction: the value re-encrypted and its keyed-hash column recomputed, by `bulk_update` of those columns only, so
`updated_at` stays and the audit log gets no row per record — the run records one event per model instead. A value
already under the current key is known by its prefix and skipped: a run interrupted and started again goes on where
it stopped, and a second run changes nothing. Until the run ends, look-ups by number search the hashes under every
key held (`crypto.keyed_hashes`), so they find rotated and not yet rotated rows alike.

Files of every FileField whose storage says `sealed = True` (`shuniu.core.storage`: files sealed under
`storage.purpose`) are re-sealed too, one by one, each replaced atomically, and skipped likewise when their header
already names the current key. Files stored in the clear are left to that storage's own migration.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, router, transaction
from django.db.models import Case, CharField, Count, FileField, Q, Value, When
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from shuniu.core import crypto, journal
from shuniu.core.fields import EncryptedField, KeyedHashField, PersonalValue
from shuniu.core.files import replace_file

DEFAULT_BATCH_SIZE = 500


def encrypted_models() -> list[tuple[type, list[EncryptedField]]]:
    """Every concrete model with an EncryptedField, and those fields."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]
        if fields:
            found.append((model, fields))
    return found


def hash_fields(model) -> dict[str, KeyedHashField]:
    """Encrypted field name → its KeyedHashField."""
    return {f.source: f for f in model._meta.concrete_fields if isinstance(f, KeyedHashField)}


def sealed_file_fields() -> list[tuple[type, FileField]]:
    """Every FileField whose storage seals its files (`storage.sealed`)."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        found += [
            (model, f)
            for f in model._meta.concrete_fields
            if isinstance(f, FileField) and getattr(f.storage, "sealed", False)
        ]
    return found


def positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(_("应为正整数，而不是“%(text)s”") % {"text": text})
    return number


@dataclass
class Counts:
    rotated: int = 0  # values re-encrypted (or files re-sealed)
    unreadable: int = 0  # under no key held: left as they are
    batches: int = 0
    models: dict[str, int] = field(default_factory=dict)  # model label → values re-encrypted


class Command(BaseCommand):
    help = "个人信息加密密钥：查看各密钥下的数据量（status），或把数据重新加密到当前密钥（rotate）。"

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        commands.add_parser("status", help="各加密方案、密钥下的数据量")
        rotate = commands.add_parser("rotate", help="把不在当前方案、密钥下的数据重新加密（可中断后续跑）")
        rotate.add_argument(
            "--batch-size", type=positive, default=DEFAULT_BATCH_SIZE, help=f"每批行数（默认 {DEFAULT_BATCH_SIZE}）"
        )
        rotate.add_argument(
            "--max-batches", type=positive, default=None, help="最多处理的批数，到数即停（再次运行可续跑）"
        )

    def handle(self, *args, command, **options):
        try:
            self.key = crypto.current_key()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        if command == "status":
            self.status()
        else:
            self.rotate(batch_size=options["batch_size"], max_batches=options["max_batches"])

    # --- status -----------------------------------------------------------------------------------------------

    def describe(self, label: str) -> str:
        if label == self.key.label:
            return _("当前密钥")
        if label == crypto.VERSION:
            return _("早期格式 AES-256-GCM，无密钥标识")
        if any(key.label == label for key in crypto.held_keys()):
            return _("旧密钥")
        return _("未持有的密钥，无法解密")

    def status(self):
        self.stdout.write(
            _("当前：%(scheme)s，密钥标识 %(key)s")
            % {"scheme": self.key.scheme.name, "key": self.key.label.partition(":")[2]}
        )
        pending = 0
        for model, fields in encrypted_models():
            for model_field in fields:
                name = model_field.attname
                label = Case(
                    When(**{f"{name}__startswith": crypto.PREFIX}, then=Value(crypto.VERSION)),
                    default=Substr(name, 1, len(self.key.label)),
                    output_field=CharField(),
                )
                rows = (
                    model._base_manager.exclude(**{name: ""})
                    .annotate(label=label)
                    .values("label")
                    .annotate(count=Count("pk"))
                    .order_by("label")
                )
                self.stdout.write(f"{model._meta.label}.{model_field.name}:")
                if not rows:
                    self.stdout.write("  " + _("（无数据）"))
                for row in rows:
                    self.stdout.write(f"  {row['label']:<14} {row['count']:>9}  {self.describe(row['label'])}")
                    if row["label"] != self.key.label:
                        pending += row["count"]
        for model, file_field in sealed_file_fields():
            labels: dict[str, int] = {}
            sealed_labels = set()
            for name in self.file_names(model, file_field):
                raw = self.read_head(file_field.storage, name)
                label = crypto.sealed_label(raw) if raw is not None else None
                if label:
                    sealed_labels.add(label)
                label = label or (_("文件缺失") if raw is None else _("未加密"))
                labels[label] = labels.get(label, 0) + 1
            self.stdout.write(f"{model._meta.label}.{file_field.name}（{_('文件')}）:")
            if not labels:
                self.stdout.write("  " + _("（无文件）"))
            for label, count in sorted(labels.items()):
                self.stdout.write(f"  {label:<14} {count:>9}  {self.describe(label)}")
                if label != self.key.label and label in sealed_labels:
                    pending += count
        if pending:
            self.stdout.write(
                _("有 %(count)d 项不在当前密钥下，运行 shuniu keys rotate 重新加密。") % {"count": pending}
            )
        else:
            self.stdout.write(_("全部在当前密钥下。"))

    # --- rotate -----------------------------------------------------------------------------------------------

    def rotate(self, *, batch_size: int, max_batches: int | None):
        self.stdout.write(
            _("重新加密到 %(scheme)s，密钥标识 %(key)s，每批 %(size)d 行。")
            % {"scheme": self.key.scheme.name, "key": self.key.label.partition(":")[2], "size": batch_size}
        )
        counts = Counts()
        complete = False  # stays so when --max-batches stops the run, or Ctrl-C or an error interrupts it
        try:
            complete = all(
                self.rotate_model(model, fields, batch_size, max_batches, counts)
                for model, fields in encrypted_models()
            ) and all(
                self.reseal_files(model, file_field, batch_size, max_batches, counts)
                for model, file_field in sealed_file_fields()
            )
        finally:
            self.record(counts, complete=complete)  # what the batches committed so far did
        self.stdout.write(
            _("本次重新加密 %(rotated)d 项，共 %(batches)d 批；无法解密 %(unreadable)d 项。")
            % {"rotated": counts.rotated, "batches": counts.batches, "unreadable": counts.unreadable}
        )
        if not complete:
            self.stdout.write(_("已达到 --max-batches，尚未全部完成：再次运行 shuniu keys rotate 继续。"))
        if counts.unreadable:
            raise CommandError(
                _(
                    "有 %(count)d 项用现有密钥都无法解密，保持原样：请把加密它们的密钥加入 "
                    "SHUNIU_PERSONAL_DATA_OLD_KEYS 后再运行；在此之前不要丢弃旧密钥。"
                )
                % {"count": counts.unreadable}
            )

    def pending(self, fields) -> Q:
        """Rows with a value of `fields` not under the current key."""
        prefix = self.key.label + ":"
        condition = Q()
        for model_field in fields:
            condition |= ~Q(**{model_field.attname: ""}) & ~Q(**{f"{model_field.attname}__startswith": prefix})
        return condition

    def rotate_model(self, model, fields, batch_size, max_batches, counts: Counts) -> bool:
        """Re-encrypt `model`'s values batch by batch; False if --max-batches stopped the run."""
        hashes = hash_fields(model)
        database = router.db_for_write(model)
        locking = connections[database].features.has_select_for_update
        names = [f.attname for f in fields]
        last_pk = None
        while True:
            if max_batches is not None and counts.batches >= max_batches:
                return False
            with transaction.atomic(using=database):
                rows = model._base_manager.using(database).filter(self.pending(fields)).order_by("pk")
                if last_pk is not None:
                    rows = rows.filter(pk__gt=last_pk)
                if locking:
                    rows = rows.select_for_update()
                batch = list(rows.only("pk", *names)[:batch_size])
                if not batch:
                    return True
                changed: set[str] = set()
                rotated = 0
                for obj in batch:
                    for model_field in fields:
                        value = getattr(obj, model_field.attname)
                        if not isinstance(value, PersonalValue) or crypto.is_current(value.token or ""):
                            continue
                        try:
                            plain = value.reveal()
                        except crypto.DecryptionError:
                            counts.unreadable += 1
                            continue
                        setattr(obj, model_field.attname, crypto.encrypt(plain, purpose=model_field.kind.purpose))
                        changed.add(model_field.attname)
                        if hash_field := hashes.get(model_field.name):
                            setattr(obj, hash_field.attname, crypto.keyed_hash(plain, purpose=model_field.kind.purpose))
                            changed.add(hash_field.attname)
                        rotated += 1
                if changed:
                    model._base_manager.using(database).bulk_update(batch, sorted(changed))
                last_pk = batch[-1].pk
            counts.batches += 1
            counts.rotated += rotated
            counts.models[model._meta.label] = counts.models.get(model._meta.label, 0) + rotated
            self.stdout.write(
                _("%(model)s：第 %(batch)d 批，%(rows)d 行，重新加密 %(count)d 项（至 pk=%(pk)s）")
                % {
                    "model": model._meta.label,
                    "batch": counts.batches,
                    "rows": len(batch),
                    "count": rotated,
                    "pk": last_pk,
                }
            )

    # --- sealed files -----------------------------------------------------------------------------------------

    @staticmethod
    def file_names(model, file_field):
        return (
            model._base_manager.exclude(**{file_field.attname: ""})
            .exclude(**{f"{file_field.attname}__isnull": True})
            .order_by("pk")
            .values_list(file_field.attname, flat=True)
            .iterator()
        )

    @staticmethod
    def read_head(storage, name: str) -> bytes | None:
        try:
            with open(storage.path(name), "rb") as file:
                return file.read(crypto.SEAL_HEADER_BYTES)
        except FileNotFoundError:
            return None

    def reseal_files(self, model, file_field, batch_size, max_batches, counts: Counts) -> bool:
        """Re-seal the files of `file_field` not under the current key, `batch_size` files to a batch; False if
        --max-batches stopped the run. Each file is replaced atomically (written beside it, then renamed)."""
        storage = file_field.storage
        done = 0
        for name in self.file_names(model, file_field):
            if done == 0 and max_batches is not None and counts.batches >= max_batches:
                return False
            path = Path(storage.path(name))
            try:
                raw = path.read_bytes()
            except FileNotFoundError:
                continue
            if not crypto.is_sealed(raw) or crypto.is_sealed_current(raw):
                continue
            try:
                data = crypto.unseal(raw, purpose=storage.purpose)
            except crypto.DecryptionError:
                counts.unreadable += 1
                continue
            sealed = crypto.seal(data, purpose=storage.purpose)
            replace_file(path, sealed, mode=path.stat().st_mode & 0o777)
            counts.rotated += 1
            counts.models[model._meta.label] = counts.models.get(model._meta.label, 0) + 1
            done += 1
            if done == batch_size:
                counts.batches += 1
                done = 0
                self.stdout.write(
                    _("%(model)s.%(field)s：第 %(batch)d 批，重新加密 %(count)d 个文件")
                    % {
                        "model": model._meta.label,
                        "field": file_field.name,
                        "batch": counts.batches,
                        "count": batch_size,
                    }
                )
        if done:
            counts.batches += 1
            self.stdout.write(
                _("%(model)s.%(field)s：第 %(batch)d 批，重新加密 %(count)d 个文件")
                % {"model": model._meta.label, "field": file_field.name, "batch": counts.batches, "count": done}
            )
        return True

    # --- audit ------------------------------------------------------------------------------------------------

    def record(self, counts: Counts, *, complete: bool):
        """One audit event per model whose data this run re-encrypted (not one per row)."""
        with journal.context(user=None, message="shuniu keys rotate"):
            for label, count in counts.models.items():
                if not count:
                    continue
                journal.record(
                    apps.get_model(label),
                    journal.UPDATE,
                    message=_("个人信息密钥轮换：重新加密 %(count)d 项到 %(key)s%(state)s")
                    % {"count": count, "key": self.key.label, "state": "" if complete else _("（未完成）")},
                    after={"重新加密": count, "方案": self.key.scheme.name, "密钥标识": self.key.label},
                )
