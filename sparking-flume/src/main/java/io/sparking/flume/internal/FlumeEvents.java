package io.sparking.flume.internal;

import io.sparking.flume.FlumeEvent;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/** Turns the Avro records Flume sends into {@link FlumeEvent}s. */
final class FlumeEvents {
  private FlumeEvents() {}

  /**
   * A {@link FlumeEvent} from Avro's header map and body buffer, which Avro may reuse: both are
   * copied (the body once).
   */
  public static FlumeEvent fromAvro(
      Map<? extends CharSequence, ? extends CharSequence> avroHeaders, ByteBuffer avroBody) {
    Map<String, String> headers =
        new LinkedHashMap<>(Math.max(4, avroHeaders == null ? 0 : avroHeaders.size() * 2));
    if (avroHeaders != null) {
      // Avro hands back Utf8 instances, not Strings; a null value is legal in Flume's schema but
      // not in ours.
      avroHeaders.forEach(
          (name, value) -> headers.put(name.toString(), value == null ? "" : value.toString()));
    }
    // FlumeEvent.of copies the body; hand it Avro's array itself when the buffer spans all of it,
    // so the bytes are
    // copied once, not twice.
    if (avroBody.hasArray()
        && avroBody.arrayOffset() == 0
        && avroBody.position() == 0
        && avroBody.remaining() == avroBody.array().length) {
      return FlumeEvent.of(headers, avroBody.array());
    }
    ByteBuffer view = avroBody.duplicate();
    byte[] body = new byte[view.remaining()];
    view.get(body);
    return FlumeEvent.of(headers, body);
  }
}
