// The clips service's fork graph at the scale: a store seeded with
// 1,000,000 clips in realistic trees (most roots never forked, 5,000 roots
// with one to three forks, five trees of 1,000-10,000 descendants, one
// viral root with 100,000 descendants three levels deep and one chain
// 10,000 deep), read through GraphLogic as ClipsService reads it, and
// 10,000 forks of one parent published by 64 concurrent clients through
// ClipLogic. Figures: p50/p99/mean of each read against a one-row read by
// primary key in a transaction through the same store code (the floor of
// any Postgres call), measured in the same run; publish throughput and
// latency; and whether every count came out exact.
//
// Seeding is set-based SQL as the superuser, not the logic: one INSERT ...
// SELECT over generate_series for all the shapes, then the counters with a
// few set-based UPDATEs, checked against the graph before anything is
// measured. Ids follow UUIDv7's layout (48-bit millisecond time first), one
// millisecond per clip from 2024-01-01 in a single global creation order,
// so "newest first" is meaningful and every seeded clip is older than those
// published at run time. The shapes take interleaved places in that order
// (the plain roots the even ones, each tree its own residue mod 8), and the
// rows go in in that order: a tree's clips are spread through the table as
// forks arriving among other uploads would be, not packed together (still
// denser than a real viral tree, whose forks arrive among thousands of
// other uploads each). Seeding 1,000,000 rows of realistic width (the
// job's spec and media as serialized protos, about 650 MB of table) is
// most of the run and is printed on its own; on a busy 2-core machine it
// may take a minute or two. Should it ever push the run past five minutes,
// the figure stays 1,000,000: it is the issue's.
#include <pqxx/pqxx>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/clock.h"
#include "base/random.h"
#include "base/role.h"
#include "base/sha256.h"
#include "base/uuid.h"
#include "bench/report.h"
#include "services/clips/store.h"
#include "services/generation/records.h"
#include "services/generation/store_interface.h"
#include "services/kit/caller.h"
#include "services/kit/idempotency.h"
#include "services/kit/pg_pool.h"
#include "services/kit/proto_time.h"
#include "tests/support/generation_jobs.h"
#include "tests/support/moderation_test_server.h"

