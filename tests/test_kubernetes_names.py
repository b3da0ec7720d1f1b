"""The name rules of tests/kubernetes_names.py refuse what Kubernetes refuses."""

from kubernetes_names import kubernetes_name_errors


def test_the_kubernetes_name_rules_refuse_what_kubernetes_refuses():
    good = {
        "kind": "Service",
        "metadata": {"name": "clinic-portal-web", "labels": {"app.kubernetes.io/name": "clinic-portal"}},
        "spec": {"selector": {"app": "x"}, "ports": [{"name": "http", "port": 80}]},
    }
    assert kubernetes_name_errors(good) == []
    bad = {
        "kind": "Service",
        "metadata": {"name": "clinic_portal-web", "labels": {"app.kubernetes.io/name": "Café Ünïcode"}},
        "spec": {"ports": [{"name": "web_http", "port": 80}], "template": {"spec": {"containers": [{"name": "Web"}]}}},
    }
    assert kubernetes_name_errors(bad) == [
        "metadata.name 'clinic_portal-web'",
        "spec.ports name 'web_http'",
        "spec.template.spec.containers name 'Web'",
        "metadata.labels['app.kubernetes.io/name'] value 'Café Ünïcode'",
    ]
    # A Deployment's name is a subdomain (dots allowed); a Service's an RFC 1035 label (a letter first).
    assert kubernetes_name_errors({"kind": "Deployment", "metadata": {"name": "shop.web"}}) == []
    assert kubernetes_name_errors({"kind": "Service", "metadata": {"name": "2shop"}}) == ["metadata.name '2shop'"]
