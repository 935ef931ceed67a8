#!/usr/bin/env bash
# Portico against nginx, HAProxy and Caddy on this machine, all on 127.0.0.1 (GitHub issue 9).
#
#   bench/run.sh                 R=3 interleaved rounds of every scenario (25 to 45 minutes with
#                                the four contestants: 2 to 3.5 min per contestant and round)
#   bench/run.sh --quick         one short round: checks that everything works (3-5 minutes);
#                                writes bench/results/quick.md, never latest.md
#   bench/run.sh --rounds 5      more rounds
#   bench/run.sh --only portico,nginx
#   bench/run.sh --only portico,portico-epoll,nginx,haproxy,caddy
#                                portico-epoll: Portico again, on epoll rather than io_uring
#                                (PORTICO_TRANSPORT=epoll), to compare the transports in one run
#   bench/run.sh --profile       Portico alone under the keep-alive load with JFR (15 s warm-up, as
#                                in the main run); writes bench/results/profile-portico.txt
#                                (about 50 s; with --quick 15 s)
#   bench/run.sh --syscalls      system calls per keep-alive request of every contestant (strace -c,
#                                10 connections, 3 s each); writes bench/results/syscalls.txt
#   bench/run.sh --alloc         bytes Portico's event loops allocate per request (keep-alive and
#                                HTTP/2, 10 s each after 20 s of the same load; jstack -e); writes
#                                bench/results/alloc-portico.txt (about 1 min; with --quick 15 s)
#   bench/run.sh --paired portico,haproxy [--load keepalive|h2|handshake12|handshake13] [--pairs 6]
#                                two contestants running at once (the second on HTTPS_PORT + 1),
#                                both warmed up, then 8 s loads alternating between them, the order
#                                flipped every pair; prints medians and the per-pair ratio B/A
#                                (about 4 min); writes bench/results/paired-A-B-LOAD.txt. The same name
#                                twice compares Portico with itself: PORTICO_B_EXTRA_JAVA_OPTS go
#                                to the second (e.g. -Dio.netty.eventLoopThreads=1), and
#                                PORTICO_B_JAR=/path/to/other/portico.jar runs another build there
#                                (a change against the commit before it)
#
# Installs what is missing from Debian's archive (nginx haproxy caddy wrk nghttp2-client openssl
# curl), makes ECDSA P-256 certificates for a.bench.test and b.bench.test, starts one backend for
# everyone (nginx on BACKEND_PORT, a Python WebSocket echo on WS_PORT), then starts each
# contestant in turn on HTTPS_PORT with the templated config from bench/peers/ and measures it:
# the same warm-up for everyone (keep-alive, new connections, HTTP/2, WebSocket, one transfer each
# way; discarded), 8,000 idle TLS connections held, keep-alive HTTP/1.1 (wrk), HTTP/2 (h2load),
# full and resumed handshakes, 100 MiB transfers with the proxy's CPU per GiB, WebSocket echo.
# Prints one table of medians and writes it to bench/results/latest.md (raw figures beside it).
# Needs root (package installs, /etc/hosts). Every load is bounded in time and count and goes to
# 127.0.0.1 only. See bench/README.md for what each figure means.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
tools=$here/tools
results=$here/results

RUN=${BENCH_RUN_DIR:-/tmp/portico-bench}
HTTPS_PORT=18443
BACKEND_PORT=18080
WS_PORT=18081
ADMIN_PORT=19090
HOSTS_MARK="# portico-bench"
# Portico's JVM flags (bench/README.md says why): G1, a fixed 256 MiB heap, 2 event loops.
# bin/portico adds -XX:+ExitOnOutOfMemoryError.
PORTICO_BENCH_JAVA_OPTS=${PORTICO_BENCH_JAVA_OPTS:--XX:+UseG1GC -Xms256m -Xmx256m -Dio.netty.eventLoopThreads=2}

rounds=3
quick=0
profile=0
syscalls=0
alloc=0
paired=
paired_load=keepalive
pairs=6
contestants="portico nginx haproxy caddy"
command_line="bench/run.sh $*"

usage() { sed -n '2,29p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while (($#)); do
  case $1 in
    --quick) quick=1; rounds=1 ;;
    --rounds) rounds=${2:?--rounds needs a number}; shift ;;
    --only) contestants=${2:?--only needs a list, e.g. portico,nginx}; contestants=${contestants//,/ }; shift ;;
    --profile) profile=1 ;;
    --syscalls) syscalls=1 ;;
    --alloc) alloc=1 ;;
    --paired) paired=${2:?--paired needs two contestants, e.g. portico,haproxy}; shift ;;
    --load) paired_load=${2:?--load needs keepalive, h2, handshake12 or handshake13}; shift ;;
    --pairs) pairs=${2:?--pairs needs a number}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --rounds '$rounds' (expected a whole number > 0)" >&2; exit 2; }
