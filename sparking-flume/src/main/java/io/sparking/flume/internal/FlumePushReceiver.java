package io.sparking.flume.internal;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import io.sparking.core.spi.DrainableReceiver;
import io.sparking.flume.FlumeEvent;
import io.sparking.flume.PushSettings;
import java.util.List;
import java.util.Set;
import org.apache.spark.storage.StorageLevel;
import scala.Option;

/**
 * A Spark receiver that Flume's {@code avro} sink pushes to. The batches that arrive while a block
 * is being stored make up the next block ({@link GroupCommitStore}), and a sink hears OK only after
 * the block holding its batch is stored (in the write-ahead log too when it is on). A drain (before
 * a graceful stop) answers FAILED to every new batch, so the sinks keep it in their channels, and
 * returns once the batches already being stored are stored and answered OK; the port stays open
 * until the receiver stops, so the sinks see refusals rather than a dead endpoint.
 */
// Travels to its executor with Java serialization under Kryo too: see DrainableReceiver.
@DefaultSerializer(JavaSerializer.class)
public final class FlumePushReceiver extends DrainableReceiver<FlumeEvent> {
  private static final long serialVersionUID = 1L;
  private static final Set<String> ANY_HOST =
      Set.of("0.0.0.0", "::", "localhost", "127.0.0.1", "::1");

  private final String host;
  private final int port;
  private final PushSettings settings;
  private transient AvroPushServer server;
  private transient GroupCommitStore blocks;

  /** Kept across restarts of this receiver, so its counts go on. */
  private transient FlumeReceiverMetrics metrics;

  /** Batches being stored right now, and whether new ones are refused; guarded by {@code this}. */
  private transient int storing;

  private transient boolean draining;

  /**
   * A receiver that will listen on {@code host:port} once Spark starts it, keeping blocks at {@code
   * storageLevel}.
   */
  public FlumePushReceiver(
      String host, int port, PushSettings settings, StorageLevel storageLevel) {
    super(storageLevel);
    this.host = host;
    this.port = port;
    this.settings = settings;
  }

  @Override
  public Option<String> preferredLocation() {
    // The sink sends to a fixed host, so the receiver must run there; wildcard and loopback
    // addresses name no host.
    return ANY_HOST.contains(host) ? Option.empty() : Option.apply(host);
  }

  @Override
  protected void startReceiving() {
    synchronized (this) {
      draining = false;
      storing = 0;
    }
    if (metrics == null) {
      metrics = FlumeReceiverMetrics.forPush(streamId());
    }
    // A sink that cannot even connect (no SSL, an untrusted certificate) is reported to the driver,
    // where an
    // operator looks, and not only logged on the executor; the receiver keeps serving the other
    // sinks.
    blocks = new GroupCommitStore(this::storeBlock);
    server = AvroPushServer.start(host, port, settings, this::storeBatch, this::reportError);
    metrics.register();
  }

  @Override
  protected String drain() throws InterruptedException {
    long deadline = System.nanoTime() + AvroPushServer.STOP_TIMEOUT.toNanos();
    synchronized (this) {
      draining = true;
      while (storing > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return "refusing new batches; "
              + storing
              + " batch(es) still being stored after "
              + AvroPushServer.STOP_TIMEOUT.toSeconds()
              + " s";
        }
        java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }
    return "refusing new batches; every batch answered OK is stored";
  }

  @Override
  protected void stopReceiving() {
    AvroPushServer running = server;
    server = null;
    if (running != null) {
      running.close();
    }
    if (metrics != null) {
      metrics.unregister();
    }
  }

  /**
   * The name of this receiver in logs and the Spark UI, such as {@code flume-push@127.0.0.1:41414}.
   */
  @Override
  public String toString() {
    return "flume-push@" + host + ":" + port;
  }

  private void storeBatch(List<FlumeEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    synchronized (this) {
      if (draining || isStopped()) {
        throw new IllegalStateException(
            "receiver for "
                + host
                + ":"
                + port
                + " is stopping; the sink keeps the batch"
                + " and sends it again");
      }
      storing++;
    }
    // Blocks until Spark has the block holding the batch (and the WAL record); throws when it could
    // not, so the
    // sink hears FAILED.
    try {
      blocks.store(events);
    } catch (RuntimeException e) {
      metrics.pushAnswered(false);
      throw e;
    } finally {
      synchronized (this) {
        storing--;
        notifyAll();
      }
    }
    metrics.pushAnswered(true);
  }

  /** Stores the batches of one group as one block. */
  private void storeBlock(List<FlumeEvent> events) {
    storePacked(FlumeEventFormat.INSTANCE, events);
    metrics.blockStored(events);
  }
}
