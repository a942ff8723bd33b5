//! Spike figures: the raster-over-rates figure, raster and rate panels, and their subsampling and binning.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::style::{
    KeyedAxis, MARGIN, OrMessage, X_LABEL_AREA, Y_LABEL_AREA, axis_font, chart_builder, fmt_tick, grid_style,
    legend_font, population_color, tick_font,
};
use crate::{Figure, PlotError};

/// Size in pixels (width, height) of the [`raster_and_rates`] figure.
pub const RASTER_FIGURE_SIZE: (u32, u32) = (1200, 800);

/// The spikes of one population: parallel arrays of spike times and neuron indices.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PopulationSpikes {
    /// Population name; also picks its colour (see [`population_color`](crate::population_color)).
    pub name: String,
    /// Number of neurons in the population (rates are per neuron: spikes / (n · bin)).
    pub n: usize,
    /// Spike times in ms, one per spike.
    pub times_ms: Vec<f64>,
    /// Index (0..n) of the neuron that fired each spike.
    pub neurons: Vec<u32>,
}

impl PopulationSpikes {
    /// A population from its name, size and parallel (time, neuron) arrays.
    pub fn new(name: &str, n: usize, times_ms: &[f64], neurons: &[u32]) -> Self {
        PopulationSpikes { name: name.into(), n, times_ms: times_ms.to_vec(), neurons: neurons.to_vec() }
    }

    fn validate(&self) -> Result<(), String> {
        if self.times_ms.len() != self.neurons.len() {
            return Err(format!(
                "population `{}` has {} spike times but {} neuron indices",
                self.name,
                self.times_ms.len(),
                self.neurons.len()
            ));
        }
        if let Some(&bad) = self.neurons.iter().find(|&&i| i as usize >= self.n) {
            return Err(format!("population `{}` has a spike from neuron {bad}, but n = {}", self.name, self.n));
        }
        Ok(())
    }
}

fn validate_time(duration_ms: f64) -> Result<(), String> {
    if duration_ms.is_finite() && duration_ms > 0.0 {
        Ok(())
    } else {
        Err(format!("duration_ms = {duration_ms} must be finite and > 0"))
    }
}

/// Which raster row each of `n` neurons is drawn on when at most `max_rows` rows are shown.
///
/// Without a cap (or when `n ≤ max_rows`) neuron `i` is on row `i`. Otherwise `max_rows` neurons
/// spread evenly over the population are kept (neuron ⌊r·n / max_rows⌋ on row `r`) and the rest
/// map to `None`.
///
/// ```
/// let rows = engram_plot::raster_rows(10, Some(5));
/// assert_eq!(rows.iter().flatten().count(), 5);
/// assert_eq!(rows[0], Some(0));
/// assert_eq!(rows[2], Some(1));
/// assert_eq!(rows[1], None);
/// ```
pub fn raster_rows(n: usize, max_rows: Option<usize>) -> Vec<Option<u32>> {
    let k = max_rows.unwrap_or(n).min(n);
    let mut rows = vec![None; n];
    if k == n {
        for (i, r) in rows.iter_mut().enumerate() {
            *r = Some(i as u32);
        }
    } else {
        for r in 0..k {
            rows[(r as u128 * n as u128 / k as u128) as usize] = Some(r as u32);
        }
    }
    rows
}

