#!/usr/bin/env python3
"""Checks the shape of the Kubernetes example in packaging/kubernetes.

Not run on a cluster: each YAML document must parse, and the fields that
make it work must hold together:
  values.yaml                the Datadog chart's hooks: shareProcessNamespace,
                             agents.volumes for profwatchd's config and state;
  profwatch-configmap.yaml   a ConfigMap whose profwatch.yaml this build's
                             profwatchd loads (--check-config), with its paths
                             inside the container's mounts (state writable);
  profwatchd-sidecar.yaml    a DaemonSet patch adding one container, profwatchd,
                             in the foreground, with its config from the
                             ConfigMap, mounting only volumes that exist in the
                             chart's pod or in values.yaml, dropping every
                             capability but SYS_PTRACE, no privilege escalation;
  kustomization.yaml         names files that exist and patches the Agent's
                             DaemonSet.

Usage: kubernetes.py SOURCE_DIR PROFWATCHD
"""
import os
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:
    print("FAIL: python3 has no yaml module (packaging/setup.sh installs python3-yaml)")
    sys.exit(1)

# Volumes the Datadog chart always puts in the Agent's pod on Linux
# (templates/daemonset.yaml, _daemonset-volumes-linux.yaml), with what they
# hold. A volume outside this list would make the pod invalid.
CHART_VOLUMES = {
    "config": "/etc/datadog-agent, the Agent's config (written by its init containers)",
    "auth-token": "the Agent's auth token and IPC certificate",
    "dsdsocket": "the DogStatsD socket folder",
    "tmpdir": "/tmp",
    "procdir": "the host's /proc",
    "cgroups": "the host's cgroups",
    "logdatadog": "the Agent's logs",
}

from checks import check, summary


