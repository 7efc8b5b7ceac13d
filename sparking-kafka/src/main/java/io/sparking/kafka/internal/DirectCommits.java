package io.sparking.kafka.internal;

import io.sparking.core.spi.AfterGracefulStop;
import io.sparking.kafka.KafkaSettings;
import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.spark.SparkContext;
import org.apache.spark.streaming.kafka010.OffsetRange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group's view of what a direct stream has output, on the driver. Two things the connector's
 * {@code commitAsync} leaves undone:
 *
 * <ul>
 *   <li>it sends a batch's commit with the next batch, so at a stop the last batches' offsets are
 *       never committed and a start on a new checkpoint reads them again: after the graceful stop
 *       this commits them;
 *   <li>a start from the checkpoint re-runs the last checkpointed batch even when its output
 *       completed and its offsets were committed: a batch whose every partition the group already
 *       committed past is skipped.
 * </ul>
 *
 * The state is transient: a context recovered from a checkpoint starts checking again.
 */
public final class DirectCommits implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(DirectCommits.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /**
   * How long the final commit retries while the stopped stream's consumer is still leaving the
   * group.
   */
  private static final Duration FINAL_COMMIT_RETRIES = Duration.ofSeconds(15);

  private final KafkaSettings settings;
  private transient volatile boolean pastReplays;
  private transient Map<TopicPartition, Long> output;

  /** Commits for a direct stream that reads with {@code settings}. */
  public DirectCommits(KafkaSettings settings) {
    this.settings = settings;
  }

  /**
   * Whether every partition of a batch with {@code ranges} is already committed past its end, so an
   * earlier run output it (commits follow output). Asks the group until the first batch that is
   * not, then never again in this run.
   */
  public boolean alreadyOutput(OffsetRange[] ranges) {
    if (pastReplays || Stream.of(ranges).allMatch(r -> r.untilOffset() <= r.fromOffset())) {
      return false;
    }
    Set<TopicPartition> partitions =
        Stream.of(ranges).map(OffsetRange::topicPartition).collect(Collectors.toSet());
    Map<TopicPartition, OffsetAndMetadata> committed;
    try (KafkaConsumer<byte[], byte[]> consumer = consumer("replay-check")) {
      committed = consumer.committed(partitions, TIMEOUT);
    }
    boolean done =
        Stream.of(ranges)
            .allMatch(
                r -> {
                  OffsetAndMetadata c = committed.get(r.topicPartition());
                  return c != null && c.offset() >= r.untilOffset();
                });
    if (!done) {
      pastReplays = true;
    }
    return done;
  }

  /**
   * Records that a batch with {@code ranges} was output; its offsets are committed at the latest
   * after the stop.
   */
  public synchronized void outputDone(SparkContext sc, OffsetRange[] ranges) {
    pastReplays = true;
    if (output == null) {
      output = new HashMap<>();
    }
    for (OffsetRange range : ranges) {
      output.merge(range.topicPartition(), range.untilOffset(), Math::max);
    }
    AfterGracefulStop.register(
        sc, "final commit of " + settings.name() + "@" + settings.groupId(), this::commitOutput);
  }

  /** Commits what was output, once the stream's own consumer has left the group. */
  synchronized void commitOutput() {
    if (output == null || output.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    output.forEach((partition, offset) -> offsets.put(partition, new OffsetAndMetadata(offset)));
    long deadline = System.nanoTime() + FINAL_COMMIT_RETRIES.toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer("final-commit")) {
      while (true) {
        try {
          consumer.commitSync(offsets, TIMEOUT);
          LOG.info(
              "Committed the offsets of the last batches {} output for group {}: {}",
              settings.name(),
              settings.groupId(),
              offsets);
          return;
        } catch (KafkaException e) {
          // The stopped stream's consumer may still be leaving the group; a commit from outside it
          // waits for that.
          if (System.nanoTime() - deadline >= 0) {
            LOG.warn(
                "Could not commit the offsets of the last batches {} output for group {} ({}): {}; a start on a"
                    + " new checkpoint reads them again",
                settings.name(),
                settings.groupId(),
                e.toString(),
                offsets);
            return;
          }
          try {
            Thread.sleep(500);
          } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
    }
  }

  private KafkaConsumer<byte[], byte[]> consumer(String role) {
    Map<String, Object> config = new HashMap<>(settings.consumerConfig());
    config.put("client.id", "sparking-direct-" + role + "-" + settings.groupId());
    config.put("key.deserializer", ByteArrayDeserializer.class.getName());
    config.put("value.deserializer", ByteArrayDeserializer.class.getName());
    return new KafkaConsumer<>(config);
  }
}
