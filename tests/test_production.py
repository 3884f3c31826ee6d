"""The production settings, each in a fresh process as a server would start: `check --deploy` is clean, a missing
key or a non-PostgreSQL database stops the start with a message naming it, and collectstatic works."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
REQUIRED = ("SHUNIU_SECRET_KEY", "SHUNIU_ALLOWED_HOSTS", "DATABASE_URL", "SHUNIU_PERSONAL_DATA_KEY")


def production_env(tmp_path, **overrides) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SHUNIU_", "DJANGO_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="shuniu.config.settings.prod",
        SHUNIU_SECRET_KEY=secrets.token_urlsafe(50),
        SHUNIU_ALLOWED_HOSTS="shuniu.example.gov.cn",
        DATABASE_URL="postgres://shuniu@127.0.0.1:5432/shuniu",  # no connection is made
        SHUNIU_PERSONAL_DATA_KEY=secrets.token_urlsafe(32),
        SHUNIU_VAR_DIR=str(tmp_path / "var"),
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def manage(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "django", *args], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300
    )


def test_check_deploy_is_clean(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize("name", REQUIRED)
def test_a_missing_variable_stops_the_start_naming_it(tmp_path, name):
    result = manage(production_env(tmp_path, **{name: None}), "check")
    assert result.returncode != 0
    assert f"生产环境必须设置环境变量 {name}" in result.stderr


def test_sqlite_is_refused(tmp_path):
    result = manage(production_env(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}"), "check")
    assert result.returncode != 0 and "必须指向 PostgreSQL" in result.stderr


def test_collectstatic_hashes_and_compresses_every_file(tmp_path):
    result = manage(production_env(tmp_path), "collectstatic", "--noinput")
    assert result.returncode == 0, result.stderr[-2000:]
    static = tmp_path / "var" / "static"
    paths = json.loads((static / "staticfiles.json").read_text())["paths"]
    for name in ("shuniu/shuniu.js", "shuniu/shuniu.css", "vendor/bootstrap/bootstrap.min.css"):
        assert (static / paths[name]).exists() and (static / (paths[name] + ".gz")).exists(), name
