#pragma once
// One SQLite connection for several threads of one process: `seshat serve`'s gateway and
// broker. SQLite empties a connection's whole page cache whenever another connection committed,
// and the two commit in turn on every relayed line, so with a connection each, every
// transaction read its pages again (bench/rounds.md, "b, one new chat system call by system
// call"). Here they take turns on one: a call holds the connection for its length, a batch from
// its begin until its commit or its end, so nothing of one user's batch mixes with another's.
//
// A user waits for the connection as a writer waits for SQLite's write lock (up to
// sqlite::k_busy_timeout_ms, then StoreError); try_begin_batch() does not wait. A batch is
// begun, committed and ended on one thread. What the connection keeps between calls (the
// operator lines apply() leaves for take_operator_lines()) is the connection's, not a user's:
// in `serve` only the broker applies actions.

#include <memory>

#include "store/store.hpp"

namespace seshat::store {

class SharedConnection {
 public:
  explicit SharedConnection(std::unique_ptr<Store> store);
  // A Store for one user (one thread at a time). It may outlive this object.
  [[nodiscard]] std::unique_ptr<Store> user() const;

  struct Shared;  // the connection and whose turn it is (shared_connection.cpp)

 private:
  std::shared_ptr<Shared> m_shared;
};

}  // namespace seshat::store
