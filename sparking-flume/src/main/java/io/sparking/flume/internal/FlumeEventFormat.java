package io.sparking.flume.internal;

import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.sparking.core.spi.RecordFormat;
import io.sparking.flume.FlumeEvent;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link FlumeEvent} in a pack: the header count, each name and value, the body's length and
 * bytes.
 */
enum FlumeEventFormat implements RecordFormat<FlumeEvent> {
  INSTANCE;

  @Override
  public void write(FlumeEvent event, FlumeEvent previous, Output out) {
    Map<String, String> headers = event.headers();
    out.writeVarInt(headers.size(), true);
    for (Map.Entry<String, String> header : headers.entrySet()) {
      out.writeString(header.getKey());
      out.writeString(header.getValue());
    }
    byte[] body = event.body();
    out.writeVarInt(body.length, true);
    out.writeBytes(body);
  }

  @Override
  public FlumeEvent read(FlumeEvent previous, Input in) {
    int count = in.readVarInt(true);
    Map<String, String> headers = new LinkedHashMap<>(Math.max(4, count * 2));
    for (int i = 0; i < count; i++) {
      headers.put(in.readString(), in.readString());
    }
    return FlumeEvent.of(headers, in.readBytes(in.readVarInt(true)));
  }
}