namespace clipforge {
namespace {

// --- The seeded graph ---

constexpr int64_t kTotalClips = 1'000'000;
// A bushy tree: `forks` direct forks, each with `per_fork` forks of its
// own, and the first `deep` of those with one fork each (depth 3).
struct TreeShape {
  int64_t forks;
  int64_t per_fork;
  int64_t deep;
};
constexpr int64_t DescendantsOf(const TreeShape& t) { return t.forks * (1 + t.per_fork + t.deep); }
// 1,000 + 89,000 + 10,000 = 100,000 descendants.
constexpr TreeShape kViral{.forks = 1000, .per_fork = 89, .deep = 10};
// 1,000, 2,000, 4,000, 6,000 and 10,000 descendants.
constexpr TreeShape kMedium[] = {{50, 15, 4}, {100, 15, 4}, {200, 15, 4}, {300, 15, 4}, {500, 15, 4}};
constexpr int64_t kChainDepth = 10'000;
// Small trees: root i has 1 + i % 3 direct forks.
constexpr int64_t kSmallRoots = 5'000;
constexpr int64_t kSmallSlots = 4;  // A small root's places: itself and up to three forks.
constexpr int64_t SmallForks() {
  int64_t forks = 0;
  for (int64_t i = 0; i < kSmallRoots; ++i) forks += 1 + i % 3;
  return forks;
}
constexpr int64_t MediumClips() {
  int64_t clips = 0;
  for (const TreeShape& t : kMedium) clips += 1 + DescendantsOf(t);
  return clips;
}
// Every other clip is a root nobody forked.
constexpr int64_t kPlainRoots = kTotalClips - (1 + DescendantsOf(kViral)) - (1 + kChainDepth) - MediumClips() -
                                (kSmallRoots + SmallForks());
static_assert(DescendantsOf(kViral) == 100'000);
static_assert(kPlainRoots > 800'000 && kPlainRoots < 900'000);
// The authors of seeded clips: this many synthetic users.
constexpr int64_t kAuthors = 1000;

// Creation order: seeded clip n was created at kEpochMs + n milliseconds.
// The plain roots are the even n; each other shape takes one odd residue
// mod kStride (its local index i is n = kStride * i + slot).
constexpr int64_t kEpochMs = 1'704'067'200'000;  // 2024-01-01T00:00:00Z.
constexpr int64_t kStride = 8;
constexpr int64_t kViralSlot = 1;
constexpr int64_t kChainSlot = 3;
constexpr int64_t kMediumSlot = 5;
constexpr int64_t kSmallSlot = 7;

// The id of seeded clip (or job) n: 8-4-4-4-12 hex, the first 48 bits the
// creation millisecond (as UUIDv7), version 7, variant 10, n at the end.
constexpr char kClipTail[] = "-7000-8000-";
constexpr char kJobTail[] = "-7000-9000-";
std::string SeededId(int64_t n, const char* tail) {
  const std::string stamp = absl::StrFormat("%012x", static_cast<uint64_t>(kEpochMs + n));
  return absl::StrCat(stamp.substr(0, 8), "-", stamp.substr(8, 4), tail,
                      absl::StrFormat("%012x", static_cast<uint64_t>(n)));
}
// The same in SQL, of the bigint expression `x` (NULL gives NULL).
std::string IdSql(const std::string& x, const char* tail) {
  const std::string stamp = absl::StrCat("lpad(to_hex(", kEpochMs, " + ", x, "), 12, '0')");
  return absl::StrCat("(substr(", stamp, ", 1, 8) || '-' || substr(", stamp, ", 9, 4) || '", tail,
                      "' || lpad(to_hex(", x, "), 12, '0'))::uuid");
}
std::string ClipAt(int64_t slot, int64_t local) { return SeededId(kStride * local + slot, kClipTail); }

// SQL pieces of the shapes: rows (n, parent, root, depth) in global n.
std::string At(int64_t slot, const std::string& local) {
  return absl::StrCat("(", kStride, " * (", local, ") + ", slot, ")::bigint");
}
std::string Series(const char* name, int64_t first, int64_t last) {
  return absl::StrCat("generate_series(", first, "::bigint, ", last, "::bigint) ", name);
}
std::string Rows(const std::string& n, const std::string& parent, const std::string& root, const std::string& depth,
                 const std::string& from = "") {
  return absl::StrCat("SELECT ", n, " AS n, ", parent, " AS parent, ", root, " AS root, (", depth,
                      ")::integer AS depth", from.empty() ? "" : " ", from);
}

// A bushy tree whose root has local index `start` in `slot`, breadth first
// in creation order: the root, its forks k, their forks (k, j), then the
// depth-3 forks of (k, j < deep).
void AppendTree(std::vector<std::string>& rows, int64_t slot, int64_t start, const TreeShape& t) {
  const std::string root = At(slot, absl::StrCat(start));
  const std::string fork = At(slot, absl::StrCat(start + 1, " + k"));
  const std::string second = At(slot, absl::StrCat(start + 1 + t.forks, " + k * ", t.per_fork, " + j"));
  const std::string third =
      At(slot, absl::StrCat(start + 1 + t.forks + t.forks * t.per_fork, " + k * ", t.deep, " + j"));
  const std::string ks = Series("k", 0, t.forks - 1);
  rows.push_back(Rows(root, "NULL::bigint", root, "0"));
  rows.push_back(Rows(fork, root, root, "1", "FROM " + ks));
  rows.push_back(
      Rows(second, fork, root, "2", absl::StrCat("FROM ", ks, " CROSS JOIN ", Series("j", 0, t.per_fork - 1))));
  rows.push_back(
      Rows(third, second, root, "3", absl::StrCat("FROM ", ks, " CROSS JOIN ", Series("j", 0, t.deep - 1))));
}

std::vector<std::string> ShapeRows() {
  std::vector<std::string> rows;
  // Roots nobody forked.
  rows.push_back(
      Rows("(2 * i)::bigint", "NULL::bigint", "(2 * i)::bigint", "0", "FROM " + Series("i", 0, kPlainRoots - 1)));
  // The viral tree.
  AppendTree(rows, kViralSlot, 0, kViral);
  // The chain: local d at depth d, the fork of d - 1.
  rows.push_back(Rows(At(kChainSlot, "d"),
                      absl::StrCat("CASE WHEN d = 0 THEN NULL ELSE ", At(kChainSlot, "d - 1"), " END"),
                      At(kChainSlot, "0"), "d", "FROM " + Series("d", 0, kChainDepth)));
  // The medium trees, one after another in their slot.
  int64_t start = 0;
  for (const TreeShape& t : kMedium) {
    AppendTree(rows, kMediumSlot, start, t);
    start += 1 + DescendantsOf(t);
  }
  // Small trees: root i at local 4i, its forks at 4i + j.
  const std::string small_root = At(kSmallSlot, absl::StrCat(kSmallSlots, " * i"));
  rows.push_back(Rows(small_root, "NULL::bigint", small_root, "0", "FROM " + Series("i", 0, kSmallRoots - 1)));
  rows.push_back(Rows(At(kSmallSlot, absl::StrCat(kSmallSlots, " * i + j")), small_root, small_root, "1",
                      absl::StrCat("FROM ", Series("i", 0, kSmallRoots - 1), " CROSS JOIN ",
                                   Series("j", 1, kSmallSlots - 1), " WHERE j <= 1 + i % 3")));
  return rows;
}

constexpr char kPrompt[] = "a lighthouse in a storm at dusk, waves breaking over the rocks, gulls circling";

// The one statement that seeds every clip, its rows sorted by creation
// order before they are widened (so the sort holds narrow rows). The
// foreign key is checked at the statement's end, when every parent is in.
std::string SeedSql() {
  const std::string spec = absl::BytesToHexString(testing::DraftSpec(kPrompt).SerializeAsString());
  const std::string media = absl::BytesToHexString(testing::OutputsOf("seed").SerializeAsString());
  const std::string created = absl::StrCat("to_timestamp((", kEpochMs, " + s.n) / 1000.0)");
  const std::string likes = "((s.n * 7919) % 997)";
  return absl::StrCat(
      "INSERT INTO clips.clips (clip_id, author_id, job_id, spec, media, prompt, diff, parent_id, root_id, depth, "
      "title, visibility, forking_allowed, like_count, view_count, created_at, updated_at) SELECT ",
      IdSql("s.n", kClipTail), ", ('00000000-0000-7000-a000-' || lpad(to_hex(s.n % ", kAuthors, "), 12, '0'))::uuid, ",
      IdSql("s.n", kJobTail), ", decode('", spec, "', 'hex'), decode('", media, "', 'hex'), '", kPrompt,
      "', CASE WHEN s.parent IS NULL THEN NULL ELSE ''::bytea END, ", IdSql("s.parent", kClipTail), ", ",
      IdSql("s.root", kClipTail), ", s.depth, 'clip ' || s.n, 1, true, ", likes, ", ", likes, " * 10, ", created,
      ", ", created, " FROM (SELECT * FROM (", absl::StrJoin(ShapeRows(), " UNION ALL "), ") u ORDER BY u.n) s");
}

// --- Helpers ---

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "clips_graph_bench: %s\n", what.c_str());
  std::exit(2);
}

void Progress(const std::string& what) { std::fprintf(stderr, "clips_graph_bench: %s\n", what.c_str()); }

void Exec(pqxx::connection& conn, const std::string& sql) {
  try {
    pqxx::nontransaction tx(conn);
    tx.exec(sql);
  } catch (const std::exception& e) {
    Fail(absl::StrCat("SQL failed: ", e.what(), "\n  in: ", sql.substr(0, 400)));
  }
}

int64_t Scalar(pqxx::connection& conn, const std::string& sql) {
  try {
    pqxx::nontransaction tx(conn);
    return tx.exec1(sql)[0].as<int64_t>();
  } catch (const std::exception& e) {
    Fail(absl::StrCat("SQL failed: ", e.what(), "\n  in: ", sql.substr(0, 400)));
  }
}

void Expect(bool ok, const std::string& what) {
  if (!ok) Fail(what);
}

double Seconds(absl::Duration d) { return absl::ToDoubleSeconds(d); }

// One row of the report.
struct Figure {
  std::string name;
  std::string goal;  // Empty: none.
  bool judged = false;  // Counts toward the exit status.
  size_t calls = 0;
  bench::LatencySummary summary;
  double mean_us = 0;
  bool met = true;
};

constexpr double kGoalUs = 10'000;

Figure FigureOf(std::string name, const std::vector<absl::Duration>& samples, absl::Duration wall,
                std::string goal = "", bool judged = false) {
  Figure figure{.name = std::move(name), .goal = std::move(goal), .judged = judged, .calls = samples.size()};
  figure.summary = bench::Summarize(samples, wall);
  absl::Duration total;
  for (const absl::Duration d : samples) total += d;
  figure.mean_us = samples.empty() ? 0 : absl::ToDoubleMicroseconds(total) / static_cast<double>(samples.size());
  figure.met = figure.goal.empty() || figure.summary.p99_us < kGoalUs;
  return figure;
}

// `call` `calls` times after a few untimed warm-up calls.
Figure Time(std::string name, int calls, const std::function<absl::Status()>& call, std::string goal = "",
            bool judged = false) {
  for (int i = 0; i < 5; ++i) {
    const absl::Status warm = call();
    if (!warm.ok()) Fail(absl::StrCat(name, ": ", warm.ToString()));
  }
  std::vector<absl::Duration> samples;
  samples.reserve(calls);
  const absl::Time start = absl::Now();
  for (int i = 0; i < calls; ++i) {
    const absl::Time t0 = absl::Now();
    const absl::Status status = call();
    samples.push_back(absl::Now() - t0);
    if (!status.ok()) Fail(absl::StrCat(name, ": ", status.ToString()));
  }
  return FigureOf(std::move(name), samples, absl::Now() - start, std::move(goal), judged);
}

generation_service::JobRecord CompletedJob(const std::string& job_id, const std::string& user_id,
                                           const std::string& remix_of, absl::Time now) {
  return testing::JobIn(v1::JOB_STATUS_COMPLETED, job_id, user_id, testing::DraftSpec(kPrompt, remix_of), now);
}

constexpr int kClients = 64;
constexpr int kForks = 10'000;
constexpr int kLineagePage = 50;
constexpr int kDescendantPage = 20;
constexpr int kCanvasPage = 100;
constexpr int kWalkedPages = 2000;  // The deep page comes after 40,000 nodes.
// Tries of one publish: the first and the client's retries of a retryable
// failure.
constexpr int kMaxAttempts = 5;

bool IsRetryable(const absl::Status& status) {
  return status.code() == absl::StatusCode::kDeadlineExceeded || status.code() == absl::StatusCode::kUnavailable ||
         status.code() == absl::StatusCode::kAborted;
}

}  // namespace
}  // namespace clipforge

