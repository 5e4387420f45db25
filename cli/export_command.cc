// export: ExportMyData's chunks into a file that appears only when complete
// and verified (offsets without gaps, total size, SHA-256).
#include <sodium.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "cli/atomic_file.h"
#include "cli/commands.h"
#include "cli/errors.h"
#include "base/status_macros.h"

namespace clipforge::cli {
namespace {

std::string Extension(absl::string_view content_type) {
  if (content_type == "application/zip") return "zip";
  if (content_type == "application/json") return "json";
  return "bin";
}

// The handle as a safe file name part.
std::string FileSafe(absl::string_view text) {
  std::string out;
  for (const char c : text) {
    out.push_back(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ? c
                                                                                             : '_');
  }
  return out;
}

struct ExportResult {
  std::string path;
  std::string content_type;
  int64_t bytes = 0;
  std::string sha256;
};

}  // namespace

absl::Status RunExport(CommandContext& ctx) {
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialize");
  CF_ASSIGN_OR_RETURN(Session* const session, ctx.RequireSession());
  const std::optional<std::string> out = ctx.invocation().Get("out");
  if (out && (out->empty() || out->back() == '/')) return UsageError("--out must name a file");
  const std::string dir = out ? DirName(*out) : ".";
  const std::string handle = session->credentials().handle;
  Connection& connection = ctx.connection();
  ExportResult result;

  CF_RETURN_IF_ERROR(session->Call([&](const Credentials& credentials) -> absl::Status {
    CF_ASSIGN_OR_RETURN(AtomicFile file, AtomicFile::Create(dir, 0600));
    auto context = connection.NewContext(kExportTimeout, credentials.access_token);
    auto reader = connection.users().ExportMyData(context.get(), v1::ExportMyDataRequest());
    crypto_hash_sha256_state hash;
    crypto_hash_sha256_init(&hash);
    int64_t written = 0;
    bool final_seen = false;
    std::string content_type;
    std::string expected_sha;
    int64_t expected_total = 0;
    absl::Status broken;
    v1::DataChunk chunk;
    while (reader->Read(&chunk)) {
      if (final_seen) {
        broken = absl::DataLossError("the export went on after its final chunk");
      } else if (chunk.offset() != written) {
        broken = absl::DataLossError(absl::StrCat("the export skipped from byte ", written,
                                                  " to ", chunk.offset()));
      }
      if (broken.ok()) broken = file.Append(chunk.data());
      if (!broken.ok()) {
        context->TryCancel();
        break;
      }
      if (content_type.empty()) content_type = chunk.content_type();
      const std::string& data = chunk.data();
      crypto_hash_sha256_update(&hash, reinterpret_cast<const unsigned char*>(data.data()),
                                data.size());
      written += static_cast<int64_t>(data.size());
      if (chunk.total_bytes() > 0) expected_total = chunk.total_bytes();
      if (chunk.final_chunk()) {
        final_seen = true;
        expected_sha = chunk.sha256();
      }
    }
    const grpc::Status status = reader->Finish();
    CF_RETURN_IF_ERROR(broken);
    CF_RETURN_IF_ERROR(connection.Finish(status, *context, kExportTimeout));
    if (!final_seen) return absl::DataLossError("the export ended early; nothing was written");
    if (expected_total > 0 && expected_total != written) {
      return absl::DataLossError(absl::StrCat("the export has ", written, " bytes, the server said ",
                                              expected_total, "; nothing was written"));
    }
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&hash, digest);
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    if (!expected_sha.empty() && absl::AsciiStrToLower(expected_sha) != hex) {
      return absl::DataLossError("the export's SHA-256 does not match; nothing was written");
    }
    result.path = out ? *out : absl::StrCat("clipforge-export-", FileSafe(handle), ".",
                                            Extension(content_type));
    result.content_type = content_type;
    result.bytes = written;
    result.sha256 = hex;
    return file.Commit(result.path);
  }));

  Record record;
  record.Str("path", result.path)
      .Int("bytes", result.bytes)
      .Str("content_type", result.content_type)
      .Str("sha256", result.sha256);
  ctx.out().Result(record);
  return absl::OkStatus();
}

}  // namespace clipforge::cli
