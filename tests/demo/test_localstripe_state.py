"""The demo's localstripe keeps its payments in a file of its own, or in memory: never in the
one file every localstripe on the machine shares (/tmp/localstripe.pickle), where two
servers overwrite each other and one starting while another writes exits on a torn file."""

import subprocess
import sys
from pathlib import Path

import requests
from django.conf import settings

from tests.marketplace.checkout.conftest import _free_port, _listening

SHARED_FILE = Path("/tmp/localstripe.pickle")  # noqa: S108  localstripe's own fixed path
SECRET = "sk_test_demo"


def _start(*options: str) -> tuple[subprocess.Popen, str]:
    for _attempt in range(3):
        port = _free_port()
        process = subprocess.Popen(  # noqa: S603  our own dev tooling, fixed arguments
            [sys.executable, "-m", "demo.localstripe_wallets", "--port", str(port), *options],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=settings.BASE_DIR,
        )
        if _listening(process, port):
            return process, f"http://127.0.0.1:{port}"
        process.kill()
        process.wait()
    raise AssertionError("localstripe did not start")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=10)


def _customer_create(base: str, email: str) -> str:
    response = requests.post(
        f"{base}/v1/customers", data={"email": email}, auth=(SECRET, ""), timeout=10
    )
    response.raise_for_status()
    return response.json()["id"]


def _customer_found(base: str, customer_id: str) -> bool:
    response = requests.get(f"{base}/v1/customers/{customer_id}", auth=(SECRET, ""), timeout=10)
    return response.status_code == 200


def test_a_restarted_demo_localstripe_still_knows_its_payments(tmp_path):
    state = tmp_path / "localstripe.pickle"
    process, base = _start("--state-file", str(state))
    try:
        customer = _customer_create(base, "buyer@example.com")
    finally:
        _stop(process)
    assert state.exists()

    process, base = _start("--state-file", str(state))
    try:
        assert _customer_found(base, customer)
    finally:
        _stop(process)


def test_without_a_state_file_nothing_is_shared_between_servers():
    before = SHARED_FILE.stat().st_mtime_ns if SHARED_FILE.exists() else None
    first, first_base = _start()
    second, second_base = _start()
    try:
        customer = _customer_create(first_base, "buyer@example.com")
        assert _customer_found(first_base, customer)
        # The second server never sees the first one's objects, on disk or otherwise
        assert not _customer_found(second_base, customer)
    finally:
        _stop(first)
        _stop(second)
    after = SHARED_FILE.stat().st_mtime_ns if SHARED_FILE.exists() else None
    assert after == before
