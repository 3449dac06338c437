"""The deployment files (Dockerfile, deploy/compose.yaml, deploy/k8s, deploy/prometheus) say what the product runs.

No Docker daemon or cluster here: the files are parsed, Kubernetes objects are validated against the Kubernetes JSON
schemas (kubernetes-validate, strict: unknown fields fail), the compose file by a Compose Specification parser
(compose-spec: unknown keys, wrong types and values fail), and every process command is compared with the one
`make run` and the loopback tests start (ezflow_site/processes.py, tests/support/stack.py).
"""

from __future__ import annotations

import ast
import json
import re
import shlex
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from compose_spec import PyCompose

from ezflow_site import container, processes

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
APP_SERVICES = {"migrate": "migrate", "web": "web", "worker": "worker", "beat": "beat", "worker-metrics": "metrics"}
KUBERNETES_VERSIONS = ("1.30", "1.37")  # the oldest supported one and the newest the schemas know


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def _k8s_documents(*, include_example: bool = True) -> list[dict]:
    documents = []
    for path in sorted(K8S.glob("*.yaml")):
        if path.name == "kustomization.yaml" or (path.name == "secret.example.yaml" and not include_example):
            continue
        documents += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return documents


def _k8s(kind: str, name: str) -> dict:
    found = [doc for doc in _k8s_documents() if doc["kind"] == kind and doc["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


def _dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


def _instruction(name: str) -> list[str]:
    return [arguments for instruction, arguments in _dockerfile() if instruction == name]


def _portable(command: list[str]) -> list[str]:
    """The command as a container runs it: `python` instead of this machine's interpreter path."""
    return ["python" if part == sys.executable else part for part in command]


# --- the process commands -------------------------------------------------------------------------------------------


def _start_daphne_command(monkeypatch) -> list[str]:
    started = []
    monkeypatch.setattr(processes.subprocess, "Popen", lambda command, **_: started.append(command))

    class Socket:
        def fileno(self):
            return 7

    processes.start_daphne(Socket(), cwd=ROOT)
    return started[0]


def _stack_daphne_command() -> list[str]:
    """The daphne list literal tests/support/stack.py starts when each web process has its own port."""
    tree = ast.parse((ROOT / "tests/support/stack.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.List) and getattr(node.targets[0], "id", "") == "daphne":
            return [ast.unparse(element) for element in node.value.elts]
    raise AssertionError("no daphne command in tests/support/stack.py")


def _without(command: list[str], *options: str) -> list[str]:
    """The command less the given options and their values."""
    out, skip = [], False
    for part in command:
        if skip:
            skip = False
        elif part in options:
            skip = True
        else:
            out.append(part)
    return out


def test_web_runs_the_daphne_command_of_make_run_and_the_stack_tests_on_a_container_address(monkeypatch):
    web = container.command("web", {})
    launcher = _start_daphne_command(monkeypatch)
    stack = [part.strip("'\"") for part in _stack_daphne_command()]
    # `make run` hands daphne an inherited socket, the stack tests and a container bind an address; nothing else differs.
    assert _without(web, "-b", "-p") == _without(launcher, "--fd")
    assert _without(stack, "-b", "-p") == ["sys.executable", *_without(web, "-b", "-p")[1:]]
    assert web[web.index("-b") + 1] == "0.0.0.0" and web[web.index("-p") + 1] == "8000"
    words = " ".join(_portable(web))
    assert re.fullmatch(r"python -m daphne .*-b 0\.0\.0\.0 -p 8000 ezflow_site\.asgi:application", words), words


def test_worker_and_beat_run_the_launchers_commands(monkeypatch):
    assert container.command("worker", {"EZFLOW_WORKER_CONCURRENCY": "3"}) == processes.celery_worker_command(
        hostname="worker@%h", concurrency=3
    )
    beat = processes.celery_beat_command(schedule_file="/data/celerybeat-schedule")
    assert container.command("beat", {"EZFLOW_DATA_DIR": "/data"}) == beat
    assert _portable(container.command("migrate", {}))[0] == "python"
    assert container.command("migrate", {})[-2:] == [str(ROOT / "manage.py"), "ezflow_setup"]


@pytest.mark.parametrize("path", ["ezflow_site/launcher.py", "tests/support/stack.py"])
def test_the_launcher_and_the_stack_tests_build_worker_and_beat_from_the_same_functions(path):
    """Were the launcher or the stack to spell a Celery command itself, the image could run something else."""
    tree = ast.parse((ROOT / path).read_text())
    called = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert {"celery_worker_command", "celery_beat_command"} <= called
    spelled = [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.List) and any(isinstance(e, ast.Constant) and e.value == "celery" for e in node.elts)
    ]
    assert spelled == [], f"{path} spells a Celery command itself: {spelled}"


def test_the_entry_point_refuses_to_start_without_the_required_settings(capsys):
    assert container.main(["web"], environ={"DATABASE_URL": "postgres://db/ezflow"}) == 2
    error = capsys.readouterr().err
    assert "REDIS_URL" in error and "DJANGO_SECRET_KEY" in error and "EZFLOW_CREDENTIAL_KEYS" in error
    assert "DATABASE_URL" not in error.split("environment:")[1]
    assert container.main(["shell"], environ={}) == 2
    assert container.main([], environ={}) == 2


def test_the_entry_point_replaces_itself_with_the_roles_process(monkeypatch, tmp_path):
    executed = []
    monkeypatch.setattr(container.os, "execv", lambda path, argv: executed.append(argv))
    monkeypatch.setattr(container.os, "chdir", lambda path: None)
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    (metrics / "counter_41.db").write_bytes(b"stale")
    environ = dict.fromkeys(container.REQUIRED, "set") | {
        "EZFLOW_DATA_DIR": str(tmp_path / "data"),
        "PROMETHEUS_MULTIPROC_DIR": str(metrics),
    }
    for role in ("web", "worker", "beat", "migrate"):
        container.main([role], environ=environ)
    assert executed == [container.command(role, environ) for role in ("web", "worker", "beat", "migrate")]
    assert list(metrics.iterdir()) == []  # a previous container's counts are not added to this one's
    assert (tmp_path / "data").is_dir()


# --- Dockerfile ------------------------------------------------------------------------------------------------------


def test_the_dockerfile_builds_one_non_root_production_image():
    assert _instruction("FROM") == ["python:3.11-slim"]
    user = _instruction("USER")[-1].split(":")[0]
    assert user.isdigit() and int(user) != 0
    env = " ".join(_instruction("ENV"))
    assert re.search(r"\bDJANGO_DEBUG=0\b", env)
    for secret in container.REQUIRED:
        assert secret not in env, f"{secret} must come from the environment at run time, not the image"
    runs = " ".join(_instruction("RUN"))
    assert "pip install -r" in runs and "requirements.txt" in runs
    assert "collectstatic --noinput" in runs
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in (ROOT / "ezflow_site/settings/components/base.py").read_text()


def test_the_dockerfile_entry_point_is_the_role_dispatcher_and_web_is_the_default():
    assert [json.loads(e) for e in _instruction("ENTRYPOINT")] == [["python", "-m", "ezflow_site.container"]]
    assert [json.loads(c) for c in _instruction("CMD")] == [["web"]]
    assert (ROOT / "ezflow_site/container.py").exists()
    healthcheck = _instruction("HEALTHCHECK")[0]
    assert "http://127.0.0.1:8000/healthz" in healthcheck
    exposed = " ".join(_instruction("EXPOSE")).split()
    assert "8000" in exposed and "9100" in exposed


def test_the_image_copies_what_the_product_imports_and_ignores_local_state():
    copied = {shlex.split(arguments)[0] for arguments in _instruction("COPY")}
    for needed in ("requirements.txt", "manage.py", "ezflow_site", "apps", "templates", "static", "locale"):
        assert needed in copied or any(needed in c.split() for c in _instruction("COPY")), needed
    ignored = (ROOT / ".dockerignore").read_text().split()
    for local in (".venv", ".data", ".git", "node_modules", "staticfiles"):
        assert local in ignored


# --- Docker Compose ------------------------------------------------------------------------------------------------


def _interpolated(text: str, environ: dict) -> str:
    """Compose's variable substitution, done before validation: ${NAME}, ${NAME:-default}, ${NAME:?error}, $$."""

    def value(match):
        if match.group(0) == "$$":
            return "$"
        name, operator, argument = match.groups()
        if name in environ:
            return environ[name]
        if operator == ":?":
            raise KeyError(f"{name}: {argument}")
        return argument or ""

    return re.sub(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|:\?)([^}]*))?\}", value, text)


