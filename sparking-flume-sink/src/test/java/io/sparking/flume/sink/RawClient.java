package io.sparking.flume.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A plain TCP client on 127.0.0.1 that writes whatever bytes a test wants, Avro framing or not, and
 * observes how the server ends the connection. Every read and write is bounded. The sink's test jar
 * carries it to the push receiver's tests in sparking-flume, which probe their Avro port the same
 * way.
 */
public final class RawClient implements AutoCloseable {
  /** How long a test waits for the server to close a connection it should drop. */
  public static final Duration CLOSE_WAIT = Duration.ofSeconds(15);

  private final Socket socket;
  public final DataOutputStream out;

  public RawClient(int port) throws IOException {
    socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout((int) CLOSE_WAIT.toMillis());
    out = new DataOutputStream(socket.getOutputStream());
  }

  /**
   * Sends {@code clients} connections of 64 KiB random bytes each (seeds 1..clients, so a failure
   * repeats) to {@code port}, and asserts that the server closes every one of them.
   */
  public static void assertRandomBytesAreDropped(int port, int clients) throws IOException {
    for (long seed = 1; seed <= clients; seed++) {
      byte[] noise = new byte[64 * 1024];
      new Random(seed).nextBytes(noise);
      try (RawClient garbage = new RawClient(port)) {
        garbage.send(noise).assertClosedByServer();
      }
    }
  }

  /**
   * Writes {@code bytes} and flushes; the server may already have closed, so failures are left to
   * the caller.
   */
  public RawClient send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /**
   * Writes an Avro netty frame header: serial, buffer count, and the first buffer's declared
   * length.
   */
  public RawClient sendFrameHeader(int serial, int buffers, int firstLength) throws IOException {
    out.writeInt(serial);
    out.writeInt(buffers);
    out.writeInt(firstLength);
    out.flush();
    return this;
  }

  /**
   * Keeps writing zeros, up to {@code total} bytes, until a write fails because the server dropped
   * the connection; returns how many bytes went out before that. Bounded by {@link #CLOSE_WAIT} in
   * case the server neither reads nor closes.
   */
  public long streamUntilDropped(long total) throws Exception {
    ExecutorService writer =
        Executors.newSingleThreadExecutor(r -> new Thread(r, "raw-client-writer"));
    try {
      Future<Long> written =
          writer.submit(
              () -> {
                byte[] chunk = new byte[64 * 1024];
                long sent = 0;
                try {
                  while (sent < total) {
                    out.write(chunk);
                    sent += chunk.length;
                  }
                  out.flush();
                } catch (IOException dropped) {
                  return sent;
                }
                return sent;
              });
      try {
        return written.get(CLOSE_WAIT.toMillis() * 4, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        socket.close();
        throw new AssertionError(
            "the server neither read nor closed the connection within "
                + CLOSE_WAIT.multipliedBy(4));
      } catch (ExecutionException e) {
        throw new AssertionError(e.getCause());
      }
    } finally {
      writer.shutdownNow();
    }
  }

  /**
   * Asserts that the server ends the connection (end of stream or reset) within {@link
   * #CLOSE_WAIT}.
   */
  public void assertClosedByServer() throws IOException {
    InputStream in = socket.getInputStream();
    try {
      byte[] ignored = new byte[4096];
      int n;
      // An error answer may come before the close; what matters is that the connection ends.
      while ((n = in.read(ignored)) >= 0) {
        assertThat(n).isPositive();
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the server kept the connection open for " + CLOSE_WAIT, e);
    } catch (IOException reset) {
      assertThat(reset.getMessage()).containsIgnoringCase("reset");
    }
  }

  /** Whether the server has not closed the connection: a short read times out instead of ending. */
  public boolean stillOpen(Duration probe) throws IOException {
    socket.setSoTimeout((int) probe.toMillis());
    try {
      return socket.getInputStream().read() >= 0;
    } catch (SocketTimeoutException e) {
      return true;
    } catch (IOException reset) {
      return false;
    } finally {
      socket.setSoTimeout((int) CLOSE_WAIT.toMillis());
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
