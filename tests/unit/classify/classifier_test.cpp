#include "domain/classify/classifier.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "domain/classify/training_data.hpp"

namespace gj::classify {
namespace {

// Three categories whose messages share no vocabulary besides filler: a linear model must
// separate them perfectly.
std::vector<Example> separable_set() {
  const std::vector<std::pair<std::string, std::vector<std::string>>> topics = {
      {"供水", {"停水", "水压低", "自来水浑浊", "水管爆裂", "水表漏水", "供水中断"}},
      {"噪音", {"夜间施工噪音", "广场舞音响", "工地打桩吵", "酒吧噪声", "装修电钻", "喇叭扰民"}},
      {"教育", {"学校收费", "学位不足", "教师补课", "校车安全", "幼儿园入园", "课后托管"}},
  };
  std::vector<Example> ex;
  for (const auto& [cat, phrases] : topics)
    for (size_t i = 0; i < phrases.size(); ++i)
      ex.push_back({phrases[i],
                    "您好，反映一下" + phrases[i] + "的问题，" + phrases[(i + 1) % phrases.size()] +
                        "，请尽快处理。",
                    cat});
  return ex;
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("gj_classify_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

TEST(Classifier, a_separable_set_is_learned_perfectly_with_confident_suggestions) {
  auto ex = separable_set();
  auto clf = Classifier::train(ex);
  ASSERT_TRUE(clf.ok()) << clf.error().detail;
  EXPECT_EQ(clf->categories().size(), 3u);
  for (const auto& e : ex) {
    auto s = clf->predict(e.subject, e.detail);
    ASSERT_EQ(s.size(), 3u);
    EXPECT_EQ(s[0].category, e.category) << e.subject;
    EXPECT_GE(s[0].confidence, s[1].confidence);
    EXPECT_GE(s[1].confidence, s[2].confidence);
    double sum = s[0].confidence + s[1].confidence + s[2].confidence;
    EXPECT_NEAR(sum, 1.0, 1e-9);
  }
  auto s = clf->predict("停水", "小区停水两天了，自来水浑浊");
  EXPECT_EQ(s[0].category, "供水");
  EXPECT_GT(s[0].confidence, 0.5);
}

TEST(Classifier, training_is_deterministic) {
  auto a = Classifier::train(separable_set());
  auto b = Classifier::train(separable_set());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->serialize(), b->serialize());
}

TEST(Classifier, save_and_load_round_trip_gives_identical_predictions) {
  auto clf = Classifier::train(separable_set());
  ASSERT_TRUE(clf.ok());
  std::string path = temp_path("model.txt");
  ASSERT_TRUE(clf->save(path).ok());
  auto back = Classifier::load(path);
  ASSERT_TRUE(back.ok()) << back.error().detail;
  EXPECT_EQ(back->categories(), clf->categories());
  EXPECT_EQ(back->serialize(), clf->serialize());
  for (const char* text : {"水压低", "装修电钻太吵", "幼儿园收费", "无关的一句话"}) {
    auto p = clf->predict(text, text), q = back->predict(text, text);
    ASSERT_EQ(p.size(), q.size());
    for (size_t i = 0; i < p.size(); ++i) {
      EXPECT_EQ(p[i].category, q[i].category);
      EXPECT_EQ(p[i].confidence, q[i].confidence);  // bit-identical: shortest round-trip doubles
    }
  }
  std::remove(path.c_str());
}

TEST(Classifier, a_truncated_model_file_is_rejected_with_a_clear_message) {
  auto clf = Classifier::train(separable_set());
  ASSERT_TRUE(clf.ok());
  std::string data = clf->serialize();
  auto r = Classifier::deserialize(data.substr(0, data.size() / 2));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidInput);
  EXPECT_NE(r.error().detail.find("truncated"), std::string::npos) << r.error().detail;
}

TEST(Classifier, a_damaged_model_file_fails_its_checksum) {
  auto clf = Classifier::train(separable_set());
  ASSERT_TRUE(clf.ok());
  std::string data = clf->serialize();
  size_t p = data.find("confidence_scale\t") + 17;
  data[p] = data[p] == '9' ? '8' : '9';
  auto r = Classifier::deserialize(data);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("checksum"), std::string::npos) << r.error().detail;
}

TEST(Classifier, a_file_that_is_not_a_model_or_from_a_future_version_is_rejected) {
  auto r = Classifier::deserialize("留言编号,留言主题\n1,停水\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("not a gongjian classifier"), std::string::npos);
  auto v = Classifier::deserialize("gongjian-classifier 99\nngram\t1\t2\n");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().detail.find("version 99 is not supported"), std::string::npos);
  auto e = Classifier::deserialize("");
  ASSERT_FALSE(e.ok());
}

// Re-signs an edited model body the way serialize() does, to reach the parser past the checksum.
std::string resign(std::string body) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : body) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  char sum[40];
  std::snprintf(sum, sizeof sum, "checksum\t%016llx\n", static_cast<unsigned long long>(h));
  return body + sum;
}

