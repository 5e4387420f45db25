# The layering rule, checked when CMake configures (so a violation fails the
# build): base/ and the domain cores (users/, and later feed/, remix/,
# moderation/, generation/, ledger/, party/) link no gRPC, protobuf,
# libpqxx, NATS, generated protos or service kit; the CLI links no service
# kit. tests/layering/check_includes.sh checks the same for #includes.

# Every library `target` links, directly or through other targets.
function(cf_collect_links target out)
  set(seen ${${out}})
  set(pending ${target})
  while(pending)
    list(POP_FRONT pending current)
    if(NOT TARGET ${current})
      continue()
    endif()
    get_target_property(imported ${current} IMPORTED)
    get_target_property(type ${current} TYPE)
    set(links "")
    if(NOT imported AND NOT type STREQUAL "INTERFACE_LIBRARY")
      get_target_property(direct ${current} LINK_LIBRARIES)
      if(direct)
        list(APPEND links ${direct})
      endif()
    endif()
    get_target_property(iface ${current} INTERFACE_LINK_LIBRARIES)
    if(iface)
      list(APPEND links ${iface})
    endif()
    foreach(link IN LISTS links)
      # $<LINK_ONLY:x> and other generator expressions: take the name inside.
      string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" link "${link}")
      if(link MATCHES "^\\$<" OR link IN_LIST seen)
        continue()
      endif()
      list(APPEND seen ${link})
      list(APPEND pending ${link})
    endforeach()
  endwhile()
  set(${out} ${seen} PARENT_SCOPE)
endfunction()

# cf_forbid_links(TARGET t PATTERNS regex...): FATAL_ERROR when `t` links a
# library whose name matches one of the patterns.
function(cf_forbid_links)
  cmake_parse_arguments(ARG "" "TARGET" "PATTERNS" ${ARGN})
  set(links "")
  cf_collect_links(${ARG_TARGET} links)
  foreach(link IN LISTS links)
    foreach(pattern IN LISTS ARG_PATTERNS)
      if(link MATCHES "${pattern}")
        message(FATAL_ERROR "layering: ${ARG_TARGET} links ${link}; base/ and the domain cores link only "
                            "base/ (no gRPC, protobuf, pqxx, NATS or kit), the CLI no kit")
      endif()
    endforeach()
  endforeach()
endfunction()

set(CF_FRAMEWORK_LINKS "^gRPC::" "^protobuf::" "^PkgConfig::PQXX$" "^PkgConfig::NATS$" "^cf_kit" "^cf_proto$"
                       "grpc" "protobuf" "pqxx" "nats")

# Called at the end of the top-level CMakeLists.txt, once every target exists.
function(cf_check_layering)
  foreach(core cf_base cf_users_domain cf_remix_domain cf_feed_domain cf_ledger_domain cf_moderation_filter cf_moderation_media cf_moderation_audit)
    cf_forbid_links(TARGET ${core} PATTERNS ${CF_FRAMEWORK_LINKS})
  endforeach()
  # The moderation core hashes pixels it is handed; decoding lives in media/.
  cf_forbid_links(TARGET cf_moderation_media PATTERNS "FFMPEG" "^cf_media")
  # The generation core decides what to render; pixels and files are media/'s.
  # The renderer hands frames to media/; the C2PA structures take crypto
  # through interfaces that media/provenance_* implements with OpenSSL.
  foreach(core cf_generation cf_generation_render cf_generation_c2pa)
    cf_forbid_links(TARGET ${core} PATTERNS ${CF_FRAMEWORK_LINKS} "FFMPEG" "^cf_media" "^cf_provenance" "OpenSSL")
  endforeach()
  cf_forbid_links(TARGET cf_cli PATTERNS "^cf_kit" "^PkgConfig::PQXX$" "^PkgConfig::NATS$")
endfunction()
