#pragma once
// Running a visitor operation on the database thread for a connection (a Session or an
// EventStream): the work runs on the DbWorker, its result is posted back to the connection's
// executor, and `self` keeps the connection alive meanwhile. Internal to src/http.

#include <utility>  // before Boost (Boost 1.74 with g++ 12)

#include <boost/asio/post.hpp>

#include <exception>
#include <optional>
#include <type_traits>

#include "base/error.hpp"
#include "http/shared_state.hpp"

namespace seshat::http {

inline base::Failure busy() {
  return base::Failure{base::Error::unavailable,
                       "The chat service is busy at the moment; please try again."};
}

// Runs `work(visitors, store)` on the database thread, then, once its writes are committed,
// `done(result)` on `executor`. A full queue answers busy() at once.
template <class Self, class Executor, class Work, class Done>
void query_for(SharedState& shared, Self self, Executor executor, Work work, Done done) {
  using Result = std::invoke_result_t<Work&, visitors::Visitors&, store::Store&>;
  const bool queued = shared.db->submit(
      [self, executor, work = std::move(work), done](
          visitors::Visitors& visitors, store::Store& store) mutable -> DbWorker::Reply {
        std::optional<Result> result;
        try {
          result.emplace(work(visitors, store));
        } catch (const std::exception&) {
          result.emplace(busy());
        }
        return [self, executor, done, result = std::move(*result)]() mutable {
          boost::asio::post(executor,
                            [self, done = std::move(done), result = std::move(result)]() mutable {
                              done(std::move(result));
                            });
        };
      });
  if (!queued) done(Result(busy()));
}

}  // namespace seshat::http
