"""The dashboard at /dashboard: sign-in and its cookie, what each page shows on the seed (hand-checked
against the seed's accounts as of 2026-11-20), escaping, and errors as pages.

The seed on 2026-11-20 (`csm rows AccountMaster`): Acme 81.9 Healthy, $1.2M, renews 2027-06-30;
Nordic 88.4 Healthy, $850K, 2027-01-31 (72 days); HealthTech 63.7 At Risk, $350K, 2027-03-31
(131 days, trend -7.3); Gard 73.9 Attention Needed, $780K, 2027-10-15.  Open High risks: RISK-00001,
-00002, -00005, -00007, -00008.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import pytest

from service import create_app
from service.config import ConfigError
from service.dashboard import session
from tests.conftest import TODAY, TOKEN

SECRET = "s" * 40


class Parts(HTMLParser):
    """The text of each element with an id, the links, and the attributes of every tag."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.open: list[tuple[str, str | None]] = []
        self.text: dict[str, list[str]] = {}
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag not in ("input", "link", "meta", "br", "img", "line", "rect", "circle", "polyline"):
            self.open.append((tag, attrs.get("id")))
            if attrs.get("id"):
                self.text.setdefault(attrs["id"], [])

    def handle_endtag(self, tag):
        while self.open:
            if self.open.pop()[0] == tag:
                break

    def handle_data(self, data):
        for _, ident in self.open:
            if ident:
                self.text[ident].append(data)

    def words(self, ident: str) -> str:
        return " ".join("".join(self.text[ident]).split())


