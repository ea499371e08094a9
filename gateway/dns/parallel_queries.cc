#include "gateway/dns/parallel_queries.h"

#include <boost/asio/experimental/concurrent_channel.hpp>
#include <memory>

namespace portcullis::dns {

awaitable<std::vector<Answer>> queryAll(Resolver& resolver, std::vector<Question> questions) {
  using Done = asio::experimental::concurrent_channel<void(boost::system::error_code)>;
  auto executor = co_await asio::this_coro::executor;
  auto answers = std::make_shared<std::vector<Answer>>(questions.size());
  auto done = std::make_shared<Done>(executor, questions.size());
  for (size_t i = 0; i < questions.size(); ++i) {
    asio::co_spawn(
        executor,
        [&resolver, question = std::move(questions[i]), answers, i]() -> awaitable<void> {
          (*answers)[i] = co_await resolver.query(question.name, question.type);
        },
        [done](std::exception_ptr) { done->try_send(boost::system::error_code{}); });
  }
  for (size_t i = 0; i < answers->size(); ++i) co_await done->async_receive(use_awaitable);
  co_return std::move(*answers);
}

}  // namespace portcullis::dns
