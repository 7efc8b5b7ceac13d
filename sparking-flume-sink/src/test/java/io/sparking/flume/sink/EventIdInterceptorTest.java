package io.sparking.flume.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flume.Context;
import org.apache.flume.Event;
import org.apache.flume.event.EventBuilder;
import org.apache.flume.interceptor.Interceptor;
import org.junit.jupiter.api.Test;

class EventIdInterceptorTest {
  @Test
  void stampsEveryEventWithAnIdNoOtherStartGives() {
    Set<String> seen = new HashSet<>();
    for (int start = 0; start < 3; start++) {
      Interceptor interceptor = build(Map.of());
      List<Event> events = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        events.add(EventBuilder.withBody(new byte[] {1}));
      }
      for (Event event : interceptor.intercept(events)) {
        assertThat(seen.add(event.getHeaders().get("eventId"))).isTrue();
      }
    }
    assertThat(seen).hasSize(3000);
  }

  @Test
  void keepsAnIdTheEventAlreadyCarries() {
    Interceptor interceptor = build(Map.of(EventIdInterceptor.HEADER_NAME, "uid"));
    Event stamped = EventBuilder.withBody(new byte[0], new java.util.HashMap<>(Map.of("uid", "a")));
    Event bare = EventBuilder.withBody(new byte[0]);
    interceptor.intercept(stamped);
    interceptor.intercept(bare);
    assertThat(stamped.getHeaders()).containsEntry("uid", "a");
    assertThat(bare.getHeaders().get("uid")).isNotBlank().isNotEqualTo("a");
  }

  @Test
  void refusesABlankHeaderName() {
    assertThatThrownBy(() -> build(Map.of(EventIdInterceptor.HEADER_NAME, " ")))
        .hasMessageStartingWith("headerName=' ' is blank:");
  }

  private static Interceptor build(Map<String, String> settings) {
    EventIdInterceptor.Builder builder = new EventIdInterceptor.Builder();
    builder.configure(new Context(settings));
    return builder.build();
  }
}
