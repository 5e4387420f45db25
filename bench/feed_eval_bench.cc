// The feed's offline evaluation (issue 16): the feed ranker (feed/ranker.h,
// RankPage with its defaults) against two baselines measured in the same
// run, on the same seeded synthetic world, the same users, the same
// requests and the same candidates:
//
//   baseline      engagement x freshness (bench/engagement_ranker.h:
//                 scoring.h's quality x freshness, sorted, cut)
//   + decay       the same, then feed::ApplyAuthorDecay, cut
//   RankPage      feed::RankPage, default RankParams, a default (not
//                 personalized) ScoringContext
//
// All three exclude the clips already served in the session (an exact
// set here, the page token's Bloom filter in the service), so in-session
// repeats measure that each one honours its exclusion: the goal is 0.
//
// The world (every figure from --seed; the flags below change it):
//   - Themes with Zipf popularity (--theme_zipf), each a random unit centre
//     in the 16-dim embedding space (CandidateEmbedding).
//   - Creators whose output is a power law (--creator_zipf), each with a
//     home theme (Zipf) and a skill (Beta(2, 3)) that sets the mean latent
//     quality of their clips.
//   - Clips published uniformly over --days, in publishing order, each
//     with a latent quality q in (0, 1) that the user model reads and no
//     ranker sees. Roles:
//       original  a new prompt cluster, its own fork tree, embedding near
//                 its theme's centre (80% the creator's home theme)
//       fork      (--fork_share) of a recent clip (best of 3 draws by q
//                 among non-copies of the last 72 h): its fork tree, its
//                 theme, q near the parent's; it stays in the parent's
//                 prompt cluster when it changed under 20% of the words
//       copycat   (--copycat_share of all clips) a near copy of a recent
//                 hit (chosen as for forks) by another creator: its prompt
//                 cluster and theme, its embedding within 0.03, the SAME q
//       repost    (--repost_share) an exact copy: the same embedding too
//       trend     (--trend_waves waves, each --trend_wave_share of all
//                 clips) a hit (q ~ Beta(6, 2)) at an onset in the middle
//                 of the run, then joiners by many creators over the next
//                 24 h (publishing peaks 8 h after the onset): the wave's
//                 prompt cluster and theme, embeddings near the hit's, q
//                 half the hit's and half their own
//     Originality and is_copy are what feed/originality.h computes
//     (ComputeOriginality, IsCopy) from the overlaps the role implies:
//     originals some stock-phrase and self-similarity (O about 0.9-1),
//     forks their edit size, copycats a prompt Jaccard >= 0.9 and reposts
//     1 (copies, O = 0), trend joiners a prompt Jaccard 0.5-0.85 and the
//     trend signal (lower O, not copies).
//   - Users with sparse interests (2 or 3 themes, Zipf), following 1-5
//     creators (by output, 70% from their themes), each with
//     --sessions_per_user sessions at uniform times after the first tenth
//     of the run, --pages_per_session pages of --page_size each.
//
// A request (user, session, page, time) gets at most --candidates
// candidates from the clips published so far, independent of counters and
// rankers (so every ranker gets the same ones): followed creators' clips of
// the last 72 h (kFollowing), the user's themes' clips of the last 48 h and
// some of their back catalogue (kTheme), clips of the last 24 h (kTrending),
// any clip (kEchoed), and clips of the last 12 h (kExploration: RankPage's
// exploration pool; the baselines rank them like the rest).
//
// The user model, per impression, in page order: the chance of a satisfied
// view is q x (0.35 + 0.65 m), with m = 1 for a clip in one of the user's
// themes or by a followed creator and 0.3 otherwise, times a boredom
// factor: x0.05 when the user has already seen the clip or the content it
// copies (or a copy of it) in any session, x0.35 for each clip of its prompt
// cluster, x0.6 for each of its fork tree, x0.75 for each of its creator and
// x0.95 for each of its theme already seen in this session. A satisfied
// view is liked with chance 0.3 q, shared 0.06 q, forked 0.03 q; otherwise
// it is skipped (85%) or hidden (1% + 4% of what boredom took). Reactions
// feed the clips' counters (each ranker has its own world of counters) at
// the end of each hour of simulated time, so the engagement scores learn.
// The reaction draws are seeded by (user, session, page), the same for
// every ranker.
//
// The metrics, each over all impressions of a ranker's run:
//   copycat share            impressions of is_copy clips / impressions
//   original before copy     of the (user, copy) pairs where the user was
//                            shown a planted copy (copycat or repost), the
//                            share where that user had been shown its
//                            original earlier (any session, or higher on
//                            the page); 1 when no copy was shown
//   near-duplicate pairs     pairs on one page of one prompt cluster or fork
//                            tree, per page
//   trend share at peak      per wave, the share of the impressions served
//                            in its peak window (5-11 h after the onset)
//                            that went to its prompt cluster; mean of waves
//   intra-list diversity     mean pairwise 1 - cosine of a page's
//                            embeddings, mean of pages
//   catalog coverage         distinct clips shown / clips published
//   creator Gini             Gini coefficient of impressions per creator,
//                            over the creators who published a clip (0:
//                            equal exposure, 1: one creator has it all)
//   novelty                  mean over impressions of -log2 of the clip's
//                            share of this ranker's impressions (bits; the
//                            entropy of its exposure: higher spreads
//                            attention over more, less-shown clips)
//   satisfaction             satisfied views per impression
//   in-session repeats       clips served twice in one session
//
// Goals (the issue's, RankPage against the baseline): copycat share <=
// 0.25x, original before copy >= 95%, trend share <= 0.5x, diversity >=
// 1.2x, coverage >= 1.5x, Gini at least 0.10 lower, satisfaction >= 0.95x,
// repeats 0. They are reported, not enforced; the bench exits 1 only on a
// broken invariant (an excluded clip served).
//
// Flags: --name=value, for the names in Flags below; unknown flags (such as
// scripts/bench's) are ignored with a note. --report=PATH (default
// docs/benchmarks.md) writes the section, --report= writes nothing. The
// same flags give the same figures: compare the printed checksum of the
// pages served.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/engagement_ranker.h"
#include "bench/report.h"
#include "bench/synthetic_embeddings.h"
#include "feed/candidate.h"
#include "feed/originality.h"
#include "feed/ranker.h"
#include "feed/rerank.h"
#include "feed/scoring.h"

