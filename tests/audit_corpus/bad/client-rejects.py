# bad: confluent-kafka needs a group.id for a consumer
config = {"auto.offset.reset": "earliest", "enable.auto.commit": False}
