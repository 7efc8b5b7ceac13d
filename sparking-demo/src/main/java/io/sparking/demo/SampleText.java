package io.sparking.demo;

import java.io.IOException;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;

/**
 * Lines of sample text written to a {@link Sink} at a steady rate on a thread of its own, until
 * closed. The words are drawn with a skew so that a word count's top words are stable enough to
 * read.
 */
final class SampleText implements AutoCloseable {
  private static final String[] WORDS =
      ("spark kafka flume stream batch receiver offset commit block log"
              + " partition topic agent sink source event record window state join")
          .split(" ");
  private static final int WORDS_PER_LINE = 6;

  /** Where the lines go (a Kafka topic, followed files). */
  interface Sink extends AutoCloseable {
    /** Writes one line; an exception stops the sample text. */
    void write(String line) throws Exception;

    /** How many lines reached their destination so far. */
    long delivered();

    @Override
    void close() throws IOException;
  }

  private final String what;
  private final int rate;
  private final Sink sink;
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * Sample text for {@code sink} at {@code rate} lines per second; {@code what} names the count in
   * the summary, such as {@code produced records}.
   */
  SampleText(String what, int rate, Sink sink) {
    this.what = what;
    this.rate = rate;
    this.sink = sink;
    this.thread = new Thread(this::write, "demo-sample-text");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** What the lines are called in the demo's summary, such as {@code produced records}. */
  String what() {
    return what;
  }

  /** How many lines reached their destination so far; final once {@link #close()} returned. */
  long delivered() {
    return sink.delivered();
  }

  private void write() {
    Random random = new Random(42);
    long start = System.nanoTime();
    long n = 0;
    try {
      while (running) {
        sink.write(line(random));
        n++;
        long wait = start + n * 1_000_000_000L / rate - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
      }
    } catch (Exception e) {
      System.err.println("error: sample text stopped after " + n + " lines: " + e);
    }
  }

  static String line(Random random) {
    StringBuilder line = new StringBuilder();
    for (int w = 0; w < WORDS_PER_LINE; w++) {
      int i = (int) Math.floor(Math.pow(random.nextDouble(), 2) * WORDS.length);
      line.append(w == 0 ? "" : " ").append(WORDS[i]);
    }
    return line.toString();
  }

  @Override
  public void close() throws IOException {
    running = false;
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sink.close();
  }
}