namespace clipforge::bench {
namespace {

using feed::Candidate;
using feed::CandidateSource;

struct Flags {
  uint64_t seed = 20261207;
  int64_t clips = 20'000;
  int64_t users = 2'000;
  int64_t creators = 2'000;
  int64_t themes = 20;
  double days = 7;
  double copycat_share = 0.10;
  double repost_share = 0.02;
  double fork_share = 0.15;
  int64_t trend_waves = 4;
  double trend_wave_share = 0.02;
  double theme_zipf = 1.0;
  double creator_zipf = 1.1;
  int64_t sessions_per_user = 3;
  int64_t pages_per_session = 5;
  int64_t page_size = 20;
  int64_t candidates = 2'000;
  std::string report = "docs/benchmarks.md";
};

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "feed_eval_bench: %s\n", what.c_str());
  std::exit(1);
}

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  const auto fail_on = [](bool ok, absl::string_view arg) {
    if (!ok) Fail(absl::StrCat("bad value: ", arg));
  };
  for (int i = 1; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    const size_t eq = arg.find('=');
    if (arg.substr(0, 2) != "--" || eq == absl::string_view::npos) {
      std::fprintf(stderr, "feed_eval_bench: ignoring %s\n", argv[i]);
      continue;
    }
    const absl::string_view name = arg.substr(2, eq - 2), value = arg.substr(eq + 1);
    bool known = true;
    const auto integer = [&](int64_t& out) { fail_on(absl::SimpleAtoi(value, &out) && out >= 0, arg); };
    const auto real = [&](double& out) { fail_on(absl::SimpleAtod(value, &out) && out >= 0, arg); };
    if (name == "seed") fail_on(absl::SimpleAtoi(value, &f.seed), arg);
    else if (name == "clips") integer(f.clips);
    else if (name == "users") integer(f.users);
    else if (name == "creators") integer(f.creators);
    else if (name == "themes") integer(f.themes);
    else if (name == "days") real(f.days);
    else if (name == "copycat_share") real(f.copycat_share);
    else if (name == "repost_share") real(f.repost_share);
    else if (name == "fork_share") real(f.fork_share);
    else if (name == "trend_waves") integer(f.trend_waves);
    else if (name == "trend_wave_share") real(f.trend_wave_share);
    else if (name == "theme_zipf") real(f.theme_zipf);
    else if (name == "creator_zipf") real(f.creator_zipf);
    else if (name == "sessions_per_user") integer(f.sessions_per_user);
    else if (name == "pages_per_session") integer(f.pages_per_session);
    else if (name == "page_size") integer(f.page_size);
    else if (name == "candidates") integer(f.candidates);
    else if (name == "report") f.report = std::string(value);
    else known = false;
    if (!known) std::fprintf(stderr, "feed_eval_bench: ignoring unknown flag %s\n", argv[i]);
  }
  if (f.clips < 100 || f.users < 1 || f.creators < 2 || f.themes < 3 || f.days < 2 || f.page_size < 1 ||
      f.candidates < f.page_size) {
    Fail("need clips >= 100, users >= 1, creators >= 2, themes >= 3, days >= 2, candidates >= page_size >= 1");
  }
  const double planted = f.copycat_share + f.repost_share + f.fork_share +
                         static_cast<double>(f.trend_waves) * f.trend_wave_share;
  if (planted > 0.8) Fail("copycat + repost + fork + trend shares must leave at least 20% originals");
  return f;
}

std::string FlagsLine(const Flags& f) {
  return absl::StrFormat(
      "--seed=%d --clips=%d --users=%d --creators=%d --themes=%d --days=%g --copycat_share=%g "
      "--repost_share=%g --fork_share=%g --trend_waves=%d --trend_wave_share=%g --theme_zipf=%g "
      "--creator_zipf=%g --sessions_per_user=%d --pages_per_session=%d --page_size=%d --candidates=%d",
      f.seed, f.clips, f.users, f.creators, f.themes, f.days, f.copycat_share, f.repost_share, f.fork_share,
      f.trend_waves, f.trend_wave_share, f.theme_zipf, f.creator_zipf, f.sessions_per_user, f.pages_per_session,
      f.page_size, f.candidates);
}

// splitmix64 over the seed and the parts: per-request and per-page streams
// that do not depend on the order anything else was drawn in.
uint64_t Mix(uint64_t seed, std::initializer_list<uint64_t> parts) {
  uint64_t x = seed;
  for (const uint64_t p : parts) {
    x += 0x9e3779b97f4a7c15u + p;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    x ^= x >> 31;
  }
  return x;
}

double BetaDraw(double a, double b, std::mt19937_64& rng) {
  const double x = std::gamma_distribution<double>(a, 1.0)(rng);
  const double y = std::gamma_distribution<double>(b, 1.0)(rng);
  return x / (x + y);
}

double Unit(std::mt19937_64& rng) { return std::uniform_real_distribution<double>(0.0, 1.0)(rng); }


std::vector<double> ZipfWeights(size_t n, double exponent) {
  std::vector<double> w(n);
  for (size_t i = 0; i < n; ++i) w[i] = std::pow(static_cast<double>(i + 1), -exponent);
  return w;
}

// ---------------------------------------------------------------------------
// The world
// ---------------------------------------------------------------------------

enum class Role : uint8_t { kOriginal, kFork, kCopycat, kRepost, kTrendHit, kTrendJoiner };
constexpr size_t kRoles = 6;
constexpr const char* kRoleNames[kRoles] = {"original", "fork", "copycat", "repost", "trend hit", "trend joiner"};

struct Clip {
  Candidate base;  // everything but the counters and the source
  double hours = 0;
  double quality = 0;
  uint32_t creator = 0;
  uint32_t theme = 0;
  Role role = Role::kOriginal;
  uint32_t copy_of = 0;  // copycats and reposts: the clip copied (never itself a copy)
  uint32_t content = 0;  // the content it shows: copy_of for copies, itself otherwise
};

