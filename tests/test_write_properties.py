"""Any JSON sent to the write endpoints: a 2xx or a 4xx in the error shape, never a 500, and a
refused write leaves the store file byte for byte as it was."""

from __future__ import annotations

import shutil

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas import SYNC_TABLES
from service import create_app
from tests.conftest import TODAY

EDITABLE = [t for t in SYNC_TABLES if t.editable]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(["ACC-00001", "PER-00002", "2026-11-20", "2026-02-30", "Done", "High", "", " "]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3),
    max_leaves=6,
)


def body_for(table):
    keys = st.sampled_from([f.key for f in table.fields] + ["nope", ""])
    return st.dictionaries(keys, values, max_size=4)


requests = st.sampled_from(EDITABLE).flatmap(
    lambda t: st.tuples(
        st.just(t),
        st.sampled_from(["insert", "patch", "batch", "delete"]),
        body_for(t),
        st.sampled_from([t.make_id(1), t.make_id(2), t.make_id(99), "x", t.make_id(1).lower()]),
        values,
    )
)


def _check(response, before: bytes, after: bytes) -> None:
    assert response.status_code < 500, response.get_data()
    body = response.json
    assert isinstance(body, dict) and isinstance(body.get("ok"), bool)
    if response.status_code >= 400:
        assert body["ok"] is False and body["status"] == response.status_code and body["code"] and body["error"]
        assert after == before, "a refused write changed the store"
    for result in body.get("results", []):
        if not result["ok"]:
            assert 400 <= result["status"] < 500 and result["code"] and result["error"]


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(request=requests)
def test_any_write_is_answered_in_the_error_shape_or_done(tmp_path_factory, seeded_file, request):
    path = tmp_path_factory.mktemp("w") / "csm.json"
    shutil.copyfile(seeded_file, path)
    app = create_app({"CSM_DATA": str(path), "CSM_TODAY": TODAY, "TESTING": True, "CSM_API_TOKENS": "t"})
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer t"
    table, op, body, row_id, previous = request
    base = f"/v1/tables/{table.name}/rows"
    before = path.read_bytes()
    if op == "insert":
        response = client.post(base, json=body)
    elif op == "patch":
        response = client.patch(f"{base}/{row_id}", json=body)
    elif op == "batch":
        update = {"id": row_id, "changes": body, "previous": previous}
        response = client.post(f"{base}/batch", json={"updates": [update]})
    else:
        response = client.delete(f"{base}/{row_id}")
    _check(response, before, path.read_bytes())
