package org.parley.server;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.IntSupplier;

/**
 * Adapts one module's service to {@link Part}, so modules need not know the server's lifecycle.
 *
 * @param portSettings the settings that hold this part's ports, named when binding fails
 */
record ModulePart(String name, String portSettings, Callable<List<String>> starter, Runnable drainer,
        IntSupplier live, AutoCloseable closer) implements Part {

    @Override
    public List<String> start() throws Exception {
        return starter.call();
    }

    @Override
    public void drain() {
        drainer.run();
    }

    @Override
    public int liveWork() {
        return live.getAsInt();
    }

    @Override
    public void close() throws Exception {
        closer.close();
    }
}
