"""The Kubernetes manifests and compose file: valid against the schemas, and safe as written."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = ROOT / "deploy" / "kubernetes" / "precis.yaml"
KEDA = ROOT / "deploy" / "kubernetes" / "keda.yaml"
# kubernetes-validate has no CRD schemas: the ScaledObject's is written here (see its $comment).
SCALED_OBJECT_SCHEMA = Path(__file__).parent / "schemas" / "keda-scaledobject.schema.json"
# The oldest Kubernetes still in common managed offerings, one in the middle, the newest schema.
KUBERNETES_VERSIONS = ("1.25.0", "1.30.0", "1.37.0")


def _documents() -> dict[str, dict[str, Any]]:
    return {d["kind"]: d for d in yaml.safe_load_all(MANIFESTS.read_text()) if d}


def _pod() -> dict[str, Any]:
    pod: dict[str, Any] = _documents()["Deployment"]["spec"]["template"]["spec"]
    return pod


def _containers() -> list[dict[str, Any]]:
    return [*_pod()["initContainers"], *_pod()["containers"]]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_manifests_pass_strict_schema_validation(version: str) -> None:
    import kubernetes_validate

    for document in yaml.safe_load_all(MANIFESTS.read_text()):
        # Raises ValidationError naming the field on any unknown or mistyped property.
        kubernetes_validate.validate(document, version, strict=True)


def test_pods_meet_the_restricted_pod_security_standard() -> None:
    namespace = _documents()["Namespace"]["metadata"]["labels"]
    assert namespace["pod-security.kubernetes.io/enforce"] == "restricted"
    security = _pod()["securityContext"]
    assert security["runAsNonRoot"] is True
    assert (security["runAsUser"], security["runAsGroup"]) == (10001, 10001)
    assert security["seccompProfile"] == {"type": "RuntimeDefault"}
    for container in _containers():
        context = container["securityContext"]
        assert context["allowPrivilegeEscalation"] is False, container["name"]
        assert context["capabilities"] == {"drop": ["ALL"]}, container["name"]
    every = {d["metadata"].get("namespace") for k, d in _documents().items() if k != "Namespace"}
    assert every == {_documents()["Namespace"]["metadata"]["name"]}


def test_the_autoscaler_alone_sets_the_replica_count() -> None:
    documents = _documents()
    assert "replicas" not in documents["Deployment"]["spec"]
    target = documents["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", "precis")


def test_images_are_versioned_and_serving_has_no_torch_image() -> None:
    images = {c["name"]: c["image"] for c in _containers()}
    for name, image in images.items():
        tag = image.rpartition(":")[2]
        assert tag and tag != "latest" and "/" not in tag, (name, image)
    assert images["precis"].startswith("precis:") and images["models"].startswith("precis-models:")


def test_probes_have_timeouts_and_the_grace_period_covers_the_drain() -> None:
    server = _pod()["containers"][0]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert server[probe]["timeoutSeconds"] >= 3, probe
    grace = float(_documents()["ConfigMap"]["data"]["PRECIS_GRACE_SECONDS"])
    pre_stop = float(server["lifecycle"]["preStop"]["exec"]["command"][1])
    assert _pod()["terminationGracePeriodSeconds"] > grace + pre_stop


def test_a_built_profile_can_start_models_are_written_before_serving() -> None:
    """The serving container mounts /models read-only: the init container must prepare it."""
    pod = _pod()
    init, server = pod["initContainers"][0], pod["containers"][0]
    assert init["args"] == ["models", "fetch"]  # builds built profiles, fetches the others
    mounts = {m["name"]: m for m in server["volumeMounts"]}
    assert mounts["models"].get("readOnly") is True
    assert any(m["name"] == "models" and not m.get("readOnly") for m in init["volumeMounts"])
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert "emptyDir" in volumes["models"]  # per pod: no ReadWriteMany storage class needed


def _scaled_object() -> dict[str, Any]:
    (document,) = [d for d in yaml.safe_load_all(KEDA.read_text()) if d]
    assert document["kind"] == "ScaledObject"
    return document  # type: ignore[no-any-return]


def _scaled_object_errors(document: dict[str, Any]) -> list[str]:
    import jsonschema

    schema = json.loads(SCALED_OBJECT_SCHEMA.read_text())
    validator = jsonschema.Draft202012Validator(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_the_keda_scaled_object_passes_strict_schema_validation(version: str) -> None:
    import kubernetes_validate

    scaled = _scaled_object()
    assert _scaled_object_errors(scaled) == []
    # The HPA KEDA makes from it: its behavior must be one Kubernetes accepts.
    hpa = {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "precis", "namespace": "precis"},
        "spec": {
            "scaleTargetRef": scaled["spec"]["scaleTargetRef"],
            "maxReplicas": scaled["spec"]["maxReplicaCount"],
            "behavior": scaled["spec"]["advanced"]["horizontalPodAutoscalerConfig"]["behavior"],
        },
    }
    kubernetes_validate.validate(hpa, version, strict=True)


def test_the_scaled_object_schema_refuses_what_keda_would() -> None:
    scaled = _scaled_object()
    misspelt = copy.deepcopy(scaled)
    misspelt["spec"]["minReplicas"] = misspelt["spec"].pop("minReplicaCount")
    assert any("minReplicas" in e for e in _scaled_object_errors(misspelt))
    untyped = copy.deepcopy(scaled)
    untyped["spec"]["triggers"][0]["metadata"]["threshold"] = 2048  # strings only
    assert _scaled_object_errors(untyped) != []


def test_keda_takes_over_the_cpu_autoscaler_and_scales_on_queued_work() -> None:
    from precis_news.server.metrics import Metrics

    hpa = _documents()["HorizontalPodAutoscaler"]
    scaled = _scaled_object()
    spec = scaled["spec"]
    assert scaled["metadata"]["namespace"] == _documents()["Namespace"]["metadata"]["name"]
    assert spec["scaleTargetRef"] == hpa["spec"]["scaleTargetRef"]
    # It adopts the HPA (one autoscaler per Deployment), with its bounds and CPU rule.
    annotations = scaled["metadata"]["annotations"]
    assert annotations["scaledobject.keda.sh/transfer-hpa-ownership"] == "true"
    assert spec["advanced"]["horizontalPodAutoscalerConfig"]["name"] == hpa["metadata"]["name"]
    assert (spec["minReplicaCount"], spec["maxReplicaCount"]) == (
        hpa["spec"]["minReplicas"],
        hpa["spec"]["maxReplicas"],
    )
    cpu = next(t for t in spec["triggers"] if t["type"] == "cpu")
    (rule,) = hpa["spec"]["metrics"]
    assert int(cpu["metadata"]["value"]) == rule["resource"]["target"]["averageUtilization"]
    # Its queries read metrics the server exports.
    exported = {family.name for family in Metrics().registry.collect()}
    queries = [t["metadata"]["query"] for t in spec["triggers"] if t["type"] == "prometheus"]
    assert queries
    for query in queries:
        assert set(re.findall(r"precis_[a-z_]+", query)) <= exported, query
    assert any('priority="interactive"' in q for q in queries)
