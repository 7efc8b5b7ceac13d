package io.sparking.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparking.runtime.KafkaBroker;
import io.sparking.runtime.LocalStreaming;
import io.sparking.testkit.FailingWriteAheadLog;
import io.sparking.testkit.KafkaBrokerExtension;
import io.sparking.testkit.OutputCollector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.spark.streaming.scheduler.StreamingListener;
import org.apache.spark.streaming.scheduler.StreamingListenerBatchStarted;
import org.apache.spark.streaming.scheduler.StreamingListenerReceiverError;
import org.apache.spark.streaming.scheduler.StreamingListenerReceiverStarted;
import org.apache.spark.streaming.scheduler.StreamingListenerReceiverStopped;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver that fails mid-stream is restarted by Spark and loses nothing: the failure is real (a
 * write-ahead-log write that fails inside Spark's block store, plugged in through {@link
 * FailingWriteAheadLog}), the receiver is the production one, and the output is counted by id.
 *
 * <p>Why the write-ahead log and not the Kafka consumer: a consumer plug-in cannot make {@code
 * poll} fail on demand (Kafka catches and logs exceptions of {@code interceptor.classes}, and
 * Sparking fixes the deserializers), while a failed block store is the failure that matters most
 * for loss: the records of that block were polled, their offsets must not be committed, and the
 * restarted receiver must read them again.
 */
@Tag("every-line")
class ReceiverRestartTest {
  /** 20,000 in every build; {@code -Pfaults} sends 200,000. */
  private static final int IDS = Integer.getInteger("sparking.faults.ids", 20_000);

  /** All ids in about 5 s, so the failed write comes about 1 s into the stream at any size. */
  private static final int RATE = Math.max(4_000, IDS / 5);

  private static final Duration WAIT = Duration.ofSeconds(Math.max(150, IDS / 500));
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  @TempDir Path checkpoint;
  @TempDir Path receiverLog;

