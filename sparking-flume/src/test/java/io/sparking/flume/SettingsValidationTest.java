package io.sparking.flume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Invalid settings fail at construction with the setting, the value and what would be valid. */
class SettingsValidationTest {

  @Test
  void maxFrameBytesOutsideItsRangeNamesSettingValueAndRange() {
    assertThatThrownBy(() -> PushSettings.builder().maxFrameBytes(10).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxFrameBytes=10 is out of range: pass 1024 to 1073741824 bytes");
  }

  @Test
  void compressionLevelOutsideZeroToNineIsRejected() {
    assertThatThrownBy(() -> PushSettings.builder().compressionLevel(11).build())
        .hasMessage("compressionLevel=11 is out of range: pass 0 to 9");
  }

  @Test
  void missingStorageLevelIsRejected() {
    assertThatThrownBy(() -> PushSettings.builder().storageLevel(null).build())
        .hasMessageStartingWith("storageLevel=null is missing");
  }

  @Test
  void defaultsMatchAnAvroSinkWithDefaultOptions() {
    PushSettings defaults = PushSettings.defaults();
    assertThat(defaults.compression()).isEqualTo(PushSettings.Compression.NONE);
    assertThat(defaults.sslEnabled()).isFalse();
    assertThat(defaults.maxFrameBytes()).isEqualTo(PushSettings.DEFAULT_MAX_FRAME_BYTES);
  }

  @Test
  void duplicateOrEmptyAddressListsAreRejected() {
    InetSocketAddress a = new InetSocketAddress("127.0.0.1", 4141);
    assertThatThrownBy(() -> FlumeAddresses.check("addresses", List.of(a, a)))
        .hasMessageContaining("127.0.0.1:4141 appears twice");
    assertThatThrownBy(() -> FlumeAddresses.check("addresses", List.of()))
        .hasMessageContaining("pass at least one host:port");
    assertThatThrownBy(
            () ->
                FlumeAddresses.check(
                    "addresses", List.of(InetSocketAddress.createUnresolved("agent", 0))))
        .hasMessage("port=0 (for agent) is out of range: pass 1 to 65535");
  }

  @Test
  void addressListsParseAsUsersWriteThemAndBadOnesAreNamed() {
    assertThat(FlumeAddresses.parseList("addresses", " agent-1:9999, [::1]:4141 ,10.0.0.7:1"))
        .extracting(a -> a.getHostString() + "|" + a.getPort())
        .containsExactly("agent-1|9999", "::1|4141", "10.0.0.7|1");
    assertThat(FlumeAddresses.of(" 127.0.0.1 ", "41414").getPort()).isEqualTo(41414);
    assertThatThrownBy(() -> FlumeAddresses.parseList("addresses", "a:1,a:1"))
        .hasMessage(
            "addresses=a:1,a:1 is a list in which a:1 appears twice: name each address once");
    assertThatThrownBy(() -> FlumeAddresses.parseList("addresses", "a:1,,b:2"))
        .hasMessageContaining(
            "addresses='a:1,,b:2' is not a list of host:port (entry '' is empty)");
    assertThatThrownBy(() -> FlumeAddresses.of("bad host", "1"))
        .hasMessageStartingWith("host='bad host' is not a host name or IP address:");
    assertThatThrownBy(() -> FlumeAddresses.of("h", "x1"))
        .hasMessage("port='x1' (for h) is not a number: pass 1 to 65535");
  }
}
