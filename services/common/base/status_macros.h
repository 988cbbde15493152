// Early-return helpers for absl::Status and absl::StatusOr.
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define PR_CONCAT_INNER(a, b) a##b
#define PR_CONCAT(a, b) PR_CONCAT_INNER(a, b)

// Returns the status if it is not OK.
#define PR_RETURN_IF_ERROR(expr)                     \
  do {                                               \
    if (absl::Status pr_status_ = (expr); !pr_status_.ok()) return pr_status_; \
  } while (0)

// `lhs = value of expr`, or returns its status.
#define PR_ASSIGN_OR_RETURN(lhs, expr) \
  PR_ASSIGN_OR_RETURN_IMPL(PR_CONCAT(pr_statusor_, __LINE__), lhs, expr)
#define PR_ASSIGN_OR_RETURN_IMPL(statusor, lhs, expr) \
  auto statusor = (expr);                              \
  if (!statusor.ok()) return statusor.status();        \
  lhs = std::move(*statusor)
