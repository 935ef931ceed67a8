#!/usr/bin/env bash
# The nearest thing to a cluster on one machine: runs configmap.yaml + pvc.yaml + deployment.yaml
# with `podman kube play` and the image from deploy/container/build.sh, with service.yaml's port
# mapping (443 -> targetPort https, 80 -> targetPort http) published as hostPorts on 127.0.0.1, and
# checks the pod as Kubernetes would run it: user 10001 with no capabilities and no sysctl listens on
# the container ports (8443, 8080, 9090); /readyz answers; HTTPS through the Service-style mapping
# verifies against the internal root in the PVC; http://localhost/x?y=1 redirects to
# https://localhost/x?y=1, WITHOUT a port although the pod listens on 8443 (routes.yaml's
# listen.public_https_port), and following that redirect through the mapping is served; SIGTERM ends
# it with exit status 0.
# Host ports: the Service's own (443, 80) when they are free on 127.0.0.1, else random free ones
# (or always random with PLAY_RANDOM_PORTS=1); the redirect must name 443 either way, since it comes
# from public_https_port, not from any port the client or the pod sees. Podman 4.3's kube play ignores
# Service objects, so the mapping is written into the container's hostPorts.
# Test-only changes to the manifests: the image, unique names, hostPorts on 127.0.0.1 (traffic stays
# on loopback; admin gets a random one as the kubelet's stand-in), and a `localhost` route.
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

# kube play takes no --ulimit: pass RUN_OPTS' limits (podman-host.sh; none on an ordinary host)
# through a containers.conf.
limits=$(printf '%s\n' "${RUN_OPTS[@]}" | sed -n 's/^\(nofile\|nproc\)=/"&/p' | sed 's/$/"/' | paste -sd, -)
printf '[containers]\ndefault_ulimits = [%s]\n' "$limits" > "$work/containers.conf"
export CONTAINERS_CONF="$work/containers.conf"

"$python" - "$here" "$image" "$suffix" "$work" "${PLAY_RANDOM_PORTS:-0}" <<'PY'
import socket, sys, yaml
here, image, suffix, work, random_ports = sys.argv[1:6]
def load(f):
    with open(f"{here}/{f}") as fh:
        return yaml.safe_load(fh)
cm, pvc, dep, svc = load("configmap.yaml"), load("pvc.yaml"), load("deployment.yaml"), load("service.yaml")
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
def bindable(port):  # free on 127.0.0.1 now (port 0: any free port); returns the port or None
    s = socket.socket()
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        return s.getsockname()[1]
    except OSError:
        return None
    finally:
        s.close()
# The Service's mapping: each Service port onto the container port its targetPort names.
host = {}   # container port name -> (host port, Service port)
for sp in svc["spec"]["ports"]:
    target = sp.get("targetPort", sp["port"])
    cp = next((p for p in c["ports"] if target in (p["name"], p["containerPort"])), None)
    if cp is None:
        sys.exit(f"play: Service port {sp['port']} targets {target}, which is no container port")
    chosen = None if random_ports == "1" else bindable(sp["port"])
    host[cp["name"]] = (chosen or bindable(0), sp["port"])
host.setdefault("admin", (bindable(0), None))   # not in the Service: the kubelet's probes, here curl
for p in c["ports"]:
    if p["name"] in host:
        p["hostIP"], p["hostPort"] = "127.0.0.1", host[p["name"]][0]
with open(f"{work}/play.yaml", "w") as fh:
    yaml.safe_dump_all([cm, pvc, dep], fh, sort_keys=False)
cports = {p["name"]: p["containerPort"] for p in c["ports"]}
with open(f"{work}/ports", "w") as fh:
    fh.write(" ".join(str(x) for x in (
        host["https"][0], host["http"][0], host["admin"][0], host["https"][1], host["http"][1],
        cports["https"], cports["http"], cports["admin"])) + "\n")
PY
read -r https http admin svc_https svc_http c_https c_http c_admin < "$work/ports"

