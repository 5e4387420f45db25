#include "moderation/policy.h"

#include <algorithm>
#include <array>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "base/validation.h"
#include "moderation/normalizer.h"

namespace clipforge::moderation {
namespace {

constexpr unsigned kRegexFlags =
    HS_FLAG_UTF8 | HS_FLAG_UCP | HS_FLAG_CASELESS | HS_FLAG_SOM_LEFTMOST;
// Words and phrases are byte literals over case-folded text: one match each
// is all a verdict needs.
constexpr unsigned kLiteralFlags = HS_FLAG_SINGLEMATCH;

std::atomic<uint64_t> next_generation{1};

absl::Status RuleError(int64_t id, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat("rule ", id, ": ", reason));
}

// The first and last code points of valid UTF-8 `text` (not empty).
std::pair<char32_t, char32_t> Ends(std::string_view text) {
  char32_t first = 0, last = 0;
  base::DecodeUtf8(absl::string_view(text.data(), text.size()), 0, first);
  size_t i = text.size() - 1;
  while (i > 0 && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) --i;
  base::DecodeUtf8(absl::string_view(text.data(), text.size()), i, last);
  return {first, last};
}

// A Hyperscan expression matching exactly the bytes of `literal`.
std::string EscapeLiteral(std::string_view literal) {
  std::string out;
  out.reserve(literal.size() * 2);
  for (const char c : literal) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      out.push_back(c);
    } else {
      absl::StrAppendFormat(&out, "\\x%02x", static_cast<unsigned char>(c));
    }
  }
  return out;
}

