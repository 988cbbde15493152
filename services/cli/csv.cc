#include "services/cli/csv.h"

#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "services/common/base/time_util.h"

namespace pressrelay::cli {
namespace {

namespace reg = pressrelay::registry::v1;

std::string Field(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  return "\"" + absl::StrReplaceAll(value, {{"\"", "\"\""}}) + "\"";
}

// The capacity in the words of Decree 09/2017.
std::string Capacity(reg::SpokespersonRole role) {
  switch (role) {
    case reg::SPOKESPERSON_ROLE_HEAD:
      return "Người đứng đầu";
    case reg::SPOKESPERSON_ROLE_SPOKESPERSON:
      return "Người phát ngôn";
    case reg::SPOKESPERSON_ROLE_AUTHORISED:
      return "Người được ủy quyền phát ngôn";
    default:
      return "";
  }
}

// Vietnam keeps UTC+07:00 all year.
std::string VietnamTime(const google::protobuf::Timestamp& ts) {
  if (!IsSet(ts)) return "";
  return absl::FormatTime(absl::RFC3339_sec, FromProto(ts), absl::FixedTimeZone(7 * 60 * 60));
}

}  // namespace

std::string CsvLine(const std::vector<std::string>& fields) {
  std::vector<std::string> quoted;
  quoted.reserve(fields.size());
  for (const auto& f : fields) quoted.push_back(Field(f));
  return absl::StrJoin(quoted, ",") + "\r\n";
}

std::string SpokespeopleCsv(const reg::ListAgencySpokespeopleResponse& list) {
  std::string out = kUtf8Bom;
  out += CsvLine({"Cơ quan", "Mã cơ quan", "Họ và tên", "Chức vụ", "Tư cách phát ngôn", "Văn bản giao, ủy quyền",
                  "Vấn đề được ủy quyền", "Mã chủ đề", "Từ", "Đến", "Thư điện tử", "Điện thoại"});
  for (const auto& p : list.spokespeople()) {
    out += CsvLine({p.agency_name(), p.agency_code(), p.full_name(), p.title(), Capacity(p.role()), p.authorised_by(),
                    p.matter(), absl::StrJoin(p.matter_topics(), "; "), VietnamTime(p.valid_from()),
                    VietnamTime(p.valid_until()), p.contact().email(), p.contact().phone()});
  }
  return out;
}

}  // namespace pressrelay::cli
