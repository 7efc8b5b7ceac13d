package io.sparking.core;

import io.sparking.core.internal.DrainCoordinator;
import io.sparking.core.internal.StreamingInternals;
import io.sparking.core.spi.AfterGracefulStop;
import java.time.Duration;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.streaming.StreamingContext;
import org.apache.spark.streaming.StreamingContextState;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops a streaming context after processing, in the same run, everything its receivers stored.
 *
 * <pre>{@code
 * jssc.start();
 * ...
 * GracefulStop.stop(jssc);   // instead of jssc.stop(true, true)
 * }</pre>
 *
 * <p>Spark's own graceful stop ({@code jssc.stop(true, true)}) stops the receivers and closes the
 * driver's write-ahead log before it generates the last batches, so the last received blocks
 * (stored, their Kafka offsets committed, their Flume batches acknowledged) are processed only by a
 * later start from the same checkpoint, and never by new code started on a new checkpoint. This
 * stop goes in the order that keeps them:
 *
 * <ol>
 *   <li>every Sparking receiver, on whatever executor it runs, stops taking data in, stores what it
 *       holds, and commits or acknowledges it;
 *   <li>the driver allocates the stored blocks to batches and processes every batch, with the log
 *       still open;
 *   <li>the context stops; then the streams' final work runs, such as a direct stream's commit of
 *       its last batches' offsets.
 * </ol>
 *
 * The whole stop is bounded by {@code spark.streaming.gracefulStopTimeout} (Spark's default: ten
 * batch intervals) for the drain and again for the last batches. What it had to leave is logged in
 * one line and returned.
 */
public final class GracefulStop {
  private static final Logger LOG = LoggerFactory.getLogger(GracefulStop.class);

  private GracefulStop() {}

  /** Stops {@code jssc} and its SparkContext after processing everything the receivers stored. */
  public static StopReport stop(JavaStreamingContext jssc) {
    return stop(jssc, true);
  }

  /**
   * Stops {@code jssc} after processing everything the receivers stored, and its SparkContext too
   * when {@code stopSparkContext}. A context that never started or already stopped is simply
   * stopped.
   */
  public static StopReport stop(JavaStreamingContext jssc, boolean stopSparkContext) {
    StreamingContext ssc = jssc.ssc();
    SparkContext sc = ssc.sparkContext();
    long start = System.nanoTime();
    if (ssc.getState() != StreamingContextState.ACTIVE) {
      jssc.stop(stopSparkContext, false);
      return new StopReport(0, Map.of(), 0, 0, 0, Duration.ofNanos(System.nanoTime() - start));
    }
    String application = sc.applicationId();
    Duration timeout = StreamingInternals.gracefulStopTimeout(ssc);
    DrainCoordinator coordinator = DrainCoordinator.of(ssc).orElse(null);
    int receivers = coordinator == null ? 0 : coordinator.receivers();
    Map<Integer, String> undrained = Map.of();
    if (coordinator != null) {
      try {
        undrained = coordinator.drain(timeout);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        undrained = coordinator.receiverNames();
      }
    }
    StreamingInternals.stopGeneratingBatches(ssc);
    int late = StreamingInternals.unfinishedBatches(ssc);
    jssc.stop(stopSparkContext, true);
    // Counted once the receivers stopped: a receiver that could not drain may store blocks until
    // then, and those too are left for a restart from the checkpoint.
    long[] left = StreamingInternals.unallocatedBlocksAndRecords(ssc);
    if (coordinator != null) {
      coordinator.close();
    }
    AfterGracefulStop.runAll(application);
    StopReport report =
        new StopReport(
            receivers,
            undrained,
            left[0],
            left[1],
            late,
            Duration.ofNanos(System.nanoTime() - start));
    if (report.complete()) {
      LOG.info(
          "Graceful stop: {} receiver(s) drained, every stored record processed, in {} ms",
          receivers,
          report.took().toMillis());
    } else {
      LOG.warn(
          "Graceful stop left {} record(s) in {} received block(s){}, within"
              + " spark.streaming.gracefulStopTimeout={} ms: a restart from the same checkpoint processes them, a start"
              + " on a new checkpoint does not",
          left[1] < 0 ? "?" : left[1],
          left[0] < 0 ? "?" : left[0],
          undrained.isEmpty() ? "" : "; receivers that did not drain: " + undrained.values(),
          timeout.toMillis());
    }
    if (late > 0) {
      LOG.warn(
          "Graceful stop: {} batch(es) ran past spark.streaming.gracefulStopTimeout={} ms; the stop finished"
              + " them, but the checkpoint may not record them as done, so a restart from it may run them again",
          late,
          timeout.toMillis());
    }
    return report;
  }
}
