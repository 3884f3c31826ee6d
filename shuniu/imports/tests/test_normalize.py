import datetime

import pytest
from django.db import models
from django.utils import translation
from hypothesis import assume, given
from hypothesis import strategies as st

from shuniu.areas.models import Area
from shuniu.areas.resolvers import DISTRICT_NAMES, AreaResolver
from shuniu.core.importing.normalize import (
    DATE_MAX,
    DATE_MIN,
    ChoiceResolver,
    NormalizeError,
    code,
    excel_serial_date,
    parse_date,
    parse_int,
    split_list,
    text,
)
from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.imports import ORGANIZATION_KIND_SYNONYMS
from shuniu.organizations.names import name_key

FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)} | {" ": "\u3000"})
WHITESPACE = [" ", "\u3000", "\xa0", "\t", "\n"]
EXCEL_EPOCH = datetime.date(1899, 12, 30)


def serial(day: datetime.date) -> int:
    return (day - EXCEL_EPOCH).days


def refused(function, *args, match: str = ""):
    with pytest.raises(NormalizeError) as error:
        function(*args)
    assert isinstance(error.value, ValueError)
    assert match in str(error.value), str(error.value)
    return str(error.value)


# --- text -------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("", ""),
        ("阳光协会", "阳光协会"),
        ("  阳光协会\u3000", "阳光协会"),
        ("\xa0阳光  协会 ", "阳光协会"),
        ("朝阳 区", "朝阳区"),
        ("朝阳\u3000\u3000区", "朝阳区"),
        ("Sunshine   Volunteers\n Club", "Sunshine Volunteers Club"),
        ("阳光 ABC 协会", "阳光 ABC 协会"),
        ("阳光 （志愿者） 协会", "阳光（志愿者）协会"),
        ("阳光（志愿者）协会", "阳光（志愿者）协会"),  # full-width brackets kept as written
        ("阳光\u200b协会", "阳光协会"),
        (12, "12"),
        (12.0, "12"),
        (12.5, "12.5"),
        (True, "TRUE"),
        (datetime.date(2015, 12, 1), "2015-12-01"),
        (datetime.datetime(2015, 12, 1), "2015-12-01"),
        (datetime.datetime(2015, 12, 1, 8, 30), "2015-12-01 08:30:00"),
    ],
)
def test_text(value, expected):
    assert text(value) == expected


@given(st.text())
def test_text_is_idempotent(value):
    assert text(text(value)) == text(value)


@given(st.text(alphabet=st.sampled_from("阳光协会ab （）" + "".join(WHITESPACE)), max_size=12))
def test_text_has_no_outer_or_double_whitespace(value):
    result = text(value)
    assert result == result.strip()
    assert "  " not in result
    assert not set(result) & set(WHITESPACE[1:])


# --- code -------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("", ""),
        ("51110000500000015U", "51110000500000015U"),
        ("51110000500000015u", "51110000500000015U"),
        ("５１１１００００５００００００１５Ｕ", "51110000500000015U"),
        (" 5111 0000-5000 0001 5U\u3000", "51110000500000015U"),
        ("D2143569-X", "D2143569X"),
        ("D2143569－X", "D2143569X"),
        ("D2143569—X", "D2143569X"),
        (123456789, "123456789"),
        (123456789.0, "123456789"),
        (123456789012345.0, "123456789012345"),  # 15 digits: Excel keeps them all
    ],
)
def test_code(value, expected):
    assert code(value) == expected


@pytest.mark.parametrize(
    "value", [911100006000373410.0, 1.2e17, 911100006000373376, 1234567890123456, "9.11100006000373E+17", "9.111E+17"]
)
def test_code_stored_as_a_number_is_refused(value):
    message = refused(code, value, match="被Excel存成了数字")
    assert "文本" in message


@given(st.text())
def test_code_is_idempotent(value):
    try:
        once = code(value)
    except NormalizeError:
        return
    assert code(once) == once


@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXYabcdefxyz- ", max_size=20))
def test_code_maps_full_width_to_the_same_result(value):
    assert code(value.translate(FULL_WIDTH)) == code(value)


