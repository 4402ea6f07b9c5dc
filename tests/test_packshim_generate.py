"""The generator: reproducible output from the template and the runtime, and a clear refusal for
every way to break a pack."""

from __future__ import annotations

import dataclasses
import json

import pytest
from click.testing import CliRunner

from packshim import tsgen
from packshim.checks import PackError, check_catalog, network_domain, normalise_key
from packshim.generate import DEFAULT_BASE_URL, HERE, SDK_VERSION, TYPESCRIPT_VERSION, generate, pack_ts
from schemas import SYNC_TABLES, get_table
from schemas.fields import text
from schemas.pack_actions import PACK_ACTIONS
from schemas.pack_formulas import PACK_FORMULAS, Param
from service.cli import cli

GENERATED = ("pack.ts", "runtime.ts", "package.json", "package-lock.json", "tsconfig.json")


def test_committed_shim_is_exactly_what_the_generator_writes(tmp_path):
    result = CliRunner().invoke(
        cli, ["packshim", "generate", "--base-url", DEFAULT_BASE_URL, "--out", str(tmp_path / "pack")]
    )
    assert result.exit_code == 0, result.output
    for name in GENERATED:
        assert (tmp_path / "pack" / name).read_bytes() == (HERE / name).read_bytes(), (
            f"packshim/{name} is stale: run `csm packshim generate --base-url {DEFAULT_BASE_URL}`"
        )


def test_generation_is_deterministic():
    assert generate("https://csm.example.com") == generate("https://csm.example.com")
    assert set(generate()) == set(GENERATED)


def test_the_runtime_is_copied_byte_for_byte_and_type_checked_with_the_pack():
    files = generate("https://csm.example.com")
    assert files["runtime.ts"] == (HERE / "runtime.ts").read_bytes()
    assert 'import { CsmService, TableShape } from "./runtime";' in files["pack.ts"].decode()
    assert json.loads(files["tsconfig.json"])["files"] == ["pack.ts", "runtime.ts"]


def test_the_runtime_is_base_url_free_and_pack_ts_holds_no_runtime_code():
    runtime = (HERE / "runtime.ts").read_text()
    assert "BASE_URL" not in runtime and "localhost" not in runtime
    source = pack_ts(DEFAULT_BASE_URL)
    for helper in ("function errorBody", "function serviceError", "function shapeRows", "encodeURIComponent"):
        assert helper not in source
    assert "const service = new CsmService(BASE_URL, PAGE_SIZE);" in source


def test_package_pins_the_sdk_and_typescript_exactly_and_the_lock_agrees():
    package = json.loads(generate()["package.json"])
    assert package["dependencies"] == {"@codahq/packs-sdk": SDK_VERSION, "typescript": TYPESCRIPT_VERSION}
    lock = json.loads(generate()["package-lock.json"])
    assert lock["name"] == package["name"]
    assert lock["packages"][""]["dependencies"] == package["dependencies"]
    assert lock["packages"]["node_modules/@codahq/packs-sdk"]["version"] == SDK_VERSION
    assert lock["packages"]["node_modules/typescript"]["version"] == TYPESCRIPT_VERSION
    assert "resolved" not in generate()["package-lock.json"].decode()


def test_pack_has_every_table_formula_and_the_auth():
    source = pack_ts("https://csm.example.com/api/")
    for table in SYNC_TABLES:
        assert f'name: "{table.name}",' in source and f'identityName: "{table.identity}",' in source
    for spec in PACK_FORMULAS:
        assert f'name: "{spec.name}",' in source and f"cacheTtlSecs: {spec.cache_ttl_secs}," in source
    assert 'const BASE_URL = "https://csm.example.com/api";' in source
    assert 'pack.addNetworkDomain("csm.example.com");' in source
    assert "coda.AuthenticationType.HeaderBearerToken" in source
    assert 'codaType: coda.ValueHintType.Currency, currencyCode: "USD"' in source
    assert 'fromKey: "health_score"' in source
    assert source.endswith("});\n") and not source.endswith("\n\n")


