"""deploy/ (docker-compose, Kubernetes) describes the topology scripts/cluster.sh runs: the
same services, ports and variables, and no secret values. One image per service, each built by
its own Dockerfile from hash-locked requirements, with only that service's folders in it.
Docker is not needed: the files are parsed."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Dict, List, Set, Tuple

import yaml

from tests.helpers import ROOT

DEPLOY = ROOT / "deploy"
SERVICES = {"postgres", "redis", "account-backend", "actions", "rasa", "help-site"}
PORTS = {
    "rasa": 5005,
    "actions": 5055,
    "account-backend": 8001,
    "help-site": 8080,
    "postgres": 5432,
    "redis": 6379,
}
SECRETS = {
    "POSTGRES_PASSWORD",
    "ACCOUNT_BACKEND_TOKEN",
    "IDENTITY_SECRET",
    "ACTION_SERVER_TOKEN",
    "SOCKET_SESSION_SECRET",
    "DIGEST_SECRET",
}


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
    for name in ("rasa", "actions", "account-backend", "help-site"):
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


def test_rasa_and_the_action_servers_share_a_required_token_everywhere():
    """Rasa sends ACTION_SERVER_TOKEN (endpoints.yml) and every action server requires it."""
    endpoint = yaml.safe_load((DEPLOY / "endpoints.yml").read_text(encoding="utf-8"))
    headers = endpoint["action_endpoint"]["headers"]
    assert headers == {"Authorization": "Bearer ${ACTION_SERVER_TOKEN}"}
    assert "ACTION_SERVER_TOKEN" in cluster_variables()
    services = compose()["services"]
    for name in ("actions", "rasa"):
        value = services[name]["environment"]["ACTION_SERVER_TOKEN"]
        assert value.startswith("${ACTION_SERVER_TOKEN:?"), (name, value)  # compose refuses none
    workloads = {d["metadata"]["name"]: d for d in manifests() if d["kind"] == "Deployment"}
    for name in ("actions", "rasa"):
        container = workloads[name]["spec"]["template"]["spec"]["containers"][0]
        env = {item["name"]: item for item in container.get("env", [])}
        secret = env["ACTION_SERVER_TOKEN"]["valueFrom"]["secretKeyRef"]
        assert secret["key"] == "ACTION_SERVER_TOKEN" and not secret.get("optional"), name


def test_the_rasa_replicas_share_a_required_key_for_widget_sessions():
    """Each replica must verify the session proofs the others issued (socket_sessions.py)."""
    assert "SOCKET_SESSION_SECRET" in cluster_variables()
    value = compose()["services"]["rasa"]["environment"]["SOCKET_SESSION_SECRET"]
    assert value.startswith("${SOCKET_SESSION_SECRET:?"), value
    rasa = next(
        d for d in manifests() if d["kind"] == "Deployment" and d["metadata"]["name"] == "rasa"
    )
    env = {item["name"]: item for item in rasa["spec"]["template"]["spec"]["containers"][0]["env"]}
    secret = env["SOCKET_SESSION_SECRET"]["valueFrom"]["secretKeyRef"]
    assert secret["key"] == "SOCKET_SESSION_SECRET" and not secret.get("optional")


def test_the_backend_and_the_action_servers_share_a_required_digest_key_everywhere():
    """The action servers digest conversations and users with the key the backend stores its
    digests under (common/conversation.py): every deployment gives both the one secret."""
    assert "DIGEST_SECRET" in cluster_variables()
    services = compose()["services"]
    for name in ("actions", "account-backend"):
        value = services[name]["environment"]["DIGEST_SECRET"]
        assert value.startswith("${DIGEST_SECRET:?"), (name, value)
    workloads = {d["metadata"]["name"]: d for d in manifests() if d["kind"] == "Deployment"}
    for name in ("actions", "account-backend"):
        container = workloads[name]["spec"]["template"]["spec"]["containers"][0]
        env = {item["name"]: item for item in container.get("env", [])}
        secret = env["DIGEST_SECRET"]["valueFrom"]["secretKeyRef"]
        assert secret["key"] == "DIGEST_SECRET" and not secret.get("optional"), name


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


def test_nginx_drops_idle_connections_before_the_action_servers_do():
    """An action server (Sanic) closes a connection idle for KEEP_ALIVE_TIMEOUT; nginx must
    drop its idle ones first, or it can send a call on a closing connection (a 502)."""
    from sanic.config import DEFAULT_CONFIG

    for path in ("scripts/cluster.sh", "deploy/nginx/upstreams.compose.conf.template"):
        text = (ROOT / path).read_text(encoding="utf-8")
        timeouts = [int(t) for t in re.findall(r"keepalive_timeout (\d+)s;", text)]
        assert len(timeouts) == text.count("keepalive 32;") == 2, path
        assert max(timeouts) < DEFAULT_CONFIG["KEEP_ALIVE_TIMEOUT"], path


# --- Images: one Dockerfile per service, only that service's folders --------------------------

DOCKER = DEPLOY / "docker"
# What each image may COPY from the build context (the repository root), and must: the hash
# locks it installs and the folders and files its service runs.
IMAGES = {
    "rasa": {
        "requirements/pip.lock",
        "requirements/base.lock",
        "rasa_plugins/",
        "common/",
        "config.yml",
        "domain.yml",
        "credentials.yml",
        "endpoints.yml",
        "deploy/endpoints.yml",
        "data/",
    },
    "actions": {
        "requirements/pip.lock",
        "requirements/actions.lock",
        "actions/",
        "common/",
        "playbooks/",
        "knowledge/",
    },
    "backend": {
        "requirements/pip.lock",
        "requirements/backend.lock",
        "account_backend/",
        "common/",
        "retention/",
        "team_console/tables.py",
        "team_console/__init__.py",
    },
    "help-site": {
        "help_site/package.json",
        "help_site/package-lock.json",
        "help_site/",
        "common/",  # the request deadlines
    },
}
# The compose service (and Kubernetes workload) each image runs.
IMAGE_OF_SERVICE = {
    "rasa": "rasa",
    "actions": "actions",
    "account-backend": "backend",
    "help-site": "help-site",
}
LOCKS = ROOT / "requirements"


def dockerfile_instructions(path: Path) -> List[Tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined, comments dropped."""
    lines, current = [], ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        lines.append(current)
        current = ""
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def context_sources(path: Path) -> Set[str]:
    """What a Dockerfile COPYs or ADDs from the build context (not from another stage)."""
    sources: Set[str] = set()
    for instruction, arguments in dockerfile_instructions(path):
        if instruction not in ("COPY", "ADD"):
            continue
        words = shlex.split(arguments)
        if any(word.startswith("--from=") for word in words):
            continue
        sources |= {word for word in words[:-1] if not word.startswith("--")}
    return sources


