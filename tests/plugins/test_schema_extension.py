"""`cosell_extend_schema` (issue 41): a plugin's GraphQL fields and mutations go through the
same authentication, partner scoping, input limits, query cost, audit log and error
contract as cosell's own; they exist only while the plugin is loaded, never in the
committed SDL; what would break that contract stops start-up naming the plugin."""

from __future__ import annotations

import hashlib
import logging

import pytest
import strawberry
from strawberry import relay

from partners.documents import store
from plugins import hookimpl
from plugins.manager import PluginError
from schema import export_sdl
from schema.compiled.executor import PlanStats
from schema.plugin_api import AUTHENTICATED, Info, SchemaAdditions, access
from server.testing import GraphQLClient, global_id, make_partner
from tests.plugins import sync_status_plugin
from tests.plugins.installed import install_plugin

pytestmark = pytest.mark.cosell_plugins(("acme-sync", sync_status_plugin))

STATUS = """query($id: ID) { acmeSyncStatus(partnerId: $id) { synced lastNote partner { name } } }"""
STATUSES = "{ acmeSyncStatuses { synced partner { name } } }"
MARK = """mutation($input: AcmeMarkSyncedInput!) { acmeMarkSynced(input: $input) {
  status { synced lastNote partner { name } } errors { code message field rule } } }"""
LOG = """query($filter: AuditLogFilter) { auditLog(filter: $filter) { nodes { actor mutation result errorCodes } } }"""


@pytest.fixture(autouse=True)
def empty_crm():
    sync_status_plugin.SYNCED.clear()
    yield
    sync_status_plugin.SYNCED.clear()


async def test_hook_cosell_extend_schema_adds_a_field_under_partner_scoping(gql, world):
    alpha, beta = (global_id("Partner", world.partners[name]) for name in ("alpha", "beta"))
    own = (await gql(STATUS, token=world.tokens["alpha_user"]))["data"]["acmeSyncStatus"]
    assert own == {"synced": 0, "lastNote": None, "partner": {"name": "Alpha Resellers"}}
    # Another partner's status is null for a partner user, as `node` would be (no leak).
    assert (await gql(STATUS, {"id": beta}, token=world.tokens["alpha_user"]))["data"]["acmeSyncStatus"] is None
    assert (await gql(STATUS, {"id": beta}, token=world.tokens["cm_amer"]))["data"]["acmeSyncStatus"]["partner"] == {
        "name": "Beta Distribution"}
    listed = (await gql(STATUSES, token=world.tokens["beta_user"]))["data"]["acmeSyncStatuses"]
    assert listed == [{"synced": 0, "partner": {"name": "Beta Distribution"}}]
    staff = (await gql(STATUSES, token=world.tokens["ae"]))["data"]["acmeSyncStatuses"]
    assert [s["partner"]["name"] for s in staff] == ["Alpha Resellers", "Beta Distribution"]
    # Authentication, as for a built-in field: the declared rule answers before the resolver.
    anonymous = await gql(STATUS, {"id": alpha}, errors=True)
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_hook_cosell_extend_schema_mutation_keeps_the_error_contract_and_is_audited(gql, world):
    alpha = global_id("Partner", world.partners["alpha"])
    done = (await gql(MARK, {"input": {"partnerId": alpha, "note": "pipeline pushed"}},
                      token=world.tokens["cm_amer"]))["data"]["acmeMarkSynced"]
    assert done == {"status": {"synced": 1, "lastNote": "pipeline pushed", "partner": {"name": "Alpha Resellers"}},
                    "errors": []}
    refused = (await gql(MARK, {"input": {"partnerId": alpha, "note": "  "}},
                         token=world.tokens["cm_amer"]))["data"]["acmeMarkSynced"]
    assert refused["status"] is None
    assert [(e["code"], e["field"], e["rule"]) for e in refused["errors"]] == [("NOTE_REQUIRED", ["note"], "ACME3")]
    assert sync_status_plugin.SYNCED == {world.partners["alpha"]: ["pipeline pushed"]}  # the refusal wrote nothing
    bad_id = (await gql(MARK, {"input": {"partnerId": "nonsense", "note": "x"}},
                        token=world.tokens["cm_amer"]))["data"]["acmeMarkSynced"]
    assert [(e["code"], e["field"]) for e in bad_id["errors"]] == [("INVALID_ID", ["partnerId"])]
    forbidden = await gql(MARK, {"input": {"partnerId": alpha, "note": "mine"}}, token=world.tokens["alpha_user"],
                          errors=True)
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    entries = (await gql(LOG, {"filter": {"mutation": "acmeMarkSynced"}}, token=world.tokens["admin"]))
    assert [(e["actor"], e["result"], e["errorCodes"]) for e in entries["data"]["auditLog"]["nodes"]] == [
        ("alpha_user@cosell.test", "REFUSED", ["FORBIDDEN"]),
        ("cm_amer@cosell.test", "USER_ERROR", ["INVALID_ID"]),
        ("cm_amer@cosell.test", "USER_ERROR", ["NOTE_REQUIRED"]),
        ("cm_amer@cosell.test", "OK", []),
    ]


