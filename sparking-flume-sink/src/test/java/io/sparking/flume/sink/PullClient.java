package io.sparking.flume.sink;

import io.sparking.flume.protocol.EventBatch;
import io.sparking.flume.protocol.SparkFlumeProtocol;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.ipc.CallFuture;
import org.apache.avro.ipc.netty.NettyTransceiver;
import org.apache.avro.ipc.specific.SpecificRequestor;

/** A plain Avro client of the generated protocol, as a receiver would use it; every call is bounded. */
final class PullClient implements AutoCloseable {
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

  private final NettyTransceiver transceiver;
  private final SparkFlumeProtocol.Callback proxy;

  PullClient(int port) {
    try {
      transceiver = new NettyTransceiver(new InetSocketAddress("127.0.0.1", port), 5_000);
      proxy = SpecificRequestor.getClient(SparkFlumeProtocol.Callback.class, transceiver);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not connect to the sink on 127.0.0.1:" + port, e);
    }
  }

  EventBatch batch(int n) throws Exception {
    CallFuture<EventBatch> future = new CallFuture<>();
    proxy.getEventBatch(n, future);
    return await(future);
  }

  void ack(String sequenceNumber) throws Exception {
    CallFuture<Void> future = new CallFuture<>();
    proxy.ack(sequenceNumber, future);
    await(future);
  }

  void nack(String sequenceNumber) throws Exception {
    CallFuture<Void> future = new CallFuture<>();
    proxy.nack(sequenceNumber, future);
    await(future);
  }

  static List<String> bodies(EventBatch batch) {
    List<String> bodies = new ArrayList<>();
    batch.getEvents().forEach(e -> bodies.add(text(e.getBody())));
    return bodies;
  }

  static String text(ByteBuffer body) {
    ByteBuffer copy = body.duplicate();
    byte[] bytes = new byte[copy.remaining()];
    copy.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static <T> T await(CallFuture<T> future) throws Exception {
    try {
      return future.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("The sink did not answer within " + CALL_TIMEOUT, e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  @Override
  public void close() {
    transceiver.close();
  }
}
