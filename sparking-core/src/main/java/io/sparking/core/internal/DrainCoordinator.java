package io.sparking.core.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.WeakHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.streaming.StreamingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's end of the drain channel: a small HTTP endpoint that every Sparking receiver,
 * wherever it runs, long-polls for the order to drain, and reports to once it has.
 *
 * <p>Spark has no public way for the driver to talk to its receivers, and {@code Receiver.stop} is
 * no option: the receiver tracker restarts a receiver that stops itself while the context runs. So
 * each driver runs one of these, bound to {@code spark.driver.bindAddress} (or {@code
 * spark.driver.host}) on a free port; the address and a random token travel to the executors inside
 * the receivers. A request without the token is refused.
 */
public final class DrainCoordinator implements AutoCloseable {
  static final String PATH = "/sparking/drain";

  /**
   * The port of the endpoint, for networks that open only known ports; 0 (the default) takes a free
   * one.
   */
  public static final String PORT_SETTING = "spark.sparking.drain.port";

  /** How long a poll is held open before it answers "run"; the receiver then polls again. */
  static final Duration POLL_HOLD = Duration.ofSeconds(20);

  private static final Logger LOG = LoggerFactory.getLogger(DrainCoordinator.class);

  /**
   * One per streaming context: a context stopped on its own leaves the SparkContext for another
   * one.
   */
  private static final Map<StreamingContext, DrainCoordinator> BY_CONTEXT =
      Collections.synchronizedMap(new WeakHashMap<>());

  private final String applicationId;
  private final String advertisedHost;
  private final String token;
  private final HttpServer server;
  private final ExecutorService handlers;
  private final CountDownLatch drainOrdered = new CountDownLatch(1);

  /** Receiver streams the driver handed out, by stream id, with their names. */
  private final Map<Integer, String> expected = new TreeMap<>();

  /** Receivers that confirmed their drain, with what they said. */
  private final Map<Integer, String> drained = new HashMap<>();

  private DrainCoordinator(String applicationId, String bindHost, String advertisedHost, int port)
      throws IOException {
    this.applicationId = applicationId;
    this.advertisedHost = advertisedHost;
    byte[] secret = new byte[16];
    new SecureRandom().nextBytes(secret);
    this.token = HexFormat.of().formatHex(secret);
    AtomicInteger threads = new AtomicInteger();
    this.handlers =
        Executors.newCachedThreadPool(
            task -> {
              Thread thread =
                  new Thread(task, "sparking-drain-coordinator-" + threads.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    this.server = HttpServer.create(new InetSocketAddress(bindHost, port), 50);
    server.createContext(PATH, this::handle);
    server.setExecutor(handlers);
    server.start();
  }

  /**
   * The coordinator of streaming context {@code ssc}, started on first use and closed by the
   * graceful stop or when the application ends.
   */
  public static DrainCoordinator forContext(StreamingContext ssc) {
    SparkContext sc = ssc.sparkContext();
    return BY_CONTEXT.computeIfAbsent(
        ssc,
        context -> {
          String id = sc.applicationId();
          String advertised = sc.getConf().get("spark.driver.host", "localhost");
          String bind = sc.getConf().get("spark.driver.bindAddress", advertised);
          try {
            DrainCoordinator coordinator =
                new DrainCoordinator(id, bind, advertised, sc.getConf().getInt(PORT_SETTING, 0));
            sc.addSparkListener(
                new SparkListener() {
                  @Override
                  public void onApplicationEnd(SparkListenerApplicationEnd end) {
                    coordinator.close();
                  }
                });
            LOG.info(
                "Drain coordinator of {} listens on {}:{}", id, advertised, coordinator.port());
            return coordinator;
          } catch (IOException e) {
            throw new IllegalStateException(
                "Could not open the receivers' drain endpoint on "
                    + bind
                    + ":"
                    + sc.getConf().getInt(PORT_SETTING, 0)
                    + " (spark.driver.bindAddress or spark.driver.host, and "
                    + PORT_SETTING
                    + "): "
                    + e.getMessage()
                    + "; check that the driver's host name resolves to an address of"
                    + " this machine and that the port is free",
                e);
          }
        });
  }

  /** The coordinator of {@code ssc}, if a Sparking receiver was handed out in it. */
  public static Optional<DrainCoordinator> of(StreamingContext ssc) {
    return Optional.ofNullable(BY_CONTEXT.get(ssc));
  }

  /**
   * Records that stream {@code streamId} runs a drainable receiver; returns where that receiver
   * asks.
   */
  public synchronized DrainEndpoint register(int streamId, String name) {
    expected.put(streamId, name);
    return new DrainEndpoint(advertisedHost, port(), token, streamId);
  }

  /** How many receivers the driver handed out. */
  public synchronized int receivers() {
    return expected.size();
  }

  /** The receivers the driver handed out, by stream id. */
  public synchronized Map<Integer, String> receiverNames() {
    return new TreeMap<>(expected);
  }

  /** The port the endpoint listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /**
   * Orders every receiver to drain and waits, at most {@code timeout}, until each has confirmed.
   * Returns the receivers that did not confirm, by stream id with their names (empty when all did).
   */
  public Map<Integer, String> drain(Duration timeout) throws InterruptedException {
    drainOrdered.countDown();
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      while (!drained.keySet().containsAll(expected.keySet())) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      Map<Integer, String> missing = new LinkedHashMap<>(expected);
      missing.keySet().removeAll(drained.keySet());
      return missing;
    }
  }

  /** Whether a drain was ordered. */
  public boolean drainOrdered() {
    return drainOrdered.getCount() == 0;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
      Integer stream = parseStream(query.get("stream"));
      if (!token.equals(query.get("token")) || stream == null) {
        answer(
            exchange,
            403,
            "this is the drain endpoint of "
                + applicationId
                + "; the request carries no valid"
                + " token and stream id");
        return;
      }
      if ("POST".equals(exchange.getRequestMethod())) {
        String outcome = query.getOrDefault("outcome", "drained");
        synchronized (this) {
          drained.put(stream, outcome);
          notifyAll();
        }
        LOG.info(
            "Receiver of stream {} ({}): {}", stream, expected.getOrDefault(stream, "?"), outcome);
        answer(exchange, 200, "ok");
        return;
      }
      boolean drain = drainOrdered.await(POLL_HOLD.toMillis(), TimeUnit.MILLISECONDS);
      answer(exchange, 200, drain ? "drain" : "run");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Integer parseStream(String value) {
    try {
      return value == null ? null : Integer.valueOf(value);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static void answer(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> values = new HashMap<>();
    if (raw == null) {
      return values;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        values.put(
            java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return values;
  }

  /** Stops the endpoint; held polls end, and receivers that poll afterwards get no answer. */
  @Override
  public void close() {
    boolean open;
    synchronized (BY_CONTEXT) {
      // Found by value: holding the context here would keep the weak key alive.
      open = BY_CONTEXT.values().remove(this);
    }
    if (open) {
      server.stop(0);
      handlers.shutdownNow();
    }
  }
}