def test_the_compose_file_follows_the_compose_specification():
    environ = {"POSTGRES_PASSWORD": "secret", "DJANGO_SECRET_KEY": "k" * 50, "EZFLOW_CREDENTIAL_KEYS": "key"}
    text = _interpolated((DEPLOY / "compose.yaml").read_text(), environ)
    parsed = PyCompose.from_json(json.dumps(yaml.safe_load(text)))  # YAML merge keys resolved first, as Compose does
    assert sorted(parsed.service_names()) == sorted(_compose()["services"])
    wrong = text.replace("condition: service_completed_successfully", "condition: service_finished", 1)
    with pytest.raises(ValueError, match="service_finished"):
        PyCompose.from_json(json.dumps(yaml.safe_load(wrong)))
    for required in environ:
        with pytest.raises(KeyError, match=required):
            _interpolated((DEPLOY / "compose.yaml").read_text(), {k: v for k, v in environ.items() if k != required})


def test_compose_runs_every_process_of_a_deployment():
    services = _compose()["services"]
    assert set(services) == {"postgres", "redis", *APP_SERVICES, "proxy"}
    for name, role in APP_SERVICES.items():
        assert services[name]["command"] == [role], name
        assert services[name]["image"] == services["web"]["image"], "one image for every role"
        assert role in container.ROLES
    assert services["web"]["deploy"]["replicas"] == 2
    assert services["postgres"]["image"].startswith("postgres:") and services["redis"]["image"].startswith("redis:")


