# Sourced by build.sh, smoke.sh and ../kubernetes/check.sh: podman options this host needs.
# Sets the array PODMAN (the command with global options) and RUN_OPTS (for podman run/kube play).
# On an ordinary Debian host both are plain; the workarounds below are for constrained hosts such as
# CI sandboxes, and each only applies when its condition holds.
PODMAN=(podman)
RUN_OPTS=()

# crun (Debian's default OCI runtime) refuses a cgroup v1 + v2 "hybrid" host whose v2 hierarchy has
# controllers ("cgroups in hybrid mode not supported"); runc handles it.
if [[ -n $(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null || true) ]]; then
  if ! command -v runc >/dev/null; then
    echo "podman-host: cgroup hybrid mode needs runc: apt-get install runc" >&2
    return 1
  fi
  PODMAN+=(--runtime runc)
fi

# Without CAP_SYS_RESOURCE the runtime cannot raise RLIMIT_NOFILE/RLIMIT_NPROC to podman's defaults
# ("setrlimit RLIMIT_NOFILE: Operation not permitted"): ask for what this process may grant.
cap_eff=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status)
if (( (16#${cap_eff:-0} >> 24 & 1) == 0 )); then
  nofile=$(ulimit -Hn); [[ $nofile == unlimited || $nofile -gt 1048576 ]] && nofile=1048576
  nproc=$(ulimit -Hu); [[ $nproc == unlimited || $nproc -gt 4096 ]] && nproc=4096
  RUN_OPTS+=(--ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc")
fi
unset cap_eff nofile nproc
