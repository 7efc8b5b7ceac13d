package io.sparking.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The self-signed stores behind the SASL_SSL broker and SSL push receiver tests (the broker itself
 * is exercised by sparking-kafka's SecureKafkaTest).
 */
class SelfSignedKeyStoresTest {
  @TempDir Path dir;

  @Test
  void keyStoresHoldALoopbackCertificateThatOnlyTheirOwnTruststoreTrusts() throws Exception {
    SelfSignedKeyStores first = SelfSignedKeyStores.create(dir, "first");
    SelfSignedKeyStores second = SelfSignedKeyStores.create(dir, "second");
    X509Certificate certificate =
        (X509Certificate) load(first.keystore(), first.password()).getCertificate("first");
    assertThat(certificate.getSubjectX500Principal().getName())
        .isEqualTo("CN=first,O=Sparking test");
    assertThat(
            certificate.getSubjectAlternativeNames().stream()
                .map(name -> String.valueOf(name.get(1))))
        .containsExactlyInAnyOrder("127.0.0.1", "localhost");
    assertThat(load(first.keystore(), first.password()).isKeyEntry("first")).isTrue();
    KeyStore trusted = load(first.truststore(), first.password());
    assertThat(trusted.getCertificateAlias(certificate)).isEqualTo("first");
    assertThat(load(second.truststore(), second.password()).getCertificateAlias(certificate))
        .isNull();
    assertThat(first.password()).isNotEqualTo(second.password());
  }

  private static KeyStore load(Path file, String password) throws Exception {
    KeyStore store = KeyStore.getInstance(SelfSignedKeyStores.TYPE);
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, password.toCharArray());
    }
    return store;
  }
}
