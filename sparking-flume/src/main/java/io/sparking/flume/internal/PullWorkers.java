package io.sparking.flume.internal;

import io.sparking.flume.PullSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pull connections of one receiver and their threads: started together, stopped together within
 * a bound.
 */
public final class PullWorkers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PullWorkers.class);

  /** Extra time a stop waits for threads whose connections were closed under them. */
  private static final long ABORT_JOIN_MILLIS = 5_000;

  private final PullSettings settings;
  private final PullConnection.StopSignal stop = new PullConnection.StopSignal();
  private final List<PullConnection> connections = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final int agents;

  private PullWorkers(
      List<String> hosts,
      List<Integer> ports,
      PullSettings settings,
      EventBatchStore store,
      FlumeReceiverMetrics metrics) {
    this.settings = settings;
    this.agents = hosts.size();
    for (int a = 0; a < hosts.size(); a++) {
      for (int c = 0; c < settings.connectionsPerAgent(); c++) {
        PullConnection connection =
            new PullConnection(hosts.get(a), ports.get(a), c, settings, store, stop, metrics);
        Thread thread =
            new Thread(connection, "flume-pull-" + hosts.get(a) + ":" + ports.get(a) + "-" + c);
        thread.setDaemon(true);
        connections.add(connection);
        threads.add(thread);
      }
    }
  }

  /**
   * Starts {@code connectionsPerAgent} connections to each agent {@code hosts[i]:ports[i]}, each on
   * its thread.
   */
  public static PullWorkers start(
      List<String> hosts, List<Integer> ports, PullSettings settings, EventBatchStore store) {
    return start(hosts, ports, settings, store, FlumeReceiverMetrics.detachedPull());
  }

  /**
   * Like {@link #start(List, List, PullSettings, EventBatchStore)}, counting round trips in {@code
   * metrics}.
   */
  static PullWorkers start(
      List<String> hosts,
      List<Integer> ports,
      PullSettings settings,
      EventBatchStore store,
      FlumeReceiverMetrics metrics) {
    PullWorkers workers = new PullWorkers(hosts, ports, settings, store, metrics);
    workers.threads.forEach(Thread::start);
    LOG.info(
        "Pulling from {} agent(s) over {} connections ({})",
        hosts.size(),
        workers.threads.size(),
        settings);
    return workers;
  }

  /** Events stored so far, over all connections. */
  public long storedEvents() {
    return connections.stream().mapToLong(PullConnection::storedEvents).sum();
  }

  /** Batches nacked so far, over all connections. */
  public long nackedBatches() {
    return connections.stream().mapToLong(PullConnection::nackedBatches).sum();
  }

  /** Whether every thread has ended. */
  public boolean stopped() {
    return threads.stream().noneMatch(Thread::isAlive);
  }

  /**
   * Stops pulling: calls in flight get {@link PullSettings#stopGrace()} to come back, their batches
   * nacked; then the connections are closed under whatever still waits, and the threads get a few
   * more seconds to end.
   */
  @Override
  public void close() {
    stop.set();
    long deadline = System.nanoTime() + settings.stopGrace().toNanos();
    for (Thread thread : threads) {
      joinUntil(thread, deadline);
    }
    connections.forEach(PullConnection::abort);
    long abortDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ABORT_JOIN_MILLIS);
    for (Thread thread : threads) {
      joinUntil(thread, abortDeadline);
      if (thread.isAlive()) {
        LOG.warn(
            "Thread {} still runs {} ms after its connection was closed; leaving it (daemon)",
            thread.getName(),
            ABORT_JOIN_MILLIS);
      }
    }
    LOG.info(
        "Stopped pulling from {} agent(s); {} events stored, {} batches nacked",
        agents,
        storedEvents(),
        nackedBatches());
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