std::string body_of(const std::string& model) {
  return model.substr(0, model.rfind("checksum\t"));
}

TEST(Classifier, resigning_an_unchanged_body_reproduces_the_model) {
  auto clf = Classifier::train(separable_set());
  ASSERT_TRUE(clf.ok());
  std::string data = clf->serialize();
  EXPECT_EQ(resign(body_of(data)), data);
}

TEST(Classifier, an_inconsistent_model_is_rejected_even_with_a_valid_checksum) {
  auto clf = Classifier::train(separable_set());
  ASSERT_TRUE(clf.ok());
  const std::string body = body_of(clf->serialize());
  auto edit = [&](const std::string& from, const std::string& to) {
    std::string b = body;
    size_t p = b.find(from);
    EXPECT_NE(p, std::string::npos) << from;
    if (p != std::string::npos) b.replace(p, from.size(), to);
    return Classifier::deserialize(resign(b));
  };
  EXPECT_FALSE(edit("categories\t3", "categories\t4").ok());
  EXPECT_FALSE(edit("categories\t3", "categories\t1").ok());
  EXPECT_FALSE(edit("ngram\t1\t2", "ngram\t2\t1").ok());
  EXPECT_FALSE(edit("features\t", "features\t9").ok());
  EXPECT_FALSE(edit("bias\t", "bias\tx").ok());
  EXPECT_FALSE(edit("confidence_scale\t", "confidence_scale\t-").ok());
  // Dropping the last feature line leaves the count wrong.
  std::string b = body;
  b.erase(b.rfind('\n', b.size() - 2) + 1);
  auto r = Classifier::deserialize(resign(b));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("feature count"), std::string::npos) << r.error().detail;
}

TEST(Classifier, every_prefix_of_a_model_file_is_rejected_without_crashing) {
  auto clf = Classifier::train(separable_set());
  ASSERT_TRUE(clf.ok());
  const std::string data = clf->serialize();
  for (size_t n = 0; n + 1 < data.size(); n += 1 + n / 8) {
    auto r = Classifier::deserialize(std::string_view(data).substr(0, n));
    EXPECT_FALSE(r.ok()) << "prefix of " << n << " bytes";
  }
}

TEST(Classifier, a_missing_model_file_is_an_io_error_naming_the_path) {
  auto r = Classifier::load("/nonexistent/dir/model.txt");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
  EXPECT_NE(r.error().detail.find("/nonexistent/dir/model.txt"), std::string::npos);
}

TEST(Classifier, a_category_with_one_example_is_rejected_by_name) {
  auto ex = separable_set();
  ex.push_back({"路灯不亮", "小区路灯坏了", "照明"});
  auto r = Classifier::train(ex);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("'照明' has only 1 example"), std::string::npos)
      << r.error().detail;
}

TEST(Classifier, empty_training_data_and_a_single_category_are_rejected) {
  EXPECT_FALSE(Classifier::train({}).ok());
  auto one = Classifier::train({{"a", "b", "x"}, {"c", "d", "x"}});
  ASSERT_FALSE(one.ok());
  EXPECT_NE(one.error().detail.find("at least 2 categories"), std::string::npos);
}

TEST(Classifier, confidence_scale_fits_the_temperature_of_held_out_margins) {
  // Margins where the true class leads by 1 and is right 3 times out of 4: the best scale makes
  // the top probability close to 0.75, neither 1/2 nor near 1.
  std::vector<std::vector<double>> m;
  std::vector<int> y;
  for (int i = 0; i < 400; ++i) {
    m.push_back({1.0, 0.0});
    y.push_back(i % 4 == 0 ? 1 : 0);
  }
  double s = fit_confidence_scale(m, y);
  EXPECT_NEAR(softmax({1.0, 0.0}, s)[0], 0.75, 0.01);
}