def test_catalog_text_reaches_typescript_only_as_json_literals(monkeypatch):
    import packshim.generate as gen

    hostile = 'Ends a string: "; process.exit(1); // ${BASE_URL} */ \\ \n` {{ x }} {% if %}'
    tables = replace_table("RiskRegister", description=hostile)
    monkeypatch.setattr(gen, "SYNC_TABLES", tables)
    source = gen.pack_ts(DEFAULT_BASE_URL)
    assert f"  description: {json.dumps(hostile, ensure_ascii=False)},\n" in source
    assert hostile not in source  # the raw text never appears unquoted


def test_the_template_refuses_data_it_does_not_know(monkeypatch):
    import jinja2

    import packshim.generate as gen

    real = gen.template_data

    def missing_tables(base_url):
        data = real(base_url)
        del data["tables"]
        return data

    monkeypatch.setattr(gen, "template_data", missing_tables)
    with pytest.raises(jinja2.UndefinedError, match="tables"):
        gen.pack_ts(DEFAULT_BASE_URL)


def test_object_lists_get_an_item_schema_declared_before_use():
    source = pack_ts(DEFAULT_BASE_URL)
    for const in ("ViewTemplatesSortItem", "SuccessPlanTrackerMilestonesItem"):
        assert source.index(f"const {const} = coda.makeObjectSchema({{") < source.index(f"items: {const},")


@pytest.mark.parametrize(
    "url,domain",
    [
        ("http://localhost:8765", "localhost:8765"),
        ("http://127.0.0.1:8000/", "127.0.0.1:8000"),
        ("https://csm.example.com", "csm.example.com"),
        ("https://csm.example.com:8443/base", "csm.example.com:8443"),
    ],
)
def test_network_domain_keeps_the_port(url, domain):
    assert network_domain(url) == domain


