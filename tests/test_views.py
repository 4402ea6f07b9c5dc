"""Views as data, evaluated: every view's rows hand-checked on the seed (2026-11-20), the account and
CSM scopes, the errors, and the CLI."""

from __future__ import annotations

import json

import pytest

from views.evaluate import all_views

# (group, [ids]) per view, as read off the seed's rows (see the view's description for its rule).
EXPECTED = {
    # Active, Renewal Pending or At Risk (HealthTech's status: the account a command center is for);
    # riskiest, then the nearest renewal.
    "csm-command-center": [("James Okafor", ["ACC-00003"]), ("Sarah Chen", ["ACC-00004", "ACC-00002", "ACC-00001"])],
    "strategic-objectives-board": [
        ("In Progress", ["OBJ-00012", "OBJ-00003", "OBJ-00010"]),
        ("On Track", ["OBJ-00013", "OBJ-00001", "OBJ-00005", "OBJ-00006", "OBJ-00009"]),
        ("At Risk", ["OBJ-00008"]),
        ("Achieved", ["OBJ-00004", "OBJ-00002", "OBJ-00011"]),
    ],
    "health-dashboard": [("At Risk", ["ACC-00003"]), ("Attention Needed", ["ACC-00004"])],  # 63.7, 73.9
    "qbr-preparation": [(None, ["ACC-00001", "ACC-00004", "ACC-00003", "ACC-00002"])],  # by name
    "renewal-risk-pipeline": [("At Risk", ["ACC-00003"]), ("Healthy", ["ACC-00002"])],  # 131 and 72 days
    "renewal-risk": [(None, ["ACC-00003"])],
    "objectives-at-risk": [(None, ["OBJ-00008"])],
    "critical-gaps": [(None, ["CAP-00007"])],
    "critical-apis": [(None, ["API-00001", "API-00004", "API-00010", "API-00002", "API-00005", "API-00003"])],
    "unhealthy-apis": [(None, ["API-00003", "API-00010", "API-00007", "API-00009"])],  # Mission-Critical first
    "critical-metrics": [(None, ["MET-00010", "MET-00012"])],
    "metric-alerts": [(None, ["MET-00010", "MET-00012"])],  # Urgent, then Alert
    "initiatives-in-progress": [(None, ["INI-00005", "INI-00007", "INI-00001", "INI-00004"])],
    "overdue-initiatives": [(None, ["INI-00005"])],  # 51 days
    "high-roi": [(None, ["INI-00004", "INI-00007", "INI-00006", "INI-00003", "INI-00002", "INI-00001"])],
    "critical-and-high-risks": [(None, ["RISK-00005", "RISK-00008", "RISK-00002", "RISK-00001", "RISK-00007"])],
    "open-risks": [
        ("High", ["RISK-00005", "RISK-00008", "RISK-00001", "RISK-00002", "RISK-00007"]),
        ("Medium", ["RISK-00006"]),
    ],
    "achieved-outcomes": [(None, [])],  # none Achieved in the seed yet
    "recent-engagements": [
        (
            None,
            [
                "ENG-00012",
                "ENG-00006",
                "ENG-00021",
                "ENG-00011",
                "ENG-00005",
                "ENG-00010",
                "ENG-00020",
                "ENG-00004",
                "ENG-00009",
                "ENG-00017",
                "ENG-00016",
                "ENG-00003",
                "ENG-00019",
                "ENG-00008",
            ],
        )
    ],  # fmt: skip
    "qbrs": [(None, ["ENG-00010", "ENG-00004", "ENG-00019", "ENG-00007", "ENG-00001", "ENG-00013"])],
    # By owner; the longest overdue first: TSK-00011 7 days, TSK-00001 5, TSK-00007 2; TSK-00012 8 days.
    "overdue-tasks": [
        ("James Okafor", ["TSK-00006"]),
        ("Marcus Johnson", ["TSK-00011", "TSK-00001", "TSK-00007"]),
        ("Sarah Chen", ["TSK-00012"]),
    ],
    # --- seed 001's "All" and "By" views, and High Impact -------------------------------------
    "all-accounts": [(None, ["ACC-00001", "ACC-00004", "ACC-00003", "ACC-00002"])],  # by name
    "accounts-by-csm": [("James Okafor", ["ACC-00003"]), ("Sarah Chen", ["ACC-00001", "ACC-00004", "ACC-00002"])],
    "accounts-by-health-score": [(None, ["ACC-00003", "ACC-00004", "ACC-00001", "ACC-00002"])],  # 63.7 ... 88.4
    "all-team-members": [(None, ["PER-00004", "PER-00005", "PER-00003", "PER-00002", "PER-00001"])],  # David ... Sarah
    "people-by-role": [  # in the role select's order
        ("CSM", ["PER-00005", "PER-00001"]),
        ("AE", ["PER-00003"]),
        ("SE", ["PER-00002"]),
        ("Executive Sponsor", ["PER-00004"]),
    ],
    # $3.18M (David, Lisa, Marcus: a tie, by name), $2.83M (Sarah), $350K (James).
    "people-by-portfolio-size": [(None, ["PER-00004", "PER-00003", "PER-00002", "PER-00001", "PER-00005"])],
    "all-contexts": [(None, ["CTX-00001", "CTX-00004", "CTX-00003", "CTX-00002"])],  # by account name
    "contexts-by-digital-maturity": [
        ("Digital Native", ["CTX-00002"]),
        ("Transforming", ["CTX-00001", "CTX-00004"]),
        ("Traditional", ["CTX-00003"]),
    ],
    "all-objectives": [
        (
            None,
            [
                "OBJ-00002",
                "OBJ-00001",
                "OBJ-00003",
                "OBJ-00012",
                "OBJ-00013",
                "OBJ-00011",
                "OBJ-00008",
                "OBJ-00009",
                "OBJ-00010",
                "OBJ-00004",
                "OBJ-00005",
                "OBJ-00006",
                "OBJ-00007",
            ],
        )
    ],  # fmt: skip
    "objectives-by-status": [
        ("Planning", ["OBJ-00007"]),
        ("In Progress", ["OBJ-00003", "OBJ-00010", "OBJ-00012"]),
        ("On Track", ["OBJ-00001", "OBJ-00005", "OBJ-00009", "OBJ-00006", "OBJ-00013"]),
        ("At Risk", ["OBJ-00008"]),
        ("Achieved", ["OBJ-00011", "OBJ-00002", "OBJ-00004"]),
    ],
    "objectives-by-strategic-pillar": [
        ("Revenue Growth", ["OBJ-00010"]),
        ("Cost Optimization", ["OBJ-00005"]),
        ("Customer Experience", ["OBJ-00004", "OBJ-00003", "OBJ-00009"]),
        ("Operational Resilience", ["OBJ-00001", "OBJ-00008"]),
        ("Innovation Velocity", ["OBJ-00013"]),
        ("Risk Mitigation", ["OBJ-00012"]),
        ("Sustainability/ESG", ["OBJ-00007"]),
        ("Market Expansion", ["OBJ-00006"]),
        ("Compliance/Regulatory", ["OBJ-00002", "OBJ-00011"]),
    ],
    "high-impact-objectives": [(None, ["OBJ-00012", "OBJ-00001", "OBJ-00004", "OBJ-00013"])],  # 100, 72, 48, 25
    "all-capabilities": [
        (
            None,
            [
                "CAP-00001",
                "CAP-00003",
                "CAP-00002",
                "CAP-00010",
                "CAP-00011",
                "CAP-00007",
                "CAP-00009",
                "CAP-00008",
                "CAP-00004",
                "CAP-00006",
                "CAP-00005",
            ],
        )
    ],  # fmt: skip
    "capabilities-by-gap-status": [  # the view's group_order: Critical first, At Target last
        ("🔴 Critical Gap", ["CAP-00007"]),
        ("🟡 Moderate Gap", ["CAP-00010", "CAP-00009", "CAP-00003"]),
        ("🟢 Small Gap", ["CAP-00002", "CAP-00001", "CAP-00008", "CAP-00005", "CAP-00006", "CAP-00011"]),
        ("✅ At Target", ["CAP-00004"]),
    ],
    "capabilities-by-priority": [
        ("P0-Critical", ["CAP-00007", "CAP-00010", "CAP-00002"]),
        ("P1-High", ["CAP-00009", "CAP-00001", "CAP-00008", "CAP-00005", "CAP-00004"]),
        ("P2-Medium", ["CAP-00003", "CAP-00006", "CAP-00011"]),
    ],
    "all-value-streams": [
        (None, ["VS-00002", "VS-00001", "VS-00008", "VS-00007", "VS-00005", "VS-00006", "VS-00004", "VS-00003"])
    ],
    # $10.48M, $10.31M, $7.88M, $2.84M, $2.747M, $1.922M, $1.2M, $520K
    "value-streams-by-business-value": [
        (None, ["VS-00001", "VS-00007", "VS-00002", "VS-00003", "VS-00004", "VS-00006", "VS-00008", "VS-00005"])
    ],
    "high-impact-value-streams": [(None, ["VS-00001", "VS-00007", "VS-00002"])],  # $5M a year or more
    "all-apis": [
        (
            None,
            [
                "API-00003",
                "API-00002",
                "API-00001",
                "API-00011",
                "API-00010",
                "API-00009",
                "API-00008",
                "API-00007",
                "API-00005",
                "API-00006",
                "API-00004",
            ],
        )
    ],  # fmt: skip
    "apis-by-health-status": [
        ("🔴 Critical", ["API-00007"]),
        ("🟡 Degraded", ["API-00003", "API-00010", "API-00009"]),
        ("🟢 Healthy", ["API-00005", "API-00002", "API-00004", "API-00001", "API-00006", "API-00008", "API-00011"]),
    ],
    # Business value scores 33000, 7000, 2700, 2100, 1050, 144, 86, 68, 19.2, 10.4, 6.3.
    "apis-by-business-value": [
        (
            None,
            [
                "API-00004",
                "API-00005",
                "API-00011",
                "API-00001",
                "API-00002",
                "API-00008",
                "API-00007",
                "API-00006",
                "API-00003",
                "API-00010",
                "API-00009",
            ],
        )
    ],  # fmt: skip
    "all-metrics": [
        (
            None,
            [
                "MET-00004",
                "MET-00003",
                "MET-00002",
                "MET-00001",
                "MET-00015",
                "MET-00013",
                "MET-00016",
                "MET-00014",
                "MET-00009",
                "MET-00010",
                "MET-00012",
                "MET-00011",
                "MET-00008",
                "MET-00006",
                "MET-00005",
                "MET-00007",
            ],
        )
    ],  # fmt: skip
    "metrics-by-health-status": [
        ("🔴 Critical", ["MET-00010", "MET-00012"]),
        ("🟡 Needs Attention", ["MET-00003", "MET-00015", "MET-00009", "MET-00013", "MET-00016"]),
        (
            "🟢 On Track",
            [
                "MET-00004",
                "MET-00008",
                "MET-00002",
                "MET-00006",
                "MET-00001",
                "MET-00011",
                "MET-00005",
                "MET-00007",
                "MET-00014",
            ],
        ),
    ],  # fmt: skip
    "all-initiatives": [
        (None, ["INI-00002", "INI-00001", "INI-00007", "INI-00008", "INI-00005", "INI-00006", "INI-00003", "INI-00004"])
    ],
    "initiatives-by-status": [
        ("Proposed", ["INI-00008"]),
        ("Approved", ["INI-00006"]),
        ("In Progress", ["INI-00005", "INI-00007", "INI-00001", "INI-00004"]),
        ("Completed", ["INI-00002", "INI-00003"]),
    ],
    "initiatives-by-priority": [
        ("P0-Critical", ["INI-00005", "INI-00007", "INI-00001"]),
        ("P1-High", ["INI-00002", "INI-00003", "INI-00006", "INI-00004"]),
        ("P2-Medium", ["INI-00008"]),
    ],
    "all-risks": [
        (
            None,
            [
                "RISK-00005",
                "RISK-00008",
                "RISK-00002",
                "RISK-00001",
                "RISK-00007",
                "RISK-00006",
                "RISK-00004",
                "RISK-00003",
            ],
        )
    ],  # fmt: skip
    "risks-by-risk-level": [
        ("High", ["RISK-00005", "RISK-00008", "RISK-00002", "RISK-00001", "RISK-00007"]),
        ("Medium", ["RISK-00006", "RISK-00004", "RISK-00003"]),
    ],
    "all-outcomes": [
        (
            None,
            [
                "OUT-00002",
                "OUT-00003",
                "OUT-00001",
                "OUT-00012",
                "OUT-00011",
                "OUT-00007",
                "OUT-00008",
                "OUT-00010",
                "OUT-00009",
                "OUT-00005",
                "OUT-00004",
                "OUT-00006",
            ],
        )
    ],  # fmt: skip
    "outcomes-by-status": [
        ("Not Started", ["OUT-00010"]),
        ("On Track", ["OUT-00004", "OUT-00011", "OUT-00003", "OUT-00005", "OUT-00001", "OUT-00002"]),
        ("Needs Attention", ["OUT-00009", "OUT-00007", "OUT-00006", "OUT-00012", "OUT-00008"]),
    ],
    "all-engagements": [
        (
            None,
            [
                "ENG-00012",
                "ENG-00006",
                "ENG-00021",
                "ENG-00011",
                "ENG-00005",
                "ENG-00010",
                "ENG-00020",
                "ENG-00004",
                "ENG-00009",
                "ENG-00017",
                "ENG-00016",
                "ENG-00003",
                "ENG-00019",
                "ENG-00008",
                "ENG-00015",
                "ENG-00002",
                "ENG-00014",
                "ENG-00018",
                "ENG-00007",
                "ENG-00001",
                "ENG-00013",
            ],
        )
    ],  # fmt: skip
    "engagements-by-account": [
        ("Acme Financial Services", ["ENG-00006", "ENG-00005", "ENG-00004", "ENG-00003", "ENG-00002", "ENG-00001"]),
        ("Gard AS", ["ENG-00021", "ENG-00020", "ENG-00019", "ENG-00018"]),
        ("HealthTech Solutions", ["ENG-00017", "ENG-00016", "ENG-00015", "ENG-00014", "ENG-00013"]),
        ("Nordic Logistics Group", ["ENG-00012", "ENG-00011", "ENG-00010", "ENG-00009", "ENG-00008", "ENG-00007"]),
    ],
}


