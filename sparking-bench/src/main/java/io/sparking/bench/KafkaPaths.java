package io.sparking.bench;

import static org.apache.spark.sql.functions.col;

import io.sparking.bench.ReceiverRun.KafkaSource;
import io.sparking.kafka.KafkaRecord;
import io.sparking.kafka.KafkaSettings;
import io.sparking.kafka.SparkingKafka;
import io.sparking.runtime.TempDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.streaming.api.java.JavaDStream;
import org.apache.spark.streaming.kafka010.ConsumerStrategies;
import org.apache.spark.streaming.kafka010.KafkaUtils;
import org.apache.spark.streaming.kafka010.LocationStrategies;

/**
 * The Kafka paths. Every run reads the same topic from the beginning with a consumer group of its
 * own; the data is in place before the receiving JVM starts, so the clock starts at the receiver's
 * start mark (consumer created, or streaming context about to start).
 */
final class KafkaPaths {
  static final MeasuredPath RAW =
      path(
          "kafka-raw-consumer",
          "Kafka: raw KafkaConsumer poll loop (ceiling)",
          null,
          List.of(),
          new RawConsumer());
  static final MeasuredPath SPARK_DIRECT =
      path(
          "kafka-spark-direct",
          "Kafka: Spark's official direct stream (KafkaUtils.createDirectStream)",
          null,
          List.of(),
          new SparkDirect());
  static final MeasuredPath SPARKING_DIRECT =
      path(
          "kafka-sparking-direct",
          "Kafka: Sparking direct stream (SparkingKafka.directStream.foreachBatch)",
          SPARK_DIRECT,
          List.of(new Goal.RateAtLeast(1.0)),
          new SparkingDirect());
  static final MeasuredPath RECEIVER =
      path(
          "kafka-receiver",
          "Kafka: Sparking reliable receiver, WAL off",
          null,
          List.of(),
          new Receiver(false));
  static final MeasuredPath RECEIVER_WAL =
      path(
          "kafka-receiver-wal",
          "Kafka: Sparking reliable receiver, WAL on",
          SPARK_DIRECT,
          List.of(new Goal.CpuPerRecordAtMost(1.5), new Goal.RateAtLeast(0.6)),
          new Receiver(true));
  static final MeasuredPath STRUCTURED =
      path(
          "kafka-structured",
          "Kafka: Spark Structured Streaming Kafka source",
          null,
          List.of(),
          new Structured());

  private KafkaPaths() {}

  private static MeasuredPath path(
      String id, String label, MeasuredPath reference, List<Goal> goals, KafkaPath halves) {
    return new MeasuredPath(
        "kafka", id, label, reference == null ? null : reference.id(), goals, halves);
  }

  static List<MeasuredPath> all() {
    return List.of(RAW, SPARK_DIRECT, SPARKING_DIRECT, RECEIVER, RECEIVER_WAL, STRUCTURED);
  }

  /**
   * Latency at a steady offered rate: our direct stream and our reliable receiver with its
   * write-ahead log.
   */
  static List<MeasuredPath> latency() {
    return List.of(SPARKING_DIRECT, RECEIVER_WAL);
  }

  /**
   * Heap under overload: the reliable receiver with its write-ahead log, limited by maxRate and
   * backpressure.
   */
  static List<MeasuredPath> overload() {
    return List.of(RECEIVER_WAL);
  }

  /**
   * Throughput over receivers (reliable receiver, WAL off, unioned) and over partitions (our direct
   * stream).
   */
  static List<Sections.Scaling> scaling() {
    return List.of(
        new Sections.Scaling(RECEIVER, Sections.Scaling.RECEIVERS),
        new Sections.Scaling(SPARKING_DIRECT, Sections.Scaling.PARTITIONS));
  }

