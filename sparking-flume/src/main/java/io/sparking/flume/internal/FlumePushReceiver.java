package io.sparking.flume.internal;

import io.sparking.flume.FlumeEvent;
import io.sparking.flume.PushSettings;
import java.util.List;
import java.util.Set;
import org.apache.spark.streaming.receiver.Receiver;
import scala.Option;

/**
 * A Spark receiver that Flume's {@code avro} sink pushes to. Each batch the sink sends becomes one Spark block, and
 * the sink hears OK only after the block is stored (in the write-ahead log too when it is on).
 */
public final class FlumePushReceiver extends Receiver<FlumeEvent> {
  private static final long serialVersionUID = 1L;
  private static final Set<String> ANY_HOST = Set.of("0.0.0.0", "::", "localhost", "127.0.0.1", "::1");

  private final String host;
  private final int port;
  private final PushSettings settings;
  private transient AvroPushServer server;
  /** Kept across restarts of this receiver, so its counts go on. */
  private transient FlumeReceiverMetrics metrics;

  /** A receiver that will listen on {@code host:port} once Spark starts it. */
  public FlumePushReceiver(String host, int port, PushSettings settings) {
    super(settings.storageLevel());
    this.host = host;
    this.port = port;
    this.settings = settings;
  }

  @Override
  public Option<String> preferredLocation() {
    // The sink sends to a fixed host, so the receiver must run there; wildcard and loopback addresses name no host.
    return ANY_HOST.contains(host) ? Option.empty() : Option.apply(host);
  }

  @Override
  public void onStart() {
    if (metrics == null) {
      metrics = FlumeReceiverMetrics.forPush(streamId());
    }
    // A sink that cannot even connect (no SSL, an untrusted certificate) is reported to the driver, where an
    // operator looks, and not only logged on the executor; the receiver keeps serving the other sinks.
    server = AvroPushServer.start(host, port, settings, this::storeBatch, this::reportError);
    metrics.register();
  }

  @Override
  public void onStop() {
    AvroPushServer running = server;
    server = null;
    if (running != null) {
      running.close();
    }
    if (metrics != null) {
      metrics.unregister();
    }
  }

  /** The name of this receiver in logs and the Spark UI, such as {@code flume-push@127.0.0.1:41414}. */
  @Override
  public String toString() {
    return "flume-push@" + host + ":" + port;
  }

  private void storeBatch(List<FlumeEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    if (isStopped()) {
      throw new IllegalStateException("receiver for " + host + ":" + port + " is stopping");
    }
    // Blocks until Spark has the block (and the WAL record); throws when it could not, so the sink hears FAILED.
    try {
      store(events.iterator());
    } catch (RuntimeException e) {
      metrics.pushAnswered(false);
      throw e;
    }
    metrics.batchStored(events);
    metrics.pushAnswered(true);
  }
}
