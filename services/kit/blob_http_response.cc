#include "services/kit/blob_http_response.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "services/kit/http_range.h"

namespace clipforge::kit {
namespace {

namespace http = boost::beast::http;

absl::string_view View(boost::beast::string_view text) { return absl::string_view(text.data(), text.size()); }

// If-None-Match (RFC 9110 §13.1.2) uses the weak comparison: W/"x" matches
// "x". "*" matches any existing representation.
bool IfNoneMatchMatches(absl::string_view header, absl::string_view etag) {
  for (absl::string_view tag : absl::StrSplit(header, ',')) {
    tag = absl::StripAsciiWhitespace(tag);
    if (tag == "*") return true;
    absl::ConsumePrefix(&tag, "W/");
    if (tag == etag) return true;
  }
  return false;
}

// The fields every answer about an existing blob carries, 304 included.
void SetValidatorFields(http::response_header<>& header, absl::string_view etag, absl::Duration until_expiry) {
  header.set(http::field::etag, std::string(etag));
  // private: the URL is a bearer grant, so shared caches must not keep it;
  // the answer stays good for as long as the grant.
  header.set(http::field::cache_control,
             absl::StrCat("private, max-age=", std::max<int64_t>(0, absl::ToInt64Seconds(until_expiry))));
  header.set(http::field::accept_ranges, "bytes");
  header.set("X-Content-Type-Options", "nosniff");
}

BlobResponse ServerError(std::string error, bool head) {
  BlobResponse response = TextResponse(http::status::internal_server_error, "internal error\n", head);
  response.error = std::move(error);
  return response;
}

}  // namespace

BlobResponse TextResponse(http::status status, absl::string_view text, bool head) {
  BlobResponse response;
  response.header.result(status);
  response.header.set(http::field::content_type, "text/plain; charset=utf-8");
  response.header.set(http::field::cache_control, "no-store");
  response.header.set("X-Content-Type-Options", "nosniff");
  response.header.set(http::field::content_length, std::to_string(text.size()));
  if (!head) response.text = std::string(text);
  return response;
}

BlobResponse RespondToBlobRequest(const http::request<http::empty_body>& request, const UrlSigner& signer,
                                  const BlobStore& blobs, absl::Time now) {
  const bool head = request.method() == http::verb::head;
  if (request.method() != http::verb::get && !head) {
    BlobResponse response = TextResponse(http::status::method_not_allowed, "method not allowed\n", false);
    response.header.set(http::field::allow, "GET, HEAD");
    return response;
  }
  const absl::string_view target = View(request.target());
  if (!absl::StartsWith(target, kMediaPathPrefix)) return TextResponse(http::status::not_found, "not found\n", head);

  const absl::StatusOr<SignedBlob> grant = signer.Verify(target, now);
  if (!grant.ok()) {
    if (grant.status().code() == absl::StatusCode::kInvalidArgument) {
      return TextResponse(http::status::bad_request, "malformed media URL\n", head);
    }
    return TextResponse(http::status::forbidden, "forbidden\n", head);
  }
  // Checked after the signature, so unsigned requests cannot probe which
  // blobs exist.
  absl::StatusOr<BlobFile> file = blobs.Open(grant->sha256);
  if (absl::IsNotFound(file.status()) || absl::IsInvalidArgument(file.status())) {
    return TextResponse(http::status::not_found, "not found\n", head);
  }
  if (!file.ok()) return ServerError(absl::StrCat("blob ", grant->sha256, ": ", file.status().message()), head);
  const auto size = static_cast<uint64_t>(file->size());

  BlobResponse response;
  const std::string etag = absl::StrCat("\"", grant->sha256, "\"");
  SetValidatorFields(response.header, etag, grant->expires - now);
  if (IfNoneMatchMatches(View(request[http::field::if_none_match]), etag)) {
    response.header.result(http::status::not_modified);
    return response;
  }

  // If-Range (RFC 9110 §13.1.5) uses the strong comparison, and a date
  // never matches since no Last-Modified is sent: the Range then is ignored.
  const absl::string_view if_range = absl::StripAsciiWhitespace(View(request[http::field::if_range]));
  const bool range_applies = if_range.empty() || if_range == etag;
  const ByteRangeDecision range =
      range_applies ? DecideByteRange(View(request[http::field::range]), size) : ByteRangeDecision{};
  if (range.kind == ByteRangeDecision::Kind::kUnsatisfiable) {
    response.header.result(http::status::range_not_satisfiable);
    response.header.set(http::field::content_range, absl::StrCat("bytes */", size));
    response.header.set(http::field::content_length, "0");
    return response;
  }

  response.header.set(http::field::content_type, grant->content_type);
  response.header.set(http::field::content_disposition, "inline");
  uint64_t offset = 0;
  uint64_t length = size;
  if (range.kind == ByteRangeDecision::Kind::kPartial) {
    offset = range.first;
    length = range.last - range.first + 1;
    response.header.result(http::status::partial_content);
    response.header.set(http::field::content_range, absl::StrCat("bytes ", range.first, "-", range.last, "/", size));
  } else {
    response.header.result(http::status::ok);
  }
  response.header.set(http::field::content_length, std::to_string(length));
  if (!head) response.slice = BlobSlice{.file = *std::move(file), .offset = offset, .length = length};
  return response;
}

}  // namespace clipforge::kit
