package io.sparking.flume.sql.internal;

import io.sparking.flume.FlumeEvent;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The format of the source's segment files: a sequence of frames, one per Flume batch, each {@code
 * [int length][int crc32c][payload]} with the payload {@code [long receivedMicros][utf agent][utf
 * transaction][int count][event]...}, every event {@code [int headers]([int len][utf8 name][int
 * len][utf8 value])...[int len][body]}. Agent and transaction name the pull sink's transaction the
 * batch was taken in (both empty for a pushed batch), so a restarted source can ask the sink how it
 * ended. A batch is one frame, so a batch cut short by a crash is dropped whole on recovery: it was
 * never acknowledged, and Flume delivers all of it again.
 */
final class Segments {
  /** Frames larger than this are taken for garbage (a torn length), not allocated. */
  static final int MAX_FRAME_BYTES = 1 << 30;

  private Segments() {}

  /**
   * One batch read back: when it was received, the sink transaction it came in (empty strings for a
   * pushed batch), and its events.
   */
  record Frame(long receivedMicros, String agent, String transaction, List<FlumeEvent> events) {}

  /** The bytes of one frame holding {@code events}, received at {@code receivedMicros}. */
  static byte[] frame(
      String agent, String transaction, List<FlumeEvent> events, long receivedMicros)
      throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + events.size() * 128);
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(0);
    out.writeInt(0);
    out.writeLong(receivedMicros);
    out.writeUTF(agent);
    out.writeUTF(transaction);
    out.writeInt(events.size());
    for (FlumeEvent event : events) {
      Map<String, String> headers = event.headers();
      out.writeInt(headers.size());
      for (Map.Entry<String, String> header : headers.entrySet()) {
        writeBytes(out, header.getKey().getBytes(StandardCharsets.UTF_8));
        writeBytes(out, header.getValue().getBytes(StandardCharsets.UTF_8));
      }
      writeBytes(out, event.body());
    }
    out.flush();
    byte[] frame = bytes.toByteArray();
    int length = frame.length - 8;
    CRC32C crc = new CRC32C();
    crc.update(frame, 8, length);
    putInt(frame, 0, length);
    putInt(frame, 4, (int) crc.getValue());
    return frame;
  }

  /**
   * The next whole, intact frame of {@code in}, or null at the end of the file or at a frame that a
   * crash cut short (whatever follows it is never read).
   */
  static Frame next(DataInputStream in) throws IOException {
    byte[] payload;
    int expectedCrc;
    try {
      int length = in.readInt();
      expectedCrc = in.readInt();
      if (length < 12 || length > MAX_FRAME_BYTES) {
        return null;
      }
      payload = new byte[length];
      in.readFully(payload);
    } catch (EOFException e) {
      return null;
    }
    CRC32C crc = new CRC32C();
    crc.update(payload);
    if ((int) crc.getValue() != expectedCrc) {
      return null;
    }
    DataInputStream p = new DataInputStream(new java.io.ByteArrayInputStream(payload));
    long receivedMicros = p.readLong();
    String agent = p.readUTF();
    String transaction = p.readUTF();
    int count = p.readInt();
    List<FlumeEvent> events = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int headerCount = p.readInt();
      Map<String, String> headers = new LinkedHashMap<>(Math.max(4, headerCount * 2));
      for (int h = 0; h < headerCount; h++) {
        String name = new String(readBytes(p), StandardCharsets.UTF_8);
        headers.put(name, new String(readBytes(p), StandardCharsets.UTF_8));
      }
      events.add(FlumeEvent.of(headers, readBytes(p)));
    }
    return new Frame(receivedMicros, agent, transaction, events);
  }

  private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static byte[] readBytes(DataInputStream in) throws IOException {
    byte[] bytes = new byte[in.readInt()];
    in.readFully(bytes);
    return bytes;
  }

  private static void putInt(byte[] to, int at, int value) {
    to[at] = (byte) (value >>> 24);
    to[at + 1] = (byte) (value >>> 16);
    to[at + 2] = (byte) (value >>> 8);
    to[at + 3] = (byte) value;
  }
}