def table_rows(html: str, section: str) -> list[list[str]]:
    block = re.search(rf'<section class="card" id="{section}">(.*?)</section>', html, re.S).group(1)
    body = re.search(r"<tbody>(.*?)</tbody>", block, re.S).group(1)
    return [
        [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def make_app(store_path, **extra):
    config = {
        "CSM_DATA": str(store_path),
        "CSM_TODAY": TODAY,
        "TESTING": True,
        "CSM_API_TOKENS": f"ops={TOKEN}",
        "CSM_API_READ_TOKENS": "viewer=read-token",
        "CSM_SECRET_KEY": SECRET,
        **extra,
    }
    return create_app(config)


@pytest.fixture
def dash(store_path):
    return make_app(store_path).test_client()


def sign_in(client, token=TOKEN, **form):
    return client.post("/dashboard/signin", data={"token": token, **form})


@pytest.fixture
def signed(dash):
    assert sign_in(dash).status_code == 303
    return dash


# --- signing in -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/dashboard", "/dashboard/accounts/ACC-00003", "/dashboard/views/open-risks"])
def test_pages_need_a_session(dash, path):
    response = dash.get(path)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/dashboard/signin?next=")
    assert path in response.headers["Location"].replace("%2F", "/")


def test_sign_in_sets_a_signed_httponly_strict_cookie_and_no_token(dash):
    form = dash.get("/dashboard/signin")
    assert form.status_code == 200
    assert '<form method="post" action="/dashboard/signin">' in form.text
    assert 'type="password"' in form.text
    response = sign_in(dash, next="/dashboard/accounts/ACC-00003")
    assert (response.status_code, response.headers["Location"]) == (303, "/dashboard/accounts/ACC-00003")
    cookie = response.headers["Set-Cookie"]
    parts = [p.strip() for p in cookie.split(";")]
    assert parts[0].startswith(f"{session.COOKIE}=")
    assert {"HttpOnly", "SameSite=Strict", "Path=/dashboard", f"Max-Age={12 * 3600}"} <= set(parts)
    assert "Secure" not in parts  # plain http, as the test client speaks
    assert TOKEN not in cookie
    page = dash.get("/dashboard/accounts/ACC-00003")
    assert page.status_code == 200 and "HealthTech Solutions" in page.text
    assert "signed in as ops" in page.text


def test_a_read_only_token_may_sign_in(dash):
    assert sign_in(dash, "read-token").status_code == 303
    assert "signed in as viewer" in dash.get("/dashboard").text


@pytest.mark.parametrize(("token", "message"), [("wrong", "That token is not valid."), ("  ", "Enter an API token.")])
def test_a_bad_token_is_refused_on_the_form(dash, token, message):
    response = sign_in(dash, token)
    assert response.status_code == 401
    assert message in response.text
    assert "Set-Cookie" not in response.headers
    assert "wrong" not in response.text.replace(message, "")  # the token typed is not echoed back
    assert dash.get("/dashboard").status_code == 303


def test_secure_cookie_over_https_or_when_told(store_path):
    over_https = make_app(store_path).test_client()
    response = over_https.post("/dashboard/signin", data={"token": TOKEN}, base_url="https://localhost")
    assert "Secure" in [p.strip() for p in response.headers["Set-Cookie"].split(";")]
    told = make_app(store_path, CSM_COOKIE_SECURE="1").test_client()
    assert "Secure" in [p.strip() for p in sign_in(told).headers["Set-Cookie"].split(";")]
    with pytest.raises(ConfigError, match="CSM_COOKIE_SECURE"):
        make_app(store_path, CSM_COOKIE_SECURE="maybe")


def test_sign_out_ends_the_session(signed):
    response = signed.post("/dashboard/signout")
    assert (response.status_code, response.headers["Location"]) == (303, "/dashboard/signin?signed_out=1")
    assert "Max-Age=0" in response.headers["Set-Cookie"]
    assert "You have signed out." in signed.get("/dashboard/signin?signed_out=1").text
    assert signed.get("/dashboard").status_code == 303


def test_a_tampered_forged_or_expired_cookie_is_no_session(dash, store_path, monkeypatch):
    value = sign_in(dash).headers["Set-Cookie"].split(";")[0].split("=", 1)[1]

    def with_cookie(client, text):
        client.set_cookie(session.COOKIE, text, path="/dashboard")
        return client.get("/dashboard").status_code

    fresh = make_app(store_path).test_client()
    assert with_cookie(fresh, value) == 200
    assert with_cookie(fresh, value[:-2] + ("AA" if not value.endswith("AA") else "BB")) == 303
    forged = session.Sessions("k" * 40, [], False)._signer.dumps({"n": "ops", "f": "0" * 32})
    assert with_cookie(fresh, forged) == 303
    assert with_cookie(fresh, "x" * 4000) == 303
    # The same cookie under another secret key, or once its token is no longer configured.
    assert with_cookie(make_app(store_path, CSM_SECRET_KEY="t" * 40).test_client(), value) == 303
    assert with_cookie(make_app(store_path, CSM_API_TOKENS="ops=another-token").test_client(), value) == 303
    # Twelve hours and a second later.
    import itsdangerous.timed

    real = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real() + 12 * 3600 + 1)
    assert with_cookie(fresh, value) == 303


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/dashboard",
        "https://evil.example/dashboard",
        "/dashboard\\..\\evil",
        "/v1/tables",
        "/dashboardx",
        "javascript:alert(1)",
    ],
)
def test_after_sign_in_only_dashboard_paths(dash, target):
    assert sign_in(dash, next=target).headers["Location"] == "/dashboard"