# --- dates ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2015-12-01",
        "2015/12/1",
        "2015.12.1",
        "2015-12-1",
        "2015年12月1日",
        "2015年12月01日",
        "2015 年 12 月 1 日",
        "2015年12月1号",
        "20151201",
        "2015-12-01 00:00:00",
        "2015/12/1 8:30",
        "2015-12-01T08:30:00",
        " 2015-12-01 ",
        "２０１５－１２－０１",
        "２０１５年１２月１日",
        "42339",
        "42339.0",
        42339,
        42339.75,
        20151201,
        20151201.0,
        datetime.date(2015, 12, 1),
        datetime.datetime(2015, 12, 1, 23, 59),
    ],
)
def test_parse_date_accepts(value):
    assert parse_date(value) == datetime.date(2015, 12, 1)


@pytest.mark.parametrize("value", ["2015年12月", "2015.12", "2015-12", "2015/12", "２０１５年１２月"])
def test_a_month_without_a_day_is_its_first_day(value):
    assert parse_date(value) == datetime.date(2015, 12, 1)


@pytest.mark.parametrize("value", [None, "", "   ", "\u3000"])
def test_parse_date_empty(value):
    assert parse_date(value) is None


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2015-02-30", "2015年2月30日"),
        ("2015/2/29", "2015年2月29日"),
        ("2015-13-01", "2015年13月1日"),
        ("2015年13月", "2015年13月1日"),
        ("20150230", "2015年2月30日"),
        (20150230, "2015年2月30日"),
    ],
)
def test_impossible_date_names_it(value, shown):
    assert refused(parse_date, value) == f"日期「{shown}」不存在。"


@pytest.mark.parametrize("value", ["1948-12-31", "1800年1月1日", "2101-01-01", datetime.date(1900, 1, 1)])
def test_date_out_of_range(value):
    refused(parse_date, value, match="超出范围：应在1949-01-01至2100-12-31之间")


@pytest.mark.parametrize("value", [100, 1, 80000, "12345"])
def test_excel_serial_out_of_range(value):
    refused(parse_date, value, match="作为Excel日期是")


@pytest.mark.parametrize("value", [0, -5, 0.5])
def test_excel_serial_below_one(value):
    refused(parse_date, value, match="不是有效的Excel日期序号")


@pytest.mark.parametrize("value", [2015, 2015.12, 2015.1])
def test_a_year_or_year_month_stored_as_a_number_is_explained(value):
    refused(parse_date, value, match="存成数字")


@pytest.mark.parametrize("value", ["hello", "12/1/2015", "2015", "15-12-01", "2015-12-01-02", "201512", True])
def test_unrecognised_date_lists_accepted_forms(value):
    message = refused(parse_date, value)
    if value is not True:
        assert "无法识别的日期" in message and "2015年12月1日" in message


def test_parse_date_range_can_be_widened():
    assert parse_date("1925-05-01", min_date=datetime.date(1900, 1, 1)) == datetime.date(1925, 5, 1)


def test_excel_serial_lotus_leap_year_quirk():
    assert excel_serial_date(1) == datetime.date(1900, 1, 1)
    assert excel_serial_date(59) == datetime.date(1900, 2, 28)
    assert excel_serial_date(61) == datetime.date(1900, 3, 1)
    assert excel_serial_date(42339) == datetime.date(2015, 12, 1)
    with pytest.raises(NormalizeError, match="1900-02-29"):
        excel_serial_date(60)


DATE_FORMATS = [
    lambda d: d.isoformat(),
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}.{d.month}.{d.day}",
    lambda d: f"{d.year}-{d.month}-{d.day}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d.year}年{d.month}月{d.day}号",
    lambda d: d.strftime("%Y%m%d"),
    lambda d: f"{d.isoformat()} 00:00:00",
    lambda d: d.isoformat().translate(FULL_WIDTH),
    lambda d: str(serial(d)),
    lambda d: serial(d),
    lambda d: float(serial(d)) + 0.5,
    lambda d: d,
    lambda d: datetime.datetime.combine(d, datetime.time(12)),
]
MONTH_FORMATS = [
    lambda d: f"{d.year}年{d.month}月",
    lambda d: f"{d.year}-{d.month:02d}",
    lambda d: f"{d.year}/{d.month}",
    lambda d: f"{d.year}.{d.month}",
]


