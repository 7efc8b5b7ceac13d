package io.sparking.testkit;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Collects what a streaming job's output produced, on the driver, for a test to count.
 *
 * <p>The collector itself is a serializable id, so an output closure that captures it survives
 * Spark's checkpointing of the stream graph; the values live in a static map in the driver JVM.
 *
 * @param <T> the collected values' type
 */
public final class OutputCollector<T> implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Map<String, ConcurrentLinkedQueue<Object>> VALUES =
      new ConcurrentHashMap<>();

  private final String id = UUID.randomUUID().toString();

  /** A new, empty collector. */
  public static <T> OutputCollector<T> create() {
    OutputCollector<T> collector = new OutputCollector<>();
    VALUES.put(collector.id, new ConcurrentLinkedQueue<>());
    return collector;
  }

  /** Adds values; call it from driver-side output code such as {@code foreachRDD}. */
  public void addAll(Collection<? extends T> values) {
    VALUES.computeIfAbsent(id, k -> new ConcurrentLinkedQueue<>()).addAll(values);
  }

  /** How many values were collected so far. */
  public int size() {
    ConcurrentLinkedQueue<Object> values = VALUES.get(id);
    return values == null ? 0 : values.size();
  }

  /** A snapshot of the values collected so far. */
  @SuppressWarnings("unchecked")
  public List<T> values() {
    ConcurrentLinkedQueue<Object> values = VALUES.get(id);
    return values == null ? List.of() : new ArrayList<>((Collection<T>) (Collection<?>) values);
  }

  /** Forgets this collector's values. */
  public void clear() {
    VALUES.remove(id);
  }
}