def test_compose_migrates_first_and_starts_the_rest_only_after_it_succeeded():
    services = _compose()["services"]
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}, "redis": {"condition": "service_healthy"}}
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}, name
        assert services[name]["restart"] == "unless-stopped", name


def test_compose_checks_the_health_of_every_long_running_service():
    services = _compose()["services"]
    assert services["migrate"]["healthcheck"] == {"disable": True}
    for name, service in services.items():
        if name == "migrate":
            continue
        test = service["healthcheck"]["test"]
        assert test[0] in ("CMD", "CMD-SHELL") and len(test) > 1, name
    assert "http://127.0.0.1:8000/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "inspect ping -d worker@$$HOSTNAME" in services["worker"]["healthcheck"]["test"][1]
    # the worker's own name, as the role names it (celery expands %h to the host name)
    assert "worker@%h" in container.command("worker", {})
    assert "http://127.0.0.1:9100/healthz" in " ".join(services["worker-metrics"]["healthcheck"]["test"])
    assert services["worker"]["stop_grace_period"] == "10m"


def test_compose_takes_every_secret_from_the_environment():
    compose = _compose()
    environment = compose["services"]["web"]["environment"]
    for name in ("DJANGO_SECRET_KEY", "EZFLOW_CREDENTIAL_KEYS", "DATABASE_URL", "EZFLOW_METRICS_TOKEN", "EMAIL_URL"):
        assert "${" in environment[name], f"{name} must not be written into the compose file"
    assert environment["REDIS_URL"] == "redis://redis:6379/0"  # the compose file's own Redis, no password
    assert "${POSTGRES_PASSWORD:?" in environment["DATABASE_URL"]
    for name in ("DJANGO_SECRET_KEY", "EZFLOW_CREDENTIAL_KEYS"):
        assert re.fullmatch(r"\$\{" + name + r":\?[^}]+\}", environment[name]), f"{name} must be required"
    assert environment["DJANGO_DEBUG"] == "0"
    for name in ("migrate", "worker", "beat"):
        service_environment = compose["services"][name]["environment"]
        assert {k: v for k, v in service_environment.items() if k != "PROMETHEUS_MULTIPROC_DIR"} == environment, name
    assert (
        compose["services"]["worker"]["environment"]["PROMETHEUS_MULTIPROC_DIR"]
        == compose["services"]["worker-metrics"]["environment"]["PROMETHEUS_MULTIPROC_DIR"]
    )


