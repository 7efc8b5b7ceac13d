package io.sparking.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What the receiving JVM of one run needs, typed: which path, the run's target, the streaming job's
 * settings, and where the source is. The bench JVM builds it ({@link Runner}), {@link #toArgs()}
 * puts it on the receiving JVM's command line as {@code key=value} arguments, and {@link #fromArgs}
 * reads it back there ({@link ReceivingJvm}): the one place that knows the keys.
 *
 * <p>Not serializable on purpose: Spark functions must capture the plain values they need, not
 * this.
 *
 * @param pathId the {@link MeasuredPath#id()} to run
 * @param target when the run is done, and how it is bounded
 * @param job the Spark paths' streaming settings
 * @param source where the records come from
 */
record ReceiverRun(String pathId, Target target, StreamingJob job, Source source) {
  ReceiverRun {
    Objects.requireNonNull(pathId, "pathId");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(source, "source");
  }

  /**
   * The run's target and bound.
   *
   * @param records records to count before the run is done
   * @param timeout the longest the run may take
   * @param latencyWarmUpRecords when present, the run measures each record's latency, leaving out
   *     this many first records (the stream's start-up)
   */
  record Target(long records, Duration timeout, OptionalLong latencyWarmUpRecords) {
    Target {
      require(records >= 1, "records=" + records + " is out of range: pass 1 or more");
      require(timeout.toSeconds() >= 1, "timeout=" + timeout + " is too short: pass 1 s or more");
      require(
          latencyWarmUpRecords.orElse(0) >= 0,
          "latencyWarmUpRecords=" + latencyWarmUpRecords + " is negative: pass 0 or more");
    }

    boolean measuresLatency() {
      return latencyWarmUpRecords.isPresent();
    }
  }

  /**
   * The streaming job's settings, the same for every Spark path.
   *
   * @param batchInterval the batch (or trigger) interval
   * @param receivers receivers of a receiver path, unioned
   * @param maxRatePerReceiver records/s each receiver (or direct stream partition) may take,
   *     backpressure on; empty for no limit
   * @param paced whether records are offered while the job runs, so the run is ready once it
   *     completed two batches
   */
  record StreamingJob(
      Duration batchInterval, int receivers, OptionalLong maxRatePerReceiver, boolean paced) {
    StreamingJob {
      require(
          batchInterval.toMillis() >= 1,
          "batchInterval=" + batchInterval + " is too short: pass 1 ms or more");
      require(receivers >= 1, "receivers=" + receivers + " is out of range: pass 1 or more");
      require(
          maxRatePerReceiver.orElse(1) >= 1,
          "maxRatePerReceiver="
              + maxRatePerReceiver
              + " is out of range: pass 1 or more records/s, or none");
    }
  }

  /** Where a path's records come from. */
  sealed interface Source permits KafkaSource, FlumePush, FlumePull {}

  /**
   * A Kafka topic, read from the beginning by a consumer group of the run's own.
   *
   * @param partitions the topic's partitions
   */
  record KafkaSource(String bootstrap, String topic, int partitions, String group)
      implements Source {
    KafkaSource {
      Objects.requireNonNull(bootstrap, "bootstrap");
      Objects.requireNonNull(topic, "topic");
      Objects.requireNonNull(group, "group");
      require(partitions >= 1, "partitions=" + partitions + " is out of range: pass 1 or more");
    }
  }

  /**
   * Flume events pushed to the receiving JVM.
   *
   * @param port the loopback port the receiver listens on; 0 for one the kernel picks (then
   *     reported as ready)
   */
  record FlumePush(int port) implements Source {
    FlumePush {
      require(port >= 0 && port <= 65_535, "port=" + port + " is out of range: pass 0 to 65535");
    }
  }

  /**
   * Flume events pulled from an agent's pull sink.
   *
   * @param port the sink's loopback port
   * @param connections connections to the sink, each pulling batches
   */
  record FlumePull(int port, int connections) implements Source {
    FlumePull {
      require(port >= 1 && port <= 65_535, "port=" + port + " is out of range: pass 1 to 65535");
      require(connections >= 1, "connections=" + connections + " is out of range: pass 1 or more");
    }
  }

  /** The Kafka source; fails for a path that was given another. */
  KafkaSource kafka() {
    return source(KafkaSource.class);
  }

  /** The pushing Flume source; fails for a path that was given another. */
  FlumePush flumePush() {
    return source(FlumePush.class);
  }

  /** The Flume pull sink; fails for a path that was given another. */
  FlumePull flumePull() {
    return source(FlumePull.class);
  }

  private <S extends Source> S source(Class<S> kind) {
    if (kind.isInstance(source)) {
      return kind.cast(source);
    }
    throw new IllegalStateException(
        pathId + " needs a " + kind.getSimpleName() + " source but was given " + source);
  }

  /** The receiving JVM's arguments: the path's id, then {@code key=value} pairs. */
  List<String> toArgs() {
    Map<String, String> args = new LinkedHashMap<>();
    args.put("records", Long.toString(target.records()));
    args.put("timeoutSeconds", Long.toString(target.timeout().toSeconds()));
    target
        .latencyWarmUpRecords()
        .ifPresent(n -> args.put("latencyWarmUpRecords", Long.toString(n)));
    args.put("batchMillis", Long.toString(job.batchInterval().toMillis()));
    args.put("receivers", Integer.toString(job.receivers()));
    job.maxRatePerReceiver().ifPresent(n -> args.put("maxRate", Long.toString(n)));
    args.put("paced", Boolean.toString(job.paced()));
    if (source instanceof KafkaSource k) {
      args.put("source", "kafka");
      args.put("bootstrap", k.bootstrap());
      args.put("topic", k.topic());
      args.put("partitions", Integer.toString(k.partitions()));
      args.put("group", k.group());
    } else if (source instanceof FlumePush push) {
      args.put("source", "flume-push");
      args.put("port", Integer.toString(push.port()));
    } else if (source instanceof FlumePull pull) {
      args.put("source", "flume-pull");
      args.put("port", Integer.toString(pull.port()));
      args.put("connections", Integer.toString(pull.connections()));
    }
    List<String> argv = new ArrayList<>();
    argv.add(pathId);
    args.forEach((k, v) -> argv.add(k + "=" + v));
    return argv;
  }

  /**
   * Reads what {@link #toArgs()} wrote.
   *
   * @throws IllegalArgumentException naming the argument, for a missing, unknown, repeated or
   *     malformed one
   */
  static ReceiverRun fromArgs(List<String> argv) {
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("no arguments: pass a path id, then key=value pairs");
    }
    try {
      return read(argv.get(0), new Args(argv.subList(1, argv.size())));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Bad receiving JVM arguments " + argv + ": " + e.getMessage(), e);
    }
  }

  private static ReceiverRun read(String pathId, Args args) {
    Target target =
        new Target(
            args.positiveLong("records"),
            Duration.ofSeconds(args.positiveLong("timeoutSeconds")),
            args.optionalLong("latencyWarmUpRecords"));
    StreamingJob job =
        new StreamingJob(
            Duration.ofMillis(args.positiveLong("batchMillis")),
            args.positiveInt("receivers"),
            args.optionalLong("maxRate"),
            args.bool("paced"));
    String kind = args.string("source");
    Source source =
        switch (kind) {
          case "kafka" ->
              new KafkaSource(
                  args.string("bootstrap"),
                  args.string("topic"),
                  args.positiveInt("partitions"),
                  args.string("group"));
          case "flume-push" -> new FlumePush(args.integer("port"));
          case "flume-pull" -> new FlumePull(args.integer("port"), args.positiveInt("connections"));
          default ->
              throw new IllegalArgumentException(
                  "receiving JVM argument source="
                      + kind
                      + " is invalid: pass kafka, flume-push or flume-pull");
        };
    args.requireAllRead();
    return new ReceiverRun(pathId, target, job, source);
  }

  private static void require(boolean condition, String problem) {
    if (!condition) {
      throw new IllegalArgumentException(problem);
    }
  }

  /** {@code key=value} arguments, read once each; what is left unread is an error. */
  private static final class Args {
    private final Map<String, String> values = new LinkedHashMap<>();

    Args(List<String> pairs) {
      for (String pair : pairs) {
        int eq = pair.indexOf('=');
        if (eq < 1) {
          throw new IllegalArgumentException(
              "receiving JVM argument '" + pair + "' is invalid: pass key=value");
        }
        if (values.put(pair.substring(0, eq), pair.substring(eq + 1)) != null) {
          throw new IllegalArgumentException(
              "receiving JVM argument " + pair.substring(0, eq) + " is given twice: pass it once");
        }
      }
    }

    String string(String key) {
      String value = values.remove(key);
      if (value == null) {
        throw new IllegalArgumentException(
            "receiving JVM argument " + key + " is missing: pass " + key + "=<value>");
      }
      return value;
    }

    long positiveLong(String key) {
      long value = parseLong(key, string(key));
      if (value < 1) {
        throw invalid(key, Long.toString(value), "a whole number of 1 or more");
      }
      return value;
    }

    int positiveInt(String key) {
      int value = integer(key);
      if (value < 1) {
        throw invalid(key, Integer.toString(value), "a whole number of 1 or more");
      }
      return value;
    }

    int integer(String key) {
      String value = string(key);
      try {
        return Integer.parseInt(value);
      } catch (NumberFormatException e) {
        throw invalid(key, value, "a whole number");
      }
    }

    OptionalLong optionalLong(String key) {
      return values.containsKey(key)
          ? OptionalLong.of(parseLong(key, string(key)))
          : OptionalLong.empty();
    }

    boolean bool(String key) {
      String value = string(key);
      return switch (value) {
        case "true" -> true;
        case "false" -> false;
        default -> throw invalid(key, value, "true or false");
      };
    }

    void requireAllRead() {
      if (!values.isEmpty()) {
        throw new IllegalArgumentException(
            "receiving JVM arguments "
                + values.keySet()
                + " are unknown: the bench and receiving JVMs must run the same build");
      }
    }

    private static long parseLong(String key, String value) {
      try {
        return Long.parseLong(value);
      } catch (NumberFormatException e) {
        throw invalid(key, value, "a whole number");
      }
    }

    private static IllegalArgumentException invalid(String key, String value, String expected) {
      return new IllegalArgumentException(
          "receiving JVM argument " + key + "=" + value + " is invalid: pass " + expected);
    }
  }
}
