"""The dashboard at `/dashboard`: server-rendered pages for a CS leader, from the same snapshot as the API.

Pages: the overview (tiles, health distribution, renewal pipeline, at-risk accounts, CSM workload),
an account's page (its QBR brief and health trend), and every view of `views/` rendered with its
formatting.  Sign-in exchanges an API token, typed into a form, for a session cookie
(`session.py`); a token is never accepted in a URL.  Pages are plain HTML and inline SVG with one
stylesheet served from here: no script, no CDN, and a Content-Security-Policy that allows nothing
else.  Errors under /dashboard are pages, not JSON.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, g, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from formulas import pack, portfolio
from formulas.common import rounded
from service.config import cookie_secure
from service.dashboard import cells, pages
from service.dashboard.brief import brief_html
from service.dashboard.session import Sessions, cross_site
from views.evaluate import NoAccounts, UnknownView, all_views, answer

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard", template_folder="templates", static_folder="static")

PREFIX = "/dashboard"
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
    """Where to go after signing in: a dashboard path of this site, never elsewhere."""
    if not target:
        return url_for("dashboard.overview")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target or not (target == PREFIX or target.startswith(PREFIX + "/")):
        return url_for("dashboard.overview")
    return target


@bp.before_request
def _guard():
    if "token" in request.args:
        raise PageError(
            400,
            "An API token never goes in a web address, where logs and browser history keep it. "
            "Sign in with the form instead, and consider replacing that token.",
        )
    if request.endpoint in ("dashboard.signin", "dashboard.static"):
        return None
    if request.method == "POST" and cross_site(request):
        raise PageError(403, "This form can only be sent from the dashboard itself.")
    visitor = _sessions().visitor(request)
    if visitor is None:
        if request.method != "GET":
            raise PageError(401, "Your session has ended; sign in again.")
        target = request.full_path if request.query_string else request.path
        return redirect(url_for("dashboard.signin", next=target), 303)
    g.visitor = visitor
    return None


@bp.route("/signin", methods=["GET", "POST"])
def signin():
    if request.method == "GET":
        if _sessions().visitor(request) is not None:
            return redirect(_safe_next(request.args.get("next")), 303)
        return render_template("dashboard/signin.html", next=request.args.get("next", ""), error=None)
    if cross_site(request):
        raise PageError(403, "This form can only be sent from the dashboard itself.")
    token = (request.form.get("token") or "").strip()
    target = request.form.get("next", "")
    entry = current_app.extensions["csm.tokens"].match(token) if token else None
    if entry is None:
        error = "Enter an API token." if not token else "That token is not valid."
        return render_template("dashboard/signin.html", next=target, error=error), 401
    response = redirect(_safe_next(target), 303)
    _sessions().sign_in(response, request, entry)
    return response


@bp.post("/signout")
def signout():
    response = redirect(url_for("dashboard.signin"), 303)
    _sessions().sign_out(response, request)
    return response


@bp.get("")
def overview():
    snap = _snapshot()
    return render_template("dashboard/overview.html", page=pages.overview(snap), views=all_views().values())


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
    account_name, csm = request.args.get("account"), request.args.get("csm")
    try:
        body = answer(snap, slug, account_name, csm)
    except UnknownView:
        raise PageError(404, f"No view is called {slug!r}.") from None
    except (pack.FormulaError, NoAccounts) as exc:  # unknown or shared names, a view without accounts
        raise PageError(404 if isinstance(exc, pack.UnknownAccount | portfolio.UnknownPerson) else 400,
                        getattr(exc, "message", str(exc))) from None  # fmt: skip
    chosen = all_views()[slug]
    table = chosen.table
    served = {r[table.id_key]: r for r in snap.rows(table.name).rows} if chosen.formatting else {}
    keys = list(dict.fromkeys((table.display_key, *chosen.columns)))
    groups = [
        {
            "label": group["group"],
            "rows": [
                {
                    "cells": _cells(table, keys, r),
                    # Formatting may test a column the view does not show: use the whole served row.
                    "classes": cells.row_classes(table, served.get(r[table.id_key], r), chosen.formatting),
                }
                for r in group["rows"]
            ],
        }
        for group in body["groups"]
    ]
    headers = [table.field(k).display_name or k.replace("_", " ").capitalize() for k in keys]
    return render_template(
        "dashboard/view.html",
        view=chosen,
        groups=groups,
        headers=headers,
        row_count=body["row_count"],
        account=account_name or "",
        csm=csm or "",
        today=snap.today,
        version=snap.version,
    )


def _cells(table, keys: list[str], row: dict) -> list[cells.Cell]:
    out = [cells.cell(table, k, row.get(k)) for k in keys]
    if table.name == "AccountMaster":  # the account's name links to its page
        out[0] = cells.Cell(out[0].text, row.get("account_id"))
    return out


def _error_page(status: int, message: str):
    return render_template("dashboard/error.html", status=status, message=message), status


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
    app.add_template_filter(pack.compact_usd, "usd")
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
