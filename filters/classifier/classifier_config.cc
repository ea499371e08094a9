#include "filters/classifier/classifier_config.h"

#include <charconv>

#include "filters/classifier/redis_store.h"
#include "filters/classifier/sqlite_store.h"
#include "gateway/config/document.h"
#include "gateway/config/section.h"
#include "gateway/core/address_list.h"
#include "gateway/core/network_list.h"

namespace portcullis::classifier {

namespace {

namespace fs = std::filesystem;

// "host:port" or "[v6]:port"; the host must not be empty.
void readRedisAddress(config::Section& section, ClassifierConfig& config) {
  const std::string text = section.getString("redis", "127.0.0.1:6379");
  const size_t colon = text.rfind(':');
  std::string host = colon == std::string::npos ? "" : text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  unsigned port = 0;
  const char* digits = colon == std::string::npos ? text.data() : text.data() + colon + 1;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(digits, end, port);
  if (host.empty() || ec != std::errc() || ptr != end || port == 0 || port > 65535)
    section.fail("redis", "\"" + text + "\" is not host:port (for example \"127.0.0.1:6379\")");
  config.redis_host = host;
  config.redis_port = static_cast<std::uint16_t>(port);
}

// A single mail address (local@domain), lowercased for comparison.
std::string readAddress(config::Section& section, const std::string& key) {
  std::string address = section.getString(key, "");
  if (address.empty()) return address;
  const size_t at = address.rfind('@');
  if (at == 0 || at == std::string::npos || at + 1 == address.size() ||
      address.find_first_of(" <>,;\"") != std::string::npos)
    section.fail(key, "\"" + address + "\" is not a mail address such as spam-report@example.org");
  for (auto& c : address) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return address;
}

void readReportAddresses(config::Section& section, ClassifierConfig& config) {
  if (auto addresses = section.sub("report_addresses")) {
    config.spam_report_address = readAddress(*addresses, "spam");
    config.ham_report_address = readAddress(*addresses, "ham");
    addresses->finish();
    if (!config.spam_report_address.empty() &&
        config.spam_report_address == config.ham_report_address)
      addresses->fail("ham", "the spam and ham report addresses must differ");
  }
  config.report_networks = section.getStrings("report_networks", {});
  for (const auto& network : config.report_networks) {
    NetworkList probe;
    if (Status added = probe.add(network); !added)
      section.fail("report_networks", "\"" + network + "\": " + added.error);
  }
  config.max_reported_messages =
      static_cast<std::size_t>(section.getInt("max_reported_messages", 20, 1, 1000));
}

void readAutolearn(config::Section& section, AutolearnSettings& autolearn) {
  autolearn.enabled = section.getBool("autolearn", false);
  autolearn.spam_threshold =
      section.getDouble("autolearn_spam_threshold", autolearn.spam_threshold, 0, 1000);
  autolearn.ham_threshold =
      section.getDouble("autolearn_ham_threshold", autolearn.ham_threshold, -1000, 1000);
  if (autolearn.ham_threshold >= autolearn.spam_threshold)
    section.fail("autolearn_ham_threshold", "must be below autolearn_spam_threshold");
  autolearn.min_header_points =
      section.getDouble("autolearn_min_header_points", autolearn.min_header_points, 0, 1000);
  autolearn.min_body_points =
      section.getDouble("autolearn_min_body_points", autolearn.min_body_points, 0, 1000);
  autolearn.queue = static_cast<std::size_t>(
      section.getInt("autolearn_queue", static_cast<std::int64_t>(autolearn.queue), 1, 1'000'000));
}

}  // namespace

ClassifierConfig readClassifierConfig(config::Section& section) {
  ClassifierConfig config;
  config.backend = section.choice<Backend>(
      "backend", Backend::Sqlite, {{"sqlite", Backend::Sqlite}, {"redis", Backend::Redis}});
  const std::string database = section.getString("database", "");
  if (!database.empty()) {
    if (config.backend != Backend::Sqlite)
      section.fail("database", "only the sqlite backend has a database file");
    fs::path path(database);
    config.database =
        path.is_relative() ? fs::path(section.file()).parent_path() / path : std::move(path);
  }
  if (section.has("redis") && config.backend != Backend::Redis)
    section.fail("redis", "set backend = \"redis\" to use a Redis server");
  readRedisAddress(section, config);
  config.redis_prefix = section.getString("redis_prefix", config.redis_prefix);
  if (config.redis_prefix.find_first_of(" \r\n\t") != std::string::npos)
    section.fail("redis_prefix", "a key prefix cannot hold spaces or line ends");
  config.redis_timeout =
      section.getDuration("redis_timeout", config.redis_timeout, std::chrono::milliseconds(1),
                          std::chrono::seconds(60));
  config.max_tokens = static_cast<std::uint64_t>(section.getInt(
      "max_tokens", static_cast<std::int64_t>(config.max_tokens), 1000, std::int64_t{1} << 40));
  ClassifierSettings& classify = config.classify;
  classify.min_spam_learned = static_cast<std::uint64_t>(section.getInt(
      "min_spam_learned", static_cast<std::int64_t>(classify.min_spam_learned), 1, 1'000'000));
  classify.min_ham_learned = static_cast<std::uint64_t>(section.getInt(
      "min_ham_learned", static_cast<std::int64_t>(classify.min_ham_learned), 1, 1'000'000));
  classify.max_interesting_tokens = static_cast<std::size_t>(
      section.getInt("max_interesting_tokens",
                     static_cast<std::int64_t>(classify.max_interesting_tokens), 1, 10'000));
  classify.max_tokens_per_message = static_cast<std::size_t>(
      section.getInt("max_tokens_per_message",
                     static_cast<std::int64_t>(classify.max_tokens_per_message), 100, 10'000'000));
  classify.osb_window = static_cast<std::size_t>(
      section.getInt("osb_window", static_cast<std::int64_t>(classify.osb_window), 0, 8));
  readAutolearn(section, config.autolearn);
  readReportAddresses(section, config);
  section.finish();
  return config;
}

std::optional<ClassifierConfig> configuredClassifier(const config::Document& doc) {
  config::Section root = doc.root();
  auto checks = root.sub("checks");
  if (!checks) return std::nullopt;
  auto section = checks->sub("classifier");
  if (!section) return std::nullopt;
  return readClassifierConfig(*section);
}

std::filesystem::path databasePath(const ClassifierConfig& config,
                                   const std::filesystem::path& spool_directory) {
  return config.database.empty() ? spool_directory / "classifier.db" : config.database;
}

Result<std::shared_ptr<TokenStore>> openStore(const ClassifierConfig& config,
                                              const std::filesystem::path& spool_directory) {
  using Opened = Result<std::shared_ptr<TokenStore>>;
  if (config.backend == Backend::Redis)
    return Opened::success(std::make_shared<RedisStore>(RedisStoreOptions::from(config)));
  SqliteStoreOptions options;
  options.max_tokens = config.max_tokens;
  auto opened = SqliteStore::open(databasePath(config, spool_directory), options);
  if (!opened) return Opened::failure(opened.error);
  return Opened::success(std::move(*opened));
}

Result<std::shared_ptr<Classifier>> openClassifier(const ClassifierConfig& config,
                                                   const std::filesystem::path& spool_directory) {
  auto store = openStore(config, spool_directory);
  if (!store) return Result<std::shared_ptr<Classifier>>::failure(store.error);
  return Result<std::shared_ptr<Classifier>>::success(
      std::make_shared<Classifier>(std::move(*store), config.classify));
}

}  // namespace portcullis::classifier
