package dev.portico.app.proxy;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;
import java.util.List;

/**
 * Netty's server-side stream codec (HTTP/2 frames to HTTP/1 objects and back), except for the most
 * common request: HEADERS that end the stream (a GET). Netty makes that a {@code FullHttpRequest}, which
 * costs a pooled empty body buffer and a second header map for trailers on every request, only for the
 * frontend to split it into a head and an empty end again. Here it becomes the head (the same
 * translation, {@link HttpConversionUtil#toHttpRequest}: {@code :authority} as {@code Host}, cookie
 * fields joined) followed by the shared empty last content. Bodies, trailers and responses are Netty's.
 * Sharable, like its parent; event loop only.
 */
@ChannelHandler.Sharable
final class Http2RequestCodec extends Http2StreamFrameToHttpObjectCodec {
    Http2RequestCodec() {
        super(true, true);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, Http2StreamFrame frame, List<Object> out) throws Exception {
        if (frame instanceof Http2HeadersFrame headers && headers.isEndStream() && headers.headers().method() != null) {
            Http2FrameStream stream = headers.stream();
            out.add(HttpConversionUtil.toHttpRequest(stream == null ? 0 : stream.id(), headers.headers(), true));
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
            return;
        }
        super.decode(ctx, frame, out);
    }
}
