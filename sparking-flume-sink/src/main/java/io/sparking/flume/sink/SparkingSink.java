package io.sparking.flume.sink;

import io.sparking.flume.sink.internal.BatchServer;
import org.apache.flume.Context;
import org.apache.flume.Sink;
import org.apache.flume.conf.Configurable;
import org.apache.flume.instrumentation.SinkCounter;
import org.apache.flume.sink.AbstractSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Flume sink that Spark receivers pull from: it hands out batches of events, each in a channel
 * transaction that an ack commits and a nack, a timeout or a stop rolls back, so no event leaves
 * the channel before a receiver has stored it.
 *
 * <p>It speaks the Avro protocol of Spark 2.4's {@code SparkSink}, so both old and Sparking
 * receivers can pull from it. Unlike the old sink, every wait is bounded: on an empty channel a
 * request gets an empty batch after {@link SparkingSinkConfig#BATCH_WAIT}, and a late ack never
 * commits a batch that already rolled back.
 *
 * <pre>
 * a1.channels.c1.type = memory
 * a1.sinks.k1.type = io.sparking.flume.sink.SparkingSink
 * a1.sinks.k1.channel = c1
 * a1.sinks.k1.hostname = 0.0.0.0
 * a1.sinks.k1.port = 9999
 * </pre>
 *
 * <p>Settings and defaults are listed in {@link SparkingSinkConfig}.
 *
 * <p>Bad clients: a connection whose request frame declares more than 1 MiB (real requests are far
 * smaller) is closed before anything is buffered for it, and so is one sending bytes that cannot be
 * Avro RPC; a client that connects and stays silent holds no transaction and is left open. The sink
 * sets no limit on the size of an event: the source and channel in front of it do, and it hands out
 * what the channel holds.
 */
public final class SparkingSink extends AbstractSink implements Configurable {
  private static final Logger LOG = LoggerFactory.getLogger(SparkingSink.class);

  private SparkingSinkConfig config;
  private SinkCounter counter;
  private BatchServer server;

  /** Reads and validates the settings; a bad one fails here with a message naming its key. */
  @Override
  public void configure(Context context) {
    config = SparkingSinkConfig.from(context);
    if (counter == null) {
      counter = new SinkCounter(getName());
    }
    LOG.info("Sink {} configured: {}", getName(), config);
  }

  /** Binds the Avro server and starts handing out batches. */
  @Override
  public synchronized void start() {
    if (config == null) {
      throw new IllegalStateException(
          "Sink " + getName() + " was started before it was configured");
    }
    counter.start();
    server = BatchServer.start(getName(), getChannel(), config, counter);
    super.start();
  }

  /** Rolls back every open transaction and closes the server, within a bounded time. */
  @Override
  public synchronized void stop() {
    try {
      if (server != null) {
        server.close();
        server = null;
      }
    } finally {
      counter.stop();
      super.stop();
    }
  }

  /**
   * Does nothing and asks the runner to back off: batches are taken on the threads that serve
   * receivers' requests, not on the runner's thread.
   */
  @Override
  public Sink.Status process() {
    return Sink.Status.BACKOFF;
  }

  /** The port the sink listens on, or -1 when it is not running. */
  public int port() {
    BatchServer current = server;
    return current == null ? -1 : current.port();
  }

  /** How many handed-out batches wait for their ack or nack at the moment. */
  public int openTransactions() {
    BatchServer current = server;
    return current == null ? 0 : current.openTransactions();
  }

  /** How many receivers are connected at the moment. */
  public int openConnections() {
    BatchServer current = server;
    return current == null ? 0 : current.openConnections();
  }

  /** How many requests wait for events on an empty channel at the moment. */
  public int waitingRequests() {
    BatchServer current = server;
    return current == null ? 0 : current.waitingRequests();
  }
}