/// Population rate in Hz in consecutive bins of `bin_ms` over `[0, duration_ms)`: the spike count
/// in each bin divided by (n · bin width in s). Returns (bin centre in ms, rate in Hz) per bin; the
/// last bin may be shorter, and its rate uses its own width. Spikes outside the window are ignored;
/// a population with n = 0 has rate 0. Non-positive or non-finite `duration_ms` or `bin_ms` give no bins.
///
/// ```
/// use engram_plot::{population_rates, PopulationSpikes};
/// // 2 neurons, 4 spikes in the first 10 ms bin: 4 / (2 · 0.01 s) = 200 Hz.
/// let pop = PopulationSpikes::new("E", 2, &[1.0, 2.0, 3.0, 9.9, 15.0], &[0, 1, 0, 1, 0]);
/// let rates = population_rates(&pop, 20.0, 10.0);
/// assert_eq!(rates.len(), 2);
/// assert_eq!(rates[0], (5.0, 200.0));
/// assert_eq!(rates[1], (15.0, 50.0));
/// ```
pub fn population_rates(pop: &PopulationSpikes, duration_ms: f64, bin_ms: f64) -> Vec<(f64, f64)> {
    if !(duration_ms.is_finite() && duration_ms > 0.0 && bin_ms.is_finite() && bin_ms > 0.0) {
        return Vec::new();
    }
    let nbins = (duration_ms / bin_ms).ceil() as usize;
    let mut counts = vec![0usize; nbins];
    for &t in pop.times_ms.iter().filter(|t| **t >= 0.0 && **t < duration_ms) {
        counts[((t / bin_ms) as usize).min(nbins - 1)] += 1;
    }
    counts
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let start = i as f64 * bin_ms;
            let end = ((i + 1) as f64 * bin_ms).min(duration_ms);
            let rate = if pop.n == 0 { 0.0 } else { c as f64 / (pop.n as f64 * (end - start) * 1e-3) };
            ((start + end) / 2.0, rate)
        })
        .collect()
}

/// How much of a raster was drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RasterStats {
    /// Rows (neurons) shown, over all populations.
    pub rows: usize,
    /// Spikes drawn as dots (spikes of shown neurons inside `[0, duration_ms]`).
    pub points: usize,
}

/// A spike raster: one dot per spike, one row per (shown) neuron, one colour per population.
///
/// Populations are stacked from the top in the order given, each labelled on the y axis by
/// name; within a population lower neuron indices are higher up.
#[derive(Debug, Clone, Default)]
pub struct RasterPanel {
    /// Panel title (none if empty).
    pub title: String,
    /// The populations.
    pub populations: Vec<PopulationSpikes>,
    /// The time axis runs over `[0, duration_ms]`.
    pub duration_ms: f64,
    /// At most this many neurons of each population are drawn (evenly subsampled, see
    /// [`raster_rows`]); `None` draws all.
    pub max_rows_per_population: Option<usize>,
    /// Show time tick labels and the "time (ms)" description (off when a rate panel below shares the axis).
    pub show_time_axis: bool,
}

