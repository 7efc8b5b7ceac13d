package io.sparking.core.internal;

import io.sparking.core.spi.BlockMetadata;
import io.sparking.core.spi.PackedRecords;
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
    return ssc.scheduler().getPendingTimes().size();
  }

  /**
   * The records a received block holds: its {@link PackedRecords.Count} or {@link BlockMetadata}
   * when the receiver counted them (Spark counted the packs), else what Spark counted, 0 when it
   * could not count.
   */
  public static long recordsOf(ReceivedBlockInfo block) {
    if (block.metadataOption().isDefined()
        && block.metadataOption().get() instanceof PackedRecords.Count count) {
      return count.records();
    }
    if (block.metadataOption().isDefined()
        && block.metadataOption().get() instanceof BlockMetadata metadata) {
      return metadata.records();
    }
    return block.numRecords().isDefined() ? (Long) block.numRecords().get() : 0;
  }

  /**
   * What {@code ReceiverInputDStream.compute} does for a batch after the context's start: the block
   * RDD of the blocks allocated to {@code stream} for {@code batchTime}, reporting the batch's
   * input size to Spark. Unlike Spark's, the size counts the records of blocks stored as packs, so
   * the UI, the rate estimator (backpressure) and listeners see records, not packs.
   */
  public static <T> org.apache.spark.rdd.RDD<T> receivedBlocks(
      ReceiverInputDStream<T> stream, Time batchTime) {
    StreamingContext ssc = stream.ssc();
    // var, not a named Seq type: Spark's Seq (what the tracker returns and createBlockRDD takes) is
    // scala.collection.Seq on Scala 2.12 and scala.collection.immutable.Seq on 2.13, so naming
    // either fails to compile on the other. A class compiled against 2.13 casts the blocks to
    // immutable.Seq, which fails on 2.12 (they are an ArrayBuffer there): each Scala version needs
    // a build of its own, from this one source.
    var allocated = ssc.scheduler().receiverTracker().getBlocksOfBatch(batchTime).get(stream.id());
    var blocks =
        allocated.isDefined()
            ? allocated.get()
            : scala.collection.immutable.List$.MODULE$.<ReceivedBlockInfo>empty();
    long records = 0;
    scala.collection.Iterator<ReceivedBlockInfo> it = blocks.iterator();
    while (it.hasNext()) {
      records += recordsOf(it.next());
    }
    ssc.scheduler()
        .inputInfoTracker()
        .reportInfo(
            batchTime,
            new org.apache.spark.streaming.scheduler.StreamInputInfo(
                stream.id(), records, scala.collection.immutable.Map$.MODULE$.empty()));
    return stream.createBlockRDD(batchTime, blocks);
  }

  /**
   * The blocks allocated to {@code stream} for {@code batchTime}, in the order Spark allocated
   * them.
   */
  public static java.util.List<ReceivedBlockInfo> blocksOfBatch(
      ReceiverInputDStream<?> stream, Time batchTime) {
    var allocated =
        stream.ssc().scheduler().receiverTracker().getBlocksOfBatch(batchTime).get(stream.id());
    java.util.List<ReceivedBlockInfo> blocks = new java.util.ArrayList<>();
    if (allocated.isDefined()) {
      scala.collection.Iterator<ReceivedBlockInfo> it = allocated.get().iterator();
      while (it.hasNext()) {
        blocks.add(it.next());
      }
    }
    return blocks;
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
          records += recordsOf(block);
        }
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.debug("Could not count the unallocated blocks", e);
      return new long[] {-1, -1};
    }
    return new long[] {blocks, records};
  }
}
