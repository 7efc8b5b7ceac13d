package io.sparking.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Flume 1.11.0 agent ({@code org.apache.flume.node.Application}) running in a JVM of
 * its own, from the classpath the build resolved, with its configuration, log and data in a
 * temporary directory.
 *
 * <pre>{@code
 * try (FlumeAgent agent = FlumeAgent.builder()
 *     .configuration(Path.of("conf/flume/pull-single.properties"))
 *     .placeholder("FLUME_INPUT_FILE", input)
 *     .listenPort("FLUME_SINK_PORT")
 *     .start()) {
 *   int port = agent.port("FLUME_SINK_PORT");
 * }
 * }</pre>
 *
 * <p>The configuration is Flume's properties format with {@code ${NAME}} or {@code
 * ${NAME:-default}} placeholders, filled in from {@link Builder#placeholder} values, free ports
 * from {@link Builder#listenPort}, and {@code ${dir}}, the agent's directory. {@link
 * Builder#start()} waits until every listen port accepts connections and every awaited log line
 * appeared, at most the start timeout; its error carries the tail of the agent's log. {@link
 * #close()} stops the process by its handle and deletes the directory; {@link #kill()}, {@link
 * #stop()} and {@link #restart()} keep the directory (a file channel's data survives), for fault
 * tests.
 */
public final class FlumeAgent extends ExternalServer {
  private static final Logger LOG = LoggerFactory.getLogger(FlumeAgent.class);

  /** How long {@link Builder#start()} waits for the agent by default. */
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);

  private static final String MAIN_CLASS = "org.apache.flume.node.Application";
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(\\w+)(?::-([^}]*))?\\}");

  /**
   * Log lines after which the agent runs without the component: waiting for its port would only
   * time out.
   */
  private static final List<String> FATAL_LOG_MARKERS =
      List.of(
          "removed due to an error during configuration",
          "Error while starting",
          "Unable to start",
          "A fatal error occurred");

  /** Which agent classpath to start from. */
  public enum Runtime {
    /** Flume 1.11.0 with the Sparking sink plugin ({@code io.sparking.flume.sink.SparkingSink}). */
    SPARKING("flume-agent", false),
    /**
     * The same plus Spark 2.4.8's old {@code org.apache.spark.streaming.flume.sink.SparkSink}, its
     * Scala library and an Avro shim: for compatibility tests and benchmarks only.
     */
    SPARKSINK_248("flume-agent-sparksink248", true);

    private final String resource;
    private final boolean ownClasses;

    Runtime(String resource, boolean ownClasses) {
      this.resource = resource;
      this.ownClasses = ownClasses;
    }

    String classpath() {
      return ownClasses ? RuntimeClasspath.withOwnClasses(resource) : RuntimeClasspath.of(resource);
    }
  }

  private final String name;
  private final Runtime runtime;
  private final Path dir;
  private final Path configFile;
  private final Map<String, Integer> ports;
  private final Set<String> awaitedPorts;
  private final List<String> awaitedLogLines;
  private final Duration startTimeout;
  private final String logLevel;
  private final Path pluginsDir;
  private final Path logFile;

  private FlumeAgent(Builder builder, Path dir, Map<String, Integer> ports, Path configFile) {
    this.name = builder.name;
    this.runtime = builder.runtime;
    this.dir = dir;
    this.configFile = configFile;
    this.ports = ports;
    this.awaitedPorts = new LinkedHashSet<>(builder.listenPorts);
    this.awaitedLogLines = List.copyOf(builder.logLines);
    this.startTimeout = builder.startTimeout;
    this.logLevel = builder.logLevel;
    this.pluginsDir = builder.pluginsDir;
    this.logFile = dir.resolve("agent.log");
  }

  /**
   * The configuration of agent {@code a1} up to its sink: an avro source {@code r1} on {@code
   * ${SOURCE_PORT}} (fed with Flume's RPC client) into a memory channel {@code c1} that sink {@code
   * k1} drains. Append the lines of {@code k1} ({@code a1.sinks.k1.type = ...}).
   *
   * @param transactionCapacity the channel's transaction capacity: the largest batch in or out
   */
  public static String avroSourceIntoMemoryChannel(int transactionCapacity) {
    return avroSourceIntoMemoryChannel(transactionCapacity, List.of("k1"));
  }

  /**
   * The same with several sinks draining channel {@code c1} side by side, each on its own runner
   * thread (Flume's way to drain one channel in parallel). Append the lines of each sink.
   *
   * @param sinks the sinks' names, such as {@code k1 k2}
   */
  public static String avroSourceIntoMemoryChannel(int transactionCapacity, List<String> sinks) {
    List<String> lines =
        new ArrayList<>(
            List.of(
                "a1.sources = r1",
                "a1.channels = c1",
                "a1.sinks = " + String.join(" ", sinks),
                "a1.sources.r1.type = avro",
                "a1.sources.r1.bind = 127.0.0.1",
                "a1.sources.r1.port = ${SOURCE_PORT}",
                "a1.sources.r1.channels = c1",
                "a1.channels.c1.type = memory",
                "a1.channels.c1.capacity = 100000",
                "a1.channels.c1.transactionCapacity = " + transactionCapacity,
                // A put into a full channel and a take from an empty one wait this many seconds; 1
                // keeps both short.
                "a1.channels.c1.keep-alive = 1"));
    sinks.forEach(sink -> lines.add("a1.sinks." + sink + ".channel = c1"));
    lines.add("");
    return String.join("\n", lines);
  }

  /** A builder for an agent named {@code a1} on the {@link Runtime#SPARKING} classpath. */
  public static Builder builder() {
    return new Builder();
  }

  /** The agent's name, the prefix of every key in its configuration ({@code a1.sources = ...}). */
  public String name() {
    return name;
  }

  /**
   * The port chosen for placeholder {@code key}, registered with {@link Builder#listenPort}/{@link
   * Builder#port}.
   */
  public int port(String key) {
    Integer port = ports.get(key);
    if (port == null) {
      throw new IllegalArgumentException(
          "No port for placeholder '" + key + "'; known: " + ports.keySet());
    }
    return port;
  }

  /**
   * The agent's directory: configuration, log, and whatever {@code ${dir}} points the channels to.
   */
  public Path dir() {
    return dir;
  }

  /** The configuration file the agent runs, placeholders filled in. */
  public Path configFile() {
    return configFile;
  }

  /** The agent's log file (stdout and stderr of every start). */
  public Path logFile() {
    return logFile;
  }

  /** The last {@code lines} lines of the agent's log. */
  public String logTail(int lines) {
    String[] all = readFrom(logFile, 0).split("\\R");
    return String.join(
        System.lineSeparator(), List.of(all).subList(Math.max(0, all.length - lines), all.length));
  }

  @Override
  protected Path scratchDir() {
    return dir;
  }

  @Override
  public String toString() {
    return "Flume agent " + name + " (" + runtime + ", pid " + pid() + ", ports " + ports + ")";
  }

  @Override
  protected String describe() {
    return "Flume agent " + name;
  }

  /**
   * The runtime's classpath; with a plugins directory, our sink comes from there instead, the way
   * Flume's own launcher adds {@code plugins.d/<plugin>/lib} and {@code libext} jars.
   */
  private String classpath() {
    String base = runtime.classpath();
    if (pluginsDir == null) {
      return base;
    }
    List<String> entries = new ArrayList<>();
    for (String entry : base.split(java.io.File.pathSeparator)) {
      if (!Path.of(entry).getFileName().toString().startsWith("sparking-flume-sink")) {
        entries.add(entry);
      }
    }
    try (var plugins = Files.list(pluginsDir)) {
      for (Path plugin : plugins.sorted().toList()) {
        for (String sub : List.of("lib", "libext")) {
          Path jars = plugin.resolve(sub);
          if (Files.isDirectory(jars)) {
            try (var files = Files.list(jars)) {
              files
                  .filter(f -> f.toString().endsWith(".jar"))
                  .sorted()
                  .forEach(f -> entries.add(f.toString()));
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read plugins directory " + pluginsDir, e);
    }
    return String.join(java.io.File.pathSeparator, entries);
  }

  @Override
  protected void launch() {
    long logOffset = sizeOf(logFile);
    List<String> jvmArgs =
        List.of(
            "-Xmx512m",
            "-Dlog4j.configurationFile=" + writeLogConfig(),
            "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.xml"));
    attach(
        JavaProcess.start(
            "flume-agent:" + name,
            jvmArgs,
            classpath(),
            MAIN_CLASS,
            List.of("-n", name, "-f", configFile.toString(), "--no-reload-conf"),
            dir,
            logFile));
    awaitReady(logOffset);
    LOG.info("Flume agent {} ready (pid {}, ports {})", name, pid(), ports);
  }

  private void awaitReady(long logOffset) {
    long deadline = System.nanoTime() + startTimeout.toNanos();
    Set<String> portsLeft = new LinkedHashSet<>(awaitedPorts);
    List<String> linesLeft = new ArrayList<>(awaitedLogLines);
    while (true) {
      String log = readFrom(logFile, logOffset);
      if (!isRunning()) {
        fail("exited during start-up (exit " + process().waitFor(Duration.ofSeconds(5)) + ")");
      }
      for (String marker : FATAL_LOG_MARKERS) {
        if (log.contains(marker)) {
          fail("logged '" + marker + "' during start-up");
        }
      }
      portsLeft.removeIf(key -> accepts(ports.get(key)));
      linesLeft.removeIf(log::contains);
      if (portsLeft.isEmpty() && linesLeft.isEmpty()) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        fail(
            "was not ready within "
                + startTimeout
                + " (ports not accepting: "
                + portsOf(portsLeft)
                + ", log lines not seen: "
                + linesLeft
                + ")");
      }
      pause(100);
    }
  }

  private Map<String, Integer> portsOf(Set<String> keys) {
    Map<String, Integer> out = new LinkedHashMap<>();
    keys.forEach(k -> out.put(k, ports.get(k)));
    return out;
  }

  private void fail(String what) {
    String tail = logTail(60);
    stop();
    throw new IllegalStateException(
        "Flume agent "
            + name
            + " "
            + what
            + ". Configuration "
            + configFile
            + ". Log tail:\n"
            + tail);
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private Path writeLogConfig() {
    Path file = dir.resolve("log4j2.xml");
    String config =
        String.join(
            "\n",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<Configuration status=\"warn\">",
            "  <Appenders>",
            "    <Console name=\"out\" target=\"SYSTEM_OUT\">",
            "      <PatternLayout pattern=\"%d{HH:mm:ss.SSS} %-5p [%t] %c{1} - %m%n\"/>",
            "    </Console>",
            "  </Appenders>",
            "  <Loggers>",
            "    <Root level=\"" + logLevel + "\"><AppenderRef ref=\"out\"/></Root>",
            "  </Loggers>",
            "</Configuration>",
            "");
    return writeFile(file, config);
  }

  private static long sizeOf(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private static String readFrom(Path file, long offset) {
    if (!Files.exists(file)) {
      return "";
    }
    try (InputStream in = Files.newInputStream(file)) {
      in.skipNBytes(Math.min(offset, Files.size(file)));
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * Fills {@code ${NAME}} and {@code ${NAME:-default}} placeholders from {@code values}; a
   * placeholder with neither a value nor a default fails, naming every such placeholder.
   */
  static String fill(String template, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    Set<String> missing = new TreeSet<>();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        value = m.group(2);
      }
      if (value == null) {
        missing.add(m.group(1));
        value = m.group();
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(
          "The Flume configuration has placeholders without a value or default: "
              + missing
              + "; give them with placeholder(name, value), or listenPort(name) for ports");
    }
    return out.toString();
  }

  /** Collects an agent's configuration and start options; {@link #start()} runs it. */
  public static final class Builder {
    private String name = "a1";
    private Runtime runtime = Runtime.SPARKING;
    private String template;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Set<String> listenPorts = new LinkedHashSet<>();
    private final Set<String> otherPorts = new LinkedHashSet<>();
    private final Map<String, Integer> givenPorts = new LinkedHashMap<>();
    private final List<String> logLines = new ArrayList<>();
    private Duration startTimeout = DEFAULT_START_TIMEOUT;
    private String logLevel = "INFO";
    private Path pluginsDir;

    private Builder() {}

    /** The agent's name ({@code -n}); default {@code a1}. */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * Loads our sink from a Flume {@code plugins.d} directory (as the plugin package unpacks)
     * instead of the build's jar; default none.
     */
    public Builder pluginsDir(Path dir) {
      this.pluginsDir = Objects.requireNonNull(dir, "dir");
      return this;
    }

    /** Which classpath to run; default {@link Runtime#SPARKING}. */
    public Builder runtime(Runtime runtime) {
      this.runtime = Objects.requireNonNull(runtime, "runtime");
      return this;
    }

    /** The configuration as properties text with placeholders. */
    public Builder configuration(String text) {
      this.template = Objects.requireNonNull(text, "text");
      return this;
    }

    /** The configuration from a properties file with placeholders. */
    public Builder configuration(Path file) {
      try {
        this.template = Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "Cannot read Flume configuration " + file.toAbsolutePath(), e);
      }
      return this;
    }

    /** The configuration as properties (no placeholders needed, but they work in values). */
    public Builder configuration(Properties properties) {
      StringBuilder text = new StringBuilder();
      new TreeSet<>(properties.stringPropertyNames())
          .forEach(
              k -> text.append(k).append(" = ").append(properties.getProperty(k)).append('\n'));
      this.template = text.toString();
      return this;
    }

    /** The configuration as a map of keys to values (placeholders work in values). */
    public Builder configuration(Map<String, String> properties) {
      Properties p = new Properties();
      p.putAll(properties);
      return configuration(p);
    }

    /** Fills placeholder {@code ${key}} with {@code value}. */
    public Builder placeholder(String key, Object value) {
      values.put(Objects.requireNonNull(key, "key"), String.valueOf(value));
      return this;
    }

    /**
     * Fills placeholder {@code ${key}} with a free port the agent listens on; start waits until it
     * accepts.
     */
    public Builder listenPort(String key) {
      listenPorts.add(Objects.requireNonNull(key, "key"));
      return this;
    }

    /**
     * Fills placeholder {@code ${key}} with {@code port}, which the agent listens on; start waits
     * until it accepts. For a client that is told the port before the agent starts (say, from
     * {@link FreePorts#next()}).
     */
    public Builder listenPort(String key, int port) {
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port " + port + " for '" + key + "': pass 1..65535");
      }
      listenPorts.add(Objects.requireNonNull(key, "key"));
      givenPorts.put(key, port);
      return this;
    }

    /**
     * Fills placeholder {@code ${key}} with a free port the agent only connects to (a sink's
     * target).
     */
    public Builder port(String key) {
      otherPorts.add(Objects.requireNonNull(key, "key"));
      return this;
    }

    /** Start also waits until the log of this start contains {@code text}. */
    public Builder awaitLogLine(String text) {
      logLines.add(Objects.requireNonNull(text, "text"));
      return this;
    }

    /** The longest start waits; default {@link FlumeAgent#DEFAULT_START_TIMEOUT}. */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** The agent's root log level (Log4j 2 names: DEBUG, INFO, WARN); default INFO. */
    public Builder logLevel(String level) {
      this.logLevel = Objects.requireNonNull(level, "level");
      return this;
    }

    /**
     * Writes the configuration into a new temporary directory, starts the agent and waits until it
     * is ready.
     *
     * @throws IllegalStateException if it exits, logs a configuration error or is not ready in
     *     time; the message holds the tail of its log
     */
    public FlumeAgent start() {
      if (template == null) {
        throw new IllegalStateException("No configuration: call configuration(...) before start()");
      }
      if (listenPorts.isEmpty() && logLines.isEmpty()) {
        // Without a readiness signal the caller would race the agent's start-up.
        logLines.add("Starting Sink");
      }
      Path dir = TempDirs.create("sparking-flume-" + name + "-");
      try {
        Map<String, Integer> ports = new LinkedHashMap<>();
        Map<String, String> all = new LinkedHashMap<>(values);
        for (String key : listenPorts) {
          ports.put(key, givenPorts.containsKey(key) ? givenPorts.get(key) : FreePorts.next());
        }
        for (String key : otherPorts) {
          ports.put(key, FreePorts.next());
        }
        ports.forEach((k, v) -> all.put(k, String.valueOf(v)));
        all.putIfAbsent("dir", dir.toString());
        Path configFile = dir.resolve("agent.properties");
        Files.writeString(configFile, fill(template, all), StandardCharsets.UTF_8);
        return launchOrClose(new FlumeAgent(this, dir, Map.copyOf(ports), configFile));
      } catch (IOException e) {
        TempDirs.deleteRecursively(dir);
        throw new UncheckedIOException(e);
      } catch (RuntimeException e) {
        TempDirs.deleteRecursively(dir);
        throw e;
      }
    }
  }
}
