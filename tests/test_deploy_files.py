"""deploy/ (docker-compose, Kubernetes) describes the topology scripts/cluster.sh runs: the
same services, ports and variables, and no secret values."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Set

import yaml

from tests.helpers import ROOT

DEPLOY = ROOT / "deploy"
SERVICES = {"postgres", "redis", "account-backend", "actions", "rasa"}
PORTS = {"rasa": 5005, "actions": 5055, "account-backend": 8001, "postgres": 5432, "redis": 6379}
SECRETS = {"POSTGRES_PASSWORD", "ACCOUNT_BACKEND_TOKEN", "IDENTITY_SECRET"}


def endpoint_variables() -> Set[str]:
    """The ${VAR}s endpoints.yml needs: every Rasa replica must get each of them."""
    return set(
        re.findall(r"\$\{(\w+)\}", (ROOT / "deploy" / "endpoints.yml").read_text(encoding="utf-8"))
    )


def cluster_variables() -> Set[str]:
    """The variables scripts/cluster.sh exports for every replica (cluster_env)."""
    script = (ROOT / "scripts" / "cluster.sh").read_text(encoding="utf-8")
    body = script[script.index("cluster_env() {") :]
    body = body[: body.index("\n}\n")]
    return set(re.findall(r"export (\w+)=", body))


def compose() -> Dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))


def manifests() -> List[Dict]:
    documents = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        documents += [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    return documents


def k8s_env(container: Dict, config: Dict[str, str]) -> Set[str]:
    names = {item["name"] for item in container.get("env", [])}
    if any("configMapRef" in source for source in container.get("envFrom", [])):
        names |= set(config)
    return names


def test_the_cluster_script_gives_rasa_every_variable_endpoints_yml_needs():
    assert endpoint_variables() <= cluster_variables()


def test_compose_has_the_services_ports_and_variables_of_the_script():
    services = compose()["services"]
    assert SERVICES | {"nginx"} == set(services)
    assert services["rasa"]["deploy"]["replicas"] >= 2
    assert services["actions"]["deploy"]["replicas"] >= 2
    assert endpoint_variables() <= set(services["rasa"]["environment"])
    for name in ("rasa", "actions", "account-backend"):
        assert str(PORTS[name]) in " ".join(services[name]["command"]), name
    assert (
        services["rasa"]["environment"]["LOCK_STORE_TYPE"]
        == "rasa_plugins.lock_store.AtomicRedisLockStore"
    )


def test_kubernetes_has_the_same_services_ports_and_variables():
    documents = manifests()
    config = next(
        d
        for d in documents
        if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "nuget-assistant"
    )["data"]
    services = {d["metadata"]["name"]: d for d in documents if d["kind"] == "Service"}
    workloads = {
        d["metadata"]["name"]: d for d in documents if d["kind"] in ("Deployment", "StatefulSet")
    }
    assert set(services) == SERVICES and set(workloads) == SERVICES
    for name, port in PORTS.items():
        assert services[name]["spec"]["ports"][0]["port"] == port, name
    assert workloads["rasa"]["spec"]["replicas"] >= 2
    assert workloads["actions"]["spec"]["replicas"] >= 2
    rasa = workloads["rasa"]["spec"]["template"]["spec"]["containers"][0]
    assert endpoint_variables() <= k8s_env(rasa, config)
    assert services["rasa"]["spec"].get("sessionAffinity", "None") == "None"


def test_no_secret_value_is_written_in_the_deployment_files():
    for path in DEPLOY.rglob("*"):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        for secret in SECRETS:
            for value in re.findall(rf"{secret}\s*[:=]\s*(\S+)", text):
                assert value.startswith(("${", "...", "$(")) or value in ("|", ""), (path, value)
    config = next(
        d
        for d in manifests()
        if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "nuget-assistant"
    )
    assert not SECRETS & set(config["data"])


def test_nginx_proxy_rules_are_one_file_for_the_script_and_compose():
    proxy = "deploy/nginx/proxy.conf.inc"
    assert proxy in (ROOT / "scripts" / "cluster.sh").read_text(encoding="utf-8")
    volumes = " ".join(compose()["services"]["nginx"]["volumes"])
    assert Path(proxy).name in volumes
