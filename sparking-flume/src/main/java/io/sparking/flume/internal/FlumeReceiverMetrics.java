package io.sparking.flume.internal;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Timer;
import io.sparking.core.spi.ReceiverMetrics;
import io.sparking.flume.FlumeEvent;
import java.util.List;

/**
 * The metrics of one Flume receiver: those of every receiver ({@link ReceiverMetrics}; bytes are
 * event bodies) and, for the pull receiver, {@code flume.pull.roundTrips} (a timer over every
 * answered {@code getEventBatch} call, with or without events), {@code flume.pull.batchesAcked} and
 * {@code flume.pull.batchesNacked} (counters); for the push receiver {@code flume.push.batches}
 * (meter, batches answered OK) and {@code flume.push.batchesFailed} (counter).
 */
final class FlumeReceiverMetrics extends ReceiverMetrics {
  // Created only for the receiver kind that reports them, so a push receiver shows no pull metrics.
  private Timer pullRoundTrips;
  private Counter pullBatchesAcked;
  private Counter pullBatchesNacked;
  private Meter pushBatches;
  private Counter pushBatchesFailed;

  private FlumeReceiverMetrics(int streamId) {
    super(streamId);
  }

  /** Metrics of the pull receiver of stream {@code streamId}. */
  static FlumeReceiverMetrics forPull(int streamId) {
    FlumeReceiverMetrics m = new FlumeReceiverMetrics(streamId);
    m.pullRoundTrips = m.registry().timer("flume.pull.roundTrips");
    m.pullBatchesAcked = m.registry().counter("flume.pull.batchesAcked");
    m.pullBatchesNacked = m.registry().counter("flume.pull.batchesNacked");
    return m;
  }

  /** Metrics of the push receiver of stream {@code streamId}. */
  static FlumeReceiverMetrics forPush(int streamId) {
    FlumeReceiverMetrics m = new FlumeReceiverMetrics(streamId);
    m.pushBatches = m.registry().meter("flume.push.batches");
    m.pushBatchesFailed = m.registry().counter("flume.push.batchesFailed");
    return m;
  }

  /** Pull metrics that no metrics system sees, for pull workers run outside a receiver. */
  static FlumeReceiverMetrics detachedPull() {
    return forPull(-1);
  }

  /** Counts a block Spark stored (one or more batches). */
  void blockStored(List<FlumeEvent> events) {
    long size = 0;
    for (FlumeEvent e : events) {
      size += e.bodyLength();
    }
    blockStored(events.size(), size);
  }

  /** Times one answered {@code getEventBatch} call. */
  void pullRoundTrip(long nanos) {
    pullRoundTrips.update(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  void pullAcked() {
    pullBatchesAcked.inc();
  }

  void pullNacked() {
    pullBatchesNacked.inc();
  }

  void pushAnswered(boolean ok) {
    if (ok) {
      pushBatches.mark();
    } else {
      pushBatchesFailed.inc();
    }
  }
}
