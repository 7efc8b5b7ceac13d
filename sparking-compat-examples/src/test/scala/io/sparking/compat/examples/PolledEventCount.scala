package io.sparking.compat.examples

import org.apache.spark.SparkConf
import org.apache.spark.streaming._
import io.sparking.compat.flume._ // Spark 2.4: import org.apache.spark.streaming.flume._

/**
 * A Spark 2.4 pull job, with the calls of Spark 2.4.8's FlumePollingEventCount: pulls from an agent's sink, counts
 * each batch, and writes each event out as `<body>|<header sender>` under `<output>/batch-<time>`.
 *
 * Usage: PolledEventCount <host> <port> <output>
 */
object PolledEventCount {
  def main(args: Array[String]): Unit = {
    val Array(host, port, output) = args
    val ssc = new StreamingContext(new SparkConf().setAppName("PolledEventCount"), Milliseconds(1000))

    val stream = FlumeUtils.createPollingStream(ssc, host, port.toInt)
    stream.count().map(cnt => "Received " + cnt + " flume events.").print()
    stream.map(e => Events.line(e)).saveAsTextFiles(output + "/batch")

    ssc.start()
    ssc.awaitTermination()
  }
}
