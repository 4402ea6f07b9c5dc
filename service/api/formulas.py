"""`/v1/formulas/<Name>`: the four pack formulas, answered from the current snapshot."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from formulas import pack
from schemas.pack_formulas import PACK_FORMULAS
from service.api.params import only
from service.errors import ApiError
from service.jsonout import json_response
from service.snapshot import computing

bp = Blueprint("formulas", __name__, url_prefix="/v1/formulas")


def _account(snap):
    return snap.accounts.find(request.args.get("accountName"))


def get_account_health(snap):
    return _account(snap)["health_score"]


def get_account_arr(snap):
    return _account(snap)["arr"]


def format_account_summary(snap):
    return pack.summary(_account(snap), snap.today)


def create_reference_id(snap):
    name = pack.reference_account_name(snap.accounts, request.args.get("accountName"))
    return pack.reference_id(name, request.args.get("entityType"), request.args.get("sequence"))


SPECS = {spec.name: spec for spec in PACK_FORMULAS}
FORMULAS = {
    "GetAccountHealth": get_account_health,
    "GetAccountARR": get_account_arr,
    "FormatAccountSummary": format_account_summary,
    "CreateReferenceID": create_reference_id,
}


@bp.get("/<name>")
def formula(name: str):
    fn = FORMULAS.get(name)
    if fn is None:
        raise ApiError(404, "unknown_formula", f'Formula "{name}" does not exist; formulas are: {", ".join(FORMULAS)}.')
    only(p.name for p in SPECS[name].params)
    snap = current_app.extensions["csm.snapshots"].current()
    try:
        with computing(f"formula {name}", allowed=(pack.FormulaError,)):
            result = fn(snap)
    except pack.UnknownAccount as exc:
        raise ApiError(404, exc.code, exc.message, {exc.param: [exc.message]}) from None
    except pack.FormulaError as exc:
        raise ApiError(400, exc.code, exc.message, {exc.param: [exc.message]}) from None
    return json_response({"ok": True, "result": result})
