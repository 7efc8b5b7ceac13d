package io.sparking.core.spi;

import io.sparking.core.internal.DrainCoordinator;
import io.sparking.core.internal.StreamingInternals;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.rdd.RDD;
import org.apache.spark.streaming.StreamingContext;
import org.apache.spark.streaming.Time;
import org.apache.spark.streaming.dstream.ReceiverInputDStream;
import org.apache.spark.streaming.receiver.Receiver;
import scala.Option;
import scala.reflect.ClassTag$;

/**
 * The input stream of one {@link DrainableReceiver}: named after what it reads in the Spark UI
 * (such as {@code kafka[clicks]@my-group#0}, where Spark's generic stream would show {@code
 * Pluggable Stream [0]}), and connecting its receiver to the driver's drain endpoint each time the
 * driver hands the receiver out.
 *
 * <p>{@link #converting} gives the same stream with each record converted as a batch reads its
 * blocks, for an API whose record type differs from what the receiver stores (the Spark 2.4
 * compatibility API).
 *
 * @param <T> what the stream's batches hold
 */
public class DrainableReceiverStream<T> extends ReceiverInputDStream<T> {
  // Kept at 1: the fields added since (convert) read as null from older checkpoints, which is the
  // plain stream.
  private static final long serialVersionUID = 1L;

  private final DrainableReceiver<?> receiver;
  private final String label;

  /**
   * Applied to every stored record when a batch reads it; null when the receiver stores {@code T}
   * itself.
   */
  private final Function<Object, T> convert;

  /**
   * What the stream's batches hold; null in a stream read from a checkpoint written before it was
   * kept, where Object serves (the class tag only names the element type of arrays).
   */
  private final Class<T> type;

  /**
   * Drops what a restarted receiver stored again; null keeps every record (so does a stream read
   * from a checkpoint written before it was kept).
   */
  private Redelivery<java.io.Serializable> redelivery;

  /**
   * Per batch time (ms), what the stream's batches delivered up to and including it: checkpointed
   * with the stream, so a batch recomputed after a driver restart starts from the ledger of the
   * batch before it, as it did the first time. Touched only by Spark's job generator thread, which
   * also writes the checkpoints.
   */
  private java.util.TreeMap<Long, java.io.Serializable> delivered;

  /** A stream of {@code ssc} fed by {@code receiver}, shown as {@code label#<stream id>}. */
  public DrainableReceiverStream(
      StreamingContext ssc, DrainableReceiver<T> receiver, String label, Class<T> type) {
    this(ssc, receiver, label, type, null);
  }

  private DrainableReceiverStream(
      StreamingContext ssc,
      DrainableReceiver<?> receiver,
      String label,
      Class<T> type,
      Function<Object, T> convert) {
    super(ssc, ClassTag$.MODULE$.apply(type));
    this.receiver = receiver;
    this.label = label;
    this.convert = convert;
    this.type = type;
  }

  /**
   * A stream of {@code ssc} fed by {@code receiver} whose batches hold {@code convert} of each
   * stored record. The receiver, its blocks and the write-ahead log keep the receiver's own type;
   * the conversion is one map over each batch's block RDD, so a recovered batch is converted the
   * same way.
   *
   * @param convert serializable (it travels with the checkpointed stream graph and the tasks)
   */
  @SuppressWarnings("unchecked")
  public static <A, B> DrainableReceiverStream<B> converting(
      StreamingContext ssc,
      DrainableReceiver<A> receiver,
      String label,
      Function<A, B> convert,
      Class<B> type) {
    Function<Object, B> anyRecord = record -> convert.call((A) record);
    return new DrainableReceiverStream<>(ssc, receiver, label, type, anyRecord);
  }

  /**
   * Makes the stream drop the records that {@code redelivery} finds its earlier blocks delivered
   * already; call it before the context starts.
   */
  @SuppressWarnings("unchecked")
  public DrainableReceiverStream<T> dropping(Redelivery<?> redelivery) {
    this.redelivery = (Redelivery<java.io.Serializable>) redelivery;
    return this;
  }

