# good: a number where librdkafka wants one
config = {
    "linger.ms": 5,
    "acks": "all",
}
