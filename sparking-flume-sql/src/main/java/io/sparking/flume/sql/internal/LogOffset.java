package io.sparking.flume.sql.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.connector.read.streaming.Offset;

/** A position in the source's log, as Spark's offset log keeps it: {@code {"position":<n>}}. */
final class LogOffset extends Offset {
  private static final Pattern JSON =
      Pattern.compile("\\s*\\{\\s*\"position\"\\s*:\\s*(\\d+)\\s*}\\s*");

  private final long position;

  LogOffset(long position) {
    this.position = position;
  }

  static LogOffset parse(String json) {
    Matcher m = JSON.matcher(json);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "offset="
              + json
              + " is not an offset of the Flume source: the checkpoint was written by another"
              + " source; start the query with a new checkpoint location");
    }
    return new LogOffset(Long.parseLong(m.group(1)));
  }

  long position() {
    return position;
  }

  @Override
  public String json() {
    return "{\"position\":" + position + "}";
  }
}
