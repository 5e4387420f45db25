// clipforged serving TLS and the clipforge CLI choosing and checking it,
// with a throwaway CA and server certificate made by `openssl` per test.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/support/clipforged_process.h"
#include "tests/support/test_servers.h"

namespace clipforge::testing {
namespace {


class CliTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(MakeCa("ca"));
    ASSERT_NO_FATAL_FAILURE(MakeCa("other-ca"));
    ASSERT_NO_FATAL_FAILURE(MakeServerCert("ca", "server"));
    pg_ = TestPostgres::Start();
    ASSERT_EQ(Run({CF_CLIPFORGED, "migrate", "--database-url=" + pg_->dsn()}).first, 0);
    key_ = dir_.path() + "/signing.key";
    ASSERT_EQ(Run({CF_CLIPFORGED, "keys", "generate", "--key-file=" + key_}).first, 0);
  }
  void TearDown() override { server_.Stop(); }

  std::pair<int, std::string> Run(const std::vector<std::string>& argv) {
    const std::string log = dir_.path() + "/cmd-" + std::to_string(++commands_) + ".log";
    const int code = RunCommand(argv, log);
    return {code, ReadFileToString(log)};
  }
  std::pair<int, std::string> RunWithStdin(const std::vector<std::string>& argv, const std::string& text) {
    const std::string log = dir_.path() + "/cmd-" + std::to_string(++commands_) + ".log";
    const std::string input = dir_.path() + "/stdin-" + std::to_string(commands_);
    std::ofstream(input) << text;
    const int code = RunCommand(argv, log, input);
    return {code, ReadFileToString(log)};
  }
  void Openssl(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = Run(argv);
    ASSERT_EQ(r.first, 0) << r.second;
  }
  std::string Path(const std::string& name) { return dir_.path() + "/" + name; }
  void MakeCa(const std::string& name) {
    Openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-keyout", Path(name + ".key"), "-out", Path(name + ".pem"), "-days", "1", "-subj",
             "/CN=ClipForge test " + name});
  }
  // A server certificate for 127.0.0.1 and localhost signed by `ca`.
  void MakeServerCert(const std::string& ca, const std::string& name) {
    std::ofstream(Path(name + ".ext"))
        << "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
           "extendedKeyUsage=serverAuth\n";
    Openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
             Path(name + ".key"), "-out", Path(name + ".csr"), "-subj", "/CN=localhost"});
    Openssl({"x509", "-req", "-in", Path(name + ".csr"), "-CA", Path(ca + ".pem"), "-CAkey",
             Path(ca + ".key"), "-CAcreateserial", "-out", Path(name + ".pem"), "-days", "1",
             "-extfile", Path(name + ".ext")});
    ASSERT_EQ(chmod(Path(name + ".key").c_str(), 0600), 0);
  }
  std::vector<std::string> ServeArgs(int port) {
    return {CF_CLIPFORGED, "serve", "--services=users", "--grpc-addr=127.0.0.1:" + std::to_string(port),
            "--metrics-addr=127.0.0.1:" + std::to_string(PickFreePort()), "--database-url=" + pg_->dsn(),
            "--token-signing-key-file=" + key_};
  }
  void StartTlsServer() {
    port_ = PickFreePort();
    std::vector<std::string> argv = ServeArgs(port_);
    argv.push_back("--tls-cert-file=" + Path("server.pem"));
    argv.push_back("--tls-key-file=" + Path("server.key"));
    ASSERT_TRUE(server_.Start(argv, Path("server.log")));
    ASSERT_TRUE(WaitForPort(port_, 30000)) << ReadFileToString(Path("server.log"));
  }
  // `clipforge` against the server with `flags` before the command.
  std::pair<int, std::string> Cli(const std::vector<std::string>& flags, std::vector<std::string> command) {
    std::vector<std::string> argv = {CF_CLIPFORGE, "--server=127.0.0.1:" + std::to_string(port_),
                                     "--config-dir=" + Path("config")};
    argv.insert(argv.end(), flags.begin(), flags.end());
    argv.insert(argv.end(), command.begin(), command.end());
    return RunWithStdin(argv, kTestPassword);
  }
  std::vector<std::string> Register(const std::string& handle) {
    return {"register", "--handle=" + handle, "--email=" + handle + "@example.com", "--display-name=X",
            "--password-stdin"};
  }

  TempDir dir_;
  std::unique_ptr<TestPostgres> pg_;
  std::string key_;
  Daemon server_;
  int port_ = 0;
  int commands_ = 0;
};