  @Test
  void receiverWhoseBlockStoreFailsMidStreamIsRestartedAndLosesNothing() {
    KAFKA.broker().createTopic("store-fault", 3);
    List<String> sent = KafkaBroker.numbered("id", 0, IDS);
    KAFKA.broker().produce("store-fault", sent);
    FailingWriteAheadLog.reset();
    ReceiverEvents events = new ReceiverEvents();

    OutputCollector<String> out = OutputCollector.create();
    Map<TopicPartition, Long> committedBeforeFailure = new HashMap<>();
    // RATE records/s in blocks of 100 ms: all ids take about 5 s, and write 10 fails about 1 s into
    // the stream.
    try (LocalStreaming spark =
        LocalStreaming.builder(checkpoint)
            .writeAheadLog(true)
            .set("spark.streaming.receiver.maxRate", String.valueOf(RATE))
            .set(
                "spark.streaming.receiver.writeAheadLog.class",
                FailingWriteAheadLog.class.getName())
            .set(FailingWriteAheadLog.DIR_KEY, receiverLog.toString())
            .set(FailingWriteAheadLog.FAIL_AT_KEY, "10")
            .start()) {
      spark.context().addStreamingListener(events);
      KafkaSettings settings =
          KafkaSettings.builder(KAFKA.broker().bootstrapServers(), "store-fault-group")
              .topics("store-fault")
              .build();
      SparkingKafka.receiverStream(spark.context(), settings)
          .foreachRDD(rdd -> out.addAll(rdd.map(KafkaRecord::valueAsString).collect()));
      spark.context().start();

      // The group's committed offsets as last read wholly before the failed write. Commits only
      // move forward and none follows a failed store, so the restarted receiver reads again from
      // offsets at or after these.
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(20))
          .until(
              () -> {
                if (FailingWriteAheadLog.failures() > 0) {
                  return true;
                }
                Map<TopicPartition, Long> committed =
                    KAFKA.broker().committedOffsets("store-fault-group");
                if (FailingWriteAheadLog.failures() == 0) {
                  committedBeforeFailure.putAll(committed);
                }
                return false;
              });
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(250))
          .until(() -> out.values().stream().distinct().count() >= IDS);
    }

    Map<String, Integer> counts = new HashMap<>();
    out.values().forEach(id -> counts.merge(id, 1, Integer::sum));
    long lost = sent.stream().filter(id -> !counts.containsKey(id)).count();
    long duplicates = out.size() - counts.size();
    long committed = committedBeforeFailure.values().stream().mapToLong(Long::longValue).sum();
    System.out.println(
        "scenario=kafkaReceiverStoreFailure sent="
            + IDS
            + " distinct="
            + counts.size()
            + " lost="
            + lost
            + " duplicates="
            + duplicates
            + " receiver_starts="
            + events.started.get()
            + " wal_writes="
            + FailingWriteAheadLog.writes()
            + " committed_before_failure="
            + committed
            + " stored_in_batches="
            + events.records.get());

    assertThat(FailingWriteAheadLog.failures()).as("injected write failures").isEqualTo(1);
    assertThat(events.stopMessages)
        .as("receiver stops reported to the driver")
        .anySatisfy(m -> assertThat(m).contains("Could not store block"));
    assertThat(events.started.get())
        .as("receiver starts: the first, and Spark's restart")
        .isGreaterThanOrEqualTo(2);
    assertThat(counts.keySet()).as("only ids that were sent").isSubsetOf(sent);
    assertThat(lost).as("ids lost").isZero();
    // What the restarted receiver read again, stored before the failure but not committed, the
    // stream dropped (KafkaRedelivery).
    assertThat(duplicates).as("duplicates").isZero();
  }

  /**
   * The case the test above rarely reaches: a receiver that dies with stored blocks whose offsets
   * it never committed, as when its executor is killed. Here no commit can succeed: the receiver
   * reads assigned partitions, and the broker refuses an assigned consumer's commits while the
   * group has a subscribed member (a real one, held by the test). The failed store then restarts
   * the receiver, which reads again from the earliest offsets every record the first one stored;
   * the stream drops them.
   */
  @Test
  void receiverRestartedWithNothingCommittedReadsItsStoredRecordsAgainAndDeliversEachIdOnce()
      throws Exception {
    KAFKA.broker().createTopic("uncommitted", 3);
    KAFKA.broker().createTopic("uncommitted-member", 1);
    List<String> sent = KafkaBroker.numbered("id", 0, IDS);
    KAFKA.broker().produce("uncommitted", sent);
    FailingWriteAheadLog.reset();
    ReceiverEvents events = new ReceiverEvents();
    OutputCollector<String> out = OutputCollector.create();
    Map<TopicPartition, Long> committedAtFailure = new HashMap<>();

    try (KafkaConsumer<byte[], byte[]> member = groupMember("uncommitted-group");
        LocalStreaming spark =
            LocalStreaming.builder(checkpoint)
                .writeAheadLog(true)
                .set("spark.streaming.receiver.maxRate", String.valueOf(RATE))
                .set(
                    "spark.streaming.receiver.writeAheadLog.class",
                    FailingWriteAheadLog.class.getName())
                .set(FailingWriteAheadLog.DIR_KEY, receiverLog.toString())
                .set(FailingWriteAheadLog.FAIL_AT_KEY, "10")
                .start()) {
      spark.context().addStreamingListener(events);
      KafkaSettings settings =
          KafkaSettings.builder(KAFKA.broker().bootstrapServers(), "uncommitted-group")
              .partitions(
                  List.of(
                      new TopicPartition("uncommitted", 0),
                      new TopicPartition("uncommitted", 1),
                      new TopicPartition("uncommitted", 2)))
              .build();
      SparkingKafka.receiverStream(spark.context(), settings)
          .foreachRDD(rdd -> out.addAll(rdd.map(KafkaRecord::valueAsString).collect()));
      spark.context().start();

      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> FailingWriteAheadLog.failures() > 0);
      committedAtFailure.putAll(KAFKA.broker().committedOffsets("uncommitted-group"));
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(250))
          .until(() -> out.values().stream().distinct().count() >= IDS);
    }

    Map<String, Integer> counts = new HashMap<>();
    out.values().forEach(id -> counts.merge(id, 1, Integer::sum));
    long lost = sent.stream().filter(id -> !counts.containsKey(id)).count();
    long duplicates = out.size() - counts.size();
    System.out.println(
        "scenario=kafkaReceiverRestartNothingCommitted sent="
            + IDS
            + " distinct="
            + counts.size()
            + " lost="
            + lost
            + " duplicates="
            + duplicates
            + " receiver_starts="
            + events.started.get()
            + " wal_writes="
            + FailingWriteAheadLog.writes()
            + " committed_at_failure="
            + committedAtFailure
            + " stored_in_batches="
            + events.records.get()
            + " dropped_as_read_again="
            + (events.records.get() - out.size()));

    assertThat(FailingWriteAheadLog.failures()).as("injected write failures").isEqualTo(1);
    assertThat(FailingWriteAheadLog.writes())
        .as("log writes: 9 blocks stored before the failed 10th, and the restarted receiver's")
        .isGreaterThan(10);
    assertThat(committedAtFailure)
        .as("offsets committed when the store failed: none, so every stored record is read again")
        .isEmpty();
    assertThat(events.stopMessages)
        .as("receiver stops reported to the driver")
        .anySatisfy(m -> assertThat(m).contains("Could not store block"));
    assertThat(events.started.get())
        .as("receiver starts: the first, and Spark's restart")
        .isGreaterThanOrEqualTo(2);
    assertThat(counts.keySet()).as("only ids that were sent").isSubsetOf(sent);
    assertThat(lost).as("ids lost").isZero();
    assertThat(duplicates).as("duplicates").isZero();
  }

  /**
   * A consumer subscribed to a topic of its own in {@code group}, its assignment received: while it
   * is open the group is not empty, and the broker refuses commits from the group's assigned
   * consumers.
   */
  private static KafkaConsumer<byte[], byte[]> groupMember(String group) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.broker().bootstrapServers());
    config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    KafkaConsumer<byte[], byte[]> member = new KafkaConsumer<>(config);
    member.subscribe(List.of("uncommitted-member"));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              member.poll(Duration.ofMillis(100));
              return !member.assignment().isEmpty();
            });
    return member;
  }

  /**
   * What the driver learns about the receiver: its starts, and the reasons of its stops and errors.
   */
  private static final class ReceiverEvents implements StreamingListener {
    final AtomicInteger started = new AtomicInteger();
    final Queue<String> stopMessages = new ConcurrentLinkedQueue<>();

    /** The records of the batches started: what the receivers stored, read again or not. */
    final AtomicLong records = new AtomicLong();

    @Override
    public void onBatchStarted(StreamingListenerBatchStarted event) {
      records.addAndGet(event.batchInfo().numRecords());
    }

    @Override
    public void onReceiverStarted(StreamingListenerReceiverStarted event) {
      started.incrementAndGet();
    }

    @Override
    public void onReceiverStopped(StreamingListenerReceiverStopped event) {
      stopMessages.add(
          event.receiverInfo().lastErrorMessage() + " / " + event.receiverInfo().lastError());
    }

    @Override
    public void onReceiverError(StreamingListenerReceiverError event) {
      stopMessages.add(
          event.receiverInfo().lastErrorMessage() + " / " + event.receiverInfo().lastError());
    }
  }
}
