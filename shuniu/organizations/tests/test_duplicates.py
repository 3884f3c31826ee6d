import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from shuniu.organizations.choices import OrganizationKind
from shuniu.organizations.models import DuplicateDismissal, Organization
from shuniu.organizations.selectors import (
    REASON_REGISTERED_LATER,
    REASON_SAME_NAME,
    REASON_SIMILAR_NAME,
    duplicate_candidates,
    similar_key_pairs,
)
from shuniu.organizations.services import duplicate_dismiss
from shuniu.organizations.tests.factories import OrganizationFactory, district

pytestmark = pytest.mark.django_db
URL = reverse("organizations:duplicates")


def community(name, code="110105", **kwargs):
    return OrganizationFactory(name=name, kind=OrganizationKind.COMMUNITY, district=district(code), **kwargs)


def pair_names(pairs):
    return {frozenset((p.first.name, p.second.name)) for p in pairs}


def candidates(**kwargs):
    return duplicate_candidates(queryset=Organization.objects.all(), **kwargs)


def test_folded_name_variants_are_one_group_within_a_district():
    a = community("北京市朝阳区阳光（志愿者）协会")
    b = community("朝阳区 阳光(志愿者)协会")
    c = community("阳光【志愿者】协会")
    community("阳光志愿者协会", code="110108")  # same name in 海淀区: another organization
    pairs = candidates()
    assert pair_names(pairs) == {frozenset((x.name, y.name)) for x, y in ((a, b), (a, c), (b, c))}
    assert {(p.score, p.reason) for p in pairs} == {(100, str(REASON_SAME_NAME))}
    assert all(p.first.pk < p.second.pk and p.first.district == p.second.district for p in pairs)


def test_full_width_forms_are_folded():
    community("北京市朝阳区ＡＢＣ读书会２队")
    community("ABC读书会2队")
    assert [p.score for p in candidates()] == [100]


def test_fuzzy_pair_is_found_and_an_unrelated_one_is_not():
    community("望京街道花家地社区老年合唱团")
    community("望京街道花家地社区老年合唱队")  # one character differs: ratio 92
    community("双井街道读书会")
    community("双井街道象棋俱乐部")
    pairs = candidates()
    assert pair_names(pairs) == {frozenset(("望京街道花家地社区老年合唱团", "望京街道花家地社区老年合唱队"))}
    assert pairs[0].reason == str(REASON_SIMILAR_NAME) and 90 <= pairs[0].score < 100
    assert candidates(threshold=95) == []


def test_a_registered_organization_pairs_with_the_filed_one_of_the_same_name():
    registered = OrganizationFactory(name="北京市朝阳区阳光志愿者协会", kind=OrganizationKind.SOCIAL_GROUP)
    filed = community("阳光志愿者协会")
    OrganizationFactory(name="朝阳区阳光志愿者协会", kind=OrganizationKind.SOCIAL_GROUP)  # two USCCs: not a pair
    pairs = candidates()
    assert len(pairs) == 2
    assert {p.first.pk for p in pairs} != {filed.pk}  # the one with a USCC is on the left
    assert all(p.first.uscc and p.second == filed and p.reason == str(REASON_REGISTERED_LATER) for p in pairs)
    assert registered.pk in {p.first.pk for p in pairs}


def test_pairs_are_sorted_by_score_and_carry_the_links_count():
    community("望京街道花家地社区老年合唱团")
    community("望京街道花家地社区老年合唱队")
    community("北京市朝阳区阳光协会")
    community("阳光协会")
    pairs = candidates()
    assert [p.score for p in pairs] == sorted((p.score for p in pairs), reverse=True) and pairs[0].score == 100
    assert pairs[0].first.links_count == 0


def test_a_dismissed_pair_disappears(admin_user):
    a, b = community("阳光协会"), community("北京市朝阳区阳光协会")
    c = community("朝阳区阳光协会")
    duplicate_dismiss(a=b, b=a, user=admin_user)
    dismissal = DuplicateDismissal.objects.get()
    assert (dismissal.first, dismissal.second, dismissal.user) == (a, b, admin_user)
    assert pair_names(candidates()) == {frozenset((a.name, c.name)), frozenset((b.name, c.name))}
    duplicate_dismiss(a=a, b=b, user=admin_user)  # idempotent
    assert DuplicateDismissal.objects.count() == 1


def test_only_the_given_queryset_is_searched(django_user_model):
    community("阳光协会")
    community("北京市朝阳区阳光协会")
    plain = django_user_model.objects.create_user("plain", password="x")
    assert duplicate_candidates(queryset=Organization.objects.restrict(plain, "view")) == []
    assert duplicate_candidates(queryset=Organization.objects.filter(district=district("110108"))) == []


def brute_force(keys, threshold):
    return {
        (i, j): fuzz.ratio(keys[i], keys[j])
        for i in range(len(keys))
        for j in range(i + 1, len(keys))
        if fuzz.ratio(keys[i], keys[j]) >= threshold
    }


@settings(max_examples=300, deadline=None)
@given(
    keys=st.lists(st.text(alphabet="abcde社区协会", min_size=1, max_size=14), max_size=30, unique=True),
    threshold=st.sampled_from([50, 70, 80, 85, 90, 95, 100]),
)
def test_the_partition_filter_finds_exactly_the_pairs_a_full_comparison_finds(keys, threshold):
    found = similar_key_pairs(keys, threshold)
    expected = brute_force(keys, threshold)
    assert found.keys() == expected.keys()
    assert all(found[pair] == pytest.approx(expected[pair]) for pair in expected)


