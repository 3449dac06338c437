"""The engine's host inside the product: organization time zone, variables, credentials, other flows.

The runs app extends it with cancellation (apps.runs.host.RunHost); the editor's step test and expression
preview use it as it is."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping

from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.files import OrganizationFiles


class LazyVariables(Mapping):
    """Organization variables, read from the database only if an expression of the run asks for `vars`."""

    def __init__(self):
        self._values: dict | None = None

    def _load(self) -> dict:
        if self._values is None:
            from apps.flows.services.variables import variables_for_flows

            self._values = variables_for_flows()
        return self._values

    def __getitem__(self, name):
        return self._load()[name]

    def __iter__(self):
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    def __repr__(self) -> str:  # expressions may turn `vars` into text: the default would show a memory address
        return repr(self._load())


class FlowHost:
    def __init__(self, *, organization):
        self.organization = organization
        self.variables = LazyVariables() if organization is not None else {}
        self.http_allow_hosts = list(getattr(organization, "allowed_internal_hosts", None) or [])
        self._zone = zoneinfo.ZoneInfo(organization.time_zone if organization else "Asia/Seoul")
        # Run ids repeat across organizations: the schema keeps idempotency keys of outgoing calls apart.
        self.idempotency_scope = getattr(organization, "schema_name", "")
        self.files = OrganizationFiles()
        # The person testing one step in the editor (flows.services.testing.node_test); None in runs.
        self.tester_id: int | None = None

    def now(self) -> dt.datetime:
        return dt.datetime.now(self._zone)

    def flow_state_load(self, flow_id) -> dict:
        from apps.flows.selectors import flow_state_get

        return flow_state_get(flow_id=flow_id)

    def credential(self, credential_id, credential_type):
        from apps.flows.services.credentials import credential_data

        data = credential_data(credential_id=credential_id, credential_type=credential_type)
        if data is None:
            raise NodeError(
                gettext_noop("The credential %(credential)s (%(type)s) does not exist in this organization."),
                code="credential_missing",
                values={"credential": str(credential_id), "type": str(credential_type)},
            )
        return data

    def credentials_succeeded(self, pairs) -> None:
        from apps.flows.services.credentials import credentials_mark_used

        credentials_mark_used(ids=[credential_id for credential_id, _type in pairs])

    def credential_renewed(self, credential_id, credential_type, *, refused_token: str) -> dict:
        from apps.flows.services.credentials import credential_renew

        data = credential_renew(credential_id=credential_id, credential_type=credential_type, refused_token=refused_token)
        if data is None:
            return self.credential(credential_id, credential_type)  # says it is missing
        return data

    def call_flow(self, flow_ref, items, depth):
        from apps.flows.engine.executor import Executor
        from apps.flows.engine.graph import Graph
        from apps.flows.models import Flow

        flow = Flow.objects.select_related("published_version").filter(pk=flow_ref if str(flow_ref).isdecimal() else None).first()
        if flow is None or flow.published_version is None:
            raise NodeError(
                gettext_noop("The flow %(flow)s does not exist or has no published version."),
                code="flow_missing",
                values={"flow": str(flow_ref)},
            )
        child = self.for_subflow()
        result = Executor(
            Graph.from_dict(flow.published_version.graph), host=child, depth=depth, flow_meta={"id": flow.pk, "name": flow.name}
        ).run(trigger_items=items)
        if result.status != "success":
            raise NodeError(
                gettext_noop("The flow “%(flow)s” failed: %(reason)s"),
                code="subflow_failed",
                values={"flow": flow.name, "reason": result.error},
            )
        return result.last_items

    def for_subflow(self) -> FlowHost:
        return FlowHost(organization=self.organization)

    def is_cancelled(self) -> bool:
        return False