def load(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def under(path, mounts):
    """The mount that holds path (the longest mountPath that prefixes it)."""
    best = None
    for m in mounts:
        mp = m["mountPath"].rstrip("/")
        if path == mp or path.startswith(mp + "/"):
            if best is None or len(mp) > len(best["mountPath"].rstrip("/")):
                best = m
    return best


def main():
    src, profwatchd = sys.argv[1], sys.argv[2]
    k8s = os.path.join(src, "packaging/kubernetes")

    values = load(os.path.join(k8s, "values.yaml"))
    check(len(values) == 1, "values.yaml: one document")
    agents = values[0].get("agents", {})
    check(agents.get("shareProcessNamespace") is True,
          "values.yaml: agents.shareProcessNamespace must be true")
    vols = {v["name"]: v for v in agents.get("volumes", [])}
    check({"profwatch-config", "profwatch-state"} <= set(vols),
          f"values.yaml: agents.volumes must add profwatch-config and profwatch-state, has {sorted(vols)}")
    check(not set(vols) & set(CHART_VOLUMES), "values.yaml: a volume reuses a chart volume's name")
    check("volumeMounts" not in agents,
          "values.yaml: agents.volumeMounts would mount into every Agent container")
    check(values[0].get("datadog", {}).get("dogstatsd", {}).get("useSocketVolume") is True,
          "values.yaml: datadog.dogstatsd.useSocketVolume")

    cms = load(os.path.join(k8s, "profwatch-configmap.yaml"))
    check(len(cms) == 1 and cms[0].get("kind") == "ConfigMap" and cms[0].get("apiVersion") == "v1",
          "profwatch-configmap.yaml: one v1 ConfigMap")
    cm = cms[0]
    cm_name = cm.get("metadata", {}).get("name")
    check(vols.get("profwatch-config", {}).get("configMap", {}).get("name") == cm_name,
          f"values.yaml: profwatch-config must name the ConfigMap {cm_name!r}")
    conf_text = cm.get("data", {}).get("profwatch.yaml")
    check(isinstance(conf_text, str), "ConfigMap: data.profwatch.yaml")
    conf = yaml.safe_load(conf_text or "") or {}

    # This build's daemon must accept the config as it is.
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "profwatch.yaml")
        with open(path, "w") as f:
            f.write(conf_text or "")
        r = subprocess.run([profwatchd, "--check-config", "--config", path],
                           capture_output=True, text=True, timeout=30)
        out = r.stdout + r.stderr
        loaded = f"config: {path}" in r.stdout.splitlines()
        check(loaded, f"profwatchd does not load the ConfigMap's profwatch.yaml:\n{out}")
        # Without an Agent here, nothing is found to watch; that alone is fine.
        check(r.returncode == 0 or (r.returncode == 2 and "nothing to watch" in out and loaded),
              f"profwatchd --check-config on the ConfigMap's config: exit {r.returncode}\n{out}")

    patch = load(os.path.join(k8s, "profwatchd-sidecar.yaml"))
    check(len(patch) == 1 and patch[0].get("kind") == "DaemonSet" and
          patch[0].get("apiVersion") == "apps/v1", "profwatchd-sidecar.yaml: one apps/v1 DaemonSet")
    spec = patch[0].get("spec", {}).get("template", {}).get("spec", {})
    containers = spec.get("containers", [])
    check(len(containers) == 1 and containers[0].get("name") == "profwatchd",
          "sidecar: exactly one container, profwatchd (the chart's own stay as they are)")
    c = containers[0] if containers else {}
    check(bool(c.get("image")), "sidecar: image")
    cmd = c.get("command", []) + c.get("args", [])
    check(cmd[:1] == ["profwatchd"] and "--foreground" in cmd,
          f"sidecar: runs profwatchd --foreground (a container's main process), got {cmd}")
    conf_path = cmd[cmd.index("--config") + 1] if "--config" in cmd[:-1] else None
    mounts = c.get("volumeMounts", [])
    names = [m["name"] for m in mounts]
    check(len(names) == len(set(names)), "sidecar: a volume mounted twice")
    for m in mounts:
        check(m["name"] in vols or m["name"] in CHART_VOLUMES,
              f"sidecar: mounts {m['name']!r}, which neither the chart nor values.yaml defines")
        check(m.get("readOnly") is True or m["name"] == "profwatch-state",
              f"sidecar: {m['name']} must be read-only (only the state is written)")
    cm_mount = under(conf_path or "", mounts)
    check(cm_mount is not None and cm_mount["name"] == "profwatch-config" and
          conf_path == cm_mount["mountPath"].rstrip("/") + "/profwatch.yaml",
          f"sidecar: --config {conf_path} must be profwatch.yaml in the profwatch-config mount")
    # Every path in the config is in the right mount.
    where = {
        "datadog_config": "config", "state_dir": "profwatch-state",
        "reports_dir": "profwatch-state", "status_socket": "profwatch-state",
    }
    for key, vol in where.items():
        m = under(conf.get(key, ""), mounts)
        check(m is not None and m["name"] == vol,
              f"config {key}: {conf.get(key)!r} must be in the {vol} volume's mount")
    check(conf.get("memory", {}).get("proc_root", "/proc") == "/proc",
          "config: memory.proc_root is the pod's /proc (shared process namespace)")
    sc = c.get("securityContext", {})
    caps = sc.get("capabilities", {})
    check(caps.get("drop") == ["ALL"], "sidecar: capabilities.drop must be [ALL]")
    check(set(caps.get("add", [])) <= {"SYS_PTRACE"},
          f"sidecar: adds {caps.get('add')}; only SYS_PTRACE is needed")
    check(sc.get("allowPrivilegeEscalation") is False, "sidecar: allowPrivilegeEscalation: false")
    check(sc.get("readOnlyRootFilesystem") is True, "sidecar: readOnlyRootFilesystem: true")
    check(sc.get("privileged") in (None, False), "sidecar: never privileged")
    check("memory" in c.get("resources", {}).get("limits", {}), "sidecar: a memory limit")
    probe = c.get("livenessProbe", {}).get("exec", {}).get("command", [])
    if probe:
        check(probe[:2] == ["profwatch", "status"] and
              probe[-1] == conf.get("status_socket"),
              f"sidecar: the liveness probe asks the status socket {conf.get('status_socket')}")

    kus = load(os.path.join(k8s, "kustomization.yaml"))
    check(len(kus) == 1 and kus[0].get("kind") == "Kustomization", "kustomization.yaml: one Kustomization")
    k = kus[0] if kus else {}
    check("helm-output.yaml" in k.get("resources", []),
          "kustomization: takes Helm's output (helm-output.yaml, written by post-render.sh)")
    for r in k.get("resources", []):
        if r != "helm-output.yaml":
            check(os.path.exists(os.path.join(k8s, r)), f"kustomization: resource {r} is missing")
    patches = k.get("patches", [])
    check(any(p.get("path") == "profwatchd-sidecar.yaml" and
              p.get("target", {}).get("kind") == "DaemonSet" for p in patches),
          "kustomization: patches the DaemonSet with profwatchd-sidecar.yaml")
    with open(os.path.join(k8s, "post-render.sh")) as f:
        pr = f.read()
    check("helm-output.yaml" in pr and "kustomize" in pr, "post-render.sh: writes helm-output.yaml, runs kustomize")
    check(os.access(os.path.join(k8s, "post-render.sh"), os.X_OK), "post-render.sh is executable")

    return summary("kubernetes")


if __name__ == "__main__":
    sys.exit(main())
