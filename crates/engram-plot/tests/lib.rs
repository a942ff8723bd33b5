//! Integration tests for engram-plot: every figure type writes a valid PNG and SVG of the requested size.

use std::path::{Path, PathBuf};

use engram_plot::{
    BarPanel, BarSeries, DEFAULT_PANEL_SIZE, Figure, HeatmapPanel, HistogramPanel, LinePanel, PlotError,
    PopulationSpikes, RASTER_FIGURE_SIZE, RasterPanel, RatesPanel, ScatterPanel, bar_plot, heatmap, histogram,
    line_plot, population_rates, raster_and_rates, raster_rows, scatter_plot,
};

/// A fresh output directory for one test.
fn out_dir(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("engram-plot").join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn with_ext(stem: &Path, ext: &str) -> PathBuf {
    let mut s = stem.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

/// Reads `stem.png`, checks the PNG signature and IHDR chunk, and returns (width, height).
fn png_size(stem: &Path) -> (u32, u32) {
    let bytes = std::fs::read(with_ext(stem, "png")).unwrap();
    assert!(bytes.len() > 1000, "PNG suspiciously small: {} bytes", bytes.len());
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&bytes[12..16], b"IHDR", "first chunk is IHDR");
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

/// Reads `stem.svg`, checks that it is an SVG containing every `needle`, and returns its text.
fn svg_with(stem: &Path, needles: &[&str]) -> String {
    let svg = std::fs::read_to_string(with_ext(stem, "svg")).unwrap();
    assert!(svg.contains("<svg"), "not an SVG");
    for n in needles {
        assert!(svg.contains(n), "SVG lacks {n:?}");
    }
    svg
}

/// Poisson spike trains from the test kit: `rate_hz` per neuron over `duration_ms` (0.1 ms steps).
fn spikes(name: &str, n: usize, rate_hz: f64, duration_ms: f64, seed: u64) -> PopulationSpikes {
    use engram_testkit::raster::Raster;
    use engram_testkit::spikes::{poisson_trains, rng};
    let dt_ms = 0.1;
    let trains = poisson_trains(&mut rng(seed), n, rate_hz, dt_ms, (duration_ms / dt_ms) as u64);
    let raster = Raster::from_trains(&trains, dt_ms);
    PopulationSpikes { name: name.into(), n, times_ms: raster.times_ms(), neurons: raster.neurons().to_vec() }
}

#[test]
fn raster_and_rates_writes_png_and_svg() {
    let dir = out_dir("raster");
    let stem = dir.join("run");
    let pops =
        [spikes("E", 400, 8.0, 1000.0, 1), spikes("I", 100, 20.0, 1000.0, 2), spikes("input", 50, 5.0, 1000.0, 3)];
    let stats = raster_and_rates(&stem, "Balanced E/I network", &pops, 1000.0, 5.0, None).unwrap();
    assert_eq!(stats.rows, 550);
    assert_eq!(stats.points, pops.iter().map(|p| p.times_ms.len()).sum::<usize>());
    assert_eq!(png_size(&stem), RASTER_FIGURE_SIZE);
    svg_with(&stem, &["Balanced E/I network", "rate (Hz)", "time (ms)", "neuron", "\nE\n", "\nI\n", "\ninput\n"]);
}

#[test]
fn raster_subsampling_caps_drawn_points() {
    let dir = out_dir("raster_cap");
    let stem = dir.join("big");
    let pops = [spikes("E", 64_000, 2.0, 200.0, 4), spikes("I", 16_000, 5.0, 200.0, 5)];
    let all: usize = pops.iter().map(|p| p.times_ms.len()).sum();
    let stats = raster_and_rates(&stem, "64k raster", &pops, 200.0, 5.0, Some(250)).unwrap();
    assert_eq!(stats.rows, 500);
    // Exactly the spikes of kept neurons are drawn.
    let expected: usize = pops
        .iter()
        .map(|p| {
            let rows = raster_rows(p.n, Some(250));
            p.neurons.iter().filter(|&&i| rows[i as usize].is_some()).count()
        })
        .sum();
    assert_eq!(stats.points, expected);
    assert!(stats.points * 20 < all, "{} of {all} spikes drawn", stats.points);
    let svg = svg_with(&stem, &["64k raster"]);
    // One SVG circle per drawn spike (the legend uses lines, not circles).
    assert_eq!(svg.matches("<circle").count(), stats.points);
    assert_eq!(png_size(&stem), RASTER_FIGURE_SIZE);
}

#[test]
fn raster_rows_selects_evenly_and_respects_the_cap() {
    for (n, cap) in [(10, None), (10, Some(10)), (10, Some(20)), (10, Some(3)), (64_000, Some(250)), (7, Some(0))] {
        let rows = raster_rows(n, cap);
        assert_eq!(rows.len(), n);
        let kept: Vec<(usize, u32)> = rows.iter().enumerate().filter_map(|(i, r)| r.map(|r| (i, r))).collect();
        let k = cap.unwrap_or(n).min(n);
        assert_eq!(kept.len(), k, "n = {n}, cap = {cap:?}");
        // Rows are 0..k in neuron order, and gaps between kept neurons are at most ceil(n / k).
        for (j, &(i, r)) in kept.iter().enumerate() {
            assert_eq!(r as usize, j);
            if j > 0 {
                assert!(i - kept[j - 1].0 <= n.div_ceil(k));
            }
        }
    }
}

#[test]
fn population_rates_are_spikes_per_neuron_per_second() {
    // 10 neurons, 1 spike each in [0, 5) ms → 10 / (10 · 0.005 s) = 200 Hz; nothing later.
    let times: Vec<f64> = (0..10).map(|i| i as f64 * 0.4).collect();
    let neurons: Vec<u32> = (0..10).collect();
    let pop = PopulationSpikes::new("E", 10, &times, &neurons);
    let r = population_rates(&pop, 12.0, 5.0);
    assert_eq!(r.len(), 3);
    assert!((r[0].1 - 200.0).abs() < 1e-9);
    assert_eq!(r[1].1, 0.0);
    assert_eq!(r[2].0, 11.0, "the short last bin [10, 12) is centred at 11 ms");
    assert!(population_rates(&pop, 0.0, 5.0).is_empty());
}

#[test]
fn line_plot_linear_and_log() {
    let dir = out_dir("line");
    let a: Vec<(f64, f64)> = (0..50).map(|i| (i as f64, (i as f64 * 0.2).sin())).collect();
    let b: Vec<(f64, f64)> = (0..50).map(|i| (i as f64, (i as f64 * 0.2).cos())).collect();
    let stem = dir.join("lin");
    line_plot(&stem, "Sine and cosine", "time (ms)", "V (mV)", &[("sin", &a), ("cos", &b)], false).unwrap();
    assert_eq!(png_size(&stem), DEFAULT_PANEL_SIZE);
    svg_with(&stem, &["Sine and cosine", "time (ms)", "V (mV)", "sin", "cos"]);

    let c: Vec<(f64, f64)> = (1..60).map(|i| (i as f64, (i as f64 * 0.15).exp())).collect();
    let stem = dir.join("log");
    line_plot(
        &stem,
        "Exponential growth",
        "t (s)",
        "count",
        &[("exp", &c), ("with zero", &[(1.0, 0.0), (2.0, 5.0)])],
        true,
    )
    .unwrap();
    assert_eq!(png_size(&stem), DEFAULT_PANEL_SIZE);
    svg_with(&stem, &["Exponential growth", "t (s)", "count"]);
}

#[test]
fn scatter_plot_with_diagonal() {
    let dir = out_dir("scatter");
    let stem = dir.join("scatter");
    let g1: Vec<(f64, f64)> =
        (0..40).map(|i| (i as f64 * 0.1, i as f64 * 0.1 + ((i * 7 % 5) as f64 - 2.0) * 0.1)).collect();
    let g2: Vec<(f64, f64)> = (0..40).map(|i| (i as f64 * 0.1, i as f64 * 0.05)).collect();
    scatter_plot(&stem, "Predicted vs measured", "measured (Hz)", "predicted (Hz)", &[("E", &g1), ("I", &g2)], true)
        .unwrap();
    assert_eq!(png_size(&stem), DEFAULT_PANEL_SIZE);
    let svg = svg_with(&stem, &["Predicted vs measured", "measured (Hz)", "predicted (Hz)"]);
    assert!(svg.matches("<circle").count() >= 80);
}

#[test]
fn bar_plot_with_error_bars() {
    let dir = out_dir("bar");
    let stem = dir.join("bar");
    let groups = [
        BarSeries::new("control", &[5.0, 12.0, 3.5], &[1.0, 2.0, 0.5]),
        BarSeries::new("learned", &[7.0, 9.0, 4.0], &[]),
    ];
    bar_plot(&stem, "Rates by population", "rate (Hz)", &["E", "I", "input"], &groups).unwrap();
    assert_eq!(png_size(&stem), DEFAULT_PANEL_SIZE);
    svg_with(&stem, &["Rates by population", "rate (Hz)", "control", "learned", "\ninput\n"]);
}

#[test]
fn histogram_counts_into_bins() {
    let dir = out_dir("hist");
    let stem = dir.join("isi");
    let values: Vec<f64> = (0..500).map(|i| ((i * 37 % 100) as f64).powf(1.3)).collect();
    histogram(&stem, "ISI distribution", "ISI (ms)", &values, 25).unwrap();
    assert_eq!(png_size(&stem), DEFAULT_PANEL_SIZE);
    svg_with(&stem, &["ISI distribution", "ISI (ms)", "count"]);
}

#[test]
fn heatmap_with_colour_bar() {
    let dir = out_dir("heatmap");
    let stem = dir.join("corr");
    let m: Vec<Vec<f64>> =
        (0..20).map(|i| (0..20).map(|j| if i == j { 1.0 } else { ((i * j) as f64).sin() * 0.6 }).collect()).collect();
    heatmap(&stem, "Pattern correlations", "odor", "odor", "correlation", &m).unwrap();
    assert_eq!(png_size(&stem), DEFAULT_PANEL_SIZE);
    svg_with(&stem, &["Pattern correlations", "odor", "correlation"]);
}

#[test]
fn multi_panel_figure_has_requested_size_and_all_panels() {
    let dir = out_dir("figure");
    let stem = dir.join("fig.v1");
    let pops = [spikes("E", 200, 10.0, 500.0, 6), spikes("I", 50, 25.0, 500.0, 7)];
    let m: Vec<Vec<f64>> = (0..6).map(|i| (0..6).map(|j| (i + j) as f64 / 10.0).collect()).collect();
    let line: Vec<(f64, f64)> = (0..20).map(|i| (i as f64, (i * i) as f64)).collect();
    let fig = Figure::new(3, 3)
        .title("Figure 2: assemblies")
        .size(1500, 1200)
        .panel(RasterPanel::new("A  raster", &pops, 500.0, Some(100)))
        .panel(RatesPanel::new("B  rates", &pops, 500.0, 10.0))
        .panel(LinePanel::new("C  growth", "trial", "weight (nS)").series("w", &line))
        .panel(ScatterPanel::new("D  scatter", "x (a.u.)", "y (a.u.)").group("g", &line).diagonal(true))
        .panel(BarPanel::new("E  bars", "rate (Hz)", &["E", "I"]).group("", &[3.0, 8.0], &[0.5, 1.0]))
        .panel_at(
            1,
            2,
            HeatmapPanel::new("F  heatmap", "column", "row", "value", &m).labels(&["a", "b", "c", "d", "e", "f"], &[]),
        )
        .panel(
            HistogramPanel::new("G  ISI", "ISI (ms)")
                .data("E", &[5.0, 7.0, 7.5, 12.0, 30.0, 8.0])
                .data("I", &[2.0, 3.0, 3.5, 4.0, 6.0])
                .bins(10),
        );
    // The last two cells stay empty.
    assert_eq!(fig.pixel_size(), (1500, 1200));
    fig.save(&stem).unwrap();
    assert!(with_ext(&stem, "png").exists(), "the extension is appended to a stem containing a dot");
    assert_eq!(png_size(&stem), (1500, 1200));
    svg_with(
        &stem,
        &[
            "Figure 2: assemblies",
            "A  raster",
            "B  rates",
            "C  growth",
            "D  scatter",
            "E  bars",
            "F  heatmap",
            "G  ISI",
            "weight (nS)",
        ],
    );
}

#[test]
fn default_figure_size_scales_with_the_grid() {
    let (w, h) = DEFAULT_PANEL_SIZE;
    assert_eq!(Figure::new(1, 1).pixel_size(), (w, h));
    let (w2, h2) = Figure::new(2, 3).pixel_size();
    assert_eq!((w2, h2), (3 * (w * 3 / 4), 2 * (h * 3 / 4)));
}

#[test]
#[should_panic(expected = "cells are taken")]
fn adding_more_panels_than_cells_panics() {
    let _ = Figure::new(1, 1).panel(LinePanel::new("a", "x", "y")).panel(LinePanel::new("b", "x", "y"));
}

#[test]
fn unwritable_path_is_an_io_error_naming_the_file() {
    let dir = out_dir("unwritable");
    let stem = dir.join("no_such_dir").join("fig");
    let err = line_plot(&stem, "t", "x", "y", &[("a", &[(0.0, 1.0)])], false).unwrap_err();
    match &err {
        PlotError::Io { path, .. } => assert_eq!(path, &with_ext(&stem, "svg")),
        other => panic!("expected PlotError::Io, got {other:?}"),
    }
    assert!(err.to_string().contains("no_such_dir"), "message names the path: {err}");
    assert!(err.path().starts_with(&dir));

    let err = raster_and_rates(&stem, "t", &[], 100.0, 5.0, None).unwrap_err();
    assert!(matches!(err, PlotError::Io { .. }));
}

#[test]
fn empty_data_gives_empty_but_valid_figures() {
    let dir = out_dir("empty");
    let s = |n: &str| dir.join(n);
    let stats = raster_and_rates(s("raster_none"), "No populations", &[], 100.0, 5.0, Some(10)).unwrap();
    assert_eq!(stats, Default::default());
    let silent = [PopulationSpikes::new("E", 100, &[], &[]), PopulationSpikes::new("I", 0, &[], &[])];
    let stats = raster_and_rates(s("raster_silent"), "Silent", &silent, 100.0, 5.0, None).unwrap();
    assert_eq!((stats.rows, stats.points), (100, 0));
    line_plot(s("line"), "Empty lines", "x", "y", &[], false).unwrap();
    line_plot(s("line_log"), "Empty log", "x", "y", &[("none", &[])], true).unwrap();
    scatter_plot(s("scatter"), "Empty scatter", "x", "y", &[], true).unwrap();
    bar_plot(s("bar"), "Empty bars", "y", &[], &[]).unwrap();
    histogram(s("hist"), "Empty histogram", "x", &[], 10).unwrap();
    histogram(s("hist_nan"), "Only NaN", "x", &[f64::NAN, f64::INFINITY], 10).unwrap();
    heatmap(s("heat"), "Empty heatmap", "x", "y", "v", &[]).unwrap();
    Figure::new(2, 2).title("Empty grid").save(s("grid")).unwrap();
    for (n, title) in [
        ("raster_none", "No populations"),
        ("raster_silent", "Silent"),
        ("line", "Empty lines"),
        ("line_log", "Empty log"),
        ("scatter", "Empty scatter"),
        ("bar", "Empty bars"),
        ("hist", "Empty histogram"),
        ("hist_nan", "Only NaN"),
        ("heat", "Empty heatmap"),
        ("grid", "Empty grid"),
    ] {
        png_size(&s(n));
        svg_with(&s(n), &[title]);
    }
}

#[test]
fn inconsistent_data_is_invalid_data_naming_the_figure() {
    let dir = out_dir("invalid");
    let stem = dir.join("bad");
    let check = |r: Result<(), PlotError>, what: &str| match r {
        Err(PlotError::InvalidData { path, message }) => {
            assert_eq!(path, stem);
            assert!(message.contains(what), "{message:?} should mention {what:?}");
        }
        other => panic!("expected InvalidData for {what}, got {other:?}"),
    };
    let mismatched = PopulationSpikes::new("E", 10, &[1.0, 2.0], &[0]);
    check(raster_and_rates(&stem, "t", &[mismatched], 10.0, 1.0, None).map(|_| ()), "E");
    let out_of_range = PopulationSpikes::new("I", 10, &[1.0], &[10]);
    check(raster_and_rates(&stem, "t", &[out_of_range], 10.0, 1.0, None).map(|_| ()), "neuron 10");
    check(raster_and_rates(&stem, "t", &[], 0.0, 1.0, None).map(|_| ()), "duration_ms");
    check(raster_and_rates(&stem, "t", &[], 10.0, -1.0, None).map(|_| ()), "bin_ms");
    check(histogram(&stem, "t", "x", &[1.0], 0), "bin");
    check(heatmap(&stem, "t", "x", "y", "v", &[vec![1.0, 2.0], vec![3.0]]), "ragged");
    check(bar_plot(&stem, "t", "y", &["a", "b"], &[BarSeries::new("g", &[1.0], &[])]), "g");
    assert!(!with_ext(&stem, "png").exists() && !with_ext(&stem, "svg").exists(), "nothing is written");
}