def test_the_example_environment_names_every_variable_the_compose_file_reads():
    read = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", (DEPLOY / "compose.yaml").read_text()))
    example = {line.split("=", 1)[0] for line in (DEPLOY / "env.example").read_text().splitlines() if line and not line.startswith("#")}
    assert read == example
    assert all(
        line.endswith("=") for line in (DEPLOY / "env.example").read_text().splitlines() if line.startswith(("DJANGO_SECRET", "POSTGRES"))
    )
    ignored = (ROOT / ".gitignore").read_text().split()
    assert "deploy/.env" in ignored and "deploy/ezflow.env" in ignored


def test_the_compose_proxy_forwards_websockets_to_the_web_replicas():
    config = (DEPLOY / "nginx.conf").read_text()
    assert "server web:8000" in config
    assert "proxy_set_header Upgrade $http_upgrade" in config and "proxy_set_header Host $http_host" in config


# --- Kubernetes ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_kubernetes_object_is_valid_for_its_schema(version):
    documents = _k8s_documents()
    assert len(documents) >= 9
    for document in documents:
        kubernetes_validate.validate(document, version, strict=True)


def test_the_schema_check_can_fail():
    job = _k8s("Job", "ezflow-migrate")
    job["spec"]["template"]["spec"]["containers"][0]["argz"] = ["migrate"]
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(job, KUBERNETES_VERSIONS[0], strict=True)


def test_the_kustomization_lists_every_manifest_but_the_secret_example():
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    on_disk = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml", "secret.example.yaml"}
    assert set(kustomization["resources"]) == on_disk
    assert [image["name"] for image in kustomization["images"]] == ["ezflow"]


def _pod(name: str) -> dict:
    return _k8s("Deployment", name)["spec"]["template"]["spec"]


def _containers(pod: dict) -> list[dict]:
    return pod.get("initContainers", []) + pod["containers"]


def test_each_deployment_runs_its_role_from_the_one_image():
    for name, role in (("ezflow-web", "web"), ("ezflow-worker", "worker"), ("ezflow-beat", "beat")):
        pod = _pod(name)
        assert pod["containers"][0]["args"] == [role]
        assert [c["args"] for c in pod["initContainers"]] == [["wait-for-migrations"]], name
        for c in _containers(pod):
            assert c["image"] == "ezflow" and c["args"][0] in container.ROLES
    job = _k8s("Job", "ezflow-migrate")["spec"]
    assert job["template"]["spec"]["containers"][0]["args"] == ["migrate"]
    assert job["template"]["spec"]["restartPolicy"] == "Never"


def test_every_pod_reads_settings_and_secrets_from_references_and_runs_as_the_images_user():
    uid = int(_instruction("USER")[-1].split(":")[0])
    secret = _k8s("Secret", "ezflow-secrets")
    config = _k8s("ConfigMap", "ezflow-config")
    assert not set(container.REQUIRED) & set(config["data"]), "secrets belong in the Secret"
    assert set(container.REQUIRED) | {"EZFLOW_METRICS_TOKEN", "EMAIL_URL", "EZFLOW_OAUTH_CLIENTS"} <= set(secret["stringData"])
    pods = [_pod(n) for n in ("ezflow-web", "ezflow-worker", "ezflow-beat")] + [_k8s("Job", "ezflow-migrate")["spec"]["template"]["spec"]]
    for pod in pods:
        assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] == uid
        for c in _containers(pod):
            if c["args"] != ["metrics"]:
                assert c["envFrom"] == [{"configMapRef": {"name": "ezflow-config"}}, {"secretRef": {"name": "ezflow-secrets"}}], c["name"]
            for variable in c.get("env", []):
                assert "value" in variable or variable["valueFrom"]["secretKeyRef"]["key"] in secret["stringData"]
            assert c["resources"]["requests"]["cpu"] and c["resources"]["requests"]["memory"] and c["resources"]["limits"]["memory"]
            assert c["securityContext"]["readOnlyRootFilesystem"] is True
            mounted = {m["mountPath"] for m in c.get("volumeMounts", [])}
            assert "/tmp" in mounted or c["args"] == ["metrics"], c["name"]  # code steps and migrations need a scratch folder


