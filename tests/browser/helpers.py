from apps.flows.engine.context import LocalHost
from tests.browser.site import PASSWORD, USERNAME
from tests.flows.engine.helpers import edge, node, run

START = node("start", "trigger.manual", "Start")
LOGIN = {"9": {"type": "website_login", "data": {"username": USERNAME, "password": PASSWORD}}}
LOG_IN = [
    {"action": "type_username", "find_by": "label", "target": "Username"},
    {"action": "type_password", "find_by": "label", "target": "Password"},
    {"action": "click", "target": "Log in"},
]


def host(allow=("127.0.0.1",), credentials=None):
    return LocalHost(http_allow_hosts=allow, credentials=LOGIN if credentials is None else credentials)


def browse(step_type: str, *, allow=("127.0.0.1",), credentials=None, items=None, settings=None, **params):
    """Runs one browser step after a manual trigger; returns the run result and the recording reporter."""
    step = node("b", step_type, "Browser", settings=settings)
    step["parameters"] = params  # not as node()'s keywords: a browser step has a parameter called "name"
    nodes = [START, step]
    return run(nodes, [edge("start", "b")], items if items is not None else [{}], host=host(allow, credentials))
