#include "remix/prompt_diff.h"

#include <algorithm>
#include <cstdint>

namespace clipforge::remix {
namespace {

struct Token {
  absl::string_view text;
  size_t begin = 0;      // where the token starts in its prompt
  size_t gap_begin = 0;  // where the whitespace before it starts (its begin for the first token)
};

bool IsSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool IsWordByte(unsigned char c) {
  return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         c == '\'';
}

std::vector<Token> Tokenize(absl::string_view prompt) {
  std::vector<Token> tokens;
  size_t i = 0;
  size_t gap = 0;
  while (i < prompt.size()) {
    const unsigned char c = static_cast<unsigned char>(prompt[i]);
    if (IsSpace(c)) {
      ++i;
      continue;
    }
    size_t end = i + 1;
    if (IsWordByte(c)) {
      while (end < prompt.size() && IsWordByte(static_cast<unsigned char>(prompt[end]))) ++end;
    }
    tokens.push_back(Token{.text = prompt.substr(i, end - i), .begin = i, .gap_begin = tokens.empty() ? i : gap});
    i = end;
    gap = end;
  }
  return tokens;
}

// One step of the edit script.
struct Edit {
  DiffOp op;
  size_t index;  // into the parent's tokens for kEqual/kDelete, the child's for kInsert
};

// Myers' greedy forward search over a[0..n) and b[0..m), then the walk
// back through the saved frontiers. Returns false when more than
// `max_edits` edits are needed.
bool MyersEdits(const std::vector<Token>& a, size_t a0, size_t n, const std::vector<Token>& b, size_t b0, size_t m,
                size_t max_edits, std::vector<Edit>& out) {
  const int64_t N = static_cast<int64_t>(n), M = static_cast<int64_t>(m);
  const int64_t limit = std::min<int64_t>(N + M, static_cast<int64_t>(max_edits));
  const auto equal = [&](int64_t x, int64_t y) {
    return a[a0 + static_cast<size_t>(x)].text == b[b0 + static_cast<size_t>(y)].text;
  };
  // v[k + offset]: the furthest x reached on diagonal k. trace[d] keeps the
  // frontier before round d, only the diagonals -d..d it can hold.
  const int64_t offset = limit + 1;
  std::vector<int64_t> v(static_cast<size_t>(2 * limit + 3), 0);
  std::vector<std::vector<int64_t>> trace;
  int64_t found = -1;
  for (int64_t d = 0; d <= limit && found < 0; ++d) {
    trace.emplace_back(v.begin() + (offset - d - 1), v.begin() + (offset + d + 2));
    for (int64_t k = -d; k <= d; k += 2) {
      int64_t x;
      if (k == -d || (k != d && v[k - 1 + offset] < v[k + 1 + offset])) {
        x = v[k + 1 + offset];  // down: an insertion
      } else {
        x = v[k - 1 + offset] + 1;  // right: a deletion
      }
      int64_t y = x - k;
      while (x < N && y < M && equal(x, y)) ++x, ++y;
      v[k + offset] = x;
      if (x >= N && y >= M) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) return false;

  std::vector<Edit> reversed;
  int64_t x = N, y = M;
  for (int64_t d = found; d > 0; --d) {
    const std::vector<int64_t>& frontier = trace[static_cast<size_t>(d)];
    // frontier[i] is diagonal i - d - 1.
    const auto at = [&](int64_t k) { return frontier[static_cast<size_t>(k + d + 1)]; };
    const int64_t k = x - y;
    const int64_t prev_k = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? k + 1 : k - 1;
    const int64_t prev_x = at(prev_k);
    const int64_t prev_y = prev_x - prev_k;
    while (x > prev_x && y > prev_y) {
      --x, --y;
      reversed.push_back({DiffOp::kEqual, a0 + static_cast<size_t>(x)});
    }
    if (x == prev_x) {
      reversed.push_back({DiffOp::kInsert, b0 + static_cast<size_t>(prev_y)});
    } else {
      reversed.push_back({DiffOp::kDelete, a0 + static_cast<size_t>(prev_x)});
    }
    x = prev_x, y = prev_y;
  }
  while (x > 0 && y > 0) {
    --x, --y;
    reversed.push_back({DiffOp::kEqual, a0 + static_cast<size_t>(x)});
  }
  out.insert(out.end(), reversed.rbegin(), reversed.rend());
  return true;
}

// The text of tokens [first, last] of `prompt`, with the whitespace before
// `first` unless it starts the prompt. A span after another (`leading`)
// whose first token is a word with nothing before it in its prompt (the
// prompt's first word, or a word right after punctuation) gets one space,
// so that spans from the two prompts printed in a row never fuse words.
std::string SpanText(absl::string_view prompt, const std::vector<Token>& tokens, size_t first, size_t last,
                     bool leading) {
  const size_t begin = tokens[first].gap_begin;
  const size_t end = tokens[last].begin + tokens[last].text.size();
  std::string text(prompt.substr(begin, end - begin));
  if (leading && begin == tokens[first].begin && IsWordByte(static_cast<unsigned char>(text[0]))) {
    text.insert(text.begin(), ' ');
  }
  return text;
}

}  // namespace

double PromptDiff::ChangedFraction() const {
  const size_t longer = std::max(parent_tokens, child_tokens);
  if (longer == 0) return 0.0;
  return 1.0 - static_cast<double>(kept) / static_cast<double>(longer);
}

std::vector<std::string> PromptTokens(absl::string_view prompt) {
  std::vector<std::string> words;
  for (const Token& token : Tokenize(prompt)) words.emplace_back(token.text);
  return words;
}

PromptDiff DiffPrompts(absl::string_view parent, absl::string_view child, size_t max_edits) {
  const std::vector<Token> a = Tokenize(parent), b = Tokenize(child);
  PromptDiff diff{.parent_tokens = a.size(), .child_tokens = b.size()};

  // The common prefix and suffix cost nothing to find and shrink the search.
  size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix].text == b[prefix].text) ++prefix;
  size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix].text == b[b.size() - 1 - suffix].text) {
    ++suffix;
  }
  std::vector<Edit> edits;
  for (size_t i = 0; i < prefix; ++i) edits.push_back({DiffOp::kEqual, i});
  const size_t n = a.size() - prefix - suffix, m = b.size() - prefix - suffix;
  if (!MyersEdits(a, prefix, n, b, prefix, m, max_edits, edits)) {
    for (size_t i = 0; i < n; ++i) edits.push_back({DiffOp::kDelete, prefix + i});
    for (size_t j = 0; j < m; ++j) edits.push_back({DiffOp::kInsert, prefix + j});
  }
  for (size_t i = 0; i < suffix; ++i) edits.push_back({DiffOp::kEqual, a.size() - suffix + i});

  // Spans: each run of equal tokens, and between two such runs the deleted
  // tokens (contiguous in the parent) before the inserted ones (contiguous
  // in the child).
  // Whether a span shows before the next one in the parent's view (equal
  // and deleted spans) and in the child's (equal and inserted spans).
  bool parent_shown = false, child_shown = false;
  size_t at = 0;
  while (at < edits.size()) {
    if (edits[at].op == DiffOp::kEqual) {
      const size_t first = edits[at].index;
      size_t last = first;
      while (at < edits.size() && edits[at].op == DiffOp::kEqual) last = edits[at++].index;
      diff.spans.push_back(
          {DiffOp::kEqual, SpanText(parent, a, first, last, parent_shown || child_shown), last - first + 1});
      parent_shown = child_shown = true;
      diff.kept += last - first + 1;
      continue;
    }
    size_t del_first = SIZE_MAX, del_last = 0, ins_first = SIZE_MAX, ins_last = 0;
    while (at < edits.size() && edits[at].op != DiffOp::kEqual) {
      const Edit& e = edits[at++];
      size_t& first = e.op == DiffOp::kDelete ? del_first : ins_first;
      size_t& last = e.op == DiffOp::kDelete ? del_last : ins_last;
      first = std::min(first, e.index);
      last = std::max(last, e.index);
    }
    if (del_first != SIZE_MAX) {
      diff.spans.push_back(
          {DiffOp::kDelete, SpanText(parent, a, del_first, del_last, parent_shown), del_last - del_first + 1});
      parent_shown = true;
      diff.deleted += del_last - del_first + 1;
    }
    if (ins_first != SIZE_MAX) {
      diff.spans.push_back(
          {DiffOp::kInsert, SpanText(child, b, ins_first, ins_last, child_shown), ins_last - ins_first + 1});
      child_shown = true;
      diff.inserted += ins_last - ins_first + 1;
    }
  }
  return diff;
}

}  // namespace clipforge::remix