@pytest.mark.parametrize(
    "headers",
    [{"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}, {"Origin": "http://evil.example"}],
)
def test_cross_site_posts_are_refused(dash, headers):
    response = dash.post("/dashboard/signin", data={"token": TOKEN}, headers=headers)
    assert response.status_code == 403 and "Set-Cookie" not in response.headers
    assert sign_in(dash).status_code == 303
    assert dash.post("/dashboard/signout", headers=headers).status_code == 403
    assert dash.get("/dashboard").status_code == 200  # still signed in


def test_same_origin_posts_pass(dash):
    response = dash.post("/dashboard/signin", data={"token": TOKEN}, headers={"Origin": "http://localhost"})
    assert response.status_code == 303
    same = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}
    assert dash.post("/dashboard/signout", headers=same).status_code == 303


@pytest.mark.parametrize("path", ["/dashboard?token=abc", "/dashboard/signin?token=abc", "/dashboard/views/x?token=1"])
def test_a_token_in_a_url_is_refused(signed, path):
    response = signed.get(path)
    assert response.status_code == 400
    assert "never goes in a web address" in response.text and "abc" not in response.text


def test_signing_out_needs_no_live_session(dash, store_path):
    """A cookie the service no longer honours (its key changed) is still deleted by Sign out."""
    stale = session.Sessions("k" * 40, [], False)._signer.dumps({"n": "ops", "f": "0" * 32})
    dash.set_cookie(session.COOKIE, stale, path="/dashboard")
    response = dash.post("/dashboard/signout")
    assert response.status_code == 303 and "Max-Age=0" in response.headers["Set-Cookie"]
    assert dash.post("/dashboard/accounts/ACC-00003").status_code == 405
    put = dash.put("/dashboard")
    assert put.status_code == 405 and sorted(put.headers["Allow"].split(", ")) == ["GET", "HEAD", "OPTIONS"]
    assert "<!doctype html>" in put.text


# --- headers and errors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/dashboard", "/dashboard/signin", "/dashboard/accounts/ACC-09999", "/dashboard/nope"]
)
def test_every_dashboard_answer_carries_the_security_headers(signed, path):
    response = signed.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.content_type.startswith("text/html")


def test_errors_under_dashboard_are_pages_and_the_api_stays_json(signed):
    for path, status, text in [
        ("/dashboard/accounts/ACC-09999", 404, "No account has the id &#39;ACC-09999&#39;."),
        ("/dashboard/nope", 404, "No such page."),
        ("/dashboard/views/nope", 404, "No view &#39;nope&#39;."),
        ("/dashboard/views/open-risk", 404, "Did you mean &#39;open-risks&#39;"),
        ("/dashboard/views/open-risks?account=HealthTec", 404, "Did you mean"),
        ("/dashboard/views/critical-gaps?csm=Nobody", 404, "No one in PeopleTeam is named"),
    ]:
        response = signed.get(path)
        assert response.status_code == status, path
        assert "<!doctype html>" in response.text and text in response.text, (path, response.text)
    assert signed.post("/dashboard").status_code == 405
    api = signed.get("/v1/nope")
    assert api.status_code in (401, 404) and api.is_json


def test_a_missing_store_is_a_503_page(signed, store_path):
    store_path.unlink()
    response = signed.get("/dashboard")
    assert response.status_code == 503
    assert "The data store is unavailable" in response.text and "Traceback" not in response.text


def test_the_stylesheet_and_icon_are_served_without_a_session(dash):
    css = dash.get("/dashboard/static/dashboard.css")
    assert css.status_code == 200 and css.content_type.startswith("text/css") and b"svg.chart" in css.data
    icon = dash.get("/dashboard/static/favicon.svg")
    assert icon.status_code == 200 and icon.data.startswith(b"<svg")
    css.close()
    icon.close()


def test_no_page_loads_anything_from_elsewhere(signed):
    for path in ["/dashboard", "/dashboard/accounts/ACC-00003", "/dashboard/views/health-dashboard"]:
        html = signed.get(path).text
        assert "<script" not in html
        for tag, attrs in Parts(html).tags:
            for name in ("src", "href", "action"):
                value = attrs.get(name)
                if value is not None:
                    assert value.startswith(("/dashboard", "#")), (path, tag, name, value)


# --- the overview on the seed -----------------------------------------------------------------


def test_overview_tiles(signed):
    html = signed.get("/dashboard").text
    tiles = re.search(r'<section class="tiles".*?</section>', html, re.S).group()
    tiles = " ".join(re.sub(r"<[^>]+>", " ", tiles).split())
    assert tiles == (
        "4 active accounts $3.2M total ARR $350K ARR at risk (1 account) 77.0 average health "
        "1 renewals in 90 days ($850K) 5 open Critical or High risks"
    )


def test_overview_at_risk_table_lists_healthtech(signed):
    html = signed.get("/dashboard").text
    assert table_rows(html, "at-risk") == [
        ["HealthTech Solutions", "James Okafor", "63.7", "-7.3", "$350K", "2027-03-31", "131", "At Risk"]
    ]
    assert '<a href="/dashboard/accounts/ACC-00003">HealthTech Solutions</a>' in html


