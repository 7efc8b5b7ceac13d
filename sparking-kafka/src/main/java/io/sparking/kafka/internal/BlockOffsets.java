package io.sparking.kafka.internal;

import java.io.Serializable;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The Kafka offsets a stored block holds, per partition: its block metadata, kept by the driver
 * with the block and in its write-ahead log, which {@link KafkaRedelivery} reads.
 *
 * @param ranges per partition of the block, the offsets its records span
 */
public record BlockOffsets(Map<TopicPartition, Range> ranges) implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * The offsets of a partition's records in one block.
   *
   * @param from the first record's offset
   * @param until the offset after the last record's
   * @param inOrder whether each run of records came after the one before it; false when one
   *     consumer's runs and another's, reading the partition again, meet in the block
   */
  public record Range(long from, long until, boolean inOrder) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** This range followed, in the same block, by a run from {@code first} until {@code next}. */
    Range then(long first, long next) {
      return new Range(Math.min(from, first), Math.max(until, next), inOrder && first >= until);
    }
  }
}
