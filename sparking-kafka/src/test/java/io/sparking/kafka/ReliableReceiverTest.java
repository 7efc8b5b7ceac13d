package io.sparking.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.codahale.metrics.MetricRegistry;
import io.sparking.runtime.KafkaBroker;
import io.sparking.runtime.LocalStreaming;
import io.sparking.testkit.KafkaBrokerExtension;
import io.sparking.testkit.OutputCollector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.spark.SparkEnv;
import org.apache.spark.metrics.source.Source;
import org.apache.spark.streaming.api.java.JavaReceiverInputDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import scala.collection.JavaConverters;

class ReliableReceiverTest {
  private static final Duration WAIT = Duration.ofSeconds(120);
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  @TempDir Path checkpoint;

  /**
   * With Spark's default Java serializer and with Kryo, which many jobs set (and which blocks then
   * go through).
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "org.apache.spark.serializer.JavaSerializer",
        "org.apache.spark.serializer.KryoSerializer"
      })
  void receivesEveryProducedRecordExactlyOnceWithTheWriteAheadLog(String serializer) {
    String topic = "exact-" + serializer.substring(serializer.lastIndexOf('.') + 1);
    KAFKA.broker().createTopic(topic, 4);
    List<String> sent = KafkaBroker.numbered(topic, 0, 20_000);
    KAFKA.broker().produce(topic, sent);

    OutputCollector<String> out = OutputCollector.create();
    try (LocalStreaming spark =
        LocalStreaming.builder(checkpoint)
            .writeAheadLog(true)
            .set("spark.serializer", serializer)
            .start()) {
      KafkaSettings settings =
          KafkaSettings.builder(KAFKA.broker().bootstrapServers(), topic + "-group")
              .topics(topic)
              .threadsPerReceiver(2)
              .build();
      collectValues(SparkingKafka.receiverStream(spark.context(), settings), out);
      java.util.concurrent.atomic.AtomicLong inputSize =
          new java.util.concurrent.atomic.AtomicLong();
      spark
          .context()
          .addStreamingListener(
              new org.apache.spark.streaming.scheduler.StreamingListener() {
                @Override
                public void onBatchCompleted(
                    org.apache.spark.streaming.scheduler.StreamingListenerBatchCompleted batch) {
                  inputSize.addAndGet(batch.batchInfo().numRecords());
                }
              });
      spark.context().start();

      await().atMost(WAIT).until(() -> out.size() >= sent.size());
      // Blocks hold packs of records; Spark's UI, listeners and rate estimator must still see
      // records.
      await().atMost(WAIT).until(() -> inputSize.get() >= sent.size());
      assertThat(inputSize.get()).as("the batches' input size, in records").isEqualTo(sent.size());
    }
    assertThat(out.values()).hasSize(sent.size()).containsExactlyInAnyOrderElementsOf(sent);
    assertThat(walFiles()).as("receiver write-ahead log files").isNotEmpty();
  }

  @Test
  void gracefulStopThenRestartFromTheCheckpointLosesNothing() {
    KAFKA.broker().createTopic("restart", 3);
    List<String> first = KafkaBroker.numbered("restart", 0, 30_000);
    List<String> second = KafkaBroker.numbered("restart", 30_000, 20_000);
    KAFKA.broker().produce("restart", first);
    OutputCollector<String> out = OutputCollector.create();
    LocalStreaming.Builder builder = throttledWithWriteAheadLog();
    Consumer<JavaStreamingContext> define = collectingReceiverOn("restart", out);

    try (LocalStreaming spark = builder.getOrCreate(define)) {
      spark.context().start();
      // Stop mid-stream, gracefully: what is stored is committed; Spark 3.5 closes the WAL before
      // it assigns the last blocks to a batch, so those wait in the log for the next start from
      // the same checkpoint.
      await().atMost(WAIT).until(() -> out.size() >= 5_000);
      spark.stop(true);
    }
    int firstRun = out.size();
    assertThat(firstRun).isLessThan(first.size());
    KAFKA.broker().produce("restart", second);

    Set<String> expected = new HashSet<>(first);
    expected.addAll(second);
    try (LocalStreaming spark = builder.getOrCreate(define)) {
      spark.context().start();
      await().atMost(WAIT).until(() -> new HashSet<>(out.values()).containsAll(expected));
    }
    Set<String> distinct = new HashSet<>(out.values());
    Set<String> lost = new HashSet<>(expected);
    lost.removeAll(distinct);
    System.out.printf(
        "restart: sent=%d first-run=%d distinct=%d lost=%d duplicates=%d%n",
        expected.size(), firstRun, distinct.size(), lost.size(), out.size() - distinct.size());
    // A graceful stop commits exactly what it stored and processed: exactly once across it.
    assertThat(out.values()).containsExactlyInAnyOrderElementsOf(expected);
  }

  /**
   * An abrupt stop leaves blocks that were stored (and committed) but not processed only in the
   * write-ahead log. The recovered context runs again the batches of the time it was down (and
   * those it had pending), timed before the restart, with the blocks it reads back from the log:
   * records in such batches are the proof that the log was replayed, since the new receiver's
   * records go to batches timed after the restart.
   */
  @ParameterizedTest(name = "first run stores records packed: {0}")
  @ValueSource(booleans = {true, false})
  void recoveryFromTheCheckpointReplaysTheWriteAheadLogAfterAnAbruptStop(boolean packedAtFirst) {
    // false: the first run stores one object per record, as releases before packing did, and the
    // restarted (packing) run must read that log.
    String topic = packedAtFirst ? "recover" : "recover-unpacked";
    KAFKA.broker().createTopic(topic, 3);
    List<String> sent = KafkaBroker.numbered(topic, 0, 40_000);
    KAFKA.broker().produce(topic, sent);
    // Each record as "<batch time ms> <value>".
    OutputCollector<String> out = OutputCollector.create();
    LocalStreaming.Builder builder = throttledWithWriteAheadLog();
    Consumer<JavaStreamingContext> define = timedCollectingReceiverOn(topic, out);

    abruptStopWithBlocksOnlyInTheLog(builder, define, out, topic + "-group", packedAtFirst);
    // The first run's log holds its blocks in the form it was asked for.
    String logged = walText();
    assertThat(logged.contains(io.sparking.core.spi.PackedRecords.class.getName()))
        .as("the first run's log holds packs")
        .isEqualTo(packedAtFirst);
    assertThat(logged.contains(KafkaRecord.class.getName()))
        .as("the first run's log holds KafkaRecord objects")
        .isEqualTo(!packedAtFirst);
    int firstRun = out.size();
    long restartedAt = System.currentTimeMillis();
    try (LocalStreaming spark = builder.getOrCreate(define)) {
      spark.context().start();
      await().atMost(WAIT).until(() -> values(out.values()).size() >= sent.size());
    }
    List<String> rows = out.values();
    List<String> replayed =
        rows.subList(firstRun, rows.size()).stream()
            .filter(row -> Long.parseLong(row.substring(0, row.indexOf(' '))) < restartedAt)
            .toList();
    Set<String> distinct = values(rows);
    Set<String> lost = new HashSet<>(sent);
    lost.removeAll(distinct);
    Map<String, Integer> times = new HashMap<>();
    rows.forEach(row -> times.merge(row.substring(row.indexOf(' ') + 1), 1, Integer::sum));
    Set<String> firstRunValues = values(rows.subList(0, firstRun));
    System.out.printf(
        "recover (first run packed: %s): sent=%d first-run=%d replayed-from-log=%d distinct=%d"
            + " lost=%d duplicates=%d%n",
        packedAtFirst,
        sent.size(),
        firstRun,
        replayed.size(),
        distinct.size(),
        lost.size(),
        rows.size() - distinct.size());
    assertThat(distinct).containsExactlyInAnyOrderElementsOf(sent);
    // At least once across an abrupt stop, and no more: only what the first run output (a batch it
    // ran but did not checkpoint as done, or stored records whose offsets it had not committed yet)
    // comes again, and at most once again.
    times.forEach(
        (value, n) -> {
          assertThat(n).as("times %s came out", value).isLessThanOrEqualTo(2);
          if (n == 2) {
            assertThat(firstRunValues).as("a duplicate the first run output").contains(value);
          }
        });
    assertThat(replayed)
        .as(
            "records the restarted run processed in batches timed before it started, %d ms:"
                + " recovered from the write-ahead log",
            restartedAt)
        .isNotEmpty();
    assertThat(values(replayed)).as("replayed records are records sent").isSubsetOf(sent);
  }

