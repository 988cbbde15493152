// The README's CLI walk-through, with nothing but the `pressrelay` CLI against the real
// services: an operator sets up an agency (with its signing key), a spokesperson, an outlet,
// a newsroom client, a journalist and subscriptions and issues tokens; the spokesperson
// publishes from standard input, reads, lists and kills; the newsroom subscribes, gets one
// JSON line per delivery and acknowledges it; a revoked token stops working; errors print
// the server's message and exit non-zero.
#include <gtest/gtest.h>

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tests/support/process.h"
#include "tests/support/suite.h"

namespace pressrelay::testing {
namespace {

class CliWalkThrough : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(suite_.Start().ok());
    operator_token_ = suite_.operator_token();
  }

  // Runs `pressrelay ARGS...` as the holder of `token`; returns (exit code, stdout) and keeps
  // stderr in `last_error_`.
  std::pair<int, std::string> Cli(const std::string& token, const std::vector<std::string>& args,
                                  const std::string& stdin_file = "") {
    const std::string log = absl::StrCat(suite_.dir(), "/cli-", ++calls_, ".log");
    std::vector<std::string> argv = {BinaryPath("pressrelay")};
    argv.insert(argv.end(), args.begin(), args.end());
    const std::map<std::string, std::string> env = {
        {"PRESSRELAY_REGISTRY", suite_.registry_address()},
        {"PRESSRELAY_DISTRIBUTION", suite_.distribution_address()},
        {"PRESSRELAY_SUBSCRIPTION", suite_.subscription_address()},
        {"PRESSRELAY_TOKEN", token},
    };
    std::pair<int, std::string> result;
    if (stdin_file.empty()) {
      result = RunProgram(argv, log, env);
    } else {
      // `publish -`: the draft on standard input, as a shell pipeline would give it.
      std::string command = "exec";
      for (const auto& a : argv) absl::StrAppend(&command, " '", a, "'");
      absl::StrAppend(&command, " < '", stdin_file, "'");
      result = RunProgram({"/bin/sh", "-c", command}, log, env);
    }
    last_error_ = ReadFile(log);
    return result;
  }

  // Runs a command that must succeed and returns its output.
  std::string Ok(const std::string& token, const std::vector<std::string>& args, const std::string& stdin_file = "") {
    auto [rc, out] = Cli(token, args, stdin_file);
    EXPECT_EQ(rc, 0) << absl::StrJoin(args, " ") << ": " << last_error_;
    return out;
  }

  template <class Message>
  Message Parse(const std::string& json) {
    Message m;
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &m, options).ok()) << json;
    return m;
  }

  static std::vector<std::string> Lines(const std::string& out) {
    std::vector<std::string> lines;
    for (absl::string_view l : absl::StrSplit(out, '\n', absl::SkipEmpty())) lines.emplace_back(l);
    return lines;
  }

  Suite suite_;
  std::string operator_token_;
  std::string last_error_;
  int calls_ = 0;
};

