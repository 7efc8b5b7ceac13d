package io.sparking.flume;

import io.sparking.core.spi.InvalidSetting;
import io.sparking.core.spi.ReceiverStorage;
import java.io.Serializable;
import java.time.Duration;
import java.util.Optional;
import org.apache.spark.storage.StorageLevel;

/**
 * How a pull receiver pulls from agents running Sparking's pull sink (or Spark 2.4's {@code
 * SparkSink}): batch size, connections per agent, and the bounds on every call. Built once,
 * validated at {@link Builder#build()}.
 *
 * <pre>{@code
 * PullSettings settings = PullSettings.builder()
 *     .batchSize(2000)
 *     .connectionsPerAgent(4)
 *     .build();
 * }</pre>
 *
 * <p>No setting is required; {@link #defaults()} suits a sink with its default options.
 */
public final class PullSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * Default storage level without the write-ahead log: serialized, memory then disk, replicated
   * twice, as Spark's own receivers use.
   */
  public static final StorageLevel DEFAULT_STORAGE_LEVEL = ReceiverStorage.DEFAULT_LEVEL;

  /**
   * Default storage level with the write-ahead log on: serialized, memory then disk, one copy. The
   * log already makes a block durable, so Spark keeps one copy whatever the level asks (and warns
   * about a second).
   */
  public static final StorageLevel DEFAULT_STORAGE_LEVEL_WITH_WRITE_AHEAD_LOG =
      ReceiverStorage.DEFAULT_LEVEL_WITH_WRITE_AHEAD_LOG;

  /** Default most events asked for in one call. */
  public static final int DEFAULT_BATCH_SIZE = 1000;

  /** Default connections to each agent, each with one batch in flight at a time. */
  public static final int DEFAULT_CONNECTIONS_PER_AGENT = 5;

  /**
   * Default bound on one call (getEventBatch, ack or nack) before the connection is dropped and
   * made again.
   */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);

  /** Default bound on connecting to an agent. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** Default pause after a batch came back empty or with an error, before asking again. */
  public static final Duration DEFAULT_EMPTY_BACKOFF = Duration.ofMillis(100);

  /** Default pause before connecting again after a connection failed. */
  public static final Duration DEFAULT_RECONNECT_BACKOFF = Duration.ofSeconds(1);

  /**
   * Default time a stopping receiver lets calls in flight come back, so that their batches are
   * nacked (delivered again at once) rather than left to the sink's own timeout. Then the
   * connections are closed regardless.
   */
  public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(5);

  private final StorageLevel storageLevel;
  private final int batchSize;
  private final int connectionsPerAgent;
  private final Duration callTimeout;
  private final Duration connectTimeout;
  private final Duration emptyBackoff;
  private final Duration reconnectBackoff;
  private final Duration stopGrace;

  private PullSettings(Builder b) {
    this.storageLevel =
        b.storageLevelChosen
            ? InvalidSetting.required(
                "storageLevel",
                b.storageLevel,
                "pass a Spark StorageLevel, or leave it unset for the default")
            : null;
    this.batchSize = InvalidSetting.inRange("batchSize", b.batchSize, 1, 100_000, "events");
    this.connectionsPerAgent =
        InvalidSetting.inRange("connectionsPerAgent", b.connectionsPerAgent, 1, 64, "");
    this.callTimeout =
        InvalidSetting.inRange(
            "callTimeout", b.callTimeout, Duration.ofMillis(100), Duration.ofMinutes(10));
    this.connectTimeout =
        InvalidSetting.inRange(
            "connectTimeout", b.connectTimeout, Duration.ofMillis(100), Duration.ofMinutes(5));
    this.emptyBackoff =
        InvalidSetting.inRange(
            "emptyBackoff", b.emptyBackoff, Duration.ZERO, Duration.ofMinutes(1));
    this.reconnectBackoff =
        InvalidSetting.inRange(
            "reconnectBackoff", b.reconnectBackoff, Duration.ofMillis(10), Duration.ofMinutes(5));
    this.stopGrace =
        InvalidSetting.inRange("stopGrace", b.stopGrace, Duration.ZERO, Duration.ofMinutes(5));
  }

  /** Settings with every default. */
  public static PullSettings defaults() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Where Spark keeps received blocks, if chosen; otherwise the stream picks {@link
   * #DEFAULT_STORAGE_LEVEL_WITH_WRITE_AHEAD_LOG} or {@link #DEFAULT_STORAGE_LEVEL} by whether
   * {@code spark.streaming.receiver.writeAheadLog.enable} is on.
   */
  public Optional<StorageLevel> storageLevel() {
    return Optional.ofNullable(storageLevel);
  }

  /** The most events asked for in one call. */
  public int batchSize() {
    return batchSize;
  }

  /** Connections to each agent. */
  public int connectionsPerAgent() {
    return connectionsPerAgent;
  }

  /** Bound on one call. */
  public Duration callTimeout() {
    return callTimeout;
  }

  /** Bound on connecting. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** Pause after an empty batch. */
  public Duration emptyBackoff() {
    return emptyBackoff;
  }

  /** Pause before reconnecting. */
  public Duration reconnectBackoff() {
    return reconnectBackoff;
  }

  /** Time a stopping receiver gives calls in flight. */
  public Duration stopGrace() {
    return stopGrace;
  }

  @Override
  public String toString() {
    return "PullSettings{storageLevel="
        + (storageLevel == null ? "default" : storageLevel.description())
        + ", batchSize="
        + batchSize
        + ", connectionsPerAgent="
        + connectionsPerAgent
        + ", callTimeout="
        + callTimeout
        + ", connectTimeout="
        + connectTimeout
        + ", emptyBackoff="
        + emptyBackoff
        + ", reconnectBackoff="
        + reconnectBackoff
        + ", stopGrace="
        + stopGrace
        + "}";
  }

  /** Builds {@link PullSettings}; every setting is optional. */
  public static final class Builder {
    private StorageLevel storageLevel;
    private boolean storageLevelChosen;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private int connectionsPerAgent = DEFAULT_CONNECTIONS_PER_AGENT;
    private Duration callTimeout = DEFAULT_CALL_TIMEOUT;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration emptyBackoff = DEFAULT_EMPTY_BACKOFF;
    private Duration reconnectBackoff = DEFAULT_RECONNECT_BACKOFF;
    private Duration stopGrace = DEFAULT_STOP_GRACE;

    private Builder() {}

    /**
     * Where Spark keeps received blocks, kept as given. Default: {@link
     * #DEFAULT_STORAGE_LEVEL_WITH_WRITE_AHEAD_LOG} when the write-ahead log is on, {@link
     * #DEFAULT_STORAGE_LEVEL} otherwise.
     */
    public Builder storageLevel(StorageLevel storageLevel) {
      this.storageLevel = storageLevel;
      this.storageLevelChosen = true;
      return this;
    }

    /**
     * Most events per call, 1-100000; default {@value #DEFAULT_BATCH_SIZE}. The sink may cap it
     * lower.
     */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /**
     * Connections to each agent, 1-64; default {@value #DEFAULT_CONNECTIONS_PER_AGENT}. Keep it at
     * or below the sink's {@code threads}, or connections wait for each other.
     */
    public Builder connectionsPerAgent(int connectionsPerAgent) {
      this.connectionsPerAgent = connectionsPerAgent;
      return this;
    }

    /**
     * Bound on each call, 100 ms to 10 min; default 30 s. Keep it above the sink's wait on an empty
     * channel (Sparking's sink: {@code batchWait}); Spark 2.4's sink never answers on an empty
     * channel, so this bound is what frees the connection.
     */
    public Builder callTimeout(Duration callTimeout) {
      this.callTimeout = callTimeout;
      return this;
    }

    /** Bound on connecting, 100 ms to 5 min; default 10 s. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
      return this;
    }

    /** Pause after an empty batch, 0 to 1 min; default 100 ms. */
    public Builder emptyBackoff(Duration emptyBackoff) {
      this.emptyBackoff = emptyBackoff;
      return this;
    }

    /** Pause before reconnecting after a failure, 10 ms to 5 min; default 1 s. */
    public Builder reconnectBackoff(Duration reconnectBackoff) {
      this.reconnectBackoff = reconnectBackoff;
      return this;
    }

    /**
     * Time a stopping receiver gives calls in flight before closing connections, 0 to 5 min;
     * default 5 s.
     */
    public Builder stopGrace(Duration stopGrace) {
      this.stopGrace = stopGrace;
      return this;
    }

    /**
     * The validated settings.
     *
     * @throws IllegalArgumentException naming the first invalid setting, its value and what is
     *     valid
     */
    public PullSettings build() {
      return new PullSettings(this);
    }
  }
}
