package io.sparking.kafka.internal;

import io.sparking.core.spi.Redelivery;
import io.sparking.kafka.KafkaRecord;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops the records a receiver stream's earlier blocks delivered already: a receiver that died (its
 * executor killed, or its block store failed) after storing records but before committing their
 * offsets is started again from the group's committed offsets, and stores those records a second
 * time. Each block carries its offsets ({@link BlockOffsets}); a block whose records of a partition
 * start below the offset the stream has delivered up to is read through a filter that keeps only
 * the records past it. Which receiver or consumer thread stored a block does not matter: only the
 * order in which Spark allocated the blocks to batches does.
 *
 * <p>So a stream never delivers a partition's offset twice, even when the group's offsets are moved
 * back on purpose while the stream runs on from its checkpoint: reading a partition again takes a
 * new checkpoint.
 */
public enum KafkaRedelivery implements Redelivery<DeliveredOffsets> {
  INSTANCE;

  private static final Logger LOG = LoggerFactory.getLogger(KafkaRedelivery.class);

  @Override
  public DeliveredOffsets nothingDelivered() {
    return DeliveredOffsets.NONE;
  }

  @Override
  public BlockFilter filter(DeliveredOffsets delivered, Serializable positions) {
    BlockOffsets block = (BlockOffsets) positions;
    boolean needed = false;
    Map<TopicPartition, Long> keepFrom = new HashMap<>();
    for (Map.Entry<TopicPartition, BlockOffsets.Range> entry : block.ranges().entrySet()) {
      TopicPartition partition = entry.getKey();
      BlockOffsets.Range range = entry.getValue();
      Long next = delivered.next().get(partition);
      if (next != null) {
        keepFrom.put(partition, next);
      }
      if (next != null && range.from() < next) {
        needed = true;
        LOG.info(
            "A receiver read {} again from offset {}; dropping its records below {}, delivered"
                + " already",
            partition,
            range.from(),
            next);
      } else if (!range.inOrder()) {
        needed = true;
      }
    }
    return needed ? new OffsetFilter(keepFrom) : null;
  }

  @Override
  public DeliveredOffsets after(DeliveredOffsets delivered, Serializable positions) {
    return delivered.after((BlockOffsets) positions);
  }

  /**
   * Keeps a block's records past the offsets delivered before it, and past those kept before them
   * in the block.
   */
  static final class OffsetFilter implements BlockFilter {
    private static final long serialVersionUID = 1L;

    /** Per partition, the lowest offset to keep; a partition left out keeps from its first. */
    private final Map<TopicPartition, Long> keepFrom;

    OffsetFilter(Map<TopicPartition, Long> keepFrom) {
      this.keepFrom = new HashMap<>(keepFrom);
    }

    @Override
    public Predicate<Object> newRead() {
      Map<TopicPartition, long[]> next = new HashMap<>();
      keepFrom.forEach((partition, offset) -> next.put(partition, new long[] {offset}));
      return new Predicate<>() {
        // A block's records come in runs of one partition: look the partition up once per run.
        private String topic;
        private int partition = -1;
        private long[] cell;

        @Override
        public boolean test(Object stored) {
          KafkaRecord record = (KafkaRecord) stored;
          if (cell == null || record.partition() != partition || !record.topic().equals(topic)) {
            topic = record.topic();
            partition = record.partition();
            cell =
                next.computeIfAbsent(
                    new TopicPartition(topic, partition), p -> new long[] {Long.MIN_VALUE});
          }
          if (record.offset() < cell[0]) {
            return false;
          }
          cell[0] = record.offset() + 1;
          return true;
        }
      };
    }
  }
}
