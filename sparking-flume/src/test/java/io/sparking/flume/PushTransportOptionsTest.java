package io.sparking.flume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparking.flume.internal.AvroPushServer;
import io.sparking.testkit.TempDirs;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.flume.EventDeliveryException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The push server's SSL and deflate options against Flume's own client configured as the avro sink would be. */
class PushTransportOptionsTest {
  private static final String PASSWORD = "sparking-test";
  private static Path dir;
  private static Path keystore;

  @BeforeAll
  static void createKeystore() throws Exception {
    dir = TempDirs.create("sparking-flume-ssl-");
    keystore = dir.resolve("receiver.jks");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "receiver", "-keyalg", "RSA",
        "-keysize", "2048", "-validity", "2", "-dname", "CN=127.0.0.1", "-storetype", "JKS",
        "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
        .redirectErrorStream(true).redirectOutput(dir.resolve("keytool.log").toFile()).start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
    assertThat(process.exitValue()).as("keytool exit code").isZero();
  }

  @AfterAll
  static void deleteKeystore() {
    TempDirs.deleteRecursively(dir);
  }

  @Test
  void sslSinkDeliversThroughTheKeystoreOfTheReceiver() throws Exception {
    PushSettings settings = PushSettings.builder().ssl(keystore.toString(), PASSWORD).build();
    assertThat(deliver(settings, Map.of("ssl", "true", "trust-all-certs", "true")))
        .containsExactlyElementsOf(FlumeClients.expected("s", 0, 200));
  }

  @Test
  void sslWithDeflateSinkDeliversInFlumesLayering() throws Exception {
    PushSettings settings = PushSettings.builder().ssl(keystore.toString(), PASSWORD)
        .compression(PushSettings.Compression.DEFLATE).build();
    assertThat(deliver(settings, Map.of("ssl", "true", "trust-all-certs", "true", "compression-type", "deflate")))
        .containsExactlyElementsOf(FlumeClients.expected("s", 0, 200));
  }

  @Test
  void plainClientCannotDeliverToAnSslReceiver() throws Exception {
    PushSettings settings = PushSettings.builder().ssl(keystore.toString(), PASSWORD).build();
    List<FlumeEvent> stored = new CopyOnWriteArrayList<>();
    try (AvroPushServer server = AvroPushServer.start("127.0.0.1", 0, settings, stored::addAll);
        FlumeClients.Sender client = FlumeClients.client(server.port(), 100,
            Map.of("request-timeout", "3000", "connect-timeout", "3000"))) {
      assertThatThrownBy(() -> client.sendAll(FlumeClients.events("p", 0, 10)))
          .isInstanceOf(EventDeliveryException.class);
    } catch (Exception e) {
      // Flume's client may already fail while connecting (handshake timeout); either way nothing gets through.
      assertThat(e).isInstanceOfAny(org.apache.flume.FlumeException.class, EventDeliveryException.class);
    }
    assertThat(stored).isEmpty();
  }

  @Test
  void unreadableKeystoreIsRejectedWhenSettingsAreBuilt() {
    assertThatThrownBy(() -> PushSettings.builder().ssl(dir.resolve("missing.jks").toString(), PASSWORD).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keystore = " + dir.resolve("missing.jks"))
        .hasMessageContaining("no readable file");
  }

  private static List<FlumeEvent> deliver(PushSettings settings, Map<String, String> clientProperties)
      throws Exception {
    List<FlumeEvent> stored = new CopyOnWriteArrayList<>();
    try (AvroPushServer server = AvroPushServer.start("127.0.0.1", 0, settings, stored::addAll);
        FlumeClients.Sender client = FlumeClients.client(server.port(), 50, clientProperties)) {
      client.sendAll(FlumeClients.events("s", 0, 200));
    }
    return stored;
  }
}