if [[ -n $paired ]]; then
  [[ $paired =~ ^[a-z-]+,[a-z-]+$ ]] || { echo "run.sh: --paired '$paired' (expected two contestants, e.g. portico,haproxy)" >&2; exit 2; }
  contestants=${paired/,/ }
  [[ $paired_load =~ ^(keepalive|h2|handshake12|handshake13)$ ]] || { echo "run.sh: --load '$paired_load' (expected keepalive, h2, handshake12 or handshake13)" >&2; exit 2; }
  [[ $pairs =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --pairs '$pairs' (expected a whole number > 0)" >&2; exit 2; }
fi
for c in $contestants; do
  [[ " portico portico-epoll nginx haproxy caddy " == *" $c "* ]] || { echo "run.sh: unknown contestant '$c' (expected: portico portico-epoll nginx haproxy caddy)" >&2; exit 2; }
done

# Seconds per scenario (WARMUP_* are the discarded warm-up loads), idle TLS connections held,
# wrk connections. The full run takes about 2 min per contestant and round: 32 s to 2 min of warm-up, 10 to
# 25 s to open the held connections (the contestant's handshakes, from 4 client processes), 10 s
# keep-alive, 10 s HTTP/2, 2 x 5 s full and 2 x 5 s resumed handshakes, 6 transfers, 5 s WebSocket,
# plus starting and stopping.
# The warm-up runs in cycles (every load type once per cycle) until a cycle's keep-alive and HTTP/2
# rates are both within WARMUP_STEADY_PCT of the cycle before, WARMUP_MIN_CYCLES at least and
# WARMUP_MAX_CYCLES at most: nginx, HAProxy and Caddy are steady after the minimum; a JVM is still
# compiling its hot paths for the first minute or so under load (measured: Portico's HTTP/2 rate
# rose from 300 to 29,000 req/s over six 10-s windows while its C2 compiler thread used 13 s of CPU).
if ((quick)); then
  WARMUP=2 WARMUP_NEW=1 WARMUP_H2=1 WARMUP_WS=1 KEEPALIVE=2 H2=2 HANDSHAKE=2 RESUME=2 WEBSOCKET=2
  TRANSFERS=1 HELD=8000 CONNS=10 WARMUP_MIN_CYCLES=1 WARMUP_MAX_CYCLES=1
else
  WARMUP=5 WARMUP_NEW=2 WARMUP_H2=5 WARMUP_WS=2 KEEPALIVE=10 H2=10 HANDSHAKE=5 RESUME=5 WEBSOCKET=5
  TRANSFERS=3 HELD=8000 CONNS=50 WARMUP_MIN_CYCLES=2 WARMUP_MAX_CYCLES=8
fi
WARMUP_STEADY_PCT=5
# The same in both modes: h2load connections and streams per connection (100 requests in flight;
# Portico and HAProxy allow 100 concurrent streams per connection, nginx 128, Caddy 250), resumption
# client processes, WebSocket client processes x connections each, WebSocket echo processes.
H2_CONNS=10 H2_STREAMS=10 RESUME_CLIENTS=4 WS_PROCS=2 WS_CONNS=16 WS_ECHO_PROCS=2

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "run.sh: $*"; exit 1; }

# --- tools -----------------------------------------------------------------------------------

install_missing() {
  local missing=() cmd pkg
  for pair in nginx:nginx haproxy:haproxy caddy:caddy wrk:wrk h2load:nghttp2-client openssl:openssl \
              curl:curl python3:python3 java:openjdk-17-jdk-headless jfr:openjdk-17-jdk-headless strace:strace; do
    cmd=${pair%%:*} pkg=${pair#*:}
    command -v "$cmd" >/dev/null || missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return
  [[ $(id -u) == 0 ]] || die "missing ${missing[*]}; run as root to install them"
  log "installing from Debian's archive: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# --- processes we start, stopped at exit -------------------------------------------------------

started=()
# True while PID runs; a child that has exited but was not waited for yet is a zombie, which
# `kill -0` would still find.
alive() {
  local state
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
  [[ -n $state && $state != Z ]]
}
# Drops a process that has been waited for, so that cleanup never signals a recycled PID.
forget() {
  local pid kept=()
  for pid in "${started[@]}"; do
    [[ $pid == "$1" ]] || kept+=("$pid")
  done
  started=("${kept[@]}")
}
cleanup() {
  local pid
  for pid in "${started[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${started[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  remove_hosts
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wrk takes its SNI from the URL's host and has no --resolve: the two names go into /etc/hosts
# for the run, on a line ending in HOSTS_MARK, removed at exit. Written in place (not renamed),
# because /etc/hosts is often a bind mount in containers.
remove_hosts() {
  if grep -q "$HOSTS_MARK\$" /etc/hosts 2>/dev/null; then
    local kept
    kept=$(grep -v "$HOSTS_MARK\$" /etc/hosts)
    printf '%s\n' "$kept" > /etc/hosts
  fi
}
add_hosts() {
  remove_hosts
  printf '127.0.0.1 a.bench.test b.bench.test %s\n' "$HOSTS_MARK" >> /etc/hosts
  # every address the name resolves to (another line for the same names may exist: host.conf "multi on")
  [[ $(getent hosts a.bench.test | awk '{print $1}' | sort -u) == 127.0.0.1 ]] || die "a.bench.test does not resolve to 127.0.0.1 (only) through /etc/hosts"
}

port_free() { ! ss -Hltn "sport = :$1" | grep -q .; }

wait_port() { # PORT SECONDS
  local end=$((SECONDS + $2))
  until ! port_free "$1"; do
    ((SECONDS < end)) || return 1
    sleep 0.1
  done
}

# --- certificates and configs ------------------------------------------------------------------

make_certificates() {
  local d=$RUN/certs n
  mkdir -p "$d"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$d/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$d/ca.key" -subj "/CN=Portico bench CA" -days 7 -out "$d/ca.pem" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  for n in a b; do
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$d/$n.key" 2>/dev/null
    openssl req -new -key "$d/$n.key" -subj "/CN=$n.bench.test" -out "$d/$n.csr" 2>/dev/null
    printf 'subjectAltName=DNS:%s.bench.test\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' \
      "$n" > "$d/$n.ext"
    openssl x509 -req -in "$d/$n.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 7 \
      -extfile "$d/$n.ext" -out "$d/$n.pem" 2>/dev/null
    cat "$d/$n.pem" "$d/$n.key" > "$d/$n.combined.pem" # HAProxy wants certificate and key in one file
  done
  # Client-side OpenSSL configs pinning the protocol version, for wrk (which has no such option).
  for v in 2 3; do
    printf 'openssl_conf = bench_conf\n[bench_conf]\nssl_conf = bench_ssl\n[bench_ssl]\nsystem_default = bench_pin\n[bench_pin]\nMinProtocol = TLSv1.%s\nMaxProtocol = TLSv1.%s\n' \
      "$v" "$v" > "$d/client-tls1$v.cnf"
  done
}

template() { # SOURCE DEST [SLOT]: slot 1 (--paired) keeps its state under $RUN/b, one port up
  local slot=${3:-0} dir=$RUN
  ((slot == 0)) || dir=$RUN/b
  sed -e "s#@RUN@#$dir#g" -e "s#@CERTS@#$RUN/certs#g" -e "s#@HTTPS_PORT@#$((HTTPS_PORT + slot))#g" \
      -e "s#@BACKEND_PORT@#$BACKEND_PORT#g" -e "s#@WS_PORT@#$WS_PORT#g" -e "s#@ADMIN_PORT@#$((ADMIN_PORT + slot))#g" \
      "$1" > "$2"
}

prepare_run_dir() {
  rm -rf "$RUN"
  mkdir -p "$RUN"/{out,www,backend,nginx,haproxy,caddy,portico,portico-epoll}
  head -c $((100 * 1024 * 1024)) /dev/urandom > "$RUN/www/big.bin"
  echo ok > "$RUN/www/upload-ok.txt"
  make_certificates
  template "$here/peers/backend-nginx.conf" "$RUN/backend.conf"
  template "$here/peers/nginx.conf" "$RUN/nginx.conf"
  template "$here/peers/haproxy.cfg" "$RUN/haproxy.cfg"
  template "$here/peers/Caddyfile" "$RUN/Caddyfile"
  template "$here/peers/portico.yaml" "$RUN/portico.yaml"
  nginx -t -q -c "$RUN/backend.conf" || die "backend nginx config does not load"
  nginx -t -q -c "$RUN/nginx.conf" || die "nginx contestant config does not load"
  haproxy -c -q -f "$RUN/haproxy.cfg" || die "haproxy config does not load"
  XDG_DATA_HOME=$RUN/caddy XDG_CONFIG_HOME=$RUN/caddy caddy validate --config "$RUN/Caddyfile" --adapter caddyfile \
    > "$RUN/caddy/validate.log" 2>&1 || { cat "$RUN/caddy/validate.log" >&2; die "Caddyfile does not load"; }
  # Builds app/target/portico.jar if it is missing or older than the sources, then checks the file.
  "$root/bin/portico" validate --config "$RUN/portico.yaml" > "$RUN/portico/validate.log" 2>&1 \
    || { cat "$RUN/portico/validate.log" >&2; die "portico.yaml does not validate"; }
  if [[ -n $paired ]]; then
    mkdir -p "$RUN"/b/{nginx,haproxy,caddy,portico,portico-epoll}
    template "$here/peers/nginx.conf" "$RUN/b/nginx.conf" 1
    template "$here/peers/haproxy.cfg" "$RUN/b/haproxy.cfg" 1
    template "$here/peers/Caddyfile" "$RUN/b/Caddyfile" 1
    template "$here/peers/portico.yaml" "$RUN/b/portico.yaml" 1
  fi
}

start_backend() {
  local i
  nginx -c "$RUN/backend.conf" &
  started+=($!)
  for ((i = 0; i < WS_ECHO_PROCS; i++)); do # SO_REUSEPORT: the kernel spreads the connections
    python3 "$tools/ws_echo.py" "$WS_PORT" 2>> "$RUN/backend/ws-echo.log" &
    started+=($!)
  done
  wait_port "$BACKEND_PORT" 10 || die "backend nginx did not start (see $RUN/backend/error.log)"
  wait_port "$WS_PORT" 10 || die "WebSocket echo backend did not start"
  [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$BACKEND_PORT/") == 200 ]] || die "backend does not answer 200"
}

# --- contestants -------------------------------------------------------------------------------

CPID=
start_contestant() { # NAME [SLOT]; sets CPID. Slot 1 (--paired): configs and state in $RUN/b, ports one up
  local name=$1 slot=${2:-0} dir=$RUN java_opts="$PORTICO_BENCH_JAVA_OPTS ${PORTICO_EXTRA_JAVA_OPTS:-}"
  ((slot == 0)) || { dir=$RUN/b; java_opts="$java_opts ${PORTICO_B_EXTRA_JAVA_OPTS:-}"; }
  local port=$((HTTPS_PORT + slot)) admin=$((ADMIN_PORT + slot))
  case $name in
    portico|portico-epoll)
      local jar= # empty: bin/portico's own (built if stale); PORTICO_B_JAR: another build in the B slot
      ((slot == 0)) || jar=${PORTICO_B_JAR:-}
      PORTICO_TRANSPORT=$([[ $name == portico-epoll ]] && echo epoll || echo "${PORTICO_TRANSPORT:-}") \
        PORTICO_ACCESS_LOG=off PORTICO_JAVA_OPTS="$java_opts" PORTICO_JAR=$jar \
        "$root/bin/portico" run --config "$dir/portico.yaml" >> "$dir/$name/portico.log" 2>&1 &
      ;;
    nginx) nginx -c "$dir/nginx.conf" >> "$dir/nginx/stderr.log" 2>&1 & ;;
    haproxy) haproxy -db -f "$dir/haproxy.cfg" >> "$dir/haproxy/haproxy.log" 2>&1 & ;;
    caddy)
      GOMAXPROCS=2 XDG_DATA_HOME=$dir/caddy XDG_CONFIG_HOME=$dir/caddy \
        caddy run --config "$dir/Caddyfile" --adapter caddyfile >> "$dir/caddy/caddy.log" 2>&1 &
      ;;
  esac
  CPID=$!
  started+=("$CPID")
  local end=$((SECONDS + 60)) code=
  while ((SECONDS < end)); do
    alive "$CPID" || die "$name exited during startup (logs in $dir/$name/)"
    if [[ $name != portico* ]] || [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$admin/readyz") == 200 ]]; then
      code=$(curl -s -o /dev/null -w '%{http_code}' --http1.1 --cacert "$RUN/certs/ca.pem" \
        --resolve "a.bench.test:$port:127.0.0.1" "https://a.bench.test:$port/" || true)
      if [[ $code == 200 ]]; then
        [[ $name == portico* && $round == 1 ]] && note "$(grep -o 'transport=[a-z_]*' "$dir/$name/portico.log" | tail -1)"
        return 0
      fi
    fi
    sleep 0.2
  done
  die "$name not ready after 60 s (last HTTPS status '$code'; logs in $dir/$name/)"
}

stop_contestant() { # [PORT]
  kill -TERM "$CPID" 2>/dev/null || true
  local end=$((SECONDS + 15))
  while alive "$CPID" && ((SECONDS < end)); do sleep 0.1; done
  kill -KILL "$CPID" 2>/dev/null || true
  wait "$CPID" 2>/dev/null || true
  forget "$CPID"
  local end2=$((SECONDS + 10))
  until port_free "${1:-$HTTPS_PORT}" || ((SECONDS >= end2)); do sleep 0.1; done
}

# --- measurements ------------------------------------------------------------------------------

round=0 name=
record() { printf '%s\t%s\t%s\t%s\n' "$round" "$name" "$1" "$2" >> "$RUN/raw.tsv"; }
note() { printf 'round %s, %s: %s\n' "$round" "$name" "$*" >> "$RUN/notes.txt"; log "  note: $*"; }
measure() { python3 "$tools/measure.py" "$@"; }
calc() { python3 -c "print($1)"; }

curl_tls() { curl -s --http1.1 --cacert "$RUN/certs/ca.pem" --resolve "a.bench.test:$HTTPS_PORT:127.0.0.1" -H 'Expect:' "$@"; }
download() { curl_tls -o /dev/null -w '%{http_code} %{size_download} %{speed_download}' "https://a.bench.test:$HTTPS_PORT/big" || true; }
upload() {
  curl_tls -o /dev/null -X POST -H 'Content-Type: application/octet-stream' -T "$RUN/www/big.bin" \
    -w '%{http_code} %{size_upload} %{speed_upload}' "https://a.bench.test:$HTTPS_PORT/upload" || true
}

measure_idle() { # right after start: what an idle process costs
  sleep 1
  record mem_idle "$(calc "$(measure mem "$CPID") / 1024")"
}

scenario_memory() { # after the warm-up, so a JVM's heap growth is not charged to the connections
  sleep 1
  local idle held out
  idle=$(measure mem "$CPID")
  : > "$RUN/out/hold.txt"
  python3 "$tools/hold_tls.py" "$HTTPS_PORT" a.bench.test "$HELD" 300 > "$RUN/out/hold.txt" 2>&1 &
  local holder=$!
  started+=("$holder")
  local end=$((SECONDS + 120))
  until grep -qE '^(held|failed)' "$RUN/out/hold.txt" || ! alive "$holder" || ((SECONDS >= end)); do sleep 0.2; done
  out=$(cat "$RUN/out/hold.txt")
  if [[ $out == "held $HELD"* ]]; then
    sleep 1
    held=$(measure mem "$CPID")
    record mem_held "$(calc "$held / 1024")"
    record kib_conn "$(calc "($held - $idle) / $HELD")"
  else
    record mem_held n/a
    record kib_conn n/a
    note "holding $HELD idle TLS connections failed: ${out:-no output}"
  fi
  kill -TERM "$holder" 2>/dev/null || true
  wait "$holder" 2>/dev/null || true
  forget "$holder"
}

# Load discarded, the same for every contestant: lets a JVM's JIT compile the hot paths of every
# scenario (C2 was still compiling after 5 s of keep-alive warm-up). It does not touch the
# per-connection or ticket state that the later scenarios measure.
warm_up() { # discarded load, in cycles until steady (see WARMUP_STEADY_PCT), then one transfer each way
  local cycle ka h2 prev_ka=0 prev_h2=0 v
  for ((cycle = 1; cycle <= WARMUP_MAX_CYCLES; cycle++)); do
    ka=$(wrk -t2 -c"$CONNS" -d"${WARMUP}s" "https://a.bench.test:$HTTPS_PORT/" 2>/dev/null | awk '/Requests\/sec/ {print int($2)}')
    for v in 3 2; do
      OPENSSL_CONF=$RUN/certs/client-tls1$v.cnf \
        wrk -t2 -c"$CONNS" -d"${WARMUP_NEW}s" -H 'Connection: close' "https://b.bench.test:$HTTPS_PORT/" > /dev/null 2>&1 || true
    done
    h2=$(h2load -c "$H2_CONNS" -m "$H2_STREAMS" -t 2 -D "$WARMUP_H2" "https://a.bench.test:$HTTPS_PORT/" 2>/dev/null \
      | awk '/finished in/ {print int($4)}')
    python3 "$tools/ws_client.py" "$HTTPS_PORT" a.bench.test /ws "$WS_CONNS" "$WARMUP_WS" "$WS_PROCS" > /dev/null 2>&1 || true
    [[ -n ${BENCH_TRACE:-} ]] && log "  warm-up cycle $cycle: keep-alive ${ka:-?} req/s, h2 ${h2:-?} req/s"
    if ((cycle >= WARMUP_MIN_CYCLES)) && steady "${ka:-0}" "$prev_ka" && steady "${h2:-0}" "$prev_h2"; then
      break
    fi
    prev_ka=${ka:-0} prev_h2=${h2:-0}
  done
  ((cycle > WARMUP_MAX_CYCLES)) && { cycle=$WARMUP_MAX_CYCLES; note "warm-up: rates still moving after $cycle cycles"; }
  record warmup_cycles "$cycle"
  download > /dev/null
  upload > /dev/null
}

steady() { # RATE PREVIOUS: within WARMUP_STEADY_PCT percent (a cycle with no previous one never is, except in --quick)
  ((WARMUP_MAX_CYCLES == 1)) && return 0
  (($2 > 0)) && python3 -c "import sys; sys.exit(0 if abs($1 - $2) <= $2 * $WARMUP_STEADY_PCT / 100 else 1)"
}

scenario_keepalive() {
  local file=$RUN/out/keepalive-$round-$name.txt before after metric rps p50 p99 requests errors non2xx
  before=$(measure cpu "$CPID")
  wrk -t2 -c"$CONNS" -d"${KEEPALIVE}s" --timeout 5s --latency "https://a.bench.test:$HTTPS_PORT/" > "$file" 2>&1 || true
  after=$(measure cpu "$CPID")
  read -r rps p50 p99 requests errors non2xx <<< "$(measure wrk "$file")"
  if [[ $rps == n/a ]]; then
    for metric in ka_rps ka_p50 ka_p99 ka_cpu10k; do record "$metric" n/a; done
    note "keep-alive: wrk gave no result: $(tail -c 300 "$file" | tr '\n' ' ')"
    return
  fi
  record ka_rps "$rps"
  record ka_p50 "$p50"
  record ka_p99 "$p99"
  record ka_cpu10k "$(calc "($after - $before) / max($requests, 1) * 10000")"
  ((errors == 0)) || note "keep-alive: $errors socket errors"
  ((non2xx == 0)) || note "keep-alive: $non2xx non-2xx responses"
}

# HTTP/2 with h2load (nghttp2): H2_CONNS connections from 2 threads, H2_STREAMS concurrent streams
# each, the small response, for H2 seconds. h2load sends SNI from the URL's host and offers ALPN h2
# (and http/1.1); a contestant that does not choose h2 gets n/a.
scenario_h2() {
  local file=$RUN/out/h2-$round-$name.txt before after rps succeeded failed non2xx protocol
  before=$(measure cpu "$CPID")
  h2load -c "$H2_CONNS" -m "$H2_STREAMS" -t 2 -D "$H2" "https://a.bench.test:$HTTPS_PORT/" > "$file" 2>&1 || true
  after=$(measure cpu "$CPID")
  read -r rps succeeded failed non2xx protocol <<< "$(measure h2load "$file")"
  if [[ $rps == n/a || $protocol != h2 || $succeeded == 0 ]]; then
    record h2_rps n/a
    record h2_cpu10k n/a
    note "HTTP/2: no result (ALPN: $protocol, $succeeded requests succeeded): $(tail -c 300 "$file" | tr '\n' ' ')"
    return
  fi
  record h2_rps "$rps"
  record h2_cpu10k "$(calc "($after - $before) / $succeeded * 10000")"
  ((failed == 0)) || note "HTTP/2: $failed failed requests (errors, timeouts or non-2xx/3xx) besides $succeeded that succeeded"
  ((non2xx == 0)) || note "HTTP/2: $non2xx responses with a 3xx, 4xx or 5xx status"
}

scenario_handshakes() { # full handshakes: every request on a new connection, wrk keeps 50 in flight
  local v file rps p50 p99 requests errors non2xx
  for v in 3 2; do
    file=$RUN/out/handshake13-$round-$name.txt
    [[ $v == 2 ]] && file=$RUN/out/handshake12-$round-$name.txt
    OPENSSL_CONF=$RUN/certs/client-tls1$v.cnf \
      wrk -t2 -c"$CONNS" -d"${HANDSHAKE}s" --timeout 5s -H 'Connection: close' "https://b.bench.test:$HTTPS_PORT/" > "$file" 2>&1 || true
    read -r rps p50 p99 requests errors non2xx <<< "$(measure wrk "$file")"
    record "hs1$v" "$rps"
    [[ $rps != n/a ]] || note "TLS 1.$v handshakes: wrk gave no result: $(tail -c 300 "$file" | tr '\n' ' ')"
    ((errors == 0)) || note "TLS 1.$v handshakes: $errors socket errors in $requests requests"
    ((non2xx == 0)) || note "TLS 1.$v handshakes: $non2xx non-2xx responses"
  done
}

scenario_resumed() {
  local v out rate reused
  for v in 3 2; do
    out=$(python3 "$tools/resume_tls.py" "$HTTPS_PORT" b.bench.test "$RESUME" "tls1.$v" "$RESUME_CLIENTS" 2>&1 || true)
    if [[ $out =~ resumed_per_s=([0-9]+)\ reused=([0-9.]+) ]]; then
      rate=${BASH_REMATCH[1]} reused=${BASH_REMATCH[2]}
      record "res1$v" "$rate"
      [[ $reused == 1.000 ]] || note "TLS 1.$v resumption: only $reused of the connections resumed"
    else
      record "res1$v" n/a
      note "TLS 1.$v resumption failed: $out"
    fi
  done
}

# MiB/s as curl saw it, and the proxy's CPU-seconds per GiB moved: its CPU time around the
# transfer (10 ms ticks) times 1024 / 100.
scenario_transfers() {
  local i code size speed before after
  for ((i = 0; i < TRANSFERS; i++)); do
    before=$(measure cpu "$CPID")
    read -r code size speed <<< "$(download)"
    after=$(measure cpu "$CPID")
    if [[ $code == 200 && $size == $((100 * 1024 * 1024)) ]]; then
      record dl "$(calc "$speed / 1048576")"
      record dl_cpu "$(calc "($after - $before) * 1024 / 100")"
    else
      record dl n/a
      record dl_cpu n/a
      note "download: status ${code:-none}, $size bytes"
    fi
    before=$(measure cpu "$CPID")
    read -r code size speed <<< "$(upload)"
    after=$(measure cpu "$CPID")
    if [[ $code == 200 && $size == $((100 * 1024 * 1024)) ]]; then
      record ul "$(calc "$speed / 1048576")"
      record ul_cpu "$(calc "($after - $before) * 1024 / 100")"
    else
      record ul n/a
      record ul_cpu n/a
      note "upload: status ${code:-none}, $size bytes sent"
    fi
  done
}

# Round trips/s from WS_PROCS client processes, and the proxy's CPU per 10,000 round trips (its CPU
# time around the whole client run, which includes the WS_PROCS x WS_CONNS handshakes and upgrades).
scenario_websocket() {
  local out before after
  before=$(measure cpu "$CPID")
  out=$(python3 "$tools/ws_client.py" "$HTTPS_PORT" a.bench.test /ws "$WS_CONNS" "$WEBSOCKET" "$WS_PROCS" 2>&1 || true)
  after=$(measure cpu "$CPID")
  if [[ $out =~ round_trips_per_s=([0-9]+)\ round_trips=([0-9]+) ]] && ((BASH_REMATCH[2] > 0)); then
    record ws "${BASH_REMATCH[1]}"
    record ws_cpu10k "$(calc "($after - $before) / ${BASH_REMATCH[2]} * 10000")"
  else
    record ws n/a
    record ws_cpu10k n/a
    note "WebSocket: ${out:-no output}"
  fi
}

bench_contestant() {
  log "round $round/$rounds: $name"
  local step idle
  # Nothing of the bench runs now: anything else using the CPU would skew this contestant's figures.
  idle=$(measure idle 1)
  ((idle >= 80)) || note "the machine was only $idle % idle just before this contestant started: other load, figures suspect"
  start_contestant "$name"
  for step in measure_idle warm_up scenario_memory scenario_keepalive scenario_h2 scenario_handshakes \
              scenario_resumed scenario_transfers scenario_websocket; do
    [[ -n ${BENCH_TRACE:-} ]] && log "  $step"
    "$step"
  done
  sleep 2
  record mem_after "$(calc "$(measure mem "$CPID") / 1024")"
  [[ -n ${BENCH_TRACE:-} ]] && log "  stop"
  stop_contestant
}

machine_info() {
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "command: \`$command_line\` ($rounds round(s), contestants interleaved: $contestants)"
  echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) memory, kernel $(uname -r)"
  echo "java: $(java -version 2>&1 | sed -n 2p); Portico JVM flags: \`-XX:+ExitOnOutOfMemoryError $PORTICO_BENCH_JAVA_OPTS\`"
  echo "portico: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown) ($(git -C "$root" rev-parse --abbrev-ref HEAD 2>/dev/null || echo '?'))"
  echo "peers: $(nginx -v 2>&1 | sed 's/.*version: //'), HAProxy $(haproxy -v | sed -n '1s/HAProxy version \([^ ]*\).*/\1/p'), Caddy $(caddy version | cut -d' ' -f1); load: $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), $(h2load --version | cut -d' ' -f2), $(openssl version | cut -d' ' -f1-2), $(curl --version | head -1 | cut -d' ' -f1-2), Python $(python3 -c 'import platform; print(platform.python_version())')"
  echo "warm-up (discarded, every contestant): cycles of ${WARMUP} s keep-alive, ${WARMUP_NEW} s new connections per TLS version, ${WARMUP_H2} s HTTP/2, ${WARMUP_WS} s WebSocket, until keep-alive and HTTP/2 rates move less than ${WARMUP_STEADY_PCT} % between cycles (${WARMUP_MIN_CYCLES} to ${WARMUP_MAX_CYCLES} cycles; the row 'warm-up cycles' says how many each needed), then one transfer each way"
  echo "loads: wrk ${CONNS} connections, keep-alive ${KEEPALIVE} s; h2load ${H2_CONNS} connections x ${H2_STREAMS} streams, ${H2} s; handshakes ${HANDSHAKE} s per version; resumption ${RESUME_CLIENTS} client processes, ${RESUME} s per version; WebSocket ${WS_PROCS} x ${WS_CONNS} connections, ${WEBSOCKET} s (${WS_ECHO_PROCS} echo processes); ${TRANSFERS} transfer(s) each way per round; ${HELD} idle TLS connections held for the memory rows"
}

# --- profile mode ------------------------------------------------------------------------------

run_profile() {
  local jfr=$RUN/portico/keepalive.jfr out=$results/profile-portico.txt warm=15 seconds=20
  ((quick)) && warm=2 seconds=4
  name=portico round=profile
  start_contestant portico
  log "profile: ${warm} s of keep-alive warm-up, then ${seconds} s of keep-alive load recorded by JFR"
  wrk -t2 -c"$CONNS" -d"${warm}s" "https://a.bench.test:$HTTPS_PORT/" > /dev/null 2>&1 || true
  jcmd "$CPID" JFR.start name=bench settings=profile > /dev/null
  measure thread-cpu "$CPID" > "$RUN/out/threads-before.txt"
  wrk -t2 -c"$CONNS" -d"${seconds}s" --latency "https://a.bench.test:$HTTPS_PORT/" > "$RUN/out/profile-wrk.txt" 2>&1 || true
  measure thread-cpu "$CPID" > "$RUN/out/threads-after.txt"
  jcmd "$CPID" JFR.stop name=bench filename="$jfr" > /dev/null
  stop_contestant
  [[ -s $jfr ]] || die "no JFR recording at $jfr"
  {
    echo "# Portico under the keep-alive load (wrk -t2 -c$CONNS, small response), $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "# JVM flags: -XX:+ExitOnOutOfMemoryError $PORTICO_BENCH_JAVA_OPTS; JFR settings=profile, ${seconds} s after ${warm} s of warm-up"
    grep -E 'Requests/sec|requests in|^ +(50|99)%' "$RUN/out/profile-wrk.txt" | sed 's/^ */# wrk: /'
    echo
    python3 "$tools/jfr_top.py" "$jfr" "$RUN/out/threads-before.txt" "$RUN/out/threads-after.txt" \
      "$(awk '/requests in/ {print $1}' "$RUN/out/profile-wrk.txt")"
  } > "$out"
  cat "$out"
  log "profile written to $out (recording: $jfr)"
}

# --- system calls mode ---------------------------------------------------------------------------

run_syscalls() { # strace slows the proxy down a lot: only the counts per request mean something
  local out=$results/syscalls.txt trace pids requests
  round=syscalls
  {
    echo "# System calls per keep-alive request (strace -c -f on the proxy's process tree during"
    echo "# wrk -t2 -c10 -d3s after 5 s of warm-up; small response), $(date -u '+%Y-%m-%d %H:%M UTC')"
  } > "$out"
  for name in $contestants; do
    log "syscalls: $name"
    start_contestant "$name"
    wrk -t2 -c10 -d5s "https://a.bench.test:$HTTPS_PORT/" > /dev/null 2>&1 || true
    trace=$RUN/out/strace-$name.txt
    pids=$(python3 -c "import sys; sys.path.insert(0, '$tools'); import measure; print(' '.join('-p %d' % p for p in measure.tree($CPID)))")
    # shellcheck disable=SC2086
    strace -c -f $pids -o "$trace" 2> /dev/null &
    local tracer=$!
    started+=("$tracer")
    sleep 0.5
    requests=$(wrk -t2 -c10 -d3s "https://a.bench.test:$HTTPS_PORT/" | awk '/requests in/ {print $1}')
    kill -INT "$tracer" 2>/dev/null || true
    wait "$tracer" 2>/dev/null || true
    forget "$tracer"
    {
      printf '%-8s %6s requests: ' "$name" "$requests"
      awk -v r="${requests:-0}" 'NR > 2 && NF >= 5 && $4 ~ /^[0-9]+$/ && $NF != "total" && r > 0 && $4 / r >= 0.05 {
          printf "%s %.2f  ", $NF, $4 / r }' "$trace"
      echo
    } >> "$out"
    stop_contestant
  done
  cat "$out"
}

