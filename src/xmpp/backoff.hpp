#pragma once
// Reconnect delays: exponential from `min` up to `max`, each drawn at random from the upper half
// of its step ("equal jitter"), so many brokers restarted together do not hit the server in step.

#include <chrono>
#include <random>

namespace seshat::xmpp {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds min, std::chrono::milliseconds max);
  // The delay before the next attempt; each call doubles the step until `max`.
  [[nodiscard]] std::chrono::milliseconds next();
  // After a successful session: the next failure retries after about `min` again.
  void reset() { m_attempt = 0; }

 private:
  std::chrono::milliseconds m_min;
  std::chrono::milliseconds m_max;
  int m_attempt = 0;
  std::mt19937_64 m_random;
};

}  // namespace seshat::xmpp
