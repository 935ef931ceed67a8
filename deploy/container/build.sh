#!/usr/bin/env bash
# Builds the Portico image from nothing but Debian's archive and this repository; no image registry
# is needed. On a fresh Debian machine, as root:
#   deploy/container/build.sh            -> localhost/portico:<version> and localhost/portico:latest
# Environment: PORTICO_IMAGE (default localhost/portico), DEBIAN_MIRROR (default
# http://deb.debian.org/debian), DEBIAN_SECURITY_MIRROR (default http://deb.debian.org/debian-security).
#
# Steps: install missing tools with apt-get; build app/target/portico.jar if missing or stale
# (bin/portico does that); check the jar's module needs with jdeps; jlink a runtime with only those
# modules; mmdebstrap a minimal Debian root of the build host's release (so the JDK's natives find
# the glibc they were built for); podman build.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
image=${PORTICO_IMAGE:-localhost/portico}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security_mirror=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
start=$SECONDS
step() { echo "build: [$((SECONDS - start))s] $*" >&2; }

# The JDK modules Portico needs. jdeps finds the static ones; the rest are found only at run time:
#   java.xml        logback reads its logback.xml with SAX (jdeps misses it in the shaded jar)
#   jdk.random      RandomGenerator.getDefault() (L32X64MixRandom), ACME retry jitter
#   jdk.crypto.ec   the JDK's EC keys and TLS curves (SunEC)
#   jdk.net         extended socket options the JDK's networking loads when present
#   jdk.unsupported sun.misc.Signal (SIGTERM/SIGHUP) and Unsafe for Netty
# Left out although jdeps lists them, and tested without (smoke.sh serves, reloads, stops):
#   java.desktop    only SnakeYAML's JavaBean introspection, unused by Portico's node-level parsing
#   java.sql        only picocli's optional converters and Bouncy Castle's LDAP helpers
modules=java.base,java.naming,java.net.http,java.xml,jdk.crypto.ec,jdk.jfr,jdk.net,jdk.random,jdk.unsupported
not_needed=java.desktop,java.sql

# --- tools -----------------------------------------------------------------------------------------
[[ -r /etc/os-release ]] && . /etc/os-release
suite=${VERSION_CODENAME:-}
if [[ ${ID:-} != debian || -z $suite ]]; then
  echo "build: needs a Debian host (found ${PRETTY_NAME:-unknown}); the image's Debian release must match the JDK's" >&2
  exit 1
fi
need=()
command -v podman >/dev/null || need+=(podman)
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
command -v jlink >/dev/null || need+=(openjdk-17-jdk-headless)
command -v curl >/dev/null || need+=(curl)
[[ -f $repo/app/target/portico.jar ]] || command -v mvn >/dev/null || need+=(maven)
if [[ -n $(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null || true) ]] && ! command -v runc >/dev/null; then
  need+=(runc)   # see podman-host.sh
