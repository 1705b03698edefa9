// The Seshat load generator: simulated visitors over the HTTP API and operators as real XMPP
// clients, each message carrying its send time (CLOCK_MONOTONIC), against `seshat serve` and a
// Prosody on this machine. Prints a human summary and one "RESULT {json}" line (bench/run.py).
//
//   loadgen --mode direct ...  floor: two XMPP clients talking straight through Prosody
//   loadgen --mode notify ...  new chat -> every available operator's notification
//   loadgen --mode notify-floor ...  b's floor: one client -> N receivers at once, far apart
//   loadgen --mode relay ...   idle SSE visitors, N open chats at 1 msg/s each way, then a burst
//   loadgen --mode hold ...    idle SSE visitors only, held until standard input ends (c: more
//                              visitors than one process may hold descriptors for)

#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "operators.hpp"
#include "visitors.hpp"

namespace seshat::bench {
namespace {

struct Options {
  std::string mode = "relay";
  XmppSettings xmpp;
  HttpSettings http;
  std::string domain = "localhost";
  std::string op_prefix = "op";
  int operators = 2;
  int receivers = 1;  // direct: receivers of the burst
  int visitors = 2;
  int idle = 0;
  double duration_s = 5;
  int burst = 20;
  int notify_chats = 20;
  int notify_gap_ms = 100;
  int seshat_pid = 0;
  std::string tokens_out;
  std::string samples_out;
  std::vector<int> watched;  // processes whose CPU use in a burst is printed
  int burst_nice = 0;        // every thread's nice value from the burst on
  std::string transport = "sse";
  // relay: the direct hop in a's shape (accounts <paired_hop><i>) in the same process, its
  // steady sending in the blocks between the relay's (a's floor, paired: bench/README.md).
  std::string paired_hop;
  int block_ms = 100;
  // relay: e's floor in the same process, the fan-out from account <paired_fanout>0 to
  // <paired_fanout>1..visitors, one burst of it right before the relay's and one right after.
  std::string paired_fanout;
};

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

long rss_kb(int pid) {
  if (pid <= 0) return 0;
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

void raise_file_limit() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
}

// Waits for `done`, checking every 10 ms; false after `timeout_s`.
bool wait_for(const std::function<bool()>& done, double timeout_s) {
  const auto deadline = monotonic_ns() + static_cast<std::int64_t>(timeout_s * 1e9);
  while (!done()) {
    if (monotonic_ns() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // progress check, not a sync
  }
  return true;
}

void report_errors(const Shared& shared, nlohmann::json& result) {
  result["errors"] = shared.errors.load();
  result["error_texts"] = shared.error_texts;
  if (shared.errors.load() > 0) std::printf("errors: %d\n", shared.errors.load());
  for (const auto& text : shared.error_texts) std::printf("  %s\n", text.c_str());
}

nlohmann::json to_json(const Summary& summary) {
  nlohmann::json points = nlohmann::json::array();
  for (const auto& [percentile, ms] : summary.points) points.push_back({percentile, ms});
  return {{"count", summary.count},
          {"p50_ms", summary.p50_ms},
          {"p99_ms", summary.p99_ms},
          {"max_ms", summary.max_ms},
          {"points", points}};
}

void print(const char* what, const Summary& s) {
  std::printf("%-34s n=%-6zu p50=%8.3f ms  p99=%8.3f ms  max=%8.3f ms\n", what, s.count, s.p50_ms,
              s.p99_ms, s.max_ms);
}

std::string op_jid(const Options& options, int i) {
  return options.op_prefix + std::to_string(i) + "@" + options.domain;
}
std::string op_password(const Options& options, int i) {
  return options.op_prefix + std::to_string(i) + "-secret";
}

// Milliseconds the hypervisor gave the machine's CPUs to others while they had work (steal,
// every CPU summed, from /proc/stat; 0 where it is not counted). A run's slowest lines come
// with it: 3 s of it in a's 10 s once, a's p99 10 ms (bench/rounds.md, 2026-12-07).
double steal_ms() {
  std::ifstream stat("/proc/stat");
  std::string cpu;
  std::array<long long, 8> ticks{};  // user nice system idle iowait irq softirq steal
  stat >> cpu;
  for (auto& field : ticks) stat >> field;
  return static_cast<double>(ticks[7]) * 1000.0 / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Steady phase of `duration_s` of sending for each side starting shortly (with a paired floor
// in alternate blocks of `block_ms`, so twice as long), then a drain of 1.5 s. Returns the
// host's steal over the phase (steal_ms).
double run_steady(Shared& shared, Shared* paired_floor, const Options& options,
                  const std::function<void()>& start) {
  const auto begin = monotonic_ns() + 200'000'000;
  const auto active = static_cast<std::int64_t>(options.duration_s * 1e9);
  const std::int64_t block = paired_floor ? options.block_ms * 1'000'000LL : 0;
  const auto end = block == 0 ? begin + active : begin + (active + block - 1) / block * block * 2;
  const std::array<Shared*, 2> sides{&shared, paired_floor};
  for (std::size_t turn = 0; turn < sides.size() && sides[turn]; ++turn) {
    Shared& side = *sides[turn];
    side.steady_start_ns = begin;
    side.steady_active_ns = active;
    side.block_ns = block;
    side.block_turn = static_cast<int>(turn);
    side.phase = static_cast<int>(Phase::steady);
  }
  if (start) start();
  const auto sleep_until = [](std::int64_t ns) {
    std::this_thread::sleep_for(std::chrono::nanoseconds(ns - monotonic_ns()));
  };
  sleep_until(begin);
  const double steal_before = steal_ms();
  sleep_until(end);
  const double steal = steal_ms() - steal_before;
  sleep_until(end + 1'500'000'000);
  return steal;
}

// CPU seconds (user + system) from a /proc/.../stat file; 0 if it cannot be read.
double stat_cpu_seconds(const std::filesystem::path& path) {
  std::ifstream stat(path);
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  if (text.rfind(')') == std::string::npos) return 0;
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);  // utime, stime
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// CPU seconds of each of this process's threads, then of each watched process: which one is
// the limit of a burst.
std::vector<double> cpu_snapshot(const std::vector<int>& watched) {
  std::vector<double> result;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task"))
    result.push_back(stat_cpu_seconds(task.path() / "stat"));
  for (const int pid : watched)
    result.push_back(stat_cpu_seconds("/proc/" + std::to_string(pid) + "/stat"));
  return result;
}

// What a thread ran and how long it waited runnable for a CPU, in seconds, from its schedstat
// (nanoseconds; stat counts 10 ms ticks, a quarter of a thread's share of a 4,000-message
// burst). The wait shows where the XMPP server loses its share of the cores in a burst
// (bench/rounds.md); where schedstat is missing, the CPU comes from stat and the wait is 0.
struct TaskTimes {
  double ran = 0;
  double waited = 0;
};

TaskTimes task_times(const std::filesystem::path& task) {
  std::ifstream schedstat(task / "schedstat");
  double ran = 0;
  if (double waited = 0; schedstat >> ran >> waited) return {ran / 1e9, waited / 1e9};
  return {stat_cpu_seconds(task / "stat"), 0};
}

// The times of every thread of `pid` ("tid name" -> times), read from /proc/PID/task/*: target
// f sums a process's threads over exactly the burst.
std::map<std::string, TaskTimes> thread_cpu(int pid) {
  std::map<std::string, TaskTimes> result;
  std::error_code error;
  const std::filesystem::path tasks = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& task : std::filesystem::directory_iterator(tasks, error)) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    std::getline(comm, name);
    result[task.path().filename().string() + " " + name] = task_times(task.path());
  }
  return result;
}

// Per watched pid: {"total": s, "threads": {"tid name": s}, "waited": s} over the burst.
nlohmann::json thread_cpu_delta(const std::vector<int>& watched,
                                const std::vector<std::map<std::string, TaskTimes>>& before) {
  nlohmann::json result = nlohmann::json::object();
  for (std::size_t i = 0; i < watched.size(); ++i) {
    double total = 0;
    double waited = 0;
    nlohmann::json threads = nlohmann::json::object();
    for (const auto& [task, times] : thread_cpu(watched[i])) {
      const auto was = before[i].find(task);
      const TaskTimes start = was == before[i].end() ? TaskTimes{} : was->second;
      const double used = times.ran - start.ran;
      total += used;
      waited += times.waited - start.waited;
      if (used > 0) threads[task] = used;
    }
    result[std::to_string(watched[i])] = {
        {"total", total}, {"threads", threads}, {"waited", waited}};
  }
  return result;
}

// libstrophe makes an OpenSSL context per connection and loads the system's trust store into
// each (SSL_CTX_set_default_verify_paths): about 70 ms of CPU a login with OpenSSL 3, 7 s for a
// hundred operators before every phase. Pointing the default at the server's own certificate
// (OpenSSL reads these variables at each call) leaves each login its handshake. Before any thread.
void trust_only(const std::string& ca_file) {
  if (ca_file.empty()) return;
  ::setenv("SSL_CERT_FILE", ca_file.c_str(), 1);
  ::setenv("SSL_CERT_DIR", "/nonexistent", 1);
}

// The ids of this process's threads.
std::vector<id_t> own_threads() {
  std::vector<id_t> tids;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task"))
    tids.push_back(static_cast<id_t>(std::stol(task.path().filename().string())));
  return tids;
}

// From the burst on, every thread of this process at `nice` (0: as it was). The load generator
// stands in for a hundred operators' machines and visitors' browsers, yet shares the two cores
// with the servers it measures: in e's bursts its threads took as much CPU as seshat's, and
// Prosody waited for a CPU mostly behind them (bench/rounds.md, "the load generator yields").
// The floors' bursts and the relay's alike.
void yield_cores(int nice) {
  if (nice == 0) return;
  for (const auto tid : own_threads())
    if (setpriority(PRIO_PROCESS, tid, nice) != 0) std::perror("loadgen: setpriority");
}

// The lowest nice value among this process's threads: after a burst, what yield_cores left.
int lowest_nice() {
  int lowest = 19;
  for (const auto tid : own_threads()) {
    errno = 0;
    const int nice = getpriority(PRIO_PROCESS, tid);
    if (errno == 0) lowest = std::min(lowest, nice);
  }
  return lowest;
}

// The burst: `expected` timed messages; returns messages per second as received. `threads`
// gets the CPU time of each watched process's threads in it.
double run_burst(Shared& shared, int expected, const std::vector<int>& watched, int nice,
                 const std::function<void()>& start, nlohmann::json& threads) {
  yield_cores(nice);
  std::vector<std::map<std::string, TaskTimes>> threads_before;
  for (const int pid : watched) threads_before.push_back(thread_cpu(pid));
  const auto cpu_before = cpu_snapshot(watched);
  const auto begin = monotonic_ns();
  shared.burst_received = 0;
  shared.bursts_called++;
  shared.phase = static_cast<int>(Phase::burst);
  if (start) start();
  if (!wait_for([&] { return shared.burst_received.load() >= expected; }, 60)) {
    std::fprintf(stderr, "loadgen: burst: %d of %d arrived\n", shared.burst_received.load(),
                 expected);
  }
  const auto elapsed = static_cast<double>(shared.burst_last_ns.load() - begin) / 1e9;
  const auto cpu_after = cpu_snapshot(watched);
  threads = thread_cpu_delta(watched, threads_before);
  std::printf("burst: %.3f s; CPU in it (loadgen threads, then watched pids):", elapsed);
  for (std::size_t i = 0; i < cpu_after.size() && i < cpu_before.size(); ++i)
    std::printf(" %.2f s", cpu_after[i] - cpu_before[i]);
  std::printf("\n");
  return elapsed > 0 ? shared.burst_received.load() / elapsed : 0;
}

// Every latency sample as "direction phase arrival_ns latency_ns": to find when the slow ones
// came, against the other processes' events (bench/rounds.md, "How the slow 1% was found").
void write_samples(const Options& options, const Shared& shared, const std::string& side = {}) {
  if (options.samples_out.empty()) return;
  std::ofstream out(options.samples_out, side.empty() ? std::ios::trunc : std::ios::app);
  for (std::size_t phase = 0; phase < static_cast<std::size_t>(k_phases); ++phase) {
    for (const auto& [direction, samples] : {std::pair{"to_operator", &shared.to_operator[phase]},
                                             {"to_visitor", &shared.to_visitor[phase]},
                                             {"accepted", &shared.accepted[phase]}}) {
      for (const auto& [arrival, latency] : samples->timeline())
        out << side << direction << ' ' << phase << ' ' << arrival << ' ' << latency << '\n';
    }
  }
}

// The floors' clients: A (account 0) sends to accounts 1..receivers. With `answers`, the first
// receiver is B, which writes back to A in the steady phase (in a's shape, every receiver does);
// the others only receive.
std::vector<OperatorSpec> sender_and_receivers(const Options& options, int receivers,
                                               bool answers) {
  std::vector<OperatorSpec> specs(1);
  specs[0] = {op_jid(options, 0), op_password(options, 0), Role::direct, 0, {}, true};
  for (int i = 1; i <= receivers; ++i) {
    specs[0].peers.push_back(op_jid(options, i));
    const auto role = answers && (i == 1 || options.xmpp.a_shape) ? Role::direct : Role::sink;
    specs.push_back(
        {op_jid(options, i), op_password(options, i), role, i, {op_jid(options, 0)}, false});
  }
  return specs;
}

// A (account 0) and B (1) talk in the steady phase, or with --a-shape A and every receiver as
// a's visitors and operators do; in the burst A sends to B, or round robin to accounts
// 1..receivers (the shape of the broker's relay to many operators).
int run_direct(const Options& options, nlohmann::json& result) {
  Shared shared(1);
  const auto specs = sender_and_receivers(options, options.receivers, true);
  Operators clients(options.xmpp, specs, shared);
  clients.start();
  const int online = static_cast<int>(specs.size());
  // Generous: 100 TLS logins with SCRAM take seconds of CPU, longer on a busy machine.
  if (!wait_for([&] { return shared.operators_online.load() == online; }, 120)) {
    std::fprintf(stderr, "loadgen: the direct clients did not log in\n");
    return 1;
  }
  result["steady_steal_ms"] = run_steady(shared, nullptr, options, nullptr);
  nlohmann::json threads;
  const auto rate =
      run_burst(shared, options.xmpp.burst, options.watched, options.burst_nice, nullptr, threads);
  result["burst_cpu"] = threads;
  result["burst_nice"] = lowest_nice();
  shared.phase = static_cast<int>(Phase::stop);
  clients.join();
  write_samples(options, shared);
  const auto a_to_b = shared.to_operator[1].summary();
  const auto b_to_a = shared.to_visitor[1].summary();
  print("direct A->B (steady)", a_to_b);
  print("direct B->A (steady)", b_to_a);
  print("direct A->B (burst)", shared.to_operator[2].summary());
  std::printf("direct one-way rate: %.0f msg/s (%d messages to %d receivers)\n", rate,
              shared.burst_received.load(), options.receivers);
  result["a_to_b"] = to_json(a_to_b);
  result["b_to_a"] = to_json(b_to_a);
  result["a_shape"] = options.xmpp.a_shape;
  result["rate"] = rate;
  result["burst_received"] = shared.burst_received.load();
  report_errors(shared, result);
  return 0;
}

int run_notify(const Options& options, nlohmann::json& result) {
  Shared shared(static_cast<std::size_t>(options.notify_chats));
  std::vector<OperatorSpec> specs;
  for (int i = 0; i < options.operators; ++i) {
    specs.push_back({op_jid(options, i), op_password(options, i), Role::notify, i, {}, false});
  }
  auto xmpp = options.xmpp;
  xmpp.notify_visitors = options.notify_chats;
  Operators operators(xmpp, specs, shared);
  operators.start();
  if (!wait_for([&] { return shared.operators_online.load() == options.operators; }, 60) ||
      !wait_available(options.http, options.operators, 30)) {
    std::fprintf(stderr, "loadgen: the operators did not become available\n");
    return 1;
  }
  Visitors visitors(options.http, shared);
  visitors.start();
  visitors.announce(options.notify_chats, options.notify_gap_ms);
  const int expected = options.notify_chats * options.operators;
  if (!wait_for([&] { return shared.notifications.load() >= expected; },
                30 + options.notify_chats * options.notify_gap_ms / 1000.0)) {
    std::fprintf(stderr, "loadgen: %d of %d notifications arrived\n", shared.notifications.load(),
                 expected);
  }
  shared.phase = static_cast<int>(Phase::stop);
  visitors.stop();
  operators.join();
  Samples every;
  for (std::size_t i = 0; i < operators.notify_last().size(); ++i) {
    if (operators.notify_count()[i] == options.operators) every.add(operators.notify_last()[i]);
  }
  print("new chat -> one operator", shared.notify.summary());
  print("new chat -> every operator", every.summary());
  result["one"] = to_json(shared.notify.summary());
  result["every"] = to_json(every.summary());
  result["notifications"] = shared.notifications.load();
  report_errors(shared, result);
  return 0;
}

// b's floor: b's shape without the broker. Client A writes one message to each of `operators`
// receivers in one write (as the broker writes one new chat's notices), `notify_chats` times,
// `notify_gap_ms` apart, so each round finds the server as idle as b's chats find it; per round,
// the time until the last receiver has its message.
int run_notify_floor(const Options& options, nlohmann::json& result) {
  Shared shared(1);
  const auto specs = sender_and_receivers(options, options.operators, false);
  auto xmpp = options.xmpp;
  xmpp.notify_visitors = options.notify_chats;
  Operators clients(xmpp, specs, shared);
  clients.start();
  if (!wait_for([&] { return shared.operators_online.load() == options.operators + 1; }, 60)) {
    std::fprintf(stderr, "loadgen: the notify floor's clients did not log in\n");
    return 1;
  }
  shared.phase = static_cast<int>(Phase::round);
  for (int round = 0; round < options.notify_chats; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(options.notify_gap_ms));
    shared.rounds_due++;
  }
  const int expected = options.notify_chats * options.operators;
  if (!wait_for([&] { return shared.notifications.load() >= expected; }, 30)) {
    std::fprintf(stderr, "loadgen: %d of %d round messages arrived\n", shared.notifications.load(),
                 expected);
  }
  shared.phase = static_cast<int>(Phase::stop);
  clients.join();
  Samples every;
  for (std::size_t i = 0; i < clients.notify_last().size(); ++i) {
    if (clients.notify_count()[i] == options.operators) every.add(clients.notify_last()[i]);
  }
  const auto round = static_cast<std::size_t>(Phase::round);
  print("round -> one receiver", shared.to_operator[round].summary());
  print("round -> every receiver", every.summary());
  result["one"] = to_json(shared.to_operator[round].summary());
  result["every"] = to_json(every.summary());
  report_errors(shared, result);
  return 0;
}

void write_tokens(const Options& options, const Visitors& visitors) {
  if (options.tokens_out.empty()) return;
  std::ofstream out(options.tokens_out);
  for (const auto& ticket : visitors.idle_tickets())
    out << ticket.id << ' ' << ticket.token << '\n';
}

// A floor paired with the relay in its process (a's hop, e's fan-out): account 0 of
// `floor.op_prefix` and as many receivers as the relay has visitors, logged in; false if they
// did not all log in.
bool start_paired(const Options& floor, bool answers, Shared& shared,
                  std::optional<Operators>& clients, const char* what) {
  clients.emplace(floor.xmpp, sender_and_receivers(floor, floor.visitors, answers), shared);
  clients->start();
  if (wait_for([&] { return shared.operators_online.load() == floor.visitors + 1; }, 120))
    return true;
  std::fprintf(stderr, "loadgen: the paired %s's clients did not log in\n", what);
  return false;
}

int run_relay(const Options& options, nlohmann::json& result) {
  Shared shared(static_cast<std::size_t>(options.visitors));
  std::vector<OperatorSpec> specs;
  for (int i = 0; i < options.visitors; ++i) {
    specs.push_back({op_jid(options, i), op_password(options, i), Role::relay, i, {}, false});
  }
  // Operators first: libstrophe uses select(), so its sockets must get the low descriptors.
  Operators operators(options.xmpp, specs, shared);
  operators.start();
  if (!wait_for([&] { return shared.operators_online.load() == options.visitors; }, 120)) {
    std::fprintf(stderr, "loadgen: %d of %d operators logged in\n", shared.operators_online.load(),
                 options.visitors);
    return 1;
  }
  // a's floor in the same process: the hop in a's shape between the same number of clients,
  // sending in the blocks between the relay's.
  Shared hop_shared(1);
  std::optional<Operators> hop;
  if (!options.paired_hop.empty()) {
    Options floor = options;
    floor.op_prefix = options.paired_hop;
    floor.xmpp.a_shape = true;
    floor.xmpp.direct_rate = options.visitors;
    floor.xmpp.burst = 0;
    if (!start_paired(floor, true, hop_shared, hop, "hop")) return 1;
  }
  // e's floor in the same process: its bursts bracket the relay's, within a second of it.
  Shared fanout_shared(1);
  std::optional<Operators> fanout;
  if (!options.paired_fanout.empty()) {
    Options floor = options;
    floor.op_prefix = options.paired_fanout;
    floor.xmpp.burst = options.visitors * options.burst;
    if (!start_paired(floor, false, fanout_shared, fanout, "fan-out")) return 1;
  }
  Visitors visitors(options.http, shared);
  visitors.start();

  const long rss_before = rss_kb(options.seshat_pid);
  long rss_idle = rss_before;
  // (idle streams open, seshat's RSS in kB) while they connect: memory against idle visitors.
  nlohmann::json rss_curve = nlohmann::json::array();
  rss_curve.push_back({0, rss_before});
  if (options.idle > 0) {
    visitors.open_idle(options.idle);
    auto next_sample = monotonic_ns();
    const auto settled = [&] {
      if (monotonic_ns() >= next_sample) {
        next_sample += 250'000'000;
        rss_curve.push_back({shared.idle_ready.load(), rss_kb(options.seshat_pid)});
      }
      return shared.idle_ready.load() + shared.idle_failed.load() >= options.idle;
    };
    if (!wait_for(settled, 120 + options.idle / 500.0) || shared.idle_ready.load() < options.idle) {
      std::fprintf(stderr, "loadgen: %d of %d idle visitors connected\n", shared.idle_ready.load(),
                   options.idle);
    }
    // Let the server settle before measuring: the broker reads the new chats after the gateway
    // has answered them, so it can still be busy with the last thousands. Quiet = under 20% of
    // a core over half a second (at most 60 s).
    const auto stat = "/proc/" + std::to_string(options.seshat_pid) + "/stat";
    const auto settle_until = monotonic_ns() + 60 * 1'000'000'000LL;
    for (double before = stat_cpu_seconds(stat); monotonic_ns() < settle_until;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));  // sampling CPU use
      const double now = stat_cpu_seconds(stat);
      if (now - before < 0.1) break;
      before = now;
    }
    rss_idle = rss_kb(options.seshat_pid);
    rss_curve.push_back({shared.idle_ready.load(), rss_idle});
    std::printf("idle visitors: %d connected, seshat RSS %ld -> %ld kB (%.0f bytes each)\n",
                shared.idle_ready.load(), rss_before, rss_idle,
                shared.idle_ready.load() > 0
                    ? (rss_idle - rss_before) * 1024.0 / shared.idle_ready.load()
                    : 0.0);
  }