def ids(body):
    table = all_views()[body["view"]["slug"]].table
    return [(g["group"], [r[table.id_key] for r in g["rows"]]) for g in body["groups"]]


def test_every_view_is_listed_and_hand_checked():
    assert set(all_views()) == set(EXPECTED)


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_each_view_on_the_seed(ro_client, slug):
    body = ro_client.get(f"/v1/views/{slug}").json
    assert body["ok"] and ids(body) == EXPECTED[slug]
    assert body["row_count"] == sum(len(r) for _, r in EXPECTED[slug])
    view = all_views()[slug]
    for group in body["groups"]:
        for row in group["rows"]:
            assert list(row) == list(dict.fromkeys((view.table.id_key, view.table.display_key, *view.columns)))


def test_the_list(ro_client):
    listed = ro_client.get("/v1/views").json["views"]
    assert [v["slug"] for v in listed] == list(all_views())
    assert listed[0] == {
        "slug": "csm-command-center",
        "name": "CSM Command Center",
        "table": "AccountMaster",
        "description": all_views()["csm-command-center"].description,
        "source": "ViewTemplates",
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("open-risks?account=HealthTech%20Solutions", [("High", ["RISK-00005"]), ("Medium", ["RISK-00006"])]),
        ("open-risks?account=acc-00003", [("High", ["RISK-00005"]), ("Medium", ["RISK-00006"])]),
        ("renewal-risk-pipeline?csm=Sarah%20Chen", [("Healthy", ["ACC-00002"])]),
        ("overdue-tasks?csm=James%20Okafor", [("James Okafor", ["TSK-00006"]), ("Marcus Johnson", ["TSK-00007"])]),
        ("qbr-preparation?account=Gard%20AS&csm=Sarah%20Chen", [(None, ["ACC-00004"])]),
        ("qbr-preparation?account=Gard%20AS&csm=James%20Okafor", [(None, [])]),
    ],
)
def test_scoped_by_account_and_csm(ro_client, query, expected):
    assert ids(ro_client.get(f"/v1/views/{query}").json) == expected


