# bad: librdkafka refuses idempotence with acks=1
config = {
    "enable.idempotence": True,
    "acks": 1,
}
