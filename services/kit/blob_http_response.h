// What the media endpoint answers to one request (the rules are listed in
// blob_http_server.h): the status and header fields, and either a short
// text or the open file slice to stream. No socket here, so the server
// holds only the I/O and this holds only the HTTP decisions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>

#include "absl/time/time.h"
#include "services/kit/blob_store.h"
#include "services/kit/signed_url.h"

namespace clipforge::kit {

// The bytes [offset, offset + length) of an open blob. Holds the BlobFile
// itself, so that a spooled copy outlives the response streamed from it.
struct BlobSlice {
  BlobFile file;
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct BlobResponse {
  // Status and fields, Content-Length included (for HEAD, the length a GET
  // would have sent). Keep-alive is the server's to set.
  boost::beast::http::response_header<> header;
  // The body when there is no slice; empty for HEAD.
  std::string text;
  // The body of a GET of a blob.
  std::optional<BlobSlice> slice;
  // A server-side failure to log (never holds the target or signature).
  std::string error;
};

// Decides the answer to `request` at `now`.
BlobResponse RespondToBlobRequest(const boost::beast::http::request<boost::beast::http::empty_body>& request,
                                  const UrlSigner& signer, const BlobStore& blobs, absl::Time now);

// A short plain-text answer with `status` (400 and 431 for requests the
// server could not parse). Not cacheable; no body for HEAD.
BlobResponse TextResponse(boost::beast::http::status status, absl::string_view text, bool head);

}  // namespace clipforge::kit