  shared.accepts_start_ns = monotonic_ns() + 100'000'000;
  visitors.open_active(options.visitors);
  if (!wait_for(
          [&] {
            return shared.operators_accepted.load() >= options.visitors &&
                   shared.visitors_open.load() >= options.visitors;
          },
          60)) {
    std::fprintf(stderr, "loadgen: %d accepted, %d visitors open of %d\n",
                 shared.operators_accepted.load(), shared.visitors_open.load(), options.visitors);
    shared.phase = static_cast<int>(Phase::stop);
    // What was measured of the idle visitors still goes out (c's memory; d's chats).
    result["idle"] = shared.idle_ready.load();
    result["rss_before_kb"] = rss_before;
    result["rss_idle_kb"] = rss_idle;
    result["rss_curve"] = rss_curve;
    result["active_failed"] = true;
    operators.join();
    visitors.stop();
    write_tokens(options, visitors);
    report_errors(shared, result);
    return 1;
  }
  result["steady_steal_ms"] =
      run_steady(shared, hop ? &hop_shared : nullptr, options, [&] { visitors.start_steady(); });
  if (hop) {
    hop_shared.phase = static_cast<int>(Phase::stop);
    hop->join();
    const auto a_to_b = hop_shared.to_operator[1].summary();
    const auto b_to_a = hop_shared.to_visitor[1].summary();
    print("paired hop A->receivers (steady)", a_to_b);
    print("paired hop receivers->A (steady)", b_to_a);
    result["hop"] = {{"a_to_b", to_json(a_to_b)},
                     {"b_to_a", to_json(b_to_a)},
                     {"a_shape", true},
                     {"paired", true},
                     {"block_ms", options.block_ms},
                     {"steady_steal_ms", result["steady_steal_ms"]}};
    report_errors(hop_shared, result["hop"]);
  }
  const int expected = options.visitors * options.burst;
  // The paired fan-out's bursts, the floor of the relay's burst between them: each a rate and
  // the watched processes' CPU in it, as a floor's own run reports them.
  nlohmann::json fanout_result{{"rates", nlohmann::json::array()},
                               {"burst_cpus", nlohmann::json::array()}};
  const auto fanout_burst = [&] {
    nlohmann::json cpu;
    fanout_result["rates"].push_back(
        run_burst(fanout_shared, expected, options.watched, options.burst_nice, nullptr, cpu));
    fanout_result["burst_cpus"].push_back(cpu);
  };
  if (fanout && options.burst > 0) fanout_burst();
  nlohmann::json threads = nlohmann::json::object();
  const double rate = options.burst > 0 ? run_burst(
                                              shared, expected, options.watched, options.burst_nice,
                                              [&] { visitors.start_burst(options.burst); }, threads)
                                        : 0;
  if (fanout && options.burst > 0) fanout_burst();
  if (fanout) {
    fanout_shared.phase = static_cast<int>(Phase::stop);
    fanout->join();
    fanout_result["burst_received"] = fanout_shared.burst_received.load();
    std::printf("paired fan-out, right before and right after the relay's burst: %s msg/s\n",
                fanout_result["rates"].dump().c_str());
    report_errors(fanout_shared, fanout_result);
    result["fanout"] = fanout_result;
  }
  result["burst_cpu"] = threads;
  if (options.burst > 0) result["burst_nice"] = lowest_nice();
  const long rss_end = rss_kb(options.seshat_pid);
  shared.phase = static_cast<int>(Phase::stop);
  operators.join();
  visitors.stop();