  /**
   * A log whose blocks name a record class in a form this release does not have (here KafkaRecord's
   * serialized form with another serialVersionUID, as a release that changed it would have written)
   * is refused: the batch fails with one line saying what to do, rather than with a bare
   * deserialization error or by running without the block.
   */
  @Test
  void aLogWrittenInAFormThisReleaseCannotReadIsRefusedWithOneLineSayingWhatToDo()
      throws Exception {
    String topic = "recover-foreign";
    KAFKA.broker().createTopic(topic, 3);
    KAFKA.broker().produce(topic, KafkaBroker.numbered(topic, 0, 20_000));
    OutputCollector<String> out = OutputCollector.create();
    LocalStreaming.Builder builder = throttledWithWriteAheadLog();
    Consumer<JavaStreamingContext> define = timedCollectingReceiverOn(topic, out);
    abruptStopWithBlocksOnlyInTheLog(builder, define, out, topic + "-group", false);
    int changed = changeSerialVersionUid("io.sparking.kafka.KafkaRecord$SerializedForm");
    assertThat(changed).as("class descriptors changed in the log").isPositive();

    List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (LocalStreaming spark = builder.getOrCreate(define)) {
      spark
          .context()
          .addStreamingListener(
              new org.apache.spark.streaming.scheduler.StreamingListener() {
                @Override
                public void onOutputOperationCompleted(
                    org.apache.spark.streaming.scheduler.StreamingListenerOutputOperationCompleted
                        done) {
                  if (done.outputOperationInfo().failureReason().isDefined()) {
                    failures.add(done.outputOperationInfo().failureReason().get());
                  }
                }
              });
      spark.context().start();
      await().atMost(WAIT).until(() -> !failures.isEmpty());
    }
    String reason = failures.get(0);
    String line =
        reason
            .lines()
            .filter(l -> l.contains(io.sparking.core.UnreadableBlockException.class.getName()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no UnreadableBlockException in: " + reason));
    System.out.println("refused: " + line);
    assertThat(line)
        .contains("cannot read block input-")
        .contains("local class incompatible")
        .contains("run the release that wrote this checkpoint until a graceful stop")
        .contains("new checkpoint directory");
  }

  /**
   * Defines, for getOrCreate, a reliable receiver on {@code topic} (group {@code <topic>-group})
   * collecting each record as {@code "<batch time ms> <value>"}. While {@link
   * #holdBatchesAfterFirst5000} is set, batches stop completing once 5,000 records are out, so that
   * the receiver stores (and commits) ahead of what is processed.
   */
  private static Consumer<JavaStreamingContext> timedCollectingReceiverOn(
      String topic, OutputCollector<String> out) {
    KafkaSettings settings =
        KafkaSettings.builder(KAFKA.broker().bootstrapServers(), topic + "-group")
            .topics(topic)
            .build();
    return jssc ->
        SparkingKafka.receiverStream(jssc, settings)
            .foreachRDD(
                (rdd, time) -> {
                  while (holdBatchesAfterFirst5000 && out.size() >= 5_000) {
                    Thread.sleep(20);
                  }
                  long batch = time.milliseconds();
                  out.addAll(rdd.map(r -> batch + " " + r.valueAsString()).collect());
                });
  }

  /**
   * Runs {@code define} from the checkpoint until the group committed 2,000 records more than the
   * batches processed, then stops abruptly: the stored, committed, unprocessed blocks are then only
   * in the write-ahead log. {@code packed} false stores them one record each, as releases before
   * packing did.
   */
  private void abruptStopWithBlocksOnlyInTheLog(
      LocalStreaming.Builder builder,
      Consumer<JavaStreamingContext> define,
      OutputCollector<String> out,
      String group,
      boolean packed) {
    holdBatchesAfterFirst5000 = true;
    if (!packed) {
      System.setProperty(io.sparking.core.spi.DrainableReceiver.PACK_RECORDS, "false");
    }
    try (LocalStreaming spark = builder.getOrCreate(define)) {
      spark.context().start();
      await().atMost(WAIT).until(() -> out.size() >= 5_000);
      // Stored and committed (so written ahead) well beyond what was processed: without the log,
      // those records would be lost, as Kafka will not serve them to the group again.
      await().atMost(WAIT).until(() -> committed(group) >= out.size() + 2_000);
      // Abrupt: blocks that are stored and committed but not yet processed live only in the
      // write-ahead log.
    } finally {
      holdBatchesAfterFirst5000 = false;
      System.clearProperty(io.sparking.core.spi.DrainableReceiver.PACK_RECORDS);
    }
  }

  /**
   * Gives {@code className} another serialVersionUID in every Java class descriptor in the
   * receivers' log files (the name's bytes are followed by the 8-byte id); returns how many.
   */
  private int changeSerialVersionUid(String className) throws java.io.IOException {
    byte[] name = className.getBytes(StandardCharsets.UTF_8);
    int changed = 0;
    for (Path file : walFiles()) {
      byte[] bytes = java.nio.file.Files.readAllBytes(file);
      for (int i = 0; i + name.length + 8 <= bytes.length; i++) {
        if (java.util.Arrays.equals(bytes, i, i + name.length, name, 0, name.length)) {
          bytes[i + name.length + 7] ^= 0x40;
          changed++;
        }
      }
      java.nio.file.Files.write(file, bytes);
    }
    return changed;
  }

  /** Read by the recovery test's batches on the driver (a static, so no checkpoint holds it). */
  private static volatile boolean holdBatchesAfterFirst5000;

  /** How many records consumer group {@code group} has committed, over all partitions. */
  private static long committed(String group) {
    return KAFKA.broker().committedOffsets(group).values().stream()
        .mapToLong(Long::longValue)
        .sum();
  }

  /** The distinct values of {@code "<batch time> <value>"} rows. */
  private static Set<String> values(List<String> rows) {
    Set<String> values = new HashSet<>();
    for (String row : rows) {
      values.add(row.substring(row.indexOf(' ') + 1));
    }
    return values;
  }

  @Test
  void committedOffsetsNeverRunAheadOfStoredRecords() throws Exception {
    KAFKA.broker().createTopic("ordering", 2);
    List<String> sent = KafkaBroker.numbered("ordering", 0, 12_000);
    KAFKA.broker().produce("ordering", sent);
    Duration batch = Duration.ofMillis(500);

    // Each output record with its batch time; a record is stored before the batch that holds it is
    // generated.
    OutputCollector<String> out = OutputCollector.create();
    List<long[]> observations = new ArrayList<>();
    Map<Long, Map<TopicPartition, Long>> committedAt = new HashMap<>();
    try (LocalStreaming spark =
            LocalStreaming.builder(checkpoint)
                .batchInterval(batch)
                .writeAheadLog(true)
                // Throttled, so records wait in the receiver long after they are polled: a receiver
                // that committed on
                // poll would be caught ahead of storage.
                .set("spark.streaming.receiver.maxRate", "3000")
                .start();
        Admin admin = KAFKA.broker().admin()) {
      KafkaSettings settings =
          KafkaSettings.builder(KAFKA.broker().bootstrapServers(), "ordering-group")
              .topics("ordering")
              .build();
      SparkingKafka.receiverStream(spark.context(), settings)
          .foreachRDD(
              (rdd, time) -> {
                List<String> rows =
                    rdd.map(r -> r.partition() + ":" + r.offset() + ":" + time.milliseconds())
                        .collect();
                out.addAll(rows);
              });
      spark.context().start();
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (out.size() < sent.size() && System.nanoTime() < deadline) {
        long now = System.currentTimeMillis();
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin
                .listConsumerGroupOffsets("ordering-group")
                .partitionsToOffsetAndMetadata()
                .get(10, TimeUnit.SECONDS);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        committed.forEach((tp, om) -> offsets.put(tp, om.offset()));
        committedAt.put(now, offsets);
        observations.add(new long[] {now});
        TimeUnit.MILLISECONDS.sleep(100);
      }
      await().atMost(WAIT).until(() -> out.size() >= sent.size());
    }

    // partition -> offset -> batch time
    Map<Integer, Map<Long, Long>> batchOf = new HashMap<>();
    for (String row : out.values()) {
      String[] f = row.split(":");
      batchOf
          .computeIfAbsent(Integer.parseInt(f[0]), k -> new HashMap<>())
          .put(Long.parseLong(f[1]), Long.parseLong(f[2]));
    }
    int checked = 0;
    for (Map.Entry<Long, Map<TopicPartition, Long>> observation : committedAt.entrySet()) {
      long seenAt = observation.getKey();
      for (Map.Entry<TopicPartition, Long> e : observation.getValue().entrySet()) {
        Map<Long, Long> partition = batchOf.getOrDefault(e.getKey().partition(), Map.of());
        for (long offset = 0; offset < e.getValue(); offset++) {
          Long batchTime = partition.get(offset);
          assertThat(batchTime)
              .as("offset %d of %s committed at %d was never output", offset, e.getKey(), seenAt)
              .isNotNull();
          // Committed at seenAt means stored before seenAt, so it falls in a batch generated by
          // seenAt + 2 batches.
          assertThat(batchTime)
              .as(
                  "offset %d of %s committed at %d but output in batch %d",
                  offset, e.getKey(), seenAt, batchTime)
              .isLessThanOrEqualTo(seenAt + 2 * batch.toMillis());
          checked++;
        }
      }
    }
    assertThat(checked).as("committed offsets observed while the stream ran").isGreaterThan(1_000);
    assertThat(observations).hasSizeGreaterThan(5);
  }

  @Test
  void unreachableBrokersAreReportedWithAClearErrorWithinBoundedTime() throws Exception {
    int nothingListens = io.sparking.runtime.FreePorts.next();
    KafkaSettings settings =
        KafkaSettings.builder("127.0.0.1:" + nothingListens, "nowhere-group")
            .topics("t")
            .consumerProperty("default.api.timeout.ms", 3000)
            .build();
    java.util.concurrent.BlockingQueue<String> errors =
        new java.util.concurrent.LinkedBlockingQueue<>();
    try (LocalStreaming spark = LocalStreaming.builder(checkpoint).start()) {
      spark
          .context()
          .addStreamingListener(
              new org.apache.spark.streaming.scheduler.StreamingListener() {
                @Override
                public void onReceiverError(
                    org.apache.spark.streaming.scheduler.StreamingListenerReceiverError error) {
                  errors.add(error.receiverInfo().lastErrorMessage());
                }
              });
      SparkingKafka.receiverStream(spark.context(), settings).foreachRDD(rdd -> rdd.count());
      spark.context().start();
      String message = errors.poll(60, TimeUnit.SECONDS);
      assertThat(message)
          .isNotNull()
          .contains("no Kafka broker at 127.0.0.1:" + nothingListens + " answered within 3000 ms")
          .contains("check the address");
    }
  }

  @Test
  void maxRateLimitsWhatEachBatchHoldsWhateverTheConsumerThreads() {
    KAFKA.broker().createTopic("throttled", 2);
    List<String> sent = KafkaBroker.numbered("throttled", 0, 6_000);
    KAFKA.broker().produce("throttled", sent);
    int maxRate = 1_000;
    OutputCollector<Long> perBatch = OutputCollector.create();
    OutputCollector<String> out = OutputCollector.create();
    try (LocalStreaming spark =
        LocalStreaming.builder(checkpoint)
            .batchInterval(Duration.ofSeconds(1))
            .set("spark.streaming.receiver.maxRate", String.valueOf(maxRate))
            .start()) {
      KafkaSettings settings =
          KafkaSettings.builder(KAFKA.broker().bootstrapServers(), "throttled-group")
              // The limit is the receiver's, shared by its consumer threads: one partition each,
              // assigned, so that no group rebalance re-reads records in flight.
              .partitions(
                  List.of(
                      new org.apache.kafka.common.TopicPartition("throttled", 0),
                      new org.apache.kafka.common.TopicPartition("throttled", 1)))
              .threadsPerReceiver(2)
              .build();
      SparkingKafka.receiverStream(spark.context(), settings)
          .foreachRDD(
              rdd -> {
                List<String> values = rdd.map(KafkaRecord::valueAsString).collect();
                perBatch.addAll(List.of((long) values.size()));
                out.addAll(values);
              });
      spark.context().start();
      await().atMost(WAIT).until(() -> out.size() >= sent.size());
    }
    assertThat(out.values()).containsExactlyInAnyOrderElementsOf(sent);
    // Unthrottled, the 6,000 waiting records would land in one or two batches. A batch may hold a
    // little more than
    // one second's worth, since blocks are cut every 100 ms and batches and blocks are not aligned.
    assertThat(perBatch.values())
        .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(maxRate * 3 / 2));
    assertThat(perBatch.values().stream().filter(n -> n > 0).count()).isGreaterThanOrEqualTo(5);
  }

  /**
   * A consumer joins the receiver's group mid-stream, takes partitions for a while and leaves: two
   * rebalances while the receiver's two threads hold records they polled but Spark has not stored
   * yet. Each revoked partition's records are stored and committed before it moves, so between the
   * receiver and the other consumer (which commits what it read after each poll) every id comes out
   * exactly once.
   */
  @Test
  void aConsumerJoiningAndLeavingTheGroupMidStreamMakesNothingReadTwice() throws Exception {
    KAFKA.broker().createTopic("rebalance", 4);
    List<String> sent = KafkaBroker.numbered("rebalance", 0, 20_000);
    KAFKA.broker().produce("rebalance", sent);
    OutputCollector<String> out = OutputCollector.create();
    List<String> takenByTheOther = new ArrayList<>();
    try (LocalStreaming spark =
        LocalStreaming.builder(checkpoint)
            .writeAheadLog(true)
            .set("spark.streaming.receiver.maxRate", "1000")
            .start()) {
      KafkaSettings settings =
          KafkaSettings.builder(KAFKA.broker().bootstrapServers(), "rebalance-group")
              .topics("rebalance")
              .threadsPerReceiver(2)
              .build();
      collectValues(SparkingKafka.receiverStream(spark.context(), settings), out);
      spark.context().start();
      await().atMost(WAIT).until(() -> out.size() >= 1_000);

      java.util.Map<String, Object> config = new HashMap<>(settings.consumerConfig());
      config.put("client.id", "the-other");
      config.put(
          "partition.assignment.strategy",
          org.apache.kafka.clients.consumer.CooperativeStickyAssignor.class.getName());
      try (var other =
          new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(config)) {
        other.subscribe(List.of("rebalance"));
        // Joining takes a rebalance or two; it then reads for a few seconds. All on this thread,
        // as a KafkaConsumer wants.
        long joinDeadline = System.nanoTime() + WAIT.toNanos();
        long leaveAt = Long.MAX_VALUE;
        while (System.nanoTime() < leaveAt) {
          assertThat(System.nanoTime() < joinDeadline)
              .as("the other consumer got partitions within %s", WAIT)
              .isTrue();
          var records = other.poll(Duration.ofMillis(200));
          records.forEach(r -> takenByTheOther.add(new String(r.value(), StandardCharsets.UTF_8)));
          if (!records.isEmpty()) {
            other.commitSync();
          }
          if (leaveAt == Long.MAX_VALUE && !other.assignment().isEmpty()) {
            leaveAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
          }
        }
      }
      int atLeave = out.size();
      await()
          .atMost(WAIT)
          .until(() -> out.size() + takenByTheOther.size() >= sent.size() && out.size() > atLeave);
    }
    List<String> all = new ArrayList<>(out.values());
    all.addAll(takenByTheOther);
    long duplicates = all.size() - new HashSet<>(all).size();
    System.out.printf(
        "rebalance: sent=%d by_receiver=%d by_the_other=%d duplicates=%d%n",
        sent.size(), out.size(), takenByTheOther.size(), duplicates);
    // The other consumer did take partitions (the rebalances happened), and the receiver read on
    // after it left.
    assertThat(takenByTheOther).isNotEmpty();
    assertThat(all).containsExactlyInAnyOrderElementsOf(sent);
  }

  @Test
  void missingTopicIsReadOnceItIsCreated() {
    KafkaSettings settings =
        KafkaSettings.builder(KAFKA.broker().bootstrapServers(), "late-group")
            .topics("late")
            .build();
    OutputCollector<String> out = OutputCollector.create();
    try (LocalStreaming spark = LocalStreaming.builder(checkpoint).start()) {
      collectValues(SparkingKafka.receiverStream(spark.context(), settings), out);
      spark.context().start();
      KAFKA.broker().createTopic("late", 2);
      List<String> sent = KafkaBroker.numbered("late", 0, 1_000);
      KAFKA.broker().produce("late", sent);
      await().atMost(WAIT).until(() -> out.size() >= sent.size());
      assertThat(out.values()).containsExactlyInAnyOrderElementsOf(sent);
    }
  }

  @Test
  void countsStoredRecordsAndBytesAndReportsLagUntilEverythingIsCommitted(@TempDir Path csv)
      throws Exception {
    int count = 3_000;
    KAFKA.broker().createTopic("metered", 2);
    long bytes = 0;
    try (KafkaProducer<String, String> producer = KAFKA.broker().producer()) {
      for (int i = 0; i < count; i++) {
        String key = "k" + i;
        String value = "value-" + i;
        bytes +=
            key.getBytes(StandardCharsets.UTF_8).length
                + value.getBytes(StandardCharsets.UTF_8).length;
        producer.send(new ProducerRecord<>("metered", key, value));
      }
      producer.flush();
    }

    OutputCollector<String> out = OutputCollector.create();
    // Throttled to 500 records/s, so the group is behind for several seconds: the lag must show it.
    // Spark's CSV sink, configured as docs/metrics.md says, writes the receiver's metrics too.
    try (LocalStreaming spark =
        LocalStreaming.builder(checkpoint)
            .writeAheadLog(true)
            .set("spark.streaming.receiver.maxRate", "500")
            .set("spark.metrics.conf.*.sink.csv.class", "org.apache.spark.metrics.sink.CsvSink")
            .set("spark.metrics.conf.*.sink.csv.directory", csv.toString())
            .set("spark.metrics.conf.*.sink.csv.period", "1")
            .start()) {
      KafkaSettings settings =
          KafkaSettings.builder(KAFKA.broker().bootstrapServers(), "metered-group")
              .topics("metered")
              .build();
      JavaReceiverInputDStream<KafkaRecord> stream =
          SparkingKafka.receiverStream(spark.context(), settings);
      stream.foreachRDD(rdd -> out.addAll(rdd.map(KafkaRecord::valueAsString).collect()));
      int streamId = stream.inputDStream().id();
      assertThat(stream.inputDStream().name())
          .isEqualTo("kafka[metered]@metered-group#" + streamId);
      spark.context().start();

      await().atMost(WAIT).until(() -> registry(streamId) != null);
      MetricRegistry metrics = registry(streamId);
      await().atMost(WAIT).until(() -> lag(metrics) > 0 && out.size() < count);

      await().atMost(WAIT).until(() -> out.size() >= count);
      // Offsets are committed after the store and the lag is sampled every few seconds: it reaches
      // 0 in time.
      await().atMost(WAIT).until(() -> lag(metrics) == 0);
      assertThat(metrics.getMeters().get("records").getCount()).isEqualTo(count);
      assertThat(metrics.getMeters().get("bytes").getCount()).isEqualTo(bytes);
      assertThat(metrics.getMeters().get("blocks").getCount()).isPositive();
      assertThat(out.size()).isEqualTo(count);
      await()
          .atMost(WAIT)
          .until(() -> csvCount(csv, "sparking.receiver." + streamId + ".records") == count);
    }
  }

  /** The count in the last line a CSV sink wrote for {@code metric}, or -1 while there is none. */
  private static long csvCount(Path dir, String metric) throws java.io.IOException {
    try (var files = java.nio.file.Files.list(dir)) {
      Path file =
          files
              .filter(f -> f.getFileName().toString().endsWith("." + metric + ".csv"))
              .findFirst()
              .orElse(null);
      if (file == null) {
        return -1;
      }
      List<String> lines = java.nio.file.Files.readAllLines(file);
      String last = lines.get(lines.size() - 1);
      // Meters are written as t,count,mean_rate,...
      return last.startsWith("t,") ? -1 : Long.parseLong(last.split(",")[1]);
    }
  }

  /**
   * The registry of receiver {@code streamId}'s source in this JVM's metrics system (local mode),
   * or null.
   */
  @SuppressWarnings("deprecation") // JavaConverters: the converter of Scala 2.12 and 2.13 alike
  private static MetricRegistry registry(int streamId) {
    List<Source> sources =
        JavaConverters.seqAsJavaList(
            SparkEnv.get().metricsSystem().getSourcesByName("sparking.receiver." + streamId));
    return sources.isEmpty() ? null : sources.get(0).metricRegistry();
  }

  private static long lag(MetricRegistry metrics) {
    return (Long) metrics.getGauges().get("kafka.lag").getValue();
  }

  private LocalStreaming.Builder throttledWithWriteAheadLog() {
    return LocalStreaming.builder(checkpoint)
        .writeAheadLog(true)
        .set("spark.streaming.receiver.maxRate", "20000");
  }

  /**
   * Defines, for getOrCreate, a reliable receiver on {@code topic} (group {@code <topic>-group})
   * collecting values.
   */
  private static Consumer<JavaStreamingContext> collectingReceiverOn(
      String topic, OutputCollector<String> out) {
    KafkaSettings settings =
        KafkaSettings.builder(KAFKA.broker().bootstrapServers(), topic + "-group")
            .topics(topic)
            .build();
    return jssc -> collectValues(SparkingKafka.receiverStream(jssc, settings), out);
  }

  private static void collectValues(
      org.apache.spark.streaming.api.java.JavaDStream<KafkaRecord> stream,
      OutputCollector<String> out) {
    stream.foreachRDD(rdd -> out.addAll(rdd.map(KafkaRecord::valueAsString).collect()));
  }

  /** The receivers' write-ahead log files, as ISO-8859-1 text (class names are ASCII in it). */
  private String walText() {
    StringBuilder text = new StringBuilder();
    for (Path file : walFiles()) {
      try {
        text.append(
            new String(java.nio.file.Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return text.toString();
  }

  private List<Path> walFiles() {
    try (var files = java.nio.file.Files.walk(checkpoint)) {
      return files
          .filter(p -> p.toString().contains("receivedData"))
          .filter(java.nio.file.Files::isRegularFile)
          .toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
