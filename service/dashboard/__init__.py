"""The dashboard at `/dashboard`: server-rendered pages for a CS leader, from the same snapshot as the API.

Pages: the overview (tiles, health distribution, renewal pipeline, at-risk accounts, CSM workload),
an account's page (its QBR brief and health trend), and every view of `views/` rendered with its
formatting.  Sign-in exchanges an API token, typed into a form, for a session cookie
(`session.py`); a token is never accepted in a URL.  Pages are plain HTML and inline SVG with one
stylesheet served from here: no script, no CDN, and a Content-Security-Policy that allows nothing
else.  Errors under /dashboard are pages, not JSON.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit

from flask import Blueprint, Flask, current_app, g, make_response, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from formulas import pack, portfolio
from formulas.common import rounded
from schemas.values import compact_usd
from service.config import cookie_secure
from service.dashboard import pages
from service.dashboard.brief import brief_html
from service.dashboard.session import Sessions, cross_site
from views.evaluate import NoAccounts, UnknownView, all_views, cached_answer

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard", template_folder="templates", static_folder="static")

PREFIX = "/dashboard"
SAFE_URL = "/?&=%:@!$'()*+,;-._~"  # what stays as it is when a path goes into a header or a page
_DASHBOARD_URL = re.compile(r"/dashboard(?:[/?#]|$)")
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


class PageError(HTTPException):
    """An error shown as a page: a status and the sentence to show."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.code = status
        self.message = message


def _sessions() -> Sessions:
    return current_app.extensions["csm.dashboard.sessions"]


def _snapshot():
    return current_app.extensions["csm.snapshots"].current()


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a dashboard path of this site, never elsewhere.  The text must
    start with `/dashboard` followed by `/`, `?`, `#` or nothing, hold no space or control character
    (Python's URL parser drops tabs and newlines, a browser's may not), no backslash and no dot segment
    (`/dashboard/../v1` leaves the dashboard once a browser resolves it); anything else outside
    printable ASCII is percent-encoded."""
    home = url_for("dashboard.overview")
    if not target or not _DASHBOARD_URL.match(target) or any(ord(c) <= 0x20 or ord(c) == 0x7F for c in target):
        return home
    path = urlsplit(target).path
    if "\\" in unquote(target) or any(unquote(segment) in (".", "..") for segment in path.split("/")):
        return home
    return quote(target, safe=SAFE_URL + "#")


def _here() -> str:
    """This request's own address (path and query), encoded exactly once, for a page that points back at it."""
    path = quote(request.path, safe=SAFE_URL.replace("%", ""))
    query = request.query_string.decode("latin-1")
    return f"{path}?{quote(query, safe=SAFE_URL)}" if query else path


@bp.before_request
def _guard():
    if "token" in request.args:
        raise PageError(
            400,
            "An API token never goes in a web address, where logs and browser history keep it. "
            "Sign in with the form instead, and consider replacing that token.",
        )
    if request.method == "POST" and cross_site(request):
        raise PageError(403, "This form can only be sent from the dashboard itself.")
    if request.endpoint in ("dashboard.signin", "dashboard.signout", "dashboard.static"):
        return None
    if request.method == "OPTIONS":  # which methods a page allows is no secret
        return None
    visitor = _sessions().visitor(request)
    if visitor is None:
        if request.method not in ("GET", "HEAD"):
            raise PageError(401, "Your session has ended; sign in again.")
        if request.headers.get("Sec-Fetch-Site") == "cross-site":
            # A link followed from another site (an alert in Slack, an e-mail): SameSite=Strict keeps
            # the cookie off this one request, so it cannot tell who is signed in.  A page of ours
            # that reloads the address is a same-site navigation, which carries the cookie.
            return render_template("dashboard/reload.html", target=_here())
        return redirect(url_for("dashboard.signin", next=_here()), 303)
    g.visitor = visitor
    return None