fi
if ((${#need[@]})); then
  step "apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q --no-install-recommends "${need[@]}" >&2
fi
java_home=$(dirname "$(dirname "$(readlink -f "$(command -v jlink)")")")
if [[ ! -f $java_home/jmods/java.base.jmod ]]; then
  echo "build: $java_home has no jmods; jlink needs them (Debian: openjdk-17-jdk-headless, or openjdk-17-jmods)" >&2
  exit 1
fi
# shellcheck source=podman-host.sh
. "$here/podman-host.sh"

# --- the jar ---------------------------------------------------------------------------------------
jar="$repo/app/target/portico.jar"
step "jar: bin/portico --help (builds $jar when missing or older than the sources)"
"$repo/bin/portico" --help >/dev/null

umask 022
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ctx="$work/context"   # what podman build reads: Containerfile, rootfs.tar, java/, jar, routes.yaml
mkdir "$ctx"

# --- modules: jdeps must not find anything we do not ship or did not decide to leave out ------------
step "jdeps: module dependencies of the jar"
# The shaded jar carries its dependencies' module-info.class files, which make jdeps treat it as a
# broken named module; analyse the classes without them.
mkdir "$work/classes"
(cd "$work/classes" && "$java_home/bin/jar" xf "$jar")
find "$work/classes" -name module-info.class -delete
version=$(sed -n 's/^version=//p' "$work/classes/META-INF/maven/dev.portico/portico-app/pom.properties")
[[ $version =~ ^[0-9A-Za-z._-]+$ ]] || { echo "build: no version in $jar's pom.properties (got '$version')" >&2; exit 1; }
found=$("$java_home/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 17 "$work/classes" | tail -n 1)
rm -rf "$work/classes"
for m in ${found//,/ }; do
  if [[ ,$modules,$not_needed, != *,$m,* ]]; then
    echo "build: jdeps says the jar needs $m, which is neither in the runtime nor known to be unneeded: decide and edit build.sh" >&2
    exit 1
  fi
done
step "jdeps found: $found"

# --- runtime ---------------------------------------------------------------------------------------
step "jlink: $modules"
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --compress=2 --output "$ctx/java"

# --- root file system ------------------------------------------------------------------------------
step "mmdebstrap: $suite, extract variant"
# extract: unpack the packages (and their dependencies) without running maintainer scripts; nothing
# else. (mmdebstrap runs no --customize-hook for this variant, so the root is finished below.)
rootfs="$work/rootfs"
mmdebstrap --variant=extract --include=libc6,libgcc-s1,libstdc++6,zlib1g,busybox-static \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
  --dpkgopt='path-exclude=/usr/share/lintian/*' --dpkgopt='path-exclude=/usr/share/gcc/*' \
  --dpkgopt='path-exclude=/usr/share/gdb/*' --dpkgopt='path-exclude=/usr/lib/*/gconv/*' \
  --skip=output/dev \
  --extract-hook='ls "$1"/var/cache/apt/archives | sed -n "s/\.deb$//p" | sort > "$1/etc/debian-packages"' \
  "$suite" "$rootfs" \
  "deb $mirror $suite main" "deb $mirror $suite-updates main" "deb $security_mirror $suite-security main" \
  2> "$work/mmdebstrap.log" || { cat "$work/mmdebstrap.log" >&2; exit 1; }
[[ -s $rootfs/etc/debian-packages ]] || { echo "build: no package list in the root" >&2; exit 1; }
# Users (numeric 10001 is what the image runs as), name lookup, the directories Portico uses, an
# ld.so cache; then drop what only apt and dpkg need.
printf 'root:x:0:0:root:/root:/nonexistent\nportico:x:10001:10001:portico:/nonexistent:/nonexistent\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\nportico:x:10001:\n' > "$rootfs/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' > "$rootfs/etc/nsswitch.conf"
mkdir -p "$rootfs/var/lib/portico" "$rootfs/etc/portico" "$rootfs/tmp"
chown 10001:10001 "$rootfs/var/lib/portico"
chmod 0700 "$rootfs/var/lib/portico"
chmod 1777 "$rootfs/tmp"
ldconfig -r "$rootfs"
rm -rf "$rootfs"/etc/apt "$rootfs"/etc/dpkg "$rootfs"/var/lib/apt "$rootfs"/var/cache/apt \
  "$rootfs"/var/log/apt "$rootfs"/var/lib/dpkg "$rootfs"/etc/fstab "$rootfs"/etc/hostname "$rootfs"/etc/resolv.conf
tar --numeric-owner -C "$rootfs" -cf "$ctx/rootfs.tar" .

# --- image -----------------------------------------------------------------------------------------
cp "$jar" "$ctx/portico.jar"
cp "$here/routes.yaml" "$ctx/routes.yaml"
cp "$here/Containerfile" "$ctx/Containerfile"
step "podman build $image:$version"
"${PODMAN[@]}" build --format docker --pull=never -f "$ctx/Containerfile" \
  --label org.opencontainers.image.title=portico \
  --label org.opencontainers.image.description="TLS-terminating reverse proxy with automatic HTTPS" \
  --label org.opencontainers.image.version="$version" \
  --label org.opencontainers.image.base.name="debian:$suite (mmdebstrap extract)" \
  -t "$image:$version" -t "$image:latest" "$ctx" >&2
size=$("${PODMAN[@]}" image inspect "$image:$version" --format '{{.Size}}')
step "built $image:$version ($((size / 1000 / 1000)) MB; runtime $(du -sh "$ctx/java" | cut -f1), rootfs $(du -sh "$ctx/rootfs.tar" | cut -f1), jar $(du -sh "$jar" | cut -f1))"
echo "$image:$version"
