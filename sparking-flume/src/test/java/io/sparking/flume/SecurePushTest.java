package io.sparking.flume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.sparking.runtime.FlumeAgent;
import io.sparking.runtime.FreePorts;
import io.sparking.runtime.SelfSignedKeyStores;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The push receiver with SSL on, fed by real Flume agents whose avro sink has {@code ssl = true}: a
 * sink that trusts the receiver's self-signed certificate delivers; one that does not, and a client
 * without SSL, get nothing in, are reported to the driver with what to fix, and do not disturb the
 * receiver.
 */
@SuppressWarnings(
    "deprecation") // the DStream API, deprecated in Spark 3.5 and 4.x, is what Sparking serves
@Tag("default-line")
class SecurePushTest {
  @TempDir Path dir;

  @Test
  void onlyClientsThatTrustTheReceiversCertificateDeliverAndTheOthersAreReported()
      throws Exception {
    SelfSignedKeyStores receiver = SelfSignedKeyStores.create(dir, "receiver");
    SelfSignedKeyStores stranger = SelfSignedKeyStores.create(dir, "stranger");
    PushSettings settings =
        PushSettings.builder()
            .ssl(receiver.keystore().toString(), receiver.password())
            .keystoreType(receiver.type())
            .build();
    int port = FreePorts.next();
    try (SparkStreams spark =
        SparkStreams.start(
            1, jssc -> SparkingFlume.pushStream(jssc, "127.0.0.1", port, settings))) {
      try (FlumeAgent untrusting =
          Agents.sslAvroSinkTo(port, stranger.truststore(), stranger.password())) {
        Agents.feed(untrusting, "untrusted", 300);
        await("the untrusting sink's handshake reported")
            .atMost(SparkStreams.WAIT)
            .untilAsserted(
                () ->
                    assertThat(spark.receiverErrors())
                        .anySatisfy(
                            error ->
                                assertThat(error)
                                    .contains("SSL handshake failed")
                                    .contains("truststore")));
      }
      Throwable plain;
      try (FlumeClients.Sender client =
          FlumeClients.client(
              port, 100, Map.of("connect-timeout", "3000", "request-timeout", "3000"))) {
        plain = catchThrowable(() -> client.sendAll(FlumeClients.events("plain", 0, 100)));
      } catch (org.apache.flume.FlumeException e) {
        plain = e; // Flume's client may already fail while connecting
      }
      assertThat(plain).as("a client without SSL").isNotNull();
      await("the plain client reported")
          .atMost(SparkStreams.WAIT)
          .untilAsserted(
              () ->
                  assertThat(spark.receiverErrors())
                      .anySatisfy(
                          error ->
                              assertThat(error)
                                  .contains("the client does not speak SSL")
                                  .contains("ssl = true")));

      try (FlumeAgent trusting =
          Agents.sslAvroSinkTo(port, receiver.truststore(), receiver.password())) {
        Agents.feed(trusting, "trusted", 2000);
        spark.awaitEvents(2000).stopGracefully();
      }
      assertThat(spark.events())
          .as("only the trusting sink's events, each once")
          .containsExactlyInAnyOrderElementsOf(FlumeClients.expected("trusted", 0, 2000));
    }
  }
}
