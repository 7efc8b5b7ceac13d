package io.sparking.runtime;

import io.sparking.flume.protocol.EventBatch;
import io.sparking.flume.protocol.SparkFlumeProtocol;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.avro.ipc.CallFuture;
import org.apache.avro.ipc.netty.NettyTransceiver;
import org.apache.avro.ipc.specific.SpecificRequestor;

/** A plain Avro client of the Sparking sink's generated protocol, every call bounded; no Spark. */
final class SinkPuller implements AutoCloseable {
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  private final NettyTransceiver transceiver;
  private final SparkFlumeProtocol.Callback proxy;

  SinkPuller(int port) throws IOException {
    transceiver = new NettyTransceiver(new InetSocketAddress("127.0.0.1", port), 5_000);
    proxy = SpecificRequestor.getClient(SparkFlumeProtocol.Callback.class, transceiver);
  }

  EventBatch batch(int n) throws Exception {
    CallFuture<EventBatch> future = new CallFuture<>();
    proxy.getEventBatch(n, future);
    return get(future);
  }

  void ack(String sequenceNumber) throws Exception {
    CallFuture<Void> future = new CallFuture<>();
    proxy.ack(sequenceNumber, future);
    get(future);
  }

  void nack(String sequenceNumber) throws Exception {
    CallFuture<Void> future = new CallFuture<>();
    proxy.nack(sequenceNumber, future);
    get(future);
  }

  /** Pulls and acks until {@code expected} events came or {@code deadline} passed; returns the bodies in order. */
  List<String> drain(int expected, int batchSize, Duration deadline) throws Exception {
    List<String> bodies = new ArrayList<>();
    long end = System.nanoTime() + deadline.toNanos();
    while (bodies.size() < expected && System.nanoTime() - end < 0) {
      EventBatch batch = batch(batchSize);
      if (!batch.getErrorMsg().isEmpty()) {
        continue;
      }
      batch.getEvents().forEach(e -> bodies.add(StandardCharsets.UTF_8.decode(e.getBody().duplicate()).toString()));
      ack(batch.getSequenceNumber());
    }
    return bodies;
  }

  private static <T> T get(CallFuture<T> future) throws Exception {
    try {
      return future.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  @Override
  public void close() {
    transceiver.close();
  }
}
