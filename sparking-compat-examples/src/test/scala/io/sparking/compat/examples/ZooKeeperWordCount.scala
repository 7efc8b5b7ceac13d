package io.sparking.compat.examples

import org.apache.spark.SparkConf
import org.apache.spark.streaming._
import io.sparking.compat.kafka._ // Spark 2.4: import org.apache.spark.streaming.kafka._

/**
 * A Spark 2.4 Kafka job, with the calls of Spark 2.4.8's KafkaWordCount: a ZooKeeper quorum, a group, a map of
 * topics to threads, a word count over a ten-minute window, and each line written out under `<output>/batch-<time>`.
 *
 * Usage: ZooKeeperWordCount <zkQuorum> <group> <topics> <numThreads> <output>
 */
object ZooKeeperWordCount {
  def main(args: Array[String]): Unit = {
    val Array(zkQuorum, group, topics, numThreads, output) = args
    val sparkConf = new SparkConf().setAppName("ZooKeeperWordCount")
    val ssc = new StreamingContext(sparkConf, Seconds(1))
    ssc.checkpoint(output + "/checkpoint")

    val topicMap = topics.split(",").map((_, numThreads.toInt)).toMap
    val lines = KafkaUtils.createStream(ssc, zkQuorum, group, topicMap).map(_._2)
    lines.saveAsTextFiles(output + "/batch")
    val words = lines.flatMap(_.split(" "))
    val wordCounts = words.map(x => (x, 1L))
      .reduceByKeyAndWindow(_ + _, _ - _, Minutes(10), Seconds(2), 2)
    wordCounts.print()

    ssc.start()
    ssc.awaitTermination()
  }
}
