"""A real OpenID Connect provider for tests: the certified `oidc-provider` npm package
(tests/oidc/provider.mjs), run by Node on 127.0.0.1 on a port the system picks.

`make install` installs it (npm in tests/oidc). A missing Node or package fails the test
that needs it, with the command to fix it; nothing skips.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "provider.mjs"
PACKAGE = HERE / "node_modules" / "oidc-provider" / "package.json"


@dataclass
class ProviderAccount:
    sub: str
    email: str
    password: str
    name: str = "Test Person"
    email_verified: bool = True


@dataclass
class LocalOidcProvider:
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    accounts: list[ProviderAccount]
    amr: list[str] | None = None
    acr: str | None = None
    issuer: str = ""
    _process: subprocess.Popen | None = field(default=None, repr=False)
    _log: Path | None = field(default=None, repr=False)

    def start(self, timeout: float = 20) -> LocalOidcProvider:
        node = shutil.which("node")
        assert node, "Council sign-in tests need Node.js (installed with npm; see the Makefile)"
        assert PACKAGE.exists(), (
            "Council sign-in tests need the oidc-provider package: run "
            "`npm install --prefix tests/oidc` (make install does it)"
        )
        config = {
            "clients": [{"client_id": self.client_id, "client_secret": self.client_secret,
                         "redirect_uris": self.redirect_uris}],
            "users": [vars(a) for a in self.accounts],
            "amr": self.amr,
            "acr": self.acr,
        }
        env = {**os.environ, "OIDC_TEST_CONFIG": json.dumps(config), "NODE_ENV": "test"}
        # Its output goes to a file, so that a chatty provider never blocks on a full pipe.
        self._log = Path(tempfile.mkstemp(prefix="epep-oidc-", suffix=".log")[1])
        with self._log.open("w") as log:
            self._process = subprocess.Popen(  # noqa: S603 - fixed arguments
                [node, str(SCRIPT)], cwd=HERE, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._process.poll() is None:
            for line in self._log.read_text().splitlines():
                if line.startswith("READY "):
                    self.issuer = line.split()[1]
                    return self
            time.sleep(0.1)
        output = self._log.read_text()
        self.stop()
        raise AssertionError("The test OpenID provider did not start:\n" + output)

    @property
    def output(self) -> str:
        return self._log.read_text() if self._log else ""

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        if self._log:
            self._log.unlink(missing_ok=True)
