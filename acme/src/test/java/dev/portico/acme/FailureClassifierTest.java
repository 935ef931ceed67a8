package dev.portico.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.portico.acme.renewal.Failure;
import dev.portico.acme.renewal.FailureKind;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpTimeoutException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.shredzone.acme4j.Problem;
import org.shredzone.acme4j.exception.AcmeNetworkException;
import org.shredzone.acme4j.exception.AcmeRateLimitedException;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.shredzone.acme4j.exception.AcmeUnauthorizedException;
import org.shredzone.acme4j.exception.AcmeUserActionRequiredException;
import org.shredzone.acme4j.toolbox.JSON;

class FailureClassifierTest {

    @ParameterizedTest(name = "{0} from the server is {1}")
    @CsvSource({
            "badNonce, SERVER", "serverInternal, SERVER", "rateLimited, RATE_LIMITED",
            "malformed, BAD_CONFIG", "invalidContact, BAD_CONFIG", "unsupportedContact, BAD_CONFIG",
            "unsupportedIdentifier, BAD_CONFIG", "badCSR, BAD_CONFIG", "externalAccountRequired, BAD_CONFIG",
            "unauthorized, NEEDS_HUMAN", "caa, NEEDS_HUMAN", "dns, NEEDS_HUMAN", "rejectedIdentifier, NEEDS_HUMAN",
            "accountDoesNotExist, NEEDS_HUMAN", "somethingNew, SERVER"})
    void serverProblemTypesAreClassified(String type, FailureKind kind) throws Exception {
        Failure f = FailureClassifier.classify(new AcmeServerException(problem(type, "detail of " + type)));
        assertEquals(kind, f.kind(), "RFC 8555 §6.7 type " + type + " decides what to do next");
        assertEquals(Optional.of(URI.create("urn:ietf:params:acme:error:" + type)), f.problemType(),
                "the problem type is kept for the operator log line");
        assertEquals("detail of " + type, f.detail(), "the CA's detail is what the operator reads");
    }

    @ParameterizedTest(name = "{0} in a challenge is {1}")
    @CsvSource({"unauthorized, CHALLENGE_FAILED", "connection, CHALLENGE_FAILED", "dns, CHALLENGE_FAILED",
            "incorrectResponse, CHALLENGE_FAILED", "caa, NEEDS_HUMAN", "rejectedIdentifier, NEEDS_HUMAN"})
    void challengeProblemsAreClassified(String type, FailureKind kind) throws Exception {
        OrderFailedException e = new OrderFailedException(OrderFailedException.Reason.CHALLENGE,
                "authorization of a.example is INVALID", problem(type, "x"));
        assertEquals(kind, FailureClassifier.classify(e).kind(),
                "a 404 on the token is worth a retry, a CAA record forbidding the CA is not");
    }

    @Test
    void rateLimitKeepsRetryAfter() throws Exception {
        Instant retryAfter = Instant.parse("2026-06-01T00:00:00Z");
        Failure f = FailureClassifier.classify(new AcmeRateLimitedException(problem("rateLimited", "too many"),
                retryAfter, List.of()));
        assertEquals(FailureKind.RATE_LIMITED, f.kind(), "rate limited is its own kind");
        assertEquals(Optional.of(retryAfter), f.retryAfter(), "Retry-After must reach the backoff");
    }

    @Test
    void networkFailuresAndTimeoutsAreNetwork() {
        assertEquals(FailureKind.NETWORK, FailureClassifier.classify(new AcmeNetworkException(new ConnectException("refused"))).kind(),
                "connection refused is transient");
        assertEquals(FailureKind.NETWORK,
                FailureClassifier.classify(new AcmeNetworkException(new HttpTimeoutException("timed out"))).kind(),
                "a hung CA is transient");
        assertEquals(FailureKind.NETWORK, FailureClassifier.classify(
                new OrderFailedException(OrderFailedException.Reason.TIMEOUT, "order still PENDING")).kind(),
                "the order deadline is a timeout");
    }

    @Test
    void failureInsideALazyGetterIsClassifiedByItsCause() throws Exception {
        var lazy = new org.shredzone.acme4j.exception.AcmeLazyLoadingException(org.shredzone.acme4j.Authorization.class,
                new URL("https://ca.example/authz/1"), new AcmeServerException(problem("badNonce", "JWS has an invalid anti-replay nonce")));
        Failure f = FailureClassifier.classify(lazy);
        assertEquals(FailureKind.SERVER, f.kind(), "Authorization#getStatus() wraps the fetch failure; the cause decides");
        assertEquals(Optional.of(URI.create("urn:ietf:params:acme:error:badNonce")), f.problemType(),
                "the problem type of the wrapped failure reaches the log");
    }

    @Test
    void accountAndTermsProblemsNeedAHuman() throws Exception {
        assertEquals(FailureKind.NEEDS_HUMAN,
                FailureClassifier.classify(new AcmeUnauthorizedException(problem("unauthorized", "no"))).kind(),
                "an unauthorized account needs a human");
        Failure tos = FailureClassifier.classify(new AcmeUserActionRequiredException(problem("userActionRequired", "agree"),
                URI.create("https://ca.example/tos-v2")));
        assertEquals(FailureKind.NEEDS_HUMAN, tos.kind(), "new terms of service need the operator's agreement");
        assertTrue(tos.detail().contains("https://ca.example/tos-v2"), "the operator is told where the new terms are");
    }

    @Test
    void badCertificateAndStorageFailuresAreClassified() {
        assertEquals(FailureKind.SERVER, FailureClassifier.classify(new OrderFailedException(
                OrderFailedException.Reason.BAD_CERTIFICATE, "does not cover a.example")).kind(),
                "a wrong certificate from the CA is a server fault, retried");
        assertEquals(FailureKind.NEEDS_HUMAN, FailureClassifier.classify(new IOException("disk full")).kind(),
                "local storage failures need a human");
    }

    static Problem problem(String type, String detail) throws Exception {
        JSON json = JSON.parse("{\"type\":\"urn:ietf:params:acme:error:" + type + "\",\"detail\":\"" + detail + "\"}");
        return new Problem(json, new URL("https://ca.example/"));
    }
}
