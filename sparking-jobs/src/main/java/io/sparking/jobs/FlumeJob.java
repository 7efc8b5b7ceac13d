package io.sparking.jobs;

import io.sparking.flume.FlumeEvent;
import io.sparking.flume.PullSettings;
import io.sparking.flume.PushSettings;
import io.sparking.flume.SparkingFlume;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.spark.SparkConf;
import org.apache.spark.streaming.api.java.JavaDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * What the Flume jobs share: turning their address arguments into checked {@code host:port} addresses, the
 * preflight that fails fast with a clear message, the write-ahead log, and the stream itself.
 *
 * <p>Push jobs run receivers that listen where Flume's {@code avro} sinks send. The receivers run inside Spark,
 * where a port that is already taken only shows as a receiver restarting over and over; so in local mode the job
 * binds each port once on the driver (and releases it) before Spark starts, and fails with exit 1 naming the port.
 * On a cluster the receivers run on executors, which the driver cannot check.
 *
 * <p>Pull jobs connect to agents running Sparking's sink; the job first opens one TCP connection to each agent,
 * bounded by {@code --connect-timeout}, so that an agent that is down fails the job at once rather than leaving
 * the receivers to retry for ever.
 *
 * <p>A job picks its arguments by extending {@link OneAgent} ({@code <host> <port>}, a word count) or
 * {@link SeveralAgents} ({@code <host:port,...>}, a count), and its side by the {@link Mode} it passes up.
 */
abstract class FlumeJob extends StreamingJob {
  /** How Spark meets the agents. */
  enum Mode {
    /** Flume's avro sinks send to receivers listening on the addresses. */
    PUSH,
    /** Receivers pull from Sparking sinks listening on the addresses. */
    PULL
  }

