#!/usr/bin/env bash
# Static checks of the Kubernetes manifests, no cluster needed: every file parses; kustomization lists
# them all; every port, probe path, mount path and name one object refers to exists in the other
# (probe ports are container ports, probe paths are admin endpoints Portico serves, the ConfigMap's
# routes.yaml listens on exactly the container's ports and keeps storage on the volume, selectors match
# the pod); the port layout: the pod listens on unprivileged ports (no sysctl, no capability), the
# Service exposes 443 and 80 with targetPorts that are the container's https/http ports and the
# ConfigMap's listen ports, routes.yaml's listen.public_https_port is the port clients reach HTTPS on
# (the Service's https port), the image EXPOSEs the container ports; the security settings the image
# relies on; the termination grace covers preStop + shutdown_grace; and, when the jar is built,
# `portico validate` accepts the ConfigMap's routes.yaml (also with its acme section uncommented).
#   deploy/kubernetes/check.sh
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

python=""
for p in python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null && "$p" -c 'import yaml' 2>/dev/null; then python=$p; break; fi
done
if [[ -z $python ]]; then
  echo "check: needs python3 with PyYAML (apt-get install python3-yaml)" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$python" - "$here" "$repo" "$work" <<'PY'
import os, re, sys, yaml

here, repo, work = sys.argv[1:4]
errors = []
def check(cond, msg):
    if not cond:
        errors.append(msg)
    return cond

# --- parse everything ------------------------------------------------------------------------------
docs = {}
files = sorted(f for f in os.listdir(here) if f.endswith(".yaml"))
for f in files:
    with open(os.path.join(here, f)) as fh:
        for d in yaml.safe_load_all(fh):
            if d is None:
                continue
            kind = d.get("kind")
            if kind == "Kustomization":
                docs.setdefault(kind, []).append((f, d))
                continue
            check(d.get("apiVersion") and kind and d.get("metadata", {}).get("name"),
                  f"{f}: every object needs apiVersion, kind and metadata.name")
            docs.setdefault(kind, []).append((f, d))

def one(kind):
    found = docs.get(kind, [])
    if not check(len(found) == 1, f"expected exactly one {kind}, found {len(found)}"):
        sys.exit("check: " + "\n".join(errors))
    return found[0][1]

kust = one("Kustomization")
listed = set(kust.get("resources", []))
manifests = {f for f in files if f != "kustomization.yaml"}
check(listed == manifests, f"kustomization.yaml resources {sorted(listed)} != manifest files {sorted(manifests)}")

dep, svc, cm, pvc, pdb = (one(k) for k in ("Deployment", "Service", "ConfigMap", "PersistentVolumeClaim", "PodDisruptionBudget"))
spec = dep["spec"]
pod = spec["template"]["spec"]
labels = spec["template"]["metadata"]["labels"]
check(spec.get("selector", {}).get("matchLabels", {}).items() <= labels.items(), "Deployment selector does not match its pod labels")
check(spec.get("replicas") == 1, "Deployment must run exactly 1 replica (directory storage on a ReadWriteOnce volume)")
check(spec.get("strategy", {}).get("type") == "Recreate", "Deployment strategy must be Recreate (ReadWriteOnce volume, one writer)")
containers = pod["containers"]
check(len(containers) == 1, "one container expected")
c = containers[0]

# --- ports -----------------------------------------------------------------------------------------
ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
check(set(ports) == {"https", "http", "admin"}, f"container ports must be named https, http, admin; got {sorted(ports)}")
def resolve(port, what):
    if isinstance(port, str):
        check(port in ports, f"{what}: port '{port}' is not a container port name {sorted(ports)}")
        return ports.get(port)
    check(port in ports.values(), f"{what}: port {port} is not a container port {sorted(ports.values())}")
    return port

# --- admin paths: the ones Portico's AdminHandler answers --------------------------------------------
handler = os.path.join(repo, "app/src/main/java/dev/portico/app/admin/AdminHandler.java")
with open(handler) as fh:
    admin_paths = set(re.findall(r'case "(/[^"]*)"', fh.read()))