@settings(max_examples=200, deadline=None)
@given(
    prefix=st.sampled_from(["", "基准社会组织", "社区服务协会", "ab"]),
    suffixes=st.lists(st.text(alphabet="0123社", min_size=1, max_size=7), min_size=2, max_size=40, unique=True),
    threshold=st.sampled_from([70, 85, 90, 95]),
)
def test_keys_that_begin_alike_are_paired_exactly_as_a_full_comparison_pairs_them(prefix, suffixes, threshold):
    """Where most keys share their first segments, each key is indexed under its rarest ones (`_plan`): the pairs
    found are still exactly those of a full comparison."""
    keys = [prefix + suffix for suffix in suffixes]
    found = similar_key_pairs(keys, threshold)
    expected = brute_force(keys, threshold)
    assert found.keys() == expected.keys()
    assert all(found[pair] == pytest.approx(expected[pair]) for pair in expected)


def test_names_that_begin_alike_are_not_all_compared(monkeypatch):
    """A district of names that differ only in their numbers compares each name with a few others, not with all."""
    from shuniu.organizations import selectors

    compared = []
    extract = selectors.process.extract

    def counting(query, choices, **kwargs):
        compared.append(len(choices))
        return extract(query, choices, **kwargs)

    monkeypatch.setattr(selectors.process, "extract", counting)
    keys = [f"基准社会组织{number:06d}" for number in range(0, 600_000, 997)]  # 602 names
    assert similar_key_pairs(keys, 90) == pytest.approx(brute_force(keys, 90))
    assert sum(compared) * 10 < len(keys) * (len(keys) - 1) // 2  # a tenth of all pairs at most (181,000)


# --- the review page ---------------------------------------------------------------------------------------------


@pytest.fixture
def viewer(django_user_model):
    user = django_user_model.objects.create_user("viewer", password="x")
    user.user_permissions.add(Permission.objects.get(codename="view_organization"))
    return user


def test_review_page_defaults_to_the_first_district_with_pairs(admin_client):
    community("阳光协会", code="110108")
    community("北京市海淀区阳光协会", code="110108")
    community("望京街道花家地社区老年合唱团")
    community("望京街道花家地社区老年合唱队")
    response = admin_client.get(URL)
    content = response.content.decode()
    assert response.status_code == 200 and response.context["district"].code == "110105"
    assert "望京街道花家地社区老年合唱队" in content and "北京市海淀区阳光协会" not in content
    for testid in ("merge-left", "merge-right", "dismiss"):
        assert f'data-testid="{testid}"' in content
    response = admin_client.get(URL, {"district": district("110108").pk})
    content = response.content.decode()
    assert "北京市海淀区阳光协会" in content and "望京街道花家地社区老年合唱队" not in content


def test_review_page_says_when_there_is_nothing(admin_client):
    response = admin_client.get(URL)
    assert response.status_code == 200 and "各区均暂无疑似重复的组织" in response.content.decode()
    response = admin_client.get(URL, {"district": district("110108").pk})
    assert "海淀区暂无疑似重复的组织" in response.content.decode()


def test_review_page_needs_the_view_permission_and_hides_buttons_without_rights(client, viewer, django_user_model):
    community("阳光协会")
    community("北京市朝阳区阳光协会")
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))
    assert client.get(URL).status_code == 403
    client.force_login(viewer)
    content = client.get(URL).content.decode()
    assert "北京市朝阳区阳光协会" in content
    assert 'data-testid="merge-left"' not in content and 'data-testid="dismiss"' not in content


def test_dismiss_from_the_review_page(admin_client):
    a, b = community("阳光协会"), community("北京市朝阳区阳光协会")
    back = f"{URL}?district={a.district_id}"
    response = admin_client.post(reverse("organizations:duplicate_dismiss"), {"a": a.pk, "b": b.pk, "back": back})
    assert response.status_code == 302 and response["Location"] == back
    assert DuplicateDismissal.objects.filter(first=a, second=b).exists()
    response = admin_client.get(back)
    assert response.context["pair_count"] == 0 and 'data-testid="pair"' not in response.content.decode()


def test_dismiss_is_refused_without_the_change_permission(client, viewer):
    a, b = community("阳光协会"), community("北京市朝阳区阳光协会")
    client.force_login(viewer)
    response = client.post(reverse("organizations:duplicate_dismiss"), {"a": a.pk, "b": b.pk})
    assert response.status_code == 403 and not DuplicateDismissal.objects.exists()


def test_the_list_page_links_to_the_review_page(admin_client):
    content = admin_client.get(reverse("organizations:organization_list")).content.decode()
    assert f'href="{URL}"' in content


def test_the_review_page_keeps_its_pairs_until_an_organization_or_a_dismissal_changes(admin_client):
    a, b = community("阳光协会"), community("北京市朝阳区阳光协会")
    c, d = community("望京街道花家地社区老年合唱团"), community("望京街道花家地社区老年合唱队")
    back = f"{URL}?district={a.district_id}"
    assert admin_client.get(back).context["pair_count"] == 2
    assert admin_client.get(back).context["pair_count"] == 2  # the kept pairs
    admin_client.post(reverse("organizations:duplicate_dismiss"), {"a": c.pk, "b": d.pk, "back": back})
    assert admin_client.get(back).context["pair_count"] == 1
    b.name = "北京市朝阳区彩虹舞蹈队"
    b.save()
    assert admin_client.get(back).context["pair_count"] == 0
    community("朝阳区阳光协会")
    assert admin_client.get(back).context["pair_count"] == 1
