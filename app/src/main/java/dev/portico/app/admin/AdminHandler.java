package dev.portico.app.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The admin endpoints: {@code /healthz} (the process answers), {@code /readyz} (listeners bound and
 * config loaded; false while shutting down, so a load balancer stops sending first) and
 * {@code /certificates} (JSON state of every certificate) and {@code /metrics} (Prometheus text).
 * Event loop; the suppliers read snapshots and never block.
 */
@Sharable
public final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final BooleanSupplier ready;
    private final Supplier<String> certificatesJson;
    private final Supplier<String> metricsText;

    public AdminHandler(BooleanSupplier ready, Supplier<String> certificatesJson, Supplier<String> metricsText) {
        this.ready = ready;
        this.certificatesJson = certificatesJson;
        this.metricsText = metricsText;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = request.uri();
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        FullHttpResponse response;
        if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
            response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n");
        } else {
            response = switch (path) {
                case "/healthz" -> text(HttpResponseStatus.OK, "ok\n");
                case "/readyz" -> ready.getAsBoolean()
                        ? text(HttpResponseStatus.OK, "ready\n")
                        : text(HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready\n");
                case "/certificates" -> json(certificatesJson.get());
                case "/metrics" -> response(HttpResponseStatus.OK, metricsText.get(), "text/plain; version=0.0.4; charset=utf-8");
                default -> text(HttpResponseStatus.NOT_FOUND, "not found\n");
            };
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        if (HttpMethod.HEAD.equals(request.method())) {
            response.content().clear();
        }
        var written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        return response(status, body, "text/plain; charset=utf-8");
    }

    private static FullHttpResponse json(String body) {
        return response(HttpResponseStatus.OK, body, HttpHeaderValues.APPLICATION_JSON.toString());
    }

    private static FullHttpResponse response(HttpResponseStatus status, String body, String type) {
        ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return r;
    }
}