@pytest.mark.parametrize(
    ("query", "status", "code", "param"),
    [
        ("nope", 404, "unknown_view", None),
        ("critical-gaps?account=Acme%20Financial", 404, "unknown_account", "account"),
        ("critical-gaps?csm=Sara%20Chen", 404, "unknown_person", "csm"),
        ("critical-gaps?colour=red", 400, "unknown_parameter", "colour"),
    ],
)
def test_errors(ro_client, query, status, code, param):
    response = ro_client.get(f"/v1/views/{query}")
    assert (response.status_code, response.json["code"]) == (status, code)
    if param:
        assert param in response.json["errors"]


def test_a_view_follows_the_data(client, store):
    with store.transaction() as tx:
        tx.update(
            "APIPortfolio",
            "API-00003",
            {"uptime_percent": 99.99, "error_rate_percent": 0.1, "avg_response_time_ms": 100},
        )
    assert ids(client.get("/v1/views/unhealthy-apis").json) == [(None, ["API-00010", "API-00007", "API-00009"])]


def test_two_people_with_one_name_are_two_groups(client, store):
    with store.transaction() as tx:
        twin = tx.insert("PeopleTeam", {"full_name": "Sarah Chen", "email": "s.chen2@example.com", "role": "CSM"})
        tx.update("AccountMaster", "ACC-00004", {"customer_success_manager": twin})
    assert ids(client.get("/v1/views/csm-command-center").json) == [
        ("James Okafor", ["ACC-00003"]),
        ("Sarah Chen (PER-00001)", ["ACC-00002", "ACC-00001"]),
        (f"Sarah Chen ({twin})", ["ACC-00004"]),
    ]


