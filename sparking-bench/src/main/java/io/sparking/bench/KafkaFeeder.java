package io.sparking.bench;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Offers records to a Kafka topic at a steady rate while a run goes on, each payload carrying its
 * creation time ({@link BenchData#timedPayload}), round-robin over the topic's partitions. Behind
 * schedule it sends at once rather than skipping, so the offered count is exact.
 */
final class KafkaFeeder implements RunSetup.Feeder {
  private final String bootstrap;
  private final String topic;
  private final int partitions;
  private final long records;
  private final double ratePerSecond;
  private final int size;
  private volatile boolean closed;

  KafkaFeeder(
      String bootstrap,
      String topic,
      int partitions,
      long records,
      double ratePerSecond,
      int size) {
    this.bootstrap = bootstrap;
    this.topic = topic;
    this.partitions = partitions;
    this.records = records;
    this.ratePerSecond = ratePerSecond;
    this.size = size;
  }

  @Override
  public void feed() throws Exception {
    AtomicReference<Exception> failure = new AtomicReference<>();
    // A short linger keeps batches small: latency is measured from the record's creation, producer
    // time included. Idempotent (which needs acks=all; on one broker that waits as long as acks=1):
    // a retried send must not put a record twice in the topic, where it would count against the
    // path.
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.LINGER_MS_CONFIG,
                2,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class))) {
      long start = System.nanoTime();
      for (long i = 0; i < records && !closed; i++) {
        long due = start + (long) (i * 1e9 / ratePerSecond);
        long wait = due - System.nanoTime();
        if (wait > TimeUnit.MICROSECONDS.toNanos(200)) {
          LockSupport.parkNanos(wait);
        }
        if (failure.get() != null) {
          throw failure.get();
        }
        producer.send(
            new ProducerRecord<>(
                topic,
                (int) (i % partitions),
                null,
                BenchData.timedPayload(i, System.currentTimeMillis(), size)),
            (metadata, e) -> {
              if (e != null) {
                failure.compareAndSet(null, e);
              }
            });
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw failure.get();
    }
  }

  @Override
  public void close() {
    closed = true;
  }
}
