package dev.portico.app.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestTargetTest {

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({
            "/a/./b, true",
            "/a/../b, true",
            "/a/%2E/b, true",
            "/a/.%2e/b, true",
            "/a/%2e%2E, true",
            "/.., true",
            "/a/..., false",
            "/a/%2e%2e%2e/b, false",
            "/a.b/c.d, false",
            "/a/%2/b, false",
            "/a/%2e.x, false",
            "/, false",
            "'', false",
    })
    void findsDotSegmentsPlainOrPercentEncoded(String path, boolean expected) {
        assertEquals(expected, RequestTarget.hasDotSegment(path), path);
    }

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(nullValues = "null", value = {
            "example.com, example.com",
            "Example.COM:443, example.com",
            "example.com:65535, example.com",
            "example.com:65536, null",
            "example.com:, null",
            "example.com:123456, null",
            "example.com:8a, null",
            "example.com:1:2, null",
            "[::1]:8080, [::1]",
            "[::1], [::1]",
            "[::1]x, null",
            "[::1]:, null",
            "user@example.com, null",
    })
    void takesTheHostOfAnAuthorityAndChecksItsPort(String authority, String expected) {
        assertEquals(expected, RequestTarget.hostOf(authority), authority);
    }
}
