// References to Vietnamese legal documents in a statement's text, found and normalised.
//
// Two official numbering forms (Decree 30/2020/NĐ-CP on administrative documents, Law on
// Promulgation of Legal Documents):
//   normative documents carry their year:     09/2017/NĐ-CP, 63/2023/TT-BTC, 103/2016/QH13,
//                                             01/2014/TTLT-BTP-BTC
//   administrative documents do not:          07/CT-TTg, 407/QĐ-TTg, 175/NQ-CP, 13/CĐ-TTg,
//                                             114/TB-VPCP, official letters 73/TTg-CN
// What real text does to them is undone: ASCII D for Đ (ND, QD), Ð (U+00D0) for Đ (U+0110),
// lower case, spaces or en/em dashes around the hyphen and slash, the year joined by a dash
// (09/2017-ND-CP), and "Nghị định số 09" (kind and number only). A few laws are named without
// a number ("Luật Báo chí"): a small table maps them. The issue date next to a reference
// ("ngày 30/3/2022", "ngày 30 tháng 3 năm 2022") is taken as its date, which is what tells
// apart two administrative documents with the same number.
//
// Input is UTF-8 in NFC (the wire's statements are); spans are byte offsets into it.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "pressrelay/common/v1/statement.pb.h"

namespace pressrelay::legal {

enum class DocKind {
  kUnknown,
  kLaw,             // Luật (QH), also a numbered National Assembly document without a kind code
  kOrdinance,       // Pháp lệnh (UBTVQH)
  kResolution,      // Nghị quyết (NQ)
  kDecree,          // Nghị định (NĐ)
  kDecision,        // Quyết định (QĐ)
  kDirective,       // Chỉ thị (CT)
  kCircular,        // Thông tư (TT)
  kJointCircular,   // Thông tư liên tịch (TTLT)
  kNotice,          // Thông báo (TB)
  kTelegram,        // Công điện (CĐ)
  kPlan,            // Kế hoạch (KH)
  kGuidance,        // Hướng dẫn (HD)
  kOfficialLetter,  // Công văn: number/issuer-unit, no kind code (73/TTg-CN)
};

// Its Vietnamese name ("Nghị định").
absl::string_view KindName(DocKind kind);

struct LegalRef {
  // One canonical spelling: "09/2017/NĐ-CP", "07/CT-TTg", "73/TTg-CN", "103/2016/QH13";
  // "NĐ 09" for a kind and number alone.
  std::string canonical;
  DocKind kind = DocKind::kUnknown;
  std::string number;  // as issued, at least two digits: "09", "407"
  int year = 0;        // the document's year when its number carries it (normative documents)
  std::string kind_code;  // "NĐ", "CT", ... ("" for laws by QH number and official letters)
  std::string issuer;     // "CP", "TTg", "BTC", "QH13", "BTP-BTC" (joint), "TTg" (letters)
  std::string unit;       // an official letter's drafting unit: "CN" in 73/TTg-CN
  std::string issued_on;  // "2022-03-30" when the issue date stands next to it, else ""
  std::string name;       // a law named in the text: "Luật Báo chí"
  size_t begin = 0;       // the reference's bytes in the text (without the date)
  size_t end = 0;
};

// Every reference in `text`, in order of appearance, each once per occurrence.
std::vector<LegalRef> FindLegalRefs(absl::string_view text);

// Sets statement->references to what the headline, summary and body cite, in that order
// (a version's references are the wire's reading of its text, never the draft's).
void AttachReferences(pressrelay::common::v1::Statement* statement);

// The distinct canonical references a statement cites, sorted: what subscriptions and
// history filters match.
std::vector<std::string> CitedDocuments(const pressrelay::common::v1::Statement& statement);

// The canonical form of one reference typed by a person ("09/2017/ND-CP", "07/ct-ttg"), for
// lookups: "" when it is not a reference.
std::string CanonicalRef(absl::string_view typed);

}  // namespace pressrelay::legal
