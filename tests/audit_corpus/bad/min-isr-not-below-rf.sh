# bad: two replicas and two required in sync: one broker down stops writes
kafka-topics.sh --bootstrap-server localhost:9092 --create --topic orders \
  --partitions 6 --replication-factor 2 --config min.insync.replicas=2