struct Wave {
  uint32_t theme = 0;
  double onset_hours = 0;
  uint64_t cluster = 0;
};
constexpr double kWaveHours = 24;
constexpr double kWavePeakBegin = 5, kWavePeakEnd = 11;  // hours after the onset

struct User {
  std::vector<uint32_t> themes;
  std::vector<uint32_t> follows;
};

struct Session {
  double hours = 0;
  uint32_t user = 0;
  uint32_t index = 0;  // the user's k-th session
};

struct World {
  std::vector<Clip> clips;  // in publishing order
  std::vector<std::vector<uint32_t>> by_theme, by_creator;
  std::vector<Wave> waves;
  std::vector<User> users;
  std::vector<Session> sessions;  // in time order
  size_t copies = 0;              // is_copy (IsCopy) clips
};

// The first index of `list` (clip indices in publishing order) published
// at or after `hours`.
size_t FirstAtOrAfter(const World& w, const std::vector<uint32_t>& list, double hours) {
  return static_cast<size_t>(
      std::lower_bound(list.begin(), list.end(), hours,
                       [&](uint32_t clip, double h) { return w.clips[clip].hours < h; }) -
      list.begin());
}

World MakeWorld(const Flags& f, absl::Time start) {
  std::mt19937_64 rng(f.seed);
  World w;
  const size_t n = static_cast<size_t>(f.clips), themes = static_cast<size_t>(f.themes),
               creators = static_cast<size_t>(f.creators);
  const double total_hours = f.days * 24;
  const std::vector<double> theme_weights = ZipfWeights(themes, f.theme_zipf);
  std::discrete_distribution<uint32_t> theme_draw(theme_weights.begin(), theme_weights.end());
  std::vector<feed::CandidateEmbedding> centres;
  for (size_t t = 0; t < themes; ++t) centres.push_back(RandomUnitVector(rng));
  const std::vector<double> creator_weights = ZipfWeights(creators, f.creator_zipf);
  std::discrete_distribution<uint32_t> creator_draw(creator_weights.begin(), creator_weights.end());
  std::vector<uint32_t> home(creators);
  std::vector<double> skill(creators);
  for (size_t c = 0; c < creators; ++c) {
    home[c] = theme_draw(rng);
    skill[c] = BetaDraw(2, 3, rng);
  }
  const auto own_quality = [&](uint32_t creator) {
    return BetaDraw(1 + 6 * skill[creator], 1 + 6 * (1 - skill[creator]), rng);
  };

  // Publishing slots: the waves' hits and joiners, then the rest uniform.
  struct Slot {
    double hours;
    int32_t wave;  // -1: none
    bool hit;
  };
  std::vector<Slot> slots;
  const size_t joiners = static_cast<size_t>(std::llround(f.trend_wave_share * static_cast<double>(n)));
  for (int64_t k = 0; k < f.trend_waves; ++k) {
    Wave wave{.theme = theme_draw(rng), .onset_hours = total_hours * (0.2 + 0.5 * Unit(rng))};
    slots.push_back({wave.onset_hours, static_cast<int32_t>(k), true});
    for (size_t j = 0; j < joiners && slots.size() < n; ++j) {
      slots.push_back({std::min(total_hours * 0.999999, wave.onset_hours + kWaveHours * BetaDraw(2, 3, rng)),
                       static_cast<int32_t>(k), false});
    }
    w.waves.push_back(wave);
  }
  const size_t non_wave = n - slots.size();
  while (slots.size() < n) slots.push_back({total_hours * Unit(rng), -1, false});
  std::stable_sort(slots.begin(), slots.end(), [](const Slot& a, const Slot& b) { return a.hours < b.hours; });

  const double p_copy = f.copycat_share * static_cast<double>(n) / static_cast<double>(non_wave);
  const double p_repost = f.repost_share * static_cast<double>(n) / static_cast<double>(non_wave);
  std::vector<uint32_t> sources;  // non-copies, in publishing order: what copies and forks draw from
  std::vector<uint32_t> hits(w.waves.size(), UINT32_MAX);
  std::vector<int64_t> wave_joined(w.waves.size(), 0);
  uint64_t next_cluster = 1;
  w.by_theme.resize(themes);
  w.by_creator.resize(creators);
  w.clips.resize(n);
  for (size_t i = 0; i < n; ++i) {
    Clip& clip = w.clips[i];
    const Slot& slot = slots[i];
    clip.hours = slot.hours;
    clip.content = static_cast<uint32_t>(i);
    Candidate& c = clip.base;
    c.clip_id = absl::StrFormat("c%07d", i);
    c.fork_root_id = c.clip_id;
    c.published_at = start + absl::Hours(slot.hours);

    // A recent source: the best of 3 draws by quality among the non-copies
    // of the last 72 h.
    const size_t recent = FirstAtOrAfter(w, sources, slot.hours - 72);
    const auto pick_source = [&]() -> uint32_t {
      uint32_t best = UINT32_MAX;
      for (int k = 0; k < 3; ++k) {
        const uint32_t s = sources[recent + static_cast<size_t>(Unit(rng) * static_cast<double>(sources.size() - recent))];
        if (best == UINT32_MAX || w.clips[s].quality > w.clips[best].quality) best = s;
      }
      return best;
    };
    const double u = Unit(rng);
    if (slot.wave >= 0) {
      clip.role = slot.hit || hits[static_cast<size_t>(slot.wave)] == UINT32_MAX ? Role::kTrendHit : Role::kTrendJoiner;
    } else if (recent == sources.size()) {
      clip.role = Role::kOriginal;
    } else if (u < p_copy) {
      clip.role = Role::kCopycat;
    } else if (u < p_copy + p_repost) {
      clip.role = Role::kRepost;
    } else if (u < p_copy + p_repost + f.fork_share) {
      clip.role = Role::kFork;
    }

    feed::OriginalityInputs originality;
    clip.creator = creator_draw(rng);
    switch (clip.role) {
      case Role::kOriginal:
      case Role::kTrendHit: {
        const bool hit = clip.role == Role::kTrendHit;
        if (hit) {
          Wave& wave = w.waves[static_cast<size_t>(slot.wave)];
          hits[static_cast<size_t>(slot.wave)] = static_cast<uint32_t>(i);
          wave.cluster = next_cluster;
          clip.theme = wave.theme;
        } else {
          clip.theme = Unit(rng) < 0.8 ? home[clip.creator] : theme_draw(rng);
        }
        clip.quality = hit ? BetaDraw(6, 2, rng) : own_quality(clip.creator);
        c.prompt_cluster_id = next_cluster++;
        c.embedding = Jitter(centres[clip.theme], 0.25f, rng);
        originality.prompt.overlap = 0.55 * Unit(rng);      // stock phrasing
        originality.self_repetition.overlap = 0.6 * Unit(rng);  // a series in one style
        break;
      }
      case Role::kFork: {
        const uint32_t parent = pick_source();
        const Clip& p = w.clips[parent];
        clip.theme = p.theme;
        clip.quality = std::clamp(p.quality + std::normal_distribution<double>(0, 0.1)(rng), 0.01, 0.99);
        c.fork_root_id = p.base.fork_root_id;
        c.embedding = Jitter(p.base.embedding, 0.15f, rng);
        feed::ForkDelta delta;
        delta.parent_clip_id = p.base.clip_id;
        delta.same_creator_as_parent = p.creator == clip.creator;
        delta.changed_word_share = 0.02 + 0.58 * Unit(rng);
        delta.picture_changed_share = 0.3 + 0.7 * Unit(rng);
        c.prompt_cluster_id = delta.changed_word_share < 0.2 ? p.base.prompt_cluster_id : next_cluster++;
        originality.fork = delta;
        break;
      }
      case Role::kCopycat:
      case Role::kRepost: {
        const bool repost = clip.role == Role::kRepost;
        const uint32_t original = pick_source();
        const Clip& o = w.clips[original];
        for (int k = 0; k < 20 && clip.creator == o.creator; ++k) clip.creator = creator_draw(rng);
        if (clip.creator == o.creator) clip.creator = (o.creator + 1) % static_cast<uint32_t>(creators);
        clip.copy_of = clip.content = original;
        clip.theme = o.theme;
        clip.quality = o.quality;  // the same latent quality as the original
        c.prompt_cluster_id = o.base.prompt_cluster_id;
        c.embedding = repost ? o.base.embedding : Jitter(o.base.embedding, 0.03f, rng);
        originality.prompt = {repost ? 1.0 : 0.9 + 0.1 * Unit(rng), {o.base.clip_id}};
        originality.media = {repost ? 1.0 : 0.5 + 0.5 * Unit(rng), {o.base.clip_id}};
        break;
      }
      case Role::kTrendJoiner: {
        const size_t k = static_cast<size_t>(slot.wave);
        const Clip& hit = w.clips[hits[k]];
        for (int r = 0; r < 20 && clip.creator == hit.creator; ++r) clip.creator = creator_draw(rng);
        clip.theme = hit.theme;
        clip.quality = 0.5 * hit.quality + 0.5 * own_quality(clip.creator);
        c.prompt_cluster_id = w.waves[k].cluster;
        c.embedding = Jitter(hit.base.embedding, 0.12f, rng);
        originality.prompt = {0.5 + 0.35 * Unit(rng), {hit.base.clip_id}};
        originality.trend = {.joined_after_onset = true, .earlier_in_cluster = wave_joined[k]++,
                             .clip_ids = {hit.base.clip_id}};
        break;
      }
    }
    c.creator_id = absl::StrFormat("k%05d", clip.creator);
    c.theme_ids = {absl::StrFormat("t%03d", clip.theme)};
    c.originality = feed::ComputeOriginality(originality).value;
    c.is_copy = feed::IsCopy(originality);
    w.copies += c.is_copy;
    if (c.is_copy != (clip.role == Role::kCopycat || clip.role == Role::kRepost)) {
      Fail("IsCopy disagrees with the planted roles");
    }
    if (!c.is_copy) sources.push_back(static_cast<uint32_t>(i));
    w.by_theme[clip.theme].push_back(static_cast<uint32_t>(i));
    w.by_creator[clip.creator].push_back(static_cast<uint32_t>(i));
  }

  // Users: 2-3 themes, 1-5 followed creators (70% from their themes).
  w.users.resize(static_cast<size_t>(f.users));
  for (size_t u = 0; u < w.users.size(); ++u) {
    User& user = w.users[u];
    const size_t k = Unit(rng) < 0.5 ? 2 : 3;
    for (int tries = 0; user.themes.size() < k && tries < 100; ++tries) {
      const uint32_t t = theme_draw(rng);
      if (std::find(user.themes.begin(), user.themes.end(), t) == user.themes.end()) user.themes.push_back(t);
    }
    const size_t follows = 1 + static_cast<size_t>(Unit(rng) * 5);
    for (size_t j = 0; j < follows; ++j) {
      const bool in_themes = Unit(rng) < 0.7;
      uint32_t c = creator_draw(rng);
      for (int tries = 0; in_themes && tries < 50; ++tries, c = creator_draw(rng)) {
        if (std::find(user.themes.begin(), user.themes.end(), home[c]) != user.themes.end()) break;
      }
      if (std::find(user.follows.begin(), user.follows.end(), c) == user.follows.end()) user.follows.push_back(c);
    }
    for (int64_t s = 0; s < f.sessions_per_user; ++s) {
      w.sessions.push_back({total_hours * (0.1 + 0.9 * Unit(rng)), static_cast<uint32_t>(u), static_cast<uint32_t>(s)});
    }
  }
  std::stable_sort(w.sessions.begin(), w.sessions.end(),
                   [](const Session& a, const Session& b) { return a.hours < b.hours; });
  // A user's sessions numbered in time order.
  std::vector<uint32_t> seen(w.users.size(), 0);
  for (Session& s : w.sessions) s.index = seen[s.user]++;
  return w;
}

