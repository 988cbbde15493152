// The search benchmark: 100,000 statements of Vietnamese text, searched accent-insensitively.
//
//   1. in process: the index (services/distribution/search_index.h) built from the statements;
//      build time, memory, and the latency of each query shape;
//   2. end to end (unless --no-e2e): the statements committed into a real redis-server through
//      the distribution's own store code, the real services started (the distribution loads
//      its index from Redis: the load time is reported), and the same queries sent by a
//      journalist through Subscription.Search over gRPC: what a newsroom waits for.
//
// The text is generated from sentences of the kind ministries and provincial committees
// publish, so the word frequencies are Vietnamese ones: a few syllables ("các", "và", "thông",
// "tin") appear in nearly every statement, which is what makes AND queries expensive.
//
//   build/bench/bench-search [--statements 100000] [--rounds 50] [--no-e2e]
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cstdio>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bench/common/bench.h"
#include "services/common/base/time_util.h"
#include "services/common/domain/legal_refs.h"
#include "services/distribution/search_index.h"
#include "services/common/redis/keys.h"
#include "services/distribution/statement_store.h"
#include "tests/support/suite.h"

namespace pressrelay::bench {
namespace {

using pressrelay::common::v1::SearchQuery;
using pressrelay::common::v1::Statement;

const std::vector<std::string> kAgencies = {"MOH", "MOF", "MOET", "MOIT", "MONRE", "MOCST", "MIC", "MPS",
                                            "UBND-HN", "UBND-SG", "UBND-DN", "UBND-QT", "UBND-HP", "UBND-CT"};
const std::vector<std::string> kAgencyNames = {
    "Bộ Y tế", "Bộ Tài chính", "Bộ Giáo dục và Đào tạo", "Bộ Công Thương", "Bộ Nông nghiệp và Môi trường",
    "Bộ Văn hóa, Thể thao và Du lịch", "Bộ Khoa học và Công nghệ", "Bộ Công an",
    "UBND thành phố Hà Nội", "UBND Thành phố Hồ Chí Minh", "UBND thành phố Đà Nẵng", "UBND tỉnh Quảng Trị",
    "UBND thành phố Hải Phòng", "UBND thành phố Cần Thơ"};
const std::vector<std::string> kTopics = {"health", "economy", "education", "disaster", "culture", "security",
                                          "environment", "transport"};
const std::vector<std::string> kPlaces = {"Hà Nội", "Thành phố Hồ Chí Minh", "Đà Nẵng", "Quảng Trị", "Hải Phòng",
                                          "Cần Thơ", "Thanh Hóa", "Nghệ An", "Lào Cai", "Gia Lai", "Khánh Hòa",
                                          "An Giang", "Cà Mau", "Thái Nguyên", "Huế"};
const std::vector<std::string> kHeadlines = {
    "Thông tin về tình hình dịch sốt xuất huyết tại {p}",
    "Đẩy mạnh truyền thông chính sách về chuyển đổi số",
    "Ứng phó với bão số {n} và mưa lũ tại {p}",
    "Thông cáo báo chí về kết quả phiên họp thường kỳ tháng {n}",
    "Trả lời câu hỏi của phóng viên về giá điện",
    "Thông báo họp báo định kỳ quý {n}",
    "Đề nghị cải chính thông tin về tuyển sinh lớp 10 tại {p}",
    "Triển khai chương trình mục tiêu quốc gia giảm nghèo bền vững",
    "Hướng dẫn phòng chống dịch bệnh mùa đông xuân",
    "Kết quả thu ngân sách nhà nước {n} tháng đầu năm",
    "Bảo đảm trật tự an toàn giao thông dịp Tết Nguyên đán tại {p}",
    "Phát triển du lịch bền vững gắn với bảo tồn di sản ở {p}",
    "Cải cách thủ tục hành chính, hỗ trợ doanh nghiệp",
    "Thông tin về vụ việc ô nhiễm môi trường tại {p}",
};
const std::vector<std::string> kSentences = {
    "Thực hiện Chỉ thị số 07/CT-TTg ngày 25/4/2023 của Thủ tướng Chính phủ về đẩy mạnh công tác truyền thông chính sách.",
    "Theo Nghị định số 09/2017/NĐ-CP, người phát ngôn có trách nhiệm cung cấp thông tin kịp thời, chính xác cho báo chí.",
    "Các cơ quan, đơn vị cần chủ động phối hợp với chính quyền địa phương để triển khai các giải pháp.",
    "Tính đến ngày {n} tháng {m}, trên địa bàn {p} đã ghi nhận {k} trường hợp mắc bệnh.",
    "Ủy ban nhân dân tỉnh yêu cầu các sở, ngành theo dõi chặt chẽ diễn biến của thời tiết.",
    "Bộ đề nghị các cơ quan báo chí phản ánh đúng bản chất sự việc, tránh gây hoang mang trong dư luận.",
    "Người dân vùng lũ được hỗ trợ lương thực, nước sạch và thuốc men để sớm ổn định cuộc sống.",
    "Tổng thu ngân sách nhà nước ước đạt {k} nghìn tỷ đồng, tăng so với cùng kỳ năm trước.",
    "Công tác phòng, chống thiên tai được triển khai theo phương châm bốn tại chỗ.",
    "Luật Tiếp cận thông tin và Luật Báo chí quy định quyền được thông tin của công dân.",
    "Việc tổ chức họp báo định kỳ giúp cung cấp thông tin chính thống, minh bạch cho xã hội.",
    "Nhà trường cần bảo đảm an toàn cho học sinh, sinh viên trong thời gian học tập tại trường.",
    "Đoàn kiểm tra liên ngành sẽ làm việc với các doanh nghiệp có liên quan trong tháng {m}.",
    "Quyết định số 407/QĐ-TTg ngày 30/3/2022 phê duyệt đề án tổ chức truyền thông chính sách có tác động lớn.",
    "Lực lượng chức năng đã kịp thời xử lý, không để xảy ra thiệt hại về người.",
    "Giá cả các mặt hàng thiết yếu cơ bản ổn định, nguồn cung hàng hóa bảo đảm.",
    "Chương trình chuyển đổi số quốc gia tiếp tục được đẩy mạnh ở các bộ, ngành và địa phương.",
    "Thủy triều dâng cao kết hợp mưa lớn gây ngập úng cục bộ tại một số khu vực ven biển.",
    "Sở Y tế khuyến cáo người dân chủ động diệt muỗi, loăng quăng để phòng bệnh sốt xuất huyết.",
    "Các di tích lịch sử văn hóa được trùng tu, phục vụ nhu cầu tham quan của du khách trong và ngoài nước.",
    "Hoạt động xuất khẩu nông sản, thủy sản tăng trưởng khá, mở rộng sang nhiều thị trường mới.",
    "Cơ quan công an đang điều tra, làm rõ nguyên nhân vụ việc và sẽ thông tin khi có kết luận.",
    "Hòa bình, ổn định là điều kiện tiên quyết để phát triển kinh tế - xã hội bền vững.",
    "Thành phố tiếp tục cải cách thủ tục hành chính, rút ngắn thời gian giải quyết hồ sơ cho doanh nghiệp.",
};

std::string Fill(std::string text, std::mt19937_64& rng) {
  auto put = [&](const std::string& mark, const std::string& value) {
    for (size_t at = text.find(mark); at != std::string::npos; at = text.find(mark)) text.replace(at, mark.size(), value);
  };
  put("{p}", kPlaces[rng() % kPlaces.size()]);
  put("{n}", absl::StrCat(1 + rng() % 12));
  put("{m}", absl::StrCat(1 + rng() % 12));
  put("{k}", absl::StrCat(10 + rng() % 990));
  return text;
}

std::vector<Statement> Corpus(int n) {
  std::mt19937_64 rng(20261205);
  std::vector<Statement> out;
  out.reserve(n);
  const int64_t start_ms = 1767225600000;  // 2026-01-01
  for (int i = 0; i < n; ++i) {
    Statement s;
    s.set_id(absl::StrFormat("BENCH%021d", i));
    s.set_uri("urn:pressrelay:statement:" + s.id());
    s.set_version(1);
    s.set_kind(static_cast<pressrelay::common::v1::StatementKind>(1 + rng() % 4));
    s.set_urgency(3 + static_cast<int>(rng() % 7));
    s.set_pubstatus(pressrelay::common::v1::PUB_STATUS_USABLE);
    s.set_signal(pressrelay::common::v1::VERSION_SIGNAL_PUBLISH);
    s.set_language("vi");
    const size_t agency = rng() % kAgencies.size();
    s.mutable_issuer()->set_agency_code(kAgencies[agency]);
    s.mutable_issuer()->set_agency_name(kAgencyNames[agency]);
    s.mutable_issuer()->set_spokesperson_name("Nguyễn Văn An");
    s.set_headline(Fill(kHeadlines[rng() % kHeadlines.size()], rng));
    s.set_summary(Fill(kSentences[rng() % kSentences.size()], rng));
    std::string body;
    const int sentences = 8 + static_cast<int>(rng() % 16);
    for (int k = 0; k < sentences; ++k) {
      absl::StrAppend(&body, k > 0 ? (k % 4 == 0 ? "\n\n" : " ") : "", Fill(kSentences[rng() % kSentences.size()], rng));
    }
    s.set_body(body);
    s.add_subjects()->set_code(kTopics[rng() % kTopics.size()]);
    const int64_t ms = start_ms + int64_t{i} * 60000;  // one a minute
    *s.mutable_firstcreated() = ProtoFromMillis(ms);
    *s.mutable_versioncreated() = ProtoFromMillis(ms);
    legal::AttachReferences(&s);
    out.push_back(std::move(s));
  }
  return out;
}

struct Shape {
  std::string name;
  SearchQuery query;
};

std::vector<Shape> Shapes() {
  std::vector<Shape> out;
  auto add = [&](std::string name, std::string text, std::function<void(SearchQuery*)> more = nullptr) {
    Shape s{std::move(name), {}};
    s.query.set_text(std::move(text));
    if (more) more(&s.query);
    out.push_back(std::move(s));
  };
  add("common words, no accents", "truyen thong chinh sach");
  add("common words, accents", "truyền thông chính sách");
  add("one very common word", "cac");
  add("rarer words", "sot xuat huyet quang tri");
  add("phrase", "\"phong chong thien tai\"");
  add("words + agency filter", "bao mua lu", [](SearchQuery* q) { q->add_agency_codes("UBND-QT"); });
  add("words + cited document", "thong tin", [](SearchQuery* q) { q->set_cites("09/2017/ND-CP"); });
  add("words, newest first", "ngan sach", [](SearchQuery* q) { q->set_order(pressrelay::common::v1::SEARCH_ORDER_NEWEST); });
  add("filter only: agency, newest first", "", [](SearchQuery* q) { q->add_agency_codes("MOH"); });
  add("no match", "khong co tu nay");
  return out;
}

struct Percentiles {
  double p50 = 0, p99 = 0, max = 0;
};
Percentiles Of(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  Percentiles p;
  if (ms.empty()) return p;
  p.p50 = ms[ms.size() / 2];
  p.p99 = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
  p.max = ms.back();
  return p;
}

double Ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

void InProcess(const std::vector<Statement>& corpus, int rounds) {
  distribution::SearchIndex index;
  int64_t t0 = NowNs();
  for (const auto& s : corpus) index.Put(s);
  const double build_ms = Ms(NowNs() - t0);
  std::printf("in process: %zu statements indexed in %.0f ms (%.0f statements/s), index about %zu MB\n",
              index.size(), build_ms, corpus.size() / (build_ms / 1000.0), index.MemoryBytes() >> 20);
  std::printf("%-36s %8s %9s %9s %9s\n", "query (in process, 20 hits)", "matches", "p50 ms", "p99 ms", "max ms");
  for (const auto& shape : Shapes()) {
    auto parsed = distribution::ParseQuery(shape.query);
    if (!parsed.ok()) {
      std::printf("%s: %s\n", shape.name.c_str(), parsed.status().ToString().c_str());
      continue;
    }
    std::vector<double> ms;
    int total = 0;
    for (int r = 0; r < rounds; ++r) {
      const int64_t start = NowNs();
      auto page = index.Search(*parsed, {}, 0, 20);
      ms.push_back(Ms(NowNs() - start));
      total = page.total;
    }
    const Percentiles p = Of(ms);
    std::printf("%-36s %8d %9.2f %9.2f %9.2f\n", shape.name.c_str(), total, p.p50, p.p99, p.max);
  }
}

int EndToEnd(const std::vector<Statement>& corpus, int rounds) {
  testing::Suite suite;
  if (absl::Status s = suite.Start(); !s.ok()) {
    std::fprintf(stderr, "suite: %s\n", s.ToString().c_str());
    return 1;
  }
  (void)suite.PutAgency("MOH", "Bộ Y tế");
  (void)suite.PutOutlet("tuoitre", "Báo Tuổi Trẻ");
  auto rid = suite.PutJournalist("BENCH-1", "tuoitre");
  testing::reg::Subscription everything;
  everything.set_recipient_id(*rid);
  (void)suite.SetSubscription(everything);
  const std::string token = *suite.IssueToken(testing::reg::SUBJECT_KIND_JOURNALIST, "BENCH-1");

  // Committed by the store's own script, as a publish does, then marked released.
  auto redis = suite.redis().Client();
  int64_t t0 = NowNs();
  for (const auto& s : corpus) {
    distribution::VersionCommit commit;
    commit.version = s;
    commit.head.set_statement_id(s.id());
    commit.head.set_agency_code(s.issuer().agency_code());
    commit.head.set_latest_version(1);
    commit.head.set_released_version(1);
    commit.head.set_firstcreated_ms(MillisFromProto(s.firstcreated()));
    auto r = distribution::StatementStore::Commit(redis, commit);
    if (!r.ok()) {
      std::fprintf(stderr, "commit: %s\n", r.status().ToString().c_str());
      return 1;
    }
  }
  std::vector<redis::Args> released;
  for (const auto& s : corpus) released.push_back({"HSET", keys::Statement(s.id()), "released", "1"});
  for (size_t i = 0; i < released.size(); i += 1000) {
    const size_t n = std::min<size_t>(1000, released.size() - i);
    (void)redis.Pipeline(absl::MakeConstSpan(released).subspan(i, n));
  }
  std::printf("\nend to end: %zu statements committed to Redis in %.1f s\n", corpus.size(), Ms(NowNs() - t0) / 1000);

  // A restarted distribution loads its index from Redis before it answers searches.
  t0 = NowNs();
  if (absl::Status s = suite.RestartDistribution(0); !s.ok()) {
    std::fprintf(stderr, "restart: %s\n", s.ToString().c_str());
    return 1;
  }
  auto stub = suite.Subscription();
  auto search = [&](const SearchQuery& query, pressrelay::common::v1::SearchResults* out) {
    testing::sub::SearchRequest request;
    *request.mutable_query() = query;
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + token);
    return stub->Search(&ctx, request, out);
  };
  for (;;) {
    pressrelay::common::v1::SearchResults results;
    grpc::Status status = search(Shapes()[0].query, &results);
    if (status.ok()) break;
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE) {
      std::fprintf(stderr, "search: %s\n", status.error_message().c_str());
      return 1;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  std::printf("distribution restarted and its index loaded from Redis in %.1f s\n", Ms(NowNs() - t0) / 1000);
  std::printf("%-36s %8s %9s %9s %9s\n", "query (Subscription.Search, 20 hits)", "matches", "p50 ms", "p99 ms", "max ms");
  double worst_p99 = 0;
  for (const auto& shape : Shapes()) {
    std::vector<double> ms;
    int total = 0;
    for (int r = 0; r < rounds; ++r) {
      pressrelay::common::v1::SearchResults results;
      const int64_t start = NowNs();
      grpc::Status status = search(shape.query, &results);
      ms.push_back(Ms(NowNs() - start));
      if (!status.ok()) {
        std::fprintf(stderr, "%s: %s\n", shape.name.c_str(), status.error_message().c_str());
        return 1;
      }
      total = results.total();
    }
    const Percentiles p = Of(ms);
    worst_p99 = std::max(worst_p99, p.p99);
    std::printf("%-36s %8d %9.2f %9.2f %9.2f\n", shape.name.c_str(), total, p.p50, p.p99, p.max);
  }
  std::printf("RESULT search statements=%zu worst_p99_ms=%.2f target_ms=50 %s\n", corpus.size(), worst_p99,
              worst_p99 < 50 ? "MET" : "NOT MET");
  return 0;
}

}  // namespace
}  // namespace pressrelay::bench

int main(int argc, char** argv) {
  using namespace pressrelay::bench;
  const int n = std::stoi(Flag(argc, argv, "statements", "100000"));
  const int rounds = std::stoi(Flag(argc, argv, "rounds", "50"));
  bool e2e = true;
  for (int i = 1; i < argc; ++i) e2e = e2e && std::string(argv[i]) != "--no-e2e";
  const auto corpus = Corpus(n);
  InProcess(corpus, rounds);
  return e2e ? EndToEnd(corpus, rounds) : 0;
}
