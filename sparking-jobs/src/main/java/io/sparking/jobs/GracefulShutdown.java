package io.sparking.jobs;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.spark.util.ShutdownHookManager$;
import scala.runtime.BoxedUnit;

/**
 * Turns SIGTERM/Ctrl-C into a graceful stop that the job's own thread performs, while Spark is
 * still whole.
 *
 * <p>Spark's own {@code spark.streaming.stopGracefullyOnShutdown} hook runs after the hook that
 * stops the local executor (Spark runs higher priorities first, and the executor's hook has the
 * default 100, streaming's 51). In local mode a batch that still has tasks then waits forever for
 * an executor that is gone. This hook has a higher priority than both: it asks the job to stop and
 * waits until the job has stopped its context and reported.
 */
final class GracefulShutdown implements AutoCloseable {
  /** Above the executor's default 100, so it runs while tasks can still run. */
  private static final int PRIORITY = 110;

  private final CountDownLatch requested = new CountDownLatch(1);
  private final CountDownLatch finished = new CountDownLatch(1);
  private final Object hook;

  GracefulShutdown(Duration maxWait) {
    this.hook =
        ShutdownHookManager$.MODULE$.addShutdownHook(
            PRIORITY,
            () -> {
              requested.countDown();
              try {
                finished.await(maxWait.toMillis(), TimeUnit.MILLISECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return BoxedUnit.UNIT;
            });
  }

  /** Whether the JVM is shutting down and wants the job to stop. */
  boolean requested() {
    return requested.getCount() == 0;
  }

  /** Called by the job once it has stopped and reported; lets the shutdown go on. */
  void finished() {
    finished.countDown();
  }

  /** Removes the hook after a stop that was not caused by a signal. */
  @Override
  public void close() {
    finished();
    if (!requested()) {
      ShutdownHookManager$.MODULE$.removeShutdownHook(hook);
    }
  }
}
