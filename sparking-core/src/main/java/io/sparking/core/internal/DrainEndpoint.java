package io.sparking.core.internal;

import java.io.Serializable;
import java.net.URI;

/**
 * Where a receiver asks the driver whether to drain: the driver's {@link DrainCoordinator} address,
 * the token that proves the receiver belongs to this application, and the receiver's stream id.
 * Travels to the executor inside the receiver, so it is set anew each time the driver hands a
 * receiver out (a checkpoint holds an old one).
 */
public record DrainEndpoint(String host, int port, String token, int streamId)
    implements Serializable {
  /** The coordinator's resource for this receiver. */
  URI uri() {
    String authority = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    return URI.create(
        "http://"
            + authority
            + ":"
            + port
            + DrainCoordinator.PATH
            + "?stream="
            + streamId
            + "&token="
            + token);
  }
}
