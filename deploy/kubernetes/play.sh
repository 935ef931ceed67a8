#!/usr/bin/env bash
# The nearest thing to a cluster on one machine: runs configmap.yaml + pvc.yaml + deployment.yaml
# with `podman kube play` and the image from deploy/container/build.sh, and checks the pod as
# Kubernetes would run it: user 10001 with no capabilities binds 443 and 80 (the pod's sysctl),
# /readyz answers, HTTPS verifies against the internal root in the PVC, port 80 redirects to https
# WITHOUT a port (the reason for listening on 443 in the pod), SIGTERM ends it with exit status 0.
# Test-only changes to the manifests: the image, hostPort on 127.0.0.1 (random free ports) so
# traffic stays on loopback, and a `localhost` route added to routes.yaml.
#   deploy/kubernetes/play.sh [IMAGE]        (default localhost/portico:latest)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
image=${1:-localhost/portico:latest}
# shellcheck source=../container/podman-host.sh
. "$here/../container/podman-host.sh"
command -v curl >/dev/null || { echo "play: curl is needed" >&2; exit 1; }
"${PODMAN[@]}" image exists "$image" || { echo "play: no image $image; run deploy/container/build.sh" >&2; exit 1; }
python=""
for p in python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null && "$p" -c 'import yaml' 2>/dev/null; then python=$p; break; fi
done
[[ -n $python ]] || { echo "play: needs python3 with PyYAML (apt-get install python3-yaml)" >&2; exit 1; }

start=$SECONDS
step() { echo "play: [$((SECONDS - start))s] $*" >&2; }
await() { local deadline=$((SECONDS + $1)); shift; until "$@"; do ((SECONDS < deadline)) || return 1; sleep 0.2; done; }

work=$(mktemp -d)
suffix="play$$"
pod="" ctr=""
fail() {
  echo "play: FAIL: $*" >&2
  [[ -n $ctr ]] && "${PODMAN[@]}" logs "$ctr" 2>&1 | tail -n 40 >&2
  exit 1
}
cleanup() {
  if [[ -f $work/play.yaml ]]; then
    "${PODMAN[@]}" kube down "$work/play.yaml" >/dev/null 2>&1 || true
  fi
  "${PODMAN[@]}" volume rm -f "portico-storage-$suffix" "portico-config-$suffix" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# kube play takes no --ulimit: pass RUN_OPTS' limits through a containers.conf. And podman 4.x kube
# play ignores the pod's securityContext.sysctls; the kubelet applies them, so apply the same one
# here (checked below from inside the pod).
limits=$(printf '%s\n' "${RUN_OPTS[@]}" | sed -n 's/^\(nofile\|nproc\)=/"&/p' | sed 's/$/"/' | paste -sd, -)
sysctl=$("$python" -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); print(",".join("\"%s=%s\"" % (s["name"], s["value"]) for s in d["spec"]["template"]["spec"]["securityContext"].get("sysctls", [])))' "$here/deployment.yaml")
printf '[containers]\ndefault_ulimits = [%s]\ndefault_sysctls = [%s]\n' "$limits" "$sysctl" > "$work/containers.conf"
export CONTAINERS_CONF="$work/containers.conf"

"$python" - "$here" "$image" "$suffix" "$work" <<'PY'
import socket, sys, yaml
here, image, suffix, work = sys.argv[1:5]
def load(f):
    with open(f"{here}/{f}") as fh:
        return yaml.safe_load(fh)
cm, pvc, dep = load("configmap.yaml"), load("pvc.yaml"), load("deployment.yaml")
# Unique names so a run never touches anything else on the host.
cm["metadata"]["name"] += "-" + suffix
pvc["metadata"]["name"] += "-" + suffix
dep["metadata"]["name"] += "-" + suffix
routes = yaml.safe_load(cm["data"]["routes.yaml"])
routes["routes"].append({"host": "localhost", "respond": {"status": 200, "body": "Portico on Kubernetes\n"}})
cm["data"]["routes.yaml"] = yaml.safe_dump(routes, sort_keys=False)
pod = dep["spec"]["template"]["spec"]
for v in pod["volumes"]:
    if "configMap" in v: v["configMap"]["name"] = cm["metadata"]["name"]
    if "persistentVolumeClaim" in v: v["persistentVolumeClaim"]["claimName"] = pvc["metadata"]["name"]
c = pod["containers"][0]
c["image"] = image
ports = {}
for p in c["ports"]:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); free = s.getsockname()[1]; s.close()
    p["hostIP"], p["hostPort"] = "127.0.0.1", free
    ports[p["name"]] = free
