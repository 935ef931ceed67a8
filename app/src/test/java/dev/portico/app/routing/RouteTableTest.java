package dev.portico.app.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.portico.app.config.CertificateSource;
import dev.portico.app.config.Origin;
import dev.portico.app.config.Route;
import dev.portico.app.config.RouteAction;
import dev.portico.app.config.RouteOptions;
import dev.portico.tls.sni.HostPattern;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteTableTest {
    private static Route route(String host, String prefix, String body) {
        return new Route(HostPattern.parse(host), prefix, new RouteAction.Respond(200, body, List.of()),
                new CertificateSource.Internal(), RouteOptions.DEFAULTS, Origin.NONE);
    }

    private static String body(Route r) {
        return r == null ? null : ((RouteAction.Respond) r.action()).body();
    }

    private final RouteTable table = RouteTable.of(List.of(
            route("example.com", "/", "root"),
            route("example.com", "/api", "api"),
            route("example.com", "/api/v2/", "v2"),
            route("example.com", "/api", "second api route loses"),
            route("*.example.com", "/", "wild"),
            route("x.example.com", "/", "exact x")));

    @Test
    void longestSegmentPrefixWins() {
        assertEquals("api", body(table.route("example.com", "/api")), "/api matches itself");
        assertEquals("api", body(table.route("example.com", "/api/x")), "/api matches below it");
        assertEquals("root", body(table.route("example.com", "/apix")), "/api does not match /apix: segments, not characters");
        assertEquals("v2", body(table.route("example.com", "/api/v2/users")), "the longest prefix wins");
        assertEquals("api", body(table.route("example.com", "/api/v2")), "/api/v2/ (trailing slash) does not match /api/v2");
        assertEquals("root", body(table.route("example.com", "/")), "/ matches everything else");
    }

    @Test
    void firstOfTwoIdenticalRoutesWins() {
        assertEquals("api", body(table.route("example.com", "/api/q")), "the route written first wins a tie");
    }

    @Test
    void exactHostBeatsWildcardAndWildcardCoversOneLabelOnly() {
        assertEquals("exact x", body(table.route("x.example.com", "/")), "exact entries come first");
        assertEquals("wild", body(table.route("y.example.com", "/")), "*.example.com covers y.example.com");
        assertNull(table.route("a.b.example.com", "/"), "a wildcard covers one label only");
        assertNull(table.route("other.com", "/"), "unrouted hosts have no route");
        assertNull(table.host(null), "no host, no routes");
    }

    @Test
    void namesUnderOneWildcardShareOneHostEntry() {
        assertSame(table.host("y.example.com"), table.host("z.example.com"), "the same entry: SNI and Host agree");
        assertEquals(HostPattern.parse("*.example.com"), table.host("y.example.com").pattern(), "the entry knows its pattern");
    }

    @Test
    void labelsARouteByItsHostPatternAndPrefix() {
        RouteTable.HostRoutes example = table.host("example.com");
        assertEquals("example.com/api/v2/", example.label(example.route("/api/v2/x")));
        assertEquals("example.com/", example.label(example.route("/other")));
        RouteTable.HostRoutes wild = table.host("y.example.com");
        assertEquals("*.example.com/", wild.label(wild.route("/")), "the pattern, not the request's host");
        assertThrows(IllegalArgumentException.class, () -> example.label(wild.route("/")), "another host's route");
    }

    @Test
    void emptyTableRoutesNothing() {
        assertNull(RouteTable.empty().route("example.com", "/"), "empty table");
        assertEquals(true, RouteTable.of(List.of()).isEmpty(), "no routes");
    }
}
