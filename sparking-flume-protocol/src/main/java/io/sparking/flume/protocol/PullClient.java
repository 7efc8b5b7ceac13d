package io.sparking.flume.protocol;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.ipc.CallFuture;
import org.apache.avro.ipc.netty.NettyTransceiver;
import org.apache.avro.ipc.specific.SpecificRequestor;

/**
 * A blocking client of the pull protocol ({@link SparkFlumeProtocol}), for tools, the benchmark and
 * tests: one connection to one pull sink (Sparking's, or Spark 2.4.8's {@code SparkSink}), and one
 * method per message.
 *
 * <pre>{@code
 * try (PullClient client = PullClient.connect("127.0.0.1", 9999)) {
 *   EventBatch batch = client.getEventBatch(100);
 *   if (batch.getErrorMsg().isEmpty()) {       // a transaction is open: ack or nack it
 *     process(batch.getEvents());
 *     client.ack(batch.getSequenceNumber());
 *   }
 * }
 * }</pre>
 *
 * <p>Every wait is bounded: connecting by the connect timeout, each call by the call timeout. A
 * call that is not answered in time throws {@link SocketTimeoutException} and closes the client,
 * since the sink may still have opened a transaction for it that this client can no longer name.
 * Spark 2.4.8's sink blocks without bound on an empty channel, so ask it for no more events than it
 * holds, or close the client from another thread: {@link #close()} ends the calls in flight with an
 * {@link IOException}. Calls may come from several threads.
 *
 * <p>Not what the receivers use: the pull receiver in {@code sparking-flume} keeps its own
 * connections, with pipelined acks and its reconnect policy. This client opens its own Netty event
 * loop, so keep connections few.
 */