with open(f"{work}/play.yaml", "w") as fh:
    yaml.safe_dump_all([cm, pvc, dep], fh, sort_keys=False)
with open(f"{work}/ports", "w") as fh:
    fh.write(f"{ports['https']} {ports['http']} {ports['admin']}\n")
PY
read -r https http admin < "$work/ports"

step "podman kube play (image $image; https 127.0.0.1:$https, http :$http, admin :$admin)"
"${PODMAN[@]}" kube play "$work/play.yaml" > "$work/play.out" 2>&1 || { cat "$work/play.out" >&2; fail "kube play failed"; }
grep -v 'systemd connection' "$work/play.out" | sed 's/^/play:   /' >&2 || true
ctr=$("${PODMAN[@]}" ps -a --filter "label=app.kubernetes.io/name=portico" --filter "name=portico-$suffix" --format '{{.Names}}' | grep -v infra | head -n 1)
[[ -n $ctr ]] || ctr=$("${PODMAN[@]}" ps -a --format '{{.Names}}' | grep "portico-$suffix" | grep -v infra | head -n 1)
[[ -n $ctr ]] || fail "no container for the Deployment"
running() { [[ $("${PODMAN[@]}" inspect "$ctr" --format '{{.State.Running}}') == true ]]; }
ready() { running || fail "container exited before it was ready"; curl -fsS -o /dev/null "http://127.0.0.1:$admin/readyz" 2>/dev/null; }
await 90 ready || fail "/readyz not 200 within 90s"
step "ready: $("${PODMAN[@]}" logs "$ctr" 2>&1 | grep -o 'portico started.*transport=[a-z]*')"

who=$("${PODMAN[@]}" exec "$ctr" /bin/busybox sh -c 'id -u; grep CapEff /proc/1/status; cat /proc/sys/net/ipv4/ip_unprivileged_port_start')
step "in the pod: uid, capabilities, unprivileged port start: $(echo $who)"
[[ $(echo "$who" | head -n 1) == 10001 ]] || fail "runs as uid $(echo "$who" | head -n 1), expected 10001"
echo "$who" | grep -q 'CapEff:[[:space:]]*0000000000000000' || fail "the process has capabilities"

"${PODMAN[@]}" cp "$ctr:/var/lib/portico/internal-ca/root.pem" "$work/root.pem" || fail "no internal root in the PVC"
got=$(curl -fsS --max-time 5 --cacert "$work/root.pem" --resolve "localhost:$https:127.0.0.1" "https://localhost:$https/") \
  || fail "HTTPS request failed"
[[ $got == "Portico on Kubernetes" ]] || fail "HTTPS body '$got'"
step "HTTPS (verified with the internal root from the PVC): '$got'"
location=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code} %{redirect_url}' -H 'Host: localhost' "http://127.0.0.1:$http/x?y=1")
[[ $location == "308 https://localhost/x?y=1" ]] || fail "port 80 answered '$location', expected 308 https://localhost/x?y=1"
step "HTTP: $location"

# podman stop sends the image's STOPSIGNAL (SIGTERM) and, unlike kill, keeps the Deployment's
# restartPolicy: Always from starting it again; -t is the grace before SIGKILL, as in the manifest.
t0=$SECONDS
grace=$("$python" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["spec"]["template"]["spec"]["terminationGracePeriodSeconds"])' "$here/deployment.yaml")
timeout $((grace + 15)) "${PODMAN[@]}" stop -t "$grace" "$ctr" >/dev/null || fail "podman stop did not return within $((grace + 15))s"
code=$("${PODMAN[@]}" inspect "$ctr" --format '{{.State.ExitCode}}')
[[ $code == 0 ]] || fail "exit status $code after SIGTERM, expected 0"
"${PODMAN[@]}" logs "$ctr" 2>&1 | grep -q 'portico stopping signal=SIGTERM' || fail "no 'portico stopping signal=SIGTERM' in the log"
step "SIGTERM: exited 0 in $((SECONDS - t0))s"
step "PASS ($((SECONDS - start))s)"
