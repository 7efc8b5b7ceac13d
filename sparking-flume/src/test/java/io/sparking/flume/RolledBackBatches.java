package io.sparking.flume;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * The batches the pull connections of this JVM logged as stored but rolled back by the sink (their
 * events are delivered again), while the capture is open.
 */
public final class RolledBackBatches implements AutoCloseable {
  private static final String LOGGER = "io.sparking.flume.internal.PullConnection";
  private static final Pattern LOGGED =
      Pattern.compile(
          "Batch (\\S+) of (\\d+) events from \\S+ was stored, but the sink had rolled it back");

  /** One logged batch: its sink transaction and its number of events. */
  public record Batch(String transaction, int events) {}

  private final List<Batch> batches = new CopyOnWriteArrayList<>();
  private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
  private final AbstractAppender appender =
      new AbstractAppender("rolled-back-batches", null, null, true, Property.EMPTY_ARRAY) {
        @Override
        public void append(LogEvent event) {
          Matcher m = LOGGED.matcher(event.getMessage().getFormattedMessage());
          if (m.find()) {
            batches.add(new Batch(m.group(1), Integer.parseInt(m.group(2))));
          }
        }
      };

  private RolledBackBatches() {}

  /** Starts capturing the connections' warnings. */
  public static RolledBackBatches capture() {
    RolledBackBatches log = new RolledBackBatches();
    log.appender.start();
    LoggerConfig logger = new LoggerConfig(LOGGER, Level.INFO, true);
    logger.addAppender(log.appender, Level.WARN, null);
    log.context.getConfiguration().addLogger(LOGGER, logger);
    log.context.updateLoggers();
    return log;
  }

  /** The batches logged so far. */
  public List<Batch> batches() {
    return List.copyOf(batches);
  }

  /** How many batches were logged so far. */
  public int count() {
    return batches.size();
  }

  /** Their events, summed. */
  public long events() {
    return batches.stream().mapToLong(Batch::events).sum();
  }

  @Override
  public void close() {
    context.getConfiguration().removeLogger(LOGGER);
    context.updateLoggers();
    appender.stop();
  }
}
