package io.sparking.core.spi;

import io.sparking.core.internal.DrainCoordinator;
import org.apache.spark.streaming.StreamingContext;
import org.apache.spark.streaming.dstream.ReceiverInputDStream;
import org.apache.spark.streaming.receiver.Receiver;
import scala.reflect.ClassTag$;

/**
 * The input stream of one {@link DrainableReceiver}: named after what it reads in the Spark UI (such as
 * {@code kafka[clicks]@my-group#0}, where Spark's generic stream would show {@code Pluggable Stream [0]}), and
 * connecting its receiver to the driver's drain endpoint each time the driver hands the receiver out.
 *
 * @param <T> what the receiver stores
 */
public class DrainableReceiverStream<T> extends ReceiverInputDStream<T> {
  private static final long serialVersionUID = 1L;

  private final DrainableReceiver<T> receiver;
  private final String label;

  /** A stream of {@code ssc} fed by {@code receiver}, shown as {@code label#<stream id>}. */
  public DrainableReceiverStream(StreamingContext ssc, DrainableReceiver<T> receiver, String label, Class<T> type) {
    super(ssc, ClassTag$.MODULE$.apply(type));
    this.receiver = receiver;
    this.label = label;
  }

  @Override
  public Receiver<T> getReceiver() {
    // Called on the driver when the context starts, also after recovery from a checkpoint, whose receiver still
    // names the coordinator of the run that wrote it.
    receiver.attach(DrainCoordinator.forContext(context()).register(id(), name()));
    return receiver;
  }

  @Override
  public String name() {
    return label + "#" + id();
  }
}
