"""`shuniu keys rotate` and `shuniu keys status`: values under an old key or scheme re-encrypted batch by batch,
resumable and idempotent, the look-up hashes recomputed, records found by number throughout, one audit event."""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from shuniu.audit.choices import AuditAction
from shuniu.audit.models import ObjectChange
from shuniu.core import crypto
from shuniu.imports.models import ImportJob
from shuniu.organizations.models import Organization
from shuniu.organizations.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

OLD_KEY = "the-previous-personal-data-key-before-rotation-0123456789"
NEW_KEY = "the-next-personal-data-key-after-rotation-abcdefghijklmn"
UNKNOWN_KEY = "a-key-nobody-configured-any-more-for-this-system-987654321"
ID_NUMBERS = ["11010519491231002X", "110101199003070011", "110102198001010017", "110105200001010016"]
PHONE = "13812345678"
ROTATED = {"SHUNIU_PERSONAL_DATA_KEY": NEW_KEY, "SHUNIU_PERSONAL_DATA_OLD_KEYS": OLD_KEY}


def columns(organization) -> tuple[str, str, str, str]:
    """(identity number text, its hash, phone text, its hash) as stored."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT legal_representative_id_number, legal_representative_id_number_hash, legal_representative_phone, "
            "legal_representative_phone_hash FROM organizations_organization WHERE id = %s",
            [organization.pk],
        )
        return cursor.fetchone()


def rotate(*args) -> str:
    out = io.StringIO()
    call_command("keys", "rotate", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def old_organizations():
    """Four organizations written under the old key (AES-256-GCM)."""
    with override_settings(SHUNIU_PERSONAL_DATA_KEY=OLD_KEY):
        return [
            OrganizationFactory(legal_representative_id_number=number, legal_representative_phone=PHONE)
            for number in ID_NUMBERS
        ]


def test_rotate_re_encrypts_every_value_under_the_new_key(old_organizations, admin_user):
    before = {org.pk: (columns(org), org.updated_at) for org in old_organizations}
    last_change = ObjectChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with override_settings(**ROTATED):
        label = crypto.current_key().label
        # configured but not yet rotated: still read, and found by full number through the old hashes
        fresh = Organization.objects.get(pk=old_organizations[0].pk)
        assert fresh.legal_representative_id_number.reveal() == ID_NUMBERS[0]
        assert list(Organization.objects.search(ID_NUMBERS[0], user=admin_user)) == [fresh]

        output = rotate("--batch-size", "3")
        assert "本次重新加密 8 项，共 2 批" in output

        for org in old_organizations:
            id_text, id_hash, phone_text, phone_hash = columns(org)
            assert id_text.startswith(label + ":") and phone_text.startswith(label + ":")
            assert id_hash == crypto.keyed_hash(org.legal_representative_id_number.reveal(), purpose="ric")
            assert phone_hash == crypto.keyed_hash(PHONE, purpose="phone") != before[org.pk][0][3]
            org.refresh_from_db()
            assert org.updated_at == before[org.pk][1]
        assert list(Organization.objects.search(ID_NUMBERS[2], user=admin_user)) == [old_organizations[2]]
        assert Organization.objects.search(PHONE, user=admin_user).count() == 4

    # one event for the run, none per row
    (event,) = ObjectChange.objects.filter(pk__gt=last_change)
    assert event.action == AuditAction.UPDATE and event.object_id is None and "密钥轮换" in event.message
    assert event.after["重新加密"] == 8

    # the old key can go: everything reads under the new key alone
    with override_settings(SHUNIU_PERSONAL_DATA_KEY=NEW_KEY):
        fresh = Organization.objects.get(pk=old_organizations[3].pk)
        assert fresh.legal_representative_id_number.reveal() == ID_NUMBERS[3]
        assert list(Organization.objects.search(ID_NUMBERS[3], user=admin_user)) == [fresh]


def test_rotate_resumes_where_it_stopped_and_a_second_run_changes_nothing(old_organizations):
    first, *rest = sorted(old_organizations, key=lambda org: org.pk)
    with override_settings(**ROTATED):
        label = crypto.current_key().label
        output = rotate("--batch-size", "1", "--max-batches", "1")
        assert "尚未全部完成" in output
        event = ObjectChange.objects.latest("pk")
        assert "密钥轮换：重新加密 2 项" in event.message and "（未完成）" in event.message
        assert columns(first)[0].startswith(label + ":")
        assert all(not columns(org)[0].startswith(label + ":") for org in rest)

        output = rotate("--batch-size", "2")
        assert "本次重新加密 6 项，共 2 批" in output
        done = {org.pk: columns(org) for org in old_organizations}
        assert all(text[0].startswith(label + ":") and text[2].startswith(label + ":") for text in done.values())

        changes = ObjectChange.objects.count()
        assert "本次重新加密 0 项，共 0 批" in rotate()
        assert {org.pk: columns(org) for org in old_organizations} == done
        assert ObjectChange.objects.count() == changes


def test_changing_the_cipher_alone_and_rotating_converts_to_sm4(old_organizations, admin_user):
    with override_settings(SHUNIU_PERSONAL_DATA_KEY=OLD_KEY, SHUNIU_PERSONAL_DATA_CIPHER="sm4-gcm"):
        rotate()
        key = crypto.current_key()
        assert key.scheme is crypto.SM4_GCM
        for org in old_organizations:
            id_text, id_hash, _, _ = columns(org)
            assert id_text.startswith(f"sm4:{key.key_id.hex()}:")
            assert id_hash == crypto.keyed_hash(org.legal_representative_id_number.reveal(), purpose="ric")
        assert list(Organization.objects.search(ID_NUMBERS[1], user=admin_user)) == [old_organizations[1]]


def test_first_format_values_are_rotated_too(old_organizations):
    org = old_organizations[0]
    legacy = "v1:" + columns(org)[0].rsplit(":", 1)[1]  # the same AES ciphertext as the first format stored it
    Organization.objects.filter(pk=org.pk).update(legal_representative_id_number=legacy)
    with override_settings(SHUNIU_PERSONAL_DATA_KEY=OLD_KEY):
        status = io.StringIO()
        call_command("keys", "status", stdout=status)
        assert "v1" in status.getvalue() and "早期格式" in status.getvalue()
        rotate()
        assert columns(org)[0].startswith(crypto.current_key().label + ":")
        org.refresh_from_db()
        assert org.legal_representative_id_number.reveal() == ID_NUMBERS[0]


def test_status_counts_values_under_each_key(old_organizations):
    with override_settings(SHUNIU_PERSONAL_DATA_KEY=OLD_KEY):
        OrganizationFactory(legal_representative_phone="13900001111")
    with override_settings(**ROTATED):
        new_label = crypto.current_key().label
        out = io.StringIO()
        call_command("keys", "status", stdout=out)
        text = out.getvalue()
        assert "有 9 项不在当前密钥下" in text and "旧密钥" in text
        rotate("--batch-size", "2", "--max-batches", "1")
        out = io.StringIO()
        call_command("keys", "status", stdout=out)
        text = out.getvalue()
        assert f"{new_label}" in text and "当前密钥" in text and "有 5 项不在当前密钥下" in text
        rotate()
        out = io.StringIO()
        call_command("keys", "status", stdout=out)
        assert "全部在当前密钥下" in out.getvalue()


def test_values_no_key_held_can_read_are_left_and_reported(old_organizations):
    with override_settings(SHUNIU_PERSONAL_DATA_KEY=UNKNOWN_KEY):
        stranger = OrganizationFactory(legal_representative_phone=PHONE)
    kept = columns(stranger)
    with override_settings(**ROTATED):
        with pytest.raises(CommandError, match="无法解密"):
            rotate()
        assert columns(stranger) == kept
        assert all(columns(org)[0].startswith(crypto.current_key().label + ":") for org in old_organizations)


def test_bad_options_are_refused_in_chinese():
    with pytest.raises(CommandError, match="正整数"):
        rotate("--batch-size", "0")
    with pytest.raises(CommandError, match="正整数"):
        rotate("--max-batches", "0")
    with pytest.raises(CommandError, match="正整数"):
        rotate("--batch-size", "abc")
    with override_settings(SHUNIU_PERSONAL_DATA_CIPHER="rot13"):
        with pytest.raises(CommandError, match="无法识别"):
            rotate()


def test_sealed_import_files_are_re_sealed(admin_user):
    data = b"name,uscc\n" + "测试协会,110105194912310021\n".encode() * 100
    with override_settings(SHUNIU_PERSONAL_DATA_KEY=OLD_KEY):
        job = ImportJob.objects.create(kind="organizations", filename="a.csv", sha256="0" * 64, user=admin_user)
        job.file.save("a.csv", ContentFile(data))
    path = job.file.path
    with open(path, "rb") as file:
        old = file.read()
    with override_settings(**ROTATED):
        assert not crypto.is_sealed_current(old)
        rotate()
        with open(path, "rb") as file:
            assert crypto.is_sealed_current(file.read())
        job = ImportJob.objects.get(pk=job.pk)
        with job.file.open() as file:
            assert file.read() == data
        out = io.StringIO()
        call_command("keys", "status", stdout=out)
        assert "全部在当前密钥下" in out.getvalue()
    with override_settings(SHUNIU_PERSONAL_DATA_KEY=NEW_KEY):
        with ImportJob.objects.get(pk=job.pk).file.open() as file:
            assert file.read() == data
