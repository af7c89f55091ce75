"""The deployment files agree with the settings model: docker-compose.yml (Docker does not run here, so the
file is read as YAML and checked service by service), .env.example, the Caddyfile and the MongoDB setup."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

import yaml

from bot.settings import COMPOSE_VARIABLES, env_example, setting_names

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
SERVICES = COMPOSE["services"]


def test_env_example_is_the_settings_model_written_out() -> None:
    assert (ROOT / ".env.example").read_text() == env_example(), "run: concierge env-example > .env.example"
    listed = re.findall(r"^([A-Z][A-Z0-9_]*)=", env_example(), re.M)
    assert listed == [*setting_names(), *COMPOSE_VARIABLES]
    assert all(line.startswith("#") or line.endswith("=") or not line for line in env_example().splitlines())


def test_every_setting_is_explained_and_dot_env_stays_out_of_git() -> None:
    example = env_example()
    for name in setting_names():
        explanation = example.split(f"\n{name}=")[0].rsplit("\n", 1)[-1]
        assert explanation.startswith("# ") and "None" not in explanation and len(explanation) > 12, name
    ignored = (ROOT / ".gitignore").read_text().split()
    assert ".env" in ignored and "secrets/" in ignored


def test_the_service_takes_every_setting_from_dot_env_and_fixes_only_real_settings() -> None:
    app = SERVICES["app"]
    assert app["env_file"] == ".env"
    assert set(app["environment"]) <= set(setting_names())
    assert app["environment"]["CONCIERGE_SANDBOX"] == "false"  # never the sandbox on a server


def test_every_variable_compose_reads_is_a_setting_or_a_documented_compose_variable() -> None:
    used = set(re.findall(r"(?<!\$)\$\{([A-Z_][A-Z0-9_]*)", COMPOSE_TEXT))
    assert used <= set(setting_names()) | set(COMPOSE_VARIABLES), used - set(setting_names())
    assert set(COMPOSE_VARIABLES) <= used  # none documented that nothing reads


def test_services_depend_on_services_that_exist_and_volumes_and_secrets_are_declared() -> None:
    volumes, secrets = set(COMPOSE["volumes"]), set(COMPOSE["secrets"])
    for name, service in SERVICES.items():
        assert set(service.get("depends_on", {})) <= set(SERVICES), name
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), (name, source)
            else:
                assert source in volumes, (name, source)
        assert set(service.get("secrets", [])) <= secrets, name
    used = {m.split(":")[0] for s in SERVICES.values() for m in s.get("volumes", [])}
    assert volumes <= used and secrets <= {x for s in SERVICES.values() for x in s.get("secrets", [])}


def test_mongodb_is_a_replica_set_with_authentication_and_the_service_a_least_privileged_user() -> None:
    mongo = SERVICES["mongo"]
    command = mongo["command"]
    assert command[command.index("--replSet") + 1] == "rs0" and "--keyFile" in command
    assert mongo["environment"]["MONGO_INITDB_ROOT_PASSWORD_FILE"] == "/run/secrets/mongo_root_password"
    assert "healthcheck" in mongo and SERVICES["app"]["depends_on"]["mongo-init"] == {
        "condition": "service_completed_successfully"
    }
    url = SERVICES["app"]["environment"]["MONGODB_URL"]
    assert url.startswith("mongodb://concierge:${MONGO_APP_PASSWORD}@mongo:27017/concierge?")
    assert "replicaSet=rs0" in url
    script = (ROOT / "deploy" / "mongo-init.js").read_text()
    assert 'rs.initiate({ _id: "rs0", members: [{ _id: 0, host: "mongo:27017" }] })' in script
    assert 'roles: [{ role: "readWrite", db: "concierge" }]' in script  # nothing beyond its own database
    assert "NotYetInitialized" in script and "getUser(" in script  # idempotent: safe on every `up`


def test_caddy_serves_https_for_the_domain_and_is_the_only_proxy_the_service_believes() -> None:
    caddy = SERVICES["caddy"]
    assert {"80:80", "443:443"} <= set(caddy["ports"])  # 443: a port Telegram sends webhooks to
    assert "ports" not in SERVICES["app"]  # the service is reached through Caddy only
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "{$DOMAIN} {" in caddyfile and "reverse_proxy app:8080" in caddyfile
    assert SERVICES["app"]["environment"]["HTTP_PORT"] == "8080"
    assert SERVICES["app"]["environment"]["PUBLIC_BASE_URL"].startswith("https://${DOMAIN")
    proxy = ipaddress.ip_address(SERVICES["app"]["environment"]["TRUSTED_PROXIES"])
    assert proxy == ipaddress.ip_address(caddy["networks"]["default"]["ipv4_address"])
    subnet = COMPOSE["networks"]["default"]["ipam"]["config"][0]["subnet"]
    assert proxy in ipaddress.ip_network(subnet)


def test_the_readme_configuration_table_names_every_setting() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    assert [name for name in setting_names() if f"`{name}`" not in table] == []
