package io.sparking.kafka.internal;

import io.sparking.kafka.KafkaRecord;
import io.sparking.kafka.KafkaSettings;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.streaming.StreamingContext;
import org.apache.spark.streaming.dstream.ReceiverInputDStream;
import org.apache.spark.streaming.receiver.Receiver;
import scala.reflect.ClassTag$;

/**
 * The input stream of one {@link ReliableKafkaReceiver}, named after what it reads, such as
 * {@code kafka[clicks,views]@my-group#0}, in the Spark UI's streaming page (Spark's generic stream would show
 * {@code Pluggable Stream [0]}).
 */
public final class KafkaReceiverStream extends ReceiverInputDStream<KafkaRecord> {
  private static final long serialVersionUID = 1L;

  private final ReliableKafkaReceiver receiver;
  private final String label;

  /** A stream of {@code ssc} fed by a receiver for {@code settings}. */
  public KafkaReceiverStream(StreamingContext ssc, KafkaSettings settings, StorageLevel storageLevel) {
    super(ssc, ClassTag$.MODULE$.apply(KafkaRecord.class));
    this.receiver = new ReliableKafkaReceiver(settings, storageLevel);
    this.label = settings.name() + "@" + settings.groupId();
  }

  @Override
  public Receiver<KafkaRecord> getReceiver() {
    return receiver;
  }

  @Override
  public String name() {
    return label + "#" + id();
  }
}
