# bad: librdkafka rejects this value
config = {
    "linger.ms": "soon",
    "acks": "all",
}
