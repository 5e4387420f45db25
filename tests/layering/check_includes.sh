#!/usr/bin/env bash
# The layering rule for #includes (cmake/layering.cmake checks the links):
# base/ and the domain cores include no gRPC, protobuf, libpqxx, NATS,
# generated protos or service code; the CLI includes no service code.
# Usage: check_includes.sh REPO_ROOT. Prints each violation; exit 1 if any.
set -euo pipefail

root=${1:?usage: check_includes.sh REPO_ROOT}
cd "${root}"

framework='#include [<"](grpc|grpcpp|google/protobuf|pqxx|nats|clipforge/v1|services)/'
failed=0

# check DIR PATTERN WHAT: every .h/.cc under DIR (tests included: they
# belong to the same layer) must not match PATTERN.
check() {
  local dir=$1 pattern=$2 what=$3
  [[ -d ${dir} ]] || return 0
  local hits
  hits=$(grep -rnE --include='*.h' --include='*.cc' "${pattern}" "${dir}" || true)
  if [[ -n ${hits} ]]; then
    printf 'layering: %s must not include %s:\n%s\n' "${dir}" "${what}" "${hits}"
    failed=1
  fi
}

for core in base users feed remix moderation generation ledger party; do
  check "${core}" "${framework}" "gRPC, protobuf, pqxx, NATS, generated protos or services/"
done
# The moderation core hashes pixels it is handed: decoding stays in media/.
check moderation '#include [<"](libav[a-z]*|libswscale|media)/' "FFmpeg or media/"
# The generation core renders and builds C2PA structures; encoding, files and
# OpenSSL stay in media/.
check generation '#include [<"](libav[a-z]*|libswscale|media|openssl)/' "FFmpeg, OpenSSL or media/"
# The CLI speaks gRPC, but never through the server's code.
check cli '#include [<"]services/' "services/ (the server kit and services)"

if ((failed)); then exit 1; fi
echo "layering: base/, the domain cores and the CLI include only what they may"
