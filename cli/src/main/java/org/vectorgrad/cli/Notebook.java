package org.vectorgrad.cli;

import java.util.List;

/** A seed notebook replayed in Java: its cells run in order and share the notebook's state. */
abstract class Notebook {
    /** The seed file name in {@code ../shared/seeds/}, e.g. {@code 000_350151eeef2b41de.txt}. */
    abstract String seedFile();

    /** The cells with printed results, in notebook order; run them in that order. */
    abstract List<Cell> cells();

    /** All replayed notebooks, each with fresh state. */
    static List<Notebook> all() {
        return List.of(new Seed000(), new Seed001(), new Seed002(), new Seed003(), new Seed004());
    }
}
