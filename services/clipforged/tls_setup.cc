#include "services/clipforged/tls_setup.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include <grpcpp/security/server_credentials.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace clipforge::clipforged {
namespace {

absl::StatusOr<std::string> ReadPem(const std::string& flag, const std::string& path,
                                    absl::string_view marker) {
  std::ifstream in(path);
  if (!in.is_open()) return absl::NotFoundError(absl::StrCat("--", flag, ": cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  if (!absl::StrContains(text.str(), marker)) {
    return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", path, " holds no PEM ", marker));
  }
  return text.str();
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> LoadServerTls(const std::string& cert_file,
                                                                       const std::string& key_file) {
  if (cert_file.empty() && key_file.empty()) return std::shared_ptr<grpc::ServerCredentials>();
  if (cert_file.empty() || key_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls-cert-file and --tls-key-file go together: give both to serve TLS, or neither");
  }
  struct stat st;
  if (stat(key_file.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat("--tls-key-file: cannot read ", key_file));
  }
  if ((st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--tls-key-file: ", key_file, " must not be readable by group or others (chmod 600)"));
  }
  absl::StatusOr<std::string> chain = ReadPem("tls-cert-file", cert_file, "CERTIFICATE");
  if (!chain.ok()) return chain.status();
  absl::StatusOr<std::string> key = ReadPem("tls-key-file", key_file, "PRIVATE KEY");
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back({*std::move(key), *std::move(chain)});
  return grpc::SslServerCredentials(options);
}

}  // namespace clipforge::clipforged