# --- allocation mode -------------------------------------------------------------------------------

run_alloc() { # on a JVM garbage is CPU twice (allocating, collecting): a figure that, unlike rates, noise does not move
  local out=$results/alloc-portico.txt warm=20 seconds=10 load before after requests
  ((quick)) && warm=3 seconds=3
  name=portico round=alloc
  start_contestant portico
  echo "# Bytes allocated by Portico's event-loop threads per request (jstack -e), ${seconds} s of each load after ${warm} s of it, $(date -u '+%Y-%m-%d %H:%M UTC')" > "$out"
  for load in keep-alive h2; do
    if [[ $load == keep-alive ]]; then
      wrk -t2 -c"$CONNS" -d"${warm}s" "https://a.bench.test:$HTTPS_PORT/" > /dev/null 2>&1 || true
      before=$(measure java-alloc "$CPID")
      requests=$(wrk -t2 -c"$CONNS" -d"${seconds}s" "https://a.bench.test:$HTTPS_PORT/" | awk '/requests in/ {print $1}')
    else
      h2load -c "$H2_CONNS" -m "$H2_STREAMS" -t 2 -D "$warm" "https://a.bench.test:$HTTPS_PORT/" > /dev/null 2>&1 || true
      before=$(measure java-alloc "$CPID")
      h2load -c "$H2_CONNS" -m "$H2_STREAMS" -t 2 -D "$seconds" "https://a.bench.test:$HTTPS_PORT/" > "$RUN/out/alloc-h2.txt" 2>&1 || true
      requests=$(measure h2load "$RUN/out/alloc-h2.txt" | awk '{print $2}')
    fi
    after=$(measure java-alloc "$CPID")
    ((${requests:-0} > 0)) || die "alloc: the $load load completed no request"
    printf '%-10s %8d requests  %6d bytes per request\n' "$load" "$requests" $(((after - before) / requests)) >> "$out"
  done
  stop_contestant
  cat "$out"
}