TEST_F(CliTlsTest, TheCliTrustsTheServerThroughItsCaFile) {
  ASSERT_NO_FATAL_FAILURE(StartTlsServer());
  auto r = Cli({"--ca-file=" + Path("ca.pem")}, Register("alice"));
  ASSERT_EQ(r.first, 0) << r.second;
  r = Cli({"--ca-file=" + Path("ca.pem"), "--json"}, {"whoami"});
  ASSERT_EQ(r.first, 0) << r.second;
  EXPECT_NE(r.second.find("\"handle\":\"alice\""), std::string::npos) << r.second;
}

TEST_F(CliTlsTest, AnUntrustedCertificateIsExplained) {
  ASSERT_NO_FATAL_FAILURE(StartTlsServer());
  auto r = Cli({"--ca-file=" + Path("other-ca.pem")}, Register("bob"));
  EXPECT_EQ(r.first, 1) << r.second;
  EXPECT_NE(r.second.find("not trusted"), std::string::npos) << r.second;
  EXPECT_NE(r.second.find("--ca-file"), std::string::npos) << r.second;
}

TEST_F(CliTlsTest, PlaintextAgainstATlsServerFailsClearly) {
  ASSERT_NO_FATAL_FAILURE(StartTlsServer());
  // Explicitly, and by the loopback default.
  for (const std::vector<std::string>& flags : {std::vector<std::string>{"--plaintext"}, std::vector<std::string>{}}) {
    auto r = Cli(flags, Register("carol"));
    EXPECT_EQ(r.first, 1) << r.second;
    EXPECT_NE(r.second.find("closed the connection"), std::string::npos) << r.second;
    EXPECT_NE(r.second.find("TLS"), std::string::npos) << r.second;
  }
}

TEST_F(CliTlsTest, ATlsClientAgainstAPlaintextServerSuggestsPlaintext) {
  port_ = PickFreePort();
  ASSERT_TRUE(server_.Start(ServeArgs(port_), Path("server.log")));
  ASSERT_TRUE(WaitForPort(port_, 30000)) << ReadFileToString(Path("server.log"));
  auto r = Cli({"--ca-file=" + Path("ca.pem")}, Register("dave"));
  EXPECT_EQ(r.first, 1) << r.second;
  EXPECT_NE(r.second.find("--plaintext"), std::string::npos) << r.second;
  r = Cli({}, Register("dave"));  // Loopback: plaintext by default.
  EXPECT_EQ(r.first, 0) << r.second;
}

TEST_F(CliTlsTest, TheServerRefusesAnExposedKeyOrHalfAPair) {
  const int port = PickFreePort();
  std::vector<std::string> argv = ServeArgs(port);
  argv.push_back("--tls-cert-file=" + Path("server.pem"));
  auto r = Run(argv);
  EXPECT_NE(r.first, 0) << r.second;
  EXPECT_NE(r.second.find("--tls-key-file"), std::string::npos) << r.second;

  ASSERT_EQ(chmod(Path("server.key").c_str(), 0644), 0);
  argv.push_back("--tls-key-file=" + Path("server.key"));
  r = Run(argv);
  EXPECT_NE(r.first, 0) << r.second;
  EXPECT_NE(r.second.find("must not be readable by group or others"), std::string::npos) << r.second;
}

}  // namespace
}  // namespace clipforge::testing
