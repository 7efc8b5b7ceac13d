package io.sparking.jobs;

import io.sparking.flume.FlumeAddresses;
import io.sparking.flume.FlumeEvent;
import io.sparking.flume.FlumePreflight;
import io.sparking.flume.PullSettings;
import io.sparking.flume.SparkingFlume;
import io.sparking.kafka.KafkaRecord;
import io.sparking.kafka.SparkingKafka;
import java.io.Serializable;
import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.Optional;
import org.apache.spark.streaming.Durations;
import org.apache.spark.streaming.State;
import org.apache.spark.streaming.StateSpec;
import org.apache.spark.streaming.api.java.JavaDStream;
import org.apache.spark.streaming.api.java.JavaPairDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import scala.Tuple2;

/**
 * Joins orders from Kafka with clicks from Flume, per user: the showcase of Spark Streaming's
 * transformations on Sparking's receivers.
 *
 * <ul>
 *   <li>Kafka carries orders {@code <user>,<amount>}; Flume (pulled from an agent's Sparking sink)
 *       carries clicks {@code <user>,<page>}. Lines of another shape are skipped.
 *   <li>{@code map} parses both, {@code reduceByKey} sums each batch's spend and clicks per user;
 *   <li>a full outer {@code join} puts a batch's spend and clicks of a user side by side;
 *   <li>{@code mapWithState} keeps each user's running totals, exact whatever the batch boundaries;
 *   <li>a {@code window} of the last three batches counts recent clicks, joined to the users
 *       updated in the batch.
 * </ul>
 *
 * <p>Each batch prints, for every user with new activity, {@code user <user> spent=<total>
 * clicks=<total> recentClicks=<clicks in the last 3 batches>}, sorted by user, then the usual
 * {@code batch <time> records=<n>} counting orders and clicks.
 */
@Command(
    name = "KafkaFlumeJoin",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Joins orders (<user>,<amount>) from Kafka with clicks (<user>,<page>) pulled from a Flume agent's"
          + " Sparking sink: per-batch sums, a 3-batch window of clicks, and running totals per user (mapWithState).",
      "Needs a master with at least 3 cores in local mode (two receivers and the batches)."
    })
public final class KafkaFlumeJoin extends KafkaJob {
  /** Batches the recent-clicks window spans; it slides by one batch. */
  static final int WINDOW_BATCHES = 3;

  @Parameters(
      index = "3",
      paramLabel = "<flume-host>",
      description = "Host of the agent's Sparking sink")
  String flumeHost;

  @Parameters(
      index = "4",
      paramLabel = "<flume-port>",
      description = "Port of the agent's Sparking sink")
  String flumePort;

  private InetSocketAddress flume;

  /** A user's totals: what they spent and how often they clicked. */
  record Activity(long spent, long clicks) implements Serializable {
    static final Activity NONE = new Activity(0, 0);

    Activity plus(Activity other) {
      return new Activity(spent + other.spent, clicks + other.clicks);
    }
  }

  @Override
  protected void validate() {
    super.validate();
    flume = FlumeAddresses.of(flumeHost, flumePort);
  }

  /** Kafka's and Flume's. */
  @Override
  protected int receivers() {
    return 2;
  }

  /** The Kafka sources and the Flume agent's address. */
  @Override
  protected Map<String, String> sources() {
    Map<String, String> sources = new LinkedHashMap<>(super.sources());
    sources.put("flume agent", flume.getHostString() + ":" + flume.getPort());
    return sources;
  }

  @Override
  protected void preflight() {
    super.preflight();
    sourceCheck
        .timeout()
        .ifPresent(timeout -> FlumePreflight.checkReachable(List.of(flume), timeout));
  }

  @Override
  protected void defineStreams(JavaStreamingContext jssc, BatchReporter reporter) {
    JavaDStream<String> orderLines =
        SparkingKafka.receiverStream(jssc, settings()).map(KafkaRecord::valueAsString);
    JavaDStream<String> clickLines =
        SparkingFlume.pullStream(jssc, List.of(flume), PullSettings.defaults())
            .map(FlumeEvent::bodyAsString);

    JavaPairDStream<String, Long> spend =
        orderLines.flatMapToPair(KafkaFlumeJoin::order).reduceByKey(Long::sum);
    JavaPairDStream<String, Long> clicks =
        clickLines.flatMapToPair(KafkaFlumeJoin::click).reduceByKey(Long::sum);
    long batchMillis = batchInterval.toMillis();
    JavaPairDStream<String, Long> recentClicks =
        clicks.reduceByKeyAndWindow(
            Long::sum,
            Durations.milliseconds(batchMillis * WINDOW_BATCHES),
            Durations.milliseconds(batchMillis));

    JavaPairDStream<String, Activity> activity =
        spend
            .fullOuterJoin(clicks)
            .mapValues(both -> new Activity(both._1().orElse(0L), both._2().orElse(0L)));
    JavaPairDStream<String, Activity> totals =
        activity
            .mapWithState(StateSpec.function(KafkaFlumeJoin::accumulate))
            .mapToPair(updated -> updated);
    totals
        .leftOuterJoin(recentClicks)
        .foreachRDD(
            rdd -> {
              for (Tuple2<String, Tuple2<Activity, Optional<Long>>> user :
                  rdd.sortByKey().collect()) {
                Activity total = user._2()._1();
                System.out.println(
                    "user "
                        + user._1()
                        + " spent="
                        + total.spent()
                        + " clicks="
                        + total.clicks()
                        + " recentClicks="
                        + user._2()._2().orElse(0L));
              }
            });
    reporter.countEachBatch(orderLines.union(clickLines));
  }

  /** Adds a batch's activity of {@code user} to their running totals, and emits the new totals. */
  static Tuple2<String, Activity> accumulate(
      String user, Optional<Activity> batch, State<Activity> state) {
    Activity total =
        (state.exists() ? state.get() : Activity.NONE).plus(batch.orElse(Activity.NONE));
    state.update(total);
    return new Tuple2<>(user, total);
  }

  /** {@code <user>,<amount>} as (user, amount); nothing for any other line. */
  static Iterator<Tuple2<String, Long>> order(String line) {
    String[] fields = line.split(",", -1);
    if (fields.length == 2 && !fields[0].isBlank()) {
      try {
        return List.of(new Tuple2<>(fields[0].trim(), Long.parseLong(fields[1].trim()))).iterator();
      } catch (NumberFormatException e) {
        // not an order: skipped
      }
    }
    return List.<Tuple2<String, Long>>of().iterator();
  }

  /** {@code <user>,<page>} as (user, 1); nothing for any other line. */
  static Iterator<Tuple2<String, Long>> click(String line) {
    String[] fields = line.split(",", -1);
    return fields.length == 2 && !fields[0].isBlank()
        ? List.of(new Tuple2<>(fields[0].trim(), 1L)).iterator()
        : List.<Tuple2<String, Long>>of().iterator();
  }

  /** Runs the job; see {@code --help}. */
  public static void main(String[] args) {
    StreamingJob.main(new KafkaFlumeJoin(), args);
  }
}
