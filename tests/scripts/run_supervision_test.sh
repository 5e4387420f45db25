#!/usr/bin/env bash
# scripts/run's supervision, on a real Postgres and nats-server: a daemon
# killed under the stack is restarted on the same port, and one that keeps
# dying stops the stack with a clear message instead of being restarted for
# ever. Runs the functions of scripts/run itself (sourced, not copied) on a
# private data directory, so a developer's running stack is left alone.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TMP="$(mktemp -d /tmp/cf-run-supervision.XXXXXX)"
export CF_DATA_DIR="${TMP}/data"
# shellcheck source=scripts/run
source "${REPO}/scripts/run"
set +e +o pipefail # the checks below report failures themselves
set -u

FAILURES=0
fail() { printf 'FAIL: %s\n' "$*" >&2; FAILURES=$((FAILURES + 1)); }
pass() { printf 'ok: %s\n' "$*"; }

finish() {
  stop_nats
  stop_postgres "${PG_DATA}"
  rm -rf -- "${TMP}" "$(pg_home)"
}
trap finish EXIT

# accepts PORT: true when something answers TCP on 127.0.0.1:PORT.
accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pg_answers: true when the restarted Postgres answers a query.
pg_answers() {
  [[ "$(psql_as_owner "${PG_PORT}" "$(cat "${PG_DATA}.password")" 'SELECT 42' 2>/dev/null)" == 42 ]]
}

mkdir -p "${DATA}"
PG_DATA="$(pg_data_dir)"
start_infra >/dev/null 2>&1 || { echo "FAIL: the stack did not start" >&2; exit 1; }

# 1. NATS killed with SIGKILL comes back on the same port.
old_nats=${CF_NATS_PID}
kill -KILL "${old_nats}"
wait "${old_nats}" 2>/dev/null
keep_infra_alive 2>"${TMP}/nats.err"
if [[ ${CF_NATS_PID} != "${old_nats}" ]] && pid_alive "${CF_NATS_PID}" && accepts "${NATS_PORT}"; then
  pass "a killed nats-server is restarted on port ${NATS_PORT}"
else
  fail "nats-server was not restarted (pid ${CF_NATS_PID}, port ${NATS_PORT})"
fi
grep -q 'nats-server DIED' "${TMP}/nats.err" || fail "the restart was not announced: $(cat "${TMP}/nats.err")"

# 2. Postgres killed with SIGKILL (postmaster) comes back on the same port
# with its data.
psql_as_owner "${PG_PORT}" "$(cat "${PG_DATA}.password")" 'CREATE TABLE survives(x int)' >/dev/null 2>&1
kill -KILL "$(head -n 1 "${PG_DATA}/postmaster.pid")"
while pg_running "${PG_DATA}"; do sleep 0.1; done
keep_infra_alive >/dev/null 2>"${TMP}/pg.err"
if pg_running "${PG_DATA}" && pg_answers; then
  pass "a killed Postgres is restarted on port ${PG_PORT}"
else
  fail "Postgres was not restarted: $(cat "${TMP}/pg.err")"
fi
psql_as_owner "${PG_PORT}" "$(cat "${PG_DATA}.password")" 'SELECT * FROM survives' >/dev/null 2>&1 ||
  fail "the restarted Postgres lost its data"

# 3. A nats-server that keeps dying stops the stack: the first restart above
# and two more are within the budget (3 in 60 s); the fourth death is fatal.
for attempt in 2 3; do
  kill -KILL "${CF_NATS_PID}"
  wait "${CF_NATS_PID}" 2>/dev/null
  keep_infra_alive >/dev/null 2>&1
  pid_alive "${CF_NATS_PID}" || fail "restart ${attempt} of nats-server was refused inside the budget"
done
kill -KILL "${CF_NATS_PID}"
wait "${CF_NATS_PID}" 2>/dev/null
# A subshell: die exits it, as it would exit scripts/run (whose EXIT trap
# then stops the rest of the stack).
(keep_infra_alive) >/dev/null 2>"${TMP}/budget.err"
rc=$?
if [[ ${rc} -ne 0 ]] && grep -q 'nats-server keeps dying' "${TMP}/budget.err"; then
  pass "a fourth death within 60 s stops the stack (status ${rc})"
else
  fail "a nats-server dying 4 times in 60 s was not fatal (status ${rc}): $(cat "${TMP}/budget.err")"
fi
CF_NATS_PID=""

# 4. The budget is a sliding window: deaths older than 60 s do not count.
NATS_RESTARTS=($(($(date +%s) - 61)) $(($(date +%s) - 61)) $(($(date +%s) - 61)))
if ! within_restart_budget NATS_RESTARTS || [[ ${#NATS_RESTARTS[@]} -ne 1 ]]; then
  fail "restarts older than 60 s still counted: ${NATS_RESTARTS[*]}"
fi

((FAILURES == 0)) || { echo "${FAILURES} check(s) failed" >&2; exit 1; }
echo "all supervision checks passed"
