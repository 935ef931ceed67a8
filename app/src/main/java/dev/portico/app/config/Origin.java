package dev.portico.app.config;

/** Where a value came from in the YAML, so later checks and logs can point back at it. */
public record Origin(String file, int line, int column) {
    public static final Origin NONE = new Origin("<built-in>", 0, 0);

    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
