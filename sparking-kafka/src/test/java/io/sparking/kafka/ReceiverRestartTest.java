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
import org.apache.kafka.common.TopicPartition;
import org.apache.spark.streaming.scheduler.StreamingListener;
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
    long bound = IDS - committed;
    Map<String, KafkaBroker.Position> positions =
        KAFKA.broker().positionsOfValues("store-fault", IDS);
    List<String> duplicatedBeforeCommitted =
        counts.entrySet().stream()
            .filter(e -> e.getValue() > 1)
            .map(Map.Entry::getKey)
            .filter(
                id ->
                    positions.get(id).offset()
                        < committedBeforeFailure.getOrDefault(
                            new TopicPartition("store-fault", positions.get(id).partition()), 0L))
            .sorted()
            .toList();
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
            + " duplicates_bound="
            + bound);

    assertThat(FailingWriteAheadLog.failures()).as("injected write failures").isEqualTo(1);
    assertThat(events.stopMessages)
        .as("receiver stops reported to the driver")
        .anySatisfy(m -> assertThat(m).contains("Could not store block"));
    assertThat(events.started.get())
        .as("receiver starts: the first, and Spark's restart")
        .isGreaterThanOrEqualTo(2);
    assertThat(counts.keySet()).as("only ids that were sent").isSubsetOf(sent);
    assertThat(lost).as("ids lost").isZero();
    // At least once: the duplicates are records stored before the failure whose offsets were not
    // committed, read again by the restarted receiver.
    assertThat(duplicatedBeforeCommitted)
        .as(
            "duplicated ids below the offsets committed before the failure %s",
            committedBeforeFailure)
        .isEmpty();
    assertThat(duplicates)
        .as(
            "duplicates: at most %d, the ids sent (%d) minus the records below the offsets committed"
                + " before the failure (%d)",
            bound, IDS, committed)
        .isLessThanOrEqualTo(bound);
  }

  /**
   * What the driver learns about the receiver: its starts, and the reasons of its stops and errors.
   */
  private static final class ReceiverEvents implements StreamingListener {
    final AtomicInteger started = new AtomicInteger();
    final Queue<String> stopMessages = new ConcurrentLinkedQueue<>();

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