def test_web_is_probed_on_healthz_kept_available_and_exposed_on_every_organization_host():
    pod = _pod("ezflow-web")
    web = pod["containers"][0]
    port = {p["name"]: p["containerPort"] for p in web["ports"]}["http"]
    assert str(port) == container.command("web", {})[container.command("web", {}).index("-p") + 1]
    assert web["readinessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert web["livenessProbe"]["tcpSocket"] == {"port": "http"}
    labels = _k8s("Deployment", "ezflow-web")["spec"]["template"]["metadata"]["labels"]
    assert _k8s("PodDisruptionBudget", "ezflow-web")["spec"]["selector"]["matchLabels"] == labels
    assert _k8s("Deployment", "ezflow-web")["spec"]["replicas"] >= 2
    service = _k8s("Service", "ezflow-web")
    assert service["spec"]["selector"] == labels and service["spec"]["ports"][0]["targetPort"] == "http"
    ingress = _k8s("Ingress", "ezflow")["spec"]
    hosts = {rule["host"] for rule in ingress["rules"]}
    assert hosts == {"example.com", "*.example.com"}
    for rule in ingress["rules"]:
        backend = rule["http"]["paths"][0]["backend"]["service"]
        assert backend == {"name": "ezflow-web", "port": {"name": service["spec"]["ports"][0]["name"]}}
    assert set(ingress["tls"][0]["hosts"]) == hosts
    assert _k8s("ConfigMap", "ezflow-config")["data"]["EZFLOW_BASE_DOMAIN"] == "example.com"


def test_workers_finish_their_runs_before_they_stop_and_beat_is_never_doubled():
    worker = _pod("ezflow-worker")
    assert worker["terminationGracePeriodSeconds"] >= 600
    ping = " ".join(worker["containers"][0]["livenessProbe"]["exec"]["command"])
    assert "celery -A ezflow_site inspect ping -d worker@$HOSTNAME" in ping
    sidecar = worker["containers"][1]
    assert sidecar["args"] == ["metrics"] and sidecar["ports"][0]["containerPort"] == 9100
    folders = {next(e["value"] for e in c["env"] if e["name"] == "PROMETHEUS_MULTIPROC_DIR") for c in worker["containers"]}
    assert len(folders) == 1
    beat = _k8s("Deployment", "ezflow-beat")["spec"]
    assert beat["replicas"] == 1 and beat["strategy"] == {"type": "Recreate"}
    for name in ("ezflow-web", "ezflow-worker"):
        assert _k8s("Deployment", name)["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


# --- Prometheus scrape example -------------------------------------------------------------------------------------


def test_the_prometheus_example_scrapes_web_and_worker_metrics_with_the_bearer_token():
    config = yaml.safe_load((DEPLOY / "prometheus/prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    for job in jobs.values():
        assert job["metrics_path"] == "/metrics"
        assert job["authorization"]["type"] == "Bearer" and job["authorization"]["credentials_file"]
    keep_ports = next(r for r in jobs["ezflow"]["relabel_configs"] if r["source_labels"] == ["__meta_kubernetes_pod_container_port_name"])
    port_names = {p["name"] for d in ("ezflow-web", "ezflow-worker") for c in _pod(d)["containers"] for p in c.get("ports", [])}
    assert set(keep_ports["regex"].split("|")) == port_names
    compose = {entry["names"][0]: entry["port"] for entry in jobs["ezflow-compose"]["dns_sd_configs"]}
    assert compose == {"web": 8000, "worker-metrics": 9100}


# --- documentation -------------------------------------------------------------------------------------------------


def test_the_deployment_guide_names_every_required_setting_and_the_readme_links_it():
    guide = (ROOT / "docs/deployment.md").read_text()
    for name in (*container.REQUIRED, "EZFLOW_METRICS_TOKEN", "EMAIL_URL", "EZFLOW_OAUTH_CLIENTS", "EZFLOW_MIGRATION_EXECUTOR"):
        assert f"`{name}`" in guide, name
    readme = (ROOT / "README.md").read_text()
    assert "docs/deployment.md" in readme
    assert "make run    # run EZFlow:" in readme and "make test   # run the tests:" in readme