// ---------------------------------------------------------------------------
// Requests: the candidates, the same for every ranker
// ---------------------------------------------------------------------------

struct Pick {
  uint32_t clip;
  CandidateSource source;
};

class RequestSampler {
 public:
  explicit RequestSampler(const World& w) : w_(w), stamp_(w.clips.size(), 0) {}

  std::vector<Pick> Sample(const User& user, double hours, size_t cap, std::mt19937_64& rng) {
    ++request_;
    picks_.clear();
    cap_ = cap;
    const double scale = static_cast<double>(cap) / 2000.0;
    const auto quota = [&](double k) { return static_cast<size_t>(std::llround(k * scale)); };
    // The clips published so far are a prefix of the catalogue.
    const size_t published =
        static_cast<size_t>(std::upper_bound(w_.clips.begin(), w_.clips.end(), hours,
                                             [](double h, const Clip& c) { return h < c.hours; }) -
                            w_.clips.begin());
    for (const uint32_t creator : user.follows) {
      const std::vector<uint32_t>& list = w_.by_creator[creator];
      TakeRange(list, bench::FirstAtOrAfter(w_, list, hours - 72), bench::FirstAtOrAfter(w_, list, hours), quota(300) / 3,
                CandidateSource::kFollowing, rng);
    }
    for (const uint32_t theme : user.themes) {
      const std::vector<uint32_t>& list = w_.by_theme[theme];
      const size_t now = bench::FirstAtOrAfter(w_, list, hours), recent = bench::FirstAtOrAfter(w_, list, hours - 48);
      TakeRange(list, recent, now, quota(900) / user.themes.size(), CandidateSource::kTheme, rng);
      TakeRange(list, 0, recent, quota(150) / user.themes.size(), CandidateSource::kTheme, rng);
    }
    TakeCatalogue(FirstPublishedAtOrAfter(hours - 24, published), published, quota(300), CandidateSource::kTrending, rng);
    TakeCatalogue(0, published, quota(150), CandidateSource::kEchoed, rng);
    TakeCatalogue(FirstPublishedAtOrAfter(hours - 12, published), published, quota(200), CandidateSource::kExploration, rng);
    return picks_;
  }

