package org.vectorgrad;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** For tests that call {@link Parallelism#setThreads}: each test ends with the thread count it started with. */
public final class RestoreThreads implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(RestoreThreads.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(STORE).put("threads", Parallelism.threads());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Parallelism.setThreads(context.getStore(STORE).get("threads", Integer.class));
    }
}
