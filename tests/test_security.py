"""Security across the whole site: CSRF on every form and htmx request, the headers and the
Content-Security-Policy on every answer, templates without inline script or style, session cookies.
The browser check that every page works under the policy is tests/e2e/test_content_security_policy.py."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

SHUNIU = Path(__file__).resolve().parents[1] / "shuniu"
TEMPLATES = sorted(path for path in SHUNIU.rglob("*.html") if "static" not in path.relative_to(SHUNIU).parts)
POLICY = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
}
COMMENT = re.compile(r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", re.DOTALL)

FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.IGNORECASE | re.DOTALL)
POST = re.compile(r"""\bmethod\s*=\s*["']?post\b""", re.IGNORECASE)
INLINE = {
    "style attribute": re.compile(r"""\sstyle\s*=\s*["']""", re.IGNORECASE),
    "event handler attribute": re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "<style> element": re.compile(r"<style\b", re.IGNORECASE),
    "inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE),
}


def post_forms_without_token(source: str) -> list[str]:
    """The opening tags of the POST forms in a template that do not contain `{% csrf_token %}`."""
    return [
        form.split(">", 1)[0] + ">"
        for form in FORM.findall(source)
        if POST.search(form.split(">", 1)[0]) and "{% csrf_token %}" not in form
    ]


def test_the_scanner_finds_a_post_form_without_token():
    source = '<form method="get"></form><form class="x" method="POST" action="/a">\n<button></button></form>'
    assert post_forms_without_token(source) == ['<form class="x" method="POST" action="/a">']
    assert post_forms_without_token('<form method="post">{% csrf_token %}</form>') == []


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(SHUNIU)))
def test_every_post_form_carries_the_csrf_token(template):
    assert post_forms_without_token(template.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(SHUNIU)))
def test_templates_hold_no_inline_script_or_style(template):
    source = COMMENT.sub("", template.read_text(encoding="utf-8"))
    found = [what for what, pattern in INLINE.items() if pattern.search(source)]
    assert found == [], "the Content-Security-Policy blocks these; use a class or shuniu/static/shuniu/*.js"


def test_templates_were_found():
    assert len(TEMPLATES) > 20 and any(path.name == "base.html" for path in TEMPLATES)


def test_htmx_requests_carry_the_csrf_token(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    page = client.get(reverse("account")).content.decode()
    token = re.search(r"""hx-headers='\{"X-CSRFToken": "([^"]+)"\}'""", page).group(1)
    data = {"language": "zh-hans", "next": "/"}
    assert client.post(reverse("set_language"), data).status_code == 403
    assert client.post(reverse("set_language"), data, headers={"X-CSRFToken": token}).status_code == 302


@pytest.mark.django_db
def test_every_answer_has_the_security_headers(client):
    for url in (reverse("login"), "/api/docs/", "/api/docs/?script="):
        response = client.get(url)
        assert response.status_code in (200, 302, 401), url  # the docs send an anonymous browser to the login page
        assert set(response["Content-Security-Policy"].split("; ")) == POLICY
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_htmx_is_told_not_to_inject_styles_or_evaluate(admin_client):
    page = admin_client.get(reverse("account")).content.decode()
    assert """<meta name="htmx-config" content='{"includeIndicatorStyles":false,""" in page
    css = (SHUNIU / "static/shuniu/shuniu.css").read_text(encoding="utf-8")
    assert ".htmx-request .htmx-indicator" in css


def test_session_ends_with_the_browser_and_after_a_working_day(client, admin_user):
    client.post(reverse("login"), {"username": "admin", "password": "shuniu-admin"})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # a browser-session cookie
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert client.session.get_expiry_age() == 8 * 60 * 60
    assert not settings.SESSION_SAVE_EVERY_REQUEST
