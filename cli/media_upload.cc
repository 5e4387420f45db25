#include "cli/media_upload.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "base/sha256.h"
#include "base/status_macros.h"
#include "cli/atomic_file.h"
#include "cli/errors.h"

namespace clipforge::cli {
namespace {

// Long enough for 20 MiB over a slow uplink.
constexpr absl::Duration kUploadTimeout = absl::Seconds(120);

struct FileType {
  absl::string_view extension;
  absl::string_view content_type;
};

// The types generation.proto lists for UPLOAD_KIND_SOUNDTRACK and
// UPLOAD_KIND_STICKER.
constexpr FileType kAudioTypes[] = {
    {"mp3", "audio/mpeg"}, {"m4a", "audio/mp4"}, {"aac", "audio/aac"}, {"ogg", "audio/ogg"},
    {"oga", "audio/ogg"},  {"opus", "audio/ogg"}, {"wav", "audio/wav"},
};
constexpr FileType kImageTypes[] = {{"png", "image/png"}, {"webp", "image/webp"}};

absl::string_view BaseName(absl::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == absl::string_view::npos ? path : path.substr(slash + 1);
}

template <size_t N>
std::string ContentTypeOf(absl::string_view path, const FileType (&types)[N]) {
  const absl::string_view name = BaseName(path);
  const size_t dot = name.rfind('.');
  if (dot == absl::string_view::npos) return "";
  const std::string extension = absl::AsciiStrToLower(name.substr(dot + 1));
  for (const FileType& type : types) {
    if (type.extension == extension) return std::string(type.content_type);
  }
  return "";
}

}  // namespace

std::string SoundtrackContentType(absl::string_view path) { return ContentTypeOf(path, kAudioTypes); }
std::string StickerContentType(absl::string_view path) { return ContentTypeOf(path, kImageTypes); }

absl::StatusOr<MediaFile> ReadMediaFile(absl::string_view path, v1::UploadKind kind, absl::string_view flag) {
  const bool sticker = kind == v1::UPLOAD_KIND_STICKER;
  MediaFile file{.kind = kind};
  file.file_name = std::string(BaseName(path));
  file.content_type = sticker ? StickerContentType(path) : SoundtrackContentType(path);
  if (file.content_type.empty()) {
    return UsageError(absl::StrCat(flag, path,
                                   sticker ? ": the file must be a .png or .webp image"
                                           : ": the file must be .mp3, .m4a, .aac, .ogg, .oga, .opus or .wav audio"));
  }
  const int64_t max_bytes = sticker ? kMaxStickerBytes : kMaxSoundtrackBytes;
  const std::string path_text(path);
  const int fd = ::open(path_text.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return UsageError(ErrnoError(errno, absl::StrCat("cannot read ", path)).message());
  const absl::Cleanup close_fd = [fd] { ::close(fd); };
  absl::StatusOr<std::string> data = ReadToEnd(fd, static_cast<size_t>(max_bytes), path);
  if (absl::IsOutOfRange(data.status())) {
    return UsageError(absl::StrCat(path, " is over ", max_bytes >> 20, " MiB, the ",
                                   sticker ? "sticker" : "soundtrack", " limit"));
  }
  if (!data.ok()) return UsageError(data.status().message());
  if (data->empty()) return UsageError(absl::StrCat(path, " is empty"));
  file.data = *std::move(data);
  file.sha256 = base::Sha256Hex(file.data);
  return file;
}

absl::StatusOr<v1::BlobRef> UploadMediaFile(CommandContext& ctx, Session& session, const MediaFile& file) {
  Connection& connection = ctx.connection();
  v1::UploadMediaRequest first;
  v1::UploadHeader& header = *first.mutable_header();
  header.set_request_id(connection.NewId());
  header.set_kind(file.kind);
  header.set_content_type(file.content_type);
  header.set_size_bytes(static_cast<int64_t>(file.data.size()));
  header.set_sha256(file.sha256);
  header.set_file_name(file.file_name);

  v1::UploadMediaResponse response;
  CF_RETURN_IF_ERROR(session.Call([&](const Credentials& credentials) -> absl::Status {
    response.Clear();
    auto context = connection.NewContext(kUploadTimeout, credentials.access_token);
    auto writer = connection.generation().UploadMedia(context.get(), &response);
    // A refused write means the call already ended; Finish says why.
    bool open = writer->Write(first);
    for (size_t at = 0; open && at < file.data.size(); at += kUploadChunkBytes) {
      v1::UploadMediaRequest part;
      part.set_data(file.data.substr(at, kUploadChunkBytes));
      open = writer->Write(part);
    }
    if (open) writer->WritesDone();
    return connection.Finish(writer->Finish(), *context, kUploadTimeout);
  }));
  if (response.blob().sha256().empty()) {
    return absl::InternalError(absl::StrCat("the server accepted ", file.file_name, " but sent no reference to it"));
  }
  return response.blob();
}

}  // namespace clipforge::cli
