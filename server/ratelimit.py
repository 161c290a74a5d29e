"""Flood control: a token bucket per connection, a failure counter per address."""

import time
from collections import OrderedDict, deque


class TokenBucket:
    """`rate` commands a second on average, bursts of up to `burst`."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = burst
        self.stamp = time.monotonic()

    def take(self, cost: float = 1.0) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < cost:
            return False
        self.tokens -= cost
        return True


class FailureLimiter:
    """Blocks an address after `limit` failed attempts within `window` seconds.

    Joining is limited by failures, not by attempts: a whole hall joins from
    one venue address, while guessing join codes is nearly all failures.
    """

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, deque[float]] = {}

    def blocked(self, address: str) -> bool:
        failures = self._failures.get(address)
        if not failures:
            return False
        cutoff = time.monotonic() - self.window
        while failures and failures[0] < cutoff:
            failures.popleft()
        if not failures:
            del self._failures[address]
        return len(failures) >= self.limit

    def failed(self, address: str) -> None:
        failures = self._failures.setdefault(address, deque())
        failures.append(time.monotonic())
        # Only the last `limit` matter for `blocked`: memory per address stays bounded.
        while len(failures) > self.limit:
            failures.popleft()

    def forget(self, address: str) -> None:
        self._failures.pop(address, None)


class JoinLimiter:
    """Join attempts per address: a correct code always joins, guessing stays slow.

    Each address has a bucket of `burst` attempts refilled at `rate` a second
    (default 600 and 10/s: a hall of 600 behind one NAT joins at once, then 600
    a minute more). Wrong codes are counted too: after `failures` of them within
    `window` seconds every attempt from that address costs `penalty` tokens
    (1 attempt a second at the defaults), so guessing is limited to about one
    code a second while the hall's correct codes still join. The addresses
    tracked are capped at `max_addresses`, the least recently seen evicted, so
    memory stays bounded under a flood of spoofed or rotating addresses.
    """

    def __init__(
        self,
        rate: float = 10.0,
        burst: float = 600.0,
        failures: int = 20,
        window: float = 60.0,
        penalty: float = 10.0,
        max_addresses: int = 10_000,
    ) -> None:
        self.rate, self.burst, self.penalty = rate, burst, penalty
        self.max_addresses = max_addresses
        self._failures = FailureLimiter(failures, window)
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    def __len__(self) -> int:
        """How many addresses are tracked (at most `max_addresses`)."""
        return len(self._buckets)

    def attempt(self, address: str) -> bool:
        """Spend one attempt (more while guessing); False: refuse it as `rate_limited`."""
        bucket = self._buckets.pop(address, None) or TokenBucket(self.rate, self.burst)
        self._buckets[address] = bucket
        while len(self._buckets) > self.max_addresses:
            evicted, _ = self._buckets.popitem(last=False)
            self._failures.forget(evicted)
        cost = self.penalty if self._failures.blocked(address) else 1.0
        return bucket.take(cost)

    def failed(self, address: str) -> None:
        """Record a wrong code from `address`."""
        if address in self._buckets:
            self._failures.failed(address)
