package io.sparking.compat.examples;

import io.sparking.compat.flume.FlumeUtils;
import io.sparking.compat.flume.SparkFlumeEvent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.spark.SparkConf;
import org.apache.spark.streaming.Duration;
import org.apache.spark.streaming.api.java.JavaReceiverInputDStream;
import org.apache.spark.streaming.api.java.JavaStreamingContext;

/**
 * A Spark 2.4 push job in Java, with the calls of Spark 2.4.8's JavaFlumeEventCount: counts each
 * batch and writes each event out as {@code <body>|<header sender>} under {@code
 * <output>/batch-<time>}.
 *
 * <p>Usage: {@code JavaPushedEventCount <host> <port> <output>}
 *
 * <p>Only the imports differ from the Spark 2.4 program: {@code
 * io.sparking.compat.flume.FlumeUtils} for {@code org.apache.spark.streaming.flume.FlumeUtils},
 * {@code io.sparking.compat.flume.SparkFlumeEvent} for {@code
 * org.apache.spark.streaming.flume.SparkFlumeEvent}.
 */
public final class JavaPushedEventCount {
  private JavaPushedEventCount() {}

  public static void main(String[] args) throws Exception {
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    String output = args[2];
    SparkConf sparkConf = new SparkConf().setAppName("JavaPushedEventCount");
    JavaStreamingContext ssc = new JavaStreamingContext(sparkConf, new Duration(1000));

    JavaReceiverInputDStream<SparkFlumeEvent> flumeStream =
        FlumeUtils.createStream(ssc, host, port);
    flumeStream.count().map(in -> "Received " + in + " flume events.").print();
    flumeStream.map(JavaPushedEventCount::line).dstream().saveAsTextFiles(output + "/batch", "");

    ssc.start();
    ssc.awaitTermination();
  }

  /** The event's body and its {@code sender} header, read the Spark 2.4 way. */
  static String line(SparkFlumeEvent e) {
    ByteBuffer body = e.event().getBody().duplicate();
    byte[] bytes = new byte[body.remaining()];
    body.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8) + "|" + e.event.getHeaders().get("sender");
  }
}