def run_commands(path: Path) -> List[str]:
    return [
        arguments
        for instruction, arguments in dockerfile_instructions(path)
        if instruction == "RUN"
    ]


def test_one_dockerfile_per_image_and_no_single_image_left():
    assert {p.name for p in DOCKER.glob("*.Dockerfile")} == {f"{n}.Dockerfile" for n in IMAGES}
    assert not (DEPLOY / "Dockerfile").exists()


def test_each_dockerfile_copies_only_its_service_folders():
    for name, allowed in IMAGES.items():
        path = DOCKER / f"{name}.Dockerfile"
        sources = context_sources(path)
        assert sources == allowed, (name, sorted(sources ^ allowed))
        for source in sources:
            assert source not in (".", "./", "/", "*") and "*" not in source, (name, source)
            if source.startswith("requirements/"):
                assert (ROOT / source).is_file(), source


def test_each_dockerfile_installs_from_hash_locks_as_a_non_root_user_without_secrets():
    for name in IMAGES:
        path = DOCKER / f"{name}.Dockerfile"
        instructions = dockerfile_instructions(path)
        for command in run_commands(path):
            for install in re.findall(r"pip install[^&;]*", command):
                assert "--require-hashes" in install and re.search(
                    r"-r requirements/\S+\.lock", install
                ), (
                    name,
                    install,
                )
            assert "npm install" not in command, (name, command)
            if "npm " in command:
                assert "npm ci" in command, (name, command)
        users = [arguments for instruction, arguments in instructions if instruction == "USER"]
        assert users and users[-1].split(":")[0] not in ("root", "0"), name
        text = path.read_text(encoding="utf-8")
        for secret in SECRETS | {"backend.token", "identity.secret", "var/"}:
            assert not re.search(rf"(COPY|ADD|ENV|ARG)[^\n]*{re.escape(secret)}", text), (
                name,
                secret,
            )


def test_the_help_site_image_takes_the_widget_client_from_a_node_stage_with_npm_ci():
    path = DOCKER / "help-site.Dockerfile"
    instructions = dockerfile_instructions(path)
    stages = [arguments for instruction, arguments in instructions if instruction == "FROM"]
    assert len(stages) == 2 and stages[0].startswith("node:") and " AS " in stages[0].upper()
    assert any("npm ci" in command for command in run_commands(path))
    copies = [a for i, a in instructions if i == "COPY" and a.startswith("--from=")]
    assert any("node_modules/socket.io-client/dist" in copy for copy in copies)


def dockerignore_patterns() -> List[str]:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def docker_pattern(pattern: str) -> str:
    """A .dockerignore pattern as a regular expression: `**` crosses folders, `*` and `?` do
    not (Go's filepath.Match, as Docker uses it)."""
    regex, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            regex, i = regex + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            regex, i = regex + ".*", i + 2
        elif pattern[i] == "*":
            regex, i = regex + "[^/]*", i + 1
        elif pattern[i] == "?":
            regex, i = regex + "[^/]", i + 1
        else:
            regex, i = regex + re.escape(pattern[i]), i + 1
    return regex


