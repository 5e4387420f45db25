// Access-token verification cost per RPC: AccessTokenKeyring::Verify (strict
// base64url decoding, payload parsing, key lookup, Ed25519 verification, time
// checks) against the bare libsodium crypto_sign_verify_detached on the same
// message and signature, both measured in this run on this machine; plus the
// cost of signing. Goal: verification < 50 µs per RPC.
#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/report.h"
#include "services/kit/access_token.h"

namespace clipforge::bench {
namespace {

constexpr int kRounds = 4;             // Alternate the measurements so drift hits all.
constexpr int kCallsPerRound = 50'000;  // 200,000 calls of each kind in all.

struct Series {
  std::vector<absl::Duration> samples;
  absl::Duration wall;

  template <typename Fn>
  void Run(int calls, Fn&& fn) {
    const absl::Time start = absl::Now();
    for (int i = 0; i < calls; ++i) {
      const absl::Time begin = absl::Now();
      fn();
      samples.push_back(absl::Now() - begin);
    }
    wall += absl::Now() - start;
  }
};

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "token_bench: %s\n", what);
  std::exit(1);
}

}  // namespace
}  // namespace clipforge::bench

int main() {
  using namespace clipforge;
  using namespace clipforge::bench;
  if (sodium_init() < 0) Fail("libsodium failed to initialize");

  const absl::StatusOr<kit::AccessTokenSigner> signer =
      kit::AccessTokenSigner::FromSeed("2026-11", std::string(32, '\x2a'));
  if (!signer.ok()) Fail("cannot create the signer");
  kit::AccessTokenKeyring keyring;
  // A rotation in progress: the keyring holds the previous key as well.
  const auto previous = kit::AccessTokenSigner::FromSeed("2026-10", std::string(32, '\x17'));
  if (!previous.ok() || !keyring.AddPublicKey(previous->key_id(), previous->public_key()).ok() ||
      !keyring.AddPublicKey(signer->key_id(), signer->public_key()).ok()) {
    Fail("cannot build the keyring");
  }

  kit::AccessClaims claims;
  claims.user_id = "0190a3c4-5e6f-7abc-8def-0123456789ab";
  claims.session_id = "0190a3c4-5e6f-7abc-8def-ba9876543210";
  claims.roles = {base::Role::kUser, base::Role::kCreator};
  claims.issued_at = absl::Now();
  claims.expires_at = claims.issued_at + absl::Minutes(15);
  const std::string token = signer->Sign(claims);
  const absl::Time now = claims.issued_at + absl::Seconds(1);
  if (!keyring.Verify(token, now).ok()) Fail("the token does not verify");

  // The baseline verifies exactly what Verify verifies: the signed prefix and
  // the signature bytes, already decoded.
  const size_t last_dot = token.rfind('.');
  const std::string message = token.substr(0, last_dot);
  unsigned char signature[crypto_sign_BYTES];
  size_t signature_size = 0;
  const std::string sig_b64 = token.substr(last_dot + 1);
  if (sodium_base642bin(signature, sizeof signature, sig_b64.data(), sig_b64.size(), nullptr,
                        &signature_size, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      signature_size != sizeof signature) {
    Fail("cannot decode the signature");
  }
  const std::string public_key = signer->public_key();
  const auto* pk = reinterpret_cast<const unsigned char*>(public_key.data());
  const auto* msg = reinterpret_cast<const unsigned char*>(message.data());

  Series ours, bare, sign;
  int failures = 0;
  for (int round = 0; round < kRounds; ++round) {
    bare.Run(kCallsPerRound, [&] {
      failures += crypto_sign_verify_detached(signature, msg, message.size(), pk) != 0;
    });
    ours.Run(kCallsPerRound, [&] { failures += !keyring.Verify(token, now).ok(); });
    sign.Run(kCallsPerRound / 2, [&] { failures += signer->Sign(claims).size() != token.size(); });
  }
  if (failures != 0) Fail("a verification or signature failed during the run");

  const LatencySummary o = Summarize(ours.samples, ours.wall);
  const LatencySummary b = Summarize(bare.samples, bare.wall);
  const LatencySummary s = Summarize(sign.samples, sign.wall);
  const bool goal_met = o.p50_us < 50;
  std::string table =
      "| operation | calls | p50 µs | p99 µs | calls/s (1 core) | p50 vs bare verify |\n"
      "|---|---|---|---|---|---|\n";
  table += absl::StrFormat("| bare `crypto_sign_verify_detached` (baseline) | %d | %.1f | %.1f | %.0f | 1.00 |\n",
                           bare.samples.size(), b.p50_us, b.p99_us, b.per_second);
  table += absl::StrFormat("| `AccessTokenKeyring::Verify` | %d | %.1f | %.1f | %.0f | %.2f |\n",
                           ours.samples.size(), o.p50_us, o.p99_us, o.per_second, o.p50_us / b.p50_us);
  table += absl::StrFormat("| `AccessTokenSigner::Sign` | %d | %.1f | %.1f | %.0f | |\n",
                           sign.samples.size(), s.p50_us, s.p99_us, s.per_second);
  const std::string report = absl::StrFormat(
      "## Access-token verification per RPC\n\n"
      "Measured %s, one thread, libsodium %s. A %d-byte `cf1.` token (two roles, key id of 7 "
      "characters) verified against a keyring of two keys (a rotation in progress), %d "
      "alternating rounds. The baseline is libsodium's Ed25519 verification alone on the same "
      "message and already-decoded signature; `Verify` adds strict base64url decoding, payload "
      "parsing, the key lookup and the expiry checks. Goal: < 50 µs per RPC (median) — %s. The "
      "p99 column sits beside the baseline's p99 so that our overhead can be told apart from "
      "scheduling noise on a shared machine.\n\n%s\n",
      MachineLine(), sodium_version_string(), token.size(), kRounds, goal_met ? "met" : "NOT met", table);
  std::fputs(report.c_str(), stdout);
  WriteReportSection("docs/benchmarks.md", "token_verify", report);
  return 0;
}
