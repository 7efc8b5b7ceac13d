package com.example.wordcount;

import io.sparking.flume.FlumeEvent;
import io.sparking.flume.SparkingFlume;
import java.util.Arrays;
import org.apache.spark.SparkConf;
import org.apache.spark.streaming.Durations;
import org.apache.spark.streaming.api.java.JavaPairDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import scala.Tuple2;

/**
 * A user's own job on Sparking's public API: counts the words of the events Flume's avro sink
 * pushes to {@code host:port}, per batch.
 */
public final class FlumeWordCount {
  private FlumeWordCount() {}

  /** The word counts of each batch of events pushed to {@code host:port}. */
  public static JavaPairDStream<String, Long> wordCounts(
      JavaStreamingContext jssc, String host, int port) {
    return SparkingFlume.pushStream(jssc, host, port)
        .map(FlumeEvent::bodyAsString)
        .flatMap(line -> Arrays.asList(line.split("\\s+")).iterator())
        .mapToPair(word -> new Tuple2<>(word, 1L))
        .reduceByKey(Long::sum);
  }

  /** {@code FlumeWordCount <host> <port> <seconds>}: prints each batch's counts, then stops. */
  public static void main(String[] args) throws Exception {
    JavaStreamingContext jssc =
        new JavaStreamingContext(new SparkConf().setAppName("flume-word-count"), Durations.seconds(1));
    wordCounts(jssc, args[0], Integer.parseInt(args[1])).print();
    jssc.start();
    jssc.awaitTerminationOrTimeout(Long.parseLong(args[2]) * 1000);
    jssc.stop(true, true);
  }
}
