package io.sparking.flume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.sparking.flume.internal.AvroPushServer;
import io.sparking.runtime.SelfSignedKeyStores;
import io.sparking.runtime.TempDirs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.flume.EventDeliveryException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The push server's SSL and deflate options against Flume's own client configured as the avro sink
 * would be.
 */
class PushTransportOptionsTest {
  private static Path dir;
  private static SelfSignedKeyStores stores;

  @BeforeAll
  static void createKeystore() {
    dir = TempDirs.create("sparking-flume-ssl-");
    stores = SelfSignedKeyStores.create(dir, "receiver");
  }

  @AfterAll
  static void deleteKeystore() {
    TempDirs.deleteRecursively(dir);
  }

  @Test
  void sslSinkDeliversThroughTheKeystoreOfTheReceiver() throws Exception {
    PushSettings settings =
        PushSettings.builder()
            .ssl(stores.keystore().toString(), stores.password())
            .keystoreType(stores.type())
            .build();
    assertThat(
            deliver(
                settings,
                Map.of(
                    "ssl",
                    "true",
                    "truststore",
                    stores.truststore().toString(),
                    "truststore-password",
                    stores.password(),
                    "truststore-type",
                    stores.type())))
        .containsExactlyElementsOf(FlumeClients.expected("s", 0, 200));
  }

  @Test
  void sslWithDeflateSinkDeliversInFlumesLayering() throws Exception {
    PushSettings settings =
        PushSettings.builder()
            .ssl(stores.keystore().toString(), stores.password())
            .keystoreType(stores.type())
            .compression(PushSettings.Compression.DEFLATE)
            .build();
    assertThat(
            deliver(
                settings,
                Map.of("ssl", "true", "trust-all-certs", "true", "compression-type", "deflate")))
        .containsExactlyElementsOf(FlumeClients.expected("s", 0, 200));
  }

  @Test
  void plainClientCannotDeliverToAnSslReceiver() throws Exception {
    PushSettings settings =
        PushSettings.builder()
            .ssl(stores.keystore().toString(), stores.password())
            .keystoreType(stores.type())
            .build();
    List<FlumeEvent> stored = new CopyOnWriteArrayList<>();
    List<String> connectionErrors = new CopyOnWriteArrayList<>();
    try (AvroPushServer server =
        AvroPushServer.start(
            "127.0.0.1",
            0,
            settings,
            stored::addAll,
            (message, cause) -> connectionErrors.add(message))) {
      try (FlumeClients.Sender client =
          FlumeClients.client(
              server.port(), 100, Map.of("request-timeout", "3000", "connect-timeout", "3000"))) {
        assertThatThrownBy(() -> client.sendAll(FlumeClients.events("p", 0, 10)))
            .isInstanceOf(EventDeliveryException.class);
      } catch (Exception e) {
        // Flume's client may already fail while connecting (handshake timeout); either way nothing
        // gets through.
        assertThat(e)
            .isInstanceOfAny(org.apache.flume.FlumeException.class, EventDeliveryException.class);
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(connectionErrors)
                      .anySatisfy(
                          error ->
                              assertThat(error)
                                  .contains("the client does not speak SSL")
                                  .contains("Set ssl = true on the avro sink")));
    }
    assertThat(stored).isEmpty();
  }

  @Test
  void unreadableKeystoreIsRejectedWhenSettingsAreBuilt() {
    assertThatThrownBy(
            () -> PushSettings.builder().ssl(dir.resolve("missing.jks").toString(), "any").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keystore=" + dir.resolve("missing.jks"))
        .hasMessageContaining("no readable file");
  }

  private static List<FlumeEvent> deliver(
      PushSettings settings, Map<String, String> clientProperties) throws Exception {
    List<FlumeEvent> stored = new CopyOnWriteArrayList<>();
    try (AvroPushServer server = AvroPushServer.start("127.0.0.1", 0, settings, stored::addAll);
        FlumeClients.Sender client = FlumeClients.client(server.port(), 50, clientProperties)) {
      client.sendAll(FlumeClients.events("s", 0, 200));
    }
    return stored;
  }
}