 private:
  size_t FirstPublishedAtOrAfter(double hours, size_t published) const {
    return static_cast<size_t>(std::lower_bound(w_.clips.begin(), w_.clips.begin() + static_cast<ptrdiff_t>(published),
                                                hours, [](const Clip& c, double h) { return c.hours < h; }) -
                               w_.clips.begin());
  }

  void Add(uint32_t clip, CandidateSource source) {
    if (picks_.size() >= cap_ || stamp_[clip] == request_) return;
    stamp_[clip] = request_;
    picks_.push_back({clip, source});
  }

  // Up to `count` of list[from, to), uniformly without repeats.
  void TakeRange(const std::vector<uint32_t>& list, size_t from, size_t to, size_t count, CandidateSource source,
                 std::mt19937_64& rng) {
    if (to <= from) return;
    if (to - from <= count) {
      for (size_t i = from; i < to; ++i) Add(list[i], source);
      return;
    }
    const size_t want = std::min(picks_.size() + count, cap_);
    for (size_t tries = 0; picks_.size() < want && tries < 4 * count; ++tries) {
      Add(list[from + static_cast<size_t>(Unit(rng) * static_cast<double>(to - from))], source);
    }
  }

  void TakeCatalogue(size_t from, size_t to, size_t count, CandidateSource source, std::mt19937_64& rng) {
    if (to <= from) return;
    const size_t want = std::min(picks_.size() + std::min(count, to - from), cap_);
    for (size_t tries = 0; picks_.size() < want && tries < 4 * count; ++tries) {
      Add(static_cast<uint32_t>(from + static_cast<size_t>(Unit(rng) * static_cast<double>(to - from))), source);
    }
  }

  const World& w_;
  std::vector<uint64_t> stamp_;
  uint64_t request_ = 0;
  size_t cap_ = 0;
  std::vector<Pick> picks_;
};

// ---------------------------------------------------------------------------
// Rankers and the simulation
// ---------------------------------------------------------------------------

enum class Ranker : uint8_t { kEngagement, kEngagementDecay, kRankPage };
constexpr size_t kRankers = 3;
constexpr const char* kRankerNames[kRankers] = {"baseline: engagement x freshness", "baseline + author decay",
                                                "`RankPage` (defaults)"};

struct Counters {
  int64_t impressions = 0, satisfied = 0, likes = 0, forks = 0, shares = 0, skips = 0, hides = 0;
  void Add(const Counters& o) {
    impressions += o.impressions;
    satisfied += o.satisfied;
    likes += o.likes;
    forks += o.forks;
    shares += o.shares;
    skips += o.skips;
    hides += o.hides;
  }
};

struct Metrics {
  int64_t impressions = 0, copy_impressions = 0, satisfied = 0, pages = 0, short_pages = 0, repeats = 0;
  int64_t copies_shown = 0, copies_after_original = 0;
  double near_duplicate_pairs = 0, diversity = 0;
  std::vector<int64_t> clip_impressions, creator_impressions;
  std::vector<int64_t> wave_window, wave_cluster;  // per wave: impressions in its peak window, to its cluster
  uint64_t checksum = 0xcbf29ce484222325u;
  double seconds = 0;

