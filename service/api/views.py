"""`GET /v1/views` (the views, as data) and `GET /v1/views/<slug>?account=&csm=` (one evaluated on the
current data: its definition and its groups of rows).  `views/evaluate.py` says what a view can say."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from formulas import pack, portfolio
from service.api.params import only
from service.errors import ApiError
from service.jsonout import json_response
from views.evaluate import NoAccounts, UnknownView, all_views, cached_answer

bp = Blueprint("views", __name__, url_prefix="/v1/views")


@bp.get("")
def list_views():
    only(())
    listed = [{"slug": v.slug, "name": v.name, "table": v.table.name, "description": v.description, "source": v.source}
              for v in all_views().values()]  # fmt: skip
    return json_response({"ok": True, "views": listed})


@bp.get("/<slug>")
def one_view(slug: str):
    only(("account", "csm"))
    snap = current_app.extensions["csm.snapshots"].current()
    try:
        body = cached_answer(snap, slug, request.args.get("account"), request.args.get("csm"))
    except UnknownView as exc:
        raise ApiError(404, "unknown_view", str(exc)) from None
    except pack.UnknownAccount as exc:
        raise ApiError(404, exc.code, exc.message, {"account": [exc.message]}) from None
    except portfolio.UnknownPerson as exc:
        raise ApiError(404, exc.code, exc.message, {"csm": [exc.message]}) from None
    except pack.FormulaError as exc:  # a blank or shared name
        param = "csm" if exc.param == "csmName" else "account"
        raise ApiError(400, exc.code, exc.message, {param: [exc.message]}) from None
    except NoAccounts as exc:
        raise ApiError(400, "bad_parameter", f"{exc}.", {"account": [str(exc)]}) from None
    return json_response({"ok": True, **body, "data_version": snap.version})
