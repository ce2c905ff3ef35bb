package org.vectorgrad.simd;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** For tests that call {@link Parallel#setThreads}: each test ends with the thread count it started with. */
public final class RestoreThreads implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(RestoreThreads.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(STORE).put("threads", Parallel.threads());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Parallel.setThreads(context.getStore(STORE).get("threads", Integer.class));
    }
}
