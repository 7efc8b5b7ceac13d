package io.sparking.kafka.internal;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Per partition, the offset after the last record a receiver stream's batches delivered: the ledger
 * of {@link KafkaRedelivery}. Immutable, since the stream keeps one per batch.
 *
 * @param next per partition, the offset of the first record not delivered yet
 */
public record DeliveredOffsets(Map<TopicPartition, Long> next) implements Serializable {
  private static final long serialVersionUID = 1L;

  static final DeliveredOffsets NONE = new DeliveredOffsets(Map.of());

  public DeliveredOffsets {
    next = Map.copyOf(next);
  }

  /** These offsets, moved on past {@code block}'s records. */
  DeliveredOffsets after(BlockOffsets block) {
    Map<TopicPartition, Long> moved = new HashMap<>(next);
    block.ranges().forEach((partition, range) -> moved.merge(partition, range.until(), Math::max));
    return new DeliveredOffsets(moved);
  }
}
