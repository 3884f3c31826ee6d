"""The legal representative's identity and phone numbers: stored encrypted, found by keyed hash, shown masked, and
unmasked only for a permitted user who asks, each such read audited."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from shuniu.accounts.models import Role, RoleAssignment
from shuniu.areas.models import Area
from shuniu.audit.choices import AuditAction
from shuniu.audit.models import ObjectChange
from shuniu.core import crypto
from shuniu.core.fields import PersonalValue
from shuniu.core.personal import phone_mask, phone_normalize, ric_mask, ric_normalize
from shuniu.organizations.models import Organization
from shuniu.organizations.tests.factories import OrganizationFactory, district

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"
ID_MASKED = "110105********002X"
PHONE = "13812345678"
PHONE_MASKED = "138****5678"
OTHER_KEY = "another-key-that-did-not-encrypt-these-values-0123456789"


@pytest.fixture
def organization():
    return OrganizationFactory(legal_representative_id_number=ID_NUMBER, legal_representative_phone=PHONE)


@pytest.fixture
def officer():
    """A district officer of 朝阳区: may view its organizations, may not unmask."""
    user = get_user_model().objects.create_user("chaoyang", password="x")
    RoleAssignment.objects.create(
        user=user, role=Role.objects.get(slug="district-office"), area=Area.objects.get(code="110105")
    )
    return user


def raw_column(organization, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM organizations_organization WHERE id = %s', [organization.pk])
        return cursor.fetchone()[0]


def unmask_rows(organization=None):
    rows = ObjectChange.objects.filter(action=AuditAction.UNMASK)
    return rows.filter(object_id=organization.pk) if organization is not None else rows


#
# Normalising and masking
#


@pytest.mark.parametrize(
    "typed",
    ["11010519491231002X", "11010519491231002x", "１１０１０５１９４９１２３１００２ｘ", " 110105 19491231 002X "],
)
def test_identity_numbers_are_normalised(typed):
    assert ric_normalize(typed) == ID_NUMBER


def test_old_15_digit_numbers_are_converted_to_18():
    assert ric_normalize("110105491231002") == ID_NUMBER


@pytest.mark.parametrize(
    "typed, message",
    [
        ("110105194912310021", "校验位不正确"),
        ("1101051949123100", "应为18位"),
        ("11010519491331002X", "出生日期"),
        ("1101051949123100XX", "前17位应为数字"),
    ],
)
def test_bad_identity_numbers_are_refused_in_chinese(typed, message):
    with pytest.raises(ValidationError) as refused:
        ric_normalize(typed)
    assert message in refused.value.messages[0]
    assert typed not in refused.value.messages[0]


@pytest.mark.parametrize(
    "typed, normal",
    [
        ("138 1234 5678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("010-62345678", "010-62345678"),
        ("(010)62345678", "010-62345678"),
        ("0755 2345678", "0755-2345678"),
    ],
)
def test_phone_numbers_are_normalised(typed, normal):
    assert phone_normalize(typed) == normal


@pytest.mark.parametrize("typed", ["12812345678", "1381234567", "62345678", "010-0234567", "abc"])
def test_bad_phone_numbers_are_refused_in_chinese(typed):
    with pytest.raises(ValidationError) as refused:
        phone_normalize(typed)
    assert "电话号码应为11位手机号" in refused.value.messages[0]


def test_masks():
    assert ric_mask(ID_NUMBER) == ID_MASKED
    assert phone_mask(PHONE) == PHONE_MASKED
    assert phone_mask("010-62345678") == "010-****5678"


#
# Storage
#


def test_the_column_holds_ciphertext_and_the_value_round_trips(organization):
    stored = raw_column(organization, "legal_representative_id_number")
    assert stored.startswith(crypto.current_key().label + ":") and ID_NUMBER not in stored and "002X" not in stored
    assert PHONE not in raw_column(organization, "legal_representative_phone")
    fresh = Organization.objects.get(pk=organization.pk)
    assert fresh.legal_representative_id_number.reveal() == ID_NUMBER
    assert fresh.legal_representative_phone.reveal() == PHONE
    assert str(fresh.legal_representative_id_number) == ID_MASKED  # printing a value never shows the number


def test_two_encryptions_of_one_number_differ_but_hash_alike(organization):
    other = OrganizationFactory(legal_representative_id_number=ID_NUMBER)
    assert raw_column(other, "legal_representative_id_number") != raw_column(
        organization, "legal_representative_id_number"
    )
    assert other.legal_representative_id_number_hash == organization.legal_representative_id_number_hash != ""
    assert ID_NUMBER not in organization.legal_representative_id_number_hash


def test_the_hash_finds_the_record_by_any_spelling_of_the_number(organization, admin_user):
    OrganizationFactory()
    assert list(Organization.objects.search("１１０１０５１９４９１２３１００２ｘ", user=admin_user)) == [organization]
    assert list(Organization.objects.search("138-1234-5678", user=admin_user)) == [organization]
    assert not Organization.objects.search("11010519491231003X", user=admin_user).exists()


def test_only_who_may_unmask_can_search_by_number(organization, client):
    """The masked form shows most of a number: a search answering everyone would let the rest be guessed."""
    from shuniu.accounts.testing import user_with_role

    officer = user_with_role("district-office", area=organization.district)
    assert not Organization.objects.search(ID_NUMBER, user=officer).exists()
    assert not Organization.objects.search("13812345678", user=officer).exists()
    client.force_login(officer)
    response = client.get(reverse("organizations-api:organization-list"), {"q": ID_NUMBER})
    assert response.json()["count"] == 0


def test_list_search_finds_the_organization_by_full_number(admin_client, organization):
    OrganizationFactory(name="北京市朝阳区另一个协会")
    response = admin_client.get(reverse("organizations:organization_list"), {"q": ID_NUMBER.lower()})
    content = response.content.decode()
    assert organization.name in content and "另一个协会" not in content


def test_model_validation_normalises_and_refuses(organization):
    organization.legal_representative_phone = "138 0013 8000"
    organization.full_clean()
    assert organization.legal_representative_phone.reveal() == "13800138000"
    organization.legal_representative_id_number = "110105194912310021"
    with pytest.raises(ValidationError) as refused:
        organization.full_clean()
    assert "校验位不正确" in str(refused.value.message_dict["legal_representative_id_number"])


def test_a_wrong_key_cannot_decrypt_and_says_so(organization):
    with override_settings(SHUNIU_PERSONAL_DATA_KEY=OTHER_KEY):
        fresh = Organization.objects.get(pk=organization.pk)
        with pytest.raises(crypto.DecryptionError) as refused:
            fresh.legal_representative_id_number.reveal()
        assert "无法解密" in str(refused.value)
        assert "无法解密" in fresh.legal_representative_id_number.masked
        fresh.name = "改名之后"
        fresh.save()  # a save under the wrong key keeps the stored text and hash
    fresh.refresh_from_db()
    assert fresh.legal_representative_id_number.reveal() == ID_NUMBER
    assert fresh.legal_representative_id_number_hash == organization.legal_representative_id_number_hash


def test_a_wrong_key_is_a_notice_on_the_detail_page_not_an_error(admin_client, organization):
    with override_settings(SHUNIU_PERSONAL_DATA_KEY=OTHER_KEY):
        response = admin_client.get(organization.get_absolute_url())
    assert response.status_code == 200 and "无法解密" in response.content.decode()


def test_without_a_setting_a_key_file_is_made_once_for_the_owner_only(tmp_path):
    key_file = tmp_path / "personal-data.key"
    with override_settings(SHUNIU_PERSONAL_DATA_KEY="", SHUNIU_PERSONAL_DATA_KEY_FILE=key_file):
        token = crypto.encrypt(PHONE, purpose="phone")
        assert key_file.stat().st_mode & 0o777 == 0o600
        assert crypto.decrypt(token, purpose="phone") == PHONE
        first = key_file.read_text()
        crypto.encrypt(PHONE, purpose="phone")
        assert key_file.read_text() == first


def test_a_ciphertext_does_not_decrypt_as_another_kind(organization):
    token = raw_column(organization, "legal_representative_phone")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, purpose="ric")


def test_the_audit_log_keeps_only_the_masked_form(organization):
    created = ObjectChange.objects.get(action=AuditAction.CREATE, object_id=organization.pk)
    assert created.after["legal_representative_id_number"] == ID_MASKED
    assert "legal_representative_id_number_hash" not in created.after
    organization.legal_representative_id_number = "110105199001010010"
    organization.save()
    changed = ObjectChange.objects.filter(action=AuditAction.UPDATE, object_id=organization.pk).latest("pk")
    assert changed.before["legal_representative_id_number"] == ID_MASKED
    assert changed.after["legal_representative_id_number"] == "110105********0010"
    text = str(list(ObjectChange.objects.values("before", "after", "message")))
    assert ID_NUMBER not in text and "110105199001010010" not in text and PHONE not in text


#
# Showing: detail page
#


def test_detail_page_is_masked_without_the_right(client, officer, organization):
    client.force_login(officer)
    content = client.get(organization.get_absolute_url()).content.decode()
    assert ID_MASKED in content and PHONE_MASKED in content
    assert ID_NUMBER not in content and PHONE not in content
    assert "显示完整号码" not in content
    url = reverse("organizations:organization_personal_data", kwargs={"pk": organization.pk})
    assert client.post(url).status_code == 404
    assert not unmask_rows().exists()


def test_detail_page_unmasks_on_request_and_audits(admin_client, organization):
    content = admin_client.get(organization.get_absolute_url()).content.decode()
    assert ID_MASKED in content and ID_NUMBER not in content and "显示完整号码" in content
    url = reverse("organizations:organization_personal_data", kwargs={"pk": organization.pk})
    assert admin_client.get(url).status_code == 405  # an explicit act: POST only
    response = admin_client.post(url, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert ID_NUMBER in content and PHONE in content
    assert "no-store" in response["Cache-Control"]
    (row,) = unmask_rows(organization)
    assert "法定代表人身份证号" in row.message and "组织详情页" in row.message
    assert ID_NUMBER not in row.message and row.user.is_superuser
    page = admin_client.post(url)  # without htmx: a page of its own
    assert page.status_code == 200 and ID_NUMBER in page.content.decode() and organization.name in page.content.decode()
    assert unmask_rows(organization).count() == 2


#
# Showing: API
#


def test_api_masks_and_ignores_unmask_without_the_right(client, officer, organization):
    client.force_login(officer)
    url = reverse("organizations-api:organization-detail", kwargs={"pk": organization.pk})
    data = client.get(url, {"unmask": "1"}).json()
    assert data["legal_representative_id_number"] == ID_MASKED
    assert data["legal_representative_phone"] == PHONE_MASKED
    listed = client.get(reverse("organizations-api:organization-list"), {"unmask": "1"}).json()
    assert ID_NUMBER not in str(listed) and ID_MASKED in str(listed)
    assert not unmask_rows().exists()


def test_api_unmasks_for_a_permitted_user_who_asks(admin_client, organization):
    url = reverse("organizations-api:organization-detail", kwargs={"pk": organization.pk})
    assert admin_client.get(url).json()["legal_representative_id_number"] == ID_MASKED
    assert not unmask_rows().exists()
    data = admin_client.get(url, {"unmask": "1"}).json()
    assert data["legal_representative_id_number"] == ID_NUMBER and data["legal_representative_phone"] == PHONE
    assert unmask_rows(organization).count() == 1


def test_api_write_validates_and_keeps_the_number_when_the_masked_value_comes_back(admin_client, organization):
    url = reverse("organizations-api:organization-detail", kwargs={"pk": organization.pk})
    response = admin_client.patch(
        url, {"legal_representative_id_number": "110105194912310021"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "校验位不正确" in str(response.json()["legal_representative_id_number"])
    response = admin_client.patch(
        url, {"legal_representative_id_number": ID_MASKED, "name": "新名称协会"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    organization.refresh_from_db()
    assert organization.legal_representative_id_number.reveal() == ID_NUMBER and organization.name == "新名称协会"
    response = admin_client.patch(url, {"legal_representative_phone": "010 6234 5678"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["legal_representative_phone"] == "010-****5678"
    organization.refresh_from_db()
    assert organization.legal_representative_phone.reveal() == "010-62345678"


#
# Showing: exports
#


def export_rows(client, **params) -> list[list[str]]:
    response = client.get(
        reverse("organizations:organization_list"),
        {"export": "csv", "columns": "name,legal_representative_id_number,legal_representative_phone", **params},
    )
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_exports_leave_personal_columns_out_unless_chosen(admin_client, organization):
    response = admin_client.get(reverse("organizations:organization_list"), {"export": "csv"})
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert "法定代表人身份证号" not in header


def test_exports_are_masked_for_a_user_without_the_right_even_if_asked(client, officer, organization):
    client.force_login(officer)
    rows = export_rows(client, unmask="1")
    assert rows[1] == [organization.name, ID_MASKED, PHONE_MASKED]
    assert not unmask_rows().exists()


def test_exports_unmask_for_a_permitted_user_who_asks_with_one_audit_row(admin_client, organization):
    OrganizationFactory(legal_representative_phone="010-62345678")
    assert export_rows(admin_client)[1:] and ID_NUMBER not in str(export_rows(admin_client))
    assert not unmask_rows().exists()
    rows = export_rows(admin_client, unmask="1")
    assert [organization.name, ID_NUMBER, PHONE] in rows
    (row,) = unmask_rows()
    assert row.object_id is None and "共 2 条记录" in row.message and "导出" in row.message


#
# Entry: the form
#


def form_data(organization, **changes):
    data = {
        "name": organization.name,
        "kind": organization.kind,
        "uscc": organization.uscc,
        "district": district().pk,
        "founded_on": "2005-01-01",
        "status": "active",
        "legal_representative_id_number": "",
        "legal_representative_phone": "",
    }
    return {**data, **changes}


def test_edit_form_shows_no_number_and_keeps_it_when_left_empty(admin_client, organization):
    url = reverse("organizations:organization_edit", kwargs={"pk": organization.pk})
    content = admin_client.get(url).content.decode()
    assert "已登记：110105********002X，留空则不修改" in content and ID_NUMBER not in content
    response = admin_client.post(url, form_data(organization, name="改过名的协会"))
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.name == "改过名的协会"
    assert organization.legal_representative_id_number.reveal() == ID_NUMBER
    assert organization.legal_representative_phone.reveal() == PHONE


def test_edit_form_replaces_clears_and_refuses(admin_client, organization):
    url = reverse("organizations:organization_edit", kwargs={"pk": organization.pk})
    response = admin_client.post(url, form_data(organization, legal_representative_id_number="110105194912310021"))
    assert response.status_code == 200 and "校验位不正确" in response.content.decode()
    response = admin_client.post(url, form_data(organization, legal_representative_phone="12812345678"))
    assert response.status_code == 200 and "电话号码应为11位手机号" in response.content.decode()
    organization.refresh_from_db()
    assert organization.legal_representative_phone.reveal() == PHONE
    response = admin_client.post(
        url,
        form_data(
            organization, legal_representative_id_number="110105199001010010", legal_representative_phone_clear="on"
        ),
    )
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.legal_representative_id_number.reveal() == "110105199001010010"
    assert organization.legal_representative_phone == "" and organization.legal_representative_phone_hash == ""


def test_values_are_personal_values_once_assigned():
    organization = Organization(legal_representative_phone=PHONE)
    assert isinstance(organization.legal_representative_phone, PersonalValue)
    assert organization.legal_representative_id_number == ""


#
# Entry: the importer
#


def import_rows(rows):
    from shuniu.core.tabular import Sheet, write_xlsx
    from shuniu.imports.services import import_file

    headers = ["名称", "统一社会信用代码", "社会组织类型", "成立登记日期", "所属区", "负责人身份证号码", "联系电话"]
    data = write_xlsx([Sheet(name="名录", headers=headers, rows=rows)])
    return import_file(data=data, filename="orgs.xlsx", kind="organizations")


def test_the_importer_encrypts_new_numbers_and_refuses_bad_ones_without_repeating_them(admin_user):
    from shuniu.imports.services import import_outcomes
    from shuniu.organizations.tests.factories import make_uscc

    job = import_rows(
        [
            [
                "导入的协会",
                make_uscc("social_group"),
                "社会团体",
                "2015-01-01",
                "朝阳区",
                ID_NUMBER.lower(),
                "138 1234 5678",
            ],
            ["号码错的协会", "", "社区社会组织", "2015-01-01", "朝阳区", "110105194912310021", ""],
        ]
    )
    assert job.counts["new"] == 1 and job.counts["rejected"] == 1, job.examples
    imported = Organization.objects.get(name="导入的协会")
    assert imported.legal_representative_id_number.reveal() == ID_NUMBER
    assert ID_NUMBER not in raw_column(imported, "legal_representative_id_number")
    assert list(Organization.objects.search(ID_NUMBER, user=admin_user)) == [imported]
    assert list(Organization.objects.search(PHONE, user=admin_user)) == [imported]
    reasons = "".join(reason for _n, outcome, found, _pk in import_outcomes(job) for reason in found)
    assert "校验位不正确" in reasons and "110105194912310021" not in reasons
    logged = str(list(ObjectChange.objects.values("before", "after", "message"))) + str(job.examples)
    assert ID_NUMBER not in logged and PHONE not in logged


def test_the_importer_updates_a_changed_number_and_leaves_an_equal_one(organization, admin_user):
    job = import_rows([[organization.name, organization.uscc, "", "", "", ID_NUMBER, "010-62345678"]])
    assert job.counts["updated"] == 1, job.examples
    organization.refresh_from_db()
    assert organization.legal_representative_id_number.reveal() == ID_NUMBER
    assert organization.legal_representative_phone.reveal() == "010-62345678"
    assert list(Organization.objects.search("01062345678", user=admin_user)) == [organization]
    assert import_rows([[organization.name, organization.uscc, "", "", "", ID_NUMBER, ""]]).counts["unchanged"] == 1


def test_a_merge_fills_the_kept_numbers_and_its_snapshot_holds_only_ciphertext(organization, admin_user):
    from shuniu.organizations.services import organization_merge

    keep = OrganizationFactory(name="保留的协会", uscc=None)
    record = organization_merge(keep=keep, merge=organization)
    keep.refresh_from_db()
    assert keep.legal_representative_id_number.reveal() == ID_NUMBER
    assert list(Organization.objects.search(PHONE, user=admin_user)) == [keep]
    snapshot = str(record.snapshot)
    assert ID_NUMBER not in snapshot and PHONE not in snapshot and crypto.current_key().label in snapshot


def test_a_short_configured_key_fails_the_system_check():
    with override_settings(SHUNIU_PERSONAL_DATA_KEY="short"):
        (error,) = crypto.check_personal_data_key(None)
    assert error.id == "shuniu.E001" and "至少需要 32 个" in error.msg
    assert crypto.check_personal_data_key(None) == []


def test_an_export_after_a_search_by_number_keeps_the_number_masked_in_the_audit_log(admin_client, organization):
    import json

    from shuniu.audit.models import ObjectChange

    response = admin_client.get(reverse("organizations:organization_list"), {"q": ID_NUMBER, "export": "csv"})
    assert response.status_code == 200
    recorded = json.dumps(ObjectChange.objects.get(action="export").after, ensure_ascii=False)
    assert ID_NUMBER not in recorded and "110105********002X" in recorded


def test_a_number_saved_alone_takes_its_hash_along(organization, admin_user):
    """`save(update_fields=[number])` runs only that field's pre_save: the hash must follow, or the new number
    would not be found and the old one still would."""
    organization.legal_representative_phone = "13900139000"
    organization.save(update_fields=["legal_representative_phone"])
    found = Organization.objects.search("13900139000", user=admin_user)
    assert list(found.values_list("pk", flat=True)) == [organization.pk]
    assert not Organization.objects.search(PHONE, user=admin_user).exists()


def test_the_key_file_is_read_once(tmp_path):
    key_file = tmp_path / "personal-data.key"
    with override_settings(SHUNIU_PERSONAL_DATA_KEY="", SHUNIU_PERSONAL_DATA_KEY_FILE=key_file):
        token = crypto.encrypt(PHONE, purpose="phone")
        key_file.unlink()  # a process keeps the key it started with
        assert crypto.decrypt(token, purpose="phone") == PHONE
        assert not key_file.exists()


def test_a_key_file_not_yet_written_is_read_again(tmp_path):
    key_file = tmp_path / "personal-data.key"
    key_file.write_text("")  # another process has created the file and not yet written its secret
    with override_settings(SHUNIU_PERSONAL_DATA_KEY="", SHUNIU_PERSONAL_DATA_KEY_FILE=key_file):
        with pytest.raises(ImproperlyConfigured):
            crypto.encrypt(PHONE, purpose="phone")
        key_file.write_text("a-secret-written-a-moment-later-0123456789\n")
        assert crypto.decrypt(crypto.encrypt(PHONE, purpose="phone"), purpose="phone") == PHONE
