package io.sparking.flume.internal;

import com.esotericsoftware.kryo.DefaultSerializer;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import io.sparking.core.spi.DrainableReceiver;
import io.sparking.flume.FlumeEvent;
import io.sparking.flume.PullSettings;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.storage.StorageLevel;

/**
 * A Spark receiver that pulls from one or more agents running a pull sink, over several connections
 * per agent. A batch is acked only after Spark stored the block holding it (the batches pulled
 * while a block is being stored make up the next one, {@link GroupCommitStore}), and nacked when
 * that failed, so with the write-ahead log on no acknowledged event is lost. A drain (before a
 * graceful stop) stops pulling: batches in flight are stored and acked, or nacked back into the
 * agent's channel.
 */
// Travels to its executor with Java serialization under Kryo too: see DrainableReceiver.
@DefaultSerializer(JavaSerializer.class)
public final class FlumePullReceiver extends DrainableReceiver<FlumeEvent> {
  private static final long serialVersionUID = 1L;

  private final List<String> hosts = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();
  private final PullSettings settings;
  private transient PullWorkers workers;

  /** Kept across restarts of this receiver, so its counts go on. */
  private transient FlumeReceiverMetrics metrics;

  /**
   * A receiver that will pull from {@code agents} once Spark starts it, keeping its blocks at
   * {@code storageLevel}.
   */
  public FlumePullReceiver(
      List<InetSocketAddress> agents, PullSettings settings, StorageLevel storageLevel) {
    super(storageLevel);
    // Host names rather than addresses travel to the executor, which resolves them itself.
    for (InetSocketAddress agent : agents) {
      hosts.add(agent.getHostString());
      ports.add(agent.getPort());
    }
    this.settings = settings;
  }

  @Override
  protected void startReceiving() {
    if (metrics == null) {
      metrics = FlumeReceiverMetrics.forPull(streamId());
    }
    metrics.register();
    GroupCommitStore blocks = new GroupCommitStore(this::storeBlock);
    workers = PullWorkers.start(hosts, ports, settings, blocks, metrics);
  }

  @Override
  protected synchronized String drain() {
    PullWorkers running = workers;
    workers = null;
    if (running == null) {
      return "nothing to drain";
    }
    running.close();
    return "stopped pulling; "
        + running.storedEvents()
        + " events stored and acked, "
        + running.nackedBatches()
        + " batches nacked back to the agents";
  }

  @Override
  protected void stopReceiving() {
    drain();
    if (metrics != null) {
      metrics.unregister();
    }
  }

  /**
   * The name of this receiver in logs and the Spark UI, such as {@code
   * flume-pull@agent1:9999,agent2:9999}.
   */
  @Override
  public String toString() {
    StringBuilder name = new StringBuilder("flume-pull@");
    for (int i = 0; i < hosts.size(); i++) {
      name.append(i == 0 ? "" : ",").append(hosts.get(i)).append(':').append(ports.get(i));
    }
    return name.toString();
  }

  /**
   * Stores the batches of one group as one block; throws when Spark could not, and they are all
   * nacked.
   */
  private void storeBlock(List<FlumeEvent> events) {
    storePacked(FlumeEventFormat.INSTANCE, events);
    metrics.blockStored(events);
  }
}
