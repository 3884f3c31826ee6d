"""The load benchmark: `benchmarks/load [--users 20] [--minutes 3] [--spawn-rate 2] [--no-setup] [--port 8710]
[--server gunicorn|serve]`; benchmarks/README.md, "The load benchmark", says what each option does.

1. Set-up: the benchmark data set in its own PostgreSQL database (`benchmarks.generate --if-missing`), `shuniu
   migrate`, `shuniu collectstatic`, and the benchmark's users with their API tokens (`accounts.py`); --no-setup
   skips the data set and the users, not `migrate` and `collectstatic`.
2. The production configuration: the README's gunicorn and `shuniu worker` beside it, or with --server serve
   `shuniu serve` (waitress, one process, its default threads, and the background worker it starts), with
   `DJANGO_SETTINGS_MODULE=shuniu.config.settings.prod`, on 127.0.0.1, and the figures cache in Redis
   (`SHUNIU_CACHE_URL`: the benchmark's own Redis database, emptied first unless --keep-cache).
3. locust, headless, for the given time (`locustfile.py`); its statistics are reset once every user has been
   started, so the figures are those of the steady state, not of the sign-ins.
4. The report: per page p50/p95/p99, throughput, errors with a sample of them, the server's and the worker's
   memory at start and end (and every 15 s in between), CPU, the machine's load. Printed, and kept in
   benchmarks/out/load-<users>u.md with locust's CSV files beside it and the server's log in load-server.log.

The secret key and the personal-data key the server runs with are made once and kept in
benchmarks/out/load-keys.json (git-ignored): the API tokens of step 1 are valid under that secret key only.
"""

import argparse
import csv
import json
import os
import platform
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.generate import Sizes

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "benchmarks" / "out"
DATABASE = "postgres://postgres@127.0.0.1:5432/shuniu_load"
CACHE = "redis://127.0.0.1:6379/2"  # a Redis database for the benchmark alone, so emptying it harms nobody
HOST = "127.0.0.1"
SAMPLE_SECONDS = 15
SERVERS = {
    "serve": "`shuniu serve` (waitress, its default threads, and the worker it starts)",
    "gunicorn": "gunicorn with {workers} workers and `shuniu worker` beside it (README, Running in production)",
}
VAR = OUT / "load-var"  # the server's SHUNIU_VAR_DIR: collected static files, uploads, the file cache


def _keys() -> dict:
    path = OUT / "load-keys.json"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        keys = {"secret_key": secrets.token_urlsafe(50), "personal_data_key": secrets.token_urlsafe(48)}
        path.write_text(json.dumps(keys))
        path.chmod(0o600)
    return json.loads(path.read_text())


def server_environment(args) -> dict:
    """The production settings' variables (`shuniu/config/settings/prod.py`), for the benchmark's server."""
    keys = _keys()
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "shuniu.config.settings.prod",
        "SHUNIU_SECRET_KEY": keys["secret_key"],
        "SHUNIU_PERSONAL_DATA_KEY": keys["personal_data_key"],
        "SHUNIU_ALLOWED_HOSTS": HOST,
        # TLS ends at the reverse proxy, which redirects http to https itself (README "Running in production");
        # here the load generator stands where the proxy would, on plain http to 127.0.0.1
        "SHUNIU_SSL_REDIRECT": "0",
        "DATABASE_URL": args.database,
        "SHUNIU_CACHE_URL": args.cache_url,
        "SHUNIU_VAR_DIR": str(VAR),  # apart from the checkout's var/
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
    }


def _run(command: list[str], env: dict) -> None:
    print("$", " ".join(command[1:] if command[0] == sys.executable else command), flush=True)
    subprocess.run(command, env=env, cwd=ROOT, check=True)


def setup(args, env: dict) -> None:
    """The data set and the users (skipped with --no-setup), then, on every run, `migrate` and `collectstatic`: the
    code may have moved on since the last run (a new migration, a new static file the pages name)."""
    if not args.no_setup:
        generate_env = {**env, "DJANGO_SETTINGS_MODULE": "shuniu.config.settings.dev"}
        sizes = Sizes()
        scaled = [
            f"--{name}={getattr(sizes, name) * args.scale}" for name in ("organizations", "hubs", "links")
        ]  # a database holding other sizes is rebuilt: a scale asked once must be asked again
        _run(
            [sys.executable, "-m", "benchmarks.generate", "--database", args.database, "--if-missing", *scaled],
            generate_env,
        )
    _run([sys.executable, "-m", "shuniu", "migrate", "--noinput", "-v", "0"], env)
    _run([sys.executable, "-m", "shuniu", "collectstatic", "--noinput", "-v", "0"], env)
    if not args.no_setup:
        _run([sys.executable, "-m", "benchmarks.loadtest.accounts", str(args.accounts)], env)


