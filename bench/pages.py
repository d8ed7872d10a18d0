"""Benchmark: the storefront pages under concurrent load, at both catalogue sizes.

For each size (bench.datagen) the app is served by gunicorn (2 workers, production settings,
the size's database) and loaded by wrk from a second process with 8 concurrent clients:
requests/s and p50/p99 latency of the catalogue list, a product page (rotating over 200
products), a search and a county page, as an anonymous visitor gets them (the page cache),
and the catalogue list and product pages once more rendered for each request, as a visitor
with a session gets them. Then the product, catalogue and search pages as a signed-in
consumer and a signed-in institutional buyer (an organisation's approved member) get them,
each with two products in the basket: accounts made for the benchmark, signed in through
the store's login form over HTTP, whose session cookie wrk sends. SQL queries per page are
counted in a separate process with CaptureQueriesContext on the same settings and database
(the signed-in buyers signed in there through the same form).

BENCH_SIZES (default "small,large") and BENCH_SECONDS (default 10) shorten a run."""

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookies import SimpleCookie
from pathlib import Path

from bench import datagen
from bench.run import BROKER_URL, broker_purge

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 8
WORKERS = 2
PRODUCT_PAGES = 200
SEARCH = "苦荞"
STATIC_ROOT = ROOT / "var" / "bench-static"


def server_env(database_url: str, port: int) -> dict:
    """Production settings as deployed: secrets from the environment, DEBUG off, cached
    templates, whitenoise's compressed manifest, persistent database connections."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": datagen.BENCH_SECRET_KEY,
        "FIELD_ENCRYPTION_KEY": datagen.BENCH_FIELD_ENCRYPTION_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "DATABASE_CONN_MAX_AGE": "600",
        "STATIC_ROOT": str(STATIC_ROOT),
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "WAGTAILADMIN_BASE_URL": f"http://127.0.0.1:{port}",
        # Production refuses the demo's published keys and account (no page here pays).
        "STRIPE_SECRET_KEY": "sk_test_dongxi_bench_only",
        "STRIPE_PUBLISHABLE_KEY": "pk_test_dongxi_bench_only",
        "STRIPE_WEBHOOK_SECRET": "whsec_dongxi_bench_only",
        "PLATFORM_BANK_ACCOUNT_NAME": "东西消费帮扶平台（压测）",
        "PLATFORM_BANK_NAME": "压测银行",
        "PLATFORM_BANK_ACCOUNT_NUMBER": "0000 0000 0000 0000",
        # Production refuses to run settlement eagerly. A signed-in buyer's product view
        # enqueues its analytics task (marketplace.analytics) as in production, the request
        # paying the publish; no worker runs it here. The benchmark's own Redis database,
        # purged when the server stops (see bench.run).
        "CELERY_BROKER_URL": BROKER_URL,
    }
    # One cache shared by the workers, as in production (BENCH_REDIS_CACHE_URL=none: each
    # worker its own local memory cache).
    redis = os.environ.get("BENCH_REDIS_CACHE_URL", "redis://127.0.0.1:6379/9")
    if redis != "none":
        env["REDIS_CACHE_URL"] = redis
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _collectstatic(env: dict) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


@contextlib.contextmanager
def serve(database_url: str):
    """gunicorn on a free port; yields (base URL, master pid)."""
    port = _free_port()
    env = server_env(database_url, port)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "config.wsgi:application", "--workers", str(WORKERS)]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603  fixed arguments
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)
        purged = broker_purge()
        print(f"  {purged} queued page-view tasks purged from {BROKER_URL}", file=sys.stderr)


def _wait_until_up(base: str, process) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited while starting")
        with contextlib.suppress(OSError):
            request = urllib.request.Request(  # noqa: S310  our own http server
                base + "/shop/catalogue/", headers={"X-Forwarded-Proto": "https"}
            )
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310  http only
                if response.status == 200:
                    return
        time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer within 120 s")


def _worker_peak_rss_mb(master_pid: int) -> float:
    """Largest peak resident size (VmHWM) among the gunicorn workers."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    peaks = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        if match:
            peaks.append(int(match.group(1)) / 1024)
    return max(peaks, default=0.0)


def _pages(database_url: str) -> dict[str, list[str]]:
    """The paths each figure loads: product pages rotate over the newest products."""
    with datagen._connect(database_url) as conn:
        products = conn.execute(
            "SELECT slug, id FROM catalogue_product ORDER BY date_created DESC LIMIT %s",
            (PRODUCT_PAGES,),
        ).fetchall()
        county_page = conn.execute(
            "SELECT url_path FROM wagtailcore_page p JOIN cms_countypage c "
            "ON c.page_ptr_id = p.id WHERE p.live ORDER BY p.id LIMIT 1"
        ).fetchone()
    pages = {
        "catalogue list": ["/shop/catalogue/"],
        "product detail": [f"/shop/catalogue/{slug}_{pk}/" for slug, pk in products],
        "search": ["/shop/search/?q=" + urllib.parse.quote(SEARCH)],
    }
    if county_page:
        # url_path starts with the site root's path (/home/…).
        pages["county page"] = ["/" + county_page[0].split("/", 2)[2]]
    return pages


