// Word-level diffs of prompts: what a fork changed in its parent's prompt,
// shown beside each variant and measured for the feed's originality.
//
// A prompt is split into tokens: runs of letters and digits (any non-ASCII
// byte counts as a letter, so words in every script stay whole) and single
// punctuation marks; whitespace separates tokens and is not compared, so
// re-spacing a prompt changes nothing. The token sequences are compared
// with Myers' O((N+M)D) algorithm ("An O(ND) Difference Algorithm and Its
// Variations", 1986), which finds a shortest edit script: the fewest words
// inserted and deleted. Ties prefer deletions first, as Myers' greedy walk
// does, so a replaced word reads "- old + new".
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace clipforge::remix {

enum class DiffOp { kEqual, kDelete, kInsert };

// A run of consecutive tokens with the same op. `text` is the tokens as
// they appear in their prompt (the parent's for kEqual and kDelete, the
// child's for kInsert), with the whitespace between them and before the
// first one, so a client prints the parent as the kEqual and kDelete spans
// one after another, and the child as the kEqual and kInsert spans (each
// less any leading whitespace: a kEqual span after a change seen in only
// one of the two keeps the space it has in the parent).
struct DiffSpan {
  DiffOp op = DiffOp::kEqual;
  std::string text;
  size_t tokens = 0;

  friend bool operator==(const DiffSpan&, const DiffSpan&) = default;
};

struct PromptDiff {
  std::vector<DiffSpan> spans;
  size_t parent_tokens = 0;
  size_t child_tokens = 0;
  size_t kept = 0;      // tokens in kEqual spans
  size_t deleted = 0;   // tokens in kDelete spans
  size_t inserted = 0;  // tokens in kInsert spans

  // How much of the prompt the fork rewrote, in [0, 1]: the share of the
  // longer prompt's tokens that are not kept. 0 for equal prompts, 1 when
  // nothing was kept (or both are empty: 0).
  double ChangedFraction() const;
};

// The diff from `parent` to `child`. The search costs O((N+M)D) time and
// O(D^2) memory for D edits; past `max_edits` (insertions plus deletions,
// after the common prefix and suffix are set aside) it stops and the
// middle is reported as one deletion and one insertion, so the cost stays
// bounded for any input (a 2,000-character prompt has at most ~1,000
// tokens).
PromptDiff DiffPrompts(absl::string_view parent, absl::string_view child, size_t max_edits = 1024);

// The tokens of `prompt` as DiffPrompts compares them.
std::vector<std::string> PromptTokens(absl::string_view prompt);

}  // namespace clipforge::remix
