package io.sparking.bench;

import io.sparking.runtime.LocalStreaming;
import io.sparking.runtime.TempDirs;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import org.apache.spark.streaming.scheduler.StreamingListener;
import org.apache.spark.streaming.scheduler.StreamingListenerBatchCompleted;
import org.apache.spark.streaming.scheduler.StreamingListenerReceiverStarted;

/**
 * What every Spark path of the receiving JVM shares: one local streaming context with the same
 * settings, and a count that reads every record's payload (its id and length) so that no source can
 * answer from offsets alone.
 */
@SuppressWarnings(
    "deprecation") // the DStream API, deprecated in Spark 3.5 and 4.x, is what Sparking serves
final class SparkCount {
  /**
   * Four task slots on the 2-core machine: a receiver holds one for as long as it runs and a direct
   * stream's four partitions can run at once; the same for every Spark path.
   */
  static final String MASTER = "local[4]";

  /** The Spark session of a Structured Streaming path: local mode on loopback, no web UI. */
  static org.apache.spark.sql.SparkSession structuredSession() {
    return org.apache.spark.sql.SparkSession.builder()
        .master(MASTER)
        .appName("sparking-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        // One shuffle partition per core rather than 200: a count's aggregate has one row to
        // shuffle.
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate();
  }

  private static final Duration RECEIVER_START = Duration.ofSeconds(90);

  private SparkCount() {}

  /**
   * Runs a streaming context whose streams {@code define} adds, until the count reaches the target
   * or the run's timeout passed; then stops it at once.
   *
   * @param wal whether receivers write ahead (needs the checkpoint directory, a temporary one here)
   * @param awaitedReceivers how many receivers must have started before the run is {@link
   *     Progress#ready()}; 0 to be ready when the context starts (data already in place, the clock
   *     starts with the stream)
   */
  static void run(
      ReceiverRun run, boolean wal, int awaitedReceivers, Consumer<JavaStreamingContext> define)
      throws InterruptedException {
    ReceiverRun.StreamingJob job = run.job();
    Path checkpoint = TempDirs.create("sparking-bench-checkpoint-");
    // Several receivers (the scaling section) each hold a slot for good: keep three slots for the
    // batches' tasks,
    // as one receiver in local[4] has.
    LocalStreaming.Builder builder =
        LocalStreaming.builder(checkpoint)
            .master(job.receivers() > 1 ? "local[" + (job.receivers() + 3) + "]" : MASTER)
            .batchInterval(job.batchInterval())
            .writeAheadLog(wal)
            // Spark's default block interval rather than the test kit's 100 ms (which makes tests
            // quicker): a receiver
            // makes a block, and so a task, per interval, and with 100 ms the receiver with its
            // write-ahead log
            // measured 11% slower (304k/309k against 341k/341k records/s, alternating runs).
            .set("spark.streaming.blockInterval", "200ms");
    job.maxRatePerReceiver()
        .ifPresent(
            maxRate ->
                // The overload section: a job limited to maxRate records/s per receiver (per
                // partition for direct streams),
                // backpressure on, while the source is offered more.
                builder
                    .set("spark.streaming.receiver.maxRate", Long.toString(maxRate))
                    .set("spark.streaming.kafka.maxRatePerPartition", Long.toString(maxRate))
                    .set("spark.streaming.backpressure.enabled", "true"));
    try (LocalStreaming spark = builder.start()) {
      JavaStreamingContext jssc = spark.context();
      define.accept(jssc);
      CountDownLatch started = new CountDownLatch(awaitedReceivers);
      boolean paced = job.paced();
      CountDownLatch running = new CountDownLatch(paced ? 2 : 0);
      jssc.addStreamingListener(
          new StreamingListener() {
            @Override
            public void onReceiverStarted(StreamingListenerReceiverStarted event) {
              started.countDown();
            }

            @Override
            public void onBatchCompleted(StreamingListenerBatchCompleted event) {
              running.countDown();
            }
          });
      if (awaitedReceivers == 0 && !paced) {
        Progress.ready();
      }
      jssc.start();
      if (paced) {
        // Records offered while the run goes on: the offer starts once the job runs (two batches
        // done), so
        // latency and overload do not measure the context's start-up.
        if (!running.await(RECEIVER_START.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new IllegalStateException(
              "the streaming job did not complete two batches within " + RECEIVER_START);
        }
        if (awaitedReceivers == 0) {
          Progress.ready();
        }
      }
      if (awaitedReceivers > 0) {
        if (!started.await(RECEIVER_START.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new IllegalStateException(
              started.getCount()
                  + " of "
                  + awaitedReceivers
                  + " receivers did not start"
                  + " within "
                  + RECEIVER_START);
        }
        Progress.ready();
      }
      Progress.awaitDone(run.target().timeout());
    } finally {
      TempDirs.deleteRecursively(checkpoint);
    }
  }

  /** Gives one record's payload; serializable because it travels with the tasks. */
  @FunctionalInterface
  interface PayloadOf<T> extends Serializable {
    byte[] of(T record);
  }

  /**
   * Counts one batch from each record's payload, read on the executors (local mode: tasks of this
   * JVM): records, payload bytes and each payload's id ({@link Progress#received}), reported to
   * {@link Progress#report}; when the run measures latency, also each record's latency from the
   * creation time in its payload to the end of its partition's output.
   */
  static <T> void countPayloads(JavaRDD<T> rdd, PayloadOf<T> payloadOf) {
    long start = System.currentTimeMillis();
    long[] totals =
        rdd.mapPartitions(
                records -> {
                  long n = 0;
                  long bytes = 0;
                  boolean latency = Progress.measuresLatency();
                  List<byte[]> timed = latency ? new java.util.ArrayList<>() : List.of();
                  while (records.hasNext()) {
                    byte[] payload = payloadOf.of(records.next());
                    Progress.received(payload);
                    bytes += payload == null ? 0 : payload.length;
                    n++;
                    if (latency) {
                      timed.add(payload);
                    }
                  }
                  // Local mode: the tasks run in this JVM, next to the count. The output time is
                  // the partition's end.
                  long outputMillis = System.currentTimeMillis();
                  for (byte[] payload : timed) {
                    Progress.latency(payload, outputMillis);
                  }
                  return List.of(new long[] {n, bytes}).iterator();
                })
            .fold(new long[2], (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
    Progress.report(totals[0], totals[1], start, System.currentTimeMillis());
  }
}
