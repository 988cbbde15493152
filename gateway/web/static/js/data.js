// Fixed lists the pages offer: the 34 provincial-level units (ISO 3166-2:VN, as
// services/common/domain/regions.cc keeps them since 1 July 2025), the enums of the protos,
// common topic codes.

export const REGIONS = [
  ['VN-HN', 'Hà Nội', 'Hanoi'],
  ['VN-26', 'Huế', 'Huế'],
  ['VN-01', 'Lai Châu', 'Lai Châu'],
  ['VN-71', 'Điện Biên', 'Điện Biên'],
  ['VN-05', 'Sơn La', 'Sơn La'],
  ['VN-09', 'Lạng Sơn', 'Lạng Sơn'],
  ['VN-13', 'Quảng Ninh', 'Quảng Ninh'],
  ['VN-21', 'Thanh Hóa', 'Thanh Hóa'],
  ['VN-22', 'Nghệ An', 'Nghệ An'],
  ['VN-23', 'Hà Tĩnh', 'Hà Tĩnh'],
  ['VN-04', 'Cao Bằng', 'Cao Bằng'],
  ['VN-07', 'Tuyên Quang', 'Tuyên Quang'],
  ['VN-02', 'Lào Cai', 'Lào Cai'],
  ['VN-69', 'Thái Nguyên', 'Thái Nguyên'],
  ['VN-68', 'Phú Thọ', 'Phú Thọ'],
  ['VN-56', 'Bắc Ninh', 'Bắc Ninh'],
  ['VN-66', 'Hưng Yên', 'Hưng Yên'],
  ['VN-HP', 'Hải Phòng', 'Haiphong'],
  ['VN-18', 'Ninh Bình', 'Ninh Bình'],
  ['VN-25', 'Quảng Trị', 'Quảng Trị'],
  ['VN-DN', 'Đà Nẵng', 'Da Nang'],
  ['VN-29', 'Quảng Ngãi', 'Quảng Ngãi'],
  ['VN-30', 'Gia Lai', 'Gia Lai'],
  ['VN-34', 'Khánh Hòa', 'Khánh Hòa'],
  ['VN-35', 'Lâm Đồng', 'Lâm Đồng'],
  ['VN-33', 'Đắk Lắk', 'Đắk Lắk'],
  ['VN-SG', 'Thành phố Hồ Chí Minh', 'Ho Chi Minh City'],
  ['VN-39', 'Đồng Nai', 'Đồng Nai'],
  ['VN-37', 'Tây Ninh', 'Tây Ninh'],
  ['VN-CT', 'Cần Thơ', 'Can Tho'],
  ['VN-49', 'Vĩnh Long', 'Vĩnh Long'],
  ['VN-45', 'Đồng Tháp', 'Đồng Tháp'],
  ['VN-59', 'Cà Mau', 'Cà Mau'],
  ['VN-44', 'An Giang', 'An Giang'],
];

export function regionName(code, lang = 'vi') {
  const r = REGIONS.find(([c]) => c === code);
  if (!r) return code || '';
  return lang === 'en' ? r[2] : r[1];
}

export const STATEMENT_KINDS = ['STATEMENT_KIND_PRESS_RELEASE', 'STATEMENT_KIND_ANSWER',
  'STATEMENT_KIND_PRESS_CONFERENCE_NOTICE', 'STATEMENT_KIND_CORRECTION_REQUEST'];
export const SIGNALS = ['VERSION_SIGNAL_UPDATE', 'VERSION_SIGNAL_CORRECTION', 'VERSION_SIGNAL_WITHHOLD', 'VERSION_SIGNAL_KILL'];
export const AGENCY_KINDS = ['AGENCY_KIND_MINISTRY', 'AGENCY_KIND_MINISTRY_LEVEL', 'AGENCY_KIND_GOVERNMENT_AGENCY',
  'AGENCY_KIND_PROVINCIAL_COMMITTEE', 'AGENCY_KIND_OTHER'];
export const SPOKES_ROLES = ['SPOKESPERSON_ROLE_HEAD', 'SPOKESPERSON_ROLE_SPOKESPERSON', 'SPOKESPERSON_ROLE_AUTHORISED'];
export const OUTLET_KINDS = ['OUTLET_KIND_NEWSPAPER', 'OUTLET_KIND_MAGAZINE', 'OUTLET_KIND_ONLINE', 'OUTLET_KIND_RADIO',
  'OUTLET_KIND_TELEVISION', 'OUTLET_KIND_NEWS_AGENCY'];
export const TOKEN_SUBJECTS = ['SUBJECT_KIND_NEWSROOM_CLIENT', 'SUBJECT_KIND_JOURNALIST', 'SUBJECT_KIND_SPOKESPERSON',
  'SUBJECT_KIND_OPERATOR', 'SUBJECT_KIND_SERVICE', 'SUBJECT_KIND_GATEWAY', 'SUBJECT_KIND_PRESS_OFFICER'];
export const ACCOUNT_SUBJECTS = ['SUBJECT_KIND_PRESS_OFFICER', 'SUBJECT_KIND_SPOKESPERSON', 'SUBJECT_KIND_OPERATOR'];
export const TOPICS = ['health', 'economy', 'education', 'disaster', 'environment', 'transport', 'foreign-affairs',
  'security', 'culture', 'agriculture', 'finance', 'science', 'labour', 'law'];
