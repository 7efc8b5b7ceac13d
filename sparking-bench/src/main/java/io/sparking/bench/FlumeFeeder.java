package io.sparking.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;
import org.apache.flume.Event;
import org.apache.flume.EventDeliveryException;
import org.apache.flume.api.RpcClient;
import org.apache.flume.api.RpcClientFactory;
import org.apache.flume.event.EventBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a run's records as Flume events (body only, no headers) with flume-ng-sdk's {@link
 * RpcClient}, batches of {@link #BATCH}, each acknowledged before the next goes, as Flume's own
 * avro sink does. A batch the server refuses (an agent whose channel is full) is sent again, so the
 * feeder follows the slowest stage behind it.
 *
 * <p>With a rate, it sends smaller batches (one every {@link #PACED_BATCH_MILLIS} ms) at that
 * steady rate; for latency runs each body carries its creation time ({@link
 * BenchData#timedPayload}), as the Kafka feeder's do.
 */
final class FlumeFeeder implements RunSetup.Feeder {
  private static final Logger LOG = LoggerFactory.getLogger(FlumeFeeder.class);

  /** Events per {@code appendBatch} call. */
  static final int BATCH = 1000;

  /** One paced batch every this many milliseconds. */
  static final int PACED_BATCH_MILLIS = 5;

  private final int port;
  private final long records;
  private final int size;
  private final int ratePerSecond;
  private final boolean timed;
  private volatile boolean stopped;

  /**
   * A feeder that sends {@code ratePerSecond} events per second, or as fast as the source takes for
   * 0; with {@code timed}, each body carries its creation time.
   */
  FlumeFeeder(int port, long records, int size, int ratePerSecond, boolean timed) {
    this.port = port;
    this.records = records;
    this.size = size;
    this.ratePerSecond = ratePerSecond;
    this.timed = timed;
  }

  @Override
  public void feed() throws Exception {
    RpcClient client = client();
    long refused = 0;
    int batchSize =
        ratePerSecond == 0
            ? BATCH
            : Math.max(1, Math.min(BATCH, ratePerSecond * PACED_BATCH_MILLIS / 1000));
    long startNanos = System.nanoTime();
    try {
      for (long first = 0; first < records && !stopped; ) {
        if (ratePerSecond > 0) {
          // Paced against the start, so a late batch is followed by earlier ones rather than
          // drifting the rate.
          long due = startNanos + first * 1_000_000_000L / ratePerSecond;
          while (System.nanoTime() - due < 0 && !stopped) {
            LockSupport.parkNanos(due - System.nanoTime());
          }
        }
        List<Event> batch = new ArrayList<>(batchSize);
        long created = System.currentTimeMillis();
        for (long i = first; i < Math.min(records, first + batchSize); i++) {
          batch.add(
              EventBuilder.withBody(
                  timed ? BenchData.timedPayload(i, created, size) : BenchData.payload(i, size)));
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
          // A full channel frees up as its sink drains it; a short pause saves the agent from a
          // retry storm.
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
