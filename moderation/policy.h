// The prompt filter: a set of rules compiled into one Hyperscan database and
// checked against normalized text (moderation/normalizer.h).
//
// Rules:
// - kWord and kPhrase patterns are normalized exactly like the text, so an
//   evasion in the text ("K.I.L.L", "k1ll", "kіll") meets the rule's plain
//   form. A word must normalize to one word; a phrase to one or more. They
//   match on word boundaries: the normalized text is words separated by
//   single spaces, and the filter scans it with one space added at each
//   end, so a word is the literal " word " (bytes, no Unicode tables at
//   scan time). A pattern that starts (ends) with a character of a script
//   written without spaces (Han, kana, Thai, ...; IsUnspacedScript) has no
//   boundary on that side: "杀人" matches inside "我要杀人了".
// - kRegex patterns are compiled as given with HS_FLAG_UTF8 | HS_FLAG_UCP |
//   HS_FLAG_CASELESS | HS_FLAG_SOM_LEFTMOST (Hyperscan's PCRE subset: no
//   backreferences or lookaround, and no \b in UCP mode). They run against
//   the same normalized, space-padded text: lowercase, NFKC, punctuation
//   turned into single spaces; so write " " for a word boundary, and
//   `^`/`$` see the padding spaces. A regex that could match the empty
//   string is refused.
// - Each rule applies to all locales when `locales` is empty, else to a
//   check whose locale equals one of them or starts with one of them
//   followed by "-" ("pt" covers "pt-BR"), compared case-insensitively. A
//   check with no locale gets only the rules for all locales.
//
// Verdict: every matching rule once (its leftmost match found), sorted by
// where it starts in the original text; the decision is the strongest
// action among them (kBlock > kReview > kAllow; kAllow when none matched);
// `categories` lists each matched category once, most severe first.
//
// The context (where the text comes from) is carried for the caller and
// its logs; no rule is restricted by context yet.
//
// CompiledPolicy is immutable and may be shared by any number of threads;
// each thread keeps its own Hyperscan scratch space (thread_local, grown to
// fit the largest database it has used). PolicyHolder swaps policies while
// readers check.
#pragma once

#include <hs/hs.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace clipforge::moderation {

// 10,000 code points of four bytes each: CheckPrompt's limit in characters.
inline constexpr size_t kMaxCheckedTextBytes = 40'000;
inline constexpr size_t kMaxPatternBytes = 1'000;

struct Rule {
  enum Kind { kWord, kPhrase, kRegex };
  // In increasing strength: a verdict takes the strongest matched action.
  enum Action { kAllow, kReview, kBlock };

  int64_t id = 0;  // Positive, unique within a policy.
  std::string pattern;
  Kind kind = kWord;
  std::string category;  // violence, csam, self_harm, hate, harassment, impersonation, spam, ...
  int severity = 1;      // 1 (mild) to 5 (worst).
  Action action = kReview;
  std::vector<std::string> locales;  // BCP 47 tags ("ru", "pt-BR"); empty: all.
};

enum class CheckContext { kPrompt, kComment, kPartyChat, kPartyEdit };

struct Match {
  int64_t rule_id = 0;
  std::string category;
  int severity = 0;
  Rule::Action action = Rule::kAllow;
  // The byte span of the checked (original) text that matched.
  size_t original_begin = 0;
  size_t original_end = 0;
};

struct Verdict {
  Rule::Action decision = Rule::kAllow;
  std::vector<std::string> categories;
  std::vector<Match> matches;
};

// Checks one rule alone, as it would be compiled into a policy: the fields
// (id > 0, a pattern of at most kMaxPatternBytes, a category, severity 1-5,
// locales) and, for a regex, that Hyperscan compiles it. INVALID_ARGUMENT
// naming the rule id and the reason otherwise. For rule creation.
absl::Status ValidateRule(const Rule& rule);

class CompiledPolicy {
 public:
  // Compiles every rule into one Hyperscan database. INVALID_ARGUMENT naming
  // the rule id and the reason (Hyperscan's, for a regex) when a rule is
  // invalid or does not compile, or when two rules share an id.
  static absl::StatusOr<std::shared_ptr<const CompiledPolicy>> Compile(std::vector<Rule> rules,
                                                                       int64_t version);

  ~CompiledPolicy();
  CompiledPolicy(const CompiledPolicy&) = delete;
  CompiledPolicy& operator=(const CompiledPolicy&) = delete;

  // Checks `text` (valid UTF-8, at most kMaxCheckedTextBytes bytes, else
  // INVALID_ARGUMENT naming "text") for `locale` (may be empty).
  absl::StatusOr<Verdict> Check(std::string_view text, CheckContext context,
                                std::string_view locale) const;

  int64_t version() const { return version_; }
  size_t rule_count() const { return rules_.size(); }
  // Bytes of the compiled Hyperscan database.
  size_t database_bytes() const;
  // Bytes of one thread's scratch space for this database.
  size_t scratch_bytes() const;

 private:
  struct Compiled {
    Rule rule;
    uint32_t literal_length = 0;  // Words and phrases: bytes of the scanned literal.
    bool leading_space = false;   // The literal starts (ends) with a boundary space.
    bool trailing_space = false;
  };

  CompiledPolicy(std::vector<Compiled> rules, int64_t version, hs_database_t* database,
                 hs_scratch_t* prototype);

  std::vector<Compiled> rules_;
  int64_t version_;
  uint64_t generation_;  // Unique per compiled policy in this process.
  hs_database_t* database_;
  hs_scratch_t* prototype_;  // Sized for database_; cloned by threads that meet it first.
};

// Holds the current policy and swaps it atomically. Readers take a
// reference (a shared_ptr copy: a few instructions under libstdc++'s
// pointer-sized spin bit, never a mutex or a wait on a writer's work), check
// against it, and drop it; the old policy is freed when its last reader
// drops it.
class PolicyHolder {
 public:
  explicit PolicyHolder(std::shared_ptr<const CompiledPolicy> initial = nullptr);

  // The current policy; null before the first Set.
  std::shared_ptr<const CompiledPolicy> Get() const;
  void Set(std::shared_ptr<const CompiledPolicy> policy);

  // Checks against the current policy; FAILED_PRECONDITION when none is set.
  absl::StatusOr<Verdict> Check(std::string_view text, CheckContext context,
                                std::string_view locale) const;

 private:
  std::atomic<std::shared_ptr<const CompiledPolicy>> current_;
};

}  // namespace clipforge::moderation
