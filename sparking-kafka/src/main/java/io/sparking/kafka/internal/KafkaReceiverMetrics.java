package io.sparking.kafka.internal;

import com.codahale.metrics.Gauge;
import io.sparking.core.spi.ReceiverMetrics;
import java.util.function.LongSupplier;

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
}
