import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.validators import USCC_ALPHABET, uscc_validate, uscc_validate_kind


def test_known_valid_codes_pass():
    for code in ("91110000600037341L", "51100000500009247D", "52110105MA0000007M", "53110000500000023G"):
        assert uscc_validate(code) == code


def test_full_width_and_spaces_are_normalized():
    assert uscc_validate("５１１１００００５００００００１５Ｕ ") == "51110000500000015U"


def test_wrong_check_digit_names_expected_character():
    with pytest.raises(ValidationError) as error:
        uscc_validate("51100000500000024G")
    assert "第18位校验码应为「M」，实际为「G」" in error.value.messages[0]


def test_forbidden_letter_names_position():
    with pytest.raises(ValidationError) as error:
        uscc_validate("5110000050000I015U")
    assert "第14位「I」不合法" in error.value.messages[0]


def test_wrong_length():
    with pytest.raises(ValidationError) as error:
        uscc_validate("5111000050000001")
    assert "应为18位，实际为16位" in error.value.messages[0]


def test_category_must_match_kind():
    with pytest.raises(ValidationError) as error:
        uscc_validate_kind("52110105MA0000007M", OrganizationKind.SOCIAL_GROUP)
    assert "第2位机构类别码为「2」，与类型「社会团体」不符，应为「1」" in error.value.messages[0]


def test_registered_kind_needs_civil_affairs_authority():
    with pytest.raises(ValidationError) as error:
        uscc_validate_kind("91110000600037341L", OrganizationKind.FOUNDATION)
    assert "应为「5」" in error.value.messages[0]


def test_civil_affairs_code_refused_for_unregistered_kind():
    with pytest.raises(ValidationError):
        uscc_validate_kind("51110000500000015U", OrganizationKind.GRASSROOTS)


@given(st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17))
def test_any_body_with_its_check_digit_is_valid(body):
    body = body[:2] + "110105" + body[8:]
    code = body + stdnum_uscc.calc_check_digit(body)
    assert uscc_validate(code) == code
    wrong = next(c for c in USCC_ALPHABET if c != code[17])
    with pytest.raises(ValidationError):
        uscc_validate(code[:17] + wrong)


@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=17, max_size=17))
def test_fast_check_digit_equals_python_stdnum(body):
    from shuniu.organizations.validators import uscc_check_digit

    assert uscc_check_digit(body) == stdnum_uscc.calc_check_digit(body)
