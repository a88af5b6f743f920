"""How long a delivery may take, and how often and how late a failed one is tried again."""

from __future__ import annotations

# The pause before each retry, growing per attempt; they add up to about a day (23.9 h), after which
# the message goes to the dead-letter queue. Each stays under SQS's 12-hour visibility ceiling.
RETRY_DELAYS_SECONDS: tuple[int, ...] = (60, 300, 900, 1800, 3600, 7200, 14400, 28800, 28800)
# The first attempt and one per delay: the delivery queue's maxReceiveCount.
MAX_ATTEMPTS = len(RETRY_DELAYS_SECONDS) + 1
# An endpoint has this long to answer with a 2xx; anything slower is a failed attempt.
DELIVERY_TIMEOUT_SECONDS = 5
# Messages one invocation delivers, one after the other (so at most 50 s of waiting on endpoints).
DELIVERY_BATCH_SIZE = 10
