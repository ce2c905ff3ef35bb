package org.vectorgrad.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.vectorgrad.io.AtomicFiles;

/** The loss and accuracy curves of a run as a PNG (XChart, rendered off-screen). */
final class TrainingPlot {
    private TrainingPlot() {
    }

    static void writePng(Path file, String title, TrainingHistory history) throws IOException {
        // Rendering needs no display; without this AWT looks for one on Linux servers and CI.
        System.setProperty("java.awt.headless", "true");
        List<EpochResult> epochs = history.epochs();
        double[] x = epochs.stream().mapToDouble(EpochResult::epoch).toArray();
        double[] loss = epochs.stream().mapToDouble(EpochResult::trainLoss).toArray();
        double[] accuracy = epochs.stream().mapToDouble(e -> 100 * e.testAccuracy()).toArray();
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title)
                .xAxisTitle("epoch").yAxisTitle("train loss").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        chart.getStyler().setXAxisDecimalPattern("0");
        XYSeries lossSeries = chart.addSeries("train loss", x, loss);
        lossSeries.setMarker(SeriesMarkers.CIRCLE);
        XYSeries accuracySeries = chart.addSeries("test accuracy (%)", x, accuracy);
        accuracySeries.setMarker(SeriesMarkers.DIAMOND);
        accuracySeries.setYAxisGroup(1);
        chart.setYAxisGroupTitle(1, "test accuracy (%)");
        AtomicFiles.write(file, out -> BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG));
    }
}
