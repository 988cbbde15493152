// What a statement draft must be before the wire accepts it. Every rule names the field
// it rejects, and nothing is stored when any rule fails.
//
// Text is checked to be valid UTF-8 without control characters, then normalised to NFC
// so that Vietnamese written with combining marks (as some keyboards produce) and with
// precomposed letters is stored, signed and delivered as the same bytes.
#pragma once

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "pressrelay/distribution/v1/distribution.pb.h"
#include "services/common/base/status.h"

namespace pressrelay::validation {

// Limits, in Unicode code points for text and bytes for the body.
inline constexpr int kHeadlineMax = 300;
inline constexpr int kSummaryMax = 2000;
inline constexpr int kBodyMaxBytes = 200 * 1024;
inline constexpr int kReasonMax = 1000;
inline constexpr int kInReplyToMax = 2000;
inline constexpr int kSubjectsMax = 20;
inline constexpr int kAttachmentsMax = 20;
inline constexpr int kNameMax = 200;
inline constexpr int kHrefMax = 2048;
inline constexpr int64_t kAttachmentMaxBytes = int64_t{2} * 1024 * 1024 * 1024;
inline constexpr absl::Duration kMaxScheduleAhead = absl::Hours(24 * 366);
inline constexpr absl::Duration kClockSkew = absl::Minutes(5);
inline constexpr int kDefaultUrgency = 5;

// Checks and normalises a draft in place. `now` bounds the embargo time. Field paths are
// prefixed with `prefix` (e.g. "draft").
absl::Status NormalizeDraft(pressrelay::distribution::v1::StatementDraft* draft, absl::Time now,
                            absl::string_view prefix = "draft");

// Checks one text value: valid UTF-8, no control characters (newlines and tabs allowed
// when multiline), then NFC in place; at most max_code_points (0: no limit).
void NormalizeText(std::string* text, absl::string_view field, int max_code_points, bool multiline,
                   FieldViolations* violations);

bool IsValidUtf8(absl::string_view text);
// Whether valid UTF-8 text has something a reader can see: not only white space of any
// kind (U+00A0, U+3000, ...), invisible format characters (zero-width spaces and joiners)
// or nothing at all. Required text fields must.
bool HasVisibleText(absl::string_view text);
// NFC form of valid UTF-8.
std::string ToNfc(absl::string_view text);

// Registry identifiers.
bool IsAgencyCode(absl::string_view code);  // "MOH", "UBND-HN": [A-Z0-9-]{2,32}
bool IsSlugId(absl::string_view id);        // "tuoitre-cms": [a-z0-9][a-z0-9._-]{0,63}
bool IsRegionCode(absl::string_view code);  // "VN-HN", "VN-44": VN-[A-Z0-9]{1,3}
// Adds a violation unless `code` is one of the 34 current provinces (regions.h); a former
// province's code is told which one to use instead.
void CheckRegion(absl::string_view code, absl::string_view field, FieldViolations* violations);
bool IsTopicCode(absl::string_view code);   // "health", "medtop:07000000": [a-z0-9][a-z0-9:._-]{0,63}
// A key the caller chooses for a retried request (Publish, AskQuestion): [A-Za-z0-9._:-]{1,128}.
bool IsIdempotencyKey(absl::string_view key);

}  // namespace pressrelay::validation
