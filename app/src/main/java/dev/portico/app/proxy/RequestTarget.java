package dev.portico.app.proxy;

import dev.portico.tls.sni.HostPattern;

/**
 * Where a request goes, from its request-target and {@code Host} (RFC 9112 3.2): the normalized host
 * name to route on, the authority to forward as {@code Host}, the path to match prefixes against and
 * the origin-form target to send to the backend. For absolute-form the target's authority wins over
 * {@code Host} (RFC 9112 3.2.2). Pure; any thread.
 *
 * @param host normalized host name without port, or null when the request named none (HTTP/1.0)
 * @param authority the host and port as received, forwarded as {@code Host}; null when none
 * @param path the path, without query, for prefix matching
 * @param originForm path and query, what the backend receives
 * @param absolute whether the request used absolute-form
 */
record RequestTarget(String host, String authority, String path, String originForm, boolean absolute) {

    /**
     * Parses {@code uri} and {@code hostHeader} (null when absent); returns null when either is
     * malformed (the caller answers 400).
     */
    static RequestTarget parse(String uri, String hostHeader, boolean options) {
        String authority;
        String originForm;
        boolean absolute = false;
        if (uri.startsWith("/")) {
            originForm = uri;
            authority = hostHeader;
        } else if (uri.equals("*") && options) {
            originForm = uri;
            authority = hostHeader;
        } else if (startsWithIgnoreCase(uri, "http://") || startsWithIgnoreCase(uri, "https://")) {
            absolute = true;
            int start = uri.indexOf("//") + 2;
            int end = start;
            while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?') {
                end++;
            }
            authority = uri.substring(start, end);
            String rest = uri.substring(end);
            originForm = rest.isEmpty() ? "/" : rest.startsWith("?") ? "/" + rest : rest;
        } else {
            return null;
        }
        if (originForm.indexOf('#') >= 0) {
            return null; // a fragment is never part of a request-target
        }
        int query = originForm.indexOf('?');
        String path = originForm.equals("*") ? "/" : query < 0 ? originForm : originForm.substring(0, query);
        if (hasDotSegment(path)) {
            return null;
        }
        String host = null;
        if (authority != null) {
            host = hostOf(authority);
            if (host == null) {
                return null;
            }
        }
        return new RequestTarget(host, authority, path, originForm, absolute);
    }

    /** The normalized host of {@code host[:port]} or {@code [v6][:port]}, or null when malformed. */
    static String hostOf(String authority) {
        String a = authority.strip();
        if (a.isEmpty() || a.indexOf('@') >= 0) {
            return null;
        }
        String host;
        int portStart = -1;
        if (a.startsWith("[")) {
            int close = a.indexOf(']');
            if (close < 0) {
                return null;
            }
            host = a.substring(0, close + 1);
            if (close + 1 < a.length()) {
                if (a.charAt(close + 1) != ':') {
                    return null;
                }
                portStart = close + 2;
            }
        } else {
            int colon = a.indexOf(':');
            if (colon >= 0) {
                if (a.indexOf(':', colon + 1) >= 0) {
                    return null;
                }
                portStart = colon + 1;
                host = a.substring(0, colon);
            } else {
                host = a;
            }
        }
        if (portStart >= 0 && !validPort(a, portStart)) {
            return null;
        }
        return HostPattern.normalizeOrNull(host);
    }

    /**
     * True when a segment of {@code path} is {@code .} or {@code ..}, also percent-encoded: a backend
     * that normalizes {@code /public/../admin} would serve a path no route chose (RFC 3986 5.2.4), so
     * such targets are refused rather than rewritten.
     */
    static boolean hasDotSegment(String path) {
        int start = 0;
        while (start <= path.length()) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            if (isDotSegment(path, start, end)) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }

    /** {@code path[start, end)} is {@code .} or {@code ..}, each dot maybe written {@code %2e}; in place, as every request passes here. */
    private static boolean isDotSegment(String path, int start, int end) {
        int dots = 0;
        int i = start;
        while (i < end) {
            if (path.charAt(i) == '.') {
                i++;
            } else if (path.regionMatches(true, i, "%2e", 0, 3) && i + 3 <= end) {
                i += 3;
            } else {
                return false;
            }
            if (++dots > 2) {
                return false;
            }
        }
        return dots > 0;
    }

    /** {@code authority} from {@code start} on is a port: 1 to 5 digits, at most 65535. */
    private static boolean validPort(String authority, int start) {
        int length = authority.length() - start;
        if (length < 1 || length > 5) {
            return false;
        }
        int port = 0;
        for (int i = start; i < authority.length(); i++) {
            char c = authority.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            port = port * 10 + (c - '0');
        }
        return port <= 65535;
    }

    private static boolean startsWithIgnoreCase(String s, String prefix) {
        return s.regionMatches(true, 0, prefix, 0, prefix.length());
    }
}