@given(st.dates(min_value=DATE_MIN, max_value=DATE_MAX), st.sampled_from(DATE_FORMATS))
def test_parse_date_round_trips_every_format(day, write):
    assert parse_date(write(day)) == day


@given(st.dates(min_value=DATE_MIN, max_value=DATE_MAX), st.sampled_from(MONTH_FORMATS))
def test_parse_date_month_formats_give_the_first(day, write):
    assert parse_date(write(day)) == day.replace(day=1)


# --- integers ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        (" ", None),
        (0, 0),
        (12, 12),
        (12.0, 12),
        (0.1 * 3 * 10, 3),
        ("12", 12),
        (" 12 ", 12),
        ("１２", 12),
        ("12人", 12),
        ("12 人", 12),
        ("12人次", 12),
        ("1,200", 1200),
        ("1，200", 1200),
        ("12,345,678", 12345678),
        ("12.0", 12),
        ("12.", 12),
    ],
)
def test_parse_int(value, expected):
    assert parse_int(value) == expected


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (12.5, "不是整数"),
        ("12.5", "不是整数"),
        ("abc", "不是整数"),
        ("1,20", "不是整数"),
        ("12ab", "不是整数"),
        (True, "不是整数"),
        (-3, "负数"),
        (-3.0, "负数"),
        ("-3", "负数"),
        ("－３", "负数"),
        ("1.2万", "不是确切的整数"),
        ("12万", "不是确切的整数"),
        ("100多人", "不是确切的整数"),
        ("30余人", "不是确切的整数"),
    ],
)
def test_parse_int_refuses(value, match):
    refused(parse_int, value, match=match)


@given(st.integers(min_value=0, max_value=10**12))
def test_parse_int_round_trips(number):
    assert parse_int(str(number)) == number
    assert parse_int(f"{number:,}") == number
    assert parse_int(f"{number}人") == number
    assert parse_int(str(number).translate(FULL_WIDTH)) == number
    assert parse_int(float(number)) == number


# --- lists ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("教育、养老，文化;体育/科技", ["教育", "养老", "文化", "体育", "科技"]),
        ("教育 养老\u3000文化；体育,科技", ["教育", "养老", "文化", "体育", "科技"]),
        (" 教育、、养老、 ", ["教育", "养老"]),
        ("教育", ["教育"]),
        ("", []),
        (None, []),
        (12, ["12"]),
    ],
)
def test_split_list(value, expected):
    assert split_list(value) == expected


# --- name keys --------------------------------------------------------------------------------------------------------


def test_name_key_ignores_city_district_brackets_and_spaces():
    keys = {
        name_key(name)
        for name in (
            "北京市朝阳区 阳光（志愿者）协会",
            "朝阳区阳光(志愿者)协会",
            "阳光志愿者协会",
            "北京朝阳阳光【志愿者】协会",
            "朝阳 阳光·志愿者 协会",
            "阳光\u3000志愿者协会",
        )
    }
    assert keys == {"阳光志愿者协会"}


def test_name_key_folds_width_and_case():
    assert name_key("ＡＢＣ社工事务所") == name_key("abc社工事务所") == "abc社工事务所"


def test_name_key_keeps_other_names_apart():
    assert name_key("阳光志愿者协会") != name_key("阳光义工协会")
    assert name_key("北京市") == "北京市"  # nothing left after the prefix: kept
    assert name_key("朝阳区") == "朝阳区"
    assert name_key("朝阳门街道社区服务中心") == name_key("北京市朝阳门街道社区服务中心")
    assert name_key("") == ""


def test_district_names_come_from_the_division_file():
    assert len(DISTRICT_NAMES) == 16 and "朝阳区" in DISTRICT_NAMES


def test_name_key_prefixes_can_be_passed_in():
    assert name_key("朝阳区阳光协会", prefixes=frozenset({"海淀区"})) == "朝阳区阳光协会"
    assert name_key("海淀区阳光协会", prefixes=frozenset({"海淀区"})) == "阳光协会"


@given(st.text())
def test_name_key_is_idempotent(name):
    assert name_key(name_key(name)) == name_key(name)


@given(st.text(), st.lists(st.tuples(st.integers(min_value=0), st.sampled_from(WHITESPACE)), max_size=5))
def test_name_key_ignores_inserted_whitespace(name, insertions):
    spaced = name
    for position, space in insertions:
        position %= len(spaced) + 1
        spaced = spaced[:position] + space + spaced[position:]
    assert name_key(spaced) == name_key(name)