# Anonymous visitors get catalogue pages from the page cache; a session cookie (a signed-in
# buyer, a basket) has them rendered. These figures load the same pages that way.
RENDERED = {
    "catalogue list": "catalogue list, rendered",
    "product detail": "product detail, rendered",
}
SESSION_COOKIE = "sessionid=bench-no-such-session"


# Signed-in buyers: accounts the benchmark makes (signed_in_users_ensure), each signed in
# through the login form over HTTP; wrk sends the session cookie it got.
SIGNED_IN = {
    "consumer": "bench.consumer@dongxi.example",
    "institutional buyer": "bench.buyer@dongxi.example",
}
SIGNED_IN_PASSWORD = "bench-signed-in-only-2026"  # noqa: S105  a benchmark database's account
SIGNED_IN_PAGES = ("product detail", "catalogue list", "search")
LOGIN_PATH = "/shop/accounts/login/"
BASKET_PRODUCTS = 2


def signed_in_label(page: str, kind: str) -> str:
    return f"{page}, signed-in {kind}"


def _signed_in_users_create(database_url: str) -> None:
    env = server_env(database_url, 0)
    subprocess.run(
        [sys.executable, "-m", "bench.pages", "signed-in-users"], cwd=ROOT, env=env, check=True
    )


def set_cookies(headers) -> dict[str, str]:
    """name → value of the cookies a response sets (Secure ones included: the benchmark
    talks plain HTTP to gunicorn, saying the proxy's X-Forwarded-Proto: https)."""
    cookies = {}
    for header in headers.get_all("Set-Cookie") or []:
        parsed = SimpleCookie()
        parsed.load(header)
        cookies.update({name: morsel.value for name, morsel in parsed.items() if morsel.value})
    return cookies