def flush_cache(url: str) -> None:
    """Empties the benchmark's Redis database (SELECT n, FLUSHDB), or without one the cache's files under the
    benchmark's own var directory, so that every run starts with a cold cache. Nothing else is touched."""
    if not url:
        shutil.rmtree(VAR / "cache", ignore_errors=True)
        print(f"已清空缓存目录 {VAR / 'cache'}")
        return
    parts = urlsplit(url)
    if parts.scheme != "redis" or parts.hostname != HOST:
        return
    number = (parts.path or "/0").strip("/") or "0"
    command = f"*2\r\n$6\r\nSELECT\r\n${len(number)}\r\n{number}\r\n*1\r\n$7\r\nFLUSHDB\r\n"
    try:
        with socket.create_connection((HOST, parts.port or 6379), timeout=5) as connection:
            connection.sendall(command.encode())
            reply = connection.recv(100)
    except OSError as error:
        print(f"未能清空缓存 {url}：{error}（照常继续）")
        return
    print(f"已清空缓存 {url}：{reply.decode(errors='replace').split()}")


def _answers(port: int) -> bool:
    request = urllib.request.Request(f"http://{HOST}:{port}/accounts/login/", headers={"X-Forwarded-Proto": "https"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@dataclass
class Server:
    """The web server's process and the background worker's: `shuniu serve` starts its worker as its own child
    (`worker` is then None); gunicorn is started beside `shuniu worker`, as the README's production set-up runs them."""

    web: subprocess.Popen
    worker: subprocess.Popen | None = None

    def processes(self) -> tuple[list, list]:
        """(web processes, worker processes) as psutil.Process lists: gunicorn's master with its workers, or
        `shuniu serve` alone; the worker with any children."""
        import psutil  # locust's dependency

        root = psutil.Process(self.web.pid)
        if self.worker is None:
            return [root], root.children(recursive=True)
        worker = psutil.Process(self.worker.pid)
        return [root, *root.children(recursive=True)], [worker, *worker.children(recursive=True)]


def start_server(args, env: dict) -> Server:
    """The server in its own process group (stopped together with what it starts), its output in load-server.log."""
    with socket.socket() as probe:
        if probe.connect_ex((HOST, args.port)) == 0:
            raise SystemExit(f"端口 {args.port} 已被占用：请用 --port 另选一个端口（不对别人的服务器做压测）。")
    log = (OUT / "load-server.log").open("w")
    options = {"env": env, "cwd": ROOT, "stdout": log, "stderr": subprocess.STDOUT, "start_new_session": True}
    if args.server == "gunicorn":  # README "Running in production", on this machine's address and port
        gunicorn = Path(sys.executable).with_name("gunicorn")
        if not gunicorn.exists():
            raise SystemExit("缺少 gunicorn：请先安装 production 附加依赖（uv sync --extra production）。")
        command = [str(gunicorn), "shuniu.config.wsgi", "--bind", f"{HOST}:{args.port}", "--workers", str(args.workers)]
        server = Server(
            web=subprocess.Popen([*command, "--timeout", "120"], **options),
            worker=subprocess.Popen([sys.executable, "-m", "shuniu", "worker"], **options),
        )
    else:
        command = [sys.executable, "-m", "shuniu", "serve", "--host", HOST, "--port", str(args.port)]
        server = Server(web=subprocess.Popen(command, **options))
    deadline = time.monotonic() + 120
    while not _answers(args.port):
        if server.web.poll() is not None or time.monotonic() > deadline:
            stop_server(server)
            tail = (OUT / "load-server.log").read_text()[-3000:]
            raise SystemExit(f"服务器没有启动（见 {OUT / 'load-server.log'}）：\n{tail}")
        time.sleep(1)
    return server


def stop_server(server: Server) -> None:
    """Ctrl-C to each process group (waitress stops, then its worker); harder to those that do not stop."""
    for process in (server.web, server.worker):
        for sig, wait in ((signal.SIGINT, 20), (signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            if process is None or process.poll() is not None:
                break
            try:
                os.killpg(process.pid, sig)
                process.wait(timeout=wait)
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue


def _database_cpu(database: str) -> float:
    """CPU seconds of the PostgreSQL backends connected to `database` now. Over a run, the difference is a lower
    bound of what the database spent: a connection closed during the run (CONN_MAX_AGE) takes its seconds along."""
    import psutil

    total = 0.0
    for process in psutil.process_iter(["name", "cmdline"]):
        try:
            if process.info["name"] == "postgres" and f" {database} " in " ".join(process.info["cmdline"] or ()):
                total += sum(process.cpu_times()[:2])
        except psutil.Error:
            continue
    return total


def memory(server: Server, database: str) -> dict:
    """RSS in MB of the web server's processes and of the worker's, CPU seconds of the web server and of the
    database's backends, and the machine's 1-minute load."""
    import psutil

    times = psutil.cpu_times()
    sample = {
        "server": 0.0,
        "worker": 0.0,
        "server_cpu": 0.0,
        "load": os.getloadavg()[0],
        # the machine's busy seconds, every process's: PostgreSQL's parallel workers and its backends that closed
        # during the run are counted here and nowhere else
        "machine_busy": sum(times) - times.idle - getattr(times, "iowait", 0.0),
    }
    try:
        web, worker = server.processes()
        sample["server"] = sum(process.memory_info().rss for process in web) / 2**20
        sample["worker"] = sum(process.memory_info().rss for process in worker) / 2**20
        sample["server_cpu"] = sum(sum(process.cpu_times()[:2]) for process in web)
    except psutil.Error:
        pass
    sample["database_cpu"] = _database_cpu(database)
    return sample


def run_locust(args, env: dict, server: Server, prefix: Path) -> list[dict]:
    """locust, headless, bounded in time; returns the memory samples taken while it ran."""
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(ROOT / "benchmarks" / "loadtest" / "locustfile.py"),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{round(args.minutes * 60)}s",
        "--host",
        f"http://{HOST}:{args.port}",
        "--csv",
        str(prefix),
        "--reset-stats",
        "--only-summary",
        "--stop-timeout",
        "60",
        "--loglevel",
        "WARNING",
    ]
    locust_env = {**os.environ, "PYTHONPATH": str(ROOT), "SHUNIU_LOAD_ACCOUNTS": str(args.accounts)}
    database = urlsplit(args.database).path.strip("/")
    samples = [memory(server, database)]
    with open(f"{prefix}-locust.log", "w") as log:
        locust = subprocess.Popen(command, env=locust_env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        while locust.poll() is None:
            try:
                locust.wait(timeout=SAMPLE_SECONDS)
            except subprocess.TimeoutExpired:
                samples.append(memory(server, database))
    samples.append(memory(server, database))
    if locust.returncode not in (0, 1):  # 1: some requests failed, which the report shows
        raise SystemExit(f"locust 异常退出（{locust.returncode}），见 {prefix}-locust.log")
    return samples


def _ms(value: str) -> str:
    return f"{float(value):,.0f}" if value not in ("", "N/A") else "–"


def report(args, prefix: Path, samples: list[dict], started: datetime, client_cpu: float) -> tuple[str, bool]:
    """The Markdown report, and whether the run met the issue's targets (every page's p95 under the target, and
    no errors)."""
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with open(f"{prefix}_failures.csv", newline="") as handle:
        failures = sorted(csv.DictReader(handle), key=lambda row: -int(row["Occurrences"]))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    pages = sorted((row for row in rows if row["Name"] != "Aggregated"), key=lambda row: -float(row["95%"] or 0))
    target = args.target_ms or (500 if args.users <= 20 else 1000)
    slow = [row["Name"] for row in pages if float(row["95%"] or 0) >= target]
    errors = int(total["Failure Count"])
    first, last = samples[0], samples[-1]
    cache = args.cache_url or f"files in {VAR.relative_to(ROOT) / 'cache'}"
    seconds = max(1.0, (datetime.now(UTC) - started).total_seconds())
    busy = last["machine_busy"] - first["machine_busy"]
    requests = int(total["Request Count"])
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    changed = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True)
    changed_files = len([line for line in changed.stdout.splitlines() if line.strip()])
    lines = [
        f"## Load: {args.users} users, {args.minutes:g} min ({started:%Y-%m-%d %H:%M} UTC)",
        "",
        f"- code: commit {commit.stdout.strip()} with {changed_files} changed or new files in the working tree",
        f"- machine: {os.cpu_count()} cores ({platform.processor() or platform.machine()}), "
        f"load average {first['load']:.2f} at start, {last['load']:.2f} at end, "
        f"{max(sample['load'] for sample in samples):.2f} at most",
        f"- server: {SERVERS[args.server].format(workers=args.workers)}, production settings, PostgreSQL "
        f"`{urlsplit(args.database).path.strip('/')}`, figures cache `{cache}`"
        f"{' (kept from before)' if args.keep_cache else ' (emptied first)'}",
        f"- users: {args.users} (city : district : street : hub staff = 4 : 3 : 2 : 1), spawn rate {args.spawn_rate}/s,"
        " think time 0.5–1.5 s; statistics from the moment all had signed in",
        f"- throughput: **{float(total['Requests/s']):.1f} requests/s** ({int(total['Request Count']):,} requests); "
        f"errors: **{errors}** ({errors / max(1, int(total['Request Count'])):.1%})",
        f"- all pages: p50 {_ms(total['50%'])} ms, p95 {_ms(total['95%'])} ms, p99 {_ms(total['99%'])} ms",
        f"- memory (RSS): server {first['server']:.0f} MB at start, {last['server']:.0f} MB at end "
        f"(at most {max(sample['server'] for sample in samples):.0f}); worker {first['worker']:.0f} MB → "
        f"{last['worker']:.0f} MB",
        f"- CPU: server {last['server_cpu'] - first['server_cpu']:.0f} s, "
        f"PostgreSQL at least {max(0.0, last['database_cpu'] - first['database_cpu']):.0f} s, "
        f"locust {client_cpu:.0f} s, "
        f"over {seconds:.0f} s of wall time on {os.cpu_count()} cores; the machine busy "
        f"{busy:.0f} s of {seconds * os.cpu_count():.0f} ({busy / (seconds * os.cpu_count()):.0%}), "
        f"**{busy / max(1, requests) * 1000:.0f} ms of CPU per request**",
        f"- target p95 < {target} ms on every page and no errors: "
        + ("**met**" if not slow and not errors else f"**not met** ({len(slow)} pages at or over, {errors} errors)"),
        "",
        "| page | requests | errors | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in pages:
        lines.append(
            f"| {row['Name']} | {int(row['Request Count']):,} | {int(row['Failure Count']):,} | {_ms(row['50%'])} "
            f"| {_ms(row['95%'])} | {_ms(row['99%'])} | {_ms(row['Max Response Time'])} |"
        )
    if failures:
        lines += ["", f"Errors ({errors}), the most frequent first (at most 10 shown):", ""]
        lines += [f"- {row['Occurrences']} × {row['Name']}: {row['Error'][:300]}" for row in failures[:10]]
    memory_line = ", ".join(f"{sample['server']:.0f}" for sample in samples)
    lines += ["", f"Server RSS every {SAMPLE_SECONDS} s (MB): {memory_line}", ""]
    return "\n".join(lines), not slow and not errors


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20, help="simulated users at once (default 20)")
    parser.add_argument("--minutes", type=float, default=3, help="how long the load lasts (default 3)")
    parser.add_argument("--spawn-rate", type=float, default=2, help="users signing in per second (default 2)")
    parser.add_argument(
        "--no-setup", action="store_true", help="skip the data set and the users (migrate and collectstatic still run)"
    )
    parser.add_argument("--port", type=int, default=8710)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn's web processes (default 4, as the README)")
    parser.add_argument(
        "--server",
        choices=SERVERS,
        default="gunicorn",
        help="the README's production server, gunicorn (default), or shuniu serve (waitress, one process)",
    )
    parser.add_argument("--database", default=DATABASE, help=f"PostgreSQL URL (default {DATABASE})")
    parser.add_argument(
        "--scale",
        type=int,
        default=1,
        help="the data set's size in multiples of 100,000 organizations, 1,000 hubs and 1,000,000 links (default 1)",
    )
    parser.add_argument(
        "--cache-url",
        default=os.environ.get("SHUNIU_LOAD_CACHE_URL", CACHE),
        help=f"the server's SHUNIU_CACHE_URL (default {CACHE}; empty: the cache's files under {VAR})",
    )
    parser.add_argument("--keep-cache", action="store_true", help="do not empty the cache before the run")
    parser.add_argument("--target-ms", type=int, help="p95 target per page (default 500 up to 20 users, else 1000)")
    parser.add_argument("--check", action="store_true", help="exit with status 1 when the target is not met")
    parser.add_argument("--accounts", type=Path, default=OUT / "load-accounts.json")
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error(f"--scale 须为正整数（1 即 100,000 个组织），收到 {args.scale}。")
    if urlsplit(args.database).hostname != HOST:
        parser.error("负载测试只在本机运行：--database 须指向 127.0.0.1 上的 PostgreSQL。")

    env = server_environment(args)
    OUT.mkdir(parents=True, exist_ok=True)
    setup(args, env)
    if not args.accounts.exists():
        parser.error(f"缺少 {args.accounts}：请先不带 --no-setup 运行一次。")
    if not args.keep_cache:
        flush_cache(args.cache_url)
    server = start_server(args, env)
    prefix = OUT / f"load-{args.users}u" if args.server == "gunicorn" else OUT / f"load-{args.users}u-{args.server}"
    try:
        print(f"服务器已启动：http://{HOST}:{args.port}/ ；{args.users} 个用户，{args.minutes:g} 分钟……", flush=True)
        started = datetime.now(UTC)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        samples = run_locust(args, env, server, prefix)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        client_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    finally:
        stop_server(server)
    text, met = report(args, prefix, samples, started, client_cpu)
    Path(f"{prefix}.md").write_text(text)
    print(text)
    print(f"报告：{prefix}.md；locust 的 CSV：{prefix}_stats.csv 等；服务器日志：{OUT / 'load-server.log'}")
    return 1 if args.check and not met else 0


if __name__ == "__main__":
    sys.exit(main())
