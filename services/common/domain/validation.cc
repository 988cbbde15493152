#include "services/common/domain/validation.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/common/domain/ids.h"
#include "services/common/domain/regions.h"
#include "services/common/base/time_util.h"

namespace pressrelay::validation {
namespace {

using pressrelay::common::v1::StatementKind;
using pressrelay::common::v1::StatementKind_IsValid;

bool AllOf(absl::string_view s, bool (*ok)(char)) {
  for (char c : s) {
    if (!ok(c)) return false;
  }
  return true;
}

bool IsLowerHex(absl::string_view s) {
  return AllOf(s, [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool IsMediaType(absl::string_view s) {
  const size_t slash = s.find('/');
  if (slash == absl::string_view::npos || slash == 0 || slash + 1 == s.size() || s.size() > 127) {
    return false;
  }
  return AllOf(s, [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '.' || c == '+' ||
           c == '-' || c == '_';
  });
}

// An absolute https URL with a host and no whitespace or control characters.
bool IsHttpsUrl(absl::string_view s) {
  if (!absl::StartsWithIgnoreCase(s, "https://")) return false;
  absl::string_view rest = s.substr(8);
  const size_t end = rest.find_first_of("/?#");
  absl::string_view host = rest.substr(0, end);
  if (host.empty() || host.find('@') != absl::string_view::npos) return false;
  for (unsigned char c : s) {
    if (c <= 0x20 || c == 0x7f || c >= 0x80) return false;
  }
  return true;
}

int CodePoints(absl::string_view s) {
  int n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

}  // namespace

bool IsValidUtf8(absl::string_view text) {
  int32_t i = 0;
  const int32_t length = static_cast<int32_t>(text.size());
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  while (i < length) {
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) return false;
  }
  return true;
}

bool HasVisibleText(absl::string_view text) {
  int32_t i = 0;
  const int32_t length = static_cast<int32_t>(text.size());
  const auto* s = reinterpret_cast<const uint8_t*>(text.data());
  while (i < length) {
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) continue;
    const int8_t type = u_charType(c);
    if (u_isUWhiteSpace(c) || u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT) ||
        type == U_CONTROL_CHAR || type == U_FORMAT_CHAR) {
      continue;
    }
    return true;
  }
  return false;
}

std::string ToNfc(absl::string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return std::string(text);
  icu::UnicodeString input =
      icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  if (nfc->isNormalized(input, status) && U_SUCCESS(status)) return std::string(text);
  status = U_ZERO_ERROR;
  icu::UnicodeString normalized = nfc->normalize(input, status);
  if (U_FAILURE(status)) return std::string(text);
  std::string out;
  normalized.toUTF8String(out);
  return out;
}

void NormalizeText(std::string* text, absl::string_view field, int max_code_points, bool multiline,
                   FieldViolations* violations) {
  if (!IsValidUtf8(*text)) {
    violations->Add(field, "is not valid UTF-8");
    return;
  }
  for (unsigned char c : *text) {
    const bool allowed_ws = multiline ? (c == '\n' || c == '\t' || c == '\r') : false;
    if ((c < 0x20 && !allowed_ws) || c == 0x7f) {
      violations->Add(field, "contains a control character");
      return;
    }
  }
  *text = ToNfc(*text);
  if (max_code_points > 0 && CodePoints(*text) > max_code_points) {
    violations->Add(field, absl::StrCat("is longer than ", max_code_points, " characters"));
  }
}

bool IsAgencyCode(absl::string_view code) {
  return code.size() >= 2 && code.size() <= 32 && AllOf(code, [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
         });
}

bool IsSlugId(absl::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  if (!((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= '0' && id[0] <= '9'))) return false;
  return AllOf(id, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

bool IsIdempotencyKey(absl::string_view key) {
  if (key.empty() || key.size() > 128) return false;
  return AllOf(key, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.' || c == ':';
  });
}

bool IsRegionCode(absl::string_view code) {
  if (code.size() < 4 || code.size() > 6 || code.substr(0, 3) != "VN-") return false;
  return AllOf(code.substr(3), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

void CheckRegion(absl::string_view code, absl::string_view field, FieldViolations* violations) {
  const regions::Region* region = regions::Find(code);
  if (region == nullptr) {
    violations->Add(field, "is not the code of a province of Vietnam (ISO 3166-2:VN, such as \"VN-HN\")");
  } else if (!region->successor.empty()) {
    const regions::Region* successor = regions::Find(region->successor);
    violations->Add(field, absl::StrCat(region->code, " (", region->name_vi, ") was merged into ", successor->code,
                                        " (", successor->name_vi, ") on ", regions::kMergerDate, "; use ",
                                        successor->code));
  }
}

bool IsTopicCode(absl::string_view code) {
  if (code.empty() || code.size() > 64) return false;
  if (!((code[0] >= 'a' && code[0] <= 'z') || (code[0] >= '0' && code[0] <= '9'))) return false;
  return AllOf(code, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ':' || c == '.' || c == '_' ||
           c == '-';
  });
}

absl::Status NormalizeDraft(pressrelay::distribution::v1::StatementDraft* draft, absl::Time now,
                            absl::string_view prefix) {
  FieldViolations v;
  auto path = [&](absl::string_view field) { return absl::StrCat(prefix, ".", field); };

  if (draft->agency_code().empty()) {
    v.Add(path("agency_code"), "is required");
  } else if (!IsAgencyCode(draft->agency_code())) {
    v.Add(path("agency_code"), "must be 2-32 characters A-Z, 0-9 or '-'");
  }
  if (!StatementKind_IsValid(draft->kind())) {
    v.Add(path("kind"), absl::StrCat("unknown value ", draft->kind()));
  } else if (draft->kind() == pressrelay::common::v1::STATEMENT_KIND_UNSPECIFIED) {
    v.Add(path("kind"), "is required");
  }
  if (draft->urgency() == 0) draft->set_urgency(kDefaultUrgency);
  if (draft->urgency() < 1 || draft->urgency() > 9) {
    v.Add(path("urgency"), "must be 1 (flash) to 9");
  }
  if (draft->language() != "vi" && draft->language() != "en") {
    v.Add(path("language"), "must be \"vi\" or \"en\"");
  }

  NormalizeText(draft->mutable_headline(), path("headline"), kHeadlineMax, false, &v);
  if (draft->headline().empty()) {
    v.Add(path("headline"), "is required");
  } else if (!HasVisibleText(draft->headline())) {
    v.Add(path("headline"), "is required: it has no visible text, only spaces or invisible characters");
  }
  NormalizeText(draft->mutable_summary(), path("summary"), kSummaryMax, true, &v);
  NormalizeText(draft->mutable_body(), path("body"), 0, true, &v);
  if (draft->body().empty()) {
    v.Add(path("body"), "is required");
  } else if (!HasVisibleText(draft->body())) {
    v.Add(path("body"), "is required: it has no visible text, only spaces or invisible characters");
  }
  if (draft->body().size() > kBodyMaxBytes) {
    v.Add(path("body"), absl::StrCat("is larger than ", kBodyMaxBytes, " bytes"));
  }
  NormalizeText(draft->mutable_in_reply_to(), path("in_reply_to"), kInReplyToMax, true, &v);
  absl::StripAsciiWhitespace(draft->mutable_follows_up());
  if (!draft->follows_up().empty() && !ids::IsStatementId(draft->follows_up())) {
    v.Add(path("follows_up"), "must be a statement id, as Publish answered it");
  }
  if (draft->kind() == pressrelay::common::v1::STATEMENT_KIND_ANSWER && draft->in_reply_to().empty()) {
    v.Add(path("in_reply_to"), "is required for an answer: name the question answered");
  }

  if (draft->subjects_size() > kSubjectsMax) {
    v.Add(path("subjects"), absl::StrCat("has more than ", kSubjectsMax, " entries"));
  }
  for (int i = 0; i < draft->subjects_size(); ++i) {
    auto* subject = draft->mutable_subjects(i);
    const std::string p = absl::StrCat(prefix, ".subjects[", i, "]");
    if (!IsTopicCode(subject->code())) {
      v.Add(absl::StrCat(p, ".code"), "must be 1-64 characters a-z, 0-9, ':', '.', '_' or '-'");
    }
    NormalizeText(subject->mutable_name(), absl::StrCat(p, ".name"), kNameMax, false, &v);
  }

  if (!draft->located().region_code().empty()) {
    CheckRegion(draft->located().region_code(), path("located.region_code"), &v);
  }
  NormalizeText(draft->mutable_located()->mutable_name(), path("located.name"), kNameMax, false, &v);

  if (draft->attachments_size() > kAttachmentsMax) {
    v.Add(path("attachments"), absl::StrCat("has more than ", kAttachmentsMax, " entries"));
  }
  for (int i = 0; i < draft->attachments_size(); ++i) {
    auto* a = draft->mutable_attachments(i);
    const std::string p = absl::StrCat(prefix, ".attachments[", i, "]");
    if (a->href().size() > kHrefMax || !IsHttpsUrl(a->href())) {
      v.Add(absl::StrCat(p, ".href"), "must be an https URL of at most 2048 characters");
    }
    if (!IsMediaType(a->media_type())) {
      v.Add(absl::StrCat(p, ".media_type"), "must be a media type such as application/pdf");
    }
    if (a->size_bytes() < 0 || a->size_bytes() > kAttachmentMaxBytes) {
      v.Add(absl::StrCat(p, ".size_bytes"), "must be between 0 and 2 GiB");
    }
    if (a->sha256().size() != 64 || !IsLowerHex(a->sha256())) {
      v.Add(absl::StrCat(p, ".sha256"), "must be 64 lower-case hex digits");
    }
    NormalizeText(a->mutable_title(), absl::StrCat(p, ".title"), kNameMax, false, &v);
  }

  if (IsSet(draft->embargoed())) {
    const absl::Time release = FromProto(draft->embargoed());
    if (draft->embargoed().nanos() < 0 || draft->embargoed().nanos() > 999999999) {
      v.Add(path("embargoed"), "is not a valid timestamp");
    } else if (release < now - kClockSkew) {
      v.Add(path("embargoed"), "is in the past");
    } else if (release > now + kMaxScheduleAhead) {
      v.Add(path("embargoed"), "is more than a year ahead");
    } else {
      // The wire keeps and signs times to the millisecond.
      *draft->mutable_embargoed() = ProtoFromMillis(MillisFromProto(draft->embargoed()));
    }
  }
  return v.ToStatus();
}

}  // namespace pressrelay::validation
