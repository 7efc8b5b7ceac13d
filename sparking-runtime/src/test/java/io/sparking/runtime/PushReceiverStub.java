package io.sparking.runtime;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.ipc.netty.NettyServer;
import org.apache.avro.ipc.specific.SpecificResponder;
import org.apache.flume.source.avro.AvroFlumeEvent;
import org.apache.flume.source.avro.AvroSourceProtocol;
import org.apache.flume.source.avro.Status;

/**
 * Stands in for a Spark push receiver: an Avro server speaking Flume's AvroSourceProtocol that
 * keeps the bodies.
 */
final class PushReceiverStub implements AvroSourceProtocol, AutoCloseable {
  final List<String> bodies = new CopyOnWriteArrayList<>();
  private final NettyServer server;

  PushReceiverStub(int port) throws InterruptedException {
    server =
        new NettyServer(
            new SpecificResponder(AvroSourceProtocol.class, this),
            new InetSocketAddress("127.0.0.1", port));
    server.start();
  }

  @Override
  public Status append(AvroFlumeEvent event) {
    bodies.add(StandardCharsets.UTF_8.decode(event.getBody().duplicate()).toString());
    return Status.OK;
  }

  @Override
  public Status appendBatch(List<AvroFlumeEvent> events) {
    events.forEach(this::append);
    return Status.OK;
  }

  @Override
  public void close() {
    server.close();
  }
}
