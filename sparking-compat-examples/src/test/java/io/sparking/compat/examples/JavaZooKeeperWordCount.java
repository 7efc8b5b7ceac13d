package io.sparking.compat.examples;

import io.sparking.compat.kafka.KafkaUtils;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.streaming.Duration;
import org.apache.spark.streaming.api.java.JavaDStream;
import org.apache.spark.streaming.api.java.JavaPairDStream;
import org.apache.spark.streaming.api.java.JavaPairReceiverInputDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;
import scala.Tuple2;

/**
 * A Spark 2.4 Kafka job in Java, with the calls of Spark 2.4.8's JavaKafkaWordCount: a ZooKeeper
 * quorum, a group, a map of topics to threads, a word count per batch, and each line written out
 * under {@code <output>/batch-<time>}.
 *
 * <p>Usage: {@code JavaZooKeeperWordCount <zkQuorum> <group> <topics> <numThreads> <output>}
 *
 * <p>Only the imports differ from the Spark 2.4 program: {@code
 * io.sparking.compat.kafka.KafkaUtils} for {@code org.apache.spark.streaming.kafka.KafkaUtils}.
 */
public final class JavaZooKeeperWordCount {
  private static final Pattern SPACE = Pattern.compile(" ");

  private JavaZooKeeperWordCount() {}

  public static void main(String[] args) throws Exception {
    SparkConf sparkConf = new SparkConf().setAppName("JavaZooKeeperWordCount");
    JavaStreamingContext jssc = new JavaStreamingContext(sparkConf, new Duration(1000));
    jssc.checkpoint(args[4] + "/checkpoint");

    int numThreads = Integer.parseInt(args[3]);
    Map<String, Integer> topicMap = new HashMap<>();
    for (String topic : args[2].split(",")) {
      topicMap.put(topic, numThreads);
    }
    JavaPairReceiverInputDStream<String, String> messages =
        KafkaUtils.createStream(jssc, args[0], args[1], topicMap);

    JavaDStream<String> lines = messages.map(Tuple2::_2);
    lines.dstream().saveAsTextFiles(args[4] + "/batch", "");
    JavaDStream<String> words = lines.flatMap(x -> Arrays.asList(SPACE.split(x)).iterator());
    JavaPairDStream<String, Integer> wordCounts =
        words.mapToPair(s -> new Tuple2<>(s, 1)).reduceByKey((i1, i2) -> i1 + i2);
    wordCounts.print();

    jssc.start();
    jssc.awaitTermination();
  }
}
