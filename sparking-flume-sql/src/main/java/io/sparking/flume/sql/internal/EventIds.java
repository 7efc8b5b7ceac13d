package io.sparking.flume.sql.internal;

import io.sparking.flume.FlumeEvent;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ids of the newest events the source's log took, read from the header {@code eventIdHeader}
 * names, so that an event pushed again with the same id (its avro sink never heard the answer, or
 * its agent delivered it again after a crash) is dropped instead of logged twice. It remembers the
 * newest {@code window} ids logged: a copy that comes back before {@code window} newer events were
 * logged is dropped; one that comes later is logged again. Guarded by the log.
 */
final class EventIds {
  private final String header;
  private final int window;
  private final ArrayDeque<String> order = new ArrayDeque<>();
  private final Map<String, Integer> counts = new HashMap<>();

  EventIds(String header, int window) {
    this.header = header;
    this.window = window;
  }

  /** The header that carries each event's id. */
  String header() {
    return header;
  }

  /** How many ids are remembered at most. */
  int window() {
    return window;
  }

  /**
   * The events of {@code events} whose id is not remembered (nor given earlier in the same batch),
   * in their order; nothing is remembered yet.
   *
   * @throws MissingEventIdException when an event carries no id: the batch is refused whole
   */
  List<FlumeEvent> unseen(List<FlumeEvent> events) throws MissingEventIdException {
    List<FlumeEvent> fresh = new ArrayList<>(events.size());
    Set<String> inBatch = new HashSet<>();
    for (FlumeEvent event : events) {
      String id = event.headers().get(header);
      if (id == null) {
        throw new MissingEventIdException(header, event.headers().keySet());
      }
      if (!counts.containsKey(id) && inBatch.add(id)) {
        fresh.add(event);
      }
    }
    return fresh;
  }

  /** Remembers the ids of {@code events}, logged, forgetting the oldest past the window. */
  void remember(List<FlumeEvent> events) {
    for (FlumeEvent event : events) {
      String id = event.headers().get(header);
      if (id != null) {
        remember(id);
      }
    }
  }

  /** Remembers {@code ids}, in the order they were logged. */
  void rememberIds(List<String> ids) {
    ids.forEach(this::remember);
  }

  private void remember(String id) {
    order.addLast(id);
    counts.merge(id, 1, Integer::sum);
    while (order.size() > window) {
      counts.computeIfPresent(order.removeFirst(), (gone, n) -> n == 1 ? null : n - 1);
    }
  }

  /** How many ids are remembered. */
  int size() {
    return order.size();
  }

  /** The ids of {@code events} that carry one, in order. */
  List<String> idsOf(List<FlumeEvent> events) {
    List<String> ids = new ArrayList<>(events.size());
    for (FlumeEvent event : events) {
      String id = event.headers().get(header);
      if (id != null) {
        ids.add(id);
      }
    }
    return ids;
  }

  /** Writes {@code ids} as {@code [int count]([int len][utf8 id])...}. */
  static void write(List<String> ids, OutputStream to) throws IOException {
    DataOutputStream out = new DataOutputStream(to);
    out.writeInt(ids.size());
    for (String id : ids) {
      byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
      out.writeInt(bytes.length);
      out.write(bytes);
    }
    out.flush();
  }

  /** The ids {@link #write} wrote; null when the file is cut short (a crash while writing it). */
  static List<String> read(InputStream from) throws IOException {
    DataInputStream in = new DataInputStream(from);
    try {
      int count = in.readInt();
      List<String> ids = new ArrayList<>(Math.min(count, 1 << 16));
      for (int i = 0; i < count; i++) {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        ids.add(new String(bytes, StandardCharsets.UTF_8));
      }
      return ids;
    } catch (EOFException e) {
      return null;
    }
  }

  /** A pushed event without the id header: its batch is refused, and stays in Flume. */
  static final class MissingEventIdException extends IOException {
    private static final long serialVersionUID = 1L;

    MissingEventIdException(String header, Set<String> headers) {
      super(
          SourceOptions.EVENT_ID_HEADER
              + "="
              + header
              + " is missing from a pushed event (its headers: "
              + headers
              + "): stamp an id on every event where it enters the agent (a1.sources.r1.interceptors"
              + " = id, a1.sources.r1.interceptors.id.type ="
              + " io.sparking.flume.sink.EventIdInterceptor$Builder), or start the query without"
              + " eventIdHeader until the events without it are through; the batch was refused and"
              + " stays in Flume");
    }
  }
}
