package io.sparking.app;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One receiver start as the jobs print it (their {@code ReceiverPlacementLog}): {@code receiver
 * <name> (stream <id>) started on executor <id> at <host>}. A receiver that Spark restarts
 * elsewhere prints a new line.
 */
record ReceiverStart(String receiver, int stream, String executor, String host) {
  private static final Pattern LINE =
      Pattern.compile("receiver (\\S+) \\(stream (\\d+)\\) started on executor (\\S+) at (\\S+)");

  /** Every receiver start that {@code lines} report, in order. */
  static List<ReceiverStart> in(List<String> lines) {
    List<ReceiverStart> starts = new ArrayList<>();
    for (String line : lines) {
      Matcher m = LINE.matcher(line);
      if (m.find()) {
        starts.add(
            new ReceiverStart(m.group(1), Integer.parseInt(m.group(2)), m.group(3), m.group(4)));
      }
    }
    return starts;
  }
}