  /** Host names, IPv4 addresses, and IPv6 addresses (which the lists write in brackets). */
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._-]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.%\\w]*");

  @Option(names = "--connect-timeout", paramLabel = "<seconds>", defaultValue = "10",
      description = "Pull jobs: how long to wait for each agent at start-up; 0 skips the check (default:"
          + " ${DEFAULT-VALUE})")
  long connectTimeoutSeconds;

  private final Mode mode;
  private List<InetSocketAddress> addresses;

  FlumeJob(Mode mode) {
    this.mode = mode;
  }

  /** The arguments {@code <host> <port>} of one agent, and a word count of its events. */
  abstract static class OneAgent extends FlumeJob {
    @Parameters(index = "1", paramLabel = "<host>", description = "Push: the address the receiver listens on, the"
        + " avro sink's hostname. Pull: the host of the agent's Sparking sink")
    String host;

    @Parameters(index = "2", paramLabel = "<port>", description = "Push: the port the receiver listens on, the avro"
        + " sink's port. Pull: the port of the agent's Sparking sink")
    String port;

    OneAgent(Mode mode) {
      super(mode);
    }

    @Override
    protected List<InetSocketAddress> parseAddresses() {
      return List.of(address(host, port));
    }

    @Override
    protected void defineStreams(JavaStreamingContext jssc, BatchReporter reporter) {
      reporter.countWordsOfEachBatch(bodies(jssc));
    }
  }

  /** The argument {@code <host:port,...>} of several agents, and a count of their events. */
  abstract static class SeveralAgents extends FlumeJob {
    @Parameters(index = "1", paramLabel = "<host:port,...>", description = "Addresses separated by commas. Push: one"
        + " receiver listens on each, an avro sink's target. Pull: the agents' Sparking sinks")
    String addressList;

    SeveralAgents(Mode mode) {
      super(mode);
    }

    @Override
    protected List<InetSocketAddress> parseAddresses() {
      return addressList(addressList);
    }

    @Override
    protected void defineStreams(JavaStreamingContext jssc, BatchReporter reporter) {
      reporter.countEachBatch(bodies(jssc));
    }
  }

  /** The job's addresses from its positional arguments; throws {@link IllegalArgumentException} when they are bad. */
  protected abstract List<InetSocketAddress> parseAddresses();

  /** The checked addresses of this run. */
  protected List<InetSocketAddress> addresses() {
    return addresses;
  }

  /** The stream of event bodies: one push receiver per address, or one pull receiver for all agents. */
  protected JavaDStream<String> bodies(JavaStreamingContext jssc) {
    JavaDStream<FlumeEvent> events = mode == Mode.PUSH
        ? SparkingFlume.pushStreams(jssc, addresses, PushSettings.defaults())
        : SparkingFlume.pullStream(jssc, addresses, PullSettings.defaults());
    return events.map(FlumeEvent::bodyAsString);
  }

  /** One per address when pushed to, one for all agents when pulling. */
  @Override
  protected int receivers() {
    return mode == Mode.PUSH ? addresses.size() : 1;
  }

  /** The addresses: where the receivers listen, or the agents they pull from. */
  @Override
  protected Map<String, String> sources() {
    return Map.of("addresses", addresses.stream().map(FlumeJob::text).collect(Collectors.joining(",")));
  }

  @Override
  protected void validate() {
    if (connectTimeoutSeconds < 0) {
      throw new IllegalArgumentException("--connect-timeout=" + connectTimeoutSeconds + ": pass 0 (no check) or"
          + " more seconds");
    }
    List<InetSocketAddress> parsed = parseAddresses();
    Set<String> seen = new HashSet<>();
    for (InetSocketAddress address : parsed) {
      if (!seen.add(text(address))) {
        throw new IllegalArgumentException("address " + text(address) + " is given twice: give each "
            + (mode == Mode.PUSH ? "receiver" : "agent") + " address once");
      }
    }
    addresses = List.copyOf(parsed);
  }

  @Override
  protected void preflight() {
    if (mode == Mode.PUSH) {
      if (localCores(master).isPresent()) {
        addresses.forEach(FlumeJob::checkCanListen);
      }
    } else if (connectTimeoutSeconds > 0) {
      addresses.forEach(a -> checkReachable(a, Duration.ofSeconds(connectTimeoutSeconds)));
    }
  }

  @Override
  protected void configure(SparkConf conf) {
    // Push receivers answer a batch, and pull receivers ack it, only once it is stored: with the log written ahead
    // that means a driver failure loses nothing the agents let go of.
    conf.setIfMissing("spark.streaming.receiver.writeAheadLog.enable", "true");
    conf.setIfMissing("spark.streaming.backpressure.enabled", "true");
  }

  /** Parses {@code <host> <port>} as given on the command line. */
  static InetSocketAddress address(String host, String port) {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host '" + (host == null ? "" : host) + "' is empty: pass a host name or"
          + " IP address, such as 127.0.0.1");
    }
    String h = host.trim();
    if (!HOST.matcher(h).matches()) {
      throw new IllegalArgumentException("host '" + h + "' is not a host name or IP address: pass one such as"
          + " 127.0.0.1, agent-1.example.com or ::1");
    }
    return InetSocketAddress.createUnresolved(h, port(h, port));
  }

  /** Parses {@code host:port,host:port,...}; IPv6 hosts go in brackets, {@code [::1]:9999}. */
  static List<InetSocketAddress> addressList(String list) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (String entry : list.split(",", -1)) {
      String e = entry.trim();
      int colon = e.startsWith("[") ? e.indexOf("]:") + 1 : e.lastIndexOf(':');
      if (e.isEmpty() || colon <= 0) {
        throw new IllegalArgumentException("'" + list + "' is not a list of host:port: entry '" + e + "' "
            + (e.isEmpty() ? "is empty" : "has no host before a ':port'")
            + "; pass addresses separated by commas, such as agent1:9999,agent2:9999");
      }
      String host = e.substring(0, colon);
      out.add(address(host.startsWith("[") ? host.substring(1, host.length() - 1) : host,
          e.substring(colon + 1)));
    }
    return out;
  }

  private static int port(String host, String text) {
    int port;
    try {
      port = Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("port '" + text + "' of " + host + " is not a number: pass a port between"
          + " 1 and 65535, such as 41414");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " of " + host + " is out of range: pass a port between 1"
          + " and 65535");
    }
    return port;
  }

  private static String text(InetSocketAddress address) {
    return address.getHostString() + ":" + address.getPort();
  }

  /** Binds {@code address} once and lets it go again: the local receiver will listen there. */
  static void checkCanListen(InetSocketAddress address) {
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new InetSocketAddress(address.getHostString(), address.getPort()));
    } catch (BindException e) {
      String message = String.valueOf(e.getMessage());
      if (message.contains("in use")) {
        throw new IllegalStateException("port " + address.getPort() + " on " + address.getHostString() + " is"
            + " already in use, so the receiver cannot listen there: stop what listens on it (ss -ltnp 'sport = :"
            + address.getPort() + "') or pass another port and point the Flume avro sink's port at it");
      }
      throw new IllegalStateException("cannot listen on " + text(address) + " (" + message + "): in local mode the"
          + " receiver runs on this machine, so pass one of its host names or addresses, such as 127.0.0.1");
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalStateException("cannot listen on " + text(address) + " (" + e.getMessage() + "): pass a"
          + " host name or address of this machine where the receiver can listen");
    }
  }

  /** Opens and closes one connection to {@code address} within {@code timeout}. */
  static void checkReachable(InetSocketAddress address, Duration timeout) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(address.getHostString(), address.getPort()),
          (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    } catch (UnknownHostException e) {
      throw new IllegalStateException("Could not reach a Flume agent's Sparking sink at " + text(address)
          + ": unknown host " + address.getHostString() + ". Check the host name (or pass the agent's IP address)",
          e);
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalStateException("Could not reach a Flume agent's Sparking sink at " + text(address)
          + " within " + timeout.toSeconds() + " s (" + e.getMessage() + "): start the agent (such as bin/flume-agent"
          + " agent conf/flume/pull-single.properties) and check that its sink's hostname and port are "
          + text(address) + ", or raise --connect-timeout");
    }
  }
}
