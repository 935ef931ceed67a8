#!/usr/bin/env bash
# Runs the image the way Kubernetes will (read-only root, no capabilities, no new privileges, config
# directory mounted over /etc/portico, a volume for /var/lib/portico, ports published on 127.0.0.1
# only) and checks, each with a deadline:
#   /readyz answers 200; HTTPS with SNI localhost verifies against the internal root copied out of the
#   volume and returns the configured body; HTTPS without SNI gets the default certificate; port 8080
#   redirects; the image's HEALTHCHECK passes; a ConfigMap-style update (..data symlink swap) of the
#   mounted routes.yaml is served without a restart; SIGTERM makes it exit 0; a second container on
#   the same volume keeps the same internal root CA.
#   deploy/container/smoke.sh [IMAGE]        (default localhost/portico:latest; build.sh builds it)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
image=${1:-localhost/portico:latest}
# shellcheck source=podman-host.sh
. "$here/podman-host.sh"
command -v curl >/dev/null || { echo "smoke: curl is needed (apt-get install curl)" >&2; exit 1; }
"${PODMAN[@]}" image exists "$image" || { echo "smoke: no image $image; run deploy/container/build.sh" >&2; exit 1; }

start=$SECONDS
step() { echo "smoke: [$((SECONDS - start))s] $*" >&2; }
fail() { echo "smoke: FAIL: $*" >&2; [[ -n ${name:-} ]] && "${PODMAN[@]}" logs "$name" 2>&1 | tail -n 40 >&2; exit 1; }
# Polls "$@" every 0.2s until it succeeds or $1 seconds pass.
await() { local deadline=$((SECONDS + $1)); shift; until "$@"; do ((SECONDS < deadline)) || return 1; sleep 0.2; done; }

