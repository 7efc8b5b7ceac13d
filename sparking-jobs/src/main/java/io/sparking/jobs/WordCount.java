package io.sparking.jobs;

import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/** The classic word count, one definition of a word for every job: runs of non-blank characters. */
final class WordCount {
  private WordCount() {}

  /** Each word of {@code lines} with how often it occurs. */
  static JavaPairRDD<String, Long> of(JavaRDD<String> lines) {
    return lines
        .flatMap(line -> List.of(line.split("\\s+")).iterator())
        .filter(word -> !word.isEmpty())
        .mapToPair(word -> new Tuple2<>(word, 1L))
        .reduceByKey(Long::sum);
  }
}