# --- paired mode -------------------------------------------------------------------------------
# Two contestants at once, A on HTTPS_PORT and B one port up, both warmed up alike, then pairs of
# short loads, A then B, B then A, and so on. Whatever drifts on the machine over minutes (other
# tenants, CPU frequency, the page cache) moves both sides of a pair alike, so the per-pair ratio
# B/A is much steadier than figures from separate rounds. One load runs at a time.

paired_run_load() { # PORT SECONDS FILE
  if [[ $paired_load == keepalive ]]; then
    wrk -t2 -c"$CONNS" -d"${2}s" --timeout 5s --latency "https://a.bench.test:$1/" > "$3" 2>&1 || true
  elif [[ $paired_load == handshake1[23] ]]; then # as scenario_handshakes: a new connection per request
    OPENSSL_CONF=$RUN/certs/client-tls${paired_load#handshake}.cnf \
      wrk -t2 -c"$CONNS" -d"${2}s" --timeout 5s --latency -H 'Connection: close' "https://b.bench.test:$1/" > "$3" 2>&1 || true
  else
    h2load -c "$H2_CONNS" -m "$H2_STREAMS" -t 2 -D "$2" "https://a.bench.test:$1/" > "$3" 2>&1 || true
  fi
}

run_paired() {
  local a=${contestants%% *} b=${contestants#* } out tsv=$RUN/paired.tsv
  local seconds=8 warm=15 warm_loads=3 pid_a pid_b p side order pid port file before after
  local rps p50 p99 requests errors non2xx failed protocol
  out=$results/paired-$a-$b-$paired_load.txt
  ((quick)) && { seconds=2 warm=2 warm_loads=1 out=$RUN/paired-quick.txt; } # a smoke check is not kept
  round=0
  name=$a; start_contestant "$a" 0; pid_a=$CPID
  name=$b; start_contestant "$b" 1; pid_b=$CPID
  log "paired: A = $a (port $HTTPS_PORT), B = $b (port $((HTTPS_PORT + 1))), $paired_load load; warm-up"
  for ((p = 0; p < warm_loads; p++)); do
    paired_run_load "$HTTPS_PORT" "$warm" "$RUN/out/paired-warm.txt"
    paired_run_load "$((HTTPS_PORT + 1))" "$warm" "$RUN/out/paired-warm.txt"
  done
  : > "$tsv"
  for ((p = 1; p <= pairs; p++)); do
    order="A B"
    ((p % 2)) || order="B A"
    for side in $order; do
      if [[ $side == A ]]; then pid=$pid_a port=$HTTPS_PORT; else pid=$pid_b port=$((HTTPS_PORT + 1)); fi
      file=$RUN/out/paired-$p-$side.txt
      before=$(measure cpu "$pid")
      paired_run_load "$port" "$seconds" "$file"
      after=$(measure cpu "$pid")
      if [[ $paired_load != h2 ]]; then
        read -r rps p50 p99 requests errors non2xx <<< "$(measure wrk "$file")"
      else
        read -r rps requests failed non2xx protocol <<< "$(measure h2load "$file")"
        p50=n/a p99=n/a
        [[ $protocol == h2 ]] || rps=n/a
      fi
      [[ $rps != n/a && ${requests:-0} -gt 0 ]] || die "paired: pair $p, side $side gave no result: $(tail -c 300 "$file" | tr '\n' ' ')"
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$p" "$side" "$rps" "$p50" "$p99" \
        "$(calc "round(($after - $before) / $requests * 10000, 3)")" >> "$tsv"
      log "  pair $p $side: $rps requests/s, p99 $p99 ms"
    done
  done
  CPID=$pid_b; stop_contestant "$((HTTPS_PORT + 1))"
  CPID=$pid_a; stop_contestant
  mkdir -p "$results"
  {
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); command: \`$command_line\`"
    echo "machine: $(nproc) cores, kernel $(uname -r); portico: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "Portico JVM flags: $PORTICO_BENCH_JAVA_OPTS ${PORTICO_EXTRA_JAVA_OPTS:-}; B only: ${PORTICO_B_EXTRA_JAVA_OPTS:-(none)}; B's jar: ${PORTICO_B_JAR:-(the same)}"
    echo "load: $([[ $paired_load != h2 ]] && echo "wrk -t2 -c$CONNS --latency$([[ $paired_load == handshake1* ]] && echo ", a new TLS 1.${paired_load#handshake1} connection per request (Connection: close)")" || echo "h2load -c$H2_CONNS -m$H2_STREAMS -t2"), $seconds s per side, $pairs pairs after $warm_loads x $warm s of warm-up each"
    python3 "$tools/paired.py" "$tsv" "$a" "$b"
  } > "$out"
  cat "$out"
}

# --- main --------------------------------------------------------------------------------------

[[ $(id -u) == 0 ]] || die "run as root (package installs and /etc/hosts)"
install_missing
for p in "$HTTPS_PORT" "$BACKEND_PORT" "$WS_PORT" "$ADMIN_PORT" $([[ -n $paired ]] && echo $((HTTPS_PORT + 1)) $((ADMIN_PORT + 1))); do
  port_free "$p" || die "port $p on 127.0.0.1 is in use; stop what holds it (ss -ltnp 'sport = :$p')"
done
# Open-file limit: up to the hard limit, enough for the held connections (children inherit it).
ulimit -n "$(ulimit -Hn)"
(($(ulimit -n) > HELD * 2 + 1000)) || die "open-file limit $(ulimit -n) is too low for $HELD held connections"

log "preparing $RUN (certificates, configs, 100 MiB file; builds Portico if needed)"
prepare_run_dir
add_hosts
start_backend

if ((profile)); then
  run_profile
  exit 0
fi
if ((syscalls)); then
  run_syscalls
  exit 0
fi
if ((alloc)); then
  run_alloc
  exit 0
fi
if [[ -n $paired ]]; then
  run_paired
  exit 0
fi

: > "$RUN/raw.tsv"
: > "$RUN/notes.txt"
started_at=$SECONDS
for ((round = 1; round <= rounds; round++)); do
  for name in $contestants; do
    bench_contestant
  done
done
log "all rounds done in $((SECONDS - started_at)) s"

machine_info > "$RUN/meta.txt"
mkdir -p "$results"
# A --quick run checks the bench; its figures never replace the full run's (quick.md is not kept in git).
report=latest title="latest results"
((quick)) && report=quick title="quick check (--quick: short loads, not comparable with latest.md)"
python3 "$tools/report.py" "$RUN/raw.tsv" "$RUN/meta.txt" "$RUN/notes.txt" "$results/$report.md" "$title"
cp "$RUN/raw.tsv" "$results/$report-raw.tsv"
log "table written to $results/$report.md (raw figures: $results/$report-raw.tsv; load tool outputs: $RUN/out/)"
