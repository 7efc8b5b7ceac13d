package io.sparking.flume.internal;

import io.sparking.flume.FlumeEvent;
import io.sparking.flume.PollingSettings;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.streaming.receiver.Receiver;

/**
 * A Spark receiver that pulls from one or more agents running a pull sink, over several connections per agent. A
 * batch is acked only after Spark stored it as one block, and nacked when that failed, so with the write-ahead log
 * on no acknowledged event is lost.
 */
public final class FlumePollingReceiver extends Receiver<FlumeEvent> {
  private static final long serialVersionUID = 1L;

  private final List<String> hosts = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();
  private final PollingSettings settings;
  private transient PullWorkers workers;

  /** A receiver that will pull from {@code agents} once Spark starts it. */
  public FlumePollingReceiver(List<InetSocketAddress> agents, PollingSettings settings) {
    super(settings.storageLevel());
    // Host names rather than addresses travel to the executor, which resolves them itself.
    for (InetSocketAddress agent : agents) {
      hosts.add(agent.getHostString());
      ports.add(agent.getPort());
    }
    this.settings = settings;
  }

  @Override
  public void onStart() {
    workers = PullWorkers.start(hosts, ports, settings, this::storeBatch);
  }

  @Override
  public void onStop() {
    PullWorkers running = workers;
    workers = null;
    if (running != null) {
      running.close();
    }
  }

  private void storeBatch(List<FlumeEvent> events) {
    // Blocks until Spark has the block (and the WAL record); throws when it could not, and the batch is nacked.
    store(events.iterator());
  }
}
