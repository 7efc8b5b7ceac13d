package io.sparking.flume.internal;

import io.sparking.flume.FlumeEvent;
import io.sparking.flume.PullSettings;
import io.sparking.flume.StoreFullException;
import io.sparking.flume.protocol.EventBatch;
import io.sparking.flume.protocol.Settlement;
import io.sparking.flume.protocol.SparkFlumeProtocol;
import io.sparking.flume.protocol.SparkSinkEvent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.avro.ipc.CallFuture;
import org.apache.avro.ipc.Callback;
import org.apache.avro.ipc.netty.NettyTransceiver;
import org.apache.avro.ipc.specific.SpecificRequestor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection to one agent's pull sink and the loop that runs on it: ask for a batch, store it
 * whole, then ack it; nack it when storing failed or the receiver is stopping. Every call is
 * bounded by the call timeout; a call that outlives it costs the connection, since its answer may
 * still come and would be read as the next one's.
 *
 * <p>The ack of a stored batch is pipelined with the request for the next one: both are on the wire
 * together, and the ack's answer is awaited once the next batch came back (and always before the
 * connection closes). The sink commits the acked transaction while it takes the next batch, instead
 * of one round trip after the other.
 *
 * <p>Sparking's sink is acked with {@code settle}, whose answer says whether the transaction
 * committed or had already rolled back (its events then come again); the store hears it as soon as
 * it arrives. When that answer is lost with the connection, the question is asked once more on a
 * new one, since the sink remembers. Spark 2.4.8's sink gets a plain {@code ack}, and the store
 * hears {@link Settlement#UNKNOWN}.
 */
final class PullConnection implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(PullConnection.class);

  /**
   * Shared by all connections of a receiver: set once when the receiver stops, and wakes their
   * pauses.
   */
  static final class StopSignal {
    private final CountDownLatch latch = new CountDownLatch(1);

    void set() {
      latch.countDown();
    }

    boolean isSet() {
      return latch.getCount() == 0;
    }

    /** Pauses for {@code pause} unless stopped first; true when stopped. */
    boolean pause(Duration pause) {
      try {
        return latch.await(pause.toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return true;
      }
    }
  }

  @FunctionalInterface
  private interface Call<T> {
    void start(SparkFlumeProtocol.Callback client, CallFuture<T> future) throws IOException;
  }

  private final String host;
  private final int port;
  private final String agent;
  private final String name;
  private final PullSettings settings;
  private final EventBatchStore store;
  private final StopSignal stop;
  private final FlumeReceiverMetrics metrics;
  private final AtomicLong storedEvents = new AtomicLong();
  private final AtomicLong nackedBatches = new AtomicLong();
  private volatile NettyTransceiver transceiver;

  /** Used by the connection's own thread only; {@link #abort()} touches the transceiver alone. */
  private SparkFlumeProtocol.Callback client;

  private SpecificRequestor requestor;

  /** Whether the sink answers {@code settle}, known once a call of this connection came back. */
  private Boolean settles;

  /** The ack sent for the last stored batch, whose answer is still to be read; own thread only. */
  private PendingAck pendingAck;

  /** A stored batch's ack or settle in flight; the store hears its settlement exactly once. */
  private final class PendingAck {
    final String sequence;
    final int events;
    final boolean settle;
    final CompletableFuture<Settlement> answer = new CompletableFuture<>();
    private final AtomicBoolean reported = new AtomicBoolean();

    PendingAck(String sequence, int events, boolean settle) {
      this.sequence = sequence;
      this.events = events;
      this.settle = settle;
      answer.thenAccept(this::report);
    }

    void report(Settlement settlement) {
      if (!reported.compareAndSet(false, true)) {
        return;
      }
      if (settlement == Settlement.ROLLED_BACK) {
        LOG.warn(
            "Batch {} of {} events from {} was stored, but the sink had rolled it back before the"
                + " ack came (its timeout passed); its events are delivered again",
            sequence,
            events,
            name);
      }
      store.settled(agent, sequence, settlement);
    }
  }

  PullConnection(
      String host,
      int port,
      int index,
      PullSettings settings,
      EventBatchStore store,
      StopSignal stop,
      FlumeReceiverMetrics metrics) {
    this.host = host;
    this.port = port;
    this.agent = host + ":" + port;
    this.name = agent + "#" + index;
    this.settings = settings;
    this.store = store;
    this.stop = stop;
    this.metrics = metrics;
  }

  @Override
  public void run() {
    try {
      while (!stop.isSet()) {
        pullOnce();
      }
    } finally {
      // The last stored batch's ack must be answered before the connection closes, or the sink
      // rolls it back.
      awaitAck();
      disconnect();
      LOG.info(
          "Pull connection {} stopped ({} events stored, {} batches nacked)",
          name,
          storedEvents.get(),
          nackedBatches.get());
    }
  }

  /**
   * Closes the connection from another thread, failing the call in flight at once; the connection's
   * own thread then sees the failure, finds the stop signal set and ends.
   */
  void abort() {
    NettyTransceiver open = transceiver;
    if (open != null) {
      open.close(false);
    }
  }

  long storedEvents() {
    return storedEvents.get();
  }

  long nackedBatches() {
    return nackedBatches.get();
  }

  private void pullOnce() {
    EventBatch batch;
    try {
      connect();
      long asked = System.nanoTime();
      batch = call("getEventBatch", (c, f) -> c.getEventBatch(settings.batchSize(), f));
      metrics.pullRoundTrip(System.nanoTime() - asked);
      if (settles == null) {
        // The handshake of the call just answered told the sink's protocol; no round trip here.
        settles = requestor.getRemote().getMessages().containsKey("settle");
      }
    } catch (TimeoutException e) {
      // An empty channel in Spark 2.4's sink never answers; ours answers within its batchWait.
      LOG.debug("No batch from {} within {}; reconnecting", name, settings.callTimeout());
      awaitAck();
      disconnect();
      return;
    } catch (IOException | ExecutionException | RuntimeException e) {
      awaitAck();
      disconnect();
      if (!stop.isSet()) {
        LOG.warn(
            "Pulling from {} failed, connecting again in {}: {}",
            name,
            settings.reconnectBackoff(),
            rootMessage(e));
        stop.pause(settings.reconnectBackoff());
      }
      return;
    }
    if (!awaitAck()) {
      // The connection is gone with the failed ack; the batch just taken rolls back on the sink
      // when it notices.
      return;
    }
    String error = batch.getErrorMsg() == null ? "" : batch.getErrorMsg().toString();
    if (!error.isEmpty() || batch.getEvents().isEmpty()) {
      // No transaction is open behind an error batch: nothing to ack or nack.
      LOG.debug("No events from {}: {}", name, error);
      stop.pause(settings.emptyBackoff());
      return;
    }
    String sequence = batch.getSequenceNumber().toString();
    if (stop.isSet()) {
      nack(sequence, "the receiver is stopping");
      return;
    }
    List<FlumeEvent> events = new ArrayList<>(batch.getEvents().size());
    for (SparkSinkEvent e : batch.getEvents()) {
      events.add(FlumeEvents.fromAvro(e.getHeaders(), e.getBody()));
    }
    try {
      store.store(agent, sequence, events);
    } catch (Exception e) {
      if (StoreFullException.isCause(e)) {
        // The consumer is behind: the batch waits in the channel, and the next ask waits a while.
        LOG.debug("Batch {} from {} refused: {}", sequence, name, e.toString());
        nack(sequence, "the store is full");
        stop.pause(settings.reconnectBackoff());
        return;
      }
      // Spark's store throws its checked SparkException when the write-ahead log fails; it must be
      // nacked too.
      LOG.warn(
          "Could not store batch {} of {} events from {}; nacking it so the sink delivers it again: {}",
          sequence,
          events.size(),
          name,
          e.toString());
      nack(sequence, "storing failed");
      stop.pause(settings.emptyBackoff());
      return;
    }
    storedEvents.addAndGet(events.size());
    PendingAck ack = new PendingAck(sequence, events.size(), settles);
    pendingAck = ack;
    try {
      if (ack.settle) {
        client.settle(sequence, completing(ack.answer, settlement -> settlement));
      } else {
        client.ack(sequence, completing(ack.answer, nothing -> Settlement.UNKNOWN));
      }
    } catch (IOException | RuntimeException e) {
      ack.answer.completeExceptionally(e);
      awaitAck();
    }
  }

  private static <T> Callback<T> completing(
      CompletableFuture<Settlement> answer, Function<T, Settlement> settlement) {
    return new Callback<>() {
      @Override
      public void handleResult(T result) {
        answer.complete(settlement.apply(result));
      }

      @Override
      public void handleError(Throwable error) {
        answer.completeExceptionally(error);
      }
    };
  }

  /**
   * Reads the answer to the pending ack, if any, within the call timeout; false (and the connection
   * closed) when the ack failed and asking again did not settle it.
   */
  private boolean awaitAck() {
    PendingAck ack = pendingAck;
    if (ack == null) {
      return true;
    }
    pendingAck = null;
    try {
      ack.answer.get(settings.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
      metrics.pullAcked();
      return true;
    } catch (InterruptedException | ExecutionException | TimeoutException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      String why =
          e instanceof TimeoutException
              ? "no answer within " + settings.callTimeout()
              : rootMessage(e);
      disconnect();
      if (ack.settle && !stop.isSet()) {
        // The sink remembers the transaction: ask again on a new connection, which also commits
        // it if it is still open.
        Settlement settlement = settleAgain(ack.sequence);
        if (settlement != Settlement.UNKNOWN) {
          ack.report(settlement);
          metrics.pullAcked();
          return true;
        }
      }
      // The events are stored; if the sink rolls the transaction back, they come twice.
      LOG.warn(
          "Stored batch {} of {} events from {} but could not ack it ({}); if the sink rolls it back,"
              + " its events are delivered again",
          ack.sequence,
          ack.events,
          name,
          why);
      ack.report(Settlement.UNKNOWN);
      return false;
    }
  }

  /** Asks the sink on a new connection how {@code sequence} ended; UNKNOWN when that fails too. */
  private Settlement settleAgain(String sequence) {
    try {
      connect();
      return this.<Settlement>call("settle", (c, f) -> c.settle(sequence, f));
    } catch (IOException | ExecutionException | TimeoutException | RuntimeException e) {
      LOG.debug("Asking {} again about batch {} failed: {}", name, sequence, rootMessage(e));
      disconnect();
      return Settlement.UNKNOWN;
    }
  }

  private void nack(String sequence, String why) {
    try {
      this.<Void>call("nack", (c, f) -> c.nack(sequence, f));
      nackedBatches.incrementAndGet();
      metrics.pullNacked();
    } catch (IOException | ExecutionException | TimeoutException | RuntimeException e) {
      LOG.warn(
          "Could not nack batch {} from {} ({}); the sink delivers it again after its own timeout: {}",
          sequence,
          name,
          why,
          rootMessage(e));
      disconnect();
    }
  }

  private <T> T call(String what, Call<T> call)
      throws IOException, ExecutionException, TimeoutException {
    CallFuture<T> future = new CallFuture<>();
    call.start(client, future);
    try {
      return future.get(settings.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(what + " to " + name + " interrupted", e);
    } catch (TimeoutException e) {
      throw new TimeoutException(
          what + " to " + name + " got no answer within " + settings.callTimeout());
    }
  }

  private void connect() throws IOException {
    if (transceiver != null && client != null) {
      return;
    }
    // Resolved here, on the executor, so a changed DNS entry is followed on reconnect.
    NettyTransceiver opened =
        new NettyTransceiver(
            new InetSocketAddress(host, port), (int) settings.connectTimeout().toMillis());
    transceiver = opened;
    if (stop.isSet()) {
      disconnect();
      throw new IOException("receiver stopping");
    }
    requestor = new SpecificRequestor(SparkFlumeProtocol.class, opened);
    client = SpecificRequestor.getClient(SparkFlumeProtocol.Callback.class, requestor);
  }

  private void disconnect() {
    NettyTransceiver open = transceiver;
    transceiver = null;
    client = null;
    requestor = null;
    if (open != null) {
      // Without waiting: the transceiver's own threads stop in the background within Netty's quiet
      // period.
      open.close(false);
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == e ? e.toString() : e + " (" + root + ")";
  }
}
