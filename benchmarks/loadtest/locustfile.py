"""The benchmark's users, for locust (`benchmarks/load` runs it headless; by hand:
`SHUNIU_LOAD_ACCOUNTS=benchmarks/out/load-accounts.json locust -f benchmarks/loadtest/locustfile.py --headless
-u 20 -r 2 -t 3m --host http://127.0.0.1:8710`, from the repository's root with it on PYTHONPATH).

Each simulated user signs in with its own account's password on the login page, as a person does, then picks a page
from its kind's weighted mix (`pages.py`) every 0.5–1.5 s. The kinds come in the proportions of their `weight`:
city 4, district 3, street 2, hub staff 1 (at 20 users: 8, 6, 4, 2). API lists are called with the account's API
token.

The server runs with the production settings, which mark the session and CSRF cookies Secure: TLS ends at a reverse
proxy in front, which also redirects http to https (so the benchmark sets SHUNIU_SSL_REDIRECT=0). This client stands
where that proxy would, on plain http to 127.0.0.1: it returns the Secure cookies over the plain connection
(`ProxiedCookieJar`), and sends X-Forwarded-Proto: https and the Referer a browser sends over https, which a
server that trusts the header (gunicorn) checks and one that drops it (waitress) ignores.

Only 127.0.0.1 is accepted as the host. A request counts as an error when its status is 4xx or 5xx, when no answer
came within TIMEOUT seconds or the connection failed, or when it redirects to the login page (the session was lost;
the user signs in again).
"""

import itertools
import json
import os
import random
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from locust import HttpUser, between, events, task
from locust.exception import StopUser
from requests.cookies import RequestsCookieJar

from benchmarks.loadtest.pages import Visit, pages_for

ACCOUNTS_FILE = Path(os.environ.get("SHUNIU_LOAD_ACCOUNTS", "benchmarks/out/load-accounts.json"))
LOGIN = "/accounts/login/"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
TIMEOUT = 120  # seconds; a request that takes longer counts as an error
ALLOWED_HOSTS = ("127.0.0.1",)

_accounts = None
_turns = {}  # kind -> itertools.count(): each new user takes the kind's next account


def _load_accounts() -> dict:
    global _accounts
    if _accounts is None:
        _accounts = json.loads(ACCOUNTS_FILE.read_text())
    return _accounts


@events.init.add_listener
def _only_this_machine(environment, **kwargs):
    if environment.host and urlsplit(environment.host).hostname not in ALLOWED_HOSTS:
        raise SystemExit(f"负载测试只允许以 127.0.0.1 为目标，而不是 {environment.host!r}。")


class ProxiedCookieJar(RequestsCookieJar):
    """Keeps the server's Secure cookies as cookies to send back over the plain connection to 127.0.0.1, as the
    TLS-ending reverse proxy in front of a production server does. (requests copies the jar's cookies into a new jar
    for each request, so the mark has to be on the cookies, not on the jar's policy.)"""

    def set_cookie(self, cookie, *args, **kwargs):
        cookie.secure = False
        return super().set_cookie(cookie, *args, **kwargs)


def _snippet(response) -> str:
    """What an error response says: its JSON, or its page's title, shortened."""
    text = response.text or ""
    if "json" in response.headers.get("Content-Type", ""):
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)[:160]
        except ValueError:
            return text[:160]
    match = TITLE.search(text)
    return " ".join((match.group(1) if match else text[:160]).split())


class ShuniuUser(HttpUser):
    abstract = True
    kind = ""
    wait_time = between(0.5, 1.5)

    def on_start(self):
        if urlsplit(self.host).hostname not in ALLOWED_HOSTS:
            raise StopUser()
        data = _load_accounts()
        accounts = data["accounts"][self.kind]
        self.account = accounts[next(_turns.setdefault(self.kind, itertools.count())) % len(accounts)]
        shared = {"fields": data["fields"], "systems": data["systems"]}
        # each account draws the same pages, filters and dates in every run: two runs differ by the code, not the draw
        self.visit = Visit(self.account, shared, random.Random(self.account["username"]), date.today())
        self.pages = pages_for(self.kind)
        self.weights = [page.weight for page in self.pages]
        self.client.cookies = ProxiedCookieJar()
        self.client.headers["X-Forwarded-Proto"] = "https"
        self.origin = "https://" + urlsplit(self.host).netloc
        self.sign_in()

    def sign_in(self):
        self.client.cookies.clear()
        form = self.client.get(LOGIN, name="login", timeout=TIMEOUT)
        csrf = CSRF_FIELD.search(form.text or "")
        if csrf is None:
            raise StopUser()
        credentials = {
            "username": self.account["username"],
            "password": self.account["password"],
            "csrfmiddlewaretoken": csrf.group(1),
        }
        with self.client.post(
            LOGIN,
            data=credentials,
            headers={"Referer": self.origin + LOGIN},
            name="login (POST)",
            allow_redirects=False,
            catch_response=True,
            timeout=TIMEOUT,
        ) as response:
            signed_in = response.status_code == 302
            if not signed_in:
                who = self.account["username"]
                response.failure(f"{who} 登录失败：HTTP {response.status_code} {_snippet(response)}")
        if not signed_in:
            raise StopUser()

    @task
    def open_a_page(self):
        page = self.visit.rng.choices(self.pages, weights=self.weights)[0]
        path, params = page.build(self.visit)
        headers = {"Authorization": f"Token {self.account['token']}"} if page.api else {}
        url = f"{path}?{urlencode(params, doseq=True)}" if params else path
        who = self.account["username"]
        with self.client.get(
            url, headers=headers, name=page.label, allow_redirects=False, catch_response=True, timeout=TIMEOUT
        ) as response:
            status, location = response.status_code, response.headers.get("Location", "")
            if not status:  # no answer: a timeout or a refused or broken connection (locust's status 0)
                response.failure(f"没有响应 {url}（{who}）：{type(response.error).__name__} {response.error}"[:300])
            elif status >= 400:
                response.failure(f"HTTP {status} {url}（{who}）：{_snippet(response)}")
            elif 300 <= status < 400 and LOGIN in location:
                response.failure(f"会话失效，被重定向到登录页：{url}（{who}）")
                self.sign_in()
            else:
                response.success()


class CityUser(ShuniuUser):
    kind = "city"
    weight = 4


class DistrictUser(ShuniuUser):
    kind = "district"
    weight = 3


class StreetUser(ShuniuUser):
    kind = "street"
    weight = 2


class HubUser(ShuniuUser):
    kind = "hub"
    weight = 1
