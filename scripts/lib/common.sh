# shellcheck shell=bash
# Helpers shared by scripts/run, scripts/test and scripts/bench. Sourced, not
# executed: it sets no shell options of its own, the caller runs with
# `set -euo pipefail`.
#
# Everything here must work both as root (CI, containers) and as a normal
# user, on a fresh Debian 12, and must never touch the system Postgres
# cluster that the postgresql-15 package may have started on 5432.

# ----------------------------------------------------------------------------
# Locations and constants

# The repository root is two levels above this file (scripts/lib/common.sh),
# wherever the caller's working directory is.
CF_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
readonly CF_REPO

# Debian keeps the server binaries off a user's PATH (postgresql-15 installs
# them under /usr/lib/postgresql/15/bin, nats-server under /usr/sbin).
readonly CF_PG_BIN=/usr/lib/postgresql/15/bin
readonly CF_NATS_SERVER=/usr/sbin/nats-server
# Postgres refuses to run as root; as root we run it as this system user.
readonly CF_PG_OS_USER=clipforge
# Superuser and database of our private clusters (not the OS user's name:
# the same names are used when Postgres runs as the invoking user).
readonly CF_PG_ROLE=clipforge
readonly CF_PG_DB=clipforge
# Range for random ports. Its upper part overlaps Linux's default ephemeral
# range (32768-60999), so an outgoing connection could take a picked port
# before we bind it: unlikely, since free_port skips every port in use.
readonly CF_PORT_MIN=20000
readonly CF_PORT_MAX=32767 # below Linux ephemeral ports (32768-60999)
# scripts/run holds its lock on file descriptor 9. Long-lived children
# (Postgres, NATS, clipforged) are started with `9>&-` (fd closed), so a
# script that is killed does not leave the lock held by its orphans.

# Ports handed out by free_port/pick_port in this process, so that two calls
# made before either port is bound cannot return the same one.
CF_CLAIMED_PORTS=()
# Set by start_nats, read by stop_nats.
CF_NATS_PID=""

# ----------------------------------------------------------------------------
# Logging

# Logs go to stderr so that stdout stays clean for anything a caller pipes.
log() { printf '[%s] %s\n' "${CF_SCRIPT_NAME:-clipforge}" "$*" >&2; }
warn() { log "warning: $*"; }
die() { log "error: $*"; exit 1; }

is_root() { [[ ${EUID} -eq 0 ]]; }

# Seconds since the epoch with milliseconds, for phase timings.
now_s() { date +%s.%3N; }
# elapsed START -> "12.3s"
elapsed() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.1fs", b - a }'; }

# ----------------------------------------------------------------------------
# Ports

# Every TCP port the kernel knows about in any state (listening, connected,
# TIME_WAIT...): free_port avoids them all when it picks a random port.
used_tcp_ports() {
  ss -Htan | awk '{ n = split($4, a, ":"); print a[n] }' | sort -un
}

# The TCP ports something listens on, on any address.
listening_tcp_ports() {
  ss -Hltn | awk '{ n = split($4, a, ":"); print a[n] }' | sort -un
}

# port_listened PORT: true when a socket listens on PORT. Only a listener
# makes a port taken for our servers: they all bind with SO_REUSEADDR, so a
# TIME_WAIT left by the previous run (or any connection) does not stop them,
# and counting it would move a restarted stack to another port.
port_listened() {
  local port=$1
  listening_tcp_ports | grep -qx -- "${port}"
}