TEST_F(CliWalkThrough, AnOperatorASpokespersonAndANewsroomNeedNothingButTheCli) {
  // The operator: an agency and its signing key, its spokesperson, an outlet, a newsroom
  // system and a journalist, their subscriptions and tokens.
  const std::string op = operator_token_;
  Ok(op, {"agency", "put",
          R"({"code":"MOH","name_vi":"Bộ Y tế","name_en":"Ministry of Health","kind":"AGENCY_KIND_MINISTRY"})"});
  Ok(op, {"keygen", "--agency", "MOH", "--key-id", "MOH-cli-1", "--out", suite_.keys_dir()});
  Ok(op, {"spokesperson", "put",
          R"({"id":"moh-spokesperson","agency_code":"MOH","full_name":"Nguyễn Văn A",)"
          R"("title":"Thứ trưởng, Người phát ngôn","role":"SPOKESPERSON_ROLE_SPOKESPERSON","authorised_by":"1234/QĐ-BYT"})"});
  Ok(op, {"outlet", "put", R"({"id":"tuoitre","licence_number":"571/GP-BTTTT","name":"Báo Tuổi Trẻ","kind":"OUTLET_KIND_NEWSPAPER"})"});
  Ok(op, {"client", "put", R"({"id":"tuoitre-cms","outlet_id":"tuoitre","description":"Tuổi Trẻ CMS ingest"})"});
  Ok(op, {"journalist", "put",
          R"({"card_number":"B-01234","full_name":"Trần Thị B","outlet_id":"tuoitre","card_expires":"2099-01-01T00:00:00Z"})"});
  Ok(op, {"subscription", "set", R"({"recipient_id":"client:tuoitre-cms","agency_codes":["MOH"],"topics":["health"]})"});
  Ok(op, {"subscription", "set", R"({"recipient_id":"journalist:B-01234","agency_codes":["MOF"]})"});
  const std::string moh = std::string(absl::StripAsciiWhitespace(
      Ok(op, {"token", "issue", "--kind", "spokesperson", "--subject", "moh-spokesperson", "--token-only"})));
  const std::string tuoitre = std::string(absl::StripAsciiWhitespace(
      Ok(op, {"token", "issue", "--kind", "newsroom_client", "--subject", "tuoitre-cms", "--token-only"})));
  ASSERT_TRUE(absl::StartsWith(moh, "prt_")) << moh;
  ASSERT_TRUE(absl::StartsWith(tuoitre, "prt_")) << tuoitre;

  // What was set up reads back.
  EXPECT_TRUE(absl::StrContains(Ok(op, {"agency", "list"}), "Bộ Y tế"));
  EXPECT_TRUE(absl::StrContains(Ok(op, {"spokesperson", "list", "--agency", "MOH"}), "moh-spokesperson"));
  EXPECT_TRUE(absl::StrContains(Ok(op, {"outlet", "list"}), "571/GP-BTTTT"));
  EXPECT_TRUE(absl::StrContains(Ok(op, {"client", "list", "--outlet", "tuoitre"}), "tuoitre-cms"));
  EXPECT_TRUE(absl::StrContains(Ok(op, {"journalist", "list", "--outlet", "tuoitre"}), "B-01234"));
  EXPECT_TRUE(absl::StrContains(Ok(op, {"subscription", "get", "client:tuoitre-cms"}), "health"));

  // The spokesperson publishes the demo draft from standard input.
  const std::string draft = SourceDir() + "/deploy/local/demo/statements/01-moh-sot-xuat-huyet.json";
  const auto published = Parse<dist::PublishResponse>(Ok(moh, {"publish", "-", "--idempotency-key", "moh-cli-1"}, draft));
  const std::string id = published.statement().id();
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(published.recipients_queued(), 1);  // the newsroom; the journalist wants MOF only
  EXPECT_EQ(published.statement().signature().key_id(), "MOH-cli-1");
  const std::string headline = published.statement().headline();
  EXPECT_TRUE(absl::StartsWith(headline, "Bộ Y tế khuyến cáo")) << headline;
  EXPECT_EQ(Parse<common::v1::Statement>(Ok(moh, {"get", id})).headline(), headline);
  EXPECT_TRUE(absl::StrContains(Ok(moh, {"list", "--agency", "MOH"}), id));

  // The newsroom: one JSON line per delivery, acknowledged, and verifiable.
  const std::string first = Ok(tuoitre, {"subscribe", "--count", "1", "--verify"});
  ASSERT_EQ(Lines(first).size(), 1u) << first;
  const auto delivery = Parse<sub::Delivery>(Lines(first)[0]);
  EXPECT_EQ(delivery.statement().id(), id);
  EXPECT_EQ(delivery.statement().headline(), headline);
  // It was acknowledged: a new stream without a cursor resumes after it, with nothing to send.
  EXPECT_EQ(Lines(Ok(tuoitre, {"subscribe", "--until-caught-up"})).size(), 0u);

  // The kill reaches the newsroom as the next delivery.
  Ok(moh, {"kill", id, "--reason", "Thông tin chưa được kiểm chứng"});
  const std::string killed = Ok(tuoitre, {"subscribe", "--count", "1"});
  ASSERT_EQ(Lines(killed).size(), 1u) << killed;
  const auto kill = Parse<sub::Delivery>(Lines(killed)[0]);
  EXPECT_EQ(kill.statement().version(), 2);
  EXPECT_EQ(kill.statement().pubstatus(), common::v1::PUB_STATUS_CANCELED);
  EXPECT_TRUE(absl::StrContains(Ok(moh, {"report", id, "--version", "2"}), "tuoitre-cms"));

  // Errors print the server's status and message, naming the field, and exit non-zero.
  auto [bad_rc, bad_out] = Cli(op, {"spokesperson", "put", R"({"id":"x","agency_code":"NOPE","full_name":"X","role":"SPOKESPERSON_ROLE_SPOKESPERSON"})"});
  EXPECT_NE(bad_rc, 0);
  EXPECT_TRUE(absl::StrContains(last_error_, "INVALID_ARGUMENT") && absl::StrContains(last_error_, "spokesperson.agency_code"))
      << last_error_;
  auto [denied_rc, denied_out] = Cli(tuoitre, {"publish", "-"}, draft);
  EXPECT_NE(denied_rc, 0);
  EXPECT_TRUE(absl::StrContains(last_error_, "PERMISSION_DENIED")) << last_error_;

  // A revoked token stops working.
  const auto listed = Parse<reg::ListTokensResponse>(Ok(op, {"token", "list", "--subject", "tuoitre-cms"}));
  ASSERT_EQ(listed.tokens_size(), 1);
  Ok(op, {"token", "revoke", listed.tokens(0).token_id()});
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  int rc = 0;
  do {
    rc = Cli(tuoitre, {"subscribe", "--until-caught-up"}).first;
  } while (rc == 0 && absl::Now() < deadline);
  EXPECT_NE(rc, 0);
  EXPECT_TRUE(absl::StrContains(last_error_, "UNAUTHENTICATED")) << last_error_;

  // Administrative change from the command line: the ministry renamed by a decision keeps
  // its former name; a change without its decision is refused naming the field.
  const auto renamed = Parse<reg::Agency>(
      Ok(op, {"agency", "change",
              R"({"code":"MOH","kind":"AGENCY_CHANGE_KIND_RENAME","name_vi":"Bộ Y tế và Dân số",)"
              R"("decided_by":"176/2025/QH15"})"}));
  EXPECT_EQ(renamed.name_vi(), "Bộ Y tế và Dân số");
  ASSERT_EQ(renamed.former_names_size(), 1);
  EXPECT_EQ(renamed.former_names(0).name_vi(), "Bộ Y tế");
  EXPECT_NE(Cli(op, {"agency", "change", R"({"code":"MOH","kind":"AGENCY_CHANGE_KIND_RENAME","name_vi":"X"})"}).first, 0);
  EXPECT_TRUE(absl::StrContains(last_error_, "decided_by")) << last_error_;
}

}  // namespace
}  // namespace pressrelay::testing

