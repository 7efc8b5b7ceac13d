package io.sparking.flume.sink;

import java.time.Duration;
import java.util.Objects;
import org.apache.flume.Context;

/**
 * The settings of a {@link SparkingSink}, read once from the sink's Flume context and validated
 * there.
 *
 * <p>Every key is a constant with its default next to it. A bad value fails the sink's
 * configuration with an {@link IllegalArgumentException} that names the key, the value and what
 * would be valid.
 *
 * <pre>
 * a1.sinks.k1.type = io.sparking.flume.sink.SparkingSink
 * a1.sinks.k1.channel = c1
 * a1.sinks.k1.hostname = 0.0.0.0
 * a1.sinks.k1.port = 9999
 * </pre>
 */
public final class SparkingSinkConfig {
  /**
   * The address the sink's Avro server binds to. Default {@value #DEFAULT_HOSTNAME}: only local
   * receivers can connect. Set it to the agent's address (or {@code 0.0.0.0}) when Spark executors
   * run on other hosts.
   */
  public static final String HOSTNAME = "hostname";

  /** Default of {@link #HOSTNAME}. */
  public static final String DEFAULT_HOSTNAME = "127.0.0.1";

  /** The port the sink's Avro server listens on, 1 to 65535. Required. */
  public static final String PORT = "port";

  /**
   * The most transactions open at once, each holding one batch that waits for its ack or nack. A
   * request beyond that waits at most {@link #BATCH_WAIT} for one to end, then gets an error batch.
   * Default {@value #DEFAULT_THREADS}.
   */
  public static final String THREADS = "threads";

  /** Default of {@link #THREADS}. */
  public static final int DEFAULT_THREADS = 10;

  /**
   * Seconds a batch waits for its ack or nack after it was handed out. Then its transaction rolls
   * back and its events are delivered again; a later ack is ignored. Default {@value
   * #DEFAULT_TIMEOUT_SECONDS}.
   */
  public static final String TIMEOUT = "timeout";

  /** Default of {@link #TIMEOUT}, in seconds. */
  public static final int DEFAULT_TIMEOUT_SECONDS = 60;

  /**
   * Milliseconds a request waits for the first event when the channel is empty; then it gets an
   * empty batch whose {@code errorMsg} says so. Once it has events, a request returns as soon as a
   * take finds the channel empty, so this wait never holds events back. A channel's own take may
   * block on an empty channel, though: the memory channel's waits up to its {@code keep-alive} (3 s
   * by default), which adds to this wait and to the hand-out of every batch that empties the
   * channel. Set {@code keep-alive} to 0 or 1 on a channel this sink drains (0 makes sources fail
   * at once instead of waiting when the channel is full). Default {@value
   * #DEFAULT_BATCH_WAIT_MILLIS}.
   */
  public static final String BATCH_WAIT = "batchWait";

  /** Default of {@link #BATCH_WAIT}, in milliseconds. */
  public static final int DEFAULT_BATCH_WAIT_MILLIS = 1000;

  /**
   * The most events in one batch, whatever a receiver asks for. A batch is also cut short where the
   * channel's {@code transactionCapacity} ends. Default {@value #DEFAULT_MAX_BATCH_SIZE}.
   */
  public static final String MAX_BATCH_SIZE = "maxBatchSize";

  /** Default of {@link #MAX_BATCH_SIZE}. */
  public static final int DEFAULT_MAX_BATCH_SIZE = 10_000;

  private final String hostname;
  private final int port;
  private final int threads;
  private final Duration timeout;
  private final Duration batchWait;
  private final int maxBatchSize;

  private SparkingSinkConfig(
      String hostname,
      int port,
      int threads,
      Duration timeout,
      Duration batchWait,
      int maxBatchSize) {
    this.hostname = hostname;
    this.port = port;
    this.threads = threads;
    this.timeout = timeout;
    this.batchWait = batchWait;
    this.maxBatchSize = maxBatchSize;
  }

  /** Reads and validates the settings from a sink's Flume context. */
  public static SparkingSinkConfig from(Context context) {
    Objects.requireNonNull(context, "context");
    String hostname = context.getString(HOSTNAME, DEFAULT_HOSTNAME).trim();
    if (hostname.isEmpty()) {
      throw new IllegalArgumentException(
          "Sink setting '"
              + HOSTNAME
              + "' is empty: give an address to bind to,"
              + " such as "
              + DEFAULT_HOSTNAME
              + " (local receivers only) or 0.0.0.0 (all interfaces)");
    }
    String rawPort = context.getString(PORT);
    if (rawPort == null || rawPort.isBlank()) {
      throw new IllegalArgumentException(
          "Sink setting '"
              + PORT
              + "' is missing: give the port the Spark receivers"
              + " pull from, 1 to 65535");
    }
    int port = intIn(PORT, rawPort, 1, 65_535, "a port");
    int threads =
        intIn(
            THREADS,
            context.getString(THREADS, String.valueOf(DEFAULT_THREADS)),
            1,
            1_000,
            "the most transactions open at once");
    int timeout =
        intIn(
            TIMEOUT,
            context.getString(TIMEOUT, String.valueOf(DEFAULT_TIMEOUT_SECONDS)),
            1,
            86_400,
            "seconds a batch waits for its ack");
    int batchWait =
        intIn(
            BATCH_WAIT,
            context.getString(BATCH_WAIT, String.valueOf(DEFAULT_BATCH_WAIT_MILLIS)),
            0,
            600_000,
            "milliseconds to wait on an empty channel");
    int maxBatchSize =
        intIn(
            MAX_BATCH_SIZE,
            context.getString(MAX_BATCH_SIZE, String.valueOf(DEFAULT_MAX_BATCH_SIZE)),
            1,
            1_000_000,
            "the most events in one batch");
    return new SparkingSinkConfig(
        hostname,
        port,
        threads,
        Duration.ofSeconds(timeout),
        Duration.ofMillis(batchWait),
        maxBatchSize);
  }

  private static int intIn(String key, String raw, int min, int max, String meaning) {
    int value;
    try {
      value = Integer.parseInt(raw.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "Sink setting '"
              + key
              + "' = '"
              + raw
              + "' is not a whole number; give "
              + meaning
              + ", "
              + min
              + " to "
              + max,
          e);
    }
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          "Sink setting '"
              + key
              + "' = "
              + value
              + " is out of range; give "
              + meaning
              + ", "
              + min
              + " to "
              + max);
    }
    return value;
  }

  /** The address the Avro server binds to. */
  public String hostname() {
    return hostname;
  }

  /** The port the Avro server listens on. */
  public int port() {
    return port;
  }

  /** The most transactions open at once. */
  public int threads() {
    return threads;
  }

  /** How long a handed-out batch waits for its ack or nack before it rolls back. */
  public Duration timeout() {
    return timeout;
  }

  /** How long a request waits on an empty channel before it gets an empty batch. */
  public Duration batchWait() {
    return batchWait;
  }

  /** The most events in one batch. */
  public int maxBatchSize() {
    return maxBatchSize;
  }

  @Override
  public String toString() {
    return HOSTNAME
        + "="
        + hostname
        + ", "
        + PORT
        + "="
        + port
        + ", "
        + THREADS
        + "="
        + threads
        + ", "
        + TIMEOUT
        + "="
        + timeout.toSeconds()
        + "s, "
        + BATCH_WAIT
        + "="
        + batchWait.toMillis()
        + "ms, "
        + MAX_BATCH_SIZE
        + "="
        + maxBatchSize;
  }
}