def test_overview_workload(signed):
    rows = table_rows(signed.get("/dashboard").text, "workload")
    # The two CSMs' active accounts (James: HealthTech; Sarah: Acme, Nordic, Gard, avg (81.9 + 88.4 + 73.9) / 3,
    # Nordic renewing in 72 days), and Marcus (SE), who is no one's CSM but holds three overdue tasks.
    # Lisa (AE) and David (sponsor) have neither.  The largest at-risk ARR first, then overdue tasks.
    assert rows == [
        ["James Okafor CSM", "1", "$350K", "63.7", "1", "$350K", "1", "0"],
        ["Marcus Johnson SE", "0", "$0", "n/a", "0", "$0", "3", "0"],
        ["Sarah Chen CSM", "3", "$2.8M", "81.4", "0", "$0", "1", "1"],
    ]


def test_overview_charts(signed):
    html = signed.get("/dashboard").text
    bars = re.findall(r"<title>([^<]+)</title></rect>", html)
    assert bars == [
        "80+: 2",
        "70-80: 1",
        "60-70: 1",
        "under 60: 0",
        "no data: 0",
        "Jan 2027 Healthy: $850K",
        "Mar 2027 At Risk: $350K",
        "Jun 2027 Healthy: $1.2M",
        "Oct 2027 Attention Needed: $780K",
    ]
    assert (
        "4 renewals worth $3.2M from November 2026 to October 2027: Jan 2027: 1 renewal, $850K; Mar 2027: 1 renewal, "
        "$350K; Jun 2027: 1 renewal, $1.2M; Oct 2027: 1 renewal, $780K. 0 renewal dates already past, 0 later."
    ) in html
    assert 'aria-label="Accounts by health band. 80+: 2 accounts; 70-80: 1 account;' in html


def test_overview_follows_the_data(signed, store):
    with store.transaction() as tx:
        tx.update("AccountMaster", "ACC-00004", {"account_status": "Churned"})
        tx.update("AccountMaster", "ACC-00001", {"renewal_date": "2026-11-01"})
    html = signed.get("/dashboard").text
    assert "3 active accounts" in " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "1 renewal date already past, 0 later." in html
    assert "Gard AS" not in html.split('id="views"')[0]


# --- an account's page ------------------------------------------------------------------------


def test_account_page(signed):
    html = signed.get("/dashboard/accounts/ACC-00003").text
    assert "<h1>HealthTech Solutions" in html
    # The brief is GetQBRBrief's own text.
    formula = signed.get(
        "/v1/formulas/GetQBRBrief?accountName=HealthTech%20Solutions", headers={"Authorization": f"Bearer {TOKEN}"}
    ).json["result"]
    assert formula.startswith("# QBR brief: HealthTech Solutions (2026-05-24 to 2026-11-20)")
    assert "<h2>QBR brief: HealthTech Solutions (2026-05-24 to 2026-11-20)</h2>" in html
    shown = unescape(html)
    for line in formula.splitlines():
        if line.startswith("- "):
            assert f"<li>{line[2:]}</li>" in shown, line
    assert "<h3>Open Critical and High risks</h3>" in html
    assert (
        "<li>Legacy interface engine drops HL7 messages (High, Open): Finish wave 2 with named engineers; "
        "monitor failed messages until the engine is retired.</li>"
    ) in html
    assert "From the last engagement: James Okafor to agree a renewal recovery plan" in html
    # The trend: 15 weekly snapshots from 2026-08-10 (84) to 2026-11-16 (65.7), then today's live 63.7.
    points = re.findall(r"<circle [^>]*><title>([^<]+)</title>", html)
    assert len(points) == 16
    assert points[0] == "2026-08-10: 84" and points[-2] == "2026-11-16: 65.7"
    assert points[-1] == "2026-11-20 (now): 63.7"
    assert "Health of HealthTech Solutions from 2026-08-10 (84) to 2026-11-20 (63.7), 16 readings" in html
    assert re.search(r'<polyline points="[\d., ]+" class="trend"/>', html)