@given(
    st.sampled_from(DISTRICT_NAMES),
    st.sampled_from(["北京市", "北京", ""]),
    st.text(alphabet="阳光协会社团", min_size=1),
)
def test_name_key_drops_any_district(district, city, rest):
    assume(name_key(rest) == rest)
    assert name_key(city + district + rest) == name_key(rest)


# --- choices ----------------------------------------------------------------------------------------------------------


@pytest.fixture
def kinds():
    return ChoiceResolver(OrganizationKind, ORGANIZATION_KIND_SYNONYMS)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("社会团体", OrganizationKind.SOCIAL_GROUP),
        ("social_group", OrganizationKind.SOCIAL_GROUP),
        ("SOCIAL_GROUP", OrganizationKind.SOCIAL_GROUP),
        (" Social_Group ", OrganizationKind.SOCIAL_GROUP),
        ("社团", OrganizationKind.SOCIAL_GROUP),
        ("民办非企业单位", OrganizationKind.PRIVATE_NON_ENTERPRISE),
        ("民非", OrganizationKind.PRIVATE_NON_ENTERPRISE),
        ("民办非企业", OrganizationKind.PRIVATE_NON_ENTERPRISE),
        ("社会服务机构", OrganizationKind.PRIVATE_NON_ENTERPRISE),
        ("基金会", OrganizationKind.FOUNDATION),
        ("基金", OrganizationKind.FOUNDATION),
        ("社区社会组织（备案）", OrganizationKind.COMMUNITY),
        ("社区社会组织(备案)", OrganizationKind.COMMUNITY),
        ("社区社会组织 【备案】", OrganizationKind.COMMUNITY),
        ("社区社会组织", OrganizationKind.COMMUNITY),
        ("社区备案组织", OrganizationKind.COMMUNITY),
        ("备案组织", OrganizationKind.COMMUNITY),
        ("草根", OrganizationKind.GRASSROOTS),
        ("草根组织", OrganizationKind.GRASSROOTS),
        ("未登记组织", OrganizationKind.GRASSROOTS),
        ("高校社团", OrganizationKind.UNIVERSITY_CLUB),
        ("高校学生社团", OrganizationKind.UNIVERSITY_CLUB),
        ("学生社团", OrganizationKind.UNIVERSITY_CLUB),
        ("人民团体·群团组织", OrganizationKind.MASS_ORGANIZATION),
        ("人民团体/群团组织", OrganizationKind.MASS_ORGANIZATION),
        ("人民团体", OrganizationKind.MASS_ORGANIZATION),
        ("群团组织", OrganizationKind.MASS_ORGANIZATION),
        ("ｍａｓｓ＿ｏｒｇａｎｉｚａｔｉｏｎ", OrganizationKind.MASS_ORGANIZATION),
    ],
)
def test_organization_kind(kinds, value, expected):
    assert kinds.resolve(value) == expected


def test_unknown_choice_lists_the_labels(kinds):
    message = refused(kinds.resolve, "企业", match="无法识别的「企业」")
    for label in OrganizationKind.labels:
        assert str(label) in message


def test_chinese_labels_match_whatever_the_active_language():
    with translation.override("en"):
        resolver = ChoiceResolver(OrganizationKind, ORGANIZATION_KIND_SYNONYMS)
        assert resolver.resolve("社会团体") == OrganizationKind.SOCIAL_GROUP
        assert resolver.resolve(str(OrganizationKind.SOCIAL_GROUP.label)) == OrganizationKind.SOCIAL_GROUP


def test_choice_resolver_refuses_bad_synonyms():
    class Colour(models.TextChoices):
        RED = "red", "红色"
        BLUE = "blue", "蓝色"

    assert ChoiceResolver(Colour, {"赤": "红色", "青": "blue"}).resolve("赤") == "red"
    with pytest.raises(ValueError):
        ChoiceResolver(Colour, {"绿": "green"})
    with pytest.raises(ValueError):
        ChoiceResolver(Colour, {"red": "blue"})


# --- areas ------------------------------------------------------------------------------------------------------------


@pytest.fixture
def areas(db):
    return AreaResolver.load()


