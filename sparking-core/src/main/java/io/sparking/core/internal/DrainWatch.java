package io.sparking.core.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiver's end of the drain channel: one thread that long-polls the driver's {@link
 * DrainCoordinator} and, when told to drain, runs the receiver's drain and reports the outcome.
 * Lives from the receiver's start to its stop.
 */
public final class DrainWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DrainWatch.class);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration READ_TIMEOUT = DrainCoordinator.POLL_HOLD.plusSeconds(15);
  private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
  private static final Duration STOP_WAIT = Duration.ofSeconds(5);

  /** What the receiver does when told to drain; returns a short description of what it did. */
  @FunctionalInterface
  public interface Drain {
    String run() throws Exception;
  }

  private final DrainEndpoint endpoint;
  private final String receiver;
  private final Drain drain;
  private final Thread thread;
  private volatile boolean closed;
  private volatile boolean draining;
  private volatile HttpURLConnection current;

  private DrainWatch(DrainEndpoint endpoint, String receiver, Drain drain) {
    this.endpoint = endpoint;
    this.receiver = receiver;
    this.drain = drain;
    this.thread = new Thread(this::watch, "sparking-drain-watch-" + endpoint.streamId());
    thread.setDaemon(true);
  }

  /** Starts watching {@code endpoint} for receiver {@code receiver} (its name, for logs). */
  public static DrainWatch start(DrainEndpoint endpoint, String receiver, Drain drain) {
    DrainWatch watch = new DrainWatch(endpoint, receiver, drain);
    watch.thread.start();
    return watch;
  }

  private void watch() {
    boolean warned = false;
    while (!closed) {
      try {
        String answer = request("GET", endpoint.uri());
        if (!"drain".equals(answer)) {
          continue;
        }
        String outcome;
        draining = true;
        try {
          outcome = "drained: " + drain.run();
        } catch (Exception e) {
          LOG.error(
              "Receiver {} could not drain; what it took in but did not store is read again after a restart",
              receiver,
              e);
          outcome = "failed to drain: " + e;
        } finally {
          draining = false;
        }
        if (!closed) {
          request(
              "POST",
              URI.create(
                  endpoint.uri()
                      + "&outcome="
                      + URLEncoder.encode(outcome, StandardCharsets.UTF_8)));
        }
        return;
      } catch (IOException e) {
        if (closed) {
          return;
        }
        if (!warned) {
          LOG.warn(
              "Receiver {} cannot reach the driver's drain endpoint {}:{} ({}); it keeps receiving and asks again"
                  + " every {} s. A graceful stop cannot drain it until it can: check that executors reach the driver"
                  + " (spark.driver.host)",
              receiver,
              endpoint.host(),
              endpoint.port(),
              e.toString(),
              RETRY_PAUSE.toSeconds());
          warned = true;
        }
        try {
          Thread.sleep(RETRY_PAUSE.toMillis());
        } catch (InterruptedException interrupted) {
          return;
        }
      }
    }
  }

  private String request(String method, URI uri) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
    current = connection;
    try {
      connection.setRequestMethod(method);
      connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
      connection.setReadTimeout((int) READ_TIMEOUT.toMillis());
      connection.setUseCaches(false);
      if ("POST".equals(method)) {
        connection.setDoOutput(true);
        connection.getOutputStream().close();
      }
      int status = connection.getResponseCode();
      if (status != 200) {
        throw new IOException("the drain endpoint answered HTTP " + status);
      }
      try (InputStream in = connection.getInputStream()) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      }
    } finally {
      connection.disconnect();
      current = null;
    }
  }

  /**
   * Stops watching: ends a held poll and waits briefly for the thread; a drain in progress finishes
   * first.
   */
  @Override
  public void close() {
    closed = true;
    HttpURLConnection connection = current;
    if (connection != null) {
      connection.disconnect();
    }
    if (Thread.currentThread() != thread) {
      if (!draining) {
        thread.interrupt();
      }
      try {
        thread.join(STOP_WAIT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
