# bad: retry.backoff.ms above retry.backoff.max.ms (librdkafka warns and uses the maximum)
config = {
    "acks": "all",
    "retry.backoff.ms": 5000,
    "retry.backoff.max.ms": 1000,
}