step "podman kube play (image $image; Service $svc_https -> $c_https as 127.0.0.1:$https, $svc_http -> $c_http as 127.0.0.1:$http; admin $c_admin as :$admin)"
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
# The kernel's default: nothing lowered it, so the listeners below are bound without any privilege.
[[ $(echo "$who" | tail -n 1) == 1024 ]] || fail "ip_unprivileged_port_start is $(echo "$who" | tail -n 1), expected the default 1024 (no sysctl)"
listening=$("${PODMAN[@]}" exec "$ctr" /bin/busybox netstat -ltn | awk 'NR > 2 {n = split($4, a, ":"); print a[n]}' | sort -n | uniq | paste -sd' ')
step "in the pod: listening on $listening"
[[ $listening == "$(printf '%s\n' "$c_https" "$c_http" "$c_admin" | sort -n | paste -sd' ')" ]] \
  || fail "the pod listens on '$listening', expected exactly the container ports $c_https $c_http $c_admin"

"${PODMAN[@]}" cp "$ctr:/var/lib/portico/internal-ca/root.pem" "$work/root.pem" || fail "no internal root in the PVC"
# A client of the Service: URLs with the Service's ports (none, for 443 and 80); --connect-to sends
# them to the host ports that stand in for the Service (the same ports when they were free).
client=(curl -sS --max-time 5 --cacert "$work/root.pem"
  --connect-to "localhost:$svc_https:127.0.0.1:$https" --connect-to "localhost:$svc_http:127.0.0.1:$http")
url_port() { [[ $2 == "$1" ]] || echo ":$2"; }   # $1 the scheme's default port, $2 the Service port
base_https="https://localhost$(url_port 443 "$svc_https")" base_http="http://localhost$(url_port 80 "$svc_http")"
got=$("${client[@]}" -f "$base_https/") || fail "HTTPS request to $base_https/ (127.0.0.1:$https -> pod $c_https) failed"
[[ $got == "Portico on Kubernetes" ]] || fail "HTTPS body '$got'"
step "HTTPS $base_https/ via 127.0.0.1:$https -> pod :$c_https (verified with the internal root from the PVC): '$got'"
location=$("${client[@]}" -o /dev/null -w '%{http_code} %{redirect_url}' "$base_http/x?y=1")
[[ $location == "308 https://localhost/x?y=1" ]] \
  || fail "$base_http/x?y=1 answered '$location', expected 308 https://localhost/x?y=1 (listen.public_https_port 443; the pod listens on $c_https)"
step "HTTP $base_http/x?y=1 via 127.0.0.1:$http -> pod :$c_http: $location"
followed=$("${client[@]}" -f -L --max-redirs 1 -w ' %{url_effective}' "$base_http/x?y=1") || fail "following the redirect failed"
[[ $followed == "Portico on Kubernetes"$'\n'" https://localhost/x?y=1" ]] || fail "following the redirect: '$followed'"
step "redirect followed through the mapping: $(echo $followed)"

# podman stop sends the image's STOPSIGNAL (SIGTERM) and, unlike kill, keeps the Deployment's
# restartPolicy: Always from starting it again; -t is the grace before SIGKILL, as in the manifest.
t0=$SECONDS
grace=$("$python" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["spec"]["template"]["spec"]["terminationGracePeriodSeconds"])' "$here/deployment.yaml")
timeout $((grace + 15)) "${PODMAN[@]}" stop -t "$grace" "$ctr" >/dev/null 2> >(grep -v 'systemd connection' >&2) || fail "podman stop did not return within $((grace + 15))s"
code=$("${PODMAN[@]}" inspect "$ctr" --format '{{.State.ExitCode}}')
[[ $code == 0 ]] || fail "exit status $code after SIGTERM, expected 0"
"${PODMAN[@]}" logs "$ctr" 2>&1 | grep -q 'portico stopping signal=SIGTERM' || fail "no 'portico stopping signal=SIGTERM' in the log"
step "SIGTERM: exited 0 in $((SECONDS - t0))s"
step "PASS ($((SECONDS - start))s)"