impl RasterPanel {
    /// A raster over `[0, duration_ms]`, with the time axis shown.
    pub fn new(
        title: &str,
        populations: &[PopulationSpikes],
        duration_ms: f64,
        max_rows_per_population: Option<usize>,
    ) -> Self {
        RasterPanel {
            title: title.into(),
            populations: populations.to_vec(),
            duration_ms,
            max_rows_per_population,
            show_time_axis: true,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        validate_time(self.duration_ms)?;
        self.populations.iter().try_for_each(PopulationSpikes::validate)
    }

    fn rows(&self) -> Vec<Vec<Option<u32>>> {
        self.populations.iter().map(|p| raster_rows(p.n, self.max_rows_per_population)).collect()
    }

    fn in_window(&self, t: f64) -> bool {
        t.is_finite() && t >= 0.0 && t <= self.duration_ms
    }

    /// The number of rows and dots this panel draws (the data must be valid).
    pub fn stats(&self) -> RasterStats {
        let mut s = RasterStats::default();
        for (p, rows) in self.populations.iter().zip(self.rows()) {
            s.rows += rows.iter().flatten().count();
            s.points += p
                .times_ms
                .iter()
                .zip(&p.neurons)
                .filter(|(t, i)| self.in_window(**t) && rows.get(**i as usize).is_some_and(Option::is_some))
                .count();
        }
        s
    }

    pub(crate) fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<RasterStats, String> {
        let rows = self.rows();
        let counts: Vec<usize> = rows.iter().map(|r| r.iter().flatten().count()).collect();
        let total: usize = counts.iter().sum();
        let starts: Vec<usize> = counts.iter().scan(0, |acc, c| Some(std::mem::replace(acc, *acc + c))).collect();
        let t = total.max(1) as f64;
        let centres: Vec<f64> =
            starts.iter().zip(&counts).filter(|(_, c)| **c > 0).map(|(s, c)| t - *s as f64 - *c as f64 / 2.0).collect();
        let band_of = |v: &f64| -> String {
            let from_top = t - v;
            starts
                .iter()
                .zip(&counts)
                .position(|(s, c)| from_top >= *s as f64 && from_top < (*s + *c) as f64)
                .map(|i| self.populations[i].name.clone())
                .unwrap_or_default()
        };
        let x = 0.0..self.duration_ms;
        let y = KeyedAxis::new(0.0..t, centres);
        let mut builder = chart_builder(area, &self.title);
        if !self.show_time_axis {
            builder.x_label_area_size(14);
        }
        let mut chart = builder.build_cartesian_2d(x, y).msg()?;
        let mut mesh = chart.configure_mesh();
        mesh.disable_y_mesh()
            .y_label_formatter(&band_of)
            .y_desc("neuron")
            .axis_desc_style(axis_font())
            .label_style(tick_font())
            .light_line_style(TRANSPARENT)
            .bold_line_style(grid_style())
            .x_labels(10);
        let blank = |_: &f64| String::new();
        if self.show_time_axis {
            mesh.x_desc("time (ms)").x_label_formatter(&fmt_tick);
        } else {
            mesh.x_label_formatter(&blank);
        }
        mesh.draw().msg()?;

        // Separators between population bands.
        let sep = RGBColor(150, 150, 150).stroke_width(1);
        for s in starts.iter().skip(1) {
            let yv = t - *s as f64;
            chart.draw_series([PathElement::new([(0.0, yv), (self.duration_ms, yv)], sep)]).msg()?;
        }

        let plot_h = chart.plotting_area().dim_in_pixel().1 as f64;
        let radius = if plot_h / t >= 4.0 { 2 } else { 1 };
        let mut stats = RasterStats { rows: total, points: 0 };
        for (pi, (p, prow)) in self.populations.iter().zip(&rows).enumerate() {
            let color: RGBColor = population_color(&p.name, pi).into();
            let start = starts[pi] as f64;
            let dots: Vec<(f64, f64)> = p
                .times_ms
                .iter()
                .zip(&p.neurons)
                .filter(|(tm, _)| self.in_window(**tm))
                .filter_map(|(&tm, &i)| {
                    prow.get(i as usize).copied().flatten().map(|r| (tm, t - start - r as f64 - 0.5))
                })
                .collect();
            stats.points += dots.len();
            chart.draw_series(dots.into_iter().map(|d| Circle::new(d, radius, color.filled()))).msg()?;
        }
        Ok(stats)
    }
}

/// Binned population rates (Hz) over time, one line per population, in population colours.
#[derive(Debug, Clone, Default)]
pub struct RatesPanel {
    /// Panel title (none if empty).
    pub title: String,
    /// The populations.
    pub populations: Vec<PopulationSpikes>,
    /// The time axis runs over `[0, duration_ms]`.
    pub duration_ms: f64,
    /// Bin width in ms (see [`population_rates`]).
    pub bin_ms: f64,
}

impl RatesPanel {
    /// Rates of `populations` in bins of `bin_ms` over `[0, duration_ms]`.
    pub fn new(title: &str, populations: &[PopulationSpikes], duration_ms: f64, bin_ms: f64) -> Self {
        RatesPanel { title: title.into(), populations: populations.to_vec(), duration_ms, bin_ms }
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        validate_time(self.duration_ms)?;
        if !(self.bin_ms.is_finite() && self.bin_ms > 0.0) {
            return Err(format!("bin_ms = {} must be finite and > 0", self.bin_ms));
        }
        self.populations.iter().try_for_each(PopulationSpikes::validate)
    }