@pytest.mark.parametrize(
    "url,message",
    [
        ("ftp://example.com", "must start with http:// or https://"),
        ("localhost:8000", "must start with http:// or https://"),
        ("http://", "has no host"),
        ("http://example.com?x=1", "must not carry a query"),
        ("http://user:pw@example.com", "must not carry a query, fragment or credentials"),
        ("http://example.com:99999", "bad port"),
    ],
)
def test_bad_base_urls_are_refused_by_the_cli(url, message, tmp_path):
    result = CliRunner().invoke(cli, ["packshim", "generate", "--base-url", url, "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert message in result.output
    assert not any(tmp_path.iterdir())  # nothing half-written


def test_the_real_catalog_passes_every_check():
    assert check_catalog(SYNC_TABLES, PACK_FORMULAS) == []


@pytest.mark.parametrize(
    "key,normal", [("account_id", "AccountId"), ("trend_30d_change", "Trend30dChange"), ("x", "X")]
)
def test_normalise_key_matches_the_sdk(key, normal):
    assert normalise_key(key) == normal


def replace_table(table_name, **changes):
    return tuple(dataclasses.replace(t, **changes) if t.name == table_name else t for t in SYNC_TABLES)


def with_field(name, field):
    table = get_table(name)
    return replace_table(name, fields=table.fields + (field,))


def refused(tables, formulas=PACK_FORMULAS, actions=PACK_ACTIONS):
    problems = check_catalog(tables, formulas, actions)
    assert problems
    return "\n".join(problems)


def test_refuses_keys_that_collide_once_coda_normalises_them():
    tables = with_field("AccountMaster", text("accountname", "Clashes with account_name."))
    assert "AccountMaster: keys 'account_name' and 'accountname' both become" in refused(tables)


def test_refuses_collisions_inside_object_lists():
    plan = get_table("SuccessPlanTracker")
    milestones = plan.field("milestones")
    bad = dataclasses.replace(milestones, item_fields=milestones.item_fields + (text("due__date", "x"),))
    fields = tuple(bad if f.key == "milestones" else f for f in plan.fields)
    assert "SuccessPlanTracker.milestones: keys 'due_date' and 'due__date'" in refused(
        replace_table("SuccessPlanTracker", fields=fields)
    )


def test_refuses_featured_display_or_id_properties_that_do_not_exist():
    table = get_table("RiskRegister")
    object.__setattr__(bad := dataclasses.replace(table), "featured", ("risk_level", "nonexistent"))
    tables = tuple(bad if t.name == "RiskRegister" else t for t in SYNC_TABLES)
    assert "RiskRegister: featured property 'nonexistent' is not a field" in refused(tables)
    object.__setattr__(bad, "display_key", "missing_title")
    assert "RiskRegister: display property 'missing_title' is not a field" in refused(tables)


def test_refuses_references_to_identities_the_pack_does_not_declare():
    field = dataclasses.replace(text("alert", "x"), kind="ref", ref="Alerts")
    tables = with_field("AccountMaster", field)
    assert "AccountMaster.alert: references 'Alerts', which is not a sync table" in refused(tables)


def test_refuses_names_that_break_the_sdks_rules():
    assert "sync table name 'Account Master' breaks" in refused(replace_table("AccountMaster", name="Account Master"))
    assert "identity name 'id' is not allowed" in refused(replace_table("PeopleTeam", identity="id"))
    assert "a property has the same name as the identity 'AccountName'" in refused(
        replace_table("AccountMaster", identity="AccountName")
    )
    bad_formula = dataclasses.replace(PACK_FORMULAS[0], name="Get Health")
    assert "formula name 'Get Health' breaks" in refused(SYNC_TABLES, (bad_formula, *PACK_FORMULAS[1:]))
    bad_param = dataclasses.replace(PACK_FORMULAS[1], params=(Param("account name", "string", "x"),))
    assert "parameter name 'account name' breaks" in refused(SYNC_TABLES, (PACK_FORMULAS[0], bad_param))


def test_refuses_parameters_the_sdk_would_refuse():
    spec = PACK_FORMULAS[3]
    optional_first = dataclasses.replace(
        spec, params=(dataclasses.replace(spec.params[0], optional=True), *spec.params[1:])
    )
    assert "CreateReferenceID.entityType: a required parameter after an optional one" in refused(
        SYNC_TABLES, (*PACK_FORMULAS[:3], optional_first)
    )
    odd_kind = dataclasses.replace(spec, params=(*spec.params[:2], Param("sequence", "duration", "x")))
    assert "CreateReferenceID.sequence: kind 'duration' is not one of" in refused(
        SYNC_TABLES, (*PACK_FORMULAS[:3], odd_kind)
    )
    twice = dataclasses.replace(spec, params=(spec.params[0], spec.params[0]))
    assert "CreateReferenceID: two parameters are named 'accountName'" in refused(
        SYNC_TABLES, (*PACK_FORMULAS[:3], twice)
    )


def test_pack_ts_raises_with_every_problem_listed(monkeypatch):
    import packshim.generate as gen

    monkeypatch.setattr(gen, "SYNC_TABLES", replace_table("AccountMaster", name="Account Master"))
    with pytest.raises(PackError, match="refusing to generate the pack:\n- sync table name 'Account Master'"):
        gen.pack_ts(DEFAULT_BASE_URL)


def schema_block(source, table_name):
    """The property lines of a table's object schema in pack.ts: {camelName: line}."""
    start = source.index(f"const {table_name}Schema = coda.makeObjectSchema({{")
    block = source[start : source.index("\n});\n", start)]
    lines = [line.strip() for line in block.splitlines() if line.startswith("    ") and ": {" in line]
    return {line.split(":", 1)[0]: line for line in lines}


def sync_table_block(source, table_name):
    start = source.index(f'pack.addSyncTable({{\n  name: "{table_name}",')
    return source[start : source.index("\n});\n", start)]


def test_stored_fields_of_editable_tables_and_only_they_are_mutable():
    source = pack_ts(DEFAULT_BASE_URL)
    mutable_seen = 0
    for table in SYNC_TABLES:
        props = schema_block(source, table.name)
        assert len(props) == len(table.fields), table.name
        for f in table.fields:
            line = props[tsgen.camel(f.key)]
            expected = table.editable and not f.derived and not f.auto and f.kind != "id"
            assert ("mutable: true" in line) == expected, (table.name, f.key, line)
            mutable_seen += expected
    assert mutable_seen > 150
    tasks = schema_block(source, "ActivitiesTasks")
    assert "mutable: true" in tasks["status"] and "mutable: true" in tasks["account"]
    assert "mutable" not in tasks["taskId"] and "mutable" not in tasks["daysOverdue"]
    accounts = schema_block(source, "AccountMaster")
    assert "mutable" not in accounts["healthScore"] and "mutable" not in accounts["createdDate"]
    assert not any("mutable" in line for line in schema_block(source, "ViewTemplates").values())


def test_every_editable_table_and_only_they_take_edits_in_batches():
    source = pack_ts(DEFAULT_BASE_URL)
    assert "const UPDATE_BATCH_SIZE = 100;" in source
    for table in SYNC_TABLES:
        block = sync_table_block(source, table.name)
        update = f"return service.updateRows(context, {table.name}Shape, updates);"
        assert (update in block) == table.editable, table.name
        assert ("maxUpdateBatchSize: UPDATE_BATCH_SIZE," in block) == table.editable, table.name
    assert {t.name for t in SYNC_TABLES if not t.editable} == {
        "ViewTemplates",
        "QuickStartGuide",
        "AccountHealthHistory",
        "MetricHistory",
    }


def test_table_shapes_tell_the_runtime_what_to_convert_back():
    source = pack_ts(DEFAULT_BASE_URL)
    line = next(line for line in source.splitlines() if line.startswith("const APIPortfolioShape: TableShape = "))
    shape = json.loads(line.split(" = ", 1)[1].rstrip(";"))
    api = get_table("APIPortfolio")
    assert shape == {
        "name": "APIPortfolio",
        "idKey": "api_id",
        "percentKeys": [f.key for f in api.fields if f.kind == "percent"],
        "dateKeys": [f.key for f in api.fields if f.kind == "date"],
        "itemDateKeys": {},
    }
    assert "uptime_percent" in shape["percentKeys"] and "last_deployed_date" in shape["dateKeys"]
    plans = next(
        line for line in source.splitlines() if line.startswith("const SuccessPlanTrackerShape: TableShape = ")
    )
    assert json.loads(plans.split(" = ", 1)[1].rstrip(";"))["itemDateKeys"] == {"milestones": ["due_date"]}


@pytest.mark.parametrize("size", [0, 1001])
def test_refuses_an_update_batch_size_the_sdk_refuses(monkeypatch, size):
    import packshim.generate as gen

    monkeypatch.setattr(gen, "UPDATE_BATCH_SIZE", size)
    with pytest.raises(PackError, match=f"the update batch size must be 1 to 1000; got {size}"):
        gen.pack_ts(DEFAULT_BASE_URL)


def formula_block(source, name):
    start = source.index(f'pack.addFormula({{\n  name: "{name}",')
    return source[start : source.index("\n});", start)]


def test_every_action_returns_its_tables_row_with_the_identity():
    source = pack_ts(DEFAULT_BASE_URL)
    for action in PACK_ACTIONS:
        block = formula_block(source, action.name)
        table = get_table(action.table)
        assert "  isAction: true,\n" in block
        assert "  resultType: coda.ValueType.Object,\n" in block
        assert f'  schema: coda.withIdentity({table.name}Schema, "{table.identity}"),\n' in block
        assert f'service.runAction(context, "{action.name}", args, {table.name}Shape, [' in block
        for p in action.params:
            assert f'      {{ name: "{p.name}", kind: "{p.kind}" }},\n' in block
    assert [a.name for a in PACK_ACTIONS] == ["LogEngagement", "CreateTask", "CompleteTask", "RecordMetricValue"]


def parameter_blocks(block):
    """{name: text} of each coda.makeParameter({...}) in a formula block."""
    out = {}
    for chunk in block.split("coda.makeParameter({")[1:]:
        text = chunk[: chunk.index("})")]
        out[json.loads(text.split("name: ", 1)[1].split(",\n", 1)[0])] = text
    return out


def test_parameters_carry_their_type_optionality_and_autocomplete():
    source = pack_ts(DEFAULT_BASE_URL)
    for spec in (*PACK_FORMULAS, *PACK_ACTIONS):
        params = parameter_blocks(formula_block(source, spec.name))
        assert list(params) == [p.name for p in spec.params], spec.name
        for p in spec.params:
            text = params[p.name]
            assert f"type: {tsgen.PARAM_TYPES[p.kind]}," in text
            assert ("optional: true," in text) == p.optional
            if p.options:
                assert f"autocomplete: {json.dumps(list(p.options))}," in text
            elif p.name == "accountName":
                assert "autocomplete: accountNames," in text  # the service's account names
            else:
                assert "autocomplete" not in text
    log = parameter_blocks(formula_block(source, "LogEngagement"))
    assert "type: coda.ParameterType.Date," in log["engagementDate"]
    assert '"Executive Sponsor Call"' in log["engagementType"]
    assert "return service.accountNames(context, search);" in source


def test_refuses_actions_coda_could_not_run():
    log, create, complete, record = PACK_ACTIONS
    assert "LogEngagement: returns a row of 'Nowhere', which is not a sync table" in refused(
        SYNC_TABLES, PACK_FORMULAS, (dataclasses.replace(log, table="Nowhere"),)
    )
    assert "CreateTask: writes 'ViewTemplates', which Coda may not edit" in refused(
        SYNC_TABLES, PACK_FORMULAS, (dataclasses.replace(create, table="ViewTemplates"),)
    )
    assert "two formulas are named 'GetAccountHealth'" in refused(
        SYNC_TABLES, PACK_FORMULAS, (dataclasses.replace(complete, name="GetAccountHealth"),)
    )
    assert "action name 'Record Value' breaks" in refused(
        SYNC_TABLES, PACK_FORMULAS, (dataclasses.replace(record, name="Record Value"),)
    )
    odd = dataclasses.replace(
        record,
        params=(
            dataclasses.replace(record.params[0], autocomplete="people"),
            Param("value", "number", "x", options=("1", "2")),
        ),
    )
    problems = refused(SYNC_TABLES, PACK_FORMULAS, (odd,))
    assert "RecordMetricValue.accountName: the pack has no 'people' autocomplete" in problems
    assert "RecordMetricValue.value: only a string parameter can offer options" in problems


def test_the_real_actions_pass_every_check():
    assert check_catalog(SYNC_TABLES, PACK_FORMULAS, PACK_ACTIONS) == []


def test_the_packs_request_limit_stays_under_the_services_body_limit(tmp_path):
    """runtime.ts splits edits into requests of at most MAX_REQUEST_BYTES; the service refuses bodies
    over MAX_CONTENT_LENGTH. Written in two languages, so checked here."""
    import re

    from service import create_app

    text = (HERE / "runtime.ts").read_text()
    kib = int(re.search(r"export const MAX_REQUEST_BYTES = (\d+) \* 1024;", text).group(1))
    app = create_app({"TESTING": True, "CSM_API_TOKENS": "t", "CSM_DATA": str(tmp_path / "csm.json")})
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert 0 < kib * 1024 <= limit * 0.9
