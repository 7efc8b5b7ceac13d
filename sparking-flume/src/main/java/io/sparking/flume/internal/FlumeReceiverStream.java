package io.sparking.flume.internal;

import io.sparking.flume.FlumeEvent;
import org.apache.spark.streaming.StreamingContext;
import org.apache.spark.streaming.dstream.ReceiverInputDStream;
import org.apache.spark.streaming.receiver.Receiver;
import scala.reflect.ClassTag$;

/**
 * The input stream of one Flume receiver, named after where it listens or pulls, such as
 * {@code flume-push@127.0.0.1:41414#0} or {@code flume-pull@agent1:9999,agent2:9999#1}, in the Spark UI's streaming
 * page (Spark's generic stream would show {@code Pluggable Stream [0]}).
 */
public final class FlumeReceiverStream extends ReceiverInputDStream<FlumeEvent> {
  private static final long serialVersionUID = 1L;

  private final Receiver<FlumeEvent> receiver;

  /** A stream of {@code ssc} fed by {@code receiver}, a {@link FlumePushReceiver} or {@link FlumePollingReceiver}. */
  public FlumeReceiverStream(StreamingContext ssc, Receiver<FlumeEvent> receiver) {
    super(ssc, ClassTag$.MODULE$.apply(FlumeEvent.class));
    this.receiver = receiver;
  }

  @Override
  public Receiver<FlumeEvent> getReceiver() {
    return receiver;
  }

  @Override
  public String name() {
    return receiver + "#" + id();
  }
}
