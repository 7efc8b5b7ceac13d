package io.sparking.kafka.internal;

import com.codahale.metrics.Gauge;
import io.sparking.core.spi.ReceiverMetrics;
import io.sparking.kafka.KafkaRecord;
import java.util.function.LongSupplier;
import scala.collection.mutable.ArrayBuffer;

/**
 * The metrics of one Kafka receiver: those of every receiver ({@link ReceiverMetrics}; bytes are
 * keys and values, headers not counted) and {@code kafka.lag}, the records of the receiver's
 * partitions not yet committed by its group (a gauge sampled by the consumer threads).
 */
final class KafkaReceiverMetrics extends ReceiverMetrics {
  KafkaReceiverMetrics(int streamId, LongSupplier lag) {
    super(streamId);
    registry().register("kafka.lag", (Gauge<Long>) lag::getAsLong);
  }

  /** Counts a block that Spark stored: its records, and their key and value bytes. */
  void blockStored(ArrayBuffer<?> block) {
    long size = 0;
    int n = block.size();
    for (int i = 0; i < n; i++) {
      KafkaRecord r = (KafkaRecord) block.apply(i);
      size += (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
    }
    blockStored(n, size);
  }
}
