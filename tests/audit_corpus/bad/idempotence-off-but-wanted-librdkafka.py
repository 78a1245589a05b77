# bad: librdkafka keeps idempotence off unless it is set
config = {"acks": "all", "linger.ms": 5}
