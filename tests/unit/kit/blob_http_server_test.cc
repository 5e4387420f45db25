// The media endpoint over real loopback sockets and real blob files: full
// and ranged reads, HEAD, conditional requests, refusals, keep-alive, the
// limits, and ffprobe reading an MP4 through it.
#include "services/kit/blob_http_server.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/testing/fake_clock.h"
#include "base/testing/status_matchers.h"
#include "generation/procedural_renderer.h"
#include "media/clip_encoder.h"
#include "prometheus/registry.h"
#include "services/kit/local_blob_store.h"
#include "tests/support/patterned_bytes.h"
#include "tests/support/process.h"
#include "tests/support/spooling_blob_store.h"

namespace clipforge::kit {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using base::testing::IsOk;
using clipforge::testing::PatternedBytes;

using Response = http::response<http::string_body>;
using Headers = std::vector<std::pair<http::field, std::string>>;

constexpr auto kClientTimeout = std::chrono::seconds(10);

// A blocking HTTP/1.1 client on one connection; every operation times out,
// so a server that never answers fails the test instead of hanging it.
class HttpClient {
 public:
  explicit HttpClient(int port) : stream_(io_) {
    stream_.expires_after(kClientTimeout);
    stream_.async_connect(tcp::endpoint(net::ip::address_v4::loopback(), static_cast<unsigned short>(port)),
                          [this](beast::error_code error) { error_ = error; });
    Run();
  }

  bool connected() const { return !error_; }

  // Sends one request and reads its response; nullopt (with the error in
  // last_error()) when either fails.
  std::optional<Response> Send(http::verb verb, const std::string& target, const Headers& headers = {}) {
    http::request<http::empty_body> request(verb, target, 11);
    request.set(http::field::host, "127.0.0.1");
    for (const auto& [field, value] : headers) request.set(field, value);
    return Exchange(request, verb == http::verb::head);
  }

  // Writes raw bytes (for requests a well-behaved client would not send).
  bool WriteRaw(const std::string& bytes) {
    stream_.expires_after(kClientTimeout);
    net::async_write(stream_, net::buffer(bytes), [this](beast::error_code error, size_t) { error_ = error; });
    Run();
    return !error_;
  }

  std::optional<Response> ReadResponse(bool head = false) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::numeric_limits<uint64_t>::max());
    parser.skip(head);
    stream_.expires_after(kClientTimeout);
    http::async_read(stream_, buffer_, parser, [this](beast::error_code error, size_t) { error_ = error; });
    Run();
    if (error_) return std::nullopt;
    return parser.release();
  }

  // True when the server closes the connection (a read ends with EOF)
  // within `within`.
  bool ClosedByServer(std::chrono::seconds within = std::chrono::seconds(5)) {
    char byte;
    stream_.expires_after(within);
    stream_.async_read_some(net::buffer(&byte, 1), [this](beast::error_code error, size_t) { error_ = error; });
    Run();
    return error_ == net::error::eof || error_ == net::error::connection_reset;
  }

  beast::error_code last_error() const { return error_; }

 private:
  std::optional<Response> Exchange(http::request<http::empty_body>& request, bool head) {
    stream_.expires_after(kClientTimeout);
    http::async_write(stream_, request, [this](beast::error_code error, size_t) { error_ = error; });
    Run();
    if (error_) return std::nullopt;
    return ReadResponse(head);
  }

  void Run() {
    io_.restart();
    io_.run();
  }

  net::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  beast::error_code error_;
};

std::string Field(const Response& response, http::field field) {
  const auto value = response[field];
  return std::string(value.data(), value.size());
}

class BlobHttpServerTest : public ::testing::Test {
 protected:
  // More than a few chunks of the server's chunk size, and not a multiple.
  static constexpr size_t kBlobSize = 300 * 1024 + 17;

  void SetUp() override {
    absl::StatusOr<std::string> name = blobs_.Put(content_);
    ASSERT_THAT(name, IsOk());
    sha_ = *name;
    StartServer(BlobHttpServerOptions{.chunk_bytes = 64 * 1024, .registry = &registry_});
  }

