// banks, banks create, banks import: the media filter's hash banks from the
// command line (an admin's session). `banks import` reads the CSV that
// operators build with `clipforged pdq`: one `hash_hex,label` per line.
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/status_macros.h"
#include "cli/commands.h"
#include "cli/enum_words.h"
#include "cli/errors.h"
#include "cli/views.h"

namespace clipforge::cli {
namespace {

using Moderation = v1::ModerationService::StubInterface;

// The server takes at most this many hashes a call.
constexpr size_t kImportBatch = 10'000;
// The largest file `banks import` reads (5M lines of ~100 bytes).
constexpr std::streamoff kMaxCsvBytes = std::streamoff{512} << 20;

struct CsvEntry {
  int line = 0;
  v1::HashEntryInput input;
};

// One line of the CSV into an entry; a description of what is wrong
// otherwise. A first line starting with "hash" is a header.
absl::StatusOr<std::optional<CsvEntry>> ParseCsvLine(absl::string_view raw, int line) {
  absl::string_view text = absl::StripAsciiWhitespace(raw);
  if (text.empty() || (line == 1 && absl::StartsWithIgnoreCase(text, "hash"))) return std::optional<CsvEntry>();
  const std::vector<absl::string_view> cells = absl::StrSplit(text, absl::MaxSplits(',', 1));
  const absl::string_view hex = absl::StripAsciiWhitespace(cells[0]);
  const bool is_hex = hex.size() == 64 && std::all_of(hex.begin(), hex.end(), absl::ascii_isxdigit);
  if (!is_hex) return absl::InvalidArgumentError(absl::StrCat("line ", line, ": not 64 hex digits"));
  CsvEntry entry{.line = line};
  entry.input.set_hash(absl::HexStringToBytes(absl::AsciiStrToLower(hex)));
  if (cells.size() > 1) entry.input.set_external_id(std::string(absl::StripAsciiWhitespace(cells[1])));
  return std::optional<CsvEntry>(std::move(entry));
}

}  // namespace

absl::Status RunBanks(CommandContext& ctx) {
  v1::ListHashBanksRequest request;
  request.set_page_size(100);
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  std::vector<Record> rows;
  CF_ASSIGN_OR_RETURN(
      const std::string next,
      FetchPages(
          ctx, *session, &Moderation::ListHashBanks, request,
          [&](const v1::ListHashBanksResponse& r) {
            for (const v1::HashBank& bank : r.banks()) rows.push_back(BankRow(bank));
          },
          Paging::kEvery));
  PrintPages(ctx, "banks", std::move(rows), next);
  return absl::OkStatus();
}

absl::Status RunBanksCreate(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  v1::CreateHashBankRequest request;
  v1::HashBank& bank = *request.mutable_bank();
  bank.set_name(inv.Operand(0));
  CF_ASSIGN_OR_RETURN(const auto category, EnumFlag<v1::ModerationCategory>(inv, "category", kCategoryPrefix));
  if (!category) return UsageError("--category is required");
  bank.set_category(*category);
  CF_ASSIGN_OR_RETURN(const auto decision, EnumFlag<v1::ModerationDecision>(inv, "decision", kDecisionPrefix));
  bank.set_decision(decision.value_or(v1::MODERATION_DECISION_REVIEW));
  CF_ASSIGN_OR_RETURN(const std::optional<int32_t> distance, inv.IntFlag("distance", 0, 64));
  bank.set_max_distance(distance.value_or(31));
  bank.set_hash_type(v1::HASH_TYPE_PDQ);
  bank.set_source(inv.Get("source").value_or(""));
  bank.set_description(inv.Get("description").value_or(""));
  bank.set_enabled(true);
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  request.set_request_id(ctx.connection().NewId());
  v1::HashBank created;
  CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Moderation::CreateHashBank, request, created));
  ctx.out().Result(BankRow(created));
  return absl::OkStatus();
}

absl::Status RunBanksImport(CommandContext& ctx) {
  const Invocation& inv = ctx.invocation();
  const std::string path = inv.Operand(1);
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return UsageError(absl::StrCat("cannot read ", path));
  if (in.tellg() > kMaxCsvBytes) return UsageError(absl::StrCat(path, " is over 512 MiB"));
  in.seekg(0);
  // Every line is checked before anything is sent: a malformed file
  // imports nothing.
  std::vector<CsvEntry> entries;
  std::string raw;
  for (int line = 1; std::getline(in, raw); ++line) {
    absl::StatusOr<std::optional<CsvEntry>> entry = ParseCsvLine(raw, line);
    if (!entry.ok()) return UsageError(absl::StrCat(path, ": ", entry.status().message()));
    if (*entry) entries.push_back(**std::move(entry));
  }
  if (entries.empty()) return UsageError(absl::StrCat(path, " holds no hashes"));
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  int64_t added = 0, duplicates = 0, rejected = 0;
  std::vector<std::string> rejections;
  for (size_t first = 0; first < entries.size(); first += kImportBatch) {
    const size_t end = std::min(entries.size(), first + kImportBatch);
    v1::ImportHashesRequest request;
    request.set_request_id(ctx.connection().NewId());
    request.set_bank_id(inv.Operand(0));
    for (size_t i = first; i < end; ++i) *request.add_entries() = entries[i].input;
    v1::ImportHashesResponse response;
    CF_RETURN_IF_ERROR(CallAuthed(ctx, *session, &Moderation::ImportHashes, request, response));
    added += response.added_count();
    duplicates += response.duplicate_count();
    rejected += response.rejected_count();
    for (const v1::FieldViolation& v : response.rejections()) {
      // "entries[i]...": back to the file's line.
      const size_t index = first + static_cast<size_t>(std::atoi(v.field().c_str() + v.field().find('[') + 1));
      const int line = index < entries.size() ? entries[index].line : 0;
      rejections.push_back(absl::StrCat("line ", line, ": ", v.description()));
    }
  }
  Record result;
  result.Int("added", added).Int("duplicates", duplicates).Int("rejected", rejected);
  if (!rejections.empty()) result.List("rejections", std::move(rejections));
  ctx.out().Result(result);
  return absl::OkStatus();
}

}  // namespace clipforge::cli