def _cookies_apply(cookies: dict[str, str], headers) -> None:
    """The browser's cookies after a response: set, or dropped when set empty."""
    for header in headers.get_all("Set-Cookie") or []:
        parsed = SimpleCookie()
        parsed.load(header)
        for name, morsel in parsed.items():
            if morsel.value:
                cookies[name] = morsel.value
            else:
                cookies.pop(name, None)


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in sorted(cookies.items()))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def login_cookie(base: str, email: str, password: str, *, login_path: str = LOGIN_PATH) -> str:
    """Sign in through the store's login form as a browser does (CSRF cookie and token, the
    Referer HTTPS requires); the Cookie header of the signed-in session. (bench.oscar_compare
    signs in to stock Oscar's form, at its own path, the same way.)"""
    host = urllib.parse.urlsplit(base).netloc
    headers = {"X-Forwarded-Proto": "https"}
    request = urllib.request.Request(base + login_path, headers=headers)  # noqa: S310  our server
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310  http only
        html = response.read().decode()
        cookies = set_cookies(response.headers)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    form = {
        "csrfmiddlewaretoken": token,
        "login-username": email,
        "login-password": password,
        "login_submit": "1",
    }
    request = urllib.request.Request(  # noqa: S310  our own http server
        base + login_path,
        data=urllib.parse.urlencode(form).encode(),
        headers={
            **headers,
            "Cookie": cookie_header(cookies),
            "Referer": f"https://{host}{login_path}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=60) as response:
            raise RuntimeError(f"{email}: the login form answered {response.status}, no redirect")
    except urllib.error.HTTPError as redirect:
        if redirect.code != 302:
            raise
        cookies.update(set_cookies(redirect.headers))
        landing = urllib.parse.urljoin(base + login_path, redirect.headers["Location"])
    if "sessionid" not in cookies:
        raise RuntimeError(f"{email}: signing in set no session cookie")
    # The page the sign-in lands on shows its welcome message, and the browser drops the
    # message cookie: without this, every benchmarked page had a message waiting.
    for _ in range(5):  # the landing page, through its redirects
        request = urllib.request.Request(  # noqa: S310  our own http server
            landing, headers={**headers, "Cookie": cookie_header(cookies)}
        )
        try:
            with urllib.request.build_opener(_NoRedirect).open(request, timeout=60) as response:
                response.read()
                _cookies_apply(cookies, response.headers)
                break
        except urllib.error.HTTPError as moved:
            if moved.code not in (301, 302):
                raise
            _cookies_apply(cookies, moved.headers)
            landing = urllib.parse.urljoin(landing, moved.headers["Location"])
    if "messages" in cookies:
        raise RuntimeError(f"{email}: a message is still waiting after the landing page")
    return cookie_header(cookies)


def _county_page_create(database_url: str, port: int) -> None:
    """A CMS county page for the county with the most products (if the CMS has them)."""
    env = server_env(database_url, port)
    subprocess.run(
        [sys.executable, "-m", "bench.pages", "county-page"], cwd=ROOT, env=env, check=True
    )


def _query_counts(database_url: str, pages: dict[str, list[str]]) -> dict[str, int]:
    env = server_env(database_url, 0)
    paths = [paths[0] for paths in pages.values()]
    out = subprocess.run(  # noqa: S603  our own module, paths from the database
        [sys.executable, "-m", "bench.pages", "queries", *paths],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    by_path = json.loads(out.strip().splitlines()[-1])
    counts = {page: by_path["anonymous"][paths[0]] for page, paths in pages.items()}
    for page, rendered in RENDERED.items():
        counts[rendered] = by_path["rendered"][pages[page][0]]
    for kind in SIGNED_IN:
        for page in SIGNED_IN_PAGES:
            counts[signed_in_label(page, kind)] = by_path[kind][pages[page][0]]
    return counts


WRK_SCRIPT = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def _warm(base: str, paths: list[str], cookie: str) -> None:
    """Each path once, so that the figures are of a warm cache (as a running site has)."""
    for path in paths:
        headers = {"X-Forwarded-Proto": "https", **({"Cookie": cookie} if cookie else {})}
        request = urllib.request.Request(base + path, headers=headers)  # noqa: S310  our server
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310  http only
            response.read()


def _wrk(base: str, paths: list[str], seconds: int, *, cookie: str = "") -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % ", ".join(json.dumps(p) for p in paths))
    command = ["wrk", "-t", "2", "-c", str(CLIENTS), "--latency", "-s", script.name]
    command += ["-H", "X-Forwarded-Proto: https"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    try:
        _warm(base, paths, cookie)
        # A warm-up fills the workers' template and URL caches and the fragment cache.
        warm = [*command, "--timeout", "60s", "-d", "5s", base]
        subprocess.run(warm, check=True, capture_output=True)  # noqa: S603  fixed arguments
        out = subprocess.run(  # noqa: S603  fixed arguments
            [*command, "--timeout", "10s", "-d", f"{seconds}s", base],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        os.unlink(script.name)
    timeouts = re.search(r"timeout (\d+)", out)
    if timeouts and int(timeouts.group(1)):
        print(f"{paths[0]}: {timeouts.group(1)} requests timed out", file=sys.stderr)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{paths[0]}: {errors.group(1)} failed responses\n{out}")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),
    }


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def run() -> list[dict]:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (apt-get install wrk)")
    sizes = os.environ.get("BENCH_SIZES", "small,large").split(",")
    seconds = int(os.environ.get("BENCH_SECONDS", "10"))
    rows = []
    for name in sizes:
        size = datagen.SIZES[name]
        dataset = datagen.ensure(size)
        label = f"{size.products:,} products"
        rows.append(
            {
                "figure": "catalogue data generation"
                + ("" if dataset["generated_now"] else " (earlier run)"),
                "value": dataset["seconds"],
                "unit": "s",
                "size": label,
                "peak_memory_mb": "",
            }
        )
        _collectstatic(server_env(dataset["url"], 0))
        _county_page_create(dataset["url"], 0)
        _signed_in_users_create(dataset["url"])
        pages = _pages(dataset["url"])
        queries = _query_counts(dataset["url"], pages)
        runs = [(page, paths, "") for page, paths in pages.items()]
        runs += [(RENDERED[page], pages[page], SESSION_COOKIE) for page in RENDERED]
        with serve(dataset["url"]) as (base, master):
            for kind, email in SIGNED_IN.items():
                cookie = login_cookie(base, email, SIGNED_IN_PASSWORD)
                runs += [
                    (signed_in_label(page, kind), pages[page], cookie) for page in SIGNED_IN_PAGES
                ]
            for page, paths, cookie in runs:
                load = _wrk(base, paths, seconds, cookie=cookie)
                peak = _worker_peak_rss_mb(master)
                for figure, value, unit in (
                    ("requests", load["rps"], "req/s"),
                    ("p50 latency", load["p50"], "ms"),
                    ("p99 latency", load["p99"], "ms"),
                    ("SQL queries", queries[page], "per page"),
                ):
                    rows.append(
                        {
                            "figure": f"{page}: {figure}",
                            "value": value,
                            "unit": unit,
                            "size": label,
                            "peak_memory_mb": peak,
                        }
                    )
    return rows


def _count_queries(paths: list[str]) -> None:
    """In this process: each page requested once to warm caches, then counted."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {"anonymous": {}, "rendered": {}}
    for kind, cookie in (("anonymous", ""), ("rendered", SESSION_COOKIE)):
        headers = {"HTTP_COOKIE": cookie} if cookie else {}
        for path in paths:
            # A new visitor each time, as wrk's: no cookies from an earlier answer. Two
            # visits before: the page cache learns a CMS page's type, then keeps the page.
            for _visit in range(2):
                client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https", **headers)
                assert client.get(path).status_code == 200, path
            client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https", **headers)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            assert response.status_code == 200, path
            counts[kind][path] = len(captured)
    for kind, email in SIGNED_IN.items():
        # One buyer's session, signed in through the login form, for every page.
        client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
        response = client.post(
            LOGIN_PATH,
            {"login-username": email, "login-password": SIGNED_IN_PASSWORD, "login_submit": "1"},
            HTTP_REFERER=f"https://127.0.0.1{LOGIN_PATH}",
        )
        assert response.status_code == 302, f"{email} could not sign in"
        counts[kind] = {}
        for path in paths:
            assert client.get(path).status_code == 200, path
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
            assert response.status_code == 200, path
            counts[kind][path] = len(captured)
    print(json.dumps(counts))


def signed_in_users_ensure() -> None:
    """The benchmark's consumer and institutional buyer (an approved buyer of an eastern
    organisation), with the password SIGNED_IN_PASSWORD and two products for sale in their
    baskets. Idempotent: a second run changes nothing."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from oscar.core.loading import get_class, get_model

    from marketplace.catalogue.selectors import products_for_sale
    from marketplace.organisations.models import Membership, Organisation
    from marketplace.users.roles import CONSUMER, INSTITUTIONAL_BUYER
    from producers.models import Region
    from producers.validators import credit_code_check_char

    basket_model = get_model("basket", "Basket")
    strategy = get_class("partner.strategy", "Selector")().strategy()
    products = list(products_for_sale().order_by("-date_created", "-pk")[:BASKET_PRODUCTS])
    for kind, email in SIGNED_IN.items():
        user, _created = get_user_model().objects.get_or_create(
            email=email, defaults={"first_name": "压测"}
        )
        user.set_password(SIGNED_IN_PASSWORD)
        user.save()
        role = INSTITUTIONAL_BUYER if kind == "institutional buyer" else CONSUMER
        user.groups.add(Group.objects.get(name=role.code))
        if role is INSTITUTIONAL_BUYER:
            Membership.objects.get_or_create(
                organisation=_bench_organisation(Organisation, Region, credit_code_check_char),
                user=user,
                defaults={"role": Membership.Role.BUYER, "state": Membership.State.APPROVED},
            )
        basket, _created = basket_model.open.get_or_create(owner=user)
        if not basket.num_lines:
            basket.strategy = strategy
            for product in products:
                basket.add_product(product, 1)


def _bench_organisation(organisation_model, region_model, check_char):
    east = region_model.objects.filter(side=region_model.Side.EAST).order_by("pk").first()
    if east is None:
        east, _created = region_model.objects.get_or_create(
            code="339999",
            defaults={
                "name": "压测市",
                "level": region_model.Level.PROVINCE,
                "side": region_model.Side.EAST,
            },
        )
    first17 = "11339999000000001"
    organisation, _created = organisation_model.objects.get_or_create(
        credit_code=first17 + check_char(first17),
        defaults={
            "name": "压测采购单位",
            "kind": organisation_model.Kind.BUDGET_UNIT,
            "home_region": east,
        },
    )
    return organisation


def _county_page() -> None:
    import django

    django.setup()
    from django.db.models import Count

    try:
        from cms.models import CountyPage
        from demo.site import site_tree_load
    except ImportError:
        return  # no CMS county pages yet
    from producers.models import Region

    if CountyPage.objects.live().exists():
        return
    home = site_tree_load()
    county = (
        Region.objects.filter(level=Region.Level.COUNTY)
        .annotate(products=Count("county_cooperatives__products"))
        .order_by("-products", "code")
        .first()
    )
    page = CountyPage(
        title=county.name, slug=f"county-{county.code}", region=county, locale=home.locale
    )
    home.add_child(instance=page)
    page.save_revision().publish()


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    if command == "queries":
        _count_queries(arguments)
    elif command == "county-page":
        _county_page()
    elif command == "signed-in-users":
        import django

        django.setup()
        signed_in_users_ensure()
    else:
        raise SystemExit(f"unknown command {command}; run the benchmark with python -m bench.run")