def test_account_page_lowercase_id_and_no_history(signed, store):
    with store.transaction() as tx:
        automatic = ("account_id", "created_date", "last_modified")
        like_gard = {k: v for k, v in tx.get("AccountMaster", "ACC-00004").items() if k not in automatic}
        new = tx.insert("AccountMaster", {**like_gard, "account_name": "Fjord Shipping"})
    html = signed.get(f"/dashboard/accounts/{new.lower()}").text
    assert "<h1>Fjord Shipping" in html
    assert "No health snapshots yet" in html  # a new account with no data has no health either


def test_text_from_the_data_is_shown_not_run(signed, store):
    with store.transaction() as tx:
        tx.update("AccountMaster", "ACC-00003", {"account_name": "<script>alert(1)</script> Health"})
        tx.update("ActivitiesTasks", "TSK-00006", {"task_title": "[click](javascript:alert(1)) <img src=x>"})
    for path in ["/dashboard", "/dashboard/accounts/ACC-00003", "/dashboard/views/overdue-tasks"]:
        html = signed.get(path).text
        assert "<script>" not in html and "<img" not in html, path
        assert 'href="javascript' not in html, path
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Health" in signed.get("/dashboard/accounts/ACC-00003").text


# --- views as pages ---------------------------------------------------------------------------


def test_every_view_renders(signed):
    from views.evaluate import all_views

    for slug, view in all_views().items():
        response = signed.get(f"/dashboard/views/{slug}")
        assert response.status_code == 200, slug
        assert f"<h1>{view.name.replace('&', '&amp;')}</h1>" in response.text


def test_a_view_page_shows_the_views_rows_groups_and_formatting(signed):
    html = signed.get("/dashboard/views/health-dashboard").text
    api = signed.get("/v1/views/health-dashboard", headers={"Authorization": f"Bearer {TOKEN}"}).json
    labels = re.findall(r"<h2>([^<]+) <span", html)
    assert labels == [g["group"] for g in api["groups"]]
    names = re.findall(r'<a href="/dashboard/accounts/ACC-\d+">([^<]+)</a>', html)
    assert names == [r["account_name"] for g in api["groups"] for r in g["rows"]]
    # Health under 80 only; formatting by renewal risk, a column this view does not show.
    classes = re.findall(r'<tr class="([^"]*)">\s*<td><a href="/dashboard/accounts/(ACC-\d+)"', html)
    assert [(acc, cls) for cls, acc in classes] == [("ACC-00003", "fill-yellow"), ("ACC-00004", "fill-blue")]
    html = signed.get("/dashboard/views/csm-command-center").text
    classes = re.findall(r'<tr class="([^"]*)">\s*<td><a href="/dashboard/accounts/(ACC-\d+)"', html)
    assert [(acc, cls) for cls, acc in classes] == [
        ("ACC-00003", "fill-yellow text-red"),  # and its engagement cadence is Overdue: red text
        ("ACC-00004", "fill-blue"),
        ("ACC-00002", "fill-green"),
        ("ACC-00001", "fill-green"),
    ]


def test_a_view_page_filters_by_csm_and_formats_values(signed):
    html = signed.get("/dashboard/views/csm-command-center?csm=James%20Okafor").text
    assert re.findall(r"<h2>([^<]+) <span", html) == ["James Okafor"]
    assert "<td>$350K</td>" in html  # ARR as money, as on the overview
    assert 'value="James Okafor"' in html
    objectives = signed.get("/dashboard/views/objectives-at-risk").text
    assert "<td>45</td>" in objectives  # a slider, 0-100
    assert "<td>$2.4M</td>" in objectives


# --- every route, every method ------------------------------------------------------------------

