// A visitor's chat through seshat::Client: start, send, fetch, end.
// Usage: chat_example [SQLITE_PATH]   (default /tmp/seshat.db, the seed's sample path)
// With the broker running on the same database, an operator is notified and can answer.

#include <seshat/client.hpp>

#include <chrono>
#include <iostream>

namespace {

void print(const seshat::Messages& page) {
  for (const auto& message : page.messages) {
    std::cout << "  #" << message.seq << " " << seshat::format_time(message.at) << " "
              << message.from << ": " << message.text << "\n";
  }
  std::cout << "status: " << page.status << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "/tmp/seshat.db";
  try {
    seshat::Client client(path);
    const auto availability = client.availability();
    std::cout << "operators available: " << availability.operators << "\n";

    const auto ticket = client.start_chat("customer", "Hi! Is my order on its way?",
                                          "https://shop.example.com/orders");
    std::cout << "started chat #" << ticket.id << "\n";

    const auto seq = client.send(ticket.id, ticket.token, "My order number is 1234.");
    std::cout << "sent message #" << seq << "\n";

    // Waits up to a second for news (an operator's answer, when the broker runs).
    auto page = client.fetch(ticket.id, ticket.token, 0, std::chrono::seconds(1));
    print(page);
    std::int64_t last = page.messages.empty() ? 0 : page.messages.back().seq;

    client.end(ticket.id, ticket.token);
    std::cout << "ended chat #" << ticket.id << "\n";
    page = client.fetch(ticket.id, ticket.token, last);
    print(page);
    return page.status == "closed" ? 0 : 1;
  } catch (const seshat::Error& error) {
    std::cerr << "seshat: " << error.what() << "\n";
    return 1;
  }
}
