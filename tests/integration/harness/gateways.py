"""Several `seshat web` processes as a visitor behind a round-robin load balancer sees them:
every request, and every new connection, goes to the next gateway.

    gateways = Gateways(web1, web2)
    ChatStream(gateways, joe, bot)     # sends, long-polls and SSE resumptions alternate
"""

import itertools


class Gateways:
    def __init__(self, *apps):
        self.apps = apps
        self.prefix = apps[0].prefix
        self._turn = itertools.count()
        self.used = [0] * len(apps)   # requests sent to each gateway

    def _next(self):
        index = next(self._turn) % len(self.apps)
        self.used[index] += 1
        return self.apps[index]

    def url(self, path=""):
        return self._next().url(path)

    @property
    def port(self):
        return self._next().port

    def wait_operators(self, count, timeout=10.0):
        for app in self.apps:
            app.wait_operators(count, timeout)
