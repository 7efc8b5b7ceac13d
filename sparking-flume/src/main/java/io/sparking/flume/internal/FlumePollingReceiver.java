package io.sparking.flume.internal;

import io.sparking.flume.FlumeEvent;
import io.sparking.flume.PollingSettings;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.streaming.receiver.Receiver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Spark receiver that pulls from one or more agents running a pull sink, over several connections per agent. A
 * batch is acked only after Spark stored it as one block, and nacked when that failed, so with the write-ahead log
 * on no acknowledged event is lost.
 */
public final class FlumePollingReceiver extends Receiver<FlumeEvent> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(FlumePollingReceiver.class);
  /** Extra time a stop waits for threads whose connections were closed under them. */
  private static final long ABORT_JOIN_MILLIS = 5_000;

  private final List<String> hosts = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();
  private final PollingSettings settings;
  private transient PullConnection.StopSignal stop;
  private transient List<PullConnection> connections;
  private transient List<Thread> threads;

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
    stop = new PullConnection.StopSignal();
    connections = new ArrayList<>();
    threads = new ArrayList<>();
    for (int a = 0; a < hosts.size(); a++) {
      for (int c = 0; c < settings.connectionsPerAgent(); c++) {
        PullConnection connection = new PullConnection(hosts.get(a), ports.get(a), c, settings, this::storeBatch,
            stop);
        Thread thread = new Thread(connection, "flume-pull-" + hosts.get(a) + ":" + ports.get(a) + "-" + c);
        thread.setDaemon(true);
        connections.add(connection);
        threads.add(thread);
      }
    }
    threads.forEach(Thread::start);
    LOG.info("Pulling from {} agent(s) over {} connections ({})", hosts.size(), threads.size(), settings);
  }

  @Override
  public void onStop() {
    if (stop == null) {
      return;
    }
    stop.set();
    long deadline = System.nanoTime() + settings.stopGrace().toNanos();
    // Calls in flight get the grace period to come back, so their batches are nacked rather than left to time out.
    for (Thread thread : threads) {
      joinUntil(thread, deadline);
    }
    connections.forEach(PullConnection::abort);
    long abortDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ABORT_JOIN_MILLIS);
    for (Thread thread : threads) {
      joinUntil(thread, abortDeadline);
      if (thread.isAlive()) {
        LOG.warn("Thread {} still runs {} ms after its connection was closed; leaving it (daemon)", thread.getName(),
            ABORT_JOIN_MILLIS);
      }
    }
    long stored = connections.stream().mapToLong(PullConnection::storedEvents).sum();
    LOG.info("Stopped pulling from {} agent(s); {} events stored", hosts.size(), stored);
    stop = null;
  }

  private void storeBatch(List<FlumeEvent> events) {
    // Blocks until Spark has the block (and the WAL record); throws when it could not, and the batch is nacked.
    store(events.iterator());
  }

  private static void joinUntil(Thread thread, long deadlineNanos) {
    long left = deadlineNanos - System.nanoTime();
    if (left <= 0) {
      return;
    }
    try {
      thread.join(TimeUnit.NANOSECONDS.toMillis(left) + 1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
