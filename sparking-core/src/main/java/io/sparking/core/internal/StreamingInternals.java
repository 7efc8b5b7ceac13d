package io.sparking.core.internal;

import java.lang.reflect.Field;
import org.apache.spark.streaming.StreamingContext;
import org.apache.spark.streaming.Time;
import org.apache.spark.streaming.dstream.ReceiverInputDStream;
import org.apache.spark.streaming.scheduler.JobScheduler;
import org.apache.spark.streaming.scheduler.ReceivedBlockInfo;
import org.apache.spark.streaming.scheduler.ReceivedBlockTracker;
import org.apache.spark.streaming.scheduler.ReceiverTracker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that reaches into Spark Streaming's scheduler, which Scala keeps package-private
 * but which Java sees as public. The members used here have the same signatures in Spark 3.5 and
 * 4.x; the tests of the graceful stop fail if that ever changes.
 */
public final class StreamingInternals {
  private static final Logger LOG = LoggerFactory.getLogger(StreamingInternals.class);

  private StreamingInternals() {}

  /**
   * Stops generating batches once every received block is allocated to a batch and every batch is
   * processed, while the driver's write-ahead log is still open. Spark's own graceful stop does it
   * the other way round: it stops the receiver tracker first, which closes the log, so the last
   * blocks cannot be allocated and wait for a restart from the checkpoint. Bounded by {@code
   * spark.streaming.gracefulStopTimeout}. A later {@code StreamingContext.stop} finds the generator
   * stopped and goes on.
   */
  public static void stopGeneratingBatches(StreamingContext ssc) {
    ssc.scheduler().jobGenerator().stop(true);
  }

  /** {@code spark.streaming.gracefulStopTimeout}, by default ten batch intervals as in Spark. */
  public static java.time.Duration gracefulStopTimeout(StreamingContext ssc) {
    long batch = ssc.graph().batchDuration().milliseconds();
    return java.time.Duration.ofMillis(
        ssc.sparkContext()
            .getConf()
            .getTimeAsMs("spark.streaming.gracefulStopTimeout", (10 * batch) + "ms"));
  }

  /** Batches generated but not completed yet. */
  public static int unfinishedBatches(StreamingContext ssc) {
    scala.collection.immutable.Seq<Time> pending = ssc.scheduler().getPendingTimes();
    return pending.size();
  }

  /** Received blocks and their records that no batch was given, over all receiver streams. */
  public static long[] unallocatedBlocksAndRecords(StreamingContext ssc) {
    JobScheduler scheduler = ssc.scheduler();
    ReceiverTracker tracker = scheduler.receiverTracker();
    if (tracker == null || !tracker.hasUnallocatedBlocks()) {
      return new long[] {0, 0};
    }
    long blocks = 0;
    long records = 0;
    try {
      Field field = ReceiverTracker.class.getDeclaredField("receivedBlockTracker");
      field.setAccessible(true);
      ReceivedBlockTracker blockTracker = (ReceivedBlockTracker) field.get(tracker);
      for (ReceiverInputDStream<?> stream : ssc.graph().getReceiverInputStreams()) {
        scala.collection.Iterator<ReceivedBlockInfo> it =
            blockTracker.getUnallocatedBlocks(stream.id()).iterator();
        while (it.hasNext()) {
          ReceivedBlockInfo block = it.next();
          blocks++;
          if (block.numRecords().isDefined()) {
            records += (Long) block.numRecords().get();
          }
        }
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("Could not count the unallocated blocks", e);
      return new long[] {-1, -1};
    }
    return new long[] {blocks, records};
  }
}