  double CopyShare() const { return static_cast<double>(copy_impressions) / static_cast<double>(impressions); }
  double OriginalFirst() const {
    return copies_shown == 0 ? 1.0 : static_cast<double>(copies_after_original) / static_cast<double>(copies_shown);
  }
  double PairsPerPage() const { return near_duplicate_pairs / static_cast<double>(pages); }
  double TrendShare() const {
    double sum = 0;
    for (size_t k = 0; k < wave_window.size(); ++k) {
      sum += wave_window[k] == 0 ? 0 : static_cast<double>(wave_cluster[k]) / static_cast<double>(wave_window[k]);
    }
    return wave_window.empty() ? 0 : sum / static_cast<double>(wave_window.size());
  }
  double Diversity() const { return diversity / static_cast<double>(pages); }
  double Coverage() const {
    int64_t shown = 0;
    for (const int64_t i : clip_impressions) shown += i > 0;
    return static_cast<double>(shown) / static_cast<double>(clip_impressions.size());
  }
  double CreatorGini() const {
    std::vector<int64_t> x = creator_impressions;
    std::sort(x.begin(), x.end());
    double weighted = 0, total = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      weighted += static_cast<double>(i + 1) * static_cast<double>(x[i]);
      total += static_cast<double>(x[i]);
    }
    const double m = static_cast<double>(x.size());
    return 2 * weighted / (m * total) - (m + 1) / m;
  }
  double Novelty() const {
    double bits = 0;
    for (const int64_t i : clip_impressions) {
      if (i > 0) bits -= static_cast<double>(i) * std::log2(static_cast<double>(i) / static_cast<double>(impressions));
    }
    return bits / static_cast<double>(impressions);
  }
  double Satisfaction() const { return static_cast<double>(satisfied) / static_cast<double>(impressions); }
};

// What a user has seen: content across sessions, and this session's
// prompt clusters, fork trees, creators and themes.
struct UserMemory {
  absl::flat_hash_set<uint32_t> content;  // Clip::content of every clip shown
  absl::flat_hash_set<uint32_t> shown;    // clips shown, any session
};
struct SessionMemory {
  absl::flat_hash_set<std::string> served;
  absl::flat_hash_map<uint64_t, int> clusters;
  absl::flat_hash_map<std::string, int> trees;
  absl::flat_hash_map<uint32_t, int> creators, themes;
};

Metrics Simulate(const World& w, const Flags& f, Ranker ranker, absl::Time start) {
  const auto wall_begin = absl::Now();
  Metrics m;
  m.clip_impressions.assign(w.clips.size(), 0);
  m.creator_impressions.assign(static_cast<size_t>(f.creators), 0);
  m.wave_window.assign(w.waves.size(), 0);
  m.wave_cluster.assign(w.waves.size(), 0);
  std::vector<Counters> counters(w.clips.size()), pending(w.clips.size());
  std::vector<uint32_t> touched;
  const auto flush = [&] {
    for (const uint32_t c : touched) {
      counters[c].Add(pending[c]);
      pending[c] = Counters{};
    }
    touched.clear();
  };
  std::vector<UserMemory> users(w.users.size());
  RequestSampler sampler(w);
  std::vector<Candidate> candidates;
  std::vector<feed::ScoredItem> items;
  std::vector<uint32_t> page;
  const size_t page_size = static_cast<size_t>(f.page_size);
  int64_t hour = -1;
  for (const Session& session : w.sessions) {
    const int64_t session_hour = static_cast<int64_t>(std::floor(session.hours));
    if (session_hour != hour) {
      flush();  // the counters learn what the last hour's users did
      hour = session_hour;
    }
    const User& user = w.users[session.user];
    UserMemory& memory = users[session.user];
    SessionMemory seen;
    for (int64_t p = 0; p < f.pages_per_session; ++p) {
      const double hours = session.hours + 0.05 * static_cast<double>(p);  // 3 minutes a page
      const absl::Time now = start + absl::Hours(hours);
      std::mt19937_64 request_rng(Mix(f.seed, {1, session.user, session.index, static_cast<uint64_t>(p)}));
      const std::vector<Pick> picks = sampler.Sample(user, hours, static_cast<size_t>(f.candidates), request_rng);
      candidates.resize(picks.size());
      for (size_t i = 0; i < picks.size(); ++i) {
        Candidate& c = candidates[i];
        c = w.clips[picks[i].clip].base;
        const Counters& k = counters[picks[i].clip];
        c.impressions = k.impressions;
        c.satisfied_views = k.satisfied;
        c.likes = k.likes;
        c.forks = k.forks;
        c.shares = k.shares;
        c.skips = k.skips;
        c.hides = k.hides;
        c.source = picks[i].source;
      }
      const auto excluded = [&](const Candidate& c) { return seen.served.contains(c.clip_id); };
      page.clear();
      const auto index_of = [&](const Candidate* c) {
        return picks[static_cast<size_t>(c - candidates.data())].clip;
      };
      switch (ranker) {
        case Ranker::kEngagement:
          for (const Candidate* c : EngagementOnlyRanker(candidates, now, page_size, excluded)) {
            page.push_back(index_of(c));
          }
          break;
        case Ranker::kEngagementDecay:
          items.clear();
          for (const Candidate& c : candidates) {
            if (excluded(c)) continue;
            feed::ScoredItem item;
            item.candidate = &c;
            item.breakdown.SetFactor(feed::kQualityFactor, EngagementQuality(c));
            item.breakdown.SetFactor(feed::kFreshnessFactor, EngagementFreshness(c, now));
            items.push_back(item);
          }
          feed::ApplyAuthorDecay(items);
          for (size_t i = 0; i < std::min(page_size, items.size()); ++i) page.push_back(index_of(items[i].candidate));
          break;
        case Ranker::kRankPage: {
          feed::ScoringContext context;
          context.now = now;
          feed::RankParams params;
          params.page_size = page_size;
          params.exploration_seed = Mix(f.seed, {2, session.user, session.index, static_cast<uint64_t>(p)});
          for (const feed::ScoredItem& item : feed::RankPage(candidates, context, excluded, params).items) {
            page.push_back(index_of(item.candidate));
          }
          break;
        }
      }

      // What the page holds.
      ++m.pages;
      m.short_pages += page.size() < page_size;
      double distance = 0, pairs = 0;
      for (size_t i = 0; i < page.size(); ++i) {
        const Candidate& a = w.clips[page[i]].base;
        for (size_t j = i + 1; j < page.size(); ++j) {
          const Candidate& b = w.clips[page[j]].base;
          distance += 1 - EmbeddingCosine(a.embedding, b.embedding);
          pairs += 1;
          m.near_duplicate_pairs += a.prompt_cluster_id == b.prompt_cluster_id || a.fork_root_id == b.fork_root_id;
        }
      }
      m.diversity += pairs == 0 ? 0 : distance / pairs;
      m.checksum = (m.checksum ^ (0xff00000000u | static_cast<uint64_t>(page.size()))) * 0x100000001b3u;
      for (const uint32_t clip : page) m.checksum = (m.checksum ^ clip) * 0x100000001b3u;

      // The user watches the page, top to bottom.
      std::mt19937_64 react(Mix(f.seed, {3, session.user, session.index, static_cast<uint64_t>(p)}));
      for (const uint32_t index : page) {
        const Clip& clip = w.clips[index];
        const Candidate& c = clip.base;
        double draws[6];
        for (double& d : draws) d = Unit(react);
        if (!seen.served.insert(c.clip_id).second) ++m.repeats;
        ++m.impressions;
        m.copy_impressions += c.is_copy;
        ++m.clip_impressions[index];
        ++m.creator_impressions[clip.creator];
        for (size_t k = 0; k < w.waves.size(); ++k) {
          const double since = hours - w.waves[k].onset_hours;
          if (since >= kWavePeakBegin && since < kWavePeakEnd) {
            ++m.wave_window[k];
            m.wave_cluster[k] += c.prompt_cluster_id == w.waves[k].cluster;
          }
        }
        if ((clip.role == Role::kCopycat || clip.role == Role::kRepost) && !memory.shown.contains(index)) {
          ++m.copies_shown;
          m.copies_after_original += memory.shown.contains(clip.copy_of);
        }

        const bool interested =
            std::find(user.themes.begin(), user.themes.end(), clip.theme) != user.themes.end() ||
            std::find(user.follows.begin(), user.follows.end(), clip.creator) != user.follows.end();
        double boredom = 1;
        if (memory.content.contains(clip.content)) boredom *= 0.05;
        const auto count = [](const auto& map, const auto& key) {
          const auto it = map.find(key);
          return it == map.end() ? 0 : it->second;
        };
        boredom *= std::pow(0.35, count(seen.clusters, c.prompt_cluster_id));
        boredom *= std::pow(0.6, count(seen.trees, c.fork_root_id));
        boredom *= std::pow(0.75, count(seen.creators, clip.creator));
        boredom *= std::pow(0.95, count(seen.themes, clip.theme));
        const double p_satisfied = clip.quality * (0.35 + 0.65 * (interested ? 1.0 : 0.3)) * boredom;

        Counters& k = pending[index];
        if (k.impressions == 0) touched.push_back(index);
        ++k.impressions;
        if (draws[0] < p_satisfied) {
          ++k.satisfied;
          ++m.satisfied;
          k.likes += draws[1] < 0.3 * clip.quality;
          k.shares += draws[2] < 0.06 * clip.quality;
          k.forks += draws[3] < 0.03 * clip.quality;
        } else {
          k.skips += draws[4] < 0.85;
          k.hides += draws[5] < 0.01 + 0.04 * (1 - boredom);
        }
        // Seen: every copy of this content reads as seen from now on.
        memory.content.insert(clip.content);
        memory.shown.insert(index);
        ++seen.clusters[c.prompt_cluster_id];
        ++seen.trees[c.fork_root_id];
        ++seen.creators[clip.creator];
        ++seen.themes[clip.theme];
      }
    }
  }
  // The Gini is over the creators who published something.
  std::vector<int64_t> publishing;
  for (size_t c = 0; c < m.creator_impressions.size(); ++c) {
    if (!w.by_creator[c].empty()) publishing.push_back(m.creator_impressions[c]);
  }
  m.creator_impressions = std::move(publishing);
  m.seconds = absl::ToDoubleSeconds(absl::Now() - wall_begin);
  return m;
}

