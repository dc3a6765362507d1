"""A real OpenID provider for the sign-in tests: node-oidc-provider (tests/oidc_provider/) in a
subprocess on 127.0.0.1, with signing keys the test generates (so that negative tests can sign
tokens with the provider's own key or a stranger's), one client and the accounts' claims.

`dev_login` drives the provider's development login and consent forms with httpx (any login
name signs in; a name in `accounts` gets its claims) and returns the callback URL it redirects
to, with `code` and `state`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from joserfc.jwk import RSAKey

__all__ = ["OidcProvider", "dev_login", "new_key", "run_provider"]

PROVIDER_DIR = Path(__file__).parent / "oidc_provider"
CLIENT_ID = "courses-test"
CLIENT_SECRET = "test-secret-not-for-use"


def new_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "alg": "RS256", "use": "sig"})


@dataclass
class OidcProvider:
    issuer: str
    key: RSAKey
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    process: subprocess.Popen[str] | None = field(default=None, repr=False)

    def settings(self, *, name: str = "Testinloggning", domains: list[str]) -> dict[str, Any]:
        """The organizer's `oidc` column for this provider."""
        return {
            "issuer": self.issuer,
            "client_id": self.client_id,
            "name": name,
            "scopes": ["openid", "email"],
            "domains": domains,
        }


def run_provider(
    tmp_path: Path,
    *,
    redirect_uris: list[str],
    accounts: dict[str, dict[str, Any]],
    post_logout_redirect_uris: list[str] = (),  # type: ignore[assignment]
) -> Iterator[OidcProvider]:
    """Start the provider, yield it once it listens, stop it after."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        missing = "node and npm run the OpenID provider of these tests (apt-get install nodejs npm)"
        if os.environ.get("CI") == "true":
            pytest.fail(missing)  # under CI every test runs (.ci/run installs them)
        pytest.skip(missing)
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.fail(
            "the OpenID provider is not installed: run make test, or npm ci --prefix "
            "tests/oidc_provider"
        )
    key = new_key("test-key-1")
    config = {
        "port": 0,
        "client": {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": redirect_uris,
            "post_logout_redirect_uris": list(post_logout_redirect_uris),
        },
        "accounts": accounts,
        "jwks": {"keys": [key.as_dict(private=True)]},
    }
    config_file = tmp_path / "oidc-provider.json"
    config_file.write_text(json.dumps(config))
    process = subprocess.Popen(
        ["node", str(PROVIDER_DIR / "provider.mjs"), str(config_file)],
        cwd=PROVIDER_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        issuer = _wait_listening(process)
        yield OidcProvider(issuer=issuer, key=key, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _wait_listening(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"the OpenID provider stopped (exit {process.wait()})")
        if line.startswith("listening "):
            return line.split()[1]
    raise RuntimeError("the OpenID provider did not start within 20 s")


_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


def dev_login(client: httpx.Client, authorization_url: str, login: str) -> str:
    """Sign in at the provider's development forms; the callback URL it sends the browser to."""
    response = client.get(authorization_url, follow_redirects=True)
    response.raise_for_status()
    for data in ({"prompt": "login", "login": login, "password": "x"}, {"prompt": "consent"}):
        match = _ACTION.search(response.text)
        assert match is not None, response.text
        response = client.post(match.group(1), data=data)
        while response.status_code in (302, 303):
            location = response.headers["location"]
            if "code=" in location and "state=" in location:
                return str(location)
            response = client.get(httpx.URL(str(response.url)).join(location))
    raise AssertionError(f"the provider did not send the browser back: {response.text[:500]}")