absl::Status CheckFields(const Rule& rule) {
  if (rule.id <= 0) return RuleError(rule.id, "id must be positive");
  if (rule.pattern.empty()) return RuleError(rule.id, "pattern is empty");
  if (rule.pattern.size() > kMaxPatternBytes) {
    return RuleError(rule.id, absl::StrCat("pattern is longer than ", kMaxPatternBytes, " bytes"));
  }
  if (!base::Utf8Length(absl::string_view(rule.pattern.data(), rule.pattern.size())).has_value()) {
    return RuleError(rule.id, "pattern is not valid UTF-8");
  }
  if (rule.kind != Rule::kWord && rule.kind != Rule::kPhrase && rule.kind != Rule::kRegex) {
    return RuleError(rule.id, "unknown kind");
  }
  if (rule.category.empty()) return RuleError(rule.id, "category is empty");
  if (rule.severity < 1 || rule.severity > 5) return RuleError(rule.id, "severity must be 1 to 5");
  if (rule.action != Rule::kAllow && rule.action != Rule::kReview && rule.action != Rule::kBlock) {
    return RuleError(rule.id, "unknown action");
  }
  for (const std::string& locale : rule.locales) {
    if (locale.empty() || locale.size() > 35 ||
        !std::all_of(locale.begin(), locale.end(),
                     [](char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-'; })) {
      return RuleError(rule.id, absl::StrCat("locale \"", locale, "\" is not a BCP 47 tag"));
    }
  }
  return absl::OkStatus();
}

// What one rule compiles to.
struct Expression {
  std::string text;
  unsigned flags = 0;
  uint32_t literal_length = 0;
  bool leading_space = false;
  bool trailing_space = false;
};

absl::StatusOr<Expression> ExpressionFor(const Rule& rule) {
  if (absl::Status status = CheckFields(rule); !status.ok()) return status;
  Expression out;
  if (rule.kind == Rule::kRegex) {
    out.text = rule.pattern;
    out.flags = kRegexFlags;
    return out;
  }
  absl::StatusOr<Normalized> normalized = Normalize(rule.pattern);
  if (!normalized.ok()) return RuleError(rule.id, normalized.status().message());
  const std::string& words = normalized->text;
  if (words.empty()) return RuleError(rule.id, "pattern has no letters or digits");
  if (rule.kind == Rule::kWord && words.find(' ') != std::string::npos) {
    return RuleError(rule.id, absl::StrCat("a word rule must be one word (normalized: \"", words,
                                           "\"); use a phrase"));
  }
  const auto [first, last] = Ends(words);
  out.leading_space = !IsUnspacedScript(first);
  out.trailing_space = !IsUnspacedScript(last);
  std::string literal = absl::StrCat(out.leading_space ? " " : "", words, out.trailing_space ? " " : "");
  out.literal_length = static_cast<uint32_t>(literal.size());
  out.text = EscapeLiteral(literal);
  out.flags = kLiteralFlags;
  return out;
}

bool LocaleApplies(const std::vector<std::string>& rule_locales, std::string_view locale) {
  if (rule_locales.empty()) return true;
  for (const std::string& tag : rule_locales) {
    if (locale.size() < tag.size()) continue;
    if (!absl::EqualsIgnoreCase(absl::string_view(locale.data(), tag.size()), tag)) continue;
    if (locale.size() == tag.size() || locale[tag.size()] == '-') return true;
  }
  return false;
}

// One thread's scan state: the Hyperscan scratch (grown to fit every
// database this thread has scanned with) and reusable buffers.
struct ThreadScan {
  hs_scratch_t* scratch = nullptr;
  // The generations of the policies `scratch` is known to fit, most recent
  // first. Hyperscan grows a scratch to fit each database it is allocated
  // for and it keeps fitting the earlier ones, so a thread that alternates
  // between a few policies (a base and a delta layer) allocates once per
  // policy, not once per check.
  std::array<uint64_t, 4> fits{};
  std::vector<uint32_t> seen;  // Per rule index: the epoch in which it last matched.
  uint32_t epoch = 0;
  struct Raw {
    uint32_t index;
    uint32_t from, to;  // In the padded text.
  };
  std::vector<Raw> raw;
  Normalized normalized;
  std::string padded;

  ~ThreadScan() {
    if (scratch != nullptr) hs_free_scratch(scratch);
  }
};

ThreadScan& CurrentThreadScan() {
  thread_local ThreadScan scan;
  return scan;
}

struct ScanContext {
  ThreadScan* scan;
};

int OnMatch(unsigned int id, unsigned long long from, unsigned long long to, unsigned int /*flags*/,
            void* context) {
  ThreadScan& scan = *static_cast<ScanContext*>(context)->scan;
  if (scan.seen[id] == scan.epoch) return 0;
  scan.seen[id] = scan.epoch;
  scan.raw.push_back({id, static_cast<uint32_t>(from), static_cast<uint32_t>(to)});
  return 0;
}

}  // namespace

absl::Status ValidateRule(const Rule& rule) {
  absl::StatusOr<Expression> expression = ExpressionFor(rule);
  if (!expression.ok()) return expression.status();
  hs_database_t* database = nullptr;
  hs_compile_error_t* error = nullptr;
  if (hs_compile(expression->text.c_str(), expression->flags, HS_MODE_BLOCK, nullptr, &database, &error) !=
      HS_SUCCESS) {
    absl::Status status = RuleError(rule.id, error != nullptr ? error->message : "does not compile");
    hs_free_compile_error(error);
    return status;
  }
  hs_free_database(database);
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const CompiledPolicy>> CompiledPolicy::Compile(std::vector<Rule> rules,
                                                                               int64_t version) {
  std::vector<Compiled> compiled;
  compiled.reserve(rules.size());
  std::vector<std::string> texts;
  texts.reserve(rules.size());
  std::vector<unsigned> flags;
  flags.reserve(rules.size());
  absl::flat_hash_set<int64_t> ids;
  ids.reserve(rules.size());
  for (Rule& rule : rules) {
    if (!ids.insert(rule.id).second) return RuleError(rule.id, "id is used by another rule");
    absl::StatusOr<Expression> expression = ExpressionFor(rule);
    if (!expression.ok()) return expression.status();
    texts.push_back(std::move(expression->text));
    flags.push_back(expression->flags);
    compiled.push_back(Compiled{.rule = std::move(rule),
                                .literal_length = expression->literal_length,
                                .leading_space = expression->leading_space,
                                .trailing_space = expression->trailing_space});
  }
  if (compiled.empty()) {
    return std::shared_ptr<const CompiledPolicy>(new CompiledPolicy({}, version, nullptr, nullptr));
  }
  std::vector<const char*> expressions;
  std::vector<unsigned> pattern_ids;
  expressions.reserve(texts.size());
  pattern_ids.reserve(texts.size());
  for (size_t i = 0; i < texts.size(); ++i) {
    expressions.push_back(texts[i].c_str());
    pattern_ids.push_back(static_cast<unsigned>(i));
  }
  hs_database_t* database = nullptr;
  hs_compile_error_t* error = nullptr;
  if (hs_compile_multi(expressions.data(), flags.data(), pattern_ids.data(),
                       static_cast<unsigned>(expressions.size()), HS_MODE_BLOCK, nullptr, &database,
                       &error) != HS_SUCCESS) {
    const std::string message = error != nullptr ? error->message : "unknown error";
    const int index = error != nullptr ? error->expression : -1;
    hs_free_compile_error(error);
    if (index >= 0 && static_cast<size_t>(index) < compiled.size()) {
      return RuleError(compiled[static_cast<size_t>(index)].rule.id, message);
    }
    return absl::InvalidArgumentError(absl::StrCat("the policy does not compile: ", message));
  }
  hs_scratch_t* prototype = nullptr;
  if (hs_alloc_scratch(database, &prototype) != HS_SUCCESS) {
    hs_free_database(database);
    return absl::ResourceExhaustedError("cannot allocate Hyperscan scratch space");
  }
  return std::shared_ptr<const CompiledPolicy>(
      new CompiledPolicy(std::move(compiled), version, database, prototype));
}

CompiledPolicy::CompiledPolicy(std::vector<Compiled> rules, int64_t version, hs_database_t* database,
                               hs_scratch_t* prototype)
    : rules_(std::move(rules)),
      version_(version),
      generation_(next_generation.fetch_add(1, std::memory_order_relaxed)),
      database_(database),
      prototype_(prototype) {}

CompiledPolicy::~CompiledPolicy() {
  if (prototype_ != nullptr) hs_free_scratch(prototype_);
  if (database_ != nullptr) hs_free_database(database_);
}

size_t CompiledPolicy::database_bytes() const {
  size_t size = 0;
  if (database_ != nullptr) hs_database_size(database_, &size);
  return size;
}

size_t CompiledPolicy::scratch_bytes() const {
  size_t size = 0;
  if (prototype_ != nullptr) hs_scratch_size(prototype_, &size);
  return size;
}

absl::StatusOr<Verdict> CompiledPolicy::Check(std::string_view text, CheckContext /*context*/,
                                              std::string_view locale) const {
  if (text.size() > kMaxCheckedTextBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("text: longer than ", kMaxCheckedTextBytes, " bytes (", text.size(), ")"));
  }
  ThreadScan& scan = CurrentThreadScan();
  if (absl::Status status = NormalizeInto(text, scan.normalized); !status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("text: ", status.message()));
  }
  Verdict verdict;
  if (database_ == nullptr) return verdict;

  if (std::find(scan.fits.begin(), scan.fits.end(), generation_) == scan.fits.end()) {
    const hs_error_t grown = scan.scratch == nullptr ? hs_clone_scratch(prototype_, &scan.scratch)
                                                     : hs_alloc_scratch(database_, &scan.scratch);
    if (grown != HS_SUCCESS) return absl::ResourceExhaustedError("cannot allocate Hyperscan scratch space");
    std::copy_backward(scan.fits.begin(), scan.fits.end() - 1, scan.fits.end());
    scan.fits[0] = generation_;
  }
  if (scan.seen.size() < rules_.size()) scan.seen.resize(rules_.size(), 0);
  if (++scan.epoch == 0) {
    std::fill(scan.seen.begin(), scan.seen.end(), 0);
    scan.epoch = 1;
  }
  scan.raw.clear();
  const std::string& normalized = scan.normalized.text;
  scan.padded.clear();
  scan.padded.reserve(normalized.size() + 2);
  scan.padded.push_back(' ');
  scan.padded.append(normalized);
  scan.padded.push_back(' ');
  ScanContext context{&scan};
  if (hs_scan(database_, scan.padded.data(), static_cast<unsigned>(scan.padded.size()), 0, scan.scratch,
              OnMatch, &context) != HS_SUCCESS) {
    return absl::InternalError("Hyperscan scan failed");
  }

  const size_t n = normalized.size();
  for (const ThreadScan::Raw& raw : scan.raw) {
    const Compiled& compiled = rules_[raw.index];
    const Rule& rule = compiled.rule;
    if (!LocaleApplies(rule.locales, locale)) continue;
    size_t from = raw.from, to = raw.to;
    if (rule.kind != Rule::kRegex) {
      from = to - compiled.literal_length;
      if (compiled.leading_space) ++from;
      if (compiled.trailing_space) --to;
    }
    // Padded offsets to normalized ones, the padding clipped off.
    const size_t b = std::min(std::max<size_t>(from, 1) - 1, n);
    const size_t e = std::max(std::min(to, n + 1), size_t{1}) - 1;
    const auto [ob, oe] = scan.normalized.OriginalSpan(b, std::max(b, e));
    verdict.matches.push_back(Match{.rule_id = rule.id,
                                    .category = rule.category,
                                    .severity = rule.severity,
                                    .action = rule.action,
                                    .original_begin = ob,
                                    .original_end = oe});
    verdict.decision = std::max(verdict.decision, rule.action);
  }
  std::sort(verdict.matches.begin(), verdict.matches.end(), [](const Match& a, const Match& b) {
    return std::tie(a.original_begin, a.rule_id) < std::tie(b.original_begin, b.rule_id);
  });
  std::vector<const Match*> by_severity;
  by_severity.reserve(verdict.matches.size());
  for (const Match& match : verdict.matches) by_severity.push_back(&match);
  std::stable_sort(by_severity.begin(), by_severity.end(),
                   [](const Match* a, const Match* b) { return a->severity > b->severity; });
  for (const Match* match : by_severity) {
    if (std::find(verdict.categories.begin(), verdict.categories.end(), match->category) ==
        verdict.categories.end()) {
      verdict.categories.push_back(match->category);
    }
  }
  return verdict;
}

PolicyHolder::PolicyHolder(std::shared_ptr<const CompiledPolicy> initial) : current_(std::move(initial)) {}

std::shared_ptr<const CompiledPolicy> PolicyHolder::Get() const {
  return current_.load(std::memory_order_acquire);
}

void PolicyHolder::Set(std::shared_ptr<const CompiledPolicy> policy) {
  current_.store(std::move(policy), std::memory_order_release);
}

absl::StatusOr<Verdict> PolicyHolder::Check(std::string_view text, CheckContext context,
                                            std::string_view locale) const {
  const std::shared_ptr<const CompiledPolicy> policy = Get();
  if (policy == nullptr) return absl::FailedPreconditionError("no moderation policy is loaded");
  return policy->Check(text, context, locale);
}

}  // namespace clipforge::moderation
