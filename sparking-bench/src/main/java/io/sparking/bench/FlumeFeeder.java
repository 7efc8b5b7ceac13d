package io.sparking.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.flume.Event;
import org.apache.flume.EventDeliveryException;
import org.apache.flume.api.RpcClient;
import org.apache.flume.api.RpcClientFactory;
import org.apache.flume.event.EventBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a run's records as Flume events (body only, no headers) with flume-ng-sdk's {@link RpcClient}, batches of
 * {@link #BATCH}, each acknowledged before the next goes, as Flume's own avro sink does. A batch the server refuses
 * (an agent whose channel is full) is sent again, so the feeder follows the slowest stage behind it.
 */
final class FlumeFeeder implements RunSetup.Feeder {
  private static final Logger LOG = LoggerFactory.getLogger(FlumeFeeder.class);
  /** Events per {@code appendBatch} call. */
  static final int BATCH = 1000;

  private final int port;
  private final long records;
  private final int size;
  private volatile boolean stopped;

  FlumeFeeder(int port, long records, int size) {
    this.port = port;
    this.records = records;
    this.size = size;
  }

  @Override
  public void feed() throws Exception {
    RpcClient client = client();
    long refused = 0;
    try {
      for (long first = 0; first < records && !stopped; ) {
        List<Event> batch = new ArrayList<>(BATCH);
        for (long i = first; i < Math.min(records, first + BATCH); i++) {
          batch.add(EventBuilder.withBody(BenchData.payload(i, size)));
        }
        try {
          client.appendBatch(batch);
          first += batch.size();
        } catch (EventDeliveryException e) {
          if (refused++ == 0) {
            LOG.info("A batch was refused; sending it again, and so every refused batch", e);
          }
          if (!client.isActive()) {
            client.close();
            client = client();
          }
          // A full channel frees up as its sink drains it; a short pause saves the agent from a retry storm.
          Thread.sleep(5);
        }
      }
    } finally {
      client.close();
      if (refused > 0) {
        LOG.info("{} batches were refused and sent again (channel full)", refused);
      }
    }
  }

  private RpcClient client() {
    Properties props = new Properties();
    props.setProperty("client.type", "default");
    props.setProperty("hosts", "h1");
    props.setProperty("hosts.h1", "127.0.0.1:" + port);
    props.setProperty("batch-size", Integer.toString(BATCH));
    props.setProperty("connect-timeout", "10000");
    props.setProperty("request-timeout", "30000");
    return RpcClientFactory.getInstance(props);
  }

  @Override
  public void close() {
    stopped = true;
  }
}
