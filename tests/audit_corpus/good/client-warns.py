# good: the backoff grows from 100 ms to 1 s
config = {
    "acks": "all",
    "retry.backoff.ms": 100,
    "retry.backoff.max.ms": 1000,
}