  write_tokens(options, visitors);
  write_samples(options, shared);
  if (hop) write_samples(options, hop_shared, "hop_");
  constexpr auto k_steady = static_cast<std::size_t>(Phase::steady);
  constexpr auto k_first = static_cast<std::size_t>(Phase::first);
  const auto v2o = shared.to_operator[k_steady].summary();
  const auto o2v = shared.to_visitor[k_steady].summary();
  const auto v2o_first = shared.to_operator[k_first].summary();
  const auto o2v_first = shared.to_visitor[k_first].summary();
  // Scenario a's distribution: the steady messages and the first after each accept together.
  const auto v2o_all = shared.to_operator[k_steady].summary_with(shared.to_operator[k_first]);
  const auto o2v_all = shared.to_visitor[k_steady].summary_with(shared.to_visitor[k_first]);
  print("visitor -> operator (steady)", v2o);
  print("operator -> visitor (steady)", o2v);
  print("visitor -> operator (first)", v2o_first);
  print("operator -> visitor (first)", o2v_first);
  print("visitor -> operator (steady+first)", v2o_all);
  print("operator -> visitor (steady+first)", o2v_all);
  print("visitor -> operator (burst)", shared.to_operator[2].summary());
  // Where visitor -> operator spends its time: up to the 202 the gateway, after it the broker.
  const auto accepted = shared.accepted[k_steady].summary();
  print("visitor POST -> 202 (steady)", accepted);
  std::printf("relay rate to operators: %.0f msg/s (%d of %d)\n", rate,
              shared.burst_received.load(), expected);
  result["v2o"] = to_json(v2o);
  result["o2v"] = to_json(o2v);
  result["v2o_first"] = to_json(v2o_first);
  result["o2v_first"] = to_json(o2v_first);
  result["v2o_all"] = to_json(v2o_all);
  result["o2v_all"] = to_json(o2v_all);
  result["accepted"] = to_json(accepted);
  result["firsts_sent"] = shared.firsts_sent.load();
  result["rss_curve"] = rss_curve;
  result["rate"] = rate;
  result["burst_received"] = shared.burst_received.load();
  result["burst_expected"] = expected;
  result["idle"] = shared.idle_ready.load();
  result["rss_before_kb"] = rss_before;
  result["rss_idle_kb"] = rss_idle;
  result["rss_end_kb"] = rss_end;
  report_errors(shared, result);
  return 0;
}

// Opens --idle visitors, prints "HELD {json}" once they settled, and holds them until standard
// input ends: run.py spreads c's idle visitors over several of these, as over several gateways.
int run_hold(const Options& options, nlohmann::json& result) {
  Shared shared(0);
  Visitors visitors(options.http, shared);
  visitors.start();
  visitors.open_idle(options.idle);
  const bool settled =
      wait_for([&] { return shared.idle_ready.load() + shared.idle_failed.load() >= options.idle; },
               120 + options.idle / 500.0);
  nlohmann::json held{{"idle", shared.idle_ready.load()}, {"failed", shared.idle_failed.load()}};
  if (!settled) held["timed_out"] = true;
  std::cout << "HELD " << held.dump() << std::endl;
  write_tokens(options, visitors);
  for (std::string line; std::getline(std::cin, line);) {
  }
  result["idle"] = shared.idle_ready.load();
  shared.phase = static_cast<int>(Phase::stop);
  visitors.stop();
  report_errors(shared, result);
  return settled ? 0 : 1;
}

}  // namespace
}  // namespace seshat::bench

