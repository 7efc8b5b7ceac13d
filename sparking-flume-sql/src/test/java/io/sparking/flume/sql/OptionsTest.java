package io.sparking.flume.sql;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.spark.sql.streaming.DataStreamReader;
import org.junit.jupiter.api.Test;

/** Wrong options fail at {@code load()}, in Sparking's grammar. */
class OptionsTest {
  private static DataStreamReader flume() {
    return SparkSessions.local().readStream().format("flume");
  }

  @Test
  void refusesAMissingMode() {
    assertThatThrownBy(() -> flume().option("agents", "127.0.0.1:9999").load())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "mode=null is missing: pass pull (with agents=host:port,...) or push (with host and"
                + " port)");
  }

  @Test
  void refusesAnOptionOfTheOtherMode() {
    assertThatThrownBy(
            () ->
                flume()
                    .option("mode", "push")
                    .option("host", "127.0.0.1")
                    .option("port", "4141")
                    .option("batchSize", "10")
                    .load())
        .hasMessageStartingWith("batchSize=10 is not an option of the Flume source in push mode:");
  }

  @Test
  void takesEventIdsInPushModeOnly() {
    assertThatThrownBy(
            () ->
                flume()
                    .option("mode", "pull")
                    .option("agents", "127.0.0.1:9999")
                    .option("eventIdHeader", "eventId")
                    .load())
        .hasMessageStartingWith(
            "eventIdHeader=eventId is not an option of the Flume source in pull mode:");
    assertThatThrownBy(
            () ->
                flume()
                    .option("mode", "push")
                    .option("host", "0.0.0.0")
                    .option("port", "4141")
                    .option("eventIdWindow", "1000")
                    .load())
        .hasMessage(
            "eventIdWindow=1000 is given without eventIdHeader: pass eventIdHeader too, or leave"
                + " eventIdWindow out");
    assertThatThrownBy(
            () ->
                flume()
                    .option("mode", "push")
                    .option("host", "0.0.0.0")
                    .option("port", "4141")
                    .option("eventIdHeader", "eventId")
                    .option("eventIdWindow", "0")
                    .load())
        .hasMessage(
            "eventIdWindow='0' is not a positive number: pass the most events, such as 100000");
  }

  @Test
  void checksSettingsWithTheReceiversOwnRules() {
    assertThatThrownBy(
            () ->
                flume()
                    .option("mode", "pull")
                    .option("agents", "127.0.0.1:9999")
                    .option("batchSize", "0")
                    .load())
        .hasMessage("batchSize=0 is out of range: pass 1 to 100000 events");
    assertThatThrownBy(
            () ->
                flume()
                    .option("mode", "pull")
                    .option("agents", "127.0.0.1:9999")
                    .option("callTimeout", "soon")
                    .load())
        .hasMessage("callTimeout='soon' is not a duration: pass one such as 500ms, 30s or 1m");
    assertThatThrownBy(
            () ->
                flume()
                    .option("mode", "pull")
                    .option("agents", "127.0.0.1:9999")
                    .option("maxEventsPerTrigger", "0")
                    .load())
        .hasMessage(
            "maxEventsPerTrigger='0' is not a positive number: pass the most events, such as"
                + " 100000");
    assertThatThrownBy(
            () ->
                flume()
                    .option("mode", "push")
                    .option("host", "0.0.0.0")
                    .option("port", "4141")
                    .option("maxLogSize", "10k")
                    .load())
        .hasMessage("maxLogSize='10k' is below 1m: pass at least 1m, such as 512m or 10g");
    assertThatThrownBy(() -> flume().option("mode", "pull").option("agents", "a:1,a:1").load())
        .hasMessageContaining("appears twice");
    assertThatThrownBy(
            () ->
                flume().option("mode", "push").option("host", "0.0.0.0").option("port", "x").load())
        .hasMessageStartingWith("port='x' (for 0.0.0.0) is not a number");
  }
}
