package org.parley.loadtest;

/** Entry point of {@code parley-load.jar}; scenarios land with the load-test issue. */
public final class LoadTestMain {

    private LoadTestMain() {
    }

    public static void main(String[] args) {
        System.err.println("parley-load: no scenarios yet (see the load-test issue)");
        System.exit(2);
    }
}