int main(int argc, char** argv) {
  using namespace seshat::bench;
  std::signal(SIGPIPE, SIG_IGN);  // libstrophe writes without MSG_NOSIGNAL
  Options options;
  CLI::App app{"Seshat load generator"};
  app.add_option("--mode", options.mode, "direct | notify | notify-floor | relay | hold")
      ->required();
  app.add_option("--xmpp-port", options.xmpp.port)->required();
  app.add_option("--ca", options.xmpp.ca_file, "PEM the XMPP server's certificate is checked with");
  app.add_option("--domain", options.domain);
  app.add_option("--bot", options.xmpp.bot, "the broker's bare JID");
  app.add_option("--component", options.xmpp.component,
                 "seshat's component domain: operators write to N@DOMAIN (README, component mode)");
  app.add_option("--op-prefix", options.op_prefix,
                 "accounts <prefix><i>, password <prefix><i>-secret");
  app.add_option("--operators", options.operators,
                 "notify: available operators; notify-floor: receivers");
  app.add_option("--http-port", options.http.port);
  app.add_option("--http-port2", options.http.second_port,
                 "relay: a second gateway; visitors with an odd index use it");
  app.add_option("--prefix", options.http.prefix);
  app.add_option("--transport", options.transport, "sse | long-poll");
  app.add_option("--address-base", options.http.address_base,
                 "visitors connect from 127.<base..base+2>.x.y");
  app.add_option("--idle-window", options.http.idle_window,
                 "relay: idle visitors connecting at once (default 32)");
  app.add_option("--idle-low-water", options.http.idle_low_water,
                 "relay, hold: an idle stream is read once this many bytes wait, not for each "
                 "heartbeat (default 4096; 0: every heartbeat read)");
  app.add_option("--visitors", options.visitors, "relay: open chats (and as many operators)");
  app.add_option("--idle", options.idle, "relay: idle visitors");
  app.add_option("--duration", options.duration_s, "steady phase, seconds");
  app.add_option("--burst", options.burst, "relay: messages per visitor; direct: messages in all");
  app.add_option("--receivers", options.receivers, "direct: the burst goes round robin to these");
  app.add_option("--direct-rate", options.xmpp.direct_rate, "direct: messages/s each way");
  app.add_flag("--a-shape", options.xmpp.a_shape,
               "direct: A writes to the receivers in turn, each of them to A once a second");
  app.add_flag("--bodies-only", options.xmpp.bodies_only,
               "direct, notify-floor: messages with a body alone, not shaped like the broker's");
  app.add_option("--notify-chats", options.notify_chats);
  app.add_option("--notify-gap-ms", options.notify_gap_ms);
  app.add_option("--seshat-pid", options.seshat_pid, "to read its VmRSS");
  app.add_option("--watch-pid", options.watched, "processes whose CPU use in the burst is printed");
  app.add_option("--burst-nice", options.burst_nice,
                 "every thread's nice value from the burst on (0: unchanged)");
  app.add_option("--tokens-out", options.tokens_out,
                 "relay: write the idle chats' 'id token' lines");
  app.add_option("--paired-hop", options.paired_hop,
                 "relay: also the direct hop in a's shape between accounts <PREFIX><i>, its "
                 "steady phase in the blocks between the relay's (a's floor, paired)");
  app.add_option("--paired-fanout", options.paired_fanout,
                 "relay: also e's floor, the burst from account <PREFIX>0 round robin to "
                 "<PREFIX>1..visitors, right before and right after the relay's (paired)");
  app.add_option("--block-ms", options.block_ms,
                 "relay with --paired-hop: the length of each side's block");
  app.add_option("--samples-out", options.samples_out,
                 "write every latency sample: direction phase arrival_ns latency_ns");
  CLI11_PARSE(app, argc, argv);
  options.http.transport = options.transport == "long-poll" ? Transport::long_poll : Transport::sse;
  if (options.mode == "direct") options.xmpp.burst = options.burst;
  raise_file_limit();
  trust_only(options.xmpp.ca_file);

  nlohmann::json result{{"mode", options.mode}};
  int status = 2;
  if (options.mode == "direct") status = run_direct(options, result);
  if (options.mode == "notify") status = run_notify(options, result);
  if (options.mode == "notify-floor") status = run_notify_floor(options, result);
  if (options.mode == "relay") status = run_relay(options, result);
  if (options.mode == "hold") status = run_hold(options, result);
  result["cpu_s"] = cpu_seconds();
  std::printf("loadgen CPU time: %.2f s\n", cpu_seconds());
  std::fflush(stdout);
  std::cout << "RESULT " << result.dump() << std::endl;
  return status;
}