  /**
   * Consumer settings every Kafka path shares: bytes in, from the earliest offset, no automatic
   * commits.
   */
  static Map<String, Object> consumerConfig(KafkaSource source) {
    return Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
        source.bootstrap(),
        ConsumerConfig.GROUP_ID_CONFIG,
        source.group(),
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
        "earliest",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
        false,
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
        ByteArrayDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
        ByteArrayDeserializer.class);
  }

  /**
   * The setup every Kafka path shares: the broker's address, the topic, and a fresh consumer group.
   */
  private abstract static class KafkaPath implements MeasuredPath.Halves {
    @Override
    public RunSetup prepare(String pathId, BenchEnvironment env, BenchConfig config, int run) {
      Variant variant = config.variant();
      String bootstrap = env.kafka().bootstrapServers();
      String topic =
          variant.paced()
              ? env.freshTopic(variant.partitions())
              : env.backlog(variant.partitions(), config.records());
      KafkaSource source =
          new KafkaSource(
              bootstrap,
              topic,
              variant.partitions(),
              "bench-" + pathId + "-" + run + "-" + System.nanoTime());
      if (!variant.paced()) {
        return RunSetup.of(source);
      }
      KafkaFeeder feeder =
          new KafkaFeeder(
              bootstrap,
              topic,
              variant.partitions(),
              config.records(),
              variant.offeredRate(),
              config.size());
      return new RunSetup() {
        @Override
        public ReceiverRun.Source source() {
          return source;
        }

        @Override
        public Feeder feeder() {
          return feeder;
        }
      };
    }
  }

  /**
   * The ceiling: one {@link KafkaConsumer} polling all four partitions and touching every value.
   */
  private static final class RawConsumer extends KafkaPath {
    @Override
    public void receive(ReceiverRun run) {
      KafkaSource source = run.kafka();
      long deadline = System.nanoTime() + run.target().timeout().toNanos();
      try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(source))) {
        Progress.ready();
        consumer.subscribe(List.of(source.topic()));
        while (!Progress.isDone() && System.nanoTime() - deadline < 0) {
          long n = 0;
          long bytes = 0;
          long pollStart = System.currentTimeMillis();
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
            byte[] value = r.value();
            Progress.received(value);
            bytes += value.length;
            n++;
          }
          Progress.report(n, bytes, pollStart, System.currentTimeMillis());
        }
      }
    }
  }

  /** Spark's official kafka-0-10 direct stream, counted in {@code foreachRDD}. */
  private static final class SparkDirect extends KafkaPath {
    @Override
    public void receive(ReceiverRun run) throws Exception {
      KafkaSource source = run.kafka();
      SparkCount.run(
          run,
          false,
          0,
          jssc ->
              KafkaUtils.createDirectStream(
                      jssc,
                      LocationStrategies.PreferConsistent(),
                      ConsumerStrategies.<byte[], byte[]>Subscribe(
                          List.of(source.topic()), consumerConfig(source)))
                  // Counting the mapped records, not the KafkaRDD itself: KafkaRDD.count() answers
                  // from offsets alone.
                  .foreachRDD(rdd -> SparkCount.countPayloads(rdd, ConsumerRecord::value)));
    }
  }

  /**
   * Our direct stream, counting in {@code foreachBatch} (which commits each batch's offsets after
   * it).
   */
  private static final class SparkingDirect extends KafkaPath {
    @Override
    public void receive(ReceiverRun run) throws Exception {
      KafkaSettings settings = settings(run.kafka());
      SparkCount.run(
          run,
          false,
          0,
          jssc ->
              SparkingKafka.directStream(jssc, settings)
                  .foreachBatch(
                      (records, time) -> SparkCount.countPayloads(records, KafkaRecord::value)));
    }
  }

  /**
   * Our reliable receiver (one, with its default single consumer thread), the write-ahead log off
   * or on.
   */
  private static final class Receiver extends KafkaPath {
    private final boolean wal;

    Receiver(boolean wal) {
      this.wal = wal;
    }

    @Override
    public void receive(ReceiverRun run) throws Exception {
      KafkaSource source = run.kafka();
      int receivers = run.job().receivers();
      SparkCount.run(
          run,
          wal,
          0,
          jssc -> {
            JavaDStream<KafkaRecord> stream =
                receivers == 1
                    ? SparkingKafka.receiverStream(jssc, settings(source))
                    : SparkingKafka.receiverStreams(jssc, receiverShares(source, receivers));
            stream.foreachRDD(rdd -> SparkCount.countPayloads(rdd, KafkaRecord::value));
          });
    }
  }

  /**
   * Spark Structured Streaming's Kafka source, a processing-time query whose {@code foreachBatch}
   * reads every value of the batch.
   */
  private static final class Structured extends KafkaPath {
    @Override
    public void receive(ReceiverRun run) throws Exception {
      KafkaSource source = run.kafka();
      Path checkpoint = TempDirs.create("sparking-bench-structured-");
      SparkSession spark = SparkCount.structuredSession();
      try {
        Dataset<Row> rows =
            spark
                .readStream()
                .format("kafka")
                .option("kafka.bootstrap.servers", source.bootstrap())
                .option("subscribe", source.topic())
                .option("startingOffsets", "earliest")
                .option("kafka.group.id", source.group())
                .load();
        // Every payload read in the batch's tasks, as in the DStream paths, not a SQL count.
        VoidFunction2<Dataset<Row>, Long> countBatch =
            (batch, id) ->
                SparkCount.countPayloads(
                    batch.select(col("value")).as(Encoders.BINARY()).javaRDD(), value -> value);
        Progress.ready();
        StreamingQuery query =
            rows.writeStream()
                .trigger(Trigger.ProcessingTime(run.job().batchInterval().toMillis()))
                .option("checkpointLocation", checkpoint.toString())
                .foreachBatch(countBatch)
                .start();
        try {
          Progress.awaitDone(run.target().timeout());
        } finally {
          query.stop();
        }
      } finally {
        spark.stop();
        TempDirs.deleteRecursively(checkpoint);
      }
    }
  }

  /** One receiver's settings per share of the topic's partitions, assigned round-robin. */
  private static List<KafkaSettings> receiverShares(KafkaSource source, int receivers) {
    List<KafkaSettings> shares = new java.util.ArrayList<>();
    for (int r = 0; r < receivers; r++) {
      List<TopicPartition> share = new java.util.ArrayList<>();
      for (int p = r; p < source.partitions(); p += receivers) {
        share.add(new TopicPartition(source.topic(), p));
      }
      shares.add(
          KafkaSettings.builder(source.bootstrap(), source.group()).partitions(share).build());
    }
    return shares;
  }

  private static KafkaSettings settings(KafkaSource source) {
    return KafkaSettings.builder(source.bootstrap(), source.group()).topics(source.topic()).build();
  }
}
