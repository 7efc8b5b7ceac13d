package com.example.wordcount;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.ConnectException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flume.Event;
import org.apache.flume.FlumeException;
import org.apache.flume.api.RpcClient;
import org.apache.flume.api.RpcClientFactory;
import org.apache.flume.event.EventBuilder;
import org.apache.spark.SparkConf;
import org.apache.spark.streaming.Durations;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import org.junit.jupiter.api.Test;

/**
 * The sample's word count, in-process, counting ids: each event carries a unique id and a parity
 * word, so every id must come out counted exactly once. A word count alone would hide a lost event
 * behind a duplicate of another, which adds the same words.
 */
class FlumeWordCountTest {
  static final Map<String, Long> COUNTS = new ConcurrentHashMap<>();

  @Test
  void countsEveryPushedIdExactlyOnce() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    SparkConf conf =
        new SparkConf()
            .setMaster("local[2]")
            .setAppName("flume-word-count-test")
            .set("spark.ui.enabled", "false")
            .set("spark.driver.host", "127.0.0.1")
            .set("spark.driver.bindAddress", "127.0.0.1");
    JavaStreamingContext jssc = new JavaStreamingContext(conf, Durations.milliseconds(500));
    try {
      FlumeWordCount.wordCounts(jssc, "127.0.0.1", port)
          .foreachRDD(rdd -> rdd.collect().forEach(c -> COUNTS.merge(c._1(), c._2(), Long::sum)));
      jssc.start();
      List<String> ids = new ArrayList<>();
      List<Event> events = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        String id = String.format("id-%04d", i);
        ids.add(id);
        events.add(
            EventBuilder.withBody(id + " " + (i % 2 == 0 ? "even" : "odd"), StandardCharsets.UTF_8));
      }
      try (Client client = Client.connect(port)) {
        for (int i = 0; i < events.size(); i += 100) {
          client.rpc().appendBatch(events.subList(i, i + 100));
        }
      }
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (!COUNTS.keySet().containsAll(ids) && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      jssc.stop(true, true);
      Set<String> sent = new HashSet<>(ids);
      List<String> lost = ids.stream().filter(id -> !COUNTS.containsKey(id)).toList();
      Map<String, Long> duplicated = new TreeMap<>();
      Map<String, Long> unexpected = new TreeMap<>();
      COUNTS.forEach(
          (word, count) -> {
            if (sent.contains(word)) {
              if (count > 1) {
                duplicated.put(word, count);
              }
            } else if (!word.equals("even") && !word.equals("odd")) {
              unexpected.put(word, count);
            }
          });
      System.out.printf(
          "sample word count: sent=%d distinct=%d lost=%d duplicates=%d%n",
          ids.size(),
          ids.size() - lost.size(),
          lost.size(),
          duplicated.values().stream().mapToLong(n -> n - 1).sum());
      assertEquals(List.of(), lost, "ids sent but never counted");
      assertEquals(Map.of(), duplicated, "ids counted more than once, with their counts");
      assertEquals(Map.of(), unexpected, "words that were never sent");
      assertEquals(500L, COUNTS.get("even"), "events of even ids");
      assertEquals(500L, COUNTS.get("odd"), "events of odd ids");
    } finally {
      jssc.stop(true, false);
    }
  }

  /** Flume's RPC client; the receiver's port opens a moment after the context starts. */
  record Client(RpcClient rpc) implements AutoCloseable {
    static Client connect(int port) throws InterruptedException {
      Properties props = new Properties();
      props.setProperty("hosts", "h1");
      props.setProperty("hosts.h1", "127.0.0.1:" + port);
      props.setProperty("batch-size", "100");
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (true) {
        try {
          return new Client(RpcClientFactory.getInstance(props));
        } catch (FlumeException e) {
          if (!(rootCause(e) instanceof ConnectException) || System.nanoTime() > deadline) {
            throw e;
          }
          Thread.sleep(100);
        }
      }
    }

    private static Throwable rootCause(Throwable e) {
      while (e.getCause() != null) {
        e = e.getCause();
      }
      return e;
    }

    @Override
    public void close() {
      rpc.close();
    }
  }
}