  void StartServer(BlobHttpServerOptions options) {
    server_ = std::make_unique<BlobHttpServer>(signer_, blobs_, clock_, options);
    ASSERT_THAT(server_->Start("127.0.0.1", 0), IsOk());
    ASSERT_GT(server_->port(), 0);
  }

  std::string Signed(absl::string_view sha, absl::string_view ct = "video/mp4",
                     absl::Duration valid_for = absl::Minutes(10)) {
    absl::StatusOr<std::string> target = signer_.Sign(sha, ct, clock_.Now() + valid_for);
    EXPECT_THAT(target, IsOk());
    return target.value_or("");
  }

  std::optional<Response> Get(const std::string& target, const Headers& headers = {}) {
    HttpClient client(server_->port());
    return client.Send(http::verb::get, target, headers);
  }

  // clipforge_media_http_responses_total{code=`code`}.
  double ResponsesCounted(const std::string& code) {
    for (const auto& family : registry_.Collect()) {
      if (family.name != "clipforge_media_http_responses_total") continue;
      for (const auto& metric : family.metric) {
        if (!metric.label.empty() && metric.label[0].value == code) return metric.counter.value;
      }
    }
    return -1;
  }

  clipforge::testing::TempDir dir_;
  LocalBlobStore blobs_{dir_.path() + "/blobs"};
  base::testing::FakeClock clock_;
  UrlSigner signer_ = *UrlSigner::Create(std::string(32, 's'));
  prometheus::Registry registry_;
  const std::string content_ = PatternedBytes(kBlobSize);
  std::string sha_;
  std::unique_ptr<BlobHttpServer> server_;
};