def test_the_cli(csm):
    listed = csm("view")
    assert listed.exit_code == 0 and listed.output.splitlines()[0].startswith("csm-command-center")
    shown = csm("view", "renewal-risk-pipeline", "--csm", "Sarah Chen")
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith("Renewal Risk Pipeline (AccountMaster): 1 row\n\nHealthy\n")
    assert "ACC-00002" in shown.output and "ACC-00003" not in shown.output
    body = json.loads(csm("view", "critical-gaps", "--json").output)
    assert ids(body) == EXPECTED["critical-gaps"]
    unknown = csm("view", "critical-gaps", "--account", "Acme Financial")
    assert unknown.exit_code == 1
    assert (
        unknown.output
        == "Error: --account: No account named 'Acme Financial'. Did you mean 'Acme Financial Services'?\n"
    )
    assert csm("view", "nope").exit_code == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"table": "AccountMaster", "columns": ["colour"]}, "view 'x': AccountMaster has no column 'colour'"),
        ({"filter": [{"column": "arr", "op": "like", "value": 1}]}, "view 'x': unknown op 'like'"),
        ({"slug": "Not A Slug"}, "slug must be lowercase words joined by -"),
    ],
)
def test_a_definition_that_does_not_fit_the_catalog_is_refused(change, message):
    from views.evaluate import _check

    raw = {"slug": "x", "name": "X", "table": "AccountMaster", "columns": ["arr"], **change}
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        _check(raw)