  @Override
  @SuppressWarnings("unchecked")
  public Receiver<T> getReceiver() {
    // Called on the driver when the context starts, also after recovery from a checkpoint, whose
    // receiver still
    // names the coordinator of the run that wrote it.
    receiver.attach(DrainCoordinator.forContext(context()).register(id(), name()));
    // A converting stream's receiver stores another type; Spark never looks at the records' type on
    // that side.
    return (Receiver<T>) receiver;
  }

  @Override
  public Option<RDD<T>> compute(Time validTime) {
    if (validTime.less(graph().startTime())) {
      // Before the context's start (a recovery without a log): Spark's empty block RDD.
      return super.compute(validTime);
    }
    // Spark's compute, but counting packed records as the batch's input size; the records unpacked
    // (and converted) as the batch reads its blocks.
    RDD<T> blocks = StreamingInternals.receivedBlocks(this, validTime);
    return Option.apply(
        new ReceivedRecordsRDD<>(
            (org.apache.spark.rdd.BlockRDD<?>) blocks,
            convert,
            elementTag(),
            name(),
            filters(validTime)));
  }

  /**
   * The filter of each block of the batch at {@code batchTime} that repeats records earlier blocks
   * delivered, advancing the ledger. A block stored without {@link BlockMetadata} positions (by a
   * receiver that does not give them, or a release before them) is kept whole and moves nothing.
   */
  private java.util.Map<org.apache.spark.storage.BlockId, Redelivery.BlockFilter> filters(
      Time batchTime) {
    if (redelivery == null) {
      return java.util.Map.of();
    }
    if (delivered == null) {
      delivered = new java.util.TreeMap<>();
    }
    // The batch before, not the latest: a recomputed batch finds its own, later, entry there.
    java.util.Map.Entry<Long, java.io.Serializable> before =
        delivered.lowerEntry(batchTime.milliseconds());
    java.io.Serializable ledger =
        before == null ? redelivery.nothingDelivered() : before.getValue();
    java.util.Map<org.apache.spark.storage.BlockId, Redelivery.BlockFilter> filters =
        new java.util.HashMap<>();
    for (org.apache.spark.streaming.scheduler.ReceivedBlockInfo block :
        StreamingInternals.blocksOfBatch(this, batchTime)) {
      if (block.metadataOption().isEmpty()
          || !(block.metadataOption().get() instanceof BlockMetadata metadata)
          || metadata.positions() == null) {
        continue;
      }
      Redelivery.BlockFilter filter = redelivery.filter(ledger, metadata.positions());
      if (filter != null) {
        filters.put(block.blockId(), filter);
      }
      ledger = redelivery.after(ledger, metadata.positions());
    }
    delivered.put(batchTime.milliseconds(), ledger);
    forgetBatchesBefore(batchTime);
    return filters;
  }

  /**
   * Drops the ledgers no batch can be recomputed from: those before the one preceding the oldest
   * batch Spark still holds (a batch not yet done keeps its RDD, and so its time, there).
   */
  private void forgetBatchesBefore(Time batchTime) {
    long oldest = batchTime.milliseconds();
    scala.collection.Iterator<Time> held = generatedRDDs().keysIterator();
    while (held.hasNext()) {
      oldest = Math.min(oldest, held.next().milliseconds());
    }
    Long keep = delivered.lowerKey(oldest);
    if (keep != null) {
      delivered.headMap(keep, false).clear();
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private scala.reflect.ClassTag<T> elementTag() {
    return type == null
        ? (scala.reflect.ClassTag) ClassTag$.MODULE$.AnyRef()
        : ClassTag$.MODULE$.apply(type);
  }

  @Override
  public String name() {
    return label + "#" + id();
  }
}
