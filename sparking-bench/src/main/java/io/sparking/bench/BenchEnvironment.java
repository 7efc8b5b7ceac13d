package io.sparking.bench;

import io.sparking.runtime.KafkaBroker;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sources the bench JVM shares between runs: one Kafka broker with one topic holding the run's
 * records, produced once before the first Kafka run. Closing it stops the broker.
 */
public final class BenchEnvironment implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BenchEnvironment.class);

  /** The topic every Kafka path reads. */
  static final String TOPIC = "bench";

  /** Its partitions: the consumers and Spark tasks of every Kafka path can work on four at once. */
  static final int PARTITIONS = 4;

  private final BenchConfig config;
  private final Map<String, String> backlogs = new java.util.HashMap<>();
  private KafkaBroker broker;
  private int topics;

  BenchEnvironment(BenchConfig config) {
    this.config = config;
  }

  /** The broker, started on first use. */
  synchronized KafkaBroker kafka() {
    if (broker == null) {
      broker = KafkaBroker.start();
    }
    return broker;
  }

  /**
   * A topic of {@code partitions} partitions holding {@code records} records, created and filled on
   * first use and shared by every run that asks for the same backlog ({@link #TOPIC} for the plain
   * throughput runs).
   */
  synchronized String backlog(int partitions, long records) {
    String key = partitions + "/" + records;
    String topic = backlogs.get(key);
    if (topic == null) {
      topic =
          partitions == PARTITIONS && records == config.records()
              ? TOPIC
              : "bench-p" + partitions + "-n" + records;
      kafka().createTopic(topic, partitions);
      produce(topic, partitions, records);
      backlogs.put(key, topic);
    }
    return topic;
  }

  /**
   * A new empty topic of {@code partitions} partitions, for a run whose records are offered while
   * it goes on.
   */
  synchronized String freshTopic(int partitions) {
    String topic = "bench-live-" + (++topics);
    kafka().createTopic(topic, partitions);
    return topic;
  }

  private void produce(String topic, int partitions, long records) {
    long start = System.nanoTime();
    AtomicReference<Exception> failure = new AtomicReference<>();
    AtomicLong acked = new AtomicLong();
    // Producing is not measured; batching settings only make the setup shorter. Idempotent, so a
    // retried send cannot put a record twice in the topic: each id is there once.
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.LINGER_MS_CONFIG,
                10,
                ProducerConfig.BATCH_SIZE_CONFIG,
                256 * 1024,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                ByteArraySerializer.class))) {
      for (long i = 0; i < records && failure.get() == null; i++) {
        producer.send(
            new ProducerRecord<>(
                topic, (int) (i % partitions), null, BenchData.payload(i, config.size())),
            (metadata, e) -> {
              if (e != null) {
                failure.compareAndSet(null, e);
              } else {
                acked.incrementAndGet();
              }
            });
      }
      producer.flush();
    }
    if (failure.get() != null || acked.get() != records) {
      throw new IllegalStateException(
          "Producing the benchmark's records to "
              + topic
              + " failed after "
              + acked.get()
              + " of "
              + records
              + ": "
              + failure.get(),
          failure.get());
    }
    LOG.info(
        "Produced {} records of {} bytes to {} in {} ms",
        records,
        config.size(),
        topic,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }

  @Override
  public synchronized void close() {
    if (broker != null) {
      broker.close();
      broker = null;
    }
  }
}
