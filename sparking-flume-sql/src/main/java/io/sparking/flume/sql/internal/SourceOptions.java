package io.sparking.flume.sql.internal;

import io.sparking.core.spi.InvalidSetting;
import io.sparking.flume.FlumeAddresses;
import io.sparking.flume.FlumeConnections;
import io.sparking.flume.FlumeEvent;
import io.sparking.flume.PullSettings;
import io.sparking.flume.PushSettings;
import io.sparking.flume.SettlingBatchStore;
import io.sparking.flume.protocol.Settlement;
import java.io.IOException;
import java.io.Serializable;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import org.apache.spark.network.util.JavaUtils;

/**
 * The options of {@code spark.readStream.format("flume")}, checked once: the mode and its addresses
 * here, every other setting by {@link PullSettings} or {@link PushSettings}, which the DStream
 * receivers use too. Errors follow Sparking's grammar, {@code <setting>=<value> is <problem>: <what
 * to do>}.
 */
final class SourceOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  static final String MODE = "mode";
  static final String AGENTS = "agents";
  static final String HOST = "host";
  static final String PORT = "port";
  static final String MAX_EVENTS_PER_TRIGGER = "maxEventsPerTrigger";
  static final String MAX_LOG_SIZE = "maxLogSize";
  static final String EVENT_ID_HEADER = "eventIdHeader";
  static final String EVENT_ID_WINDOW = "eventIdWindow";

  /** How many of the newest pushed events' ids are remembered unless {@code eventIdWindow} says. */
  static final int DEFAULT_EVENT_ID_WINDOW = 500_000;

  /** What the source's log may hold on disk unless {@code maxLogSize} says otherwise. */
  static final long DEFAULT_MAX_LOG_BYTES = 1L << 30;

  private static final Map<String, BiConsumer<PullSettings.Builder, String>> PULL = new TreeMap<>();
  private static final Map<String, BiConsumer<PushSettings.Builder, String>> PUSH = new TreeMap<>();

  static {
    PULL.put("batchSize", (b, v) -> b.batchSize(integer("batchSize", v)));
    PULL.put(
        "connectionsPerAgent", (b, v) -> b.connectionsPerAgent(integer("connectionsPerAgent", v)));
    PULL.put("callTimeout", (b, v) -> b.callTimeout(duration("callTimeout", v)));
    PULL.put("connectTimeout", (b, v) -> b.connectTimeout(duration("connectTimeout", v)));
    PULL.put("emptyBackoff", (b, v) -> b.emptyBackoff(duration("emptyBackoff", v)));
    PULL.put("reconnectBackoff", (b, v) -> b.reconnectBackoff(duration("reconnectBackoff", v)));
    PULL.put("stopGrace", (b, v) -> b.stopGrace(duration("stopGrace", v)));
    PUSH.put("compression", (b, v) -> b.compression(compression(v)));
    PUSH.put("compressionLevel", (b, v) -> b.compressionLevel(integer("compressionLevel", v)));
    PUSH.put("maxFrameBytes", (b, v) -> b.maxFrameBytes(integer("maxFrameBytes", v)));
    PUSH.put(
        "threadsPerReceiver", (b, v) -> b.threadsPerReceiver(integer("threadsPerReceiver", v)));
    PUSH.put("keystoreType", (b, v) -> b.keystoreType(v));
  }

  private final boolean pull;
  private final List<InetSocketAddress> agents;
  private final String host;
  private final int port;
  private final PullSettings pullSettings;
  private final PushSettings pushSettings;
  private long maxEventsPerTrigger;
  private long maxLogBytes = DEFAULT_MAX_LOG_BYTES;
  private String eventIdHeader;
  private int eventIdWindow = DEFAULT_EVENT_ID_WINDOW;

  private SourceOptions(
      boolean pull,
      List<InetSocketAddress> agents,
      String host,
      int port,
      PullSettings pullSettings,
      PushSettings pushSettings) {
    this.pull = pull;
    this.agents = agents;
    this.host = host;
    this.port = port;
    this.pullSettings = pullSettings;
    this.pushSettings = pushSettings;
  }

  /** The most events a micro-batch reads; 0 for all there are. */
  long maxEventsPerTrigger() {
    return maxEventsPerTrigger;
  }

  /** How many bytes the source's log may hold before it refuses batches. */
  long maxLogBytes() {
    return maxLogBytes;
  }

  /**
   * What tells pushed events apart, so that one sent again is dropped; null when {@code
   * eventIdHeader} is not set.
   */
  EventIds eventIds() {
    return eventIdHeader == null ? null : new EventIds(eventIdHeader, eventIdWindow);
  }

  /**
   * The checked options of {@code given} (names in any case, as Spark passes them).
   *
   * @throws IllegalArgumentException naming the first invalid or unknown option
   */
  static SourceOptions parse(Map<String, String> given) {
    Map<String, String> options = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    options.putAll(given);
    SourceOptions parsed = parseMode(options);
    String perTrigger = options.get(MAX_EVENTS_PER_TRIGGER);
    if (perTrigger != null) {
      parsed.maxEventsPerTrigger = positive(MAX_EVENTS_PER_TRIGGER, perTrigger.trim(), "events");
    }
    String logSize = options.get(MAX_LOG_SIZE);
    if (logSize != null) {
      parsed.maxLogBytes = bytes(MAX_LOG_SIZE, logSize.trim());
    }
    String header = options.get(EVENT_ID_HEADER);
    if (header != null) {
      if (header.isBlank()) {
        throw InvalidSetting.of(
            EVENT_ID_HEADER,
            "'" + header + "'",
            "blank",
            "pass the header the agents' EventIdInterceptor stamps, such as eventId");
      }
      parsed.eventIdHeader = header.trim();
    }
    String window = options.get(EVENT_ID_WINDOW);
    if (window != null) {
      if (header == null) {
        throw InvalidSetting.of(
            EVENT_ID_WINDOW,
            window,
            "given without eventIdHeader",
            "pass eventIdHeader too, or leave eventIdWindow out");
      }
      long events = positive(EVENT_ID_WINDOW, window.trim(), "events");
      if (events > 100_000_000) {
        throw InvalidSetting.of(
            EVENT_ID_WINDOW, window, "over 100000000", "pass at most 100000000 events");
      }
      parsed.eventIdWindow = (int) events;
    }
    return parsed;
  }

  private static SourceOptions parseMode(Map<String, String> options) {
    String mode = options.get(MODE);
    if (mode == null || !(mode.equalsIgnoreCase("pull") || mode.equalsIgnoreCase("push"))) {
      throw InvalidSetting.of(
          MODE,
          mode,
          mode == null ? "missing" : "not a mode of the Flume source",
          "pass pull (with agents=host:port,...) or push (with host and port)");
    }
    boolean pull = mode.equalsIgnoreCase("pull");
    Set<String> known = new LinkedHashSet<>(List.of(MODE, MAX_EVENTS_PER_TRIGGER, MAX_LOG_SIZE));
    if (pull) {
      known.add(AGENTS);
      known.addAll(PULL.keySet());
    } else {
      known.addAll(
          List.of(HOST, PORT, "keystore", "keystorePassword", EVENT_ID_HEADER, EVENT_ID_WINDOW));
      known.addAll(PUSH.keySet());
    }
    Set<String> knownLower =
        known.stream().map(k -> k.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    for (String name : options.keySet()) {
      if (!knownLower.contains(name.toLowerCase(Locale.ROOT))) {
        throw InvalidSetting.of(
            name,
            options.get(name),
            "not an option of the Flume source in " + mode.toLowerCase(Locale.ROOT) + " mode",
            "pass only " + String.join(", ", known));
      }
    }
    if (pull) {
      String list = options.get(AGENTS);
      if (list == null) {
        throw InvalidSetting.of(
            AGENTS,
            null,
            "missing",
            "pass the pull sinks' addresses, such as agent1:9999,agent2:9999");
      }
      PullSettings.Builder settings = PullSettings.builder();
      PULL.forEach(
          (name, set) -> {
            if (options.containsKey(name)) {
              set.accept(settings, options.get(name).trim());
            }
          });
      return new SourceOptions(
          true, FlumeAddresses.parseList(AGENTS, list), null, 0, settings.build(), null);
    }
    InetSocketAddress address =
        FlumeAddresses.of(
            InvalidSetting.required(
                HOST,
                options.get(HOST),
                "pass the address the avro sinks send to, such as 0.0.0.0"),
            InvalidSetting.required(
                PORT, options.get(PORT), "pass the avro sinks' port, 1 to 65535"));
    PushSettings.Builder settings = PushSettings.builder();
    PUSH.forEach(
        (name, set) -> {
          if (options.containsKey(name)) {
            set.accept(settings, options.get(name).trim());
          }
        });
    if (options.containsKey("keystore")) {
      settings.ssl(options.get("keystore"), options.get("keystorePassword"));
    } else if (options.containsKey("keystorePassword")) {
      throw InvalidSetting.of(
          "keystorePassword", "***", "given without a keystore", "pass keystore=<path> too");
    }
    return new SourceOptions(
        false, null, address.getHostString(), address.getPort(), null, settings.build());
  }

  /**
   * Starts the Flume connections, every batch going to {@code log} before it is acknowledged, and
   * every pulled batch's settlement after.
   */
  AutoCloseable connect(SourceLog log) {
    if (pull) {
      return FlumeConnections.pull(
          agents,
          pullSettings,
          new SettlingBatchStore() {
            @Override
            public void store(String agent, String transaction, List<FlumeEvent> events)
                throws IOException {
              log.append(agent, transaction, events);
            }

            @Override
            public void settled(String agent, String transaction, Settlement settlement) {
              log.settled(agent, transaction, settlement);
            }
          });
    }
    return FlumeConnections.push(host, port, pushSettings, log::append);
  }

  /**
   * What asks the pull sinks how the transactions of batches a crash left unsettled ended; pushed
   * batches have none.
   */
  SinkSettler settler() {
    return pull ? new SinkSettler(pullSettings) : null;
  }

  /**
   * How long a seal waits for its batches' settlements: an ack's answer, and one more try on a new
   * connection.
   */
  Duration settleWait() {
    return pull
        ? pullSettings.callTimeout().multipliedBy(2).plus(pullSettings.connectTimeout())
        : Duration.ZERO;
  }

  /** {@code flume-pull@agent1:9999,agent2:9999} or {@code flume-push@0.0.0.0:41414}. */
  @Override
  public String toString() {
    if (pull) {
      return "flume-pull@"
          + agents.stream()
              .map(a -> a.getHostString() + ":" + a.getPort())
              .collect(Collectors.joining(","));
    }
    return "flume-push@" + host + ":" + port;
  }

  private static int integer(String name, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw InvalidSetting.of(
          name, "'" + value + "'", "not a whole number", "pass one such as 1000");
    }
  }

  private static long positive(String name, String value, String unit) {
    try {
      long parsed = Long.parseLong(value);
      if (parsed > 0) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // Refused below, with the same words.
    }
    throw InvalidSetting.of(
        name,
        "'" + value + "'",
        "not a positive number",
        "pass the most " + unit + ", such as 100000");
  }

  private static long bytes(String name, String value) {
    long parsed;
    try {
      parsed = JavaUtils.byteStringAsBytes(value);
    } catch (NumberFormatException e) {
      throw InvalidSetting.of(
          name, "'" + value + "'", "not a size", "pass one such as 512m, 10g or 1t");
    }
    if (parsed < 1 << 20) {
      throw InvalidSetting.of(
          name, "'" + value + "'", "below 1m", "pass at least 1m, such as 512m or 10g");
    }
    return parsed;
  }

  private static Duration duration(String name, String value) {
    try {
      return Duration.ofMillis(JavaUtils.timeStringAsMs(value));
    } catch (NumberFormatException e) {
      throw InvalidSetting.of(
          name, "'" + value + "'", "not a duration", "pass one such as 500ms, 30s or 1m");
    }
  }

  private static PushSettings.Compression compression(String value) {
    try {
      return PushSettings.Compression.valueOf(value.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw InvalidSetting.of(
          "compression",
          "'" + value + "'",
          "not a compression type",
          "pass none or deflate, as the sink's compression-type");
    }
  }
}
