package io.sparking.flume;

import static org.awaitility.Awaitility.await;

import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flume.Event;
import org.apache.flume.EventDeliveryException;
import org.apache.flume.FlumeException;
import org.apache.flume.api.RpcClient;
import org.apache.flume.api.RpcClientFactory;
import org.apache.flume.event.EventBuilder;

/** Flume's own RPC client, as the avro sink uses it, and the events tests send with it. */
final class FlumeClients {
  private FlumeClients() {}

  /** Flume's {@link RpcClient}, closeable with try-with-resources. */
  record Sender(RpcClient rpc) implements AutoCloseable {
    /**
     * Sends {@code events} in batches of the client's batch size, each acknowledged before the next
     * goes.
     */
    void sendAll(List<Event> events) throws EventDeliveryException {
      int batch = rpc.getBatchSize();
      for (int i = 0; i < events.size(); i += batch) {
        rpc.appendBatch(events.subList(i, Math.min(events.size(), i + batch)));
      }
    }

    @Override
    public void close() {
      rpc.close();
    }
  }

  /**
   * A client for {@code 127.0.0.1:port} with short timeouts and optional extra client properties.
   */
  static Sender client(int port, int batchSize, Map<String, String> extra) {
    Properties props = new Properties();
    props.setProperty("client.type", "default");
    props.setProperty("hosts", "h1");
    props.setProperty("hosts.h1", "127.0.0.1:" + port);
    props.setProperty("batch-size", Integer.toString(batchSize));
    props.setProperty("connect-timeout", "10000");
    props.setProperty("request-timeout", "20000");
    extra.forEach(props::setProperty);
    // Spark announces a receiver as started before it runs the receiver's onStart, so the push port
    // can open a moment after SparkStreams.start returns (seen on Spark 4.2): a refused connection
    // is retried, within a bound; any other failure is the test's to see.
    return await("a Flume client connected to 127.0.0.1:" + port)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptionsMatching(FlumeClients::refused)
        .until(() -> new Sender(RpcClientFactory.getInstance(props)), sender -> true);
  }

  private static boolean refused(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException) {
        return e instanceof FlumeException;
      }
    }
    return false;
  }

  /** Events {@code first .. first+count-1} of sender {@code sender}: body and headers name both. */
  static List<Event> events(String sender, int first, int count) {
    List<Event> events = new ArrayList<>(count);
    for (int i = first; i < first + count; i++) {
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("sender", sender);
      headers.put("seq", Integer.toString(i));
      events.add(EventBuilder.withBody(body(sender, i), headers));
    }
    return events;
  }

  static byte[] body(String sender, int i) {
    return (sender + "-event-" + i).getBytes(StandardCharsets.UTF_8);
  }

  /** The expected {@link FlumeEvent}s for {@link #events}. */
  static List<FlumeEvent> expected(String sender, int first, int count) {
    List<FlumeEvent> expected = new ArrayList<>(count);
    for (Event e : events(sender, first, count)) {
      expected.add(FlumeEvent.of(e.getHeaders(), e.getBody()));
    }
    return expected;
  }
}
