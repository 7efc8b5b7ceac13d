package io.sparking.flume.sink.internal;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.sparking.flume.protocol.EventBatch;
import io.sparking.flume.protocol.FrameGuard;
import io.sparking.flume.protocol.Settlement;
import io.sparking.flume.protocol.SparkFlumeProtocol;
import io.sparking.flume.protocol.SparkSinkEvent;
import io.sparking.flume.sink.SparkingSinkConfig;
import io.sparking.flume.sink.internal.OpenTransaction.Outcome;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.ipc.netty.NettyServer;
import org.apache.avro.ipc.specific.SpecificResponder;
import org.apache.flume.Channel;
import org.apache.flume.ChannelException;
import org.apache.flume.Event;
import org.apache.flume.FlumeException;
import org.apache.flume.Transaction;
import org.apache.flume.instrumentation.SinkCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@link SparkFlumeProtocol} over Avro RPC out of channel transactions.
 *
 * <p>Flume binds a transaction to the thread that opened it, so every batch gets a worker thread of
 * its own from a pool of {@code threads}: it opens the transaction, takes the events, hands the
 * batch to the RPC thread that asked for it, and then waits for the outcome (ack, nack, timeout or
 * stop) to commit or roll back on that same thread. The outcome is a future completed once, so an
 * ack that loses the race against the timeout can never commit a transaction a second time or after
 * its rollback.
 *
 * <p>How each transaction ended is remembered ({@link EndedTransactions}), so {@link #settle} can
 * tell a consumer that kept a batch, and maybe restarted since, whether the channel delivers that
 * batch again.
 */
public final class BatchServer implements SparkFlumeProtocol, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BatchServer.class);

  /**
   * Longest pause between two polls of an empty channel: bounds the latency of the first event of a
   * batch.
   */
  private static final long MAX_POLL_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  /**
   * Extra time an RPC thread grants a worker beyond batchWait, for a channel whose take() itself
   * blocks.
   */
  private static final Duration TAKE_MARGIN = Duration.ofSeconds(5);

  /** How long ack and nack wait for the commit or rollback they caused. */
  private static final Duration FINISH_WAIT = Duration.ofSeconds(30);

  /** How long close() waits for workers to roll back before interrupting them. */
  private static final Duration STOP_WAIT = Duration.ofSeconds(10);

  /**
   * Largest request frame a client may send. Requests are tiny (a count, or a sequence number, plus
   * Avro's handshake with the client's protocol text on the first call), so 1 MiB is far beyond any
   * real one; a frame declaring more is garbage or an attack, and its connection is closed before
   * anything is buffered for it.
   */
  public static final int MAX_REQUEST_BYTES = 1024 * 1024;

  private final String name;
  private final Channel channel;
  private final SparkingSinkConfig config;
  private final SinkCounter counter;
  private final Semaphore slots;
  private final ExecutorService workers;
  private final Map<String, OpenTransaction> open = new ConcurrentHashMap<>();
  private final String sequencePrefix =
      Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
  private final AtomicLong sequence = new AtomicLong();
  private final EndedTransactions ended = new EndedTransactions();
  private final AtomicBoolean capacityWarned = new AtomicBoolean();
  private final AtomicInteger waiting = new AtomicInteger();
  private final EventLoopGroup boss;
  private final EventLoopGroup io;
  private final EventLoopGroup callers;
  private volatile boolean stopping;
  private NettyServer server;

  private BatchServer(
      String name, Channel channel, SparkingSinkConfig config, SinkCounter counter) {
    this.name = name;
    this.channel = channel;
    this.config = config;
    this.counter = counter;
    this.slots = new Semaphore(config.threads());
    this.workers =
        Executors.newFixedThreadPool(
            config.threads(), new DefaultThreadFactory("sparking-sink-" + name + "-tx", true));
    this.boss =
        new NioEventLoopGroup(
            1, new DefaultThreadFactory("sparking-sink-" + name + "-accept", true));
    this.io =
        new NioEventLoopGroup(2, new DefaultThreadFactory("sparking-sink-" + name + "-io", true));
    // Avro hands each call to the next caller loop in turn, and getEventBatch may block up to
    // batchWait: more loops
    // than open transactions keep an ack from queueing behind a waiting request for long.
    this.callers =
        new DefaultEventLoopGroup(
            2 * config.threads() + 2,
            new DefaultThreadFactory("sparking-sink-" + name + "-rpc", true));
  }

  /**
   * Binds the Avro server for {@code channel} and starts serving.
   *
   * @throws FlumeException if the address cannot be bound, naming it
   */
  public static BatchServer start(
      String name, Channel channel, SparkingSinkConfig config, SinkCounter counter) {
    BatchServer batches = new BatchServer(name, channel, config, counter);
    InetSocketAddress address = new InetSocketAddress(config.hostname(), config.port());
    try {
      // avro-ipc's own decoder trusts declared frame sizes; the guard checks them first (see
      // FrameGuard).
      batches.server =
          new NettyServer(
              new SpecificResponder(SparkFlumeProtocol.class, batches),
              address,
              socket ->
                  socket
                      .pipeline()
                      .addLast(
                          "frameGuard",
                          new FrameGuard(
                              MAX_REQUEST_BYTES,
                              "sink " + name,
                              "only Spark receivers speak to this port, with requests far below "
                                  + MAX_REQUEST_BYTES
                                  + " bytes;"
                                  + " check what connects to it")),
              null,
              batches.boss,
              batches.io,
              batches.callers);
      batches.server.start();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      batches.close();
      throw new FlumeException("Interrupted while binding sink " + name + " to " + address, e);
    } catch (RuntimeException e) {
      batches.close();
      throw new FlumeException(
          "Sink "
              + name
              + " could not listen on "
              + config.hostname()
              + ":"
              + config.port()
              + " ("
              + e
              + "); free the port or set '"
              + SparkingSinkConfig.PORT
              + "' to another one",
          e);
    }
    LOG.info(
        "Sink {} serves batches on {}:{} ({})",
        name,
        config.hostname(),
        batches.server.getPort(),
        config);
    return batches;
  }

  /** The port the server listens on. */
  public int port() {
    return server.getPort();
  }

  /** Client connections open right now. */
  public int openConnections() {
    return server.getNumActiveConnections();
  }

  /** How many batches are handed out and wait for their ack or nack. */
  public int openTransactions() {
    return open.size();
  }

  /** How many requests wait for events on an empty channel. */
  public int waitingRequests() {
    return waiting.get();
  }

  @Override
  public EventBatch getEventBatch(int n) {
    if (stopping) {
      return errorBatch("Sink " + name + " is stopping");
    }
    if (n <= 0) {
      return errorBatch("Asked for " + n + " events; ask for 1 or more");
    }
    int size = Math.min(n, config.maxBatchSize());
    try {
      if (!slots.tryAcquire(config.batchWait().toMillis(), TimeUnit.MILLISECONDS)) {
        return errorBatch(
            "All "
                + config.threads()
                + " transactions of sink "
                + name
                + " wait for an ack or nack;"
                + " ack or nack earlier batches, or raise '"
                + SparkingSinkConfig.THREADS
                + "'");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return errorBatch("Sink " + name + " is stopping");
    }
    long number = sequence.incrementAndGet();
    ended.opened(number);
    OpenTransaction tx = new OpenTransaction(sequencePrefix + "-" + number, number, size);
    try {
      workers.execute(() -> run(tx));
    } catch (RejectedExecutionException e) {
      slots.release();
      return errorBatch("Sink " + name + " is stopping");
    }
    try {
      return tx.batch.get(config.batchWait().plus(TAKE_MARGIN).toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      // The worker still sits in channel.take(); whichever completes first decides, and a batch
      // that loses rolls back.
      tx.batch.complete(
          errorBatch(
              "The channel of sink "
                  + name
                  + " did not answer a take within "
                  + config.batchWait().plus(TAKE_MARGIN)));
      return tx.batch.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      tx.batch.complete(errorBatch("Sink " + name + " is stopping"));
      return tx.batch.join();
    } catch (ExecutionException e) {
      return errorBatch("Sink " + name + " could not take events: " + e.getCause());
    }
  }

  @Override
  public void ack(String sequenceNumber) {
    end(sequenceNumber, Outcome.ACK);
  }

  @Override
  public void nack(String sequenceNumber) {
    end(sequenceNumber, Outcome.NACK);
  }

  @Override
  public Settlement settle(String sequenceNumber) {
    OpenTransaction tx = sequenceNumber == null ? null : open.get(sequenceNumber);
    if (tx == null) {
      return endedAs(sequenceNumber);
    }
    tx.outcome.complete(Outcome.ACK);
    try {
      return awaitFinished(tx) == Outcome.ACK ? Settlement.COMMITTED : Settlement.ROLLED_BACK;
    } catch (ExecutionException e) {
      // The commit failed and the transaction was rolled back.
      return Settlement.ROLLED_BACK;
    }
  }

  /**
   * Waits for the worker to commit or roll back {@code tx}, and gives how it ended.
   *
   * @throws ExecutionException when the commit or rollback itself failed (the events come again)
   */
  private Outcome awaitFinished(OpenTransaction tx) throws ExecutionException {
    try {
      return tx.finished.get(FINISH_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AvroRuntimeException(
          "Sink " + name + " did not finish batch " + tx.sequenceNumber + " within " + FINISH_WAIT);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AvroRuntimeException(
          "Sink " + name + " is stopping before batch " + tx.sequenceNumber + " finished");
    }
  }

  /** How a transaction that is not open ended, from its number; UNKNOWN if not one of ours. */
  private Settlement endedAs(String sequenceNumber) {
    String ours = sequencePrefix + "-";
    if (sequenceNumber == null || !sequenceNumber.startsWith(ours)) {
      return Settlement.UNKNOWN;
    }
    try {
      return ended.outcome(Long.parseLong(sequenceNumber.substring(ours.length())));
    } catch (NumberFormatException e) {
      return Settlement.UNKNOWN;
    }
  }

  private void end(String sequenceNumber, Outcome wanted) {
    OpenTransaction tx = sequenceNumber == null ? null : open.get(sequenceNumber);
    if (tx == null || !tx.outcome.complete(wanted)) {
      // Old receivers treat ack and nack as fire-and-forget, so a late one is logged, not thrown.
      Outcome earlier = tx == null ? null : tx.outcome.getNow(null);
      LOG.warn(
          "Sink {} ignored {} for batch {}: {}",
          name,
          wanted,
          sequenceNumber,
          earlier == null
              ? "no open transaction has that number (it timed out, was nacked or the agent restarted)"
              : "it already ended with " + earlier + "; its events are delivered again");
      return;
    }
    try {
      awaitFinished(tx);
    } catch (ExecutionException e) {
      throw new AvroRuntimeException(
          "Sink "
              + name
              + " could not "
              + (wanted == Outcome.ACK ? "commit" : "roll back")
              + " batch "
              + sequenceNumber
              + ": "
              + e.getCause()
              + "; its events are delivered again",
          e.getCause());
    }
  }

  /** Runs on a worker thread: the whole life of one channel transaction. */
  private void run(OpenTransaction tx) {
    Transaction transaction = null;
    Outcome outcome = null;
    boolean committed = false;
    try {
      transaction = channel.getTransaction();
      transaction.begin();
      List<SparkSinkEvent> events = take(tx.size);
      if (events.isEmpty()) {
        counter.incrementBatchEmptyCount();
        tx.batch.complete(
            errorBatch(
                "No events in the channel of sink "
                    + name
                    + " within "
                    + config.batchWait().toMillis()
                    + " ms"));
        transaction.rollback();
        outcome = Outcome.NACK;
        return;
      }
      counter.addToEventDrainAttemptCount(events.size());
      open.put(tx.sequenceNumber, tx);
      if (!tx.batch.complete(new EventBatch("", tx.sequenceNumber, events))) {
        tx.outcome.complete(Outcome.STOPPED);
      }
      if (stopping) {
        tx.outcome.complete(Outcome.STOPPED);
      }
      try {
        outcome = tx.outcome.get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        tx.outcome.complete(Outcome.TIMED_OUT);
        outcome = tx.outcome.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        tx.outcome.complete(Outcome.STOPPED);
        outcome = tx.outcome.join();
      }
      if (outcome == Outcome.ACK) {
        transaction.commit();
        committed = true;
        counter.addToEventDrainSuccessCount(events.size());
        if (events.size() == tx.size) {
          counter.incrementBatchCompleteCount();
        } else {
          counter.incrementBatchUnderflowCount();
        }
      } else {
        if (outcome == Outcome.TIMED_OUT) {
          LOG.warn(
              "Sink {}: batch {} of {} events got no ack within {} s; rolling back, the events are delivered"
                  + " again",
              name,
              tx.sequenceNumber,
              events.size(),
              config.timeout().toSeconds());
        }
        transaction.rollback();
      }
    } catch (Throwable e) {
      LOG.error(
          "Sink {}: batch {} failed ({}); rolling back", name, tx.sequenceNumber, e.toString(), e);
      tx.batch.complete(errorBatch("Sink " + name + " could not take events: " + e));
      tx.outcome.complete(Outcome.STOPPED);
      rollbackQuietly(transaction);
      tx.finished.completeExceptionally(e);
      if (e instanceof Error error) {
        throw error;
      }
    } finally {
      // Remembered before it leaves the open ones, so a settle always finds one or the other.
      ended.ended(tx.number, committed);
      open.remove(tx.sequenceNumber);
      if (transaction != null) {
        try {
          transaction.close();
        } catch (RuntimeException e) {
          LOG.warn(
              "Sink {}: closing the transaction of batch {} failed: {}",
              name,
              tx.sequenceNumber,
              e.toString());
        }
      }
      tx.finished.complete(outcome);
      slots.release();
    }
  }

  /**
   * Takes up to {@code max} events. Waits at most batchWait for the first one, polling because
   * Flume channels offer no way to wait for an event; returns as soon as the channel has no more
   * after that.
   */
  private List<SparkSinkEvent> take(int max) {
    List<SparkSinkEvent> events = new ArrayList<>(Math.min(max, 1024));
    long deadline = System.nanoTime() + config.batchWait().toNanos();
    long pause = TimeUnit.MILLISECONDS.toNanos(1);
    while (events.size() < max) {
      Event event;
      try {
        event = channel.take();
      } catch (ChannelException e) {
        if (events.isEmpty()) {
          throw e;
        }
        // Most often the channel's transactionCapacity is smaller than the batch asked for: hand
        // out what we have.
        if (capacityWarned.compareAndSet(false, true)) {
          LOG.warn(
              "Sink {}: the channel refused a take after {} events ({}); batches are cut there. Raise the"
                  + " channel's transactionCapacity or lower '{}'",
              name,
              events.size(),
              e.getMessage(),
              SparkingSinkConfig.MAX_BATCH_SIZE);
        }
        break;
      }
      if (event != null) {
        events.add(toRecord(event));
        continue;
      }
      if (!events.isEmpty()
          || stopping
          || System.nanoTime() - deadline >= 0
          || Thread.currentThread().isInterrupted()) {
        break;
      }
      waiting.incrementAndGet();
      try {
        LockSupport.parkNanos(Math.min(pause, Math.max(0, deadline - System.nanoTime())));
      } finally {
        waiting.decrementAndGet();
      }
      pause = Math.min(2 * pause, MAX_POLL_PAUSE_NANOS);
    }
    return events;
  }

  private static SparkSinkEvent toRecord(Event event) {
    Map<String, String> headers =
        event.getHeaders() == null ? new HashMap<>() : new HashMap<>(event.getHeaders());
    byte[] body = event.getBody() == null ? new byte[0] : event.getBody();
    return new SparkSinkEvent(headers, ByteBuffer.wrap(body));
  }

  private static EventBatch errorBatch(String message) {
    return new EventBatch(message, "", List.of());
  }

  private static void rollbackQuietly(Transaction transaction) {
    if (transaction == null) {
      return;
    }
    try {
      transaction.rollback();
    } catch (RuntimeException e) {
      LOG.debug("Rollback after a failure failed too: {}", e.toString());
    }
  }

  /**
   * Stops serving: rolls back every open transaction (their events are delivered again), waits a
   * bounded time for the workers, then closes the server.
   */
  @Override
  public void close() {
    stopping = true;
    open.values().forEach(tx -> tx.outcome.complete(Outcome.STOPPED));
    workers.shutdown();
    try {
      if (!workers.awaitTermination(
          config.batchWait().plus(STOP_WAIT).toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn(
            "Sink {}: transaction threads still busy after {}; interrupting them",
            name,
            config.batchWait().plus(STOP_WAIT));
        workers.shutdownNow();
        workers.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      workers.shutdownNow();
    }
    // A zero quiet period: nothing useful can arrive any more, and Netty's default would add
    // seconds to every stop.
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    io.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    callers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    if (server != null) {
      server.close();
    }
    callers.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
    LOG.info("Sink {} stopped serving", name);
  }
}