// ---------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------

enum class Goal : uint8_t { kNone, kRatioAtMost, kRatioAtLeast, kAtLeast, kLowerBy };

struct Row {
  std::string name;
  double (Metrics::*value)() const = nullptr;
  const char* format;
  Goal goal;
  double target;
  std::string goal_text;
};

std::string Table(const std::vector<Metrics>& m) {
  std::string out = absl::StrFormat(
      "| metric | %s | %s | %s | RankPage / baseline | goal (RankPage against the baseline) | |\n"
      "|---|---|---|---|---|---|---|\n",
      kRankerNames[0], kRankerNames[1], kRankerNames[2]);
  const std::vector<Row> rows = {
      {"copycat impression share", &Metrics::CopyShare, "%.4f", Goal::kRatioAtMost, 0.25, "<= 0.25x"},
      {"original before copy", &Metrics::OriginalFirst, "%.3f", Goal::kAtLeast, 0.95, ">= 0.95"},
      {"near-duplicate pairs per page", &Metrics::PairsPerPage, "%.3f", Goal::kNone, 0, "lower is better"},
      {"trend-wave share at peak", &Metrics::TrendShare, "%.4f", Goal::kRatioAtMost, 0.5, "<= 0.5x"},
      {"intra-list diversity", &Metrics::Diversity, "%.3f", Goal::kRatioAtLeast, 1.2, ">= 1.2x"},
      {"catalog coverage", &Metrics::Coverage, "%.3f", Goal::kRatioAtLeast, 1.5, ">= 1.5x"},
      {"creator-exposure Gini", &Metrics::CreatorGini, "%.3f", Goal::kLowerBy, 0.10, "at least 0.10 lower"},
      {"novelty (bits)", &Metrics::Novelty, "%.2f", Goal::kNone, 0, "higher is more novel"},
      {"satisfaction (satisfied views per impression)", &Metrics::Satisfaction, "%.4f", Goal::kRatioAtLeast, 0.95,
       ">= 0.95x"},
  };
  const auto verdict = [](bool met) { return met ? "met" : "NOT met"; };
  for (const Row& row : rows) {
    const double base = (m[0].*row.value)(), ours = (m[2].*row.value)();
    const double ratio = base == 0 ? 0 : ours / base;
    std::string check;
    switch (row.goal) {
      case Goal::kNone: check = ""; break;
      case Goal::kRatioAtMost: check = verdict(ratio <= row.target); break;
      case Goal::kRatioAtLeast: check = verdict(ratio >= row.target); break;
      case Goal::kAtLeast: check = verdict(ours >= row.target); break;
      case Goal::kLowerBy: check = verdict(ours <= base - row.target); break;
    }
    const std::string ratio_text =
        row.goal == Goal::kLowerBy ? absl::StrFormat("%+.3f", ours - base) : absl::StrFormat("%.2fx", ratio);
    out += absl::StrCat("| ", row.name, " | ", absl::StrFormat(row.format, base), " | ",
                        absl::StrFormat(row.format, (m[1].*row.value)()), " | ", absl::StrFormat(row.format, ours),
                        " | ", ratio_text, " | ", row.goal_text, " | ", check, " |\n");
  }
  out += absl::StrFormat("| in-session repeats | %d | %d | %d | | 0 (all three exclude the session's clips) | %s |\n",
                         m[0].repeats, m[1].repeats, m[2].repeats,
                         verdict(m[0].repeats == 0 && m[1].repeats == 0 && m[2].repeats == 0));
  return out;
}

}  // namespace
}  // namespace clipforge::bench

