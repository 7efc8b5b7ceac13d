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
            (org.apache.spark.rdd.BlockRDD<?>) blocks, convert, elementTag(), name()));
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
