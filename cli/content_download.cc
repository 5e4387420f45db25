#include "cli/content_download.h"

#include <sodium.h>
#include <sys/stat.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "cli/atomic_file.h"
#include "cli/data_chunk_file.h"
#include "cli/enum_words.h"

namespace clipforge::cli {
namespace {

constexpr absl::string_view kVariantPrefix = "CONTENT_VARIANT_";

// 0666 less the umask: outputs are the user's media, not secrets (unlike a
// data export, which stays 0600). umask can only be read by setting it; no
// other thread of the CLI creates files.
mode_t NewFileMode() {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

}  // namespace

std::string VariantWord(v1::ContentVariant variant) {
  return EnumWord(variant == v1::CONTENT_VARIANT_UNSPECIFIED ? v1::CONTENT_VARIANT_VIDEO : variant, kVariantPrefix);
}

std::string VariantExtension(v1::ContentVariant variant) {
  switch (variant) {
    case v1::CONTENT_VARIANT_THUMBNAIL:
    case v1::CONTENT_VARIANT_SPRITESHEET:
      return "jpg";
    case v1::CONTENT_VARIANT_PROVENANCE:
      return "c2pa";
    default:
      return "mp4";
  }
}

std::string DefaultContentPath(absl::string_view job_id, v1::ContentVariant variant) {
  // The id comes from the server or the command line: a "/" or ".." in it
  // must not make the file land outside the current directory.
  std::string name;
  for (const char c : job_id) {
    name.push_back(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_');
  }
  // Two variants share "jpg": the spritesheet's name says which it is.
  const absl::string_view suffix = variant == v1::CONTENT_VARIANT_SPRITESHEET ? ".spritesheet" : "";
  return absl::StrCat(name, suffix, ".", VariantExtension(variant));
}

absl::StatusOr<DownloadedContent> DownloadContent(CommandContext& ctx, Session& session, const std::string& job_id,
                                                  v1::ContentVariant variant, const std::string& path,
                                                  absl::string_view expected_sha256) {
  if (sodium_init() < 0) return absl::InternalError("libsodium failed to initialize");
  Connection& connection = ctx.connection();
  v1::DownloadContentRequest request;
  request.set_job_id(job_id);
  request.set_variant(variant);
  const std::string what = absl::StrCat("the ", VariantWord(variant));
  const mode_t mode = NewFileMode();
  DownloadedContent result;
  CF_RETURN_IF_ERROR(session.Call([&](const Credentials& credentials) -> absl::Status {
    CF_ASSIGN_OR_RETURN(AtomicFile temp, AtomicFile::Create(DirName(path), mode));
    DataChunkFile file(std::move(temp), what);
    auto context = connection.NewContext(kDownloadTimeout, credentials.access_token);
    auto reader = connection.generation().DownloadContent(context.get(), request);
    absl::Status broken;
    v1::DataChunk chunk;
    while (reader->Read(&chunk)) {
      broken = file.Append(chunk);
      if (!broken.ok()) {
        context->TryCancel();
        break;
      }
    }
    const grpc::Status status = reader->Finish();
    CF_RETURN_IF_ERROR(broken);
    CF_RETURN_IF_ERROR(connection.Finish(status, *context, kDownloadTimeout));
    CF_RETURN_IF_ERROR(file.Commit(path, expected_sha256));
    result = {.path = path, .content_type = file.content_type(), .bytes = file.bytes(), .sha256 = file.sha256()};
    return absl::OkStatus();
  }));
  return result;
}

}  // namespace clipforge::cli
