"""Dashboard sign-in: an API token typed into a form, exchanged for a signed session cookie.

Decisions:
- The cookie holds the token's name and a fingerprint of the token (an HMAC of it under the secret
  key, so the cookie never carries the token or anything that reveals it), signed and timestamped
  with itsdangerous under the service's secret key (the one that signs continuations, with its own
  salt).  A session is honoured only while a configured token still has that fingerprint: taking
  a token out of CSM_API_TOKENS ends its sessions at the next restart, as it ends its API access.
- The cookie is HttpOnly, SameSite=Strict, limited to /dashboard, and Secure when the request came
  over https (or CSM_COOKIE_SECURE says so, behind a proxy that ends TLS).  It lasts 12 hours;
  signing out deletes it from the browser.  The session is stateless, so a copy of the cookie taken
  before sign-out stays valid until it expires (as a token stays valid until it is revoked).
- Read-only tokens may sign in: the dashboard only reads.
- Cross-site form posts are refused by their Origin / Sec-Fetch-Site headers (no CSRF token to
  manage); SameSite=Strict already keeps the cookie off them.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from service.config import ApiToken

COOKIE = "csm_dashboard"
COOKIE_PATH = "/dashboard"
MAX_AGE = 12 * 3600
SALT = "csm-dashboard-session"


@dataclass(frozen=True)
class Visitor:
    token_name: str


class Sessions:
    def __init__(self, secret: str, tokens: list[ApiToken], force_secure: bool = False) -> None:
        self._secret = secret.encode("utf-8")
        self._signer = URLSafeTimedSerializer(secret, salt=SALT)
        self._by_fingerprint = {self.fingerprint(t.token): t for t in tokens}
        self._force_secure = force_secure

    def fingerprint(self, token: str) -> str:
        return hmac.new(self._secret, token.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:32]

    def sign_in(self, response: Response, request: Request, entry: ApiToken) -> None:
        value = self._signer.dumps({"n": entry.name, "f": self.fingerprint(entry.token)})
        response.set_cookie(
            COOKIE,
            value,
            max_age=MAX_AGE,
            path=COOKIE_PATH,
            secure=self._force_secure or request.is_secure,
            httponly=True,
            samesite="Strict",
        )

    def sign_out(self, response: Response, request: Request) -> None:
        response.delete_cookie(
            COOKIE, path=COOKIE_PATH, secure=self._force_secure or request.is_secure, httponly=True, samesite="Strict"
        )

    def visitor(self, request: Request) -> Visitor | None:
        """Who signed in, from a valid, unexpired cookie whose token is still configured; else None."""
        value = request.cookies.get(COOKIE)
        if not value or len(value) > 4096:
            return None
        try:
            data = self._signer.loads(value, max_age=MAX_AGE)
        except BadSignature:  # SignatureExpired included
            return None
        if not isinstance(data, dict) or not isinstance(data.get("f"), str):
            return None
        entry = self._by_fingerprint.get(data["f"])
        if entry is None:
            return None
        return Visitor(entry.name)


def cross_site(request: Request) -> bool:
    """A state-changing request that a browser says came from another site."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:  # every current browser sends it
        return site not in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is None:
        return False  # not a browser's form post: browsers send Origin with every POST
    # The host only: behind a proxy that ends TLS the scheme seen here differs from the browser's.
    return urlsplit(origin).netloc != request.host
