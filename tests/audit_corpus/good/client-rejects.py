# good: the consumer has its group
config = {"group.id": "orders", "auto.offset.reset": "earliest", "enable.auto.commit": False}
