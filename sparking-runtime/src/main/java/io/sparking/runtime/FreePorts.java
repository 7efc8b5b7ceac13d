package io.sparking.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Gives ports on 127.0.0.1 that nothing listens on at the moment of the call. */
public final class FreePorts {
  private FreePorts() {}

  /**
   * A port that was free on the loopback address when asked. Another process may take it before the
   * caller binds; servers started here fail fast in that case rather than hang.
   */
  public static int next() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("No free port on 127.0.0.1", e);
    }
  }
}
