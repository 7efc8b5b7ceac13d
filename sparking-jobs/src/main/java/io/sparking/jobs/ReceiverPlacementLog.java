package io.sparking.jobs;

import org.apache.spark.streaming.scheduler.ReceiverInfo;
import org.apache.spark.streaming.scheduler.StreamingListener;
import org.apache.spark.streaming.scheduler.StreamingListenerReceiverStarted;

/**
 * Prints one line each time a receiver starts, naming where it runs: {@code receiver <name> (stream
 * <id>) started on executor <id> at <host>}.
 *
 * <p>Spark's REST API lists receivers only while the driver's UI runs ({@code
 * /api/v1/applications/<id>/streaming/receivers}); this line shows, UI or not, how Spark spread
 * them over the executors. A receiver restarted elsewhere prints a new line.
 */
final class ReceiverPlacementLog implements StreamingListener {
  @Override
  public void onReceiverStarted(StreamingListenerReceiverStarted started) {
    ReceiverInfo info = started.receiverInfo();
    System.out.println(
        "receiver "
            + info.name()
            + " (stream "
            + info.streamId()
            + ") started on executor "
            + info.executorId()
            + " at "
            + info.location());
  }
}
