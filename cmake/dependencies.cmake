# Every third-party dependency, found once. See scripts/install-deps for the
# Debian packages that provide them.
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(Protobuf REQUIRED)
find_package(gRPC CONFIG REQUIRED)
find_package(absl CONFIG REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(GTest REQUIRED)
find_package(benchmark REQUIRED)
find_package(OpenSSL REQUIRED)

# libpqxx 6.4 and cnats ship no usable CMake config on Debian 12 (see
# docs/platform-notes.md): use pkg-config imported targets.
pkg_check_modules(PQXX REQUIRED IMPORTED_TARGET libpqxx)
pkg_check_modules(NATS REQUIRED IMPORTED_TARGET libnats)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
# FFmpeg 5.1 (decoding stills and videos, media/).
pkg_check_modules(FFMPEG REQUIRED IMPORTED_TARGET libavformat libavcodec libavutil libswscale)

find_program(GRPC_CPP_PLUGIN grpc_cpp_plugin REQUIRED)
