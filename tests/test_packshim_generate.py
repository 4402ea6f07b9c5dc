"""The generator: reproducible output, and a clear refusal for every way to break a pack."""

from __future__ import annotations

import dataclasses
import json

import pytest
from click.testing import CliRunner

from packshim.checks import PackError, check_catalog, network_domain, normalise_key
from packshim.generate import DEFAULT_BASE_URL, HERE, SDK_VERSION, TYPESCRIPT_VERSION, generate, pack_ts
from schemas import SYNC_TABLES, get_table
from schemas.fields import text
from schemas.pack_formulas import PACK_FORMULAS, Param
from service.cli import cli

GENERATED = ("pack.ts", "package.json", "package-lock.json", "tsconfig.json")


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


def refused(tables, formulas=PACK_FORMULAS):
    problems = check_catalog(tables, formulas)
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
    field = dataclasses.replace(text("history", "x"), kind="ref", ref="AccountHealthHistory")
    tables = with_field("AccountMaster", field)
    assert "AccountMaster.history: references 'AccountHealthHistory', which is not a sync table" in refused(tables)


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


def test_pack_ts_raises_with_every_problem_listed(monkeypatch):
    import packshim.generate as gen

    monkeypatch.setattr(gen, "SYNC_TABLES", replace_table("AccountMaster", name="Account Master"))
    with pytest.raises(PackError, match="refusing to generate the pack:\n- sync table name 'Account Master'"):
        gen.pack_ts(DEFAULT_BASE_URL)