TEST_F(BlobHttpServerTest, GetServesTheWholeBlobWithItsHeaders) {
  const std::optional<Response> response = Get(Signed(sha_, "video/mp4"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result(), http::status::ok);
  EXPECT_EQ(response->body().size(), content_.size());
  EXPECT_TRUE(response->body() == content_);
  EXPECT_EQ(Field(*response, http::field::content_type), "video/mp4");
  EXPECT_EQ(Field(*response, http::field::content_length), std::to_string(kBlobSize));
  EXPECT_EQ(Field(*response, http::field::accept_ranges), "bytes");
  EXPECT_EQ(Field(*response, http::field::etag), absl::StrCat("\"", sha_, "\""));
  EXPECT_EQ(Field(*response, http::field::cache_control), "private, max-age=600");
  EXPECT_EQ(Field(*response, http::field::content_disposition), "inline");
  EXPECT_EQ(response->base()["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(ResponsesCounted("200"), 1);
}

TEST_F(BlobHttpServerTest, ContentTypeIsTheSignedOne) {
  const std::optional<Response> response = Get(Signed(sha_, "image/webp"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(Field(*response, http::field::content_type), "image/webp");
}

TEST_F(BlobHttpServerTest, MaxAgeCountsDownToTheExpiry) {
  const std::string target = Signed(sha_, "video/mp4", absl::Seconds(100));
  clock_.Advance(absl::Seconds(30));
  const std::optional<Response> response = Get(target);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(Field(*response, http::field::cache_control), "private, max-age=70");
}

TEST_F(BlobHttpServerTest, HeadSendsTheHeadersWithoutTheBody) {
  HttpClient client(server_->port());
  const std::optional<Response> response = client.Send(http::verb::head, Signed(sha_));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result(), http::status::ok);
  EXPECT_EQ(Field(*response, http::field::content_length), std::to_string(kBlobSize));
  EXPECT_EQ(Field(*response, http::field::content_type), "video/mp4");
  EXPECT_TRUE(response->body().empty());
  // Had a body been sent, it would be read as this response instead.
  const std::optional<Response> next = client.Send(http::verb::head, Signed(sha_));
  ASSERT_TRUE(next.has_value()) << client.last_error().message();
  EXPECT_EQ(next->result(), http::status::ok);
}

TEST_F(BlobHttpServerTest, EachRangeFormServesExactlyItsBytes) {
  struct Case {
    std::string range;
    uint64_t first, last;
  };
  const uint64_t size = kBlobSize;
  const Case cases[] = {
      {"bytes=0-0", 0, 0},
      {"bytes=0-99", 0, 99},
      {"bytes=1000-200000", 1000, 200000},
      {"bytes=65535-65536", 65535, 65536},
      {"bytes=300000-", 300000, size - 1},
      {"bytes=0-", 0, size - 1},
      {"bytes=-1", size - 1, size - 1},
      {"bytes=-70000", size - 70000, size - 1},
      {"bytes=10-99999999", 10, size - 1},
  };
  for (const Case& c : cases) {
    const std::optional<Response> response = Get(Signed(sha_), {{http::field::range, c.range}});
    ASSERT_TRUE(response.has_value()) << c.range;
    EXPECT_EQ(response->result(), http::status::partial_content) << c.range;
    EXPECT_EQ(Field(*response, http::field::content_range), absl::StrCat("bytes ", c.first, "-", c.last, "/", size))
        << c.range;
    EXPECT_EQ(Field(*response, http::field::content_length), std::to_string(c.last - c.first + 1)) << c.range;
    EXPECT_TRUE(response->body() == content_.substr(c.first, c.last - c.first + 1)) << c.range;
  }
}

TEST_F(BlobHttpServerTest, UnsatisfiableRangeIs416) {
  for (const std::string& range : {absl::StrCat("bytes=", kBlobSize, "-"), std::string("bytes=-0")}) {
    const std::optional<Response> response = Get(Signed(sha_), {{http::field::range, range}});
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->result(), http::status::range_not_satisfiable) << range;
    EXPECT_EQ(Field(*response, http::field::content_range), absl::StrCat("bytes */", kBlobSize));
    EXPECT_TRUE(response->body().empty());
  }
}

TEST_F(BlobHttpServerTest, MultiRangeGetsTheWholeBlob) {
  const std::optional<Response> response = Get(Signed(sha_), {{http::field::range, "bytes=0-1,5-6"}});
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result(), http::status::ok);
  EXPECT_TRUE(response->body() == content_);
}

TEST_F(BlobHttpServerTest, IfRangeAppliesTheRangeOnlyForTheEtag) {
  const std::string etag = absl::StrCat("\"", sha_, "\"");
  std::optional<Response> response =
      Get(Signed(sha_), {{http::field::range, "bytes=0-9"}, {http::field::if_range, etag}});
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result(), http::status::partial_content);
  EXPECT_TRUE(response->body() == content_.substr(0, 10));

  for (const std::string& if_range : {std::string("\"other\""), absl::StrCat("W/", etag),
                                     std::string("Wed, 21 Oct 2015 07:28:00 GMT")}) {
    response = Get(Signed(sha_), {{http::field::range, "bytes=0-9"}, {http::field::if_range, if_range}});
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->result(), http::status::ok) << if_range;
    EXPECT_EQ(response->body().size(), content_.size()) << if_range;
  }
}

TEST_F(BlobHttpServerTest, IfNoneMatchWithTheEtagIs304) {
  const std::string etag = absl::StrCat("\"", sha_, "\"");
  for (const std::string& if_none_match : {etag, absl::StrCat("W/", etag), absl::StrCat("\"x\", ", etag),
                                          std::string("*")}) {
    const std::optional<Response> response = Get(Signed(sha_), {{http::field::if_none_match, if_none_match}});
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->result(), http::status::not_modified) << if_none_match;
    EXPECT_EQ(Field(*response, http::field::etag), etag);
    EXPECT_TRUE(response->body().empty());
  }
  const std::optional<Response> other = Get(Signed(sha_), {{http::field::if_none_match, "\"other\""}});
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->result(), http::status::ok);
  EXPECT_EQ(ResponsesCounted("304"), 4);
}

TEST_F(BlobHttpServerTest, ExpiredUrlIs403) {
  const std::string target = Signed(sha_, "video/mp4", absl::Seconds(5));
  clock_.Advance(absl::Seconds(5));
  const std::optional<Response> response = Get(target);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result(), http::status::forbidden);
  EXPECT_EQ(Field(*response, http::field::content_type), "text/plain; charset=utf-8");
  EXPECT_EQ(response->body(), "forbidden\n");
}

