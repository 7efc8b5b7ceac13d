package io.sparking.jobs;

import java.io.Serializable;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.streaming.Time;
import org.apache.spark.streaming.api.java.JavaDStream;
import scala.Tuple2;

/**
 * Prints one line per batch ({@code batch <time> records=<n>}, with the top words where asked, then
 * {@code processing=<ms>ms scheduling=<ms>ms}) and keeps the job's running total on the driver.
 *
 * <p>The output computes the line; {@link BatchDelayListener} prints it once Spark reports the
 * batch completed, since only then are its processing and scheduling delays known. Lines of batches
 * whose completion was not reported before the job stopped are printed by {@link
 * #printUnfinished(String)}, without delays.
 *
 * <p>With an output ({@code --output-dir}) each non-empty batch's records are also written to a
 * file of their own before the batch's output returns, that is before the direct stream commits its
 * offsets: see {@link BatchOutput}.
 *
 * <p>The reporter is serializable so that the stream graph that holds it can be checkpointed; the
 * total lives in a static map of the driver JVM, keyed by job name.
 */
public final class BatchReporter implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Map<String, LongAdder> TOTALS = new ConcurrentHashMap<>();

  /** Lines waiting for their batch's completion, by job and batch time. */
  private static final Map<String, ConcurrentSkipListMap<Long, String>> PENDING =
      new ConcurrentHashMap<>();

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
  private static final int TOP = 5;

  private final String job;
  private final BatchOutput output;

  BatchReporter(String job) {
    this(job, null);
  }

  BatchReporter(String job, BatchOutput output) {
    this.job = job;
    this.output = output;
    TOTALS.putIfAbsent(job, new LongAdder());
  }

  /** The records processed so far by {@code job} in this JVM. */
  public static long total(String job) {
    LongAdder total = TOTALS.get(job);
    return total == null ? 0 : total.sum();
  }

  /** Reports every batch of {@code lines}: its count only. */
  public void countEachBatch(JavaDStream<String> lines) {
    lines.foreachRDD((rdd, time) -> report(rdd, time, false));
  }

  /**
   * Reports every batch of {@code lines}: its count and its most frequent words, as the classic
   * word count.
   */
  public void countWordsOfEachBatch(JavaDStream<String> lines) {
    lines.foreachRDD((rdd, time) -> report(rdd, time, true));
  }

  /** Reports one batch; call it from the job's own output when that output needs to run first. */
  public void report(JavaRDD<String> lines, Time time, boolean topWords) {
    String top = "";
    JavaRDD<String> data = topWords || output != null ? lines.cache() : lines;
    long count;
    if (output != null) {
      List<String> records = data.collect();
      count = records.size();
      if (count > 0) {
        output.write(time.milliseconds(), records);
      }
    } else {
      count = data.count();
    }
    if (topWords) {
      List<Tuple2<Long, String>> words =
          WordCount.of(data).map(t -> new Tuple2<>(t._2(), t._1())).top(TOP, new CountThenWord());
      top =
          " top=" + words.stream().map(t -> t._2() + ":" + t._1()).collect(Collectors.joining(","));
    }
    if (data != lines) {
      data.unpersist(false);
    }
    report(count, time, top);
  }

  /**
   * Reports a batch of {@code count} records that the job's own output counted, with {@code
   * details} (such as {@code " stored=10"}) appended to its line.
   */
  public void report(long count, Time time, String details) {
    TOTALS.computeIfAbsent(job, k -> new LongAdder()).add(count);
    pending(job)
        .put(
            time.milliseconds(),
            "batch "
                + TIME.format(Instant.ofEpochMilli(time.milliseconds()))
                + " records="
                + count
                + details);
  }

  /**
   * Prints the line of {@code job}'s batch at {@code batchTime}, if it reported one, with the
   * batch's delays.
   */
  static void printCompleted(
      String job, long batchTime, long processingMillis, long schedulingMillis) {
    String line = pending(job).remove(batchTime);
    if (line != null) {
      System.out.println(
          line + " processing=" + processingMillis + "ms scheduling=" + schedulingMillis + "ms");
    }
  }

  /**
   * Prints, in batch order and without delays, the lines whose batch completion was not reported
   * before the stop.
   */
  static void printUnfinished(String job) {
    Map.Entry<Long, String> next;
    while ((next = pending(job).pollFirstEntry()) != null) {
      System.out.println(next.getValue());
    }
  }

  private static ConcurrentSkipListMap<Long, String> pending(String job) {
    return PENDING.computeIfAbsent(job, k -> new ConcurrentSkipListMap<>());
  }

  /** Orders by count, then by word, so ties print in a stable order. */
  static final class CountThenWord
      implements java.util.Comparator<Tuple2<Long, String>>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public int compare(Tuple2<Long, String> a, Tuple2<Long, String> b) {
      int c = Long.compare(a._1(), b._1());
      return c != 0 ? c : b._2().compareTo(a._2());
    }
  }
}
