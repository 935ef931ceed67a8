package dev.portico.app;

/** Entry point of the portico command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.out.println("portico");
    }
}
