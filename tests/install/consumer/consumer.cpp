// A program built against the *installed* Seshat client library (see tests/install): it must
// compile with only <seshat/client.hpp>, link with only libseshat, and work.
// Usage: consumer SQLITE_PATH   Prints "ok" when every step did what it should.

#include <seshat/client.hpp>

#include <iostream>

namespace {

int fail(const std::string& what) {
  std::cerr << "consumer: " << what << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) return fail("usage: consumer SQLITE_PATH");
  try {
    seshat::Client client(argv[1]);
    const auto ticket = client.start_chat("customer", "Hello from an installed library");
    const auto seq = client.send(ticket.id, ticket.token, "Hi!");
    const auto page = client.fetch(ticket.id, ticket.token, 0);
    if (page.status != "waiting") return fail("status is '" + page.status + "', not waiting");
    if (page.messages.empty() || page.messages.back().seq != seq ||
        page.messages.back().text != "Hi!" || page.messages.back().from != "visitor")
      return fail("the message sent is not the last one fetched");
    // The exception's type must cross the library boundary (its typeinfo is exported).
    try {
      client.send(ticket.id, "not-the-token", "Hi?");
      return fail("a wrong token was accepted");
    } catch (const seshat::Error& error) {
      if (error.code() != seshat::ErrorCode::wrong_token)
        return fail(std::string("wrong error for a wrong token: ") + error.what());
    }
  } catch (const seshat::Error& error) {
    return fail(error.what());
  }
  std::cout << "ok\n";
  return 0;
}
