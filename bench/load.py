"""The one load client every contender is driven with: N threads, each with its own
keep-alive HTTP connection, sending a list of paths as fast as the server answers.

Threads rather than asyncio: a thread waits on its socket without holding the GIL, and
the same code drives our server and the floor, so whatever the client costs, it costs
both the same.
"""

import http.client
import threading
import time
from dataclasses import dataclass, field

ONE_CLICK_BODY = "List-Unsubscribe=One-Click"


@dataclass
class Result:
    requests: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile(self, share: float) -> float:
        """The latency (seconds) that `share` of the requests stayed within."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    @property
    def failed(self) -> int:
        return sum(count for status, count in self.statuses.items() if status != 200)


def post_all(port: int, paths: list[str], clients: int = 16) -> Result:
    """POST the one-click body to every path once, `clients` at a time."""
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    return request_all(port, paths, "POST", clients, ONE_CLICK_BODY, form)


def get_all(port: int, paths: list[str], clients: int = 16) -> Result:
    """GET every path once, `clients` at a time."""
    return request_all(port, paths, "GET", clients)


def request_all(port, paths, method, clients, body=None, headers=None) -> Result:
    """Send every path once, `clients` at a time; every answer's status and latency."""
    remaining = iter(paths)
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    def worker():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                path = next(remaining, None)
            if path is None:
                break
            started = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers or {})
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = 0  # no answer: counted as lost
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(len(paths), time.perf_counter() - started, latencies, statuses)
