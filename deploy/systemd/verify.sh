#!/usr/bin/env bash
# Checks deploy/systemd/portico.service with `systemd-analyze verify` inside a scratch root that has
# the unit's layout (/usr/bin/java, /opt/portico/portico.jar, /bin/kill as stubs), and fails on ANY
# output on stderr: systemd-analyze exits 0 even for unknown keys or misspelled settings, it only
# complains. Also checks the sample routes.yaml with `portico validate` when the jar is built, and the
# unit's stop timeout against the sample's shutdown_grace.
#   deploy/systemd/verify.sh
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
unit="$here/portico.service"
command -v systemd-analyze >/dev/null || { echo "verify: systemd-analyze is needed (apt-get install systemd)" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/etc/systemd/system" "$root/usr/bin" "$root/bin" "$root/opt/portico" "$root/etc/portico"
install -m 0644 "$unit" "$root/etc/systemd/system/portico.service"
# The targets the unit's default dependencies name (sysinit.target, multi-user.target, ...).
[[ -d /usr/lib/systemd/system ]] || { echo "verify: /usr/lib/systemd/system is missing (apt-get install systemd)" >&2; exit 1; }
mkdir -p "$root/usr/lib/systemd"
cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/"
# Executables the unit names must exist and be executable under the root, or verify reports them.
for exe in /usr/bin/java /bin/kill; do
  printf '#!/bin/sh\nexit 0\n' > "$root$exe"
  chmod 0755 "$root$exe"
done
: > "$root/opt/portico/portico.jar"
install -m 0644 "$here/routes.yaml" "$root/etc/portico/routes.yaml"

# Every Exec* binary in the unit must be one the stubs cover, so the check above means something.
for exe in $(sed -n 's/^Exec[A-Za-z]*=[-@:+!]*\([^ ]*\).*/\1/p' "$unit" | sort -u); do
  [[ -x $root$exe ]] || { echo "verify: $exe used by the unit has no stub in this script" >&2; exit 1; }
done

err="$root/stderr"
set +e
SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no --generators=no --root="$root" \
  "$root/etc/systemd/system/portico.service" 2>"$err" >"$root/stdout"
rc=$?
set -e
if [[ $rc -ne 0 || -s $err || -s $root/stdout ]]; then
  echo "verify: systemd-analyze verify rc=$rc and said:" >&2
  cat "$root/stdout" "$err" >&2
  exit 1
fi
echo "verify: systemd-analyze verify portico.service: clean"

# Security exposure score (informational: needs a running systemd for the unit, so only on a host).
if [[ -d /run/systemd/system ]] && systemctl cat portico.service >/dev/null 2>&1; then
  systemd-analyze security portico.service --no-pager | tail -n 1
fi

# TimeoutStopSec must exceed the drain time the sample config allows.
stop=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)s$/\1/p' "$unit")
grace=$(sed -n 's/^  shutdown_grace: \([0-9]*\)s.*/\1/p' "$here/routes.yaml")
if [[ -z $stop || -z $grace ]] || (( stop <= grace )); then
  echo "verify: TimeoutStopSec=${stop:-?}s must be a number of seconds above shutdown_grace=${grace:-?}s" >&2
  exit 1
fi
echo "verify: TimeoutStopSec=${stop}s > shutdown_grace=${grace}s"

jar="$repo/app/target/portico.jar"
if [[ -f $jar ]]; then
  java -jar "$jar" validate --config "$here/routes.yaml"
  # The commented acme section must be valid once uncommented.
  sed -e 's/^# acme:/acme:/' -e 's/^#   /  /' "$here/routes.yaml" > "$root/etc/portico/routes.yaml"
  grep -q '^acme:' "$root/etc/portico/routes.yaml"
  java -jar "$jar" validate --config "$root/etc/portico/routes.yaml"
else
  echo "verify: $jar not built; skipped validating routes.yaml (bin/portico --help builds it)"
fi
