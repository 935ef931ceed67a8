#!/usr/bin/env bash
# Runs portico.service under a real systemd: a throwaway Debian container (mmdebstrap, cached as
# localhost/portico-systemd-test:<release>) booted with /sbin/init as a stand-in for a VPS, where the
# README's install steps are followed literally. Checks, each with a deadline: the unit becomes active
# (Type=notify: only after Portico sends READY=1), the JVM runs as the dynamic user with no capability
# but CAP_NET_BIND_SERVICE and binds 443/80, HTTPS verifies against the internal root in
# /var/lib/portico, `systemctl reload` works and refuses an invalid file while serving on, `systemctl
# stop` ends it with status 0; prints `systemd-analyze security`'s exposure score.
# The container is --privileged because systemd's sandboxing (mount namespaces) needs it; it gets
# its own network namespace, and all traffic stays on the container's loopback.
#   deploy/systemd/systemd-test.sh [JAR]         (default app/target/portico.jar)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
jar=${1:-$repo/app/target/portico.jar}
[[ -f $jar ]] || { echo "systemd-test: no $jar (bin/portico --help builds it)" >&2; exit 1; }
# shellcheck source=../container/podman-host.sh
. "$here/../container/podman-host.sh"
. /etc/os-release
suite=$VERSION_CODENAME
image=localhost/portico-systemd-test:$suite

start=$SECONDS
step() { echo "systemd-test: [$((SECONDS - start))s] $*" >&2; }
name="portico-systemd-test-$$"
work=$(mktemp -d)
cleanup() { "${PODMAN[@]}" rm -f -t 0 "$name" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
inside() { "${PODMAN[@]}" exec "$name" bash -c "$1"; }
fail() {
  echo "systemd-test: FAIL: $*" >&2
  inside 'systemctl status --no-pager portico; journalctl -u portico --no-pager | tail -n 30' >&2 || true
  exit 1
}
await() { local deadline=$((SECONDS + $1)); shift; until "$@"; do ((SECONDS < deadline)) || return 1; sleep 0.2; done; }

if ! "${PODMAN[@]}" image exists "$image"; then
  step "building $image (mmdebstrap minbase + systemd + openjdk-17-jre-headless; once)"
  mmdebstrap --variant=minbase \
    --include=systemd,systemd-sysv,libnss-systemd,dbus,procps,curl,ca-certificates,openjdk-17-jre-headless \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    "$suite" "$work/root.tar" "deb http://deb.debian.org/debian $suite main" \
    "deb http://deb.debian.org/debian-security $suite-security main" 2> "$work/mmdebstrap.log" \
    || { cat "$work/mmdebstrap.log" >&2; exit 1; }
  "${PODMAN[@]}" import "$work/root.tar" "$image" >/dev/null
  rm -f "$work/root.tar"
fi

step "boot systemd in $name"
"${PODMAN[@]}" run -d --name "$name" "${RUN_OPTS[@]}" --privileged --systemd=always "$image" /sbin/init >/dev/null
booted() { [[ $(inside 'systemctl is-system-running' 2>/dev/null) =~ ^(running|degraded)$ ]]; }
await 60 booted || fail "systemd did not finish booting within 60s"

# The test config: the shipped sample plus a route for localhost.
{ cat "$here/routes.yaml"; printf '  - host: localhost\n    respond: { status: 200, body: "Portico under systemd\\n" }\n'; } > "$work/routes.yaml"
"${PODMAN[@]}" cp "$jar" "$name:/tmp/portico.jar"
"${PODMAN[@]}" cp "$here/portico.service" "$name:/tmp/portico.service"
"${PODMAN[@]}" cp "$work/routes.yaml" "$name:/tmp/routes.yaml"

step "install steps (as in the README)"
inside 'set -e
install -d /opt/portico
install -m 0644 /tmp/portico.jar /opt/portico/portico.jar
install -m 0644 /tmp/portico.service /etc/systemd/system/portico.service
install -d /etc/portico
install -m 0644 /tmp/routes.yaml /etc/portico/routes.yaml
systemctl daemon-reload
systemctl enable --no-block --now portico'
t0=$SECONDS
active() { [[ $(inside 'systemctl show -p ActiveState --value portico') == active ]]; }
await 60 active || fail "not active within 60s (state $(inside 'systemctl show -p ActiveState -p SubState --value portico' | paste -sd/)): with Type=notify that means no READY=1 arrived"
step "active after $((SECONDS - t0))s: $(inside 'systemctl show -p StatusText --value portico')"

pid=$(inside 'systemctl show -p MainPID --value portico')
who=$(inside "ps -o user=,uid= -p $pid; sed -n 's/^CapEff:[[:space:]]*//p' /proc/$pid/status")
step "main process: $(echo $who)"
uid=$(echo "$who" | head -n 1 | awk '{print $2}')
[[ $uid != 0 ]] || fail "runs as root"
[[ $(echo "$who" | tail -n 1) == 0000000000000400 ]] || fail "capabilities $(echo "$who" | tail -n 1), expected only CAP_NET_BIND_SERVICE (0x400)"

got=$(inside 'curl -fsS --max-time 5 --cacert /var/lib/portico/internal-ca/root.pem https://localhost/') || fail "HTTPS on 443 failed"
[[ $got == "Portico under systemd" ]] || fail "HTTPS body '$got'"
step "HTTPS :443 verified with /var/lib/portico/internal-ca/root.pem: '$got'"
loc=$(inside "curl -sS --max-time 5 -o /dev/null -w '%{http_code} %{redirect_url}' http://localhost/x")
[[ $loc == "308 https://localhost/x" ]] || fail "port 80 answered '$loc'"
step "HTTP :80: $loc"
step "storage: $(inside 'stat -c "%n %a %U" /var/lib/private /var/lib/private/portico /var/lib/portico/internal-ca/*' | paste -sd' ')"

inside 'systemctl reload portico' || fail "systemctl reload failed on a valid file"
inside 'sed -i "s/^routes:/routez:/" /etc/portico/routes.yaml'
if inside 'systemctl reload portico' 2>/dev/null; then fail "systemctl reload accepted an invalid routes.yaml"; fi
active || fail "an invalid file on reload stopped the service"
[[ $(inside 'curl -fsS --max-time 5 --cacert /var/lib/portico/internal-ca/root.pem https://localhost/') == "Portico under systemd" ]] \
  || fail "not serving after a refused reload"
inside 'sed -i "s/^routez:/routes:/" /etc/portico/routes.yaml'
step "reload: valid file accepted; invalid file refused, still serving"

inside 'systemd-analyze security --no-pager portico | tail -n 1' | sed 's/^/systemd-test: /' >&2 || true

t0=$SECONDS
inside 'timeout 60 systemctl stop portico' || fail "systemctl stop failed or took over 60s"
result=$(inside 'systemctl show -p Result -p ExecMainStatus portico' | paste -sd' ')
[[ $result == *"Result=success"* && $result == *"ExecMainStatus=0"* ]] || fail "after stop: $result"
step "stop: $result in $((SECONDS - t0))s"
step "PASS ($((SECONDS - start))s)"