// --- CSV input ---------------------------------------------------------------------------

std::string write_file(const std::string& name, const std::string& body) {
  std::string path = temp_path(name);
  std::ofstream(path, std::ios::binary) << body;
  return path;
}

TEST(TrainingData, reads_the_message_layout_with_quoted_multiline_details) {
  auto path = write_file("ok.csv",
                         "\xEF\xBB\xBF留言编号,留言用户,留言主题,留言时间,留言详情,一级分类\n"
                         "6,U1,停水,2020/1/7,\"\n\t\t小区停水，\n三天了\",城乡建设\n"
                         "7,U2,学位,2020/1/8,孩子上学难,教育文体\n");
  auto rows = read_messages_csv(path, true);
  ASSERT_TRUE(rows.ok()) << rows.error().detail;
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].id, "6");
  EXPECT_EQ((*rows)[0].example.detail, "\n\t\t小区停水，\n三天了");
  EXPECT_EQ((*rows)[1].example.category, "教育文体");
  std::remove(path.c_str());
}

TEST(TrainingData, a_missing_column_is_named_in_the_error) {
  auto path = write_file("nolabel.csv", "留言编号,留言主题,留言详情\n1,a,b\n");
  auto rows = read_messages_csv(path, true);
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.error().code, ErrorCode::kMissingField);
  EXPECT_NE(rows.error().detail.find("一级分类"), std::string::npos);
  EXPECT_TRUE(read_messages_csv(path, false).ok());  // prediction needs no label
  std::remove(path.c_str());
}

TEST(TrainingData, an_empty_file_and_a_header_only_file_are_rejected) {
  auto empty = write_file("empty.csv", "");
  auto r = read_messages_csv(empty, true);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("empty"), std::string::npos);
  auto header = write_file("header.csv", "留言编号,留言主题,留言详情,一级分类\n");
  auto h = read_messages_csv(header, true);
  ASSERT_FALSE(h.ok());
  EXPECT_NE(h.error().detail.find("no data rows"), std::string::npos);
  std::remove(empty.c_str());
  std::remove(header.c_str());
}

TEST(TrainingData, a_row_without_a_label_is_rejected_for_training) {
  auto path = write_file("blank.csv", "留言编号,留言主题,留言详情,一级分类\n1,a,b,x\n2,c,d,\n");
  auto r = read_messages_csv(path, true);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("data row 2"), std::string::npos) << r.error().detail;
  std::remove(path.c_str());
}

TEST(TrainingData, invalid_utf8_is_refused_for_training_but_tolerated_for_prediction) {
  auto path = write_file("utf8.csv", "留言编号,留言主题,留言详情,一级分类\n1,a\xff,b,x\n1,c,d,y\n");
  auto train = read_messages_csv(path, true);
  ASSERT_FALSE(train.ok());
  EXPECT_EQ(train.error().code, ErrorCode::kInvalidUtf8);
  auto predict = read_messages_csv(path, false);
  ASSERT_TRUE(predict.ok()) << predict.error().detail;
  EXPECT_EQ(predict->size(), 2u);
  std::remove(path.c_str());
}

TEST(TrainingData, an_unterminated_quote_is_reported) {
  auto path = write_file("quote.csv", "留言编号,留言主题,留言详情,一级分类\n1,a,\"b,x\n");
  auto r = read_messages_csv(path, true);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().detail.find("unterminated"), std::string::npos);
  std::remove(path.c_str());
}

TEST(TrainingData, folds_are_read_by_message_id_and_every_message_needs_one) {
  auto data = write_file("d.csv", "留言编号,留言主题,留言详情,一级分类\n10,a,b,x\n11,c,d,y\n");
  auto rows = read_messages_csv(data, true);
  ASSERT_TRUE(rows.ok());
  auto folds = write_file("f.csv", "留言编号,fold\n11,0\n10,1\n");
  auto f = read_folds_csv(folds, *rows);
  ASSERT_TRUE(f.ok()) << f.error().detail;
  EXPECT_EQ(*f, (std::vector<int>{1, 0}));
  auto partial = write_file("p.csv", "id,fold\n10,1\n");
  auto p = read_folds_csv(partial, *rows);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().detail.find("no fold for 留言编号 11"), std::string::npos);
  for (auto& s : {data, folds, partial}) std::remove(s.c_str());
}

}  // namespace
}  // namespace gj::classify
