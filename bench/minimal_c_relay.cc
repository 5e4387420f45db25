#include "bench/minimal_c_relay.h"

#include <endian.h>
#include <libpq-fe.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace clipforge::bench {
namespace {

void Check(bool ok, const char* what, PGconn* conn) {
  if (ok) return;
  std::fprintf(stderr, "minimal relay: %s: %s\n", what, conn ? PQerrorMessage(conn) : "");
  std::abort();
}

void Exec(PGconn* conn, const char* sql) {
  PGresult* r = PQexec(conn, sql);
  const ExecStatusType st = PQresultStatus(r);
  Check(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, sql, conn);
  PQclear(r);
}

}  // namespace

double MinimalCRelayDrain(const std::string& dsn, natsConnection* nats, int count, int batch_size) {
  PGconn* conn = PQconnectdb(dsn.c_str());
  Check(PQstatus(conn) == CONNECTION_OK, "connect", conn);
  Exec(conn, "SET ROLE cf_bus");
  // The same statements as OutboxRelay::Statements.
  const std::string claim = absl::StrCat(
      "SELECT seq, event_id::text, subject, aggregate_id, envelope FROM bus.outbox "
      "WHERE published_at IS NULL ORDER BY seq LIMIT ", batch_size);
  PGresult* p = PQprepare(conn, "claim", claim.c_str(), 0, nullptr);
  Check(PQresultStatus(p) == PGRES_COMMAND_OK, "prepare claim", conn);
  PQclear(p);
  p = PQprepare(conn, "mark", "UPDATE bus.outbox SET published_at = now() WHERE seq = ANY($1::bigint[])",
                1, nullptr);
  Check(PQresultStatus(p) == PGRES_COMMAND_OK, "prepare mark", conn);
  PQclear(p);

  jsOptions opts;
  jsOptions_Init(&opts);
  opts.PublishAsync.MaxPending = batch_size;
  jsCtx* js = nullptr;
  Check(natsConnection_JetStream(&js, nats, &opts) == NATS_OK, "jetstream", nullptr);

  const absl::Time start = absl::Now();
  int done = 0;
  std::string seqs;
  while (done < count) {
    Exec(conn, "BEGIN");
    Exec(conn, "SELECT pg_try_advisory_xact_lock(7162462226730475897)");
    PGresult* rows = PQexecPrepared(conn, "claim", 0, nullptr, nullptr, nullptr, /*resultFormat=*/1);
    Check(PQresultStatus(rows) == PGRES_TUPLES_OK, "claim", conn);
    const int n = PQntuples(rows);
    seqs.clear();
    seqs.push_back('{');
    for (int i = 0; i < n; ++i) {
      uint64_t be;
      std::memcpy(&be, PQgetvalue(rows, i, 0), sizeof be);
      absl::StrAppend(&seqs, i ? "," : "", static_cast<int64_t>(be64toh(be)));
      natsMsg* msg = nullptr;
      Check(natsMsg_Create(&msg, PQgetvalue(rows, i, 2), nullptr, PQgetvalue(rows, i, 4),
                           PQgetlength(rows, i, 4)) == NATS_OK, "message", nullptr);
      natsMsgHeader_Set(msg, "Nats-Msg-Id", PQgetvalue(rows, i, 1));
      Check(js_PublishMsgAsync(js, &msg, nullptr) == NATS_OK, "publish", nullptr);
    }
    seqs.push_back('}');
    PQclear(rows);
    jsPubOptions wait;
    jsPubOptions_Init(&wait);
    wait.MaxWait = 60000;
    Check(js_PublishAsyncComplete(js, &wait) == NATS_OK, "acks", nullptr);
    const char* params[] = {seqs.c_str()};
    PGresult* marked = PQexecPrepared(conn, "mark", 1, params, nullptr, nullptr, 0);
    Check(PQresultStatus(marked) == PGRES_COMMAND_OK, "mark", conn);
    PQclear(marked);
    Exec(conn, "COMMIT");
    done += n;
    if (n == 0) break;
  }
  const double rate = done / absl::ToDoubleSeconds(absl::Now() - start);
  jsCtx_Destroy(js);
  PQfinish(conn);
  return rate;
}

}  // namespace clipforge::bench
