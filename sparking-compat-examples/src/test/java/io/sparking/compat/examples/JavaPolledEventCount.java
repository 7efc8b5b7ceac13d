package io.sparking.compat.examples;

import io.sparking.compat.flume.FlumeUtils;
import io.sparking.compat.flume.SparkFlumeEvent;
import org.apache.spark.SparkConf;
import org.apache.spark.streaming.Duration;
import org.apache.spark.streaming.api.java.JavaReceiverInputDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;

/**
 * A Spark 2.4 pull job in Java, with the call of Spark 2.4.8's FlumePollingEventCount: pulls from
 * an agent's sink, counts each batch, and writes each event out under {@code
 * <output>/batch-<time>}.
 *
 * <p>Usage: {@code JavaPolledEventCount <host> <port> <output>}
 *
 * <p>Only the imports differ from the Spark 2.4 program: {@code
 * io.sparking.compat.flume.FlumeUtils} for {@code org.apache.spark.streaming.flume.FlumeUtils},
 * {@code io.sparking.compat.flume.SparkFlumeEvent} for {@code
 * org.apache.spark.streaming.flume.SparkFlumeEvent}.
 */
public final class JavaPolledEventCount {
  private JavaPolledEventCount() {}

  public static void main(String[] args) throws Exception {
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    String output = args[2];
    SparkConf sparkConf = new SparkConf().setAppName("JavaPolledEventCount");
    JavaStreamingContext ssc = new JavaStreamingContext(sparkConf, new Duration(1000));

    JavaReceiverInputDStream<SparkFlumeEvent> flumeStream =
        FlumeUtils.createPollingStream(ssc, host, port);
    flumeStream.count().map(in -> "Received " + in + " flume events.").print();
    flumeStream.map(JavaPushedEventCount::line).dstream().saveAsTextFiles(output + "/batch", "");

    ssc.start();
    ssc.awaitTermination();
  }
}
