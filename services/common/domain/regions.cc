#include "services/common/domain/regions.h"

#include <array>

namespace pressrelay::regions {
namespace {

constexpr std::array<Region, 63> kRegions = {{
    // The 34 provincial-level units since 1 July 2025.
    {"VN-HN", "Hà Nội", ""},
    {"VN-26", "Huế", ""},
    {"VN-01", "Lai Châu", ""},
    {"VN-71", "Điện Biên", ""},
    {"VN-05", "Sơn La", ""},
    {"VN-09", "Lạng Sơn", ""},
    {"VN-13", "Quảng Ninh", ""},
    {"VN-21", "Thanh Hóa", ""},
    {"VN-22", "Nghệ An", ""},
    {"VN-23", "Hà Tĩnh", ""},
    {"VN-04", "Cao Bằng", ""},
    {"VN-07", "Tuyên Quang", ""},
    {"VN-02", "Lào Cai", ""},
    {"VN-69", "Thái Nguyên", ""},
    {"VN-68", "Phú Thọ", ""},
    {"VN-56", "Bắc Ninh", ""},
    {"VN-66", "Hưng Yên", ""},
    {"VN-HP", "Hải Phòng", ""},
    {"VN-18", "Ninh Bình", ""},
    {"VN-25", "Quảng Trị", ""},
    {"VN-DN", "Đà Nẵng", ""},
    {"VN-29", "Quảng Ngãi", ""},
    {"VN-30", "Gia Lai", ""},
    {"VN-34", "Khánh Hòa", ""},
    {"VN-35", "Lâm Đồng", ""},
    {"VN-33", "Đắk Lắk", ""},
    {"VN-SG", "Thành phố Hồ Chí Minh", ""},
    {"VN-39", "Đồng Nai", ""},
    {"VN-37", "Tây Ninh", ""},
    {"VN-CT", "Cần Thơ", ""},
    {"VN-49", "Vĩnh Long", ""},
    {"VN-45", "Đồng Tháp", ""},
    {"VN-59", "Cà Mau", ""},
    {"VN-44", "An Giang", ""},
    // Merged into the units above on 1 July 2025.
    {"VN-03", "Hà Giang", "VN-07"},
    {"VN-06", "Yên Bái", "VN-02"},
    {"VN-53", "Bắc Kạn", "VN-69"},
    {"VN-70", "Vĩnh Phúc", "VN-68"},
    {"VN-14", "Hòa Bình", "VN-68"},
    {"VN-54", "Bắc Giang", "VN-56"},
    {"VN-20", "Thái Bình", "VN-66"},
    {"VN-61", "Hải Dương", "VN-HP"},
    {"VN-63", "Hà Nam", "VN-18"},
    {"VN-67", "Nam Định", "VN-18"},
    {"VN-24", "Quảng Bình", "VN-25"},
    {"VN-27", "Quảng Nam", "VN-DN"},
    {"VN-28", "Kon Tum", "VN-29"},
    {"VN-31", "Bình Định", "VN-30"},
    {"VN-36", "Ninh Thuận", "VN-34"},
    {"VN-72", "Đắk Nông", "VN-35"},
    {"VN-40", "Bình Thuận", "VN-35"},
    {"VN-32", "Phú Yên", "VN-33"},
    {"VN-57", "Bình Dương", "VN-SG"},
    {"VN-43", "Bà Rịa - Vũng Tàu", "VN-SG"},
    {"VN-58", "Bình Phước", "VN-39"},
    {"VN-41", "Long An", "VN-37"},
    {"VN-52", "Sóc Trăng", "VN-CT"},
    {"VN-73", "Hậu Giang", "VN-CT"},
    {"VN-50", "Bến Tre", "VN-49"},
    {"VN-51", "Trà Vinh", "VN-49"},
    {"VN-46", "Tiền Giang", "VN-45"},
    {"VN-55", "Bạc Liêu", "VN-59"},
    {"VN-47", "Kiên Giang", "VN-44"},
}};

}  // namespace

const Region* Find(absl::string_view code) {
  for (const Region& r : kRegions) {
    if (r.code == code) return &r;
  }
  return nullptr;
}

std::vector<const Region*> Current() {
  std::vector<const Region*> out;
  for (const Region& r : kRegions) {
    if (r.successor.empty()) out.push_back(&r);
  }
  return out;
}

}  // namespace pressrelay::regions
