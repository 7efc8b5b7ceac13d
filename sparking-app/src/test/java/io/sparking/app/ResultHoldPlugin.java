package io.sparking.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;

/**
 * A Spark plugin ({@code spark.plugins}) that holds each task that succeeds on an executor, its
 * result computed but not yet sent to the driver, for as long as a switch file exists: the window
 * in which {@link ClusterFaultsIT} kills the executor, so that the kill lands while a task of the
 * stream runs. Spark calls {@link ExecutorPlugin#onTaskSucceeded()} in the task's thread just
 * before the executor reports the task finished, in Spark 3.5 and 4.x alike.
 *
 * <p>A held task creates {@code held-on-executor-<id>} next to the switch, which tells the test
 * which executor has a task in the window. A hold lasts at most {@link #LONGEST_HOLD_SECONDS}, so
 * that an executor never waits for a test that went away. See {@link ResultHold} for the test's
 * side.
 */
public final class ResultHoldPlugin implements SparkPlugin {
  /** The Spark setting that names the switch file. */
  static final String SWITCH = "spark.sparkingtest.resultHold.switch";

  /** The longest one task is held. */
  static final long LONGEST_HOLD_SECONDS = 60;

  /** The marker a task held on executor {@code executorId} creates next to the switch. */
  static Path heldMarker(Path switchFile, String executorId) {
    return switchFile.resolveSibling("held-on-executor-" + executorId);
  }

  /** No driver side: the holds happen on the executors. */
  @Override
  public DriverPlugin driverPlugin() {
    return null;
  }

  /** Holds succeeded tasks while the switch file exists. */
  @Override
  public ExecutorPlugin executorPlugin() {
    return new Holder();
  }

  private static final class Holder implements ExecutorPlugin {
    private Path switchFile;
    private Path marker;

    @Override
    public void init(PluginContext context, Map<String, String> extraConf) {
      switchFile = Path.of(context.conf().get(SWITCH));
      marker = heldMarker(switchFile, context.executorID());
    }

    @Override
    public void onTaskSucceeded() {
      if (!Files.exists(switchFile)) {
        return;
      }
      try {
        if (!Files.exists(marker)) {
          Files.createFile(marker);
        }
      } catch (java.nio.file.FileAlreadyExistsException e) {
        // Another task of this executor got there first: the marker is all that counts.
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot create " + marker, e);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LONGEST_HOLD_SECONDS);
      while (Files.exists(switchFile) && System.nanoTime() < deadline) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