TEST_F(BlobHttpServerTest, TamperedUrlIs403) {
  std::string target = Signed(sha_);
  const size_t sig = target.find("sig=") + 4;
  target[sig] = target[sig] == 'A' ? 'B' : 'A';
  std::optional<Response> response = Get(target);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result(), http::status::forbidden);

  // The type changed to one the server would never send.
  target = Signed(sha_);
  const size_t ct = target.find("ct=") + 3;
  target.replace(ct, target.find('&', ct) - ct, "text%2Fhtml");
  response = Get(target);
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result(), http::status::forbidden);
  EXPECT_EQ(Field(*response, http::field::content_type), "text/plain; charset=utf-8");

  response = Get(target.substr(0, target.find("&sig=")));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result(), http::status::forbidden);
}

TEST_F(BlobHttpServerTest, MalformedMediaUrlIs400) {
  const std::optional<Response> response = Get(absl::StrCat("/media/", sha_));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result(), http::status::bad_request);
}

TEST_F(BlobHttpServerTest, MissingBlobIs404) {
  const std::string missing(64, 'a');
  const std::optional<Response> response = Get(Signed(missing));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result(), http::status::not_found);
}

TEST_F(BlobHttpServerTest, OtherPathsAre404) {
  for (const std::string& target :
       {std::string("/"), std::string("/metrics"), std::string("/media"), absl::StrCat("/blobs/", sha_)}) {
    const std::optional<Response> response = Get(target);
    ASSERT_TRUE(response.has_value()) << target;
    EXPECT_EQ(response->result(), http::status::not_found) << target;
  }
}

TEST_F(BlobHttpServerTest, OtherMethodsAre405) {
  for (const http::verb verb : {http::verb::post, http::verb::put, http::verb::delete_, http::verb::options}) {
    HttpClient client(server_->port());
    const std::optional<Response> response = client.Send(verb, Signed(sha_));
    ASSERT_TRUE(response.has_value()) << http::to_string(verb);
    EXPECT_EQ(response->result(), http::status::method_not_allowed) << http::to_string(verb);
    EXPECT_EQ(Field(*response, http::field::allow), "GET, HEAD");
  }
}

TEST_F(BlobHttpServerTest, KeepAliveServesRequestsOnOneConnection) {
  HttpClient client(server_->port());
  const std::optional<Response> first = client.Send(http::verb::get, Signed(sha_));
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->result(), http::status::ok);
  EXPECT_TRUE(first->keep_alive());
  EXPECT_TRUE(first->body() == content_);
  const std::optional<Response> second = client.Send(http::verb::get, Signed(sha_), {{http::field::range, "bytes=-5"}});
  ASSERT_TRUE(second.has_value()) << client.last_error().message();
  EXPECT_EQ(second->result(), http::status::partial_content);
  EXPECT_TRUE(second->body() == content_.substr(kBlobSize - 5));
  const std::optional<Response> refused = client.Send(http::verb::get, "/elsewhere");
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->result(), http::status::not_found);
  const std::optional<Response> third = client.Send(http::verb::head, Signed(sha_));
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ(third->result(), http::status::ok);
}

TEST_F(BlobHttpServerTest, ConnectionCloseIsHonoured) {
  HttpClient client(server_->port());
  const std::optional<Response> response =
      client.Send(http::verb::get, Signed(sha_), {{http::field::connection, "close"}});
  ASSERT_TRUE(response.has_value());
  EXPECT_FALSE(response->keep_alive());
  EXPECT_TRUE(client.ClosedByServer());
}

TEST_F(BlobHttpServerTest, OversizedHeaderIs431AndCloses) {
  HttpClient client(server_->port());
  const std::optional<Response> response =
      client.Send(http::verb::get, Signed(sha_), {{http::field::cookie, std::string(10 * 1024, 'c')}});
  ASSERT_TRUE(response.has_value()) << client.last_error().message();
  EXPECT_EQ(response->result(), http::status::request_header_fields_too_large);
  EXPECT_TRUE(client.ClosedByServer());
}

