package io.sparking.flume;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flume.Event;
import org.apache.flume.api.RpcClient;
import org.apache.flume.api.RpcClientFactory;
import org.apache.flume.event.EventBuilder;

/**
 * Sends uniquely numbered ids ({@link #id}, as the events' bodies) to an agent's avro source,
 * {@link #CHUNK} at a time with a pause of {@link #PAUSE_MILLIS} between sends (about 1,000 a
 * second), on a thread of its own until stopped; {@link #sent()} counts the ids the agent accepted.
 */
public final class PacedFeeder implements AutoCloseable {
  /** Ids sent at once. */
  public static final int CHUNK = 50;

  /** Pause between two sends. */
  public static final long PAUSE_MILLIS = 50;

  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicInteger sent = new AtomicInteger();
  private final AtomicReference<Exception> failure = new AtomicReference<>();
  private final Thread thread;

  private PacedFeeder(int port) {
    thread = new Thread(() -> run(port), "paced-feed");
    thread.setDaemon(true);
  }

  /** Starts feeding the avro source on {@code 127.0.0.1:port}. */
  public static PacedFeeder start(int port) {
    PacedFeeder feeder = new PacedFeeder(port);
    feeder.thread.start();
    return feeder;
  }

  /** The body of the {@code i}th id. */
  public static String id(int i) {
    return "w-" + i;
  }

  private void run(int port) {
    Properties props = new Properties();
    props.setProperty("hosts", "h1");
    props.setProperty("hosts.h1", "127.0.0.1:" + port);
    props.setProperty("batch-size", Integer.toString(CHUNK));
    props.setProperty("connect-timeout", "10000");
    props.setProperty("request-timeout", "20000");
    RpcClient client = null;
    try {
      client = RpcClientFactory.getInstance(props);
      while (!stop.get()) {
        int first = sent.get();
        List<Event> chunk = new ArrayList<>(CHUNK);
        for (int i = first; i < first + CHUNK; i++) {
          chunk.add(EventBuilder.withBody(id(i).getBytes(StandardCharsets.UTF_8)));
        }
        client.appendBatch(chunk);
        sent.addAndGet(CHUNK);
        Thread.sleep(PAUSE_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      failure.set(e);
    } finally {
      if (client != null) {
        client.close();
      }
    }
  }

  /** Whether it still sends: started, not stopped, not failed. */
  public boolean running() {
    return thread.isAlive() && !stop.get();
  }

  /**
   * Stops sending and waits, at most 30 s, for the last send's answer; then {@link #sent()} holds.
   */
  public void stop() {
    stop.set(true);
    try {
      thread.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Asserts that it stopped and no send failed. */
  public void assertStoppedCleanly() {
    assertThat(thread.isAlive()).as("feeder stopped").isFalse();
    assertThat(failure.get()).as("feeder failure").isNull();
  }

  /** Ids the agent accepted so far: {@code id(0) .. id(sent() - 1)}. */
  public int sent() {
    return sent.get();
  }

  @Override
  public void close() {
    stop();
  }
}