ROUTE_SAMPLES = {
    "dashboard.account": [{"account_id": "ACC-00003"}, {"account_id": "nope"}, {"account_id": "%00"}],
    "dashboard.view": [{"slug": "open-risks"}, {"slug": "nope"}],
    "dashboard.static": [{"filename": "dashboard.css"}, {"filename": "../__init__.py"}, {"filename": "nope.css"}],
}
ODD = ["/dashboard/", "/dashboard//accounts/ACC-00003", "/dashboard/accounts/", "/dashboard/static/", "/dashboardx"]
QUERIES = ["", "?account=Nope", "?csm=%00", "?next=//evil.example", "?account=a&account=b"]


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "signed-out"])
def test_every_dashboard_route_and_method_answers_a_page(store_path, method, signed_in):
    client = make_app(store_path).test_client()
    if signed_in:
        sign_in(client)
    adapter = client.application.url_map.bind("localhost")
    paths = [
        adapter.build(rule.endpoint, values)
        for rule in client.application.url_map.iter_rules()
        if rule.rule.startswith("/dashboard")
        for values in ROUTE_SAMPLES.get(rule.endpoint, [{}])
    ]
    problems = []
    for path in sorted(set(paths)) + ODD:
        for query in QUERIES:
            response = client.open(path + query, method=method)
            where = f"{method} {path}{query} -> {response.status_code}"
            kind = response.headers.get("Content-Type", "")
            if response.status_code >= 500:
                problems.append(f"{where}: a server error")
            elif 300 <= response.status_code < 400:
                if not response.headers["Location"].startswith("/dashboard"):
                    problems.append(f"{where}: a redirect away: {response.headers['Location']}")
            elif method == "OPTIONS" and response.status_code == 200:
                pass  # the allowed methods, as everywhere
            elif not kind.startswith(("text/html", "text/css", "image/svg+xml")) and path.startswith("/dashboard/"):
                problems.append(f"{where}: content type {kind!r}")
            if b"Traceback" in response.data:
                problems.append(f"{where}: a traceback")
            response.close()
    assert not problems, "\n".join(problems[:20])


# --- from the attack pass -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "location"),
    [
        ("/dashboard/accounts/\n", "/dashboard"),  # no control character or space, ever
        ("/dashboard/accounts/%0d%0aSet-Cookie:x", "/dashboard/accounts/%0d%0aSet-Cookie:x"),  # stays encoded
        ("/dashboard/views/open-risks?account=Acme Financial", "/dashboard"),
        (
            "/dashboard/views/open-risks?account=Acme%20Financial",
            "/dashboard/views/open-risks?account=Acme%20Financial",
        ),
        ("//\t/dashboard", "/dashboard"),  # Python's parser drops the tab and sees a path; a browser, a host
        ("/dash\tboard/x", "/dashboard"),
        (" /dashboard", "/dashboard"),
        ("///dashboard/x", "/dashboard"),
        ("/dashboardx", "/dashboard"),
        ("/dashboard?x=1#frag", "/dashboard?x=1#frag"),
        ("/dashboard/accounts/ACC-00003/Ä", "/dashboard/accounts/ACC-00003/%C3%84"),
        ("/dashboard/../v1/tables", "/dashboard"),
        ("/dashboard/%2e%2e/v1/tables", "/dashboard"),
        ("/dashboard/./", "/dashboard"),
    ],
)
def test_next_never_splits_a_header_or_leaves_the_dashboard(dash, target, location):
    response = sign_in(dash, next=target)
    assert (response.status_code, response.headers["Location"]) == (303, location)


def test_the_way_back_after_signing_in_is_the_address_as_sent(dash):
    """Signed out, a page sends you to sign in and back to exactly where you were: encoded once."""
    sent = "/dashboard/views/open-risks?account=Acme%20Financial%20Services"
    first = dash.get(sent)
    assert first.status_code == 303
    form = dash.get(first.headers["Location"])
    assert 'value="/dashboard/views/open-risks?account=Acme%20Financial%20Services"' in form.text
    back = sign_in(dash, next="/dashboard/views/open-risks?account=Acme%20Financial%20Services")
    assert back.headers["Location"] == sent


def test_the_reload_page_points_at_the_address_as_sent(dash):
    response = dash.get("/dashboard/accounts/%252e%252e", headers={"Sec-Fetch-Site": "cross-site"})
    assert 'url=/dashboard/accounts/%252e%252e"' in response.text  # not decoded into a dot segment


