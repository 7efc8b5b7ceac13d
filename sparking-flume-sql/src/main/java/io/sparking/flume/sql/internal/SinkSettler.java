package io.sparking.flume.sql.internal;

import io.sparking.flume.PullSettings;
import io.sparking.flume.protocol.PullClient;
import io.sparking.flume.protocol.Settlement;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks pull sinks how transactions ended, for the batches a crash left logged but unsettled: one
 * connection per agent while the log recovers. An agent that cannot be reached, or a sink that
 * cannot tell (Spark 2.4.8's), gives {@link Settlement#UNKNOWN}: the batch is kept, never lost, and
 * comes twice if its transaction rolled back.
 */
final class SinkSettler implements SourceLog.Settler, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SinkSettler.class);

  private final PullSettings settings;
  private final Map<String, PullClient> clients = new HashMap<>();
  private final Map<String, String> unreachable = new HashMap<>();

  SinkSettler(PullSettings settings) {
    this.settings = settings;
  }

  @Override
  public Settlement settle(String agent, String transaction) {
    if (unreachable.containsKey(agent)) {
      return Settlement.UNKNOWN;
    }
    try {
      Settlement settlement = client(agent).settle(transaction);
      if (settlement == Settlement.UNKNOWN) {
        LOG.warn(
            "The sink at {} does not know how batch {} ended (Spark 2.4.8's sink, or the agent"
                + " restarted): kept; if it rolled back, its events are read twice",
            agent,
            transaction);
      }
      return settlement;
    } catch (IOException | RuntimeException e) {
      unreachable.put(agent, e.toString());
      PullClient broken = clients.remove(agent);
      if (broken != null) {
        broken.close();
      }
      LOG.warn(
          "Could not ask the sink at {} how batch {} ended ({}): its batches left unsettled are"
              + " kept; those that rolled back are read twice",
          agent,
          transaction,
          e.toString());
      return Settlement.UNKNOWN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Settlement.UNKNOWN;
    }
  }

  private PullClient client(String agent) throws IOException {
    PullClient client = clients.get(agent);
    if (client == null) {
      int colon = agent.lastIndexOf(':');
      client =
          PullClient.connect(
              new InetSocketAddress(
                  agent.substring(0, colon), Integer.parseInt(agent.substring(colon + 1))),
              settings.connectTimeout(),
              settings.callTimeout());
      clients.put(agent, client);
    }
    return client;
  }

  @Override
  public void close() {
    clients.values().forEach(PullClient::close);
    clients.clear();
  }
}
