// Status propagation macros. Debian 12's Abseil (20220623) ships none, so
// base/ defines them once for the whole project.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define CF_STATUS_CONCAT_INNER_(a, b) a##b
#define CF_STATUS_CONCAT_(a, b) CF_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function when `expr` yields a non-OK status.
#define CF_RETURN_IF_ERROR(expr)                          \
  do {                                                    \
    if (::absl::Status cf_status_ = (expr); !cf_status_.ok()) \
      return cf_status_;                                  \
  } while (false)

// `CF_ASSIGN_OR_RETURN(auto x, Fn());` binds the value of an OK StatusOr or
// returns its status from the enclosing function.
#define CF_ASSIGN_OR_RETURN(lhs, expr)                                        \
  CF_ASSIGN_OR_RETURN_IMPL_(CF_STATUS_CONCAT_(cf_statusor_, __LINE__), lhs, expr)

#define CF_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                              \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()