public final class PullClient implements AutoCloseable {
  /** How long {@link #connect(String, int)} waits for the connection. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** How long {@link #connect(String, int)}'s client waits for each answer. */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);

  /** The pause of {@link #drain} after an answer without events (empty channel, busy sink). */
  private static final Duration DRAIN_PAUSE = Duration.ofMillis(10);

  private final String sink;
  private final Duration callTimeout;
  private final NettyTransceiver transceiver;
  private final SpecificRequestor requestor;
  private final SparkFlumeProtocol.Callback proxy;

  private PullClient(String sink, Duration callTimeout, NettyTransceiver transceiver)
      throws IOException {
    this.sink = sink;
    this.callTimeout = callTimeout;
    this.transceiver = transceiver;
    this.requestor = new SpecificRequestor(SparkFlumeProtocol.class, transceiver);
    this.proxy = SpecificRequestor.getClient(SparkFlumeProtocol.Callback.class, requestor);
  }

  /** Connects to the sink on {@code host:port} with the default timeouts. */
  public static PullClient connect(String host, int port) throws IOException {
    return connect(
        new InetSocketAddress(host, port), DEFAULT_CONNECT_TIMEOUT, DEFAULT_CALL_TIMEOUT);
  }

  /**
   * Connects to the sink at {@code address}.
   *
   * @param connectTimeout how long to wait for the connection
   * @param callTimeout how long each call waits for its answer
   * @throws IOException when no connection was made within {@code connectTimeout}
   */
  public static PullClient connect(
      InetSocketAddress address, Duration connectTimeout, Duration callTimeout) throws IOException {
    Objects.requireNonNull(address, "address");
    if (connectTimeout.isNegative()
        || connectTimeout.isZero()
        || callTimeout.isNegative()
        || callTimeout.isZero()) {
      throw new IllegalArgumentException(
          "connectTimeout="
              + connectTimeout
              + ", callTimeout="
              + callTimeout
              + ": pass positive durations");
    }
    String sink = address.getHostString() + ":" + address.getPort();
    NettyTransceiver transceiver;
    try {
      transceiver =
          new NettyTransceiver(
              address, Math.toIntExact(Math.min(connectTimeout.toMillis(), Integer.MAX_VALUE)));
    } catch (IOException e) {
      throw new IOException(
          "Could not connect to the pull sink at " + sink + " within " + connectTimeout, e);
    }
    try {
      return new PullClient(sink, callTimeout, transceiver);
    } catch (IOException | RuntimeException e) {
      transceiver.close();
      throw e;
    }
  }

  /**
   * Asks for up to {@code n} events. An answer with an empty {@code errorMsg} opened a transaction:
   * ack or nack its {@code sequenceNumber}. An answer with an {@code errorMsg} (no events in time,
   * every transaction busy) holds no events and opened nothing.
   */
  public EventBatch getEventBatch(int n) throws IOException, InterruptedException {
    CallFuture<EventBatch> answer = new CallFuture<>();
    proxy.getEventBatch(n, answer);
    return await(answer, "getEventBatch(" + n + ")");
  }

  /** Commits the transaction {@code sequenceNumber}: its events leave the channel. */
  public void ack(String sequenceNumber) throws IOException, InterruptedException {
    CallFuture<Void> answer = new CallFuture<>();
    proxy.ack(sequenceNumber, answer);
    await(answer, "ack(" + sequenceNumber + ")");
  }

  /** Rolls the transaction {@code sequenceNumber} back: its events are handed out again. */
  public void nack(String sequenceNumber) throws IOException, InterruptedException {
    CallFuture<Void> answer = new CallFuture<>();
    proxy.nack(sequenceNumber, answer);
    await(answer, "nack(" + sequenceNumber + ")");
  }

  /**
   * Commits the transaction {@code sequenceNumber} if it is still open, and tells how it ended.
   * Spark 2.4.8's sink does not know this message: it is not asked, and the answer is {@link
   * Settlement#UNKNOWN}.
   */
  public Settlement settle(String sequenceNumber) throws IOException, InterruptedException {
    if (!speaksSettle()) {
      return Settlement.UNKNOWN;
    }
    CallFuture<Settlement> answer = new CallFuture<>();
    proxy.settle(sequenceNumber, answer);
    return await(answer, "settle(" + sequenceNumber + ")");
  }

  /** Whether the sink answers {@link #settle}; asks it with a handshake on a first call. */
  public boolean speaksSettle() throws IOException, InterruptedException {
    // Avro's handshake waits without bound: it runs aside, and a late answer closes the client.
    CompletableFuture<Boolean> answer = new CompletableFuture<>();
    Thread handshake =
        new Thread(
            () -> {
              try {
                answer.complete(requestor.getRemote().getMessages().containsKey("settle"));
              } catch (IOException | RuntimeException e) {
                answer.completeExceptionally(e);
              }
            },
            "pull-client-handshake-" + sink);
    handshake.setDaemon(true);
    handshake.start();
    try {
      return answer.get(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      close();
      throw new SocketTimeoutException(
          "The pull sink at " + sink + " did not answer a handshake within " + callTimeout);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException("Handshake with the pull sink at " + sink + " failed", e.getCause());
    }
  }

  /**
   * Pulls batches of up to {@code batchSize} and acks each, until {@code expected} events came or
   * {@code deadline} passed (plus at most one call timeout); answers without events are skipped.
   * Returns the bodies, as UTF-8 text, in the order they came: fewer than {@code expected} when the
   * deadline passed first.
   */
  public List<String> drain(int expected, int batchSize, Duration deadline)
      throws IOException, InterruptedException {
    List<String> bodies = new ArrayList<>();
    long end = System.nanoTime() + deadline.toNanos();
    while (bodies.size() < expected && System.nanoTime() - end < 0) {
      EventBatch batch = getEventBatch(batchSize);
      if (!batch.getErrorMsg().isEmpty()) {
        Thread.sleep(DRAIN_PAUSE.toMillis());
        continue;
      }
      bodies.addAll(bodies(batch));
      ack(batch.getSequenceNumber());
    }
    return bodies;
  }

  /** The bodies of {@code batch}'s events as UTF-8 text, in order. */
  public static List<String> bodies(EventBatch batch) {
    List<String> bodies = new ArrayList<>(batch.getEvents().size());
    batch.getEvents().forEach(e -> bodies.add(text(e.getBody())));
    return bodies;
  }

  /** {@code body} as UTF-8 text; leaves the buffer's position alone. */
  public static String text(ByteBuffer body) {
    return StandardCharsets.UTF_8.decode(body.duplicate()).toString();
  }

  private <T> T await(CallFuture<T> answer, String call) throws IOException, InterruptedException {
    try {
      return answer.get(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      close();
      SocketTimeoutException timeout =
          new SocketTimeoutException(
              "The pull sink at "
                  + sink
                  + " did not answer "
                  + call
                  + " within "
                  + callTimeout
                  + "; the client is closed");
      timeout.initCause(e);
      throw timeout;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IOException(call + " to the pull sink at " + sink + " failed", cause);
    }
  }

  /** Closes the connection; calls still waiting end with an {@link IOException}. */
  @Override
  public void close() {
    transceiver.close();
  }

  @Override
  public String toString() {
    return "PullClient[" + sink + "]";
  }
}