check({"/healthz", "/readyz"} <= admin_paths, f"AdminHandler serves {sorted(admin_paths)}; /healthz and /readyz expected")
for probe, path in (("startupProbe", "/healthz"), ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
    p = c.get(probe)
    if not check(p and "httpGet" in p, f"{probe}: an httpGet probe is required"):
        continue
    g = p["httpGet"]
    check(g.get("path") in admin_paths, f"{probe}: path {g.get('path')} is not served by the admin listener {sorted(admin_paths)}")
    check(g.get("path") == path, f"{probe}: path should be {path}")
    check(resolve(g.get("port"), probe) == ports.get("admin"), f"{probe}: must probe the admin port")

# --- config: ConfigMap mounted as a directory, routes.yaml matches the container ----------------------
args = c.get("args", [])
check("--config" in args, "container args must pass --config")
config_path = args[args.index("--config") + 1] if "--config" in args else ""
config_dir, config_name = os.path.split(config_path)
vols = {v["name"]: v for v in pod.get("volumes", [])}
mounts = {m["mountPath"]: m for m in c.get("volumeMounts", [])}
for m in mounts.values():
    check(m["name"] in vols, f"volumeMount {m['name']} has no volume")
cfg_mount = mounts.get(config_dir)
if check(cfg_mount, f"nothing is mounted at {config_dir}, the directory of --config {config_path}"):
    check("subPath" not in cfg_mount, "the config must be mounted as a directory, not subPath (subPath mounts never update)")
    v = vols.get(cfg_mount["name"], {})
    check(v.get("configMap", {}).get("name") == cm["metadata"]["name"], f"{config_dir} must be the ConfigMap {cm['metadata']['name']}")
check(config_name in cm.get("data", {}), f"ConfigMap has no key {config_name} (the --config file)")
routes = yaml.safe_load(cm["data"].get(config_name, "{}"))

def port_of(addr, key):
    m = re.fullmatch(r'(.*):(\d+)', str(addr))
    if not check(m, f"routes.yaml listen.{key}: '{addr}' has no port"):
        return None, None
    return m.group(1), int(m.group(2))
listen = routes.get("listen", {})
listen_ports = {}
for key in ("https", "http", "admin"):
    host, port = port_of(listen.get(key), key)
    listen_ports[key] = port
    check(port == ports.get(key), f"routes.yaml listen.{key} port {port} != container port {key}={ports.get(key)}")
    check(host in ("", "*", "0.0.0.0", "[::]"), f"routes.yaml listen.{key} must bind every interface in the pod (got '{host}'): "
          + ("the kubelet probes the pod IP" if key == "admin" else "the Service sends to the pod IP"))
storage = routes.get("storage")
sm = mounts.get(storage)
if check(sm, f"routes.yaml storage {storage} is not a volume mount"):
    v = vols.get(sm["name"], {})
    check(v.get("persistentVolumeClaim", {}).get("claimName") == pvc["metadata"]["name"], f"{storage} must be the PVC {pvc['metadata']['name']}")
    check(not sm.get("readOnly"), f"{storage} must be writable")
check("ReadWriteOnce" in pvc["spec"].get("accessModes", []), "PVC should be ReadWriteOnce (what replicas: 1 assumes)")

# --- security ---------------------------------------------------------------------------------------
psc, csc = pod.get("securityContext", {}), c.get("securityContext", {})
check(psc.get("runAsNonRoot") is True, "pod securityContext.runAsNonRoot must be true")
with open(os.path.join(repo, "deploy/container/Containerfile")) as fh:
    user = re.search(r'^USER (\d+):(\d+)', fh.read(), re.M)
check(user and psc.get("runAsUser") == int(user.group(1)), "runAsUser must be the image's USER")
check(user and psc.get("fsGroup") == int(user.group(2)), "fsGroup must be the image's group (storage must be writable)")
check(psc.get("seccompProfile", {}).get("type") == "RuntimeDefault", "seccompProfile RuntimeDefault expected")
check(csc.get("readOnlyRootFilesystem") is True, "readOnlyRootFilesystem must be true")
check(csc.get("allowPrivilegeEscalation") is False, "allowPrivilegeEscalation must be false")
check(csc.get("capabilities", {}).get("drop") == ["ALL"], "capabilities.drop must be [ALL]")
check(not csc.get("capabilities", {}).get("add"), "no capabilities may be added")
check("/tmp" in mounts and "emptyDir" in vols.get(mounts["/tmp"]["name"], {}), "read-only root: /tmp must be an emptyDir (Netty unpacks its natives there)")
# The process has no capability and the pod sets no sysctl: it can only bind ports >= 1024.
check(not psc.get("sysctls"), f"the pod must set no sysctls (it listens on unprivileged ports): {psc.get('sysctls')}")
for name, port in ports.items():
    check(isinstance(port, int) and 1024 <= port <= 65535,
          f"container port {name}={port} must be unprivileged (1024..65535): the process has no capability")

# --- shutdown ---------------------------------------------------------------------------------------
def seconds(text):
    m = re.fullmatch(r'(\d+)(ms|s|m|h)', str(text))
    check(m, f"bad duration {text}")
    return int(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[m.group(2)] if m else 0
grace = seconds(routes.get("limits", {}).get("shutdown_grace", "30s"))
pre = c.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
pre_sleep = int(pre[-1]) if pre and pre[-1].isdigit() else 0
check(pre[:2] == ["/bin/busybox", "sleep"], "preStop should be /bin/busybox sleep N (the image has no other shell)")
tgps = pod.get("terminationGracePeriodSeconds", 30)
check(tgps > pre_sleep + grace, f"terminationGracePeriodSeconds {tgps} must exceed preStop {pre_sleep}s + shutdown_grace {grace}s")
check(c.get("resources", {}).get("requests") and c.get("resources", {}).get("limits", {}).get("memory"), "resources requests and a memory limit expected")

# --- Service and PDB ----------------------------------------------------------------------------------
check(svc["spec"].get("selector", {}).items() <= labels.items() and svc["spec"].get("selector"), "Service selector does not match the pod labels")
sports = {p["port"]: p for p in svc["spec"].get("ports", [])}
check(set(sports) == {80, 443}, f"Service must expose exactly 80 (HTTP-01) and 443, got {sorted(sports)}")
for port, want in ((80, "http"), (443, "https")):
    if port in sports:
        target = resolve(sports[port].get("targetPort", port), f"Service port {port}")
        check(target == ports.get(want), f"Service port {port} targets {target}, not the container's {want} port {ports.get(want)}")
        check(target == listen_ports.get(want), f"Service port {port} targets {target}, not routes.yaml's listen.{want} port {listen_ports.get(want)}")
        check(sports[port].get("name") == want, f"Service port {port} should be named {want}")
check(ports.get("admin") not in [resolve(p.get("targetPort", p["port"]), "Service") for p in sports.values()], "the Service must not expose the admin port")
# Port-80 redirects name listen.public_https_port (no port when 443), else the listener's own port:
# it must be the port clients reach HTTPS on, the Service's (its nodePort for type NodePort).
https_port = sports.get(443, {})
public = https_port.get("nodePort") if svc["spec"].get("type") == "NodePort" else https_port.get("port")
php = listen.get("public_https_port")
check(public is None or php == public, f"routes.yaml listen.public_https_port is {php}, but clients reach HTTPS on the Service's port {public}: "
      f"redirects would name {php if php is not None else listen_ports.get('https')}")
with open(os.path.join(repo, "deploy/container/Containerfile")) as fh:
    exposed = {int(p) for line in re.findall(r'^EXPOSE (.*)$', fh.read(), re.M) for p in re.findall(r'\d+', line)}
check(set(ports.values()) <= exposed, f"the image EXPOSEs {sorted(exposed)}, not every container port {sorted(ports.values())}")
check(pdb["spec"].get("selector", {}).get("matchLabels", {}).items() <= labels.items(), "PodDisruptionBudget selector does not match the pod labels")

# For the shell: the ConfigMap's routes.yaml, to validate with the jar.
with open(os.path.join(work, "routes.yaml"), "w") as fh:
    fh.write(cm["data"][config_name])
if errors:
    sys.exit("check: FAIL\n  " + "\n  ".join(errors))
mapping = ", ".join(f"{p}->{sports[p].get('targetPort', p)}" for p in sorted(sports))
print(f"check: {len(files)} files, {sum(len(v) for v in docs.values())} objects: references consistent "
      f"(container ports {ports}, Service {mapping}, "
      f"public_https_port {php}, admin paths {sorted(admin_paths)}, config {config_path}, storage {storage})")
PY

jar="$repo/app/target/portico.jar"
if [[ -f $jar ]]; then
  java -jar "$jar" validate --config "$work/routes.yaml"
  sed -e 's/^# acme:/acme:/' -e 's/^#   /  /' "$work/routes.yaml" > "$work/acme.yaml"
  grep -q '^acme:' "$work/acme.yaml" || { echo "check: no commented acme section to test" >&2; exit 1; }
  java -jar "$jar" validate --config "$work/acme.yaml"
else
  echo "check: $jar not built; skipped portico validate (bin/portico --help builds it)"
fi
