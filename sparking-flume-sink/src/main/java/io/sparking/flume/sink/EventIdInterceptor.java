package io.sparking.flume.sink;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flume.Context;
import org.apache.flume.Event;
import org.apache.flume.interceptor.Interceptor;

/**
 * A Flume interceptor that stamps each event with an id of its own, in a header, where the event
 * enters the agent: every copy Flume delivers later (after a rollback, a timeout, an agent's crash)
 * carries the same id, so the Structured Streaming source in push mode, with {@code eventIdHeader},
 * drops the copies and keeps each event once.
 *
 * <pre>
 * a1.sources.r1.interceptors = id
 * a1.sources.r1.interceptors.id.type = io.sparking.flume.sink.EventIdInterceptor$Builder
 * # optional, the default:
 * a1.sources.r1.interceptors.id.headerName = eventId
 * </pre>
 *
 * <p>An id is a prefix drawn at random (96 bits) each time the interceptor is built, so at each
 * start of the agent, then a counter: {@code 3f9a...c2-1b}. An event that already carries the
 * header keeps it, so an agent of a second tier keeps the id the first tier gave.
 */
public final class EventIdInterceptor implements Interceptor {
  /** The setting naming the header the id goes into. */
  public static final String HEADER_NAME = "headerName";

  /** The header used unless {@link #HEADER_NAME} says otherwise. */
  public static final String DEFAULT_HEADER = "eventId";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final String header;
  private final String prefix;
  private final AtomicLong next = new AtomicLong();

  private EventIdInterceptor(String header) {
    this.header = header;
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    this.prefix = HexFormat.of().formatHex(bytes) + "-";
  }

  /** Nothing to set up: the prefix is drawn when the interceptor is built. */
  @Override
  public void initialize() {}

  /** The event, with an id in the header unless it had one already. */
  @Override
  public Event intercept(Event event) {
    Map<String, String> headers = event.getHeaders();
    if (!headers.containsKey(header)) {
      headers.put(header, prefix + Long.toString(next.getAndIncrement(), 36));
    }
    return event;
  }

  /** The events, each with an id in the header unless it had one already. */
  @Override
  public List<Event> intercept(List<Event> events) {
    events.forEach(this::intercept);
    return events;
  }

  /** Nothing to release. */
  @Override
  public void close() {}

  /** What Flume's configuration names: {@code EventIdInterceptor$Builder}. */
  public static final class Builder implements Interceptor.Builder {
    private String header = DEFAULT_HEADER;

    /** Reads {@link #HEADER_NAME}; a blank one fails here, naming the setting. */
    @Override
    public void configure(Context context) {
      String name = context.getString(HEADER_NAME, DEFAULT_HEADER);
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException(
            HEADER_NAME
                + "='"
                + name
                + "' is blank: name the header the ids go into, the source's eventIdHeader (such"
                + " as eventId)");
      }
      header = name.trim();
    }

    /** An interceptor with a new random prefix. */
    @Override
    public Interceptor build() {
      return new EventIdInterceptor(header);
    }
  }
}