def dockerignored(path: str, patterns: List[str]) -> bool:
    """Docker's rule: the last matching pattern wins, and a pattern that matches a folder
    excludes everything in it."""
    prefixes = ["/".join(path.split("/")[: i + 1]) for i in range(path.count("/") + 1)]
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        regex = docker_pattern(pattern.lstrip("!").strip("/"))
        if any(re.fullmatch(regex, prefix) for prefix in prefixes):
            ignored = not negate
    return ignored


def test_dockerignore_keeps_secrets_databases_and_local_state_out_of_the_context():
    patterns = dockerignore_patterns()
    excluded = [
        "var/backend.token",
        "var/identity.secret",
        "var/digest.secret",
        "var/accounts.db",
        "var/tracker.db",
        "accounts.db",
        "account_backend/dev.db",
        "service.token",
        "common/identity.secret",
        ".env",
        ".env.local",
        "deploy/.env",
        ".venv/bin/python",
        "models/assistant.tar.gz",
        "reports/evaluation.json",
        ".git/HEAD",
        "help_site/node_modules/socket.io-client/dist/socket.io.min.js",
        "tests/test_deploy_files.py",
        "tools/anything.py",
        "docs/operations.md",
    ]
    for path in excluded:
        assert dockerignored(path, patterns), path
    kept = [source.rstrip("/") for sources in IMAGES.values() for source in sources]
    kept += ["help_site/public/index.html", "actions/actions.py", "data/nlu.yml"]
    for path in kept:
        assert not dockerignored(path, patterns), path


def test_each_compose_service_builds_its_own_image_from_its_dockerfile():
    services = compose()["services"]
    for service, image in IMAGE_OF_SERVICE.items():
        build = services[service]["build"]
        assert build["context"] == ".."
        assert build["dockerfile"] == f"deploy/docker/{image}.Dockerfile", service
        assert services[service]["image"] == f"nuget-account-assistant-{image}", service
    for name, service in services.items():
        if "build" not in service:
            assert name not in IMAGE_OF_SERVICE and "nuget-account-assistant" not in str(service)


def test_kubernetes_runs_each_service_from_its_own_image():
    documents = manifests()
    workloads = {d["metadata"]["name"]: d for d in documents if d["kind"] == "Deployment"}
    for service, image in IMAGE_OF_SERVICE.items():
        container = workloads[service]["spec"]["template"]["spec"]["containers"][0]
        assert container["image"] == f"nuget-account-assistant-{image}:latest", service
    purge = next(d for d in documents if d["kind"] == "CronJob")
    container = purge["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "nuget-account-assistant-backend:latest"
    assert "retention" in " ".join(container["command"])


# --- Hash-locked requirements ------------------------------------------------------------------


def lock_pins(path: Path) -> Dict[str, str]:
    """name -> version of a pip-compile lock, checking that every pin carries a hash."""
    pins: Dict[str, str] = {}
    text = path.read_text(encoding="utf-8")
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", block)
        if not match:
            continue
        assert "--hash=sha256:" in block, (path.name, match.group(1))
        pins[re.sub(r"[-_.]+", "-", match.group(1).lower())] = match.group(2)
    return pins


def test_every_lock_is_compiled_from_its_in_file_with_hashes():
    names = {p.stem for p in LOCKS.glob("*.in")}
    assert {"pip", "base", "dev", "backend", "actions"} <= names
    assert names == {p.stem for p in LOCKS.glob("*.lock")}
    for name in names:
        lock = LOCKS / f"{name}.lock"
        header = lock.read_text(encoding="utf-8")[:600]
        assert "pip-compile" in header and "--generate-hashes" in header, name
        assert f"requirements/{name}.in" in header, name
        assert lock_pins(lock), name
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "pip-compile" in makefile and "--generate-hashes" in makefile and "\nlock:" in makefile


def test_the_service_locks_agree_with_the_base_lock():
    base = lock_pins(LOCKS / "base.lock")
    assert base["rasa"] == "3.6.21" and base["rasa-sdk"] == "3.6.2"
    for name in ("dev", "backend", "actions"):
        for package, version in lock_pins(LOCKS / f"{name}.lock").items():
            if package in base:
                assert version == base[package], (name, package, version, base[package])
    backend = lock_pins(LOCKS / "backend.lock")
    assert {"fastapi", "uvicorn", "sqlalchemy", "psycopg2-binary"} <= set(backend)
    assert not {"rasa", "tensorflow", "rasa-sdk"} & set(backend)
    assert not {"rasa", "tensorflow"} & set(lock_pins(LOCKS / "actions.lock"))


def test_setup_installs_only_from_the_locks_with_hashes():
    setup = (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8")
    installs = re.findall(r"^pip_install (.*)$", setup, re.MULTILINE)
    assert installs and all("--require-hashes" in line for line in installs)
    assert "requirements/dev.lock" in setup and "requirements/pip.lock" in setup
    assert "npm ci" in setup
    for old in ("requirements.txt", "requirements-dev.txt", "constraints.txt"):
        assert not (ROOT / old).exists(), old