TEST_F(BlobHttpServerTest, GarbageIs400AndCloses) {
  HttpClient client(server_->port());
  ASSERT_TRUE(client.WriteRaw("NOT HTTP AT ALL\r\n\r\n"));
  const std::optional<Response> response = client.ReadResponse();
  ASSERT_TRUE(response.has_value()) << client.last_error().message();
  EXPECT_EQ(response->result(), http::status::bad_request);
  EXPECT_TRUE(client.ClosedByServer());
}

TEST_F(BlobHttpServerTest, IdleConnectionsTimeOut) {
  server_->Stop();
  StartServer(BlobHttpServerOptions{.read_timeout = absl::Milliseconds(200)});
  HttpClient idle(server_->port());
  ASSERT_TRUE(idle.connected());
  EXPECT_TRUE(idle.ClosedByServer(std::chrono::seconds(5)));

  HttpClient slow(server_->port());
  ASSERT_TRUE(slow.WriteRaw("GET / HTTP/1.1\r\n"));  // And never the rest.
  EXPECT_TRUE(slow.ClosedByServer(std::chrono::seconds(5)));
}

TEST_F(BlobHttpServerTest, ConnectionsBeyondTheCapAreClosed) {
  server_->Stop();
  prometheus::Registry registry;
  StartServer(BlobHttpServerOptions{.max_connections = 1, .registry = &registry});
  HttpClient first(server_->port());
  ASSERT_TRUE(first.Send(http::verb::get, Signed(sha_)).has_value());  // Certainly accepted.
  HttpClient second(server_->port());
  EXPECT_TRUE(second.ClosedByServer());
  // The first is still served.
  const std::optional<Response> response = first.Send(http::verb::head, Signed(sha_));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->result(), http::status::ok);
  double refused = -1;
  for (const auto& family : registry.Collect()) {
    if (family.name == "clipforge_media_http_refused_connections_total") refused = family.metric[0].counter.value;
  }
  EXPECT_EQ(refused, 1);
  server_->Stop();  // Before `registry` goes.
}

TEST_F(BlobHttpServerTest, StopIsIdempotentAndClosesConnections) {
  HttpClient client(server_->port());
  ASSERT_TRUE(client.Send(http::verb::head, Signed(sha_)).has_value());
  server_->Stop();
  EXPECT_TRUE(client.ClosedByServer());
  server_->Stop();
  EXPECT_FALSE(server_->Start("127.0.0.1", 0).ok());
}

// A store whose Open downloads to a spooled copy, as an S3-compatible one
// would: the server reads the copy it was handed, and drops it once the
// response is out (each answer on a keep-alive connection comes after the
// previous one's copy is released, so the count is exact at the end).
TEST(BlobHttpServerSpoolTest, SpooledCopiesAreServedAndGoAfterTheirResponse) {
  clipforge::testing::TempDir dir;
  const std::string spool_dir = dir.path() + "/spool";
  ASSERT_TRUE(std::filesystem::create_directories(spool_dir));
  clipforge::testing::SpoolingBlobStore blobs(dir.path() + "/blobs", spool_dir);
  const std::string content = PatternedBytes(200 * 1024 + 5);
  const absl::StatusOr<std::string> sha = blobs.Put(content);
  ASSERT_THAT(sha, IsOk());
  base::testing::FakeClock clock;
  const UrlSigner signer = *UrlSigner::Create(std::string(32, 's'));
  BlobHttpServer server(signer, blobs, clock, BlobHttpServerOptions{.chunk_bytes = 16 * 1024});
  ASSERT_THAT(server.Start("127.0.0.1", 0), IsOk());
  const absl::StatusOr<std::string> target = signer.Sign(*sha, "video/mp4", clock.Now() + absl::Minutes(10));
  ASSERT_THAT(target, IsOk());

  HttpClient client(server.port());
  const std::optional<Response> whole = client.Send(http::verb::get, *target);
  ASSERT_TRUE(whole.has_value()) << client.last_error().message();
  EXPECT_EQ(whole->result(), http::status::ok);
  EXPECT_TRUE(whole->body() == content);
  const std::optional<Response> part =
      client.Send(http::verb::get, *target, {{http::field::range, "bytes=100000-100999"}});
  ASSERT_TRUE(part.has_value()) << client.last_error().message();
  EXPECT_EQ(part->result(), http::status::partial_content);
  EXPECT_TRUE(part->body() == content.substr(100000, 1000));
  const std::optional<Response> head = client.Send(http::verb::head, *target);
  ASSERT_TRUE(head.has_value()) << client.last_error().message();
  EXPECT_EQ(head->result(), http::status::ok);

  EXPECT_EQ(blobs.SpooledCopies(), 0);
}