namespace pressrelay::testing {
namespace {

// `pressrelay refs < text`: the legal documents a text cites, one JSON object a line, in NFC
// whatever form the input came in; text that is not UTF-8 is refused.
TEST(CliRefs, ReadsTheLegalDocumentsATextCites) {
  TempDir dir;
  const std::string text = dir.File("text.txt");
  // "Nghị định" in NFD (decomposed), the decree's number typed with ASCII D.
  WriteFile(text, "Thực hiện Nghi\u0323 \u0111i\u0323nh số 09/2017/ND-CP ngày 17/02/2017 và Chỉ thị 07/ct-ttg.");
  auto [rc, out] = RunProgram({"/bin/sh", "-c", absl::StrCat("exec '", BinaryPath("pressrelay"), "' refs < '", text, "'")},
                              dir.File("refs.log"));
  ASSERT_EQ(rc, 0) << ReadFile(dir.File("refs.log"));
  const std::vector<std::string> lines = absl::StrSplit(out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << out;
  google::protobuf::Struct decree;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(lines[0], &decree).ok()) << lines[0];
  EXPECT_EQ(decree.fields().at("canonical").string_value(), "09/2017/NĐ-CP");
  EXPECT_EQ(decree.fields().at("kind").string_value(), "Nghị định");
  EXPECT_EQ(decree.fields().at("issued_on").string_value(), "2017-02-17");
  EXPECT_EQ(decree.fields().at("text").string_value(), "09/2017/ND-CP");
  google::protobuf::Struct directive;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(lines[1], &directive).ok()) << lines[1];
  EXPECT_EQ(directive.fields().at("canonical").string_value(), "07/CT-TTg");

  WriteFile(text, std::string("\xff\xfe not text"));
  auto [bad_rc, bad_out] =
      RunProgram({"/bin/sh", "-c", absl::StrCat("exec '", BinaryPath("pressrelay"), "' refs < '", text, "'")},
                 dir.File("bad.log"));
  EXPECT_EQ(bad_rc, 1);
  EXPECT_NE(ReadFile(dir.File("bad.log")).find("INVALID_ARGUMENT"), std::string::npos);
}

}  // namespace
}  // namespace pressrelay::testing