int main(int argc, char** argv) {
  using namespace clipforge;
  using namespace clipforge::bench;
  const absl::Time run_begin = absl::Now();
  const Flags flags = ParseFlags(argc, argv);
  const absl::Time end = absl::FromUnixSeconds(1'796'601'600);  // 2026-12-07
  const absl::Time start = end - absl::Hours(flags.days * 24);
  const World world = MakeWorld(flags, start);

  std::array<size_t, kRoles> roles{};
  std::array<double, kRoles> originality{};
  for (const Clip& clip : world.clips) {
    ++roles[static_cast<size_t>(clip.role)];
    originality[static_cast<size_t>(clip.role)] += clip.base.originality;
  }
  std::string world_line;
  for (size_t r = 0; r < kRoles; ++r) {
    world_line += absl::StrFormat("%s%s %d (mean O %.2f)", r == 0 ? "" : ", ", kRoleNames[r], roles[r],
                                  roles[r] == 0 ? 0.0 : originality[r] / static_cast<double>(roles[r]));
  }

  std::vector<Metrics> metrics;
  for (size_t r = 0; r < kRankers; ++r) {
    metrics.push_back(Simulate(world, flags, static_cast<Ranker>(r), start));
    std::fprintf(stderr, "feed_eval_bench: %s: %.1f s\n", kRankerNames[r], metrics.back().seconds);
  }
  for (const Metrics& m : metrics) {
    if (m.repeats != 0) Fail("a ranker served a clip twice in one session (its exclusion was ignored)");
  }
  const Metrics& ours = metrics[2];
  uint64_t checksum = 0;
  for (const Metrics& m : metrics) checksum = checksum * 0x100000001b3u ^ m.checksum;

  // The most a page of n can reach: mean pairwise cosine >= -1/(n-1).
  const double diversity_ceiling =
      flags.page_size > 1 ? 1.0 + 1.0 / static_cast<double>(flags.page_size - 1) : 1.0;
  const std::string report = absl::StrFormat(
      "## Feed offline evaluation: RankPage against engagement x freshness\n\n"
      "Measured %s, one thread, %.0f s for the whole run (%.1f s baseline, %.1f s with author decay, %.1f s "
      "`RankPage`). `bench/feed_eval_bench.cc` documents the world, the user model and each metric; rerun it on "
      "another world with its flags. This run:\n\n`%s`\n\n"
      "World: %d clips (%s; %d copies by `IsCopy`), %d creators, %d themes, %d trend waves, %d users, %d sessions, "
      "%d pages of %d (%d short), %d impressions a ranker. Each request gets at most %d candidates from the clips "
      "published so far (following, themes, trending, echoed, exploration); every ranker excludes the clips "
      "already served in the session. Checksum of the pages served: %016x (the same flags give the same "
      "figures).\n\n%s\n"
      "Ratios are `RankPage`'s figure over the baseline's (for the Gini, the difference). Original before copy "
      "counts, for each planted copy a user was shown, whether that user had been shown its original earlier "
      "(1 when no copy was shown: %d, %d and %d were). Satisfaction is the simulated user's, not a measured "
      "one: it rewards quality and interest and punishes repetition as the file comment says, so it tells "
      "which ranker this user model prefers, no more. Coverage: the baseline already shows %.0f%% of the "
      "clips here (%.0f impressions a clip), so no ranker can reach 1.5x its coverage on this world (at most "
      "%.2fx), and `RankPage` keeps the copies (%.0f%% of the clips) off its pages by design. Diversity: for n "
      "unit vectors the mean pairwise cosine is at least -1/(n-1) (the squared norm of their sum is never "
      "negative), so a page of %d has a mean pairwise 1 - cos of at most %.3f; the baseline's %.3f already "
      "leaves at most %.2fx, short of 1.2x on any world where the baseline's pages are this varied.\n",
      MachineLine(), absl::ToDoubleSeconds(absl::Now() - run_begin), metrics[0].seconds, metrics[1].seconds,
      ours.seconds, FlagsLine(flags), flags.clips, world_line, world.copies, flags.creators, flags.themes,
      world.waves.size(), flags.users, world.sessions.size(), ours.pages, flags.page_size, ours.short_pages,
      ours.impressions, flags.candidates, checksum, Table(metrics), metrics[0].copies_shown,
      metrics[1].copies_shown, metrics[2].copies_shown, 100 * metrics[0].Coverage(),
      static_cast<double>(ours.impressions) / static_cast<double>(flags.clips), 1 / metrics[0].Coverage(),
      100 * static_cast<double>(world.copies) / static_cast<double>(flags.clips), flags.page_size,
      diversity_ceiling, metrics[0].Diversity(), diversity_ceiling / metrics[0].Diversity());
  std::fputs(report.c_str(), stdout);
  if (!flags.report.empty()) WriteReportSection(flags.report, "feed_eval", report);
  return 0;
}
