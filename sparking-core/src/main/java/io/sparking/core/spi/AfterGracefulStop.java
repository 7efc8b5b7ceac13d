package io.sparking.core.spi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work a stream leaves for the end of a graceful stop, once the streaming context has stopped: say,
 * committing the offsets of the last batches a direct stream wrote, which only a consumer outside
 * the stopped stream can do. Registered on the driver, per application; {@link
 * io.sparking.core.GracefulStop} runs and forgets them.
 */
public final class AfterGracefulStop {
  private static final Logger LOG = LoggerFactory.getLogger(AfterGracefulStop.class);
  private static final Map<String, Map<String, Runnable>> ACTIONS = new ConcurrentHashMap<>();

  private AfterGracefulStop() {}

  /**
   * Registers {@code action} under {@code key} for {@code sc}'s application; a second call with the
   * key replaces it.
   */
  public static void register(SparkContext sc, String key, Runnable action) {
    Map<String, Runnable> actions =
        ACTIONS.computeIfAbsent(sc.applicationId(), id -> new LinkedHashMap<>());
    synchronized (actions) {
      actions.put(key, action);
    }
  }

  /**
   * Runs and forgets the actions of {@code applicationId}; one that fails is logged and the others
   * still run.
   */
  public static void runAll(String applicationId) {
    Map<String, Runnable> actions = ACTIONS.remove(applicationId);
    if (actions == null) {
      return;
    }
    List<Map.Entry<String, Runnable>> entries;
    synchronized (actions) {
      entries = List.copyOf(actions.entrySet());
    }
    for (Map.Entry<String, Runnable> entry : entries) {
      try {
        entry.getValue().run();
      } catch (RuntimeException e) {
        LOG.error("After the graceful stop, {} failed", entry.getKey(), e);
      }
    }
  }
}