def test_group_order_comes_before_the_values_it_does_not_list(client, store):
    """Values the group_order lists come first, in its order; the others follow in the usual order."""
    from views.evaluate import View, evaluate

    view = all_views()["capabilities-by-gap-status"]
    reordered = View(**{**view.__dict__, "group_order": ("At Target", "Small Gap")})
    rows = client.get("/v1/tables/PlatformCapabilities/rows").json["rows"]
    groups = [g["group"] for g in evaluate(reordered, rows, __import__("datetime").date(2026, 11, 20))]
    assert groups == ["✅ At Target", "🟢 Small Gap", "🔴 Critical Gap", "🟡 Moderate Gap"]


def test_a_bad_group_order_is_refused():
    from views.evaluate import _check

    raw = {"slug": "x", "name": "X", "table": "RiskRegister", "columns": [], "group_order": ["High"]}
    with pytest.raises(ValueError, match="group_order"):
        _check(raw)
    with pytest.raises(ValueError, match="group_order"):
        _check({**raw, "group": "risk_level", "group_order": [1]})


def test_unfiltered_views_are_kept_once_per_data_version_filtered_ones_never(client, app, store):
    snaps = app.extensions["csm.snapshots"]
    client.get("/v1/views/open-risks")
    kept = dict(snaps.current()._memo)
    assert ("view", "open-risks") in kept
    for name in ("Acme Financial Services", "Gard AS", "HealthTech Solutions", "nobody at all"):
        client.get(f"/v1/views/open-risks?account={name}")
        client.get(f"/v1/views/csm-command-center?csm={name}")
    assert dict(snaps.current()._memo).keys() == kept.keys()  # nothing kept per name
    assert client.get("/v1/views/open-risks").json["groups"] == kept[("view", "open-risks")]["groups"]
    with store.transaction() as tx:  # a new data version: evaluated afresh
        tx.update("RiskRegister", "RISK-00006", {"status": "Closed"})
    assert ids(client.get("/v1/views/open-risks").json) == [
        ("High", ["RISK-00005", "RISK-00008", "RISK-00001", "RISK-00002", "RISK-00007"])
    ]
