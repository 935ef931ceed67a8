package dev.portico.app.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SuggestionTest {
    private static final List<String> KEYS = List.of("host", "path", "proxy", "respond", "redirect", "tls");

    @Test
    void suggestsTheClosestKeyWithinTwoEdits() {
        assertEquals(Optional.of("proxy"), Suggestion.closest("prxy", KEYS), "one deletion from proxy");
        assertEquals(Optional.of("redirect"), Suggestion.closest("redirct", KEYS), "one deletion from redirect");
        assertEquals(Optional.of("respond"), Suggestion.closest("RESPOND", KEYS), "case does not count as an edit");
        assertEquals(Optional.of("host"), Suggestion.closest("hots", KEYS), "a transposition is two edits");
    }

    @Test
    void suggestsNothingPastTwoEditsOrForAWordReplacedWhole() {
        assertEquals(Optional.empty(), Suggestion.closest("colour", KEYS), "nothing is within two edits of colour");
        assertEquals(Optional.empty(), Suggestion.closest("ab", List.of("cd")), "replacing every letter is not a typo");
    }

    @Test
    void distanceIsLevenshtein() {
        assertEquals(3, Suggestion.distance("kitten", "sitting"), "the textbook example");
        assertEquals(0, Suggestion.distance("", ""), "two empty words are equal");
        assertEquals(4, Suggestion.distance("", "host"), "insertions only");
    }
}
