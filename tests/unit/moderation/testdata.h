// Where the PDQ reference data lives: $CF_TESTDATA_DIR/pdq when that
// variable is set, else the CF_TESTDATA_DIR the build was configured with
// (a CMake cache variable). Tests that need it skip when it is absent.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace clipforge::test_media {

inline std::string PdqTestdataDir() {
  const char* env = std::getenv("CF_TESTDATA_DIR");
  const std::string root = env != nullptr && *env != '\0' ? env : CF_TESTDATA_DIR;
  const std::string dir = root + "/pdq";
  std::error_code ec;
  return std::filesystem::is_directory(dir, ec) ? dir : "";
}

}  // namespace clipforge::test_media

#define CF_PDQ_TESTDATA_OR_SKIP(var)                                                                    \
  const std::string var = ::clipforge::test_media::PdqTestdataDir();                                       \
  if (!var.empty()) {                                                                                   \
  } else                                                                                                \
    GTEST_SKIP() << "PDQ reference data not found (set CF_TESTDATA_DIR, or the CMake cache variable of " \
                  "that name, to the directory holding pdq/)"
