package org.vectorgrad.bench;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ForksTest {
    @Test
    void aForkWithoutTheVectorModuleIsRefusedWithTheFlagToPass() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Forks.requireVectorModule(Optional.empty()));
        assertTrue(e.getMessage().contains("-jvmArgsAppend \"--add-modules=jdk.incubator.vector"), e.getMessage());
    }

    @Test
    void theTestJvmHasTheModuleAsEveryForkMust() {
        assertDoesNotThrow(() -> Forks.requireVectorModule());
        assertDoesNotThrow(() -> Forks.requireVectorModule(Optional.of(Forks.VECTOR_MODULE)));
    }
}