int main() {
  using namespace clipforge;
  testing::ModerationTestServerOptions options;
  options.with_generation = true;
  options.with_clips = true;
  // Every component's pool has this many connections: the 64 publishing
  // clients each get one and contend on the parent's row lock, not on the
  // pool (whose acquire would time out after 2 s).
  options.executor_threads = kClients;
  options.generation.sweep_interval = absl::Hours(1);
  options.media_urls = true;
  testing::ModerationTestServer server(options);
  clips_service::ClipLogic& clips = server.clips().clips();
  clips_service::GraphLogic& graph = server.clips().graph();
  base::SystemClock clock;
  base::SecureRandom random;
  base::UuidV7Generator ids(clock, random);
  const std::string dsn = server.bus().pg().dsn();

  // --- Seeding ---
  const std::string viral_root = ClipAt(kViralSlot, 0);
  const std::string chain_root = ClipAt(kChainSlot, 0);
  const std::string chain_end = ClipAt(kChainSlot, kChainDepth);
  const std::string plain_root = SeededId(0, kClipTail);
  pqxx::connection admin(dsn);
  Exec(admin, "SET statement_timeout = 0");
  Exec(admin, "SET work_mem = '256MB'");
  Exec(admin, "SET maintenance_work_mem = '256MB'");
  Progress(absl::StrFormat("seeding %d clips", kTotalClips));
  const absl::Time seed_start = absl::Now();
  Exec(admin, SeedSql());
  const absl::Duration insert_time = absl::Now() - seed_start;
  const absl::Time counts_start = absl::Now();
  // Direct forks: one GROUP BY over every fork.
  Exec(admin,
       "UPDATE clips.clips c SET direct_fork_count = f.forks FROM (SELECT parent_id, count(*) AS forks FROM "
       "clips.clips WHERE parent_id IS NOT NULL GROUP BY parent_id) f WHERE c.clip_id = f.parent_id");
  // Descendants of every tree but the chain, deepest parents first: a
  // parent's descendants are its forks and theirs (the trees are at most
  // three deep, so the depth-3 clips have none).
  for (int level = 2; level >= 0; --level) {
    Exec(admin, absl::StrCat("UPDATE clips.clips c SET descendant_count = c.direct_fork_count + b.below FROM (SELECT "
                             "parent_id, sum(descendant_count)::bigint AS below FROM clips.clips WHERE parent_id IS "
                             "NOT NULL AND depth = ",
                             level + 1, " AND root_id <> '", chain_root,
                             "'::uuid GROUP BY parent_id) b WHERE c.clip_id = b.parent_id"));
  }
  // The chain: the clip at depth d has everything below it.
  Exec(admin, absl::StrCat("UPDATE clips.clips SET descendant_count = ", kChainDepth, " - depth WHERE root_id = '",
                           chain_root, "'::uuid"));
  const absl::Duration counts_time = absl::Now() - counts_start;
  // The graph as seeded, checked whole before anything is measured: every
  // fork one level below its parent in its parent's tree, and every clip's
  // counts its forks and theirs (which, with the leaves at zero, makes every
  // count exact).
  const absl::Time check_start = absl::Now();
  Expect(Scalar(admin, "SELECT count(*) FROM clips.clips") == kTotalClips, "the seeding did not insert every clip");
  Expect(Scalar(admin, "SELECT count(*) FROM clips.clips c JOIN clips.clips p ON p.clip_id = c.parent_id WHERE "
                       "c.depth <> p.depth + 1 OR c.root_id <> p.root_id") == 0,
         "a seeded fork is not one level below its parent in its tree");
  Expect(Scalar(admin, "SELECT count(*) FROM clips.clips c LEFT JOIN (SELECT parent_id, count(*) AS forks, "
                       "sum(descendant_count) AS below FROM clips.clips WHERE parent_id IS NOT NULL GROUP BY "
                       "parent_id) f ON f.parent_id = c.clip_id WHERE c.direct_fork_count <> coalesce(f.forks, 0) OR "
                       "c.descendant_count <> coalesce(f.forks + f.below, 0)") == 0,
         "a seeded clip's counts are not its forks'");
  Expect(Scalar(admin, absl::StrCat("SELECT descendant_count FROM clips.clips WHERE clip_id = '", viral_root,
                                    "'::uuid")) == DescendantsOf(kViral),
         "the viral root's descendant count is wrong");
  Expect(Scalar(admin, absl::StrCat("SELECT depth FROM clips.clips WHERE clip_id = '", chain_end, "'::uuid")) ==
             kChainDepth,
         "the chain's last clip is not at its depth");
  const absl::Duration check_time = absl::Now() - check_start;
  const absl::Time vacuum_start = absl::Now();
  Exec(admin, "VACUUM ANALYZE clips.clips");
  const absl::Duration vacuum_time = absl::Now() - vacuum_start;
  const absl::Duration seed_time = absl::Now() - seed_start;
  Progress(absl::StrFormat("seeded in %.1f s (insert %.1f s, counts %.1f s, checks %.1f s, vacuum analyze %.1f s)",
                           Seconds(seed_time), Seconds(insert_time), Seconds(counts_time), Seconds(check_time),
                           Seconds(vacuum_time)));

  // --- Baselines: the same store code over its own one-connection pool ---
  kit::PgPool baseline_pool({.dsn = dsn, .size = 1, .role = "cf_clips",
                             .statements = clips_service::PgClipsStore::Statements()});
  clips_service::PgClipsStore baseline_store(baseline_pool);
  const kit::Caller viewer{.user_id = ids.Next(), .roles = base::RoleSet{base::Role::kUser}};
  std::vector<Figure> figures;
  figures.push_back(Time("one-row read by primary key in a transaction (baseline)", 2000, [&] {
    return baseline_store.Transact(clips_service::TxMode::kReadOnly, [&](clips_service::ClipsTx& tx) {
      return tx.GetClip(plain_root) ? absl::OkStatus() : absl::NotFoundError("the baseline clip is missing");
    });
  }));
  const double read_floor_p50 = figures.back().summary.p50_us;
  figures.push_back(Time("one-row update, committed (baseline)", 1000, [&] {
    return baseline_store.Transact(clips_service::TxMode::kReadWrite, [&](clips_service::ClipsTx& tx) {
      tx.AdjustCounts(plain_root, {.views = 1});
      return absl::OkStatus();
    });
  }));
  figures.push_back(Time("ClipLogic::Get, one clip as a viewer sees it", 1000,
                         [&] { return clips.Get(viewer, plain_root).status(); }));

  // --- Lineage of the 10,000-deep clip ---
  Progress("lineage");
  {
    absl::StatusOr<clips_service::LineagePage> first = graph.Lineage(viewer, chain_end, "", kLineagePage);
    Expect(first.ok(), "lineage: " + first.status().ToString());
    Expect(first->depth == kChainDepth && static_cast<int>(first->ancestors.size()) == kLineagePage &&
               !first->next_start.empty() && !first->ancestors.front().hidden,
           "lineage: the first page is not 50 visible ancestors of a clip at depth 10,000");
  }
  figures.push_back(Time(absl::StrFormat("Lineage of the %d-deep clip, first page of %d", kChainDepth, kLineagePage),
                         500, [&] { return graph.Lineage(viewer, chain_end, "", kLineagePage).status(); },
                         "p99 < 10 ms", /*judged=*/true));
  std::vector<absl::Duration> lineage_pages;
  int64_t lineage_seen = 0;
  const absl::Time lineage_start = absl::Now();
  for (std::string start;;) {
    const absl::Time t0 = absl::Now();
    absl::StatusOr<clips_service::LineagePage> page = graph.Lineage(viewer, chain_end, start, kLineagePage);
    lineage_pages.push_back(absl::Now() - t0);
    Expect(page.ok(), "lineage walk: " + page.status().ToString());
    lineage_seen += static_cast<int64_t>(page->ancestors.size());
    if (page->next_start.empty()) {
      Expect(!page->ancestors.empty() && page->ancestors.back().clip.clip_id == chain_root,
             "lineage walk: the last page does not end at the root");
      break;
    }
    start = page->next_start;
  }
  const absl::Duration lineage_walk = absl::Now() - lineage_start;
  Expect(lineage_seen == kChainDepth, absl::StrFormat("lineage walk: %d ancestors, not %d", lineage_seen, kChainDepth));
  figures.push_back(FigureOf(absl::StrFormat("Lineage, every page of the %d ancestors (one walk)", kChainDepth),
                             lineage_pages, lineage_walk));

  // --- Descendants of the viral root ---
  Progress("descendants");
  {
    absl::StatusOr<clips_service::NodePage> first = graph.Descendants(
        viewer, viral_root, 0, v1::DESCENDANT_ORDER_BREADTH_FIRST, std::nullopt, kDescendantPage);
    Expect(first.ok(), "descendants: " + first.status().ToString());
    Expect(static_cast<int>(first->nodes.size()) == kDescendantPage && first->next.has_value() &&
               first->total == DescendantsOf(kViral) && first->nodes.front().clip.depth == 1 &&
               !first->nodes.front().hidden,
           "descendants: the first page is not 20 visible forks of a root with 100,000 descendants");
  }
  figures.push_back(Time(absl::StrFormat("Descendants of the viral root, breadth first, first page of %d",
                                         kDescendantPage),
                         500,
                         [&] {
                           return graph
                               .Descendants(viewer, viral_root, 0, v1::DESCENDANT_ORDER_BREADTH_FIRST, std::nullopt,
                                            kDescendantPage)
                               .status();
                         },
                         "p99 < 10 ms", /*judged=*/true));
  std::vector<absl::Duration> walked;
  std::optional<clips_service::GraphCursor> cursor;
  const absl::Time walk_start = absl::Now();
  for (int i = 0; i < kWalkedPages; ++i) {
    const absl::Time t0 = absl::Now();
    absl::StatusOr<clips_service::NodePage> page =
        graph.Descendants(viewer, viral_root, 0, v1::DESCENDANT_ORDER_BREADTH_FIRST, cursor, kDescendantPage);
    walked.push_back(absl::Now() - t0);
    Expect(page.ok(), "descendants walk: " + page.status().ToString());
    Expect(page->next.has_value(), absl::StrFormat("descendants walk: no page after page %d", i + 1));
    cursor = page->next;
  }
  const absl::Duration walk_time = absl::Now() - walk_start;
  figures.push_back(FigureOf(absl::StrFormat("Descendants, breadth first: pages 1-%d, walked in turn", kWalkedPages),
                             walked, walk_time, "p99 < 10 ms", /*judged=*/true));
  const clips_service::GraphCursor deep = *cursor;
  figures.push_back(Time(absl::StrFormat("Descendants, breadth first: page %d (after %d nodes, at depth %d)",
                                         kWalkedPages + 1, kWalkedPages * kDescendantPage, deep.key),
                         500,
                         [&] {
                           return graph
                               .Descendants(viewer, viral_root, 0, v1::DESCENDANT_ORDER_BREADTH_FIRST, deep,
                                            kDescendantPage)
                               .status();
                         },
                         "p99 < 10 ms", /*judged=*/true));
  figures.push_back(Time(absl::StrFormat("Descendants, newest first, first page of %d", kDescendantPage), 20,
                         [&] {
                           return graph
                               .Descendants(viewer, viral_root, 0, v1::DESCENDANT_ORDER_NEWEST, std::nullopt,
                                            kDescendantPage)
                               .status();
                         },
                         "(p99 < 10 ms)"));
  figures.push_back(Time(absl::StrFormat("Descendants, most liked first, first page of %d", kDescendantPage), 20,
                         [&] {
                           return graph
                               .Descendants(viewer, viral_root, 0, v1::DESCENDANT_ORDER_MOST_LIKED, std::nullopt,
                                            kDescendantPage)
                               .status();
                         },
                         "(p99 < 10 ms)"));

  // --- The canvas ---
  Progress("canvas");
  {
    absl::StatusOr<clips_service::NodePage> first = graph.Canvas(viewer, viral_root, 0, std::nullopt, kCanvasPage);
    Expect(first.ok(), "canvas: " + first.status().ToString());
    Expect(static_cast<int>(first->nodes.size()) == kCanvasPage && first->total == DescendantsOf(kViral) + 1,
           "canvas: the first page is not 100 nodes of a tree of 100,001");
  }
  figures.push_back(Time(absl::StrFormat("Canvas of the viral root, first page of %d nodes", kCanvasPage), 200,
                         [&] { return graph.Canvas(viewer, viral_root, 0, std::nullopt, kCanvasPage).status(); },
                         "(p99 < 10 ms)"));

  // --- 10,000 forks of one parent from 64 clients ---
  Progress("publishing");
  const absl::Time now = clock.Now();
  const auto insert_jobs = [&](const std::vector<generation_service::JobRecord>& jobs) {
    for (const generation_service::JobRecord& job : jobs) {
      const absl::Status stored = testing::StoreOutputs(server.generation().blobs(), job.job_id);
      if (!stored.ok()) Fail("storing outputs: " + stored.ToString());
    }
    for (size_t from = 0; from < jobs.size(); from += 500) {
      const absl::Status inserted = server.generation().store().Transact(
          generation_service::TxMode::kReadWrite, [&](generation_service::GenerationTx& tx) {
            for (size_t i = from; i < std::min(jobs.size(), from + 500); ++i) tx.InsertJob(jobs[i]);
            return absl::OkStatus();
          });
      if (!inserted.ok()) Fail("inserting jobs: " + inserted.ToString());
    }
  };
  const auto publish_one = [&](const kit::Caller& caller, const std::string& job_id) {
    const kit::IdempotencyKey key{
        .caller_id = caller.user_id, .request_id = ids.Next(), .method = "bench", .fingerprint = "f"};
    absl::StatusOr<clips_service::ClipView> published =
        clips.Publish(caller, key, clips_service::NewClip{.job_id = job_id, .title = "a lighthouse"});
    if (!published.ok()) Fail("publishing: " + published.status().ToString());
    return published->clip.clip_id;
  };
  // A fresh root, and the parent: a fork of it.
  const kit::Caller author{.user_id = ids.Next(), .roles = base::RoleSet{base::Role::kUser}};
  const std::string root_job = ids.Next();
  insert_jobs({CompletedJob(root_job, author.user_id, "", now)});
  const std::string fresh_root = publish_one(author, root_job);
  const std::string parent_job = ids.Next();
  insert_jobs({CompletedJob(parent_job, author.user_id, fresh_root, now)});
  const std::string parent = publish_one(author, parent_job);
  // Each client's completed remix jobs of the parent, and the keys it will
  // publish them with, made before the clock starts.
  struct Publication {
    std::string job_id;
    std::string request_id;
  };
  std::vector<kit::Caller> publishers;
  for (int c = 0; c < kClients; ++c) {
    publishers.push_back(kit::Caller{.user_id = ids.Next(), .roles = base::RoleSet{base::Role::kUser}});
  }
  std::vector<std::vector<Publication>> work(kClients);
  std::vector<generation_service::JobRecord> jobs;
  jobs.reserve(kForks);
  for (int i = 0; i < kForks; ++i) {
    const int c = i % kClients;
    jobs.push_back(CompletedJob(ids.Next(), publishers[c].user_id, parent, now));
    work[c].push_back({.job_id = jobs.back().job_id, .request_id = ids.Next()});
  }
  const absl::Time jobs_start = absl::Now();
  insert_jobs(jobs);
  const absl::Duration jobs_time = absl::Now() - jobs_start;
  std::atomic<bool> go{false};
  std::atomic<int> failures{0};
  std::atomic<int> retries{0};
  std::mutex error_mu;
  std::string first_error;
  std::vector<std::vector<absl::Duration>> latencies(kClients);
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      latencies[c].reserve(work[c].size());
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      for (const Publication& p : work[c]) {
        const kit::IdempotencyKey key{.caller_id = publishers[c].user_id,
                                      .request_id = p.request_id,
                                      .method = "bench",
                                      .fingerprint = "f"};
        const absl::Time t0 = absl::Now();
        absl::StatusOr<clips_service::ClipView> published;
        // As a client does: a retryable failure (a statement timeout while
        // queued for the lineage's locks) is retried with the same request
        // id, which replays the publish if it did commit.
        for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
          published = clips.Publish(publishers[c], key, clips_service::NewClip{.job_id = p.job_id, .title = "a fork"});
          if (published.ok() || !IsRetryable(published.status())) break;
          retries++;
        }
        latencies[c].push_back(absl::Now() - t0);
        if (!published.ok()) {
          failures++;
          std::lock_guard lock(error_mu);
          if (first_error.empty()) first_error = published.status().ToString();
        }
      }
    });
  }
  const absl::Time publish_start = absl::Now();
  go.store(true, std::memory_order_release);
  for (std::thread& t : threads) t.join();
  const absl::Duration publish_time = absl::Now() - publish_start;
  std::vector<absl::Duration> publish_samples;
  for (const std::vector<absl::Duration>& l : latencies) {
    publish_samples.insert(publish_samples.end(), l.begin(), l.end());
  }
  Figure publishes = FigureOf(absl::StrFormat("Publish, a fork of one parent, %d clients at once", kClients),
                              publish_samples, publish_time);

  // Every count exact?
  const auto counts_of = [&](const std::string& clip_id) {
    try {
      pqxx::nontransaction tx(admin);
      const pqxx::row r = tx.exec1("SELECT direct_fork_count, descendant_count FROM clips.clips WHERE clip_id = '" +
                                   clip_id + "'::uuid");
      return std::pair<int64_t, int64_t>(r[0].as<int64_t>(), r[1].as<int64_t>());
    } catch (const std::exception& e) {
      Fail(absl::StrCat("reading counts: ", e.what()));
    }
  };
  const auto [parent_forks, parent_descendants] = counts_of(parent);
  const auto [root_forks, root_descendants] = counts_of(fresh_root);
  const int64_t parent_rows =
      Scalar(admin, absl::StrCat("SELECT count(*) FROM clips.clips WHERE parent_id = '", parent, "'::uuid"));
  const bool counts_exact = failures.load() == 0 && parent_forks == kForks && parent_descendants == kForks &&
                            parent_rows == kForks && root_forks == 1 && root_descendants == kForks + 1;
  publishes.goal = "every count exact";
  publishes.met = counts_exact;
  figures.push_back(publishes);
  const std::string verification = absl::StrFormat(
      "Retried after a retryable failure (same request id): %d; failed for good: %d%s. The parent: direct_fork_count %d, descendant_count %d, %d rows with it as parent "
      "(all three should be %d); its root: direct_fork_count %d (should be 1), descendant_count %d (should be %d) "
      "— %s.",
      retries.load(), failures.load(), first_error.empty() ? "" : absl::StrCat(" (first: ", first_error, ")"),
      parent_forks,
      parent_descendants, parent_rows, kForks, root_forks, root_descendants, kForks + 1,
      counts_exact ? "exact" : "NOT exact");

  // --- The report ---
  bool goals_met = true;
  std::string table =
      "| | calls | p50 µs | p99 µs | mean µs | p50 × the one-row read | goal | |\n"
      "|---|---|---|---|---|---|---|---|\n";
  for (const Figure& f : figures) {
    if (f.judged && !f.met) goals_met = false;
    absl::StrAppendFormat(&table, "| %s | %d | %.0f | %.0f | %.0f | %.1fx | %s | %s |\n", f.name, f.calls,
                          f.summary.p50_us, f.summary.p99_us, f.mean_us,
                          read_floor_p50 > 0 ? f.summary.p50_us / read_floor_p50 : 0.0,
                          f.goal.empty() ? "—" : f.goal, f.goal.empty() ? "" : (f.met ? "met" : "NOT met"));
  }
  const std::string report = absl::StrFormat(
      "## Clips: the fork graph at 1,000,000 clips, and concurrent forks\n\n"
      "Measured %s, the benchmark, clipforged's clips logic and Postgres (the test server's: fsync off) on the "
      "same machine. The store was seeded by SQL with %d clips: %d roots nobody forked, %d roots with one to three "
      "forks (%d forks), five trees of 1,000-10,000 descendants, one viral root with %d descendants (1,000 direct "
      "forks, 89,000 at depth 2, 10,000 at depth 3) and one chain %d deep, every counter set and checked against "
      "the graph; seeding took %.1f s (the insert %.1f s, the counters %.1f s, the checks %.1f s, VACUUM ANALYZE "
      "%.1f s). Reads go through GraphLogic as ClipsService calls it, as a user with no relation to the authors; "
      "the baselines through the same store code over a one-connection pool.\n\n%s\n"
      "The whole %d-deep lineage took %.0f ms in %d pages. Then %d clients published %d forks of one parent (itself "
      "a fork of a fresh root) through ClipLogic::Publish, each with its own completed remix jobs (%.1f s to insert "
      "them beforehand): %.0f publishes a second over %.1f s, every one taking the root's and the parent's row "
      "locks. %s\n\nGoals (the issue's): the first lineage page and a page of the viral root's descendants (the "
      "first, every one of the walk and the deep one) in under 10 ms at p99; every count exact after the "
      "concurrent publishes — %s. Goals in parentheses are the same 10 ms shown for reference, not the issue's "
      "(they do not set the exit status).\n",
      bench::MachineLine(), kTotalClips, kPlainRoots, kSmallRoots, SmallForks(), DescendantsOf(kViral), kChainDepth,
      Seconds(seed_time), Seconds(insert_time), Seconds(counts_time), Seconds(check_time), Seconds(vacuum_time),
      table, kChainDepth, absl::ToDoubleMilliseconds(lineage_walk), lineage_pages.size(), kClients, kForks,
      Seconds(jobs_time), publishes.summary.per_second, Seconds(publish_time), verification,
      goals_met && counts_exact ? "met" : "NOT met");
  std::printf("%s", report.c_str());
  bench::WriteReportSection("docs/benchmarks.md", "clips_graph", report);
  if (!counts_exact) return 2;
  return goals_met ? 0 : 1;
}
