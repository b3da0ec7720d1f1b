"""Kubernetes' rules for the names in a manifest, which schema validation (kubernetes-validate) leaves unchecked:
a name with an underscore passes the schemas and is refused by the API server.

Sources: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/ and .../labels/#syntax-and-character-set,
as k8s.io/apimachinery/pkg/util/validation/validation.go writes them.
"""

from __future__ import annotations

import re

# Kubernetes' rules for names (k8s.io/apimachinery/pkg/util/validation), as regular expressions and lengths.
DNS_LABEL = (re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"), 63)  # RFC 1123 label
DNS_SUBDOMAIN = (re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"), 253)
DNS_1035_LABEL = (re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?"), 63)  # Service names
LABEL_VALUE = (re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?"), 63)
QUALIFIED_NAME = (re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"), 63)
PORT_NAME = (re.compile(r"(?=.*[a-z])(?!.*--)[a-z0-9]([a-z0-9-]*[a-z0-9])?"), 15)  # IANA service name
# Names that refer to another object, by the key that holds them.
REFERENCES = {"secretRef", "configMapRef", "secretKeyRef", "configMapKeyRef", "scaleTargetRef"}


def _valid(value: object, rule: tuple[re.Pattern, int]) -> bool:
    pattern, length = rule
    return isinstance(value, str) and len(value) <= length and pattern.fullmatch(value) is not None


def kubernetes_name_errors(manifest: dict) -> list[str]:
    """What Kubernetes' API server would refuse in `manifest` for its names: the object's name (a Service's is an
    RFC 1035 label, others' RFC 1123 subdomains), label keys and values (metadata, selectors, pod templates),
    container and volume names (RFC 1123 labels), port names (IANA service names), and names that refer to other objects."""
    errors = []
    name_rule = DNS_1035_LABEL if manifest.get("kind") in {"Service", "Namespace"} else DNS_SUBDOMAIN
    if not _valid(manifest.get("metadata", {}).get("name"), name_rule):
        errors.append(f"metadata.name {manifest.get('metadata', {}).get('name')!r}")

    def walk(node: object, path: str) -> None:
        if isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, f"{path}[{index}]")
            return
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            where = f"{path}.{key}" if path else key
            if key in {"labels", "matchLabels"} and isinstance(value, dict):
                for label, text in value.items():
                    prefix, _, label_name = label.rpartition("/")
                    if (prefix and not _valid(prefix, DNS_SUBDOMAIN)) or not _valid(label_name, QUALIFIED_NAME):
                        errors.append(f"{where} key {label!r}")
                    if not _valid(text, LABEL_VALUE):
                        errors.append(f"{where}[{label!r}] value {text!r}")
            elif key in {"containers", "initContainers", "volumes", "volumeMounts"} and isinstance(value, list):
                errors.extend(
                    f"{where} name {item.get('name')!r}" for item in value if not _valid(item.get("name"), DNS_LABEL)
                )
            elif key == "ports" and isinstance(value, list):
                errors.extend(
                    f"{where} name {item['name']!r}"
                    for item in value
                    if isinstance(item, dict) and "name" in item and not _valid(item["name"], PORT_NAME)
                )
            elif key in REFERENCES and isinstance(value, dict) and not _valid(value.get("name"), DNS_SUBDOMAIN):
                errors.append(f"{where}.name {value.get('name')!r}")
            walk(value, where)

    walk(manifest.get("spec", {}), "spec")
    walk({"labels": manifest.get("metadata", {}).get("labels", {})}, "metadata")
    return errors
