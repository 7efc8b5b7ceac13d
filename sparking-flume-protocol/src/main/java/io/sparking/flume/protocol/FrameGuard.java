package io.sparking.flume.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the Avro netty transport framing as it passes, without buffering anything, and closes a
 * connection whose frame could not be a real request.
 *
 * <p>Why it exists: avro-ipc-netty's frame decoder trusts the declared sizes. It accumulates bytes
 * until a declared buffer length has arrived (so a client can make it hold up to 2 GiB per
 * connection), and it pre-sizes the buffer list from the declared count. This guard checks the same
 * declarations against {@code maxFrameBytes} first, so the decoder behind it only ever sees frames
 * within the limit.
 *
 * <p>A frame is: serial (4 bytes), buffer count (4 bytes), then per buffer its length (4 bytes) and
 * its bytes; all integers big-endian. The whole frame, headers included, must fit in {@code
 * maxFrameBytes}.
 *
 * <p>Both Avro servers of the project put one first in their pipeline: the pull sink's batch server
 * and the push receiver in {@code sparking-flume}. Shared by the two sides of the protocol; not an
 * API for users.
 */
public final class FrameGuard extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(FrameGuard.class);
  private static final int PACK_HEADER_BYTES = 8;
  private static final int LENGTH_BYTES = 4;

  private enum Expect {
    PACK_HEADER,
    LENGTH,
    BODY
  }

  private final long maxFrameBytes;
  private final String server;
  private final String limit;
  private Expect expect = Expect.PACK_HEADER;
  private long header;
  private int headerBytesSeen;
  private int buffersLeft;
  private long bodyBytesLeft;
  private long frameBytes;
  private boolean rejected;

  /**
   * A guard for one connection (it keeps that connection's framing state) that lets frames of at
   * most {@code maxFrameBytes} through.
   *
   * @param server names the server in log lines, such as "the Flume push receiver on host:port"
   * @param limit says in log lines where the limit comes from and what to do about it
   */
  public FrameGuard(int maxFrameBytes, String server, String limit) {
    this.maxFrameBytes = maxFrameBytes;
    this.server = server;
    this.limit = limit;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (rejected) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof ByteBuf buf) {
      String violation = scan(buf);
      if (violation != null) {
        rejected = true;
        ReferenceCountUtil.release(msg);
        LOG.warn(
            "Closing the connection from {} to {}: {} ({})",
            ctx.channel().remoteAddress(),
            server,
            violation,
            limit);
        ctx.close();
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // TLS and zlib errors land here; without a close the peer would wait for an answer that never
    // comes.
    LOG.warn(
        "Closing the connection from {} to {}: {}",
        ctx.channel().remoteAddress(),
        server,
        cause.toString());
    ctx.close();
  }

  /**
   * Advances over {@code buf}'s readable bytes without consuming them; a message when the framing
   * is impossible.
   */
  private String scan(ByteBuf buf) {
    int index = buf.readerIndex();
    int end = buf.writerIndex();
    while (index < end) {
      if (expect == Expect.BODY) {
        long skip = Math.min(bodyBytesLeft, end - index);
        index += (int) skip;
        bodyBytesLeft -= skip;
        if (bodyBytesLeft == 0) {
          endBuffer();
        }
        continue;
      }
      header = (header << 8) | (buf.getByte(index++) & 0xFF);
      headerBytesSeen++;
      if (expect == Expect.PACK_HEADER && headerBytesSeen == PACK_HEADER_BYTES) {
        int count = (int) header;
        // Each buffer costs at least its 4-byte length, so more buffers than that cannot fit in a
        // legal frame.
        if (count <= 0 || PACK_HEADER_BYTES + (long) count * LENGTH_BYTES > maxFrameBytes) {
          return "frame declares "
              + count
              + " buffers, impossible within the frame limit"
              + " (garbage or a client that does not speak Avro RPC)";
        }
        buffersLeft = count;
        frameBytes = PACK_HEADER_BYTES;
        startLength();
      } else if (expect == Expect.LENGTH && headerBytesSeen == LENGTH_BYTES) {
        int length = (int) header;
        frameBytes += LENGTH_BYTES + (long) length;
        if (length < 0) {
          return "frame declares a buffer of "
              + length
              + " bytes (garbage or a client that does not speak Avro RPC)";
        }
        if (frameBytes + (long) (buffersLeft - 1) * LENGTH_BYTES > maxFrameBytes) {
          return "frame declares a buffer of "
              + length
              + " bytes, which takes the frame past the limit of "
              + maxFrameBytes
              + " bytes";
        }
        bodyBytesLeft = length;
        expect = Expect.BODY;
        if (length == 0) {
          endBuffer();
        }
      }
    }
    return null;
  }

  private void endBuffer() {
    buffersLeft--;
    if (buffersLeft == 0) {
      expect = Expect.PACK_HEADER;
      header = 0;
      headerBytesSeen = 0;
    } else {
      startLength();
    }
  }

  private void startLength() {
    expect = Expect.LENGTH;
    header = 0;
    headerBytesSeen = 0;
  }
}
