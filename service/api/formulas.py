"""`/v1/formulas/<Name>`: the pack formulas, answered from the current snapshot."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, request

from formulas import pack, portfolio, qbr, roi
from schemas.pack_formulas import PACK_FORMULAS
from service.api.params import only
from service.errors import ApiError
from service.jsonout import json_response
from service.snapshot import computing

bp = Blueprint("formulas", __name__, url_prefix="/v1/formulas")


@dataclass(frozen=True)
class Answer:
    """A formula whose text (the pack's result) comes with its figures as JSON (`data`)."""

    text: str
    data: dict


def _account(snap):
    return snap.accounts.find(request.args.get("accountName"))


def get_account_health(snap):
    return _account(snap)["health_score"]


def get_account_arr(snap):
    return _account(snap)["arr"]


def format_account_summary(snap):
    return pack.summary(_account(snap), snap.today)


def get_portfolio_summary(snap):
    name = request.args.get("csmName")
    csm = None if name is None or not name.strip() else portfolio.find_csm(snap.rows("PeopleTeam").rows, name)
    figures = portfolio.portfolio(snap.rows("AccountMaster").rows, csm)
    return Answer(portfolio.summary_line(figures), figures)


def calculate_platform_roi(snap):
    figures = roi.roi(_account(snap), snap.rows("Initiatives").rows, request.args.get("timePeriod"), snap.today)
    return Answer(roi.roi_line(figures), figures)


def get_qbr_brief(snap):
    account = _account(snap)
    start, end = qbr.period(request.args.get("startDate"), request.args.get("endDate"), snap.today)
    facts = qbr.brief(account, lambda table: snap.rows(table).rows, start, end)
    return Answer(qbr.markdown(facts), facts)


def create_reference_id(snap):
    name = pack.reference_account_name(snap.accounts, request.args.get("accountName"))
    return pack.reference_id(name, request.args.get("entityType"), request.args.get("sequence"))


SPECS = {spec.name: spec for spec in PACK_FORMULAS}
FORMULAS = {
    "GetAccountHealth": get_account_health,
    "GetAccountARR": get_account_arr,
    "FormatAccountSummary": format_account_summary,
    "CreateReferenceID": create_reference_id,
    "GetPortfolioSummary": get_portfolio_summary,
    "CalculatePlatformROI": calculate_platform_roi,
    "GetQBRBrief": get_qbr_brief,
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
    except (pack.UnknownAccount, portfolio.UnknownPerson) as exc:
        raise ApiError(404, exc.code, exc.message, {exc.param: [exc.message]}) from None
    except pack.FormulaError as exc:
        raise ApiError(400, exc.code, exc.message, {exc.param: [exc.message]}) from None
    if isinstance(result, Answer):  # what the pack shows, and the same in figures
        return json_response({"ok": True, "result": result.text, "data": result.data})
    return json_response({"ok": True, "result": result})