TEST(BlobHttpServerStartTest, BadAddressesAndBusyPortsAreRefused) {
  clipforge::testing::TempDir dir;
  LocalBlobStore blobs(dir.path());
  base::testing::FakeClock clock;
  const UrlSigner signer = *UrlSigner::Create(std::string(32, 's'));
  BlobHttpServer bad(signer, blobs, clock);
  EXPECT_THAT(bad.Start("not-an-address", 0), base::testing::StatusIs(absl::StatusCode::kInvalidArgument));

  BlobHttpServer first(signer, blobs, clock);
  ASSERT_THAT(first.Start("127.0.0.1", 0), IsOk());
  BlobHttpServer second(signer, blobs, clock);
  EXPECT_THAT(second.Start("127.0.0.1", first.port()), base::testing::StatusIs(absl::StatusCode::kUnavailable));
}

// A real H.264 MP4 of `frames` frames at 24 fps, from the renderer and
// encoder that make users' clips, with the encoder's default settings.
absl::Status WriteMp4(const std::string& path, int frames) {
  const generation::RenderSpec spec{
      .prompt = "a test clip for the media endpoint", .seed = 7, .width = 320, .height = 180, .fps = 24,
      .frame_count = frames};
  absl::StatusOr<std::unique_ptr<generation::Scene>> scene = generation::ProceduralRenderer().Prepare(spec);
  if (!scene.ok()) return scene.status();
  return media::EncodeClip(**scene, spec, media::EncodeSettings{},
                           media::ClipFiles{.video_path = path, .thumbnail_path = path + ".jpg"},
                           [](int) { return true; })
      .status();
}

// True when `program` is an executable file in a PATH directory.
bool OnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  for (absl::string_view dir : absl::StrSplit(path, ':')) {
    if (!dir.empty() && access(absl::StrCat(dir, "/", program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

TEST(BlobHttpServerFfprobeTest, FfprobeReadsTheDurationOfAnMp4) {
  if (!OnPath("ffprobe")) GTEST_SKIP() << "ffprobe is not on PATH (scripts/install-deps installs ffmpeg)";
  clipforge::testing::TempDir dir;
  const std::string mp4 = dir.path() + "/clip.mp4";
  ASSERT_THAT(WriteMp4(mp4, /*frames=*/48), IsOk());  // 2 s at 24 fps.
  std::ifstream in(mp4, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  LocalBlobStore blobs(dir.path() + "/blobs");
  absl::StatusOr<std::string> sha = blobs.Put(bytes.str());
  ASSERT_THAT(sha, IsOk());

  base::SystemClock clock;  // ffprobe runs in real time.
  const UrlSigner signer = *UrlSigner::Create(std::string(32, 's'));
  BlobHttpServer server(signer, blobs, clock, BlobHttpServerOptions{.chunk_bytes = 16 * 1024});
  ASSERT_THAT(server.Start("127.0.0.1", 0), IsOk());
  absl::StatusOr<std::string> target = signer.Sign(*sha, "video/mp4", clock.Now() + absl::Minutes(5));
  ASSERT_THAT(target, IsOk());

  const std::string command =
      absl::StrCat("timeout 60 ffprobe -v error -show_entries format=duration -of csv=p=0 'http://127.0.0.1:",
                   server.port(), *target, "' 2>&1");
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[256];
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  const int status = pclose(pipe);
  ASSERT_EQ(status, 0) << output;
  double seconds = 0;
  ASSERT_TRUE(absl::SimpleAtod(absl::StripAsciiWhitespace(output), &seconds)) << output;
  EXPECT_NEAR(seconds, 2.0, 0.1) << output;
}

}  // namespace
}  // namespace clipforge::kit
