package io.sparking.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.streaming.api.java.JavaStreamingContext;

/**
 * A Spark Streaming context in local mode on loopback, with its checkpoint directory (and so its
 * write-ahead log) in a directory the caller owns. Closing it stops the context and its
 * SparkContext.
 *
 * <pre>{@code
 * try (LocalStreaming spark = LocalStreaming.builder(tempDir).writeAheadLog(true).start()) {
 *   JavaStreamingContext jssc = spark.context();
 * }
 * }</pre>
 */
public final class LocalStreaming implements AutoCloseable {
  private final JavaStreamingContext context;

  private LocalStreaming(JavaStreamingContext context) {
    this.context = context;
  }

  /** Starts configuring a context whose checkpoint directory is {@code checkpointDir}. */
  public static Builder builder(Path checkpointDir) {
    return new Builder(checkpointDir);
  }

  /** The streaming context; start it once its streams and outputs are defined. */
  public JavaStreamingContext context() {
    return context;
  }

  /**
   * Stops the context and its SparkContext; {@code graceful} first processes every record already
   * received. Stopping twice is harmless.
   */
  public void stop(boolean graceful) {
    context.stop(true, graceful);
  }

  /** Stops processing at once (no graceful drain) and the SparkContext with it. */
  @Override
  public void close() {
    stop(false);
  }

  /** Configures a {@link LocalStreaming}. */
  public static final class Builder {
    private final Path checkpointDir;
    private String master = "local[4]";
    private Duration batchInterval = Duration.ofMillis(500);
    private final Map<String, String> conf = new LinkedHashMap<>();

    private Builder(Path checkpointDir) {
      this.checkpointDir = checkpointDir;
    }

    /**
     * The Spark master; default {@code local[4]} (receivers take a core each, batches need the
     * rest).
     */
    public Builder master(String master) {
      this.master = master;
      return this;
    }

    /** The batch interval; default 500 ms. */
    public Builder batchInterval(Duration interval) {
      this.batchInterval = interval;
      return this;
    }

    /** Turns the receivers' write-ahead log on or off (default off). */
    public Builder writeAheadLog(boolean enabled) {
      return set("spark.streaming.receiver.writeAheadLog.enable", String.valueOf(enabled));
    }

    /** Any Spark setting. */
    public Builder set(String key, String value) {
      conf.put(key, value);
      return this;
    }

    /**
     * Recovers the context from the checkpoint directory if it holds one (replaying the write-ahead
     * log), or creates a new one and lets {@code defineStreams} add its streams and outputs. Not
     * started.
     */
    public LocalStreaming getOrCreate(
        java.util.function.Consumer<JavaStreamingContext> defineStreams) {
      JavaStreamingContext jssc =
          JavaStreamingContext.getOrCreate(
              checkpointDir.toString(),
              () -> {
                JavaStreamingContext created = create();
                defineStreams.accept(created);
                return created;
              });
      return new LocalStreaming(jssc);
    }

    /** Creates the context (not started). */
    public LocalStreaming start() {
      return new LocalStreaming(create());
    }

    private JavaStreamingContext create() {
      SparkConf sparkConf =
          new SparkConf()
              .setMaster(master)
              .setAppName("sparking-test")
              .set("spark.ui.enabled", "false")
              .set("spark.driver.host", "127.0.0.1")
              .set("spark.driver.bindAddress", "127.0.0.1")
              .set("spark.streaming.blockInterval", "100ms")
              .set("spark.streaming.stopGracefullyOnShutdown", "false");
      conf.forEach(sparkConf::set);
      JavaStreamingContext jssc =
          new JavaStreamingContext(
              sparkConf, new org.apache.spark.streaming.Duration(batchInterval.toMillis()));
      jssc.checkpoint(checkpointDir.toString());
      return jssc;
    }
  }
}
