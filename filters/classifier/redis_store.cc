#include "filters/classifier/redis_store.h"

#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <ctime>
#include <random>
#include <utility>

namespace portcullis::classifier {

// A Lua script and the SHA-1 that EVALSHA names it by. Scripts run atomically on the server.
// Token values are struct.pack('<I4I4I8', spam, ham, seq); a value of another shape makes
// struct.unpack fail, so a script errors out instead of counting garbage. A script that errors
// keeps what it already wrote (Redis does not roll scripts back), so learn and forget read and
// check everything first and write only then. Tokens are read and written 1000 at a time (one
// HMGET, one HSET), far cheaper than a call per token and well inside Lua's unpack() limit.
struct LuaScript {
  const char* text;
  std::string sha1;
};

namespace {

std::string sha1Hex(const std::string& text) {
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (const unsigned char byte : digest) {
    hex += kHex[byte >> 4];
    hex += kHex[byte & 0xf];
  }
  return hex;
}

// KEYS: tokens, totals, digests. ARGV: digest, "spam" | "ham", token fields... Returns the
// outcome, with the number of tokens held when it learnt.
const char* const kLearnScript = R"lua(
local previous = redis.call('HGET', KEYS[3], ARGV[1])
local class = ARGV[2]
if previous == class then return 'AlreadyLearned' end
if previous and previous ~= 'spam' and previous ~= 'ham' then
  return redis.error_reply('foreign record for a learnt message')
end
local seq = tonumber(redis.call('HGET', KEYS[2], 'seq') or '0') + 1
local spam_delta, ham_delta = 0, 0
if class == 'spam' then spam_delta = 1 else ham_delta = 1 end
if previous == 'spam' then spam_delta = spam_delta - 1 end
if previous == 'ham' then ham_delta = ham_delta - 1 end
local pack, unpack_counts = struct.pack, struct.unpack
local batches = {}
for first = 3, #ARGV, 1000 do
  local last = math.min(first + 999, #ARGV)
  local packed = redis.call('HMGET', KEYS[1], unpack(ARGV, first, last))
  local updates, n = {}, 0
  for i = first, last do
    local spam, ham = spam_delta, ham_delta
    local value = packed[i - first + 1]
    if value then
      local old_spam, old_ham = unpack_counts('<I4I4', value)
      spam, ham = old_spam + spam_delta, old_ham + ham_delta
      if spam < 0 then spam = 0 end
      if ham < 0 then ham = 0 end
    end
    updates[n + 1], updates[n + 2], n = ARGV[i], pack('<I4I4I8', spam, ham, seq), n + 2
  end
  batches[#batches + 1] = updates
end
for _, updates in ipairs(batches) do redis.call('HSET', KEYS[1], unpack(updates)) end
redis.call('HSET', KEYS[2], 'seq', seq)
redis.call('HINCRBY', KEYS[2], class, 1)
if previous and tonumber(redis.call('HGET', KEYS[2], previous) or '0') > 0 then
  redis.call('HINCRBY', KEYS[2], previous, -1)
end
redis.call('HSET', KEYS[3], ARGV[1], class)
local outcome = 'Learned'
if previous then outcome = 'Relearned' end
return {outcome, redis.call('HLEN', KEYS[1])}
)lua";

// KEYS: tokens, totals, digests. ARGV: digest, token fields...
const char* const kForgetScript = R"lua(
local previous = redis.call('HGET', KEYS[3], ARGV[1])
if not previous then return 'NotLearned' end
if previous ~= 'spam' and previous ~= 'ham' then
  return redis.error_reply('foreign record for a learnt message')
end
local updates, emptied = {}, {}
for first = 2, #ARGV, 1000 do
  local last = math.min(first + 999, #ARGV)
  local packed = redis.call('HMGET', KEYS[1], unpack(ARGV, first, last))
  local batch_updates, batch_emptied = {}, {}
  for i = first, last do
    local value = packed[i - first + 1]
    if value then
      local spam, ham, seq = struct.unpack('<I4I4I8', value)
      if previous == 'spam' then spam = math.max(spam - 1, 0) else ham = math.max(ham - 1, 0) end
      if spam == 0 and ham == 0 then
        batch_emptied[#batch_emptied + 1] = ARGV[i]
      else
        batch_updates[#batch_updates + 1] = ARGV[i]
        batch_updates[#batch_updates + 1] = struct.pack('<I4I4I8', spam, ham, seq)
      end
    end
  end
  updates[#updates + 1] = batch_updates
  emptied[#emptied + 1] = batch_emptied
end
for i = 1, #updates do
  if #updates[i] > 0 then redis.call('HSET', KEYS[1], unpack(updates[i])) end
  if #emptied[i] > 0 then redis.call('HDEL', KEYS[1], unpack(emptied[i])) end
end
if tonumber(redis.call('HGET', KEYS[2], previous) or '0') > 0 then
  redis.call('HINCRBY', KEYS[2], previous, -1)
end
redis.call('HDEL', KEYS[3], ARGV[1])
return 'Forgotten'
)lua";

// KEYS: tokens. ARGV: the highest learn stamp to delete, token fields... Returns how many went.
const char* const kExpireScript = R"lua(
local limit = tonumber(ARGV[1])
local deleted = 0
for i = 2, #ARGV do
  local packed = redis.call('HGET', KEYS[1], ARGV[i])
  if packed then
    local _, _, seq = struct.unpack('<I4I4I8', packed)
    if seq <= limit then deleted = deleted + redis.call('HDEL', KEYS[1], ARGV[i]) end
  end
end
return deleted
)lua";

// KEYS: the expiry lock. ARGV: our nonce. Releases the lock only if it is still ours.
const char* const kUnlockScript = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua";

const LuaScript& cachedScript(const char* text) {
  static const std::array<LuaScript, 4> scripts{LuaScript{kLearnScript, sha1Hex(kLearnScript)},
                                                LuaScript{kForgetScript, sha1Hex(kForgetScript)},
                                                LuaScript{kExpireScript, sha1Hex(kExpireScript)},
                                                LuaScript{kUnlockScript, sha1Hex(kUnlockScript)}};
  for (const auto& script : scripts)
    if (script.text == text) return script;
  return scripts[0];
}

constexpr std::size_t kTokenValueBytes = 16;

std::string tokenField(TokenHash token) {
  std::string field(8, '\0');
  for (std::size_t i = 0; i < 8; ++i) field[i] = static_cast<char>((token >> (8 * i)) & 0xff);
  return field;
}

std::uint64_t littleEndian(std::string_view bytes) {
  std::uint64_t value = 0;
  for (std::size_t i = bytes.size(); i-- > 0;)
    value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

struct TokenValue {
  TokenCounts counts;
  std::uint64_t seq = 0;
};

bool decodeTokenValue(std::string_view bytes, TokenValue& value) {
  if (bytes.size() != kTokenValueBytes) return false;
  value.counts.spam = static_cast<std::uint32_t>(littleEndian(bytes.substr(0, 4)));
  value.counts.ham = static_cast<std::uint32_t>(littleEndian(bytes.substr(4, 4)));
  value.seq = littleEndian(bytes.substr(8, 8));
  return true;
}

// An integer held in a bulk string (HMGET of totals), nil meaning zero.
template <class Int>
bool parseCount(const redisReply& reply, Int& value) {
  if (reply.type == REDIS_REPLY_NIL) {
    value = 0;
    return true;
  }
  if (reply.type != REDIS_REPLY_STRING) return false;
  const auto [end, error] = std::from_chars(reply.str, reply.str + reply.len, value);
  return error == std::errc() && end == reply.str + reply.len;
}

const char* typeName(int type) {
  switch (type) {
    case REDIS_REPLY_STRING:
      return "a string";
    case REDIS_REPLY_ARRAY:
      return "an array";
    case REDIS_REPLY_INTEGER:
      return "an integer";
    case REDIS_REPLY_NIL:
      return "nil";
    case REDIS_REPLY_STATUS:
      return "a status";
    case REDIS_REPLY_ERROR:
      return "an error";
    default:
      return "an unknown reply";
  }
}

std::string unexpected(const redisReply& reply, const std::string& wanted) {
  if (reply.type == REDIS_REPLY_ERROR) return std::string(replyText(reply));
  return "unexpected reply (" + std::string(typeName(reply.type)) + " where " + wanted +
         " was expected)";
}

// Checks a MULTI ... EXEC exchange: every command queued, EXEC answered with one result per
// command. Returns the EXEC array, or the cause.
Result<const redisReply*> execResults(const std::vector<RedisReply>& replies,
                                      std::size_t commands) {
  using R = Result<const redisReply*>;
  for (std::size_t i = 0; i + 1 < replies.size(); ++i)
    if (replies[i]->type != REDIS_REPLY_STATUS)
      return R::failure(unexpected(*replies[i], i == 0 ? "OK" : "QUEUED"));
  const redisReply& exec = *replies.back();
  if (exec.type != REDIS_REPLY_ARRAY) return R::failure(unexpected(exec, "the EXEC results"));
  if (exec.elements != commands)
    return R::failure("EXEC answered " + std::to_string(exec.elements) + " results for " +
                      std::to_string(commands) + " commands");
  return R::success(&exec);
}

// Totals from HMGET totals spam ham last_expiry and HLEN tokens.
Result<StoreTotals> readTotals(const redisReply& fields, const redisReply& token_count) {
  using R = Result<StoreTotals>;
  StoreTotals totals;
  if (fields.type != REDIS_REPLY_ARRAY || fields.elements != 3)
    return R::failure(unexpected(fields, "the totals"));
  if (!parseCount(*fields.element[0], totals.spam_messages) ||
      !parseCount(*fields.element[1], totals.ham_messages) ||
      !parseCount(*fields.element[2], totals.last_expiry))
    return R::failure("foreign values in the totals");
  if (token_count.type != REDIS_REPLY_INTEGER || token_count.integer < 0)
    return R::failure(unexpected(token_count, "the token count"));
  totals.tokens = static_cast<std::uint64_t>(token_count.integer);
  return R::success(totals);
}

}  // namespace

RedisStoreOptions RedisStoreOptions::from(const ClassifierConfig& config) {
  RedisStoreOptions options;
  options.endpoint.host = config.redis_host;
  options.endpoint.port = config.redis_port;
  options.endpoint.timeout = config.redis_timeout;
  options.prefix = config.redis_prefix;
  options.max_tokens = config.max_tokens;
  return options;
}

RedisStore::RedisStore(RedisStoreOptions options)
    : options_(std::move(options)),
      pool_(options_.endpoint, options_.reconnect),
      tokens_key_(options_.prefix + "tokens"),
      totals_key_(options_.prefix + "totals"),
      digests_key_(options_.prefix + "digests"),
      expiry_key_(options_.prefix + "expiry") {}

std::string RedisStore::failure(const std::string& cause) const {
  return "redis " + options_.endpoint.name() + ": " + cause;
}

Result<RedisReply> RedisStore::runScript(const LuaScript& script, std::vector<std::string> keys,
                                         std::vector<std::string> arguments) {
  using R = Result<RedisReply>;
  std::vector<RedisCommand> commands(1);
  RedisCommand& command = commands.front();
  command = {"EVALSHA", script.sha1, std::to_string(keys.size())};
  command.reserve(3 + keys.size() + arguments.size());
  for (auto& key : keys) command.push_back(std::move(key));
  for (auto& argument : arguments) command.push_back(std::move(argument));
  auto replies = pool_.exchange(commands, options_.write_timeout);
  if (!replies) return R::failure(replies.error);
  RedisReply reply = std::move(replies->front());
  if (reply->type == REDIS_REPLY_ERROR && replyText(*reply).starts_with("NOSCRIPT")) {
    // The server does not know the script yet (first use, or it restarted): send its text.
    command[0] = "EVAL";
    command[1] = script.text;
    replies = pool_.exchange(commands, options_.write_timeout);
    if (!replies) return R::failure(replies.error);
    reply = std::move(replies->front());
  }
  if (reply->type == REDIS_REPLY_ERROR) return R::failure(failure(std::string(replyText(*reply))));
  return R::success(std::move(reply));
}

Result<LearnOutcome> RedisStore::outcomeOf(const Result<RedisReply>& reply) {
  using R = Result<LearnOutcome>;
  if (!reply) return R::failure(reply.error);
  // learn answers {outcome, tokens held}; forget answers the outcome alone.
  const redisReply& answer = (*reply)->type == REDIS_REPLY_ARRAY && (*reply)->elements == 2
                                 ? *(*reply)->element[0]
                                 : **reply;
  const std::string_view text =
      answer.type == REDIS_REPLY_STRING || answer.type == REDIS_REPLY_STATUS ? replyText(answer)
                                                                             : std::string_view();
  if (text == "Learned") return R::success(LearnOutcome::Learned);
  if (text == "AlreadyLearned") return R::success(LearnOutcome::AlreadyLearned);
  if (text == "Relearned") return R::success(LearnOutcome::Relearned);
  if (text == "Forgotten") return R::success(LearnOutcome::Forgotten);
  if (text == "NotLearned") return R::success(LearnOutcome::NotLearned);
  return R::failure(failure(unexpected(answer, "a learn outcome")));
}

Result<StoreTotals> RedisStore::lookup(std::span<const TokenHash> tokens,
                                       std::span<TokenCounts> counts) {
  using R = Result<StoreTotals>;
  std::vector<RedisCommand> commands;
  commands.push_back({"MULTI"});
  commands.push_back({"HMGET", totals_key_, "spam", "ham", "last_expiry"});
  commands.push_back({"HLEN", tokens_key_});
  if (!tokens.empty()) {
    RedisCommand hmget{"HMGET", tokens_key_};
    hmget.reserve(2 + tokens.size());
    for (const TokenHash token : tokens) hmget.push_back(tokenField(token));
    commands.push_back(std::move(hmget));
  }
  commands.push_back({"EXEC"});
  const std::size_t queued = commands.size() - 2;
  auto replies = pool_.exchange(commands);
  if (!replies) return R::failure(replies.error);
  auto results = execResults(*replies, queued);
  if (!results) return R::failure(failure(results.error));
  const redisReply& exec = **results;
  for (std::size_t i = 0; i < exec.elements; ++i)
    if (exec.element[i]->type == REDIS_REPLY_ERROR)
      return R::failure(failure(std::string(replyText(*exec.element[i]))));
  auto totals = readTotals(*exec.element[0], *exec.element[1]);
  if (!totals) return R::failure(failure(totals.error));
  if (!tokens.empty()) {
    const redisReply& values = *exec.element[2];
    if (values.type != REDIS_REPLY_ARRAY || values.elements != tokens.size())
      return R::failure(failure(unexpected(values, "one value per token")));
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      const redisReply& value = *values.element[i];
      TokenValue decoded;
      if (value.type == REDIS_REPLY_NIL) {
        counts[i] = TokenCounts{};
      } else if (value.type == REDIS_REPLY_STRING && decodeTokenValue(replyText(value), decoded)) {
        counts[i] = decoded.counts;
      } else {
        return R::failure(failure("foreign value for a token in " + tokens_key_));
      }
    }
  }
  return totals;
}

Result<LearnOutcome> RedisStore::learn(const MessageDigest& digest, MessageClass cls,
                                       std::span<const TokenHash> tokens) {
  std::vector<std::string> arguments{digest.hex, cls == MessageClass::Spam ? "spam" : "ham"};
  arguments.reserve(2 + tokens.size());
  for (const TokenHash token : tokens) arguments.push_back(tokenField(token));
  const auto reply = runScript(cachedScript(kLearnScript), {tokens_key_, totals_key_, digests_key_},
                               std::move(arguments));
  auto outcome = outcomeOf(reply);
  if (outcome && options_.max_tokens > 0 && (*reply)->type == REDIS_REPLY_ARRAY &&
      (*reply)->element[1]->type == REDIS_REPLY_INTEGER &&
      static_cast<std::uint64_t>((*reply)->element[1]->integer) > options_.max_tokens) {
    // Over the cap: expire now, down to 90%. A failure (another gateway is already expiring, the
    // server went away) leaves it to the next message learnt; this one is learnt either way.
    expire(options_.max_tokens - options_.max_tokens / 10);
  }
  return outcome;
}

Result<LearnOutcome> RedisStore::forget(const MessageDigest& digest,
                                        std::span<const TokenHash> tokens) {
  std::vector<std::string> arguments{digest.hex};
  arguments.reserve(1 + tokens.size());
  for (const TokenHash token : tokens) arguments.push_back(tokenField(token));
  return outcomeOf(runScript(cachedScript(kForgetScript), {tokens_key_, totals_key_, digests_key_},
                             std::move(arguments)));
}

Result<StoreTotals> RedisStore::totals() {
  using R = Result<StoreTotals>;
  const std::vector<RedisCommand> commands{{"MULTI"},
                                           {"HMGET", totals_key_, "spam", "ham", "last_expiry"},
                                           {"HLEN", tokens_key_},
                                           {"MEMORY", "USAGE", tokens_key_},
                                           {"MEMORY", "USAGE", digests_key_},
                                           {"MEMORY", "USAGE", totals_key_},
                                           {"EXEC"}};
  auto replies = pool_.exchange(commands);
  if (!replies) return R::failure(replies.error);
  auto results = execResults(*replies, commands.size() - 2);
  if (!results) return R::failure(failure(results.error));
  const redisReply& exec = **results;
  auto totals = readTotals(*exec.element[0], *exec.element[1]);
  if (!totals) return R::failure(failure(totals.error));
  for (std::size_t i = 2; i < exec.elements; ++i) {
    const redisReply& usage = *exec.element[i];
    if (usage.type == REDIS_REPLY_INTEGER && usage.integer > 0)
      totals->bytes += static_cast<std::uint64_t>(usage.integer);
    else if (usage.type != REDIS_REPLY_NIL)
      return R::failure(failure(unexpected(usage, "a memory usage")));
  }
  return totals;
}

Status RedisStore::expire(std::uint64_t max_tokens) {
  std::random_device random;
  const std::string nonce = std::to_string(random()) + std::to_string(random());
  auto locked = pool_.exchange(
      {{"SET", expiry_key_, nonce, "NX", "EX", std::to_string(options_.expiry_lock.count())},
       {"HLEN", tokens_key_}},
      options_.write_timeout);
  if (!locked) return Status::failure(locked.error);
  const redisReply& lock = *(*locked)[0];
  const redisReply& count = *(*locked)[1];
  if (lock.type == REDIS_REPLY_NIL)
    return Status::failure(failure("another gateway is expiring tokens (" + expiry_key_ + ")"));
  if (lock.type != REDIS_REPLY_STATUS) return Status::failure(failure(unexpected(lock, "OK")));
  Status result;
  if (count.type != REDIS_REPLY_INTEGER || count.integer < 0)
    result = Status::failure(failure(unexpected(count, "the token count")));
  else if (static_cast<std::uint64_t>(count.integer) > max_tokens)
    result = deleteOlderTokens(static_cast<std::uint64_t>(count.integer),
                               static_cast<std::uint64_t>(count.integer) - max_tokens);
  if (result.ok()) {
    auto recorded =
        pool_.exchange({{"HSET", totals_key_, "last_expiry", std::to_string(std::time(nullptr))}},
                       options_.write_timeout);
    if (!recorded)
      result = Status::failure(recorded.error);
    else if ((*recorded)[0]->type == REDIS_REPLY_ERROR)
      result = Status::failure(failure(std::string(replyText(*(*recorded)[0]))));
  }
  auto unlocked = runScript(cachedScript(kUnlockScript), {expiry_key_}, {nonce});
  if (result.ok() && !unlocked) return Status::failure(unlocked.error);
  return result;
}

// Two passes over the token hash. The first counts tokens per range of learn stamps (at most
// 2^16 ranges, so memory stays small whatever the store's size) and finds the range where the
// `excess` oldest tokens end; the second deletes every token below that range and enough from
// within it. Both passes are HSCAN batches; each is bounded in elements, so a server that keeps
// answering never keeps us looping.
Status RedisStore::deleteOlderTokens(std::uint64_t token_count, std::uint64_t excess) {
  constexpr int kRangeBits = 16;
  const std::string batch = std::to_string(options_.expiry_scan_batch);

  auto newest = pool_.exchange({{"HGET", totals_key_, "seq"}}, options_.write_timeout);
  if (!newest) return Status::failure(newest.error);
  std::uint64_t newest_seq = 0;
  if (!parseCount(*(*newest)[0], newest_seq))
    return Status::failure(failure(unexpected(*(*newest)[0], "the learn counter")));
  const int width = static_cast<int>(std::bit_width(newest_seq));
  const int shift = std::max(0, width - kRangeBits);
  const std::uint64_t visit_limit = 4 * token_count + 100000;

  // Calls `visit(field, stamp)` for every token; false stops the scan.
  auto scan = [&](auto&& visit) -> Status {
    std::string cursor = "0";
    std::uint64_t visited = 0;
    do {
      auto page =
          pool_.exchange({{"HSCAN", tokens_key_, cursor, "COUNT", batch}}, options_.write_timeout);
      if (!page) return Status::failure(page.error);
      const redisReply& reply = *(*page)[0];
      if (reply.type != REDIS_REPLY_ARRAY || reply.elements != 2 ||
          reply.element[0]->type != REDIS_REPLY_STRING ||
          reply.element[1]->type != REDIS_REPLY_ARRAY || reply.element[1]->elements % 2 != 0)
        return Status::failure(failure(unexpected(reply, "an HSCAN page")));
      cursor.assign(replyText(*reply.element[0]));
      const redisReply& pairs = *reply.element[1];
      for (std::size_t i = 0; i < pairs.elements; i += 2) {
        TokenValue value;
        if (pairs.element[i]->type != REDIS_REPLY_STRING ||
            pairs.element[i + 1]->type != REDIS_REPLY_STRING ||
            !decodeTokenValue(replyText(*pairs.element[i + 1]), value))
          return Status::failure(failure("foreign value for a token in " + tokens_key_));
        if (!visit(replyText(*pairs.element[i]), value.seq)) return Status::success();
      }
      visited += pairs.elements / 2;
      if (visited > visit_limit)
        return Status::failure(failure("HSCAN of " + tokens_key_ + " does not end"));
    } while (cursor != "0");
    return Status::success();
  };

  std::vector<std::uint64_t> per_range((std::uint64_t{1} << kRangeBits) + 1, 0);
  auto counted = scan([&](std::string_view, std::uint64_t seq) {
    ++per_range[std::min<std::uint64_t>(seq >> shift, per_range.size() - 1)];
    return true;
  });
  if (!counted) return counted;
  std::size_t cut_range = 0;
  std::uint64_t below = 0;
  while (cut_range + 1 < per_range.size() && below + per_range[cut_range] < excess)
    below += per_range[cut_range++];
  std::uint64_t from_cut_range = excess - below;

  // Deletes a batch of fields whose stamp is still at most `limit`; counts what went.
  std::vector<std::string> older, within;
  auto flush = [&](std::vector<std::string>& fields, std::uint64_t limit,
                   std::uint64_t* deleted) -> Status {
    if (fields.empty()) return Status::success();
    std::vector<std::string> arguments{std::to_string(limit)};
    for (auto& field : fields) arguments.push_back(std::move(field));
    fields.clear();
    auto reply = runScript(cachedScript(kExpireScript), {tokens_key_}, std::move(arguments));
    if (!reply) return Status::failure(reply.error);
    if ((*reply)->type != REDIS_REPLY_INTEGER)
      return Status::failure(failure(unexpected(**reply, "a count")));
    if (deleted != nullptr)
      *deleted -= std::min<std::uint64_t>(*deleted, static_cast<std::uint64_t>((*reply)->integer));
    return Status::success();
  };
  const std::uint64_t older_limit = cut_range == 0 ? 0 : (std::uint64_t{cut_range} << shift) - 1;
  const std::uint64_t within_limit = ((std::uint64_t{cut_range} + 1) << shift) - 1;
  std::uint64_t within_pending = 0;
  Status status;
  auto deleted = scan([&](std::string_view field, std::uint64_t seq) {
    const std::uint64_t range = std::min<std::uint64_t>(seq >> shift, per_range.size() - 1);
    if (range < cut_range) {
      older.emplace_back(field);
    } else if (range == cut_range && within_pending < from_cut_range) {
      within.emplace_back(field);
      ++within_pending;
    }
    if (older.size() >= options_.expiry_scan_batch) status = flush(older, older_limit, nullptr);
    if (status.ok() && within.size() >= options_.expiry_scan_batch) {
      status = flush(within, within_limit, &from_cut_range);
      within_pending = 0;
    }
    return status.ok();
  });
  if (!deleted) return deleted;
  if (!status) return status;
  if (auto rest = flush(older, older_limit, nullptr); !rest) return rest;
  return flush(within, within_limit, &from_cut_range);
}

}  // namespace portcullis::classifier
