package io.sparking.compat.examples

import java.nio.charset.StandardCharsets

import org.apache.spark.SparkConf
import org.apache.spark.storage.StorageLevel
import org.apache.spark.streaming._
import io.sparking.compat.flume._ // Spark 2.4: import org.apache.spark.streaming.flume._

/**
 * A Spark 2.4 push job, with the calls of Spark 2.4.8's FlumeEventCount: an Avro endpoint for an agent's avro sink,
 * a count per batch, and each event written out as `<body>|<header sender>` under `<output>/batch-<time>`.
 *
 * Usage: PushedEventCount <host> <port> <output>
 */
object PushedEventCount {
  def main(args: Array[String]): Unit = {
    val Array(host, port, output) = args
    val ssc = new StreamingContext(new SparkConf().setAppName("PushedEventCount"), Milliseconds(1000))

    val stream = FlumeUtils.createStream(ssc, host, port.toInt, StorageLevel.MEMORY_ONLY_SER_2)
    stream.count().map(cnt => "Received " + cnt + " flume events.").print()
    stream.map(e => Events.line(e)).saveAsTextFiles(output + "/batch")

    ssc.start()
    ssc.awaitTermination()
  }
}

/** What the example jobs write of an event: its body and its `sender` header, read the Spark 2.4 way. */
object Events {
  def line(e: SparkFlumeEvent): String = {
    val body = e.event.getBody.duplicate()
    val bytes = new Array[Byte](body.remaining())
    body.get(bytes)
    new String(bytes, StandardCharsets.UTF_8) + "|" + e.event.getHeaders.get("sender")
  }
}
