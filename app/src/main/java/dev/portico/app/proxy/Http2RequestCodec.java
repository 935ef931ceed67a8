package dev.portico.app.proxy;

import static io.netty.handler.codec.http2.Http2Error.PROTOCOL_ERROR;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Netty's server-side stream codec (HTTP/2 frames to HTTP/1 objects and back), with the two per-request
 * translations done here, leaner:
 * <ul>
 *   <li>A request's HEADERS become the head in one pass: {@code :method} and {@code :path} the request
 *       line, {@code :authority} the first {@code Host}, several {@code cookie} fields one (RFC 9113
 *       8.2.3), fields not validated again (the HPACK decoder did). Netty's translation also adds
 *       {@code x-http2-stream-id} and {@code x-http2-scheme} fields, which the frontend then had to
 *       remove; here none is added, and a client's own {@code x-http2-*} fields are dropped (Netty drops
 *       those of its own names). HEADERS that end the stream (a GET) are followed by the shared empty last
 *       content, not made a {@code FullHttpRequest} (a pooled empty body and a second header map). A head
 *       without END_STREAM and without {@code Content-Length} gets {@code Transfer-Encoding: chunked}, as
 *       Netty's does. CONNECT keeps Netty's translation (the frontend refuses it).</li>
 *   <li>A response head that is not a whole response (what an exchange writes) becomes HEADERS
 *       ({@link #toResponseHeaders}) without validating its fields a second time: they were validated
 *       when the backend's answer was decoded (both upstream codecs validate), and Portico adds only
 *       fields of its own.</li>
 * </ul>
 * Bodies, trailers, whole responses (local answers) and interim responses are Netty's. Sharable, like
 * its parent; event loop only.
 *
 * <p>It is also what the multiplexer adds to every new stream's child channel: when added, it hands the
 * channel to {@code restOfStream}, which adds the handlers after it. A {@code ChannelInitializer} would
 * do the same with a handler context more per stream, added and removed again, and a concurrent set.
 */
@ChannelHandler.Sharable
final class Http2RequestCodec extends Http2StreamFrameToHttpObjectCodec {
    private static final String EXTENSION_PREFIX = "x-http2-";
    /**
     * No second validation: the frame codec's HPACK decoder (built with {@code validateHeaders(true)}, see
     * {@link Http2Frontend}) has validated every name (an HTTP token in lower case, RFC 9113 8.2.1) and
     * every value (no CR, LF or NUL, 8.2.1) and reset the stream or closed the connection otherwise.
     * {@code Http2ProtocolTest} holds the whole chain to that.
     */
    private static final HttpHeadersFactory DECODER_VALIDATED = DefaultHttpHeadersFactory.headersFactory().withValidation(false);

    /** RFC 9113 8.2.2's connection-specific fields (HopByHop has removed most already), and Host. */
    private static final Set<AsciiString> DROPPED_FROM_RESPONSES = Set.of(HttpHeaderNames.CONNECTION,
            HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.PROXY_CONNECTION, HttpHeaderNames.TRANSFER_ENCODING,
            HttpHeaderNames.UPGRADE, HttpHeaderNames.TE, HttpHeaderNames.HOST);
    /**
     * Names most responses carry, as the lower-case constants they become; the last two only so that a
     * backend's stray ones are recognised without a copy and dropped.
     */
    private static final AsciiString[] COMMON_RESPONSE_NAMES = {HttpHeaderNames.CONTENT_TYPE,
            HttpHeaderNames.CONTENT_LENGTH, HttpHeaderNames.DATE, HttpHeaderNames.SERVER, HttpHeaderNames.CACHE_CONTROL,
            HttpHeaderNames.ETAG, HttpHeaderNames.LAST_MODIFIED, HttpHeaderNames.SET_COOKIE, HttpHeaderNames.LOCATION,
            HttpHeaderNames.VARY, HttpHeaderNames.CONTENT_ENCODING, HttpHeaderNames.EXPIRES, HttpHeaderNames.ACCEPT_RANGES,
            HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.CONNECTION};

    private final Consumer<Channel> restOfStream;

    /** {@code restOfStream} completes a new stream's pipeline; called on the stream's event loop. */
    Http2RequestCodec(Consumer<Channel> restOfStream) {
        super(true, true);
        this.restOfStream = restOfStream;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        restOfStream.accept(ctx.channel());
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, Http2StreamFrame frame, List<Object> out) throws Exception {
        if (frame instanceof Http2HeadersFrame headers) {
            CharSequence method = headers.headers().method();
            if (method != null && !HttpMethod.CONNECT.asciiName().contentEqualsIgnoreCase(method)) {
                Http2FrameStream stream = headers.stream();
                HttpRequest head = toRequest(stream == null ? 0 : stream.id(), method, headers.headers());
                out.add(head);
                if (headers.isEndStream()) {
                    out.add(LastHttpContent.EMPTY_LAST_CONTENT);
                } else if (!HttpUtil.isContentLengthSet(head)) {
                    head.headers().add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                }
                return;
            }
        }
        super.decode(ctx, frame, out);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, HttpObject obj, List<Object> out) throws Exception {
        if (obj instanceof HttpResponse response && !(obj instanceof FullHttpResponse)
                && response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            out.add(new DefaultHttp2HeadersFrame(toResponseHeaders(response), false));
            return;
        }
        super.encode(ctx, obj, out);
    }

    /**
     * The HTTP/1.1 head for a request's header block (not CONNECT). The HPACK decoder has already checked
     * names and values, refused connection-specific fields and put the pseudo-header fields first.
     */
    private static HttpRequest toRequest(int streamId, CharSequence method, Http2Headers in) throws Http2Exception {
        CharSequence path = in.path();
        if (path == null) {
            throw Http2Exception.streamError(streamId, PROTOCOL_ERROR, "request without :path");
        }
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method.toString()),
                path.toString(), DECODER_VALIDATED);
        HttpHeaders out = head.headers();
        CharSequence authority = in.authority();
        if (authority != null) {
            out.add(HttpHeaderNames.HOST, authority);
        }
        StringBuilder cookies = null;
        for (Map.Entry<CharSequence, CharSequence> field : in) {
            CharSequence name = field.getKey();
            if (name.length() == 0 || name.charAt(0) == ':') {
                if (!Http2Headers.PseudoHeaderName.isPseudoHeader(name)) {
                    throw Http2Exception.streamError(streamId, PROTOCOL_ERROR, "unknown pseudo-header field %s", name);
                }
                continue; // the request line and Host, above
            }
            if (isExtension(name) || HttpHeaderNames.TRAILER.contentEqualsIgnoreCase(name)
                    || HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)) {
                // Netty's own names; Trailer and Transfer-Encoding Netty's translation removes too (the
                // HPACK decoder already refuses the latter, RFC 9113 8.2.2): the framing toward the backend is ours
                continue;
            }
            if (HttpHeaderNames.COOKIE.contentEquals(name)) {
                cookies = cookies == null ? new StringBuilder() : cookies.append("; ");
                cookies.append(field.getValue());
            } else {
                out.add(name, field.getValue());
            }
        }
        if (cookies != null) {
            out.add(HttpHeaderNames.COOKIE, cookies.toString());
        }
        return head;
    }

    /**
     * The HEADERS of a response head (not CONNECT's, not interim): {@code :status}, then the fields in
     * order with their names in lower case (RFC 9113 8.2.1), without the fields HTTP/2 forbids
     * (8.2.2) or Netty's translation drops ({@code Host}, {@code x-http2-*}). As Netty's
     * {@code HttpConversionUtil.toHttp2Headers}, without a lower-case copy and a set lookup per name:
     * the common names map to Netty's constants, whose hash the HPACK encoder then reuses.
     */
    static Http2Headers toResponseHeaders(HttpResponse response) {
        HttpHeaders in = response.headers();
        Http2Headers out = new DefaultHttp2Headers(false, in.size() + 1);
        out.status(response.status().codeAsText());
        Iterator<Map.Entry<CharSequence, CharSequence>> fields = in.iteratorCharSequence();
        while (fields.hasNext()) {
            Map.Entry<CharSequence, CharSequence> field = fields.next();
            AsciiString name = lowerCaseName(field.getKey());
            if (!DROPPED_FROM_RESPONSES.contains(name) && !isExtension(name)) {
                out.add(name, field.getValue());
            }
        }
        return out;
    }

    private static AsciiString lowerCaseName(CharSequence name) {
        for (AsciiString common : COMMON_RESPONSE_NAMES) {
            if (common.length() == name.length() && common.contentEqualsIgnoreCase(name)) {
                return common;
            }
        }
        return AsciiString.of(name).toLowerCase();
    }

    /** {@code x-http2-...}; names arrive in lower case (the HPACK decoder refuses others). */
    private static boolean isExtension(CharSequence name) {
        if (name.length() <= EXTENSION_PREFIX.length()) {
            return false;
        }
        for (int i = 0; i < EXTENSION_PREFIX.length(); i++) {
            if (name.charAt(i) != EXTENSION_PREFIX.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
