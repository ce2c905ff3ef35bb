module example.tabular {
    requires org.vectorgrad.core;

    exports example.tabular;
}