@bp.route("/signin", methods=["GET", "POST"])
def signin():
    if request.method == "GET":
        if _sessions().visitor(request) is not None:
            return redirect(_safe_next(request.args.get("next")), 303)
        notice = "You have signed out." if "signed_out" in request.args else None
        return render_template("dashboard/signin.html", next=request.args.get("next", ""), error=None, notice=notice)
    token = (request.form.get("token") or "").strip()  # a cross-site post never gets here (_guard)
    target = request.form.get("next", "")
    entry = current_app.extensions["csm.tokens"].match(token) if token else None
    if entry is None:
        error = "Enter an API token." if not token else "That token is not valid."
        return render_template("dashboard/signin.html", next=target, error=error, notice=None), 401
    response = redirect(_safe_next(target), 303)
    _sessions().sign_in(response, request, entry)
    return response


@bp.post("/signout")
def signout():
    response = redirect(url_for("dashboard.signin", signed_out=1), 303)
    _sessions().sign_out(response, request)
    return response


@bp.get("")
def overview():
    snap = _snapshot()
    page = snap.memo("dashboard.overview", lambda: pages.overview(snap))  # once per data version
    return render_template("dashboard/overview.html", page=page, views=all_views().values())


@bp.get("/accounts/<account_id>")
def account(account_id: str):
    snap = _snapshot()
    row = snap.accounts.by_id(account_id)
    if row is None:
        raise PageError(404, f"No account has the id {account_id!r}.")
    page = pages.account(snap, row)
    return render_template("dashboard/account.html", page=page, brief=brief_html(page["brief_markdown"]))


@bp.get("/views/<slug>")
def view(slug: str):
    snap = _snapshot()
    chosen = all_views().get(slug)
    if chosen is None:
        raise PageError(404, str(UnknownView(slug)))
    account_name, csm = request.args.get("account") or "", request.args.get("csm") or ""
    status, error, body = 200, None, None
    try:
        body = cached_answer(snap, slug, account_name, csm)
    except (pack.FormulaError, NoAccounts) as exc:  # unknown or shared names, a view without accounts
        # Shown above the form on the view's own page, so the name can be corrected there.
        status = 404 if isinstance(exc, pack.UnknownAccount | portfolio.UnknownPerson) else 400
        error = getattr(exc, "message", None) or f"{str(exc)[0].upper()}{str(exc)[1:]}."
    if body is not None and not account_name.strip() and not csm.strip():
        page = snap.memo(("dashboard.view", slug), lambda: pages.view(snap, chosen, body))
    else:
        page = pages.view(snap, chosen, body)
    return (
        render_template("dashboard/view.html", view=chosen, page=page, account=account_name, csm=csm, error=error),
        status,
    )


def _error_page(status: int, message: str):
    return make_response(render_template("dashboard/error.html", status=status, message=message), status)


def html_error(status: int, message: str):
    """The error as a page when the request was for the dashboard; None for the API's JSON."""
    if request.path != PREFIX and not request.path.startswith(PREFIX + "/"):
        return None
    return _error_page(status, message)


@bp.errorhandler(PageError)
def _page_error(exc: PageError):
    return _error_page(exc.code, exc.message)


def _score(value) -> str:
    return "n/a" if value is None else f"{rounded(value):.1f}"


def _signed(value) -> str:
    return "n/a" if value is None else f"{rounded(value):+.1f}"


def init_app(app: Flask, secret: str) -> None:
    app.extensions["csm.dashboard.sessions"] = Sessions(
        secret, app.extensions["csm.tokens"].entries, cookie_secure(app.config)
    )
    app.extensions["csm.html_errors"] = html_error
    app.add_template_filter(compact_usd, "usd")
    app.add_template_filter(_score, "score")
    app.add_template_filter(_signed, "signed")
    app.add_template_filter(pages.tone, "tone")

    @app.after_request
    def _headers(response):
        if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
            response.headers.update(HEADERS)
            if request.endpoint != "dashboard.static":
                response.headers["Cache-Control"] = "no-store"
        return response

    app.register_blueprint(bp)