id="portico-smoke-$$-$RANDOM"
work=$(mktemp -d)
name=""
cleanup() {
  "${PODMAN[@]}" rm -f -t 0 "$id-1" "$id-2" >/dev/null 2>&1 || true
  "${PODMAN[@]}" volume rm -f "$id" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# The config directory laid out as the kubelet writes a ConfigMap volume: routes.yaml -> ..data/routes.yaml,
# ..data -> a timestamped directory; an update writes a new directory and renames a new ..data over
# the old one (one atomic symlink swap).
mkdir -p "$work/config/..v1"
cp "$here/routes.yaml" "$work/config/..v1/routes.yaml"
ln -s ..v1 "$work/config/..data"
ln -s ..data/routes.yaml "$work/config/routes.yaml"
chmod -R a+rX "$work/config"
"${PODMAN[@]}" volume create "$id" >/dev/null

run() { # $1: container name
  name=$1
  "${PODMAN[@]}" run -d --name "$name" "${RUN_OPTS[@]}" \
    --read-only --cap-drop=ALL --security-opt=no-new-privileges \
    -v "$work/config:/etc/portico:ro" -v "$id:/var/lib/portico" \
    -p 127.0.0.1::8443 -p 127.0.0.1::8080 -p 127.0.0.1::9090 \
    "$image" >/dev/null 2> >(grep -v 'systemd connection' >&2)
  https=$("${PODMAN[@]}" port "$name" 8443/tcp | sed 's/.*://')
  http=$("${PODMAN[@]}" port "$name" 8080/tcp | sed 's/.*://')
  admin=$("${PODMAN[@]}" port "$name" 9090/tcp | sed 's/.*://')
  [[ -n $https && -n $http && -n $admin ]] || fail "no published ports"
}
running() { [[ $("${PODMAN[@]}" inspect "$name" --format '{{.State.Running}}') == true ]]; }
ready() { running || fail "container exited before it was ready"; curl -fsS -o /dev/null "http://127.0.0.1:$admin/readyz" 2>/dev/null; }
body() { curl -fsS --max-time 5 --cacert "$work/root.pem" --resolve "localhost:$https:127.0.0.1" "https://localhost:$https/"; }
stop_expect_0() {
  local t0=$SECONDS code
  "${PODMAN[@]}" kill --signal TERM "$name" >/dev/null
  code=$(timeout 60 "${PODMAN[@]}" wait "$name") || fail "still running 60s after SIGTERM"
  [[ $code == 0 ]] || fail "exit status $code after SIGTERM, expected 0"
  "${PODMAN[@]}" logs "$name" 2>&1 | grep -q 'portico stopped' || fail "no 'portico stopped' in the log"
  step "SIGTERM: exited 0 in $((SECONDS - t0))s"
}

step "run $image (read-only root, cap-drop ALL, no-new-privileges)"
run "$id-1"
t0=$SECONDS
await 90 ready || fail "/readyz not 200 within 90s"
step "ready in $((SECONDS - t0))s (https 127.0.0.1:$https, http :$http, admin :$admin)"
"${PODMAN[@]}" logs "$name" 2>&1 | grep 'portico started' | sed 's/^/smoke:   /' >&2

"${PODMAN[@]}" cp "$name:/var/lib/portico/internal-ca/root.pem" "$work/root.pem" \
  || fail "cannot copy the internal root out of the volume"
grep -q 'BEGIN CERTIFICATE' "$work/root.pem" || fail "internal-ca/root.pem is not a PEM certificate"
got=$(body) || fail "HTTPS request to https://localhost:$https/ failed"
[[ $got == "Portico is running" ]] || fail "HTTPS body '$got', expected 'Portico is running'"
step "HTTPS (SNI localhost, verified with the internal root): '$got'"
# An IP literal in the URL: curl sends no SNI, so the handshake must get tls.default's certificate.
got=$(curl -fsS --max-time 5 -k -H 'Host: localhost' "https://127.0.0.1:$https/") || fail "HTTPS without SNI failed"
[[ $got == "Portico is running" ]] || fail "HTTPS without SNI: body '$got'"
location=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code} %{redirect_url}' -H 'Host: localhost' "http://127.0.0.1:$http/x?y=1")
# Redirects name listen.public_https_port, else the HTTPS listener's port (none when 443). The image's
# default config sets no public_https_port, so 8443; ../kubernetes/play.sh tests 443 -> 8443 with it.
[[ $location == "308 https://localhost:8443/x?y=1" ]] || fail "port 8080 answered '$location', expected 308 https://localhost:8443/x?y=1"
step "HTTP: $location"
"${PODMAN[@]}" healthcheck run "$name" >/dev/null 2> >(grep -v 'systemd connection' >&2) || fail "the image's HEALTHCHECK failed"
step "HEALTHCHECK: healthy"

# Update the mounted config exactly as the kubelet does; the running process must serve the new body.
mkdir "$work/config/..v2"
sed 's/Portico is running/Portico reloaded/' "$here/routes.yaml" > "$work/config/..v2/routes.yaml"
chmod -R a+rX "$work/config/..v2"
ln -s ..v2 "$work/config/..data_tmp"
mv -T "$work/config/..data_tmp" "$work/config/..data"
rm -rf "$work/config/..v1"
reloaded() { [[ $(body 2>/dev/null) == "Portico reloaded" ]]; }
t0=$SECONDS
await 30 reloaded || fail "edited routes.yaml not served within 30s"
step "config edit (ConfigMap-style ..data swap) served without restart in $((SECONDS - t0))s"

stop_expect_0
cp "$work/root.pem" "$work/root-first.pem"

step "second container on the same volume"
run "$id-2"
await 90 ready || fail "second container: /readyz not 200 within 90s"
"${PODMAN[@]}" cp "$name:/var/lib/portico/internal-ca/root.pem" "$work/root.pem"
cmp -s "$work/root.pem" "$work/root-first.pem" || fail "the internal root changed across restarts: the volume did not keep it"
[[ $(body) == "Portico reloaded" ]] || fail "second container: unexpected body"
step "same internal root CA, serving"
stop_expect_0
step "PASS ($((SECONDS - start))s)"
