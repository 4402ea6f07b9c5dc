"""`/v1/openapi.json`: the OpenAPI 3 document of this service."""

from __future__ import annotations

from flask import Blueprint

from service.api.params import only
from service.jsonout import json_response
from service.openapi import openapi_document

bp = Blueprint("openapi", __name__)


@bp.get("/v1/openapi.json")
def document():
    only(())
    return json_response(openapi_document())