    pub(crate) fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let rates: Vec<Vec<(f64, f64)>> =
            self.populations.iter().map(|p| population_rates(p, self.duration_ms, self.bin_ms)).collect();
        let max = rates.iter().flatten().map(|r| r.1).fold(0.0, f64::max);
        // Headroom above the highest rate keeps the legend (upper right) off the lines.
        let top = if max > 0.0 { max * 1.35 } else { 1.0 };
        let mut chart = ChartBuilder::on(area)
            .margin(MARGIN)
            .margin_right(MARGIN + 8)
            .x_label_area_size(X_LABEL_AREA)
            .y_label_area_size(Y_LABEL_AREA)
            .caption(&self.title, crate::style::title_font())
            .build_cartesian_2d(0.0..self.duration_ms, 0.0..top)
            .msg()?;
        chart
            .configure_mesh()
            .x_desc("time (ms)")
            .y_desc("rate (Hz)")
            .x_label_formatter(&fmt_tick)
            .y_label_formatter(&fmt_tick)
            .axis_desc_style(axis_font())
            .label_style(tick_font())
            .light_line_style(TRANSPARENT)
            .bold_line_style(grid_style())
            .x_labels(10)
            .y_labels(5)
            .draw()
            .msg()?;
        for (pi, (p, r)) in self.populations.iter().zip(rates).enumerate() {
            let color: RGBColor = population_color(&p.name, pi).into();
            chart
                .draw_series(LineSeries::new(r, color.stroke_width(2)))
                .msg()?
                .label(p.name.as_str())
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(2)));
        }
        if !self.populations.is_empty() {
            chart
                .configure_series_labels()
                .label_font(legend_font())
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(180, 180, 180))
                .position(SeriesLabelPosition::UpperRight)
                .draw()
                .msg()?;
        }
        Ok(())
    }
}

/// Writes the standard "look at a run" figure to `path_stem.png` and `path_stem.svg`
/// ([`RASTER_FIGURE_SIZE`]): a spike raster on top (one colour per population: excitatory red,
/// inhibitory blue, inputs grey) and the population rates in Hz, binned in `bin_ms`, below, on a
/// shared time axis over `[0, duration_ms]`.
///
/// `max_rows_per_population` caps how many neurons of each population appear in the raster
/// (evenly subsampled, see [`raster_rows`]); e.g. `Some(250)` for two populations keeps a
/// 64k-neuron raster readable and the SVG small. Rates always use all spikes. Returns how many
/// rows and dots the raster drew. No populations, or populations without spikes, give empty
/// but valid panels; mismatched arrays, a neuron index ≥ n, or a non-positive duration or bin
/// width are a [`PlotError::InvalidData`].
///
/// ```
/// use engram_plot::{raster_and_rates, PopulationSpikes};
/// // 80 excitatory neurons firing regularly, 20 inhibitory neurons firing faster.
/// let (mut te, mut ie, mut ti, mut ii) = (vec![], vec![], vec![], vec![]);
/// for k in 0..200u32 {
///     te.push(k as f64 * 2.5);
///     ie.push(k * 7 % 80);
///     ti.push(k as f64 * 2.5 + 1.0);
///     ii.push(k * 3 % 20);
/// }
/// let pops = [PopulationSpikes::new("E", 80, &te, &ie), PopulationSpikes::new("I", 20, &ti, &ii)];
/// let stem = std::env::temp_dir().join("engram_plot_doc_raster");
/// let stats = raster_and_rates(&stem, "Balanced network", &pops, 500.0, 5.0, Some(40))?;
/// assert_eq!(stats.rows, 40 + 20);
/// assert!(std::fs::metadata(stem.with_extension("png"))?.len() > 0);
/// assert!(std::fs::read_to_string(stem.with_extension("svg"))?.contains("Balanced network"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn raster_and_rates(
    path_stem: impl AsRef<Path>,
    title: &str,
    populations: &[PopulationSpikes],
    duration_ms: f64,
    bin_ms: f64,
    max_rows_per_population: Option<usize>,
) -> Result<RasterStats, PlotError> {
    let mut raster = RasterPanel::new("", populations, duration_ms, max_rows_per_population);
    raster.show_time_axis = false;
    let rates = RatesPanel::new("", populations, duration_ms, bin_ms);
    let stats = if raster.validate().is_ok() { raster.stats() } else { RasterStats::default() };
    Figure::new(2, 1)
        .title(title)
        .size(RASTER_FIGURE_SIZE.0, RASTER_FIGURE_SIZE.1)
        .row_heights(&[0.64, 0.36])
        .panel(raster)
        .panel(rates)
        .save(path_stem)?;
    Ok(stats)
}