def test_a_signed_out_head_is_redirected_like_a_get(dash):
    assert dash.head("/dashboard").status_code == 303


def test_a_link_from_another_site_reloads_itself_to_carry_the_strict_cookie(dash):
    """SameSite=Strict keeps the cookie off a navigation from another site (a Slack alert's link): the
    page reloads its own address, a same-site navigation, which carries it."""
    response = dash.get("/dashboard/accounts/ACC-00003?x=1", headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 200
    assert '<meta http-equiv="refresh" content="0; url=/dashboard/accounts/ACC-00003?x=1">' in response.text
    again = dash.get("/dashboard/accounts/ACC-00003", headers={"Sec-Fetch-Site": "same-origin"})
    assert again.status_code == 303  # still no session: the sign-in form, with the way back


def test_churned_accounts_leave_every_figure_and_inactive_csms_stay(signed, store):
    with store.transaction() as tx:
        tx.update("AccountMaster", "ACC-00003", {"account_status": "Churned"})
        tx.update("PeopleTeam", "PER-00001", {"active_status": False})
    html = signed.get("/dashboard").text
    tiles = " ".join(
        re.sub(r"<[^>]+>", " ", re.search(r'<section class="tiles".*?</section>', html, re.S).group()).split()
    )
    assert "3 active accounts" in tiles and "4 open Critical or High risks" in tiles  # RISK-00005 was HealthTech's
    assert table_rows(html, "workload") == [
        ["Marcus Johnson SE", "0", "$0", "n/a", "0", "$0", "3", "0"],
        ["Sarah Chen CSM, inactive", "3", "$2.8M", "81.4", "0", "$0", "1", "1"],  # her accounts need someone
        ["James Okafor CSM", "0", "$0", "n/a", "0", "$0", "1", "0"],  # no accounts left, one overdue task
    ]


def test_long_lists_stop_and_say_how_many_more(signed, store, monkeypatch):
    from service.dashboard import pages

    monkeypatch.setattr(pages, "LIST_LIMIT", 2)
    monkeypatch.setattr(pages, "VIEW_ROW_LIMIT", 3)
    html = signed.get("/dashboard").text
    accounts = re.search(r'id="accounts">(.*?)</section>', html, re.S).group(1)
    assert re.findall(r">([^<]+)</a>\s*<span class=\"badge", accounts) == ["HealthTech Solutions", "Gard AS"]
    assert "And 2 more" in accounts and 'href="/dashboard/views/all-accounts"' in accounts
    view = signed.get("/dashboard/views/all-engagements").text
    assert len(re.findall(r"<tr class=", view)) == 3
    assert "The first 3 of 21 rows" in view


def test_pipeline_gridlines_are_labelled_with_their_exact_values():
    import datetime as dt

    from schemas.values import compact_usd
    from service.dashboard import charts

    months = [dt.date(2027, m, 1) for m in range(1, 5)]
    for largest, labels in [
        (3_180_000, ["0", "$1M", "$2M", "$3M", "$4M"]),
        (850_000, ["0", "$250K", "$500K", "$750K", "$1M"]),
        (1_200_000, ["0", "$500K", "$1M", "$1.5M", "$2M"]),
        (7, ["0", "$2", "$4", "$6", "$8"]),
        (0, ["0"]),
    ]:
        stacks = {months[0]: [("Healthy", largest, "healthy")]} if largest else {}
        chart = charts.pipeline(months, stacks, compact_usd, "summary")
        assert [text for _, _, text, anchor in chart.labels if anchor == "end"] == labels, largest
        if largest:  # the bar reaches the line of its value
            (bar,) = chart.bars
            top_line = min(y for _, y, _, _, _ in chart.lines)
            bottom_line = max(y for _, y, _, _, _ in chart.lines)
            ceiling = float(labels[-1].strip("$").replace("M", "e6").replace("K", "e3"))
            assert bar.height == pytest.approx((bottom_line - top_line) * largest / ceiling)