@pytest.mark.django_db
def test_area_resolver_loads_in_one_query_then_never_queries(django_assert_max_num_queries, django_assert_num_queries):
    with django_assert_max_num_queries(2):
        resolver = AreaResolver.load()
    with django_assert_num_queries(0):
        street = resolver.street("三里屯", resolver.district("朝阳"))
        assert resolver.district_of_street(street).name == "朝阳区"
        assert resolver.street("八宝山").parent.name == "石景山区"
        with pytest.raises(NormalizeError):
            resolver.street("八里庄街道")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value",
    ["朝阳区", "北京市朝阳区", "北京朝阳区", "朝阳", " 朝阳 区 ", "朝阳区\u3000", "110105", 110105, 110105.0],
)
def test_district_accepts(areas, value):
    assert areas.district(value).code == "110105"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("密云县", "110118"),
        ("北京市延庆县", "110119"),
        ("延庆", "110119"),
        ("崇文区", "110101"),
        ("宣武区", "110102"),
        ("110228", "110118"),
        ("石景山", "110107"),
        ("门头沟区", "110109"),
        ("１１０１０８", "110108"),
        ("110108000000", "110108"),
    ],
)
def test_district_former_names_and_codes(areas, value, expected):
    assert areas.district(value).code == expected


@pytest.mark.django_db
@pytest.mark.parametrize("value", [None, "", "  "])
def test_district_empty(areas, value):
    assert areas.district(value) is None


@pytest.mark.django_db
def test_unknown_district_gives_an_example(areas):
    message = refused(areas.district, "海滨")
    assert message == "无法识别的区「海滨」：应为北京市的16个区之一，如「朝阳区」。"
    refused(areas.district, "110199", match="无法识别的区")


@pytest.mark.django_db
def test_a_street_in_the_district_column_is_explained(areas):
    refused(areas.district, "三里屯街道", match="是朝阳区的街道（乡镇），不是区")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("三里屯街道", "三里屯街道"),
        ("三里屯", "三里屯街道"),
        ("三里屯街道办事处", "三里屯街道"),
        ("三里屯街道办", "三里屯街道"),
        ("朝阳区三里屯街道", "三里屯街道"),
        ("北京市朝阳区三里屯街道", "三里屯街道"),
        ("北京市三里屯", "三里屯街道"),
        ("朝阳 三里屯", "三里屯街道"),
        ("110105004", "三里屯街道"),
        (110105004, "三里屯街道"),
        ("110105004000", "三里屯街道"),
        ("南磨房地区", "南磨房地区"),
        ("南磨房地区办事处", "南磨房地区"),
        ("南磨房", "南磨房地区"),
        ("南磨房乡", "南磨房地区"),
        ("八里庄", "八里庄街道"),
        ("朝阳门街道", None),  # belongs to 东城区, see test below
    ],
)
def test_street_within_chaoyang(areas, value, expected):
    chaoyang = areas.district("朝阳区")
    if expected is None:
        refused(areas.street, value, chaoyang, match="不属于朝阳区")
        return
    street = areas.street(value, chaoyang)
    assert street.name == expected and street.parent == chaoyang


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "district", "expected"),
    [
        ("北宫镇", "丰台区", "北宫镇"),
        ("北宫镇人民政府", "丰台区", "北宫镇"),
        ("北宫", "丰台区", "北宫镇"),
        ("丰台街道", "丰台区", "丰台街道"),
        ("丰台", "丰台区", "丰台街道"),
        ("丰台区丰台街道", None, "丰台街道"),
        ("霞云岭乡", "房山区", "霞云岭乡"),
        ("霞云岭乡人民政府", "房山区", "霞云岭乡"),
        ("霞云岭", "房山区", "霞云岭乡"),
        ("于家务回族乡", "通州区", "于家务回族乡"),
        ("于家务乡", "通州区", "于家务回族乡"),
        ("于家务", None, "于家务回族乡"),
        ("张镇", "顺义区", "张镇"),
        ("新镇街道", "房山区", "新镇街道"),
        ("新镇", "房山区", "新镇街道"),
        ("大兴庄镇", None, "大兴庄镇"),  # in 平谷区, although it starts with 大兴
        ("平谷区大兴庄镇", None, "大兴庄镇"),
        ("大兴经济开发区", "大兴区", "大兴经济开发区"),
        ("北京经济技术开发区", "大兴区", "北京经济技术开发区"),
        ("经济技术开发区", None, "北京经济技术开发区"),
        ("怀柔地区", "怀柔区", "怀柔地区"),
        ("怀柔区怀柔", None, "怀柔地区"),
        ("密云县密云镇", None, "密云镇"),
        ("密云镇", "密云区", "密云镇"),
        ("延庆镇", None, "延庆镇"),
        ("东风地区", "朝阳区", "东风地区"),
        ("东风", "朝阳区", "东风地区"),
        ("东风", "房山区", "东风街道"),
        ("八里庄", "海淀区", "八里庄街道"),
        ("海淀区八里庄街道", None, "八里庄街道"),
        ("朝阳门", None, "朝阳门街道"),
        ("杨镇", "顺义区", "杨镇地区"),
    ],
)
def test_street_names(areas, value, district, expected):
    district_area = areas.district(district) if district else None
    street = areas.street(value, district_area)
    assert street.name == expected
    if district_area:
        assert street.parent == district_area


