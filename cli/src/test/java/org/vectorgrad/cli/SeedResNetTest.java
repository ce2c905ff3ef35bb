package org.vectorgrad.cli;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vectorgrad.nn.models.ResNetFixture;

/**
 * The ResNet-18 cells of seeds 000 and 004 really train: replayed in notebook order, their
 * prediction, loss and parameters after the SGD step match PyTorch's for the same seeded model
 * (fixtures/nn_modules.txt, case seed004).
 */
class SeedResNetTest {

    private static void replayResNetCells(List<Cell> cells, ResNetStep step) {
        for (Cell cell : cells.subList(0, 5)) {
            cell.run().get();
        }
        ResNetFixture fixture = ResNetFixture.load("seed004");
        fixture.checkForward(step.prediction, step.loss);
        fixture.checkAfterStep(step.model.stateDict());
    }

    @Test
    void seed004() {
        Seed004 seed = new Seed004();
        replayResNetCells(seed.cells(), seed.resnet);
    }

    @Test
    void seed000() {
        Seed000 seed = new Seed000();
        replayResNetCells(seed.cells(), seed.resnet);
    }
}