# free_port [VAR]: a TCP port that no socket uses, picked at random in
# [CF_PORT_MIN, CF_PORT_MAX]; assigned to VAR when given (and remembered, so
# the next call cannot return it before it is bound), else printed. Random
# rather than sequential so that parallel runs (two clones, CI jobs) rarely
# race for one port. The kernel's own listing (ss) is asked: a connect or
# bind test with bash's /dev/tcp cannot tell a free port from a busy one.
free_port() {
  local used candidate attempt
  used="$(used_tcp_ports)"
  for ((attempt = 0; attempt < 200; attempt++)); do
    candidate=$((CF_PORT_MIN + (RANDOM * 32768 + RANDOM) % (CF_PORT_MAX - CF_PORT_MIN + 1)))
    if grep -qx -- "${candidate}" <<<"${used}" || port_claimed "${candidate}"; then
      continue
    fi
    if [[ $# -gt 0 ]]; then
      local -n _free_port_out=$1
      _free_port_out=${candidate}
      CF_CLAIMED_PORTS+=("${candidate}")
    else
      printf '%s\n' "${candidate}"
    fi
    return 0
  done
  die "no free TCP port found in ${CF_PORT_MIN}-${CF_PORT_MAX}"
}

# port_claimed PORT: true when this process already handed PORT out.
port_claimed() {
  local claimed
  for claimed in "${CF_CLAIMED_PORTS[@]}"; do
    [[ ${claimed} == "$1" ]] && return 0
  done
  return 1
}

# pick_port VAR REQUESTED DEFAULT WHAT ENV_NAME: sets VAR to REQUESTED when
# non-empty (and fails if something listens on it: the user asked for it
# explicitly), else to DEFAULT unless something listens on it, else to a
# random free port, saying so in one line. WHAT names the port ("gRPC") and
# ENV_NAME the variable that requests one, for the messages.
pick_port() {
  local -n _pick_port_out=$1
  local requested=$2 default=$3 what=$4 env_name=$5
  if [[ -n ${requested} ]]; then
    if ! [[ ${requested} =~ ^[0-9]+$ ]] || ((requested < 1 || requested > 65535)); then
      die "invalid port ${env_name}=${requested}"
    fi
    if port_listened "${requested}" || port_claimed "${requested}"; then
      die "the ${what} port ${requested} (${env_name}) is taken: something already listens on it"
    fi
    _pick_port_out=${requested}
  elif port_claimed "${default}"; then
    free_port _pick_port_out
    log "the default ${what} port ${default} is already used by this run; using ${_pick_port_out} instead"
    return 0
  elif port_listened "${default}"; then
    free_port _pick_port_out
    log "the default ${what} port ${default} is taken (something listens on it);" \
      "using ${_pick_port_out} instead (${env_name} sets it)"
    return 0
  else
    _pick_port_out=${default}
  fi
  CF_CLAIMED_PORTS+=("${_pick_port_out}")
}

# wait_for_port PORT SECONDS [PID]: waits until something accepts TCP
# connections on 127.0.0.1:PORT. Gives up early when PID (the process that
# should open it) has exited.
wait_for_port() {
  local port=$1 seconds=$2 pid=${3:-} deadline
  deadline=$((SECONDS + seconds))
  while ((SECONDS < deadline)); do
    # A successful connect is the only proof that the server answers.
    if (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
      return 0
    fi
    if [[ -n ${pid} ]] && ! pid_alive "${pid}"; then
      return 1
    fi
    sleep 0.1
  done
  return 1
}

# ----------------------------------------------------------------------------
# Processes

# pid_alive PID: true while PID runs. A zombie (exited, not yet reaped)
# still answers kill -0, so its state is checked too.
pid_alive() {
  local pid=$1 state
  kill -0 "${pid}" 2>/dev/null || return 1
  state="$(ps -o stat= -p "${pid}" 2>/dev/null || true)"
  [[ -n ${state} && ${state} != Z* ]]
}

# pid_is PID COMM: true when PID runs the program COMM (guards against
# killing an unrelated process that reused a stale pid).
pid_is() {
  local pid=$1 comm=$2
  pid_alive "${pid}" && [[ "$(ps -o comm= -p "${pid}" 2>/dev/null)" == "${comm}" ]]
}

# stop_pid PID NAME SECONDS: SIGTERM, wait up to SECONDS, then SIGKILL.
# Returns the exit status when PID is our child, 0 otherwise.
stop_pid() {
  local pid=$1 name=$2 seconds=$3 deadline
  if pid_alive "${pid}"; then
    log "stopping ${name} (pid ${pid})"
    kill -TERM "${pid}" 2>/dev/null || true
    deadline=$((SECONDS + seconds))
    while pid_alive "${pid}" && ((SECONDS < deadline)); do
      sleep 0.1
    done
    if pid_alive "${pid}"; then
      warn "${name} did not stop within ${seconds}s; killing it"
      kill -KILL "${pid}" 2>/dev/null || true
    fi
  fi
  # Reap it when it is our child; harmless when it is not.
  wait "${pid}" 2>/dev/null || return $?
}

# ----------------------------------------------------------------------------
# The Postgres OS user

# ensure_pg_os_user: as root, creates the unprivileged system user Postgres
# runs as (it refuses to run as root). As another user, Postgres simply runs
# as that user and nothing is needed.
ensure_pg_os_user() {
  is_root || return 0
  id -u "${CF_PG_OS_USER}" >/dev/null 2>&1 && return 0
  log "creating system user '${CF_PG_OS_USER}' to run Postgres (it refuses to run as root)"
  useradd --system --no-create-home --shell /usr/sbin/nologin "${CF_PG_OS_USER}"
}

# as_pg_user CMD...: runs CMD as the user Postgres runs as.
as_pg_user() {
  if is_root; then
    runuser -u "${CF_PG_OS_USER}" -- "$@"
  else
    "$@"
  fi
}

# ----------------------------------------------------------------------------
# Directories

# data_dir: per-clone state that needs no special owner (locks, NATS, env).
# CF_DATA_DIR moves it (tests run a private stack beside a developer's).
data_dir() { printf '%s\n' "${CF_DATA_DIR:-${CF_REPO}/.data}"; }

# pg_home: the directory that holds Postgres' data dir, its password file,
# log and socket dir. As root the clone may live under /root (mode 0700),
# which the clipforge user cannot traverse, so the cluster lives under
# /var/lib/clipforge-dev/<hash of the repo path> instead: one per clone
# (per CF_DATA_DIR when that is set).
pg_home() {
  if is_root; then
    local hash
    hash="$(printf '%s' "${CF_DATA_DIR:-${CF_REPO}}" | sha256sum | cut -c1-12)"
    printf '%s\n' "/var/lib/clipforge-dev/${hash}"
  else
    data_dir
  fi
}

# pg_data_dir: the Postgres data directory of this clone's private cluster.
pg_data_dir() { printf '%s/pg\n' "$(pg_home)"; }

# ensure_pg_home DIR: creates DIR owned by the Postgres OS user, mode 0700.
ensure_pg_home() {
  local dir=$1
  if is_root; then
    ensure_pg_os_user
    install -d -m 0755 -o root -g root "$(dirname "${dir}")"
    install -d -m 0700 -o "${CF_PG_OS_USER}" -g "${CF_PG_OS_USER}" "${dir}"
    # Lets whoever cleans /var/lib/clipforge-dev tell which clone owns it.
    printf '%s\n' "${CF_REPO}" >"${dir}/repo-path"
  else
    mkdir -p "${dir}"
    chmod 0700 "${dir}"
  fi
}

# ----------------------------------------------------------------------------
# Build

# build: configures build/release once (CI adds -DCF_WERROR=ON), then builds.
build() {
  local configure_args=(--preset release)
  [[ -f "${CF_REPO}/CMakePresets.json" ]] || die "no CMakePresets.json in ${CF_REPO}"
  # ccache's default (~/.cache) may not be writable or persistent; keep the
  # cache with the clone, where CI can cache it too.
  export CCACHE_DIR="${CCACHE_DIR:-${CF_REPO}/.cache/ccache}"
  if [[ ${CI:-} == true ]]; then configure_args+=(-DCF_WERROR=ON); fi
  # Explicit error returns: callers may run build in a condition, where
  # set -e is off.
  if [[ ! -f "${CF_REPO}/build/release/CMakeCache.txt" ]]; then
    log "configuring: cmake ${configure_args[*]}"
    (cd "${CF_REPO}" && cmake "${configure_args[@]}") ||
      { log "error: cmake configure failed"; return 1; }
  fi
  log "building: cmake --build --preset release"
  (cd "${CF_REPO}" && cmake --build --preset release) ||
    { log "error: build failed"; return 1; }
}

# export_test_env: what the C++ test fixtures read to start their own
# throwaway Postgres and NATS.
export_test_env() {
  export CF_TEST_PG_BIN="${CF_PG_BIN}"
  export CF_TEST_NATS_SERVER="${CF_NATS_SERVER}"
  if is_root; then
    ensure_pg_os_user
    export CF_TEST_PG_OS_USER="${CF_PG_OS_USER}"
  else
    unset CF_TEST_PG_OS_USER
  fi
}

# ----------------------------------------------------------------------------
# Postgres

# mask_dsn DSN: the DSN with its password replaced, for printing.
mask_dsn() { sed -E 's#^([a-z]+://[^:/@]+):[^@]*@#\1:****@#' <<<"$1"; }

# pg_ctl_as ARGS...: pg_ctl as the Postgres OS user.
pg_ctl_as() { as_pg_user "${CF_PG_BIN}/pg_ctl" "$@"; }

# pg_running DATA_DIR: true when a postmaster runs on DATA_DIR.
pg_running() {
  [[ -f "$1/PG_VERSION" ]] && pg_ctl_as status -D "$1" >/dev/null 2>&1
}

# ensure_pg_file FILE: creates FILE (mode 0600) writable by the Postgres OS
# user: pg_ctl -l opens the log as that user, not as us.
ensure_pg_file() {
  [[ -e $1 ]] && return 0
  install -m 0600 /dev/null "$1"
  if is_root; then chown "${CF_PG_OS_USER}:${CF_PG_OS_USER}" "$1"; fi
}

# new_password FILE: writes a random password (hex: safe in a URL) to FILE,
# mode 0600, owned by the Postgres OS user (initdb reads it as that user).
new_password() {
  local file=$1 tmp
  tmp="$(mktemp "${file}.XXXXXX")"
  chmod 0600 "${tmp}"
  od -An -tx1 -N24 /dev/urandom | tr -d ' \n' >"${tmp}"
  if is_root; then chown "${CF_PG_OS_USER}:${CF_PG_OS_USER}" "${tmp}"; fi
  mv -f "${tmp}" "${file}"
}

# init_pg_cluster DATA_DIR PWFILE LOG: initdb, once. It runs into a scratch
# dir that is renamed at the end, so an interrupted initdb never leaves a
# half-made cluster that later runs would trip over.
init_pg_cluster() {
  local data=$1 pwfile=$2 logfile=$3 scratch="$1.init"
  if [[ -d ${data} ]]; then
    rmdir "${data}" 2>/dev/null ||
      die "${data} exists but is not a Postgres cluster (no PG_VERSION); delete it to start afresh"
  fi
  log "initializing a private Postgres cluster in ${data} (once)"
  rm -rf "${scratch}"
  new_password "${pwfile}"
  if ! as_pg_user "${CF_PG_BIN}/initdb" -D "${scratch}" \
    --username="${CF_PG_ROLE}" --auth=scram-sha-256 --pwfile="${pwfile}" \
    -E UTF8 --locale=C.UTF-8 >>"${logfile}" 2>&1; then
    tail -n 20 "${logfile}" >&2 || true
    die "initdb failed (log: ${logfile})"
  fi
  mv "${scratch}" "${data}"
}

# pg_socket_dir DATA_DIR: where the server puts its Unix socket. Beside the
# data; a Unix socket path is limited to 107 bytes, so a deep clone falls back
# to a private mktemp dir (recorded in postmaster.pid, removed by
# stop_postgres).
pg_socket_dir() {
  local dir
  dir="$(dirname "$1")/run"
  if ((${#dir} > 80)); then
    dir="$(mktemp -d /tmp/clipforge-pg.XXXXXX)"
  else
    mkdir -p "${dir}"
  fi
  if is_root; then chown "${CF_PG_OS_USER}:${CF_PG_OS_USER}" "${dir}"; fi
  chmod 0700 "${dir}"
  printf '%s\n' "${dir}"
}

# psql_as_owner PORT PASSWORD SQL: runs SQL in the maintenance database over
# TCP (the same path clipforged uses, so a working DSN is proven too).
psql_as_owner() {
  local port=$1 password=$2 sql=$3
  PGPASSWORD="${password}" PGCONNECT_TIMEOUT=10 "${CF_PG_BIN}/psql" -X -q -tA \
    -v ON_ERROR_STOP=1 \
    "host=127.0.0.1 port=${port} user=${CF_PG_ROLE} dbname=postgres" -c "${sql}"
}

# start_postgres DATA_DIR PORT: starts the private cluster in DATA_DIR on
# 127.0.0.1:PORT (initdb the first time, database created when missing), and
# exports CLIPFORGE_DATABASE_URL. The password file (DATA_DIR.password), the
# log and the socket dir live beside DATA_DIR, in a directory owned by the
# Postgres OS user.
start_postgres() {
  local data=$1 port=$2 home pwfile logfile sockdir password
  home="$(dirname "${data}")"
  pwfile="${data}.password"
  logfile="${home}/postgres.log"
  ensure_pg_home "${home}"
  ensure_pg_file "${logfile}"
  [[ ${data} != *"'"* ]] || die "the data path must not contain a single quote: ${data}"
  if [[ ! -f "${data}/PG_VERSION" ]]; then
    init_pg_cluster "${data}" "${pwfile}" "${logfile}"
  fi
  [[ -s ${pwfile} ]] || die "password file ${pwfile} is missing; delete ${data} to start afresh"
  if pg_running "${data}"; then
    die "a Postgres server already runs on ${data}; stop it first: ${CF_PG_BIN}/pg_ctl stop -D ${data}"
  fi
  password="$(cat "${pwfile}")"
  sockdir="$(pg_socket_dir "${data}")"
  log "starting Postgres on 127.0.0.1:${port} (data ${data}, log ${logfile})"
  # pg_ctl hands -o to a shell, hence the single quotes around the path.
  if ! pg_ctl_as start -D "${data}" -l "${logfile}" -w -t 60 -s \
    -o "-p ${port} -c listen_addresses=127.0.0.1 -k '${sockdir}'" \
    9>&-; then
    tail -n 20 "${logfile}" >&2 || true
    die "Postgres did not start (log: ${logfile})"
  fi
  if [[ -z "$(psql_as_owner "${port}" "${password}" \
    "SELECT 1 FROM pg_database WHERE datname = '${CF_PG_DB}'")" ]]; then
    log "creating database ${CF_PG_DB}"
    psql_as_owner "${port}" "${password}" "CREATE DATABASE ${CF_PG_DB}"
  fi
  export CLIPFORGE_DATABASE_URL="postgresql://${CF_PG_ROLE}:${password}@127.0.0.1:${port}/${CF_PG_DB}"
  log "Postgres ready: $(mask_dsn "${CLIPFORGE_DATABASE_URL}")"
}

# stop_postgres DATA_DIR: fast shutdown (rolls back open transactions, no
# waiting for clients), if it runs.
stop_postgres() {
  local data=$1 sockdir=""
  pg_running "${data}" || return 0
  # Line 5 of postmaster.pid is the socket dir; remove it if it was a
  # fallback under /tmp.
  sockdir="$(sed -n 5p "${data}/postmaster.pid" 2>/dev/null || true)"
  log "stopping Postgres (${data})"
  pg_ctl_as stop -D "${data}" -m fast -w -t 60 -s ||
    warn "pg_ctl stop failed; see $(dirname "${data}")/postgres.log"
  if [[ ${sockdir} == /tmp/clipforge-pg.* ]]; then
    rm -rf -- "${sockdir}"
  fi
}

# ----------------------------------------------------------------------------
# NATS

# start_nats STORE_DIR PORT: nats-server with JetStream on 127.0.0.1:PORT,
# in the background; waits (10 s at most) until it accepts connections.
# Sets CF_NATS_PID, writes STORE_DIR.pid and exports CLIPFORGE_NATS_URL.
start_nats() {
  local store=$1 port=$2 logfile="$1.log"
  mkdir -p "${store}"
  log "starting NATS JetStream on 127.0.0.1:${port} (store ${store}, log ${logfile})"
  "${CF_NATS_SERVER}" -a 127.0.0.1 -p "${port}" -js -sd "${store}" \
    >>"${logfile}" 2>&1 </dev/null 9>&- &
  CF_NATS_PID=$!
  printf '%s\n' "${CF_NATS_PID}" >"${store}.pid"
  if ! wait_for_port "${port}" 10 "${CF_NATS_PID}"; then
    tail -n 20 "${logfile}" >&2 || true
    stop_nats
    die "nats-server did not answer on 127.0.0.1:${port} within 10s (log: ${logfile})"
  fi
  export CLIPFORGE_NATS_URL="nats://127.0.0.1:${port}"
  log "NATS ready: ${CLIPFORGE_NATS_URL}"
}

# stop_nats: stops the nats-server start_nats started, if any.
stop_nats() {
  [[ -n ${CF_NATS_PID} ]] || return 0
  stop_pid "${CF_NATS_PID}" nats-server 10 || true
  CF_NATS_PID=""
}
