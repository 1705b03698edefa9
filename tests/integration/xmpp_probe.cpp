// A test driver for seshat::xmpp::Connection: connects with the settings given as arguments and
// speaks a line protocol, so Python tests can exercise the real library against a real Prosody.
//
//   xmpp_probe --jid bot@localhost --password pw --host 127.0.0.1 --port 5222
//              [--tls verify|no-verify|off] [--ca FILE] [--contact JID]... [--min-backoff MS]
//              [--max-backoff MS] [--log-level debug|info|warn]
//
// stdin, one command per line:
//   send <id> <to> <body...>   Connection::send of one message (posted to the XMPP thread)
//   status                     prints {"event":"status","connected":..,"reconnects":..}
//   latency <n>                measures post() wake latency n times, prints the percentiles
//   quit                       (or end of input) stops the connection and exits
// stdout, one JSON object per line: {"event":"connected"}, {"event":"disconnected","reason":..},
// {"event":"message","from":..,"body":..}, {"event":"presence","from":..,"show":..},
// {"event":"delivered","delivered":[..],"bounced":[..]}. Logs go to stderr.

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "xmpp/connection.hpp"

namespace {

using nlohmann::json;
using seshat::core::Show;
using namespace seshat::xmpp;

const char* show_name(Show show) {
  switch (show) {
    case Show::available:
      return "available";
    case Show::chat:
      return "chat";
    case Show::away:
      return "away";
    case Show::xa:
      return "xa";
    case Show::dnd:
      return "dnd";
    case Show::unavailable:
      return "unavailable";
  }
  return "?";
}

class Printer {
 public:
  void print(const json& event) {
    std::lock_guard lock(m_mutex);
    std::cout << event.dump() << std::endl;
  }

 private:
  std::mutex m_mutex;
};

class ProbeListener final : public Listener {
 public:
  explicit ProbeListener(Printer& out) : m_out(out) {}
  void on_connected() override { m_out.print({{"event", "connected"}}); }
  void on_disconnected(std::string_view reason) override {
    m_out.print({{"event", "disconnected"}, {"reason", reason}});
  }
  void on_message(const IncomingMessage& message) override {
    if (message.body.empty()) return;  // chat states: not what these scenarios look at
    m_out.print({{"event", "message"}, {"from", message.from}, {"body", message.body}});
  }
  void on_presence(std::string_view from, Show show, int priority) override {
    m_out.print(
        {{"event", "presence"}, {"from", from}, {"show", show_name(show)}, {"priority", priority}});
  }
  void on_delivered(std::vector<std::int64_t> delivered,
                    std::vector<std::int64_t> bounced) override {
    m_out.print({{"event", "delivered"}, {"delivered", delivered}, {"bounced", bounced}});
  }

 private:
  Printer& m_out;
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr << "xmpp_probe: " << problem << "\n";
  std::exit(2);
}

Settings parse_arguments(int argc, char** argv, std::string& log_level) {
  Settings settings;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage("missing value after " + flag);
    const std::string value = argv[++i];
    if (flag == "--jid") {
      settings.jid = value;
    } else if (flag == "--password") {
      settings.password = value;
    } else if (flag == "--host") {
      settings.host = value;
    } else if (flag == "--port") {
      settings.port = static_cast<std::uint16_t>(std::stoi(value));
    } else if (flag == "--tls") {
      if (value == "verify") {
        settings.tls = TlsPolicy::verify;
      } else if (value == "no-verify") {
        settings.tls = TlsPolicy::no_verify;
      } else if (value == "off") {
        settings.tls = TlsPolicy::off;
      } else {
        usage("unknown --tls " + value);
      }
    } else if (flag == "--ca") {
      settings.ca_file = value;
    } else if (flag == "--contact") {
      settings.contacts.push_back(value);
    } else if (flag == "--min-backoff") {
      settings.min_backoff = std::chrono::milliseconds(std::stoi(value));
    } else if (flag == "--max-backoff") {
      settings.max_backoff = std::chrono::milliseconds(std::stoi(value));
    } else if (flag == "--log-level") {
      log_level = value;
    } else {
      usage("unknown option " + flag);
    }
  }
  if (settings.jid.empty()) usage("--jid is required");
  return settings;
}

// Times post() from this thread to the task running on the XMPP thread, one at a time.
json measure_latency(Connection& connection, int samples) {
  using Clock = std::chrono::steady_clock;
  std::vector<double> micros;
  std::mutex mutex;
  std::condition_variable ran;
  for (int i = 0; i < samples; ++i) {
    bool done = false;
    Clock::time_point arrived;
    const auto posted = Clock::now();
    connection.post([&] {
      arrived = Clock::now();
      std::lock_guard lock(mutex);
      done = true;
      ran.notify_one();
    });
    std::unique_lock lock(mutex);
    ran.wait(lock, [&] { return done; });
    micros.push_back(std::chrono::duration<double, std::micro>(arrived - posted).count());
  }
  std::sort(micros.begin(), micros.end());
  const auto at = [&](double q) {
    return micros[std::min(micros.size() - 1, static_cast<std::size_t>(q * micros.size()))];
  };
  return {{"event", "latency"},
          {"samples", samples},
          {"p50_us", at(0.5)},
          {"p99_us", at(0.99)},
          {"max_us", micros.back()}};
}

}  // namespace

int main(int argc, char** argv) {
  std::string log_level = "info";
  auto settings = parse_arguments(argc, argv, log_level);
  spdlog::set_default_logger(spdlog::stderr_color_mt("probe"));
  spdlog::set_level(spdlog::level::from_str(log_level));

  Printer out;
  ProbeListener listener(out);
  Connection connection(std::move(settings), listener);
  connection.start();

  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream words(line);
    std::string command;
    words >> command;
    if (command == "send") {
      Outgoing message;
      words >> message.id >> message.to;
      std::getline(words >> std::ws, message.body);
      connection.post([&connection, message = std::move(message)]() mutable {
        std::vector<Outgoing> batch;
        batch.push_back(std::move(message));
        connection.send(std::move(batch));
      });
    } else if (command == "status") {
      connection.post([&] {
        out.print({{"event", "status"},
                   {"connected", connection.connected()},
                   {"reconnects", connection.reconnects()}});
      });
    } else if (command == "latency") {
      int samples = 1000;
      words >> samples;
      out.print(measure_latency(connection, std::max(samples, 1)));
    } else if (command == "quit") {
      break;
    } else if (!command.empty()) {
      spdlog::warn("unknown command: {}", command);
    }
  }
  connection.stop();
  out.print({{"event", "stopped"}});
  return 0;
}
