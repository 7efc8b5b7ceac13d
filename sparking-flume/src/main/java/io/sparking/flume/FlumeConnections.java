package io.sparking.flume;

import io.sparking.flume.internal.AvroPushServer;
import io.sparking.flume.internal.EventBatchStore;
import io.sparking.flume.internal.PullWorkers;
import io.sparking.flume.protocol.Settlement;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The receivers' Flume connections without a Spark receiver around them, for a consumer that keeps
 * batches somewhere of its own (such as the Structured Streaming source in {@code
 * sparking-flume-sql}, which keeps them in a log under its checkpoint). The same pull connections
 * and push endpoint as {@link SparkingFlume}'s streams, with the same settings and the same rule:
 * nothing is acknowledged to Flume before {@link FlumeBatchStore#store} returned.
 *
 * <pre>{@code
 * try (AutoCloseable pulling = FlumeConnections.pull(agents, PullSettings.defaults(), log::append)) {
 *   ...
 * }
 * }</pre>
 */
public final class FlumeConnections {
  private FlumeConnections() {}

  /** A running push endpoint: its port, and {@link #close()} to stop it. */
  public interface Endpoint extends AutoCloseable {
    /** The port it listens on (the chosen one when asked for port 0). */
    int port();

    /** Stops accepting, closes every connection and stops the endpoint's threads. */
    @Override
    void close();
  }

  /** Running pull connections; {@link #close()} stops them, nacking the batches in flight. */
  public interface Pulling extends AutoCloseable {
    /** Events stored so far, over all connections. */
    long storedEvents();

    /** Stops pulling within {@link PullSettings#stopGrace()} and a few seconds more. */
    @Override
    void close();
  }

  /**
   * Pulls from {@code agents} over {@link PullSettings#connectionsPerAgent()} connections each,
   * until closed.
   *
   * @throws IllegalArgumentException when the list is empty, has duplicates, or holds an invalid
   *     address
   */
  public static Pulling pull(
      List<InetSocketAddress> agents, PullSettings settings, FlumeBatchStore store) {
    Objects.requireNonNull(store, "store");
    return pull(agents, settings, unchecked(store));
  }

  /**
   * Pulls from {@code agents} like {@link #pull(List, PullSettings, FlumeBatchStore)}, telling
   * {@code store} each batch's transaction and, once it is acknowledged, how it ended.
   *
   * @throws IllegalArgumentException when the list is empty, has duplicates, or holds an invalid
   *     address
   */
  public static Pulling pull(
      List<InetSocketAddress> agents, PullSettings settings, SettlingBatchStore store) {
    Objects.requireNonNull(store, "store");
    return pull(
        agents,
        settings,
        new EventBatchStore() {
          @Override
          public void store(List<FlumeEvent> events) {
            throw new IllegalStateException(
                "pull connections store batches with their transaction");
          }

          @Override
          public void store(String agent, String transaction, List<FlumeEvent> events) {
            try {
              store.store(agent, transaction, events);
            } catch (RuntimeException e) {
              throw e;
            } catch (Exception e) {
              throw new IllegalStateException(
                  "storing a batch of " + events.size() + " events failed", e);
            }
          }

          @Override
          public void settled(String agent, String transaction, Settlement settlement) {
            store.settled(agent, transaction, settlement);
          }
        });
  }

  private static Pulling pull(
      List<InetSocketAddress> agents, PullSettings settings, EventBatchStore store) {
    Objects.requireNonNull(settings, "settings");
    FlumeAddresses.check("agents", agents);
    List<String> hosts = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    for (InetSocketAddress agent : agents) {
      hosts.add(agent.getHostString());
      ports.add(agent.getPort());
    }
    PullWorkers running = PullWorkers.start(hosts, ports, settings, store);
    return new Pulling() {
      @Override
      public long storedEvents() {
        return running.storedEvents();
      }

      @Override
      public void close() {
        running.close();
      }
    };
  }

  /**
   * Listens on {@code host:port} (port 0 for any free port) for Flume's avro sink, until closed.
   *
   * @throws IllegalArgumentException when the host is blank or the port is not 0-65535
   * @throws IllegalStateException when it cannot listen there, for example when the port is taken
   */
  public static Endpoint push(String host, int port, PushSettings settings, FlumeBatchStore store) {
    Objects.requireNonNull(settings, "settings");
    Objects.requireNonNull(store, "store");
    FlumeAddresses.check("host", host, port == 0 ? 1 : port);
    AvroPushServer server = AvroPushServer.start(host, port, settings, unchecked(store));
    return new Endpoint() {
      @Override
      public int port() {
        return server.port();
      }

      @Override
      public void close() {
        server.close();
      }
    };
  }

  /** The receivers' store, which throws unchecked: a checked failure travels as its cause. */
  private static EventBatchStore unchecked(FlumeBatchStore store) {
    return events -> {
      try {
        store.store(events);
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(
            "storing a batch of " + events.size() + " events failed", e);
      }
    };
  }
}