async def test_hook_cosell_extend_schema_inputs_are_limited_like_built_in_ones(gql, world):
    alpha = global_id("Partner", world.partners["alpha"])
    body = await gql(MARK, {"input": {"partnerId": alpha, "note": "x" * 256}}, token=world.tokens["cm_amer"],
                     errors=True)
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and error["extensions"]["maxLength"] == 255
    assert sync_status_plugin.SYNCED == {}


async def test_hook_cosell_extend_schema_fields_cost_and_are_refused_over_the_limit(cosell_app_factory, world):
    async with cosell_app_factory() as client:
        body = await GraphQLClient(client)(STATUSES, token=world.tokens["ae"])
        assert body["extensions"]["cost"]["requested"] == 5 * 2  # a list of 5 (no size argument) of 2 objects
    async with cosell_app_factory(max_query_cost=9) as client:
        refused = await GraphQLClient(client)(STATUSES, token=world.tokens["ae"], errors=True)
    assert refused["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


async def test_hook_cosell_extend_schema_list_costs_the_same_statements_for_more_partners(gql, world):
    before = (await gql(STATUSES, token=world.tokens["admin"]))["extensions"]["sqlStatements"]
    for n in range(4):
        await make_partner(f"Gamma {n}")
    after = await gql(STATUSES, token=world.tokens["admin"])
    assert len(after["data"]["acmeSyncStatuses"]) == 6 and after["extensions"]["sqlStatements"] == before


async def test_hook_cosell_extend_schema_failure_is_masked_and_names_the_plugin(gql, world, caplog):
    with caplog.at_level(logging.ERROR, logger="cosell.graphql"):
        body = await gql("{ acmeBroken }", token=world.tokens["ae"], errors=True)
    error = body["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR" and "requestId" in error["extensions"]
    assert "unreachable" not in error["message"]
    assert "Plugin 'acme-sync' failed in Query.acmeBroken: RuntimeError: the CRM is unreachable" in caplog.text


async def test_hook_cosell_extend_schema_trusted_documents_run_generic(cosell_app_factory, world):
    """Documents touching a plugin field never run a compiled plan (which may fall back
    and call the resolvers again): the plugin's resolver runs once, on the generic path."""
    text = "query { acmeSyncStatus { synced partner { name } } }"
    digest = hashlib.sha256(text.encode()).hexdigest()
    async with cosell_app_factory() as client:
        await store.add([store.Document(digest, text, (), "test")])
        compiled, fallbacks = PlanStats.compiled, PlanStats.fallbacks
        response = await client.post("/graphql", json={"extensions": {"persistedQuery": {
            "version": 1, "sha256Hash": digest}}}, headers={"Authorization": f"Bearer {world.tokens['alpha_user']}"})
    assert response.json()["data"] == {"acmeSyncStatus": {"synced": 0, "partner": {"name": "Alpha Resellers"}}}
    assert (PlanStats.compiled, PlanStats.fallbacks) == (compiled, fallbacks)


QUERY_FIELDS = '{ __type(name: "Query") { fields { name } } }'


async def test_hook_cosell_extend_schema_fields_exist_only_while_the_plugin_is_loaded(
        cosell_app_factory, world, tmp_path, monkeypatch):
    async with cosell_app_factory() as client:
        with_plugin = await GraphQLClient(client)(QUERY_FIELDS, token=world.tokens["admin"])
    assert "acmeSyncStatus" in {f["name"] for f in with_plugin["data"]["__type"]["fields"]}
    # Installed as a package (an entry point) but not allowed: no field, and a document asking is invalid.
    install_plugin(tmp_path, monkeypatch, entry_name="acme-installed", source=INSTALLED_SOURCE)
    async with cosell_app_factory(extra_plugins=[], plugins_allow=()) as client:
        body = await GraphQLClient(client)("{ acmeInstalledPing }", token=world.tokens["admin"], errors=True)
        assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    async with cosell_app_factory(plugins_allow=("acme-installed",)) as client:
        body = await GraphQLClient(client)("{ acmeInstalledPing }", token=world.tokens["admin"])
        assert body["data"] == {"acmeInstalledPing": "pong"}
    # The committed SDL (`cosell schema export`) covers the built-in fields only, whatever is installed.
    monkeypatch.setenv("COSELL_PLUGINS", "acme-installed")
    sdl = export_sdl()
    assert "acmeInstalledPing" not in sdl and "acmeSyncStatus" not in sdl


INSTALLED_SOURCE = '''
import strawberry

from plugins import hookimpl
from schema.plugin_api import STAFF, SchemaAdditions, access


@strawberry.type
class PingQuery:
    @strawberry.field(extensions=[access(STAFF)])
    def acme_installed_ping(self) -> str:
        return "pong"


@hookimpl
def cosell_extend_schema():
    return SchemaAdditions(queries=[PingQuery])
'''


class Answers:
    """A plugin answering given additions."""

    def __init__(self, answer) -> None:
        self.answer = answer

    @hookimpl
    def cosell_extend_schema(self):
        return self.answer


@strawberry.type
class NoRuleQuery:
    @strawberry.field
    def acme_open(self) -> str:
        return "open"


@strawberry.type
class ClashingQuery:
    @strawberry.field(extensions=[access(AUTHENTICATED)])
    def viewer(self) -> str:
        return "mine"


@strawberry.type
class AcmeThing(relay.Node):
    id: relay.NodeID[int]


@strawberry.type
class AcmeNodeQuery:
    @strawberry.field(extensions=[access(AUTHENTICATED)])
    def acme_thing(self) -> AcmeThing | None:
        return None


@strawberry.type
class BarePayload:
    ok: bool


@strawberry.type
class BareMutation:
    @strawberry.mutation(extensions=[access(AUTHENTICATED)])
    def acme_do(self, info: Info) -> BarePayload:
        return BarePayload(ok=True)


@pytest.mark.parametrize(("answer", "problem"), [
    ({"queries": []}, "answer a schema.plugin_api.SchemaAdditions or None, not dict"),
    (SchemaAdditions(queries=[NoRuleQuery]), "Query.acmeOpen declares no access rule"),
    (SchemaAdditions(queries=[ClashingQuery]), "Query.viewer is already defined by cosell"),
    (SchemaAdditions(queries=[AcmeNodeQuery]), "AcmeThing is a relay.Node"),
    (SchemaAdditions(mutations=[BareMutation]), "Mutation.acmeDo must answer a payload with `errors: list[UserError]`"),
])
async def test_hook_cosell_extend_schema_refuses_what_breaks_the_contract_at_startup(
        cosell_app_factory, answer, problem):
    with pytest.raises(PluginError) as raised:
        async with cosell_app_factory(extra_plugins=[("bad-schema", Answers(answer))]):
            pass
    assert str(raised.value).startswith("Plugin 'bad-schema' is invalid: cosell_extend_schema: ")
    assert problem in str(raised.value)


async def test_hook_cosell_extend_schema_two_plugins_may_not_add_the_same_field(cosell_app_factory):
    again = Answers(SchemaAdditions(queries=[sync_status_plugin.AcmeSyncQuery]))
    with pytest.raises(PluginError) as raised:
        async with cosell_app_factory(extra_plugins=[("again", again)]):
            pass
    assert "Query.acmeSyncStatus is already defined by plugin 'acme-sync'" in str(raised.value)


def test_hook_cosell_extend_schema_documents_with_plugin_fields_register_while_it_is_loaded(
        cosell_database_url, tmp_path, monkeypatch, capsys):
    """`cosell documents add` checks documents against the schema the server serves: with
    the fields of the plugins it loads, and without those of a plugin it does not."""
    from server.cli import main

    install_plugin(tmp_path, monkeypatch, entry_name="acme-installed", source=INSTALLED_SOURCE)
    document = tmp_path / "ping.graphql"
    document.write_text("query Ping { acmeInstalledPing }", encoding="utf-8")
    monkeypatch.setenv("COSELL_PLUGINS", "")
    assert main(["documents", "add", str(document)]) == 2
    assert "acmeInstalledPing" in capsys.readouterr().err
    monkeypatch.setenv("COSELL_PLUGINS", "acme-installed")
    assert main(["documents", "add", str(document)]) == 0
    assert "1 document(s) added" in capsys.readouterr().out