@pytest.mark.django_db
def test_street_of_another_district_says_which(areas):
    message = refused(areas.street, "三里屯街道", areas.district("海淀区"))
    assert message == "街道「三里屯街道」不属于海淀区（朝阳区有这个街道）。"


@pytest.mark.django_db
def test_unknown_street_in_a_district(areas):
    refused(areas.street, "海滨街道", areas.district("朝阳区"), match="无法识别的街道（乡镇）「海滨街道」：朝阳区没有")


@pytest.mark.django_db
def test_unknown_street_city_wide(areas):
    refused(areas.street, "海滨街道", None, match="无法识别的街道（乡镇）「海滨街道」")


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["八里庄", "八里庄街道", "东风"])
def test_ambiguous_street_asks_for_the_district(areas, value):
    message = refused(areas.street, value, None, match="请填写所属的区")
    assert "朝阳区" in message


@pytest.mark.django_db
def test_street_prefix_must_agree_with_the_district(areas):
    refused(areas.street, "海淀区八里庄街道", areas.district("朝阳区"), match="写的是海淀区，与区「朝阳区」不符")


@pytest.mark.django_db
def test_street_code_checked_against_the_district(areas):
    refused(areas.street, "110105004", areas.district("海淀区"), match="不属于海淀区")


@pytest.mark.django_db
@pytest.mark.parametrize("value", [None, "", " "])
def test_street_empty(areas, value):
    assert areas.street(value, None) is None


@pytest.mark.django_db
def test_every_street_resolves_by_name_code_and_short_name(areas):
    for street in Area.objects.filter(level="street").select_related("parent"):
        district = areas.district(street.parent.code)
        assert areas.street(street.name, district).pk == street.pk
        assert areas.street(street.code, None).pk == street.pk
        assert areas.street(f"{street.parent.name}{street.name}", None).pk == street.pk
        for suffix in ("街道", "地区", "镇", "乡"):
            short = street.name.removesuffix(suffix)
            if short != street.name and len(short) >= 2:
                assert areas.street(short, district).pk == street.pk


@pytest.mark.django_db
def test_every_district_resolves_by_name_short_name_and_code(areas):
    for district in Area.objects.filter(level="district"):
        for value in (district.name, district.name[:-1], f"北京市{district.name}", district.code, int(district.code)):
            assert areas.district(value).pk == district.pk


@pytest.mark.django_db
def test_area_resolver_refuses_anything_else_with_a_message(areas):
    chaoyang = areas.district("朝阳区")

    @given(st.one_of(st.text(), st.integers(), st.floats(), st.booleans()))
    def check(value):
        for resolve in (areas.district, lambda v: areas.street(v, None), lambda v: areas.street(v, chaoyang)):
            try:
                result = resolve(value)
            except NormalizeError as error:
                assert str(error)
            else:
                assert result is None or isinstance(result, Area)

    check()


@pytest.mark.django_db
def test_areas_takes_the_district_from_the_street(areas):
    district, street = areas.areas("", "三里屯")
    assert (district.name, street.name) == ("朝阳区", "三里屯街道")
    assert areas.areas("海淀", "") == (areas.district("海淀区"), None)
    assert areas.areas(None, None) == (None, None)
